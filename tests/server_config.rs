//! `ServerConfig` as values: what the valid files parse to, what a simulated cluster starts
//! with (`default_for`, compared with the golden files under
//! `tests/server_properties_generated/`), and the round trip generate → parse.

use std::collections::BTreeMap;

use kraftscope::server::config::{
    DEFAULT_BROKER_HEARTBEAT_INTERVAL_MS, DEFAULT_BROKER_SESSION_TIMEOUT_MS,
    DEFAULT_METADATA_MAX_IDLE_INTERVAL_MS, DEFAULT_METADATA_SNAPSHOT_MAX_INTERVAL_MS,
    DEFAULT_METADATA_SNAPSHOT_MAX_NEW_RECORD_BYTES, DEFAULT_QUORUM_APPEND_LINGER_MS,
    DEFAULT_QUORUM_ELECTION_BACKOFF_MAX_MS, DEFAULT_QUORUM_ELECTION_TIMEOUT_MS,
    DEFAULT_QUORUM_FETCH_TIMEOUT_MS, DEFAULT_QUORUM_REQUEST_TIMEOUT_MS,
    DEFAULT_QUORUM_RETRY_BACKOFF_MS,
};
use kraftscope::server::{
    Endpoint, HostPort, ProcessRoles, QuorumVoter, SecurityProtocol, ServerConfig,
};

fn voter(id: i32) -> QuorumVoter {
    QuorumVoter {
        id,
        host: format!("node{id}"),
        port: 9093,
    }
}

fn endpoint(name: &str, host: &str, port: u16) -> Endpoint {
    Endpoint {
        listener_name: name.to_string(),
        security_protocol: SecurityProtocol::Plaintext,
        host: Some(host.to_string()),
        port,
    }
}

fn plaintext_map(names: &[&str]) -> BTreeMap<String, SecurityProtocol> {
    names
        .iter()
        .map(|n| (n.to_string(), SecurityProtocol::Plaintext))
        .collect()
}

/// The values every file below leaves at Kafka's defaults.
fn with_kafka_defaults(
    process_roles: ProcessRoles,
    node_id: i32,
    controller_quorum_voters: Vec<QuorumVoter>,
    listeners: Vec<Endpoint>,
    log_dir: &str,
) -> ServerConfig {
    ServerConfig {
        process_roles,
        node_id,
        broker_id: None,
        controller_quorum_voters,
        controller_quorum_bootstrap_servers: Vec::new(),
        controller_listener_names: vec!["CONTROLLER".to_string()],
        listeners,
        advertised_listeners: None,
        listener_security_protocol_map: None,
        inter_broker_listener_name: None,
        log_dirs: vec![log_dir.to_string()],
        metadata_log_dir: None,
        quorum_auto_join_enable: false,
        quorum_election_timeout_ms: 1000,
        quorum_fetch_timeout_ms: 2000,
        quorum_election_backoff_max_ms: 1000,
        quorum_request_timeout_ms: 2000,
        quorum_retry_backoff_ms: 20,
        quorum_append_linger_ms: 25,
        broker_heartbeat_interval_ms: 2000,
        broker_session_timeout_ms: 9000,
        metadata_max_idle_interval_ms: 500,
        metadata_snapshot_max_new_record_bytes: 20 * 1024 * 1024,
        metadata_snapshot_max_interval_ms: 3_600_000,
        other_properties: BTreeMap::new(),
        warnings: Vec::new(),
    }
}

#[test]
fn kafkas_defaults_are_the_documented_ones() {
    // KRAFT.md §1 and issue 5: Kafka's names and defaults.
    assert_eq!(
        [
            DEFAULT_QUORUM_ELECTION_TIMEOUT_MS,
            DEFAULT_QUORUM_FETCH_TIMEOUT_MS,
            DEFAULT_QUORUM_ELECTION_BACKOFF_MAX_MS,
            DEFAULT_QUORUM_REQUEST_TIMEOUT_MS,
            DEFAULT_QUORUM_RETRY_BACKOFF_MS,
            DEFAULT_QUORUM_APPEND_LINGER_MS,
            DEFAULT_BROKER_HEARTBEAT_INTERVAL_MS,
            DEFAULT_BROKER_SESSION_TIMEOUT_MS,
            DEFAULT_METADATA_MAX_IDLE_INTERVAL_MS,
        ],
        [1000, 2000, 1000, 2000, 20, 25, 2000, 9000, 500]
    );
    assert_eq!(
        (
            DEFAULT_METADATA_SNAPSHOT_MAX_NEW_RECORD_BYTES,
            DEFAULT_METADATA_SNAPSHOT_MAX_INTERVAL_MS
        ),
        (20_971_520, 3_600_000)
    );
}

#[test]
fn a_valid_controller_file_parses_to_the_expected_config() {
    let config = ServerConfig::parse(include_str!(
        "server_properties/valid_controller.properties"
    ))
    .unwrap();
    assert_eq!(
        config,
        with_kafka_defaults(
            ProcessRoles::Controller,
            1,
            vec![voter(1), voter(2), voter(3)],
            vec![endpoint("CONTROLLER", "node1", 9093)],
            "/tmp/kraft-controller-logs",
        )
    );
    assert_eq!(config.metadata_log_dir(), "/tmp/kraft-controller-logs");
    assert!(config.is_static_voter());
    // No explicit map: Kafka's default plus CONTROLLER:PLAINTEXT.
    assert_eq!(
        config.effective_listener_security_protocol_map(),
        BTreeMap::from([
            ("CONTROLLER".to_string(), SecurityProtocol::Plaintext),
            ("PLAINTEXT".to_string(), SecurityProtocol::Plaintext),
            (
                "SASL_PLAINTEXT".to_string(),
                SecurityProtocol::SaslPlaintext
            ),
            ("SASL_SSL".to_string(), SecurityProtocol::SaslSsl),
            ("SSL".to_string(), SecurityProtocol::Ssl),
        ])
    );
}

#[test]
fn a_valid_broker_file_parses_to_the_expected_config() {
    let config =
        ServerConfig::parse(include_str!("server_properties/valid_broker.properties")).unwrap();
    assert_eq!(
        config,
        ServerConfig {
            advertised_listeners: Some(vec![endpoint("PLAINTEXT", "node4", 9092)]),
            listener_security_protocol_map: Some(plaintext_map(&["CONTROLLER", "PLAINTEXT"])),
            inter_broker_listener_name: Some("PLAINTEXT".to_string()),
            ..with_kafka_defaults(
                ProcessRoles::Broker,
                4,
                vec![voter(1), voter(2), voter(3)],
                vec![endpoint("PLAINTEXT", "node4", 9092)],
                "/tmp/kraft-broker-logs",
            )
        }
    );
    assert_eq!(config.controller_listener_name(), Some("CONTROLLER"));
    assert!(!config.is_static_voter());
}

#[test]
fn a_valid_combined_file_parses_to_the_expected_config() {
    let config =
        ServerConfig::parse(include_str!("server_properties/valid_combined.properties")).unwrap();
    let listeners = vec![
        endpoint("PLAINTEXT", "node1", 9092),
        endpoint("CONTROLLER", "node1", 9093),
    ];
    assert_eq!(
        config,
        ServerConfig {
            advertised_listeners: Some(listeners.clone()),
            listener_security_protocol_map: Some(plaintext_map(&["CONTROLLER", "PLAINTEXT"])),
            inter_broker_listener_name: Some("PLAINTEXT".to_string()),
            ..with_kafka_defaults(
                ProcessRoles::Combined,
                1,
                vec![voter(1)],
                listeners,
                "/tmp/kraft-combined-logs",
            )
        }
    );
    assert_eq!(
        config.effective_advertised_controller_listeners(),
        vec![endpoint("CONTROLLER", "node1", 9093)]
    );
    assert_eq!(
        config.effective_advertised_broker_listeners(),
        vec![&endpoint("PLAINTEXT", "node1", 9092)]
    );
}

#[test]
fn a_dynamic_quorum_controller_has_bootstrap_servers_and_no_voters() {
    let config = ServerConfig::parse(include_str!(
        "server_properties/valid_dynamic_quorum_controller.properties"
    ))
    .unwrap();
    assert_eq!(config.controller_quorum_voters, Vec::new());
    assert_eq!(
        config.controller_quorum_bootstrap_servers,
        (1..=3)
            .map(|id| HostPort {
                host: format!("node{id}"),
                port: 9093
            })
            .collect::<Vec<_>>()
    );
}

#[test]
fn other_settings_are_kept_and_written_back() {
    let text = format!(
        "{}num.io.threads=8\nmy.own.setting=x\n",
        include_str!("server_properties/valid_controller.properties")
    );
    let config = ServerConfig::parse(&text).unwrap();
    assert_eq!(
        config.other_properties,
        BTreeMap::from([
            ("my.own.setting".to_string(), "x".to_string()),
            ("num.io.threads".to_string(), "8".to_string()),
        ])
    );
    let again = ServerConfig::parse(&config.to_properties_text()).unwrap();
    assert_eq!(again.other_properties, config.other_properties);
}

/// Compares with the golden file; `KRAFTSCOPE_BLESS=1 cargo test` rewrites it after a
/// deliberate change.
fn golden(name: &str, config: &ServerConfig) {
    let path = format!(
        "{}/tests/server_properties_generated/{name}.properties",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = config.to_properties_text();
    if std::env::var_os("KRAFTSCOPE_BLESS").is_some() {
        std::fs::write(&path, &text).expect("golden file written");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        text, expected,
        "{path} differs from what to_properties_text() writes"
    );
    // Round trip: the generated text parses to the generated config, with no warning.
    assert_eq!(ServerConfig::parse(&text).as_ref(), Ok(config));
}

#[test]
fn generated_controller_file() {
    let voters = [voter(1), voter(2), voter(3)];
    golden(
        "controller",
        &ServerConfig::default_for(1, ProcessRoles::Controller, &voters),
    );
}

#[test]
fn generated_broker_file() {
    let voters = [voter(1), voter(2), voter(3)];
    golden(
        "broker",
        &ServerConfig::default_for(4, ProcessRoles::Broker, &voters),
    );
}

#[test]
fn generated_combined_file() {
    golden(
        "combined",
        &ServerConfig::default_for(1, ProcessRoles::Combined, &[voter(1)]),
    );
}

#[test]
fn generated_dynamic_quorum_file() {
    let bootstrap = [HostPort {
        host: "node1".to_string(),
        port: 9093,
    }];
    golden(
        "dynamic_combined",
        &ServerConfig::default_for_bootstrap(1, ProcessRoles::Combined, &bootstrap),
    );
}

#[test]
fn every_generated_role_and_size_round_trips() {
    for size in 1..=5 {
        let voters: Vec<QuorumVoter> = (1..=size).map(voter).collect();
        for (id, roles) in [
            (1, ProcessRoles::Controller),
            (1, ProcessRoles::Combined),
            (size + 1, ProcessRoles::Broker),
        ] {
            let config = ServerConfig::default_for(id, roles, &voters);
            assert_eq!(
                ServerConfig::parse(&config.to_properties_text()),
                Ok(config),
                "{roles:?} node {id} with {size} voters"
            );
        }
    }
}

#[test]
fn an_edited_timer_survives_the_round_trip() {
    let mut config = ServerConfig::default_for(1, ProcessRoles::Controller, &[voter(1)]);
    config.quorum_fetch_timeout_ms = 3000;
    config.metadata_snapshot_max_new_record_bytes = 4096;
    let text = config.to_properties_text();
    assert!(text.contains("\ncontroller.quorum.fetch.timeout.ms=3000\n"));
    assert_eq!(ServerConfig::parse(&text), Ok(config));
}
