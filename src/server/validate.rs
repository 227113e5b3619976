//! Kafka's checks of `server.properties` in KRaft mode, with Kafka's messages.
//!
//! Two passes, as Kafka runs them:
//! 1. each key on its own, as `ConfigDef` parses and validates it (types, ranges, lists,
//!    `QuorumConfig`'s voter parsing, listener parsing);
//! 2. the rules between keys, in the order of `KafkaConfig.validateValues`.
//!
//! Kafka stops at the first failure; we collect every failure whose inputs parsed, so a user
//! fixing a file sees all of them at once. A rule whose inputs failed to parse is skipped
//! rather than reported twice.
//!
//! Sources: `core/.../KafkaConfig.scala` (validateValues, parseProcessRoles),
//! `server/.../AbstractKafkaConfig.java` (listeners, security protocol map),
//! `raft/.../QuorumConfig.java` (voters, bootstrap servers), `clients/.../ConfigDef.java`
//! (type and range messages). Where Kafka releases differ the comment at the check says which
//! one we follow. This module reads no files and no clock.

use crate::ordered::ordered;
use std::collections::{BTreeMap, BTreeSet};

use super::config::*;
use super::properties::{Properties, Property};

/// Keys that Kafka knows and KRaftScope accepts without simulating them: the rest of Kafka's
/// example `server.properties` files, so that pasting one in does not read as a list of typos.
const KNOWN_UNSIMULATED_KEYS: &[&str] = &[
    "auto.create.topics.enable",
    // The simulation takes these two from `set` (scenario files, the setup panel).
    "auto.leader.rebalance.enable",
    "broker.rack",
    "default.replication.factor",
    "delete.topic.enable",
    "group.initial.rebalance.delay.ms",
    "initial.broker.registration.timeout.ms",
    "leader.imbalance.check.interval.seconds",
    "leader.imbalance.per.broker.percentage",
    "log.flush.interval.messages",
    "log.flush.interval.ms",
    "log.retention.bytes",
    "log.retention.check.interval.ms",
    "log.retention.hours",
    "log.retention.minutes",
    "log.retention.ms",
    "log.segment.bytes",
    "metadata.log.segment.bytes",
    "metadata.log.segment.ms",
    "metadata.max.retention.bytes",
    "metadata.max.retention.ms",
    "min.insync.replicas",
    "num.io.threads",
    "num.network.threads",
    "num.partitions",
    "num.recovery.threads.per.data.dir",
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "replica.lag.time.max.ms",
    "sasl.mechanism.controller.protocol",
    "server.max.startup.time.ms",
    "share.coordinator.state.topic.min.isr",
    "share.coordinator.state.topic.replication.factor",
    "socket.receive.buffer.bytes",
    "socket.request.max.bytes",
    "socket.send.buffer.bytes",
    "transaction.state.log.min.isr",
    "transaction.state.log.replication.factor",
    "unclean.leader.election.enable",
];

/// Prefixes of Kafka's per-listener and security settings, accepted the same way.
const KNOWN_UNSIMULATED_PREFIXES: &[&str] = &["listener.name.", "ssl.", "sasl."];

/// Keys `ServerConfig` models.
const MODELLED_KEYS: &[&str] = &[
    PROCESS_ROLES,
    NODE_ID,
    BROKER_ID,
    QUORUM_VOTERS,
    QUORUM_BOOTSTRAP_SERVERS,
    CONTROLLER_LISTENER_NAMES,
    LISTENERS,
    ADVERTISED_LISTENERS,
    LISTENER_SECURITY_PROTOCOL_MAP,
    INTER_BROKER_LISTENER_NAME,
    CONTROL_PLANE_LISTENER_NAME,
    LOG_DIRS,
    LOG_DIR,
    METADATA_LOG_DIR,
    QUORUM_AUTO_JOIN_ENABLE,
    QUORUM_ELECTION_TIMEOUT_MS,
    QUORUM_FETCH_TIMEOUT_MS,
    QUORUM_ELECTION_BACKOFF_MAX_MS,
    QUORUM_REQUEST_TIMEOUT_MS,
    QUORUM_RETRY_BACKOFF_MS,
    QUORUM_APPEND_LINGER_MS,
    BROKER_HEARTBEAT_INTERVAL_MS,
    BROKER_SESSION_TIMEOUT_MS,
    METADATA_MAX_IDLE_INTERVAL_MS,
    METADATA_SNAPSHOT_MAX_NEW_RECORD_BYTES,
    METADATA_SNAPSHOT_MAX_INTERVAL_MS,
];

/// How a timer's lower bound is justified.
#[derive(Clone, Copy)]
enum Floor {
    /// `ConfigDef.Range.atLeast(n)` in Kafka.
    Kafka(i64),
    /// Kafka accepts 0 (or has no check at all), but a timer that does not advance the
    /// simulated clock would fire forever at one instant; `Kafka(n)` is checked first when
    /// Kafka has its own bound.
    Positive { kafka_min: Option<i64> },
}

pub(crate) fn parse_server_properties(text: &str) -> Result<ServerConfig, ConfigErrors> {
    let props = Properties::parse(text).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            line: Some(e.line),
            key: None,
            message: "Malformed \\uxxxx encoding.".to_string(),
        }])
    })?;
    Validator::new(&props).run()
}

struct Validator<'a> {
    props: &'a Properties,
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigWarning>,
    /// Keys whose value failed to parse: rules reading them are skipped.
    failed: BTreeSet<&'static str>,
}

/// A listener entry that parsed, before its security protocol is known.
struct RawEndpoint {
    entry: String,
    name: String,
    host: Option<String>,
    port: u16,
}

impl<'a> Validator<'a> {
    fn new(props: &'a Properties) -> Validator<'a> {
        Validator {
            props,
            errors: Vec::new(),
            warnings: Vec::new(),
            failed: BTreeSet::new(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Reporting.
    // -----------------------------------------------------------------------------------------

    /// The first of `keys` present in the file locates the problem; if none is, the first key
    /// is named without a line (it is missing).
    fn locate(&self, keys: &[&str]) -> (Option<usize>, Option<String>) {
        keys.iter()
            .find_map(|key| {
                self.props
                    .line_of(key)
                    .map(|line| (Some(line), Some(key.to_string())))
            })
            .unwrap_or_else(|| (None, keys.first().map(|k| k.to_string())))
    }

    fn error(&mut self, keys: &[&str], message: impl Into<String>) {
        let (line, key) = self.locate(keys);
        self.errors.push(ConfigError {
            line,
            key,
            message: message.into(),
        });
    }

    fn fail(&mut self, key: &'static str, message: impl Into<String>) {
        self.failed.insert(key);
        self.error(&[key], message);
    }

    fn warn(&mut self, keys: &[&str], message: impl Into<String>) {
        let (line, key) = self.locate(keys);
        self.warnings.push(ConfigWarning {
            line,
            key,
            message: message.into(),
        });
    }

    fn ok(&self, keys: &[&str]) -> bool {
        keys.iter().all(|key| !self.failed.contains(key))
    }

    fn raw(&self, key: &str) -> Option<&'a Property> {
        self.props.get(key)
    }

    // -----------------------------------------------------------------------------------------
    // ConfigDef types.
    // -----------------------------------------------------------------------------------------

    /// `ConfigDef.Type.INT`, or `LONG` when `long` (the value is trimmed first, as Kafka does).
    fn number(&mut self, key: &'static str, value: &str, long: bool) -> Option<i64> {
        let parsed = if long {
            value.trim().parse::<i64>().ok()
        } else {
            value.trim().parse::<i32>().ok().map(i64::from)
        };
        if parsed.is_none() {
            let kind = if long { "LONG" } else { "INT" };
            self.fail(
                key,
                format!(
                    "Invalid value {value} for configuration {key}: Not a number of type {kind}"
                ),
            );
        }
        parsed
    }

    /// An INT or LONG timer/size with a default and a lower bound.
    fn bounded(&mut self, key: &'static str, default: i64, long: bool, floor: Floor) -> i64 {
        let Some(property) = self.raw(key) else {
            return default;
        };
        let Some(value) = self.number(key, &property.value, long) else {
            return default;
        };
        let (kafka_min, positive) = match floor {
            Floor::Kafka(min) => (Some(min), false),
            Floor::Positive { kafka_min } => (kafka_min, true),
        };
        if let Some(min) = kafka_min.filter(|min| value < *min) {
            self.fail(
                key,
                format!(
                    "Invalid value {value} for configuration {key}: Value must be at least {min}"
                ),
            );
            return default;
        }
        if positive && value < 1 {
            self.fail(
                key,
                format!(
                    "Invalid value {value} for configuration {key}: Value must be at least 1 \
                     (a KRaftScope rule: Kafka accepts this value, but a timer of {value} ms \
                     would fire again and again without the simulated clock moving)"
                ),
            );
            return default;
        }
        value
    }

    fn int_timer(&mut self, key: &'static str, default: u32, floor: Floor) -> u32 {
        let value = self.bounded(key, i64::from(default), false, floor);
        u32::try_from(value).unwrap_or(default)
    }

    fn long_setting(&mut self, key: &'static str, default: u64, floor: Floor) -> u64 {
        let default_i64 = i64::try_from(default).unwrap_or(i64::MAX);
        let value = self.bounded(key, default_i64, true, floor);
        u64::try_from(value).unwrap_or(default)
    }

    /// `ConfigDef.Type.LIST`: trimmed, empty means empty, else split on commas (with the
    /// blanks around them), keeping empty items so they can be reported.
    fn list(value: &str) -> Vec<String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        trimmed
            .split(',')
            .map(|item| item.trim().to_string())
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // The run.
    // -----------------------------------------------------------------------------------------

    fn run(mut self) -> Result<ServerConfig, ConfigErrors> {
        self.warn_about_keys();

        let process_roles = self.process_roles();
        let (node_id, broker_id) = self.node_and_broker_id();
        let voters = self.quorum_voters();
        let bootstrap_servers = self.bootstrap_servers();
        let controller_listener_names = self.controller_listener_names();
        let raw_listeners = self.raw_listeners(LISTENERS, Some(DEFAULT_LISTENERS));
        let raw_advertised = self.raw_listeners(ADVERTISED_LISTENERS, None);
        let explicit_map = self.security_protocol_map();
        let inter_broker_listener_name = self
            .raw(INTER_BROKER_LISTENER_NAME)
            .map(|p| p.value.trim().to_string());
        let log_dirs = self.log_dirs();
        let metadata_log_dir = self
            .raw(METADATA_LOG_DIR)
            .map(|p| p.value.trim().to_string())
            .filter(|dir| !dir.is_empty());
        let quorum_auto_join_enable = self.boolean(QUORUM_AUTO_JOIN_ENABLE, false);
        let timers = self.timers();

        // Listener entries get their security protocol from the effective map, which itself
        // depends on the listener names (AbstractKafkaConfig.effectiveListenerSecurityProtocolMap).
        let effective_map = effective_security_protocol_map(
            explicit_map.as_ref(),
            &controller_listener_names,
            raw_listeners.iter().flatten().map(|l| l.name.as_str()),
        );
        let listeners = self.resolve_listeners(LISTENERS, raw_listeners, &effective_map, true);
        let advertised_listeners =
            self.resolve_listeners(ADVERTISED_LISTENERS, raw_advertised, &effective_map, false);

        let other_properties: BTreeMap<_, _> = ordered(
            self.props
                .entries()
                .iter()
                .filter(|p| !MODELLED_KEYS.contains(&p.key.as_str()))
                .map(|p| (p.key.clone(), p.value.clone())),
        );

        let draft = ServerConfig {
            process_roles: process_roles.unwrap_or(ProcessRoles::Broker),
            node_id: node_id.unwrap_or(-1),
            broker_id,
            controller_quorum_voters: voters,
            controller_quorum_bootstrap_servers: bootstrap_servers,
            controller_listener_names,
            listeners: listeners.unwrap_or_default(),
            advertised_listeners,
            listener_security_protocol_map: explicit_map,
            inter_broker_listener_name,
            log_dirs,
            metadata_log_dir,
            quorum_auto_join_enable,
            quorum_election_timeout_ms: timers[0],
            quorum_fetch_timeout_ms: timers[1],
            quorum_election_backoff_max_ms: timers[2],
            quorum_request_timeout_ms: timers[3],
            quorum_retry_backoff_ms: timers[4],
            quorum_append_linger_ms: timers[5],
            broker_heartbeat_interval_ms: timers[6],
            broker_session_timeout_ms: timers[7],
            metadata_max_idle_interval_ms: timers[8],
            metadata_snapshot_max_new_record_bytes: self.long_setting(
                METADATA_SNAPSHOT_MAX_NEW_RECORD_BYTES,
                DEFAULT_METADATA_SNAPSHOT_MAX_NEW_RECORD_BYTES,
                Floor::Kafka(1),
            ),
            metadata_snapshot_max_interval_ms: self.long_setting(
                METADATA_SNAPSHOT_MAX_INTERVAL_MS,
                DEFAULT_METADATA_SNAPSHOT_MAX_INTERVAL_MS,
                Floor::Kafka(0),
            ),
            other_properties,
            warnings: Vec::new(),
        };

        self.validate_values(&draft);

        if self.errors.is_empty() {
            Ok(ServerConfig {
                warnings: self.warnings,
                ..draft
            })
        } else {
            Err(ConfigErrors(self.errors))
        }
    }

    /// Unknown keys (Kafka's `AbstractConfig.logUnused`), keys Kafka knows that KRaftScope
    /// does not simulate, and keys given twice.
    fn warn_about_keys(&mut self) {
        let mut seen = BTreeSet::new();
        for property in self.props.entries() {
            let key = property.key.as_str();
            if !seen.insert(key) || MODELLED_KEYS.contains(&key) {
                continue;
            }
            let known = KNOWN_UNSIMULATED_KEYS.contains(&key)
                || KNOWN_UNSIMULATED_PREFIXES
                    .iter()
                    .any(|p| key.starts_with(p));
            let message = if known {
                format!("KRaftScope does not simulate {key}; the value is kept but has no effect.")
            } else {
                format!("The configuration '{key}' was supplied but isn't a known config.")
            };
            self.warnings.push(ConfigWarning {
                line: Some(property.line),
                key: Some(key.to_string()),
                message,
            });
        }
        for (key, lines) in self.props.duplicates() {
            let list = lines
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let last = *lines.last().unwrap_or(&0);
            self.warnings.push(ConfigWarning {
                line: Some(last),
                key: Some(key.clone()),
                message: format!(
                    "{key} is set on lines {list}; the last value wins, as java.util.Properties keeps it."
                ),
            });
        }
    }

    /// `process.roles`: ConfigDef's `ValidList.in("broker", "controller")`, then
    /// `KafkaConfig.parseProcessRoles`' duplicate check (Kafka 3.x–4.1; 4.2 drops duplicates
    /// with a warning instead, KIP-1161).
    fn process_roles(&mut self) -> Option<ProcessRoles> {
        let Some(property) = self.raw(PROCESS_ROLES) else {
            self.fail(
                PROCESS_ROLES,
                format!("Missing required configuration \"{PROCESS_ROLES}\" which has no default value."),
            );
            return None;
        };
        let roles = Self::list(&property.value);
        if roles.is_empty() {
            self.fail(
                PROCESS_ROLES,
                format!("Configuration '{PROCESS_ROLES}' must not be empty. Valid values include: [broker, controller]"),
            );
            return None;
        }
        for role in &roles {
            if role.is_empty() {
                self.fail(
                    PROCESS_ROLES,
                    format!("Configuration '{PROCESS_ROLES}' values must not be empty."),
                );
                return None;
            }
            if role != "broker" && role != "controller" {
                self.fail(
                    PROCESS_ROLES,
                    format!("Invalid value {role} for configuration {PROCESS_ROLES}: String must be one of: broker, controller"),
                );
                return None;
            }
        }
        let distinct: BTreeSet<_> = ordered(roles.iter().map(String::as_str));
        if distinct.len() != roles.len() {
            self.fail(
                PROCESS_ROLES,
                format!(
                    "Duplicate role names found in `{PROCESS_ROLES}`: [{}]",
                    roles.join(", ")
                ),
            );
            return None;
        }
        Some(
            match (distinct.contains("broker"), distinct.contains("controller")) {
                (true, true) => ProcessRoles::Combined,
                (true, false) => ProcessRoles::Broker,
                _ => ProcessRoles::Controller,
            },
        )
    }

    /// `node.id` (INT, required, at least 0) and `broker.id`; either one stands in for the
    /// other when absent (`KafkaConfig.populateSynonyms`).
    fn node_and_broker_id(&mut self) -> (Option<NodeId>, Option<NodeId>) {
        let broker_property = self.raw(BROKER_ID);
        let broker_id = broker_property
            .and_then(|p| self.number(BROKER_ID, &p.value, false))
            .map(|v| v as NodeId);
        let node_value = match (self.raw(NODE_ID), broker_property) {
            (Some(property), _) => self.number(NODE_ID, &property.value, false),
            (None, Some(_)) => {
                if broker_id.is_none() {
                    // broker.id stands in for node.id and has already been reported.
                    self.failed.insert(NODE_ID);
                }
                broker_id.map(i64::from)
            }
            (None, None) => {
                self.fail(
                    NODE_ID,
                    format!(
                        "Missing required configuration \"{NODE_ID}\" which has no default value."
                    ),
                );
                None
            }
        };
        let node_id = match node_value {
            Some(v) if v < 0 => {
                self.failed.insert(NODE_ID);
                self.error(
                    &[NODE_ID, BROKER_ID],
                    format!(
                        "Invalid value {v} for configuration {NODE_ID}: Value must be at least 0"
                    ),
                );
                None
            }
            other => other.map(|v| v as NodeId),
        };
        if let (Some(node), Some(broker)) = (node_id, broker_id) {
            if node != broker {
                self.error(
                    &[BROKER_ID],
                    format!("You must set `{NODE_ID}` to the same value as `{BROKER_ID}`."),
                );
            }
        }
        (node_id, broker_id)
    }

    /// `controller.quorum.voters` (`QuorumConfig.parseVoterConnections`), then the routable
    /// check `KafkaRaftManager` makes at startup.
    fn quorum_voters(&mut self) -> Vec<QuorumVoter> {
        let Some(property) = self.raw(QUORUM_VOTERS) else {
            return Vec::new();
        };
        let form = "Each entry should be in the form `{id}@{host}:{port}`.";
        let mut voters: Vec<QuorumVoter> = Vec::new();
        for entry in Self::list(&property.value) {
            let parts = java_split(&entry, '@');
            if parts.len() != 2 {
                self.fail(
                    QUORUM_VOTERS,
                    format!("Invalid configuration value for {QUORUM_VOTERS}. {form}"),
                );
                continue;
            }
            let Ok(id) = parts[0].parse::<NodeId>() else {
                self.fail(
                    QUORUM_VOTERS,
                    format!("Failed to parse voter ID as an integer from {}", parts[0]),
                );
                continue;
            };
            let (host, port) = match host_and_port(parts[1]) {
                Err(HostPortError::Host) => {
                    self.fail(
                        QUORUM_VOTERS,
                        format!("Failed to parse host name from entry {entry} for the configuration {QUORUM_VOTERS}. {form}"),
                    );
                    continue;
                }
                Err(HostPortError::Port) => {
                    self.fail(
                        QUORUM_VOTERS,
                        format!("Failed to parse host port from entry {entry} for the configuration {QUORUM_VOTERS}. {form}"),
                    );
                    continue;
                }
                Ok(host_port) => host_port,
            };
            if host == "0.0.0.0" {
                self.fail(QUORUM_VOTERS, "Host string (0.0.0.0) is not routeable");
                continue;
            }
            // Kafka puts the entries in a HashMap: a repeated id silently replaces the earlier
            // entry. Keep Kafka's outcome and say so.
            if let Some(index) = voters.iter().position(|v| v.id == id) {
                voters.remove(index);
                self.warn(
                    &[QUORUM_VOTERS],
                    format!("{QUORUM_VOTERS} lists voter {id} more than once; Kafka keeps the last entry, {entry}."),
                );
            }
            voters.push(QuorumVoter { id, host, port });
        }
        voters
    }

    /// `controller.quorum.bootstrap.servers` (`QuorumConfig.parseBootstrapServer`).
    fn bootstrap_servers(&mut self) -> Vec<HostPort> {
        let Some(property) = self.raw(QUORUM_BOOTSTRAP_SERVERS) else {
            return Vec::new();
        };
        let mut servers = Vec::new();
        for entry in Self::list(&property.value) {
            match host_and_port(&entry) {
                Ok((host, port)) => servers.push(HostPort { host, port }),
                Err(which) => {
                    let what = match which {
                        HostPortError::Host => "host name",
                        HostPortError::Port => "host port",
                    };
                    self.fail(
                        QUORUM_BOOTSTRAP_SERVERS,
                        format!("Failed to parse {what} from {entry} for the configuration {QUORUM_BOOTSTRAP_SERVERS}. Each entry should be in the form \"{{host}}:{{port}}\""),
                    );
                }
            }
        }
        servers
    }

    /// `controller.listener.names`. Kafka 4.1 reads it as a string split on commas; we trim
    /// the names and drop duplicates with Kafka 4.2's warning (it became a LIST there).
    fn controller_listener_names(&mut self) -> Vec<String> {
        let Some(property) = self.raw(CONTROLLER_LISTENER_NAMES) else {
            return Vec::new();
        };
        let names = Self::list(&property.value);
        if names.iter().any(String::is_empty) {
            self.fail(
                CONTROLLER_LISTENER_NAMES,
                format!("Configuration '{CONTROLLER_LISTENER_NAMES}' values must not be empty."),
            );
            return names.into_iter().filter(|n| !n.is_empty()).collect();
        }
        let mut distinct: Vec<String> = Vec::new();
        for name in &names {
            if !distinct.contains(name) {
                distinct.push(name.clone());
            }
        }
        if distinct.len() != names.len() {
            self.warn(
                &[CONTROLLER_LISTENER_NAMES],
                format!(
                    "Configuration key \"{CONTROLLER_LISTENER_NAMES}\" contains duplicate values. Duplicates will be removed. The original value is: [{}], the updated value is: [{}]",
                    names.join(", "),
                    distinct.join(", ")
                ),
            );
        }
        distinct
    }

    /// The syntax of `listeners` / `advertised.listeners` entries
    /// (`SocketServerConfigs.listenerListToEndPoints`'s `NAME://host:port` pattern).
    /// `None` when the key is absent and has no default.
    fn raw_listeners(
        &mut self,
        key: &'static str,
        default: Option<&str>,
    ) -> Option<Vec<RawEndpoint>> {
        let value = match (self.raw(key), default) {
            (Some(property), _) => property.value.clone(),
            (None, Some(default)) => default.to_string(),
            (None, None) => return None,
        };
        let entries = Self::list(&value);
        if entries.is_empty() {
            self.fail(
                key,
                format!("Configuration '{key}' must not be empty. Valid values include: any non-empty value"),
            );
            return Some(Vec::new());
        }
        if entries.iter().any(String::is_empty) {
            self.fail(
                key,
                format!("Configuration '{key}' values must not be empty."),
            );
            return Some(Vec::new());
        }
        let mut endpoints = Vec::new();
        for entry in &entries {
            match parse_listener(entry) {
                Some((name, host, port)) => endpoints.push(RawEndpoint {
                    entry: entry.clone(),
                    name,
                    host,
                    port,
                }),
                None => self.fail(
                    key,
                    format!(
                        "Error creating broker listeners from '{}': Unable to parse {entry} to a broker endpoint",
                        java_list(&entries)
                    ),
                ),
            }
        }
        Some(endpoints)
    }

    /// Gives each parsed listener its security protocol and checks names and ports are
    /// distinct (`AbstractKafkaConfig.listenerListToEndPoints`).
    fn resolve_listeners(
        &mut self,
        key: &'static str,
        raw: Option<Vec<RawEndpoint>>,
        map: &BTreeMap<String, SecurityProtocol>,
        require_distinct_ports: bool,
    ) -> Option<Vec<Endpoint>> {
        let raw = raw?;
        let entries: Vec<String> = raw.iter().map(|r| r.entry.clone()).collect();
        let wrap = |detail: String| {
            format!(
                "Error creating broker listeners from '{}': {detail}",
                java_list(&entries)
            )
        };
        let mut endpoints = Vec::new();
        for r in raw {
            match map.get(&r.name) {
                Some(protocol) => endpoints.push(Endpoint {
                    listener_name: r.name,
                    security_protocol: *protocol,
                    host: r.host,
                    port: r.port,
                }),
                // A map that failed to parse has been reported; its gaps are not news.
                None if !self.ok(&[LISTENER_SECURITY_PROTOCOL_MAP]) => {
                    self.failed.insert(key);
                }
                None => {
                    let message = wrap(format!(
                        "No security protocol defined for listener {}",
                        r.name
                    ));
                    self.fail(key, message);
                }
            }
        }
        let names: BTreeSet<_> = ordered(endpoints.iter().map(|e| e.listener_name.as_str()));
        if names.len() != endpoints.len() {
            let message = wrap(format!(
                "Each listener must have a different name, listeners: {}",
                java_list(&entries)
            ));
            self.fail(key, message);
        } else if require_distinct_ports && !ports_are_distinct(&endpoints) {
            let message = wrap(format!(
                "Each listener must have a different port, listeners: {}",
                java_list(&entries)
            ));
            self.fail(key, message);
        }
        Some(endpoints)
    }

    /// `listener.security.protocol.map` as written, names upper-cased.
    fn security_protocol_map(&mut self) -> Option<BTreeMap<String, SecurityProtocol>> {
        let property = self.raw(LISTENER_SECURITY_PROTOCOL_MAP)?;
        let trimmed = property.value.trim();
        let mut map = BTreeMap::new();
        if trimmed.is_empty() {
            return Some(map);
        }
        for entry in trimmed.split(',').map(str::trim) {
            // Csv.parseCsvMap splits at the last ':' (IPv6-style names); an entry without one
            // makes Kafka fail with a bare StringIndexOutOfBoundsException, so we say what is
            // wrong instead.
            let Some(colon) = entry.rfind(':') else {
                self.fail(
                    LISTENER_SECURITY_PROTOCOL_MAP,
                    format!("Error parsing configuration property '{LISTENER_SECURITY_PROTOCOL_MAP}': entry '{entry}' is not of the form LISTENER_NAME:SECURITY_PROTOCOL"),
                );
                continue;
            };
            let name = entry[..colon].trim().to_ascii_uppercase();
            let protocol_name = entry[colon + 1..].trim();
            match SecurityProtocol::for_name(protocol_name) {
                Some(protocol) => {
                    map.insert(name, protocol);
                }
                None => self.fail(
                    LISTENER_SECURITY_PROTOCOL_MAP,
                    format!("Invalid security protocol `{protocol_name}` defined in {LISTENER_SECURITY_PROTOCOL_MAP}"),
                ),
            }
        }
        Some(map)
    }

    /// `log.dirs`, else `log.dir`, else `/tmp/kafka-logs`.
    fn log_dirs(&mut self) -> Vec<String> {
        let dirs = if let Some(property) = self.raw(LOG_DIRS) {
            let dirs = Self::list(&property.value);
            if dirs.iter().any(String::is_empty) && !dirs.is_empty() {
                self.fail(
                    LOG_DIRS,
                    format!("Configuration '{LOG_DIRS}' values must not be empty."),
                );
                return Vec::new();
            }
            dirs
        } else if let Some(property) = self.raw(LOG_DIR) {
            let dir = property.value.trim();
            if dir.is_empty() {
                Vec::new()
            } else {
                vec![dir.to_string()]
            }
        } else {
            vec![DEFAULT_LOG_DIR.to_string()]
        };
        if dirs.is_empty() {
            self.failed.insert(LOG_DIRS);
            self.error(
                &[LOG_DIRS, LOG_DIR],
                "At least one log directory must be defined via log.dirs or log.dir.",
            );
        }
        dirs
    }

    /// `ConfigDef.Type.BOOLEAN`.
    fn boolean(&mut self, key: &'static str, default: bool) -> bool {
        let Some(property) = self.raw(key) else {
            return default;
        };
        match property.value.trim().to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => {
                let value = property.value.clone();
                self.fail(
                    key,
                    format!("Invalid value {value} for configuration {key}: Expected value to be either true or false"),
                );
                default
            }
        }
    }

    /// The nine INT timers, in `ServerConfig` field order.
    fn timers(&mut self) -> [u32; 9] {
        // QuorumConfig: atLeast(0) for all six; the ones whose 0 would spin the simulation
        // also need to be positive here.
        let positive_over_kafka = Floor::Positive { kafka_min: Some(0) };
        // KRaftConfigs defines the broker heartbeat and session timeout with no validator.
        let positive_unchecked = Floor::Positive { kafka_min: None };
        [
            self.int_timer(
                QUORUM_ELECTION_TIMEOUT_MS,
                DEFAULT_QUORUM_ELECTION_TIMEOUT_MS,
                positive_over_kafka,
            ),
            self.int_timer(
                QUORUM_FETCH_TIMEOUT_MS,
                DEFAULT_QUORUM_FETCH_TIMEOUT_MS,
                positive_over_kafka,
            ),
            self.int_timer(
                QUORUM_ELECTION_BACKOFF_MAX_MS,
                DEFAULT_QUORUM_ELECTION_BACKOFF_MAX_MS,
                Floor::Kafka(0),
            ),
            self.int_timer(
                QUORUM_REQUEST_TIMEOUT_MS,
                DEFAULT_QUORUM_REQUEST_TIMEOUT_MS,
                positive_over_kafka,
            ),
            self.int_timer(
                QUORUM_RETRY_BACKOFF_MS,
                DEFAULT_QUORUM_RETRY_BACKOFF_MS,
                Floor::Kafka(0),
            ),
            self.int_timer(
                QUORUM_APPEND_LINGER_MS,
                DEFAULT_QUORUM_APPEND_LINGER_MS,
                Floor::Kafka(0),
            ),
            self.int_timer(
                BROKER_HEARTBEAT_INTERVAL_MS,
                DEFAULT_BROKER_HEARTBEAT_INTERVAL_MS,
                positive_unchecked,
            ),
            self.int_timer(
                BROKER_SESSION_TIMEOUT_MS,
                DEFAULT_BROKER_SESSION_TIMEOUT_MS,
                positive_unchecked,
            ),
            self.int_timer(
                METADATA_MAX_IDLE_INTERVAL_MS,
                DEFAULT_METADATA_MAX_IDLE_INTERVAL_MS,
                Floor::Kafka(0),
            ),
        ]
    }

    // -----------------------------------------------------------------------------------------
    // KafkaConfig.validateValues (KRaft).
    // -----------------------------------------------------------------------------------------

    fn validate_values(&mut self, c: &ServerConfig) {
        // Kafka logs this at ERROR level and starts anyway.
        if self.ok(&[BROKER_HEARTBEAT_INTERVAL_MS, BROKER_SESSION_TIMEOUT_MS])
            && u64::from(c.broker_heartbeat_interval_ms) * 2
                > u64::from(c.broker_session_timeout_ms)
        {
            self.warn(
                &[BROKER_HEARTBEAT_INTERVAL_MS, BROKER_SESSION_TIMEOUT_MS],
                format!(
                    "{BROKER_HEARTBEAT_INTERVAL_MS} ({} ms) must be less than or equal to half of the {BROKER_SESSION_TIMEOUT_MS} ({} ms). \
                     The {BROKER_SESSION_TIMEOUT_MS} is configured on controller. The {BROKER_HEARTBEAT_INTERVAL_MS} is configured on broker. \
                     If a broker doesn't send heartbeat request within {BROKER_SESSION_TIMEOUT_MS}, it loses broker lease. \
                     Please increase {BROKER_SESSION_TIMEOUT_MS} or decrease {BROKER_HEARTBEAT_INTERVAL_MS}.",
                    c.broker_heartbeat_interval_ms, c.broker_session_timeout_ms
                ),
            );
        }

        if !self.ok(&[PROCESS_ROLES]) {
            return;
        }
        let quorum_ok = self.ok(&[QUORUM_VOTERS, QUORUM_BOOTSTRAP_SERVERS]);
        let node_ok = self.ok(&[NODE_ID]);
        let listeners_ok = self.ok(&[LISTENERS, LISTENER_SECURITY_PROTOCOL_MAP]);
        let advertised_ok = listeners_ok && self.ok(&[ADVERTISED_LISTENERS]);
        let names_ok = self.ok(&[CONTROLLER_LISTENER_NAMES]);
        let voter_ids = c.voter_ids();
        let voters_text = scala_set(&voter_ids);

        // Every KRaft role.
        if quorum_ok
            && c.controller_quorum_voters.is_empty()
            && c.controller_quorum_bootstrap_servers.is_empty()
        {
            self.error(
                &[QUORUM_VOTERS, QUORUM_BOOTSTRAP_SERVERS, PROCESS_ROLES],
                format!(
                    "If using {PROCESS_ROLES}, either {QUORUM_BOOTSTRAP_SERVERS} must contain the set of bootstrap controllers \
                     or {QUORUM_VOTERS} must contain a parseable set of controllers."
                ),
            );
        }
        // Kafka 3.9 (the key is gone in 4.0, where it would only be "not a known config").
        if self.raw(CONTROL_PLANE_LISTENER_NAME).is_some() {
            self.error(
                &[CONTROL_PLANE_LISTENER_NAME],
                format!("{CONTROL_PLANE_LISTENER_NAME} is not supported in KRaft mode."),
            );
        }

        match c.process_roles {
            ProcessRoles::Broker => {
                if quorum_ok && node_ok && voter_ids.contains(&c.node_id) {
                    self.error(
                        &[QUORUM_VOTERS, NODE_ID],
                        format!(
                            "If {PROCESS_ROLES} contains just the 'broker' role, the node id {} must not be included in the set of voters {QUORUM_VOTERS}={voters_text}",
                            c.node_id
                        ),
                    );
                }
                if names_ok && c.controller_listener_names.is_empty() {
                    self.error(
                        &[CONTROLLER_LISTENER_NAMES, PROCESS_ROLES],
                        format!("{CONTROLLER_LISTENER_NAMES} must contain at least one value when running KRaft with just the broker role"),
                    );
                }
                if names_ok && listeners_ok && !c.controller_listeners().is_empty() {
                    self.error(
                        &[LISTENERS],
                        format!("{CONTROLLER_LISTENER_NAMES} must not contain a value appearing in the '{LISTENERS}' configuration when running KRaft with just the broker role"),
                    );
                }
                if names_ok && self.ok(&[LISTENER_SECURITY_PROTOCOL_MAP]) {
                    let map = c.effective_listener_security_protocol_map();
                    for name in &c.controller_listener_names {
                        let normalised = name.to_ascii_uppercase();
                        if !map.contains_key(&normalised) {
                            // Kafka's message has the double space before the parenthesis.
                            self.error(
                                &[LISTENER_SECURITY_PROTOCOL_MAP, CONTROLLER_LISTENER_NAMES],
                                format!(
                                    "Controller listener with name {normalised} defined in {CONTROLLER_LISTENER_NAMES} not found in {LISTENER_SECURITY_PROTOCOL_MAP}  \
                                     (an explicit security mapping for each controller listener is required if {LISTENER_SECURITY_PROTOCOL_MAP} is non-empty, \
                                     or if there are security protocols other than PLAINTEXT in use)"
                                ),
                            );
                        }
                    }
                }
                if c.quorum_auto_join_enable {
                    self.error(
                        &[QUORUM_AUTO_JOIN_ENABLE],
                        format!("{QUORUM_AUTO_JOIN_ENABLE} is only supported when {PROCESS_ROLES} contains the 'controller' role."),
                    );
                }
                if c.controller_listener_names.len() > 1 {
                    self.warn(
                        &[CONTROLLER_LISTENER_NAMES],
                        format!(
                            "{CONTROLLER_LISTENER_NAMES} has multiple entries; only the first will be used since {PROCESS_ROLES}=broker: [{}]",
                            c.controller_listener_names.join(", ")
                        ),
                    );
                }
            }
            ProcessRoles::Controller => {
                if names_ok
                    && listeners_ok
                    && c.effective_advertised_controller_listeners().len() != c.listeners.len()
                {
                    self.error(
                        &[LISTENERS],
                        format!("The {LISTENERS} config must only contain KRaft controller listeners from {CONTROLLER_LISTENER_NAMES} when {PROCESS_ROLES}=controller"),
                    );
                }
                if let Some(name) = &c.inter_broker_listener_name {
                    if c.controller_listener_names
                        .contains(&name.to_ascii_uppercase())
                    {
                        // The stray quote at the end is in Kafka's message.
                        self.error(
                            &[INTER_BROKER_LISTENER_NAME],
                            format!("{CONTROLLER_LISTENER_NAMES} must not contain an explicitly set {INTER_BROKER_LISTENER_NAME} configuration value when {PROCESS_ROLES}=controller'"),
                        );
                    }
                }
                self.controller_rules(
                    c,
                    quorum_ok && node_ok,
                    names_ok && listeners_ok,
                    &voters_text,
                );
            }
            ProcessRoles::Combined => {
                self.controller_rules(
                    c,
                    quorum_ok && node_ok,
                    names_ok && listeners_ok,
                    &voters_text,
                );
            }
        }

        if c.process_roles.has_broker() && names_ok && advertised_ok {
            self.broker_listener_rules(c);
        }

        if names_ok && advertised_ok {
            let unroutable = c
                .effective_advertised_broker_listeners()
                .into_iter()
                .cloned()
                .chain(c.effective_advertised_controller_listeners())
                .any(|e| e.host.as_deref() == Some("0.0.0.0"));
            if unroutable {
                self.error(
                    &[ADVERTISED_LISTENERS, LISTENERS],
                    format!("{ADVERTISED_LISTENERS} cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address."),
                );
            }
        }
    }

    /// The rules shared by controller-only and combined nodes.
    fn controller_rules(
        &mut self,
        c: &ServerConfig,
        voters_ok: bool,
        listeners_ok: bool,
        voters_text: &str,
    ) {
        if voters_ok && !c.controller_quorum_voters.is_empty() && !c.is_static_voter() {
            self.error(
                &[QUORUM_VOTERS, NODE_ID],
                format!(
                    "If {PROCESS_ROLES} contains the 'controller' role, the node id {} must be included in the set of voters {QUORUM_VOTERS}={voters_text}",
                    c.node_id
                ),
            );
        }
        if !listeners_ok {
            return;
        }
        if c.effective_advertised_controller_listeners().is_empty() {
            self.error(
                &[CONTROLLER_LISTENER_NAMES, LISTENERS],
                format!("{CONTROLLER_LISTENER_NAMES} must contain at least one value appearing in the '{LISTENERS}' configuration when running the KRaft controller role"),
            );
        }
        let listener_names: BTreeSet<_> =
            ordered(c.listeners.iter().map(|l| l.listener_name.as_str()));
        if !c
            .controller_listener_names
            .iter()
            .all(|name| listener_names.contains(name.as_str()))
        {
            self.error(
                &[CONTROLLER_LISTENER_NAMES],
                format!("{CONTROLLER_LISTENER_NAMES} must only contain values appearing in the '{LISTENERS}' configuration when running the KRaft controller role"),
            );
        }
    }

    /// The listener rules for every node with the broker role.
    fn broker_listener_rules(&mut self, c: &ServerConfig) {
        let advertised: BTreeSet<_> = ordered(
            c.effective_advertised_broker_listeners()
                .into_iter()
                .map(|l| l.listener_name.as_str()),
        );
        if advertised.is_empty() {
            self.error(
                &[ADVERTISED_LISTENERS, LISTENERS],
                format!("There must be at least one broker advertised listener. Perhaps all listeners appear in {CONTROLLER_LISTENER_NAMES}?"),
            );
            // The next two rules would only restate this one.
            return;
        }
        // Without inter.broker.listener.name Kafka derives the name from
        // inter.broker.security.protocol, PLAINTEXT by default.
        let inter_broker = c
            .inter_broker_listener_name
            .as_deref()
            .map_or_else(|| "PLAINTEXT".to_string(), str::to_ascii_uppercase);
        let advertised_list = advertised.iter().copied().collect::<Vec<_>>().join(",");
        if c.inter_broker_listener_name.is_some()
            && !c
                .effective_listener_security_protocol_map()
                .contains_key(&inter_broker)
        {
            self.error(
                &[INTER_BROKER_LISTENER_NAME],
                format!("Listener with name {inter_broker} defined in {INTER_BROKER_LISTENER_NAME} not found in {LISTENER_SECURITY_PROTOCOL_MAP}."),
            );
        } else if !advertised.contains(inter_broker.as_str()) {
            self.error(
                &[INTER_BROKER_LISTENER_NAME, ADVERTISED_LISTENERS, LISTENERS],
                format!("{INTER_BROKER_LISTENER_NAME} must be a listener name defined in {ADVERTISED_LISTENERS}. The valid options based on currently configured listeners are {advertised_list}"),
            );
        }
        let listener_names: BTreeSet<_> =
            ordered(c.listeners.iter().map(|l| l.listener_name.as_str()));
        if !advertised.is_subset(&listener_names) {
            let listener_list = listener_names.iter().copied().collect::<Vec<_>>().join(",");
            self.error(
                &[ADVERTISED_LISTENERS],
                format!(
                    "{ADVERTISED_LISTENERS} listener names must be equal to or a subset of the ones defined in {LISTENERS}. \
                     Found {advertised_list}. The valid options based on the current configuration are {listener_list}"
                ),
            );
        }
    }
}

/// Java's `String.split(char)`: trailing empty strings are dropped.
fn java_split(text: &str, separator: char) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(separator).collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts == [""] && !text.is_empty() {
        parts.clear();
    }
    parts
}

enum HostPortError {
    Host,
    Port,
}

/// Kafka's `Utils.getHost` / `Utils.getPort` (`.*?\[?([0-9a-zA-Z\-%._:]*)\]?:([0-9]+)`), plus
/// the `validHostPattern` check newer releases make. A port that does not fit in 16 bits is a
/// port error here (Kafka fails later, when it builds the socket address).
fn host_and_port(text: &str) -> Result<(String, u16), HostPortError> {
    let colon = text.rfind(':').ok_or(HostPortError::Host)?;
    let digits = &text[colon + 1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HostPortError::Host);
    }
    let before = &text[..colon];
    let before = before.strip_suffix(']').unwrap_or(before);
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_host_char(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let host = &before[start..];
    if host.is_empty() {
        return Err(HostPortError::Host);
    }
    let port = digits.parse::<u16>().map_err(|_| HostPortError::Port)?;
    Ok((host.to_string(), port))
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '%' | '.' | '_' | ':')
}

/// `^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)` of `SocketServerConfigs`: the listener name
/// (upper-cased), the host (`None` if empty) and the port.
fn parse_listener(entry: &str) -> Option<(String, Option<String>, u16)> {
    let separator = entry.rfind("://")?;
    let name = &entry[..separator];
    let rest = &entry[separator + 3..];
    let colon = rest.rfind(':')?;
    let port_text = &rest[colon + 1..];
    let digits = port_text.strip_prefix('-').unwrap_or(port_text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let host = &rest[..colon];
    let host = host.strip_prefix('[').unwrap_or(host);
    let host = host.strip_suffix(']').unwrap_or(host);
    if !host.chars().all(is_host_char) {
        return None;
    }
    // Kafka would take a negative or oversized port here and fail when binding; the
    // simulation needs a real port, so the entry is refused as unparseable.
    let port = port_text.parse::<u16>().ok()?;
    let host = (!host.is_empty()).then(|| host.to_string());
    Some((name.to_ascii_uppercase(), host, port))
}

/// Listeners sharing a port are allowed only as an IPv4/IPv6 pair.
fn ports_are_distinct(endpoints: &[Endpoint]) -> bool {
    let mut by_port: BTreeMap<u16, Vec<&Endpoint>> = BTreeMap::new();
    for endpoint in endpoints.iter().filter(|e| e.port != 0) {
        by_port.entry(endpoint.port).or_default().push(endpoint);
    }
    by_port.values().all(|group| match group.as_slice() {
        [_] => true,
        [a, b] => {
            let v4 = |e: &Endpoint| e.host.as_deref().is_some_and(is_ipv4_literal);
            let v6 = |e: &Endpoint| e.host.as_deref().is_some_and(|h| h.contains(':'));
            (v4(a) && v6(b)) || (v6(a) && v4(b))
        }
        _ => false,
    })
}

fn is_ipv4_literal(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

/// `java.util.List.toString()`.
fn java_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// How Kafka's Scala code prints the voter id set (`voterIds.asScala.toSet`). Scala prints a
/// small set in insertion order and a larger one as `HashSet(...)`; we always print
/// `Set(...)`, ascending.
fn scala_set(ids: &BTreeSet<NodeId>) -> String {
    let items: Vec<String> = ids.iter().map(NodeId::to_string).collect();
    format!("Set({})", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_split_drops_trailing_empty_strings() {
        assert_eq!(java_split("1@host:1", '@'), vec!["1", "host:1"]);
        assert_eq!(java_split("1@", '@'), vec!["1"]);
        assert_eq!(java_split("@host:1", '@'), vec!["", "host:1"]);
        assert_eq!(java_split("1@@h:1", '@'), vec!["1", "", "h:1"]);
        assert_eq!(java_split("", '@'), vec![""]);
        assert_eq!(java_split("@", '@'), Vec::<&str>::new());
    }

    #[test]
    fn host_and_port_follows_kafkas_pattern() {
        let ok = |s: &str| host_and_port(s).ok();
        assert_eq!(ok("localhost:9093"), Some(("localhost".to_string(), 9093)));
        assert_eq!(ok("[::1]:9093"), Some(("::1".to_string(), 9093)));
        assert_eq!(ok("my host:9093"), Some(("host".to_string(), 9093)));
        assert!(matches!(
            host_and_port("localhost"),
            Err(HostPortError::Host)
        ));
        assert!(matches!(
            host_and_port("localhost:x"),
            Err(HostPortError::Host)
        ));
        assert!(matches!(host_and_port(":9093"), Err(HostPortError::Host)));
        assert!(matches!(host_and_port("h:70000"), Err(HostPortError::Port)));
    }

    #[test]
    fn parse_listener_reads_name_host_and_port() {
        assert_eq!(
            parse_listener("plaintext://:9092"),
            Some(("PLAINTEXT".to_string(), None, 9092))
        );
        assert_eq!(
            parse_listener("CONTROLLER://[::1]:9093"),
            Some(("CONTROLLER".to_string(), Some("::1".to_string()), 9093))
        );
        assert_eq!(parse_listener("PLAINTEXT://localhost"), None);
        assert_eq!(parse_listener("localhost:9092"), None);
        assert_eq!(parse_listener("PLAINTEXT://:-1"), None);
    }
}
