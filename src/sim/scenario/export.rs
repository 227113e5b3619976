//! A [`Run`] as a scenario file and back: what the UI's "export scenario" and "import
//! scenario" buttons do.
//!
//! [`export`] writes the cluster line, the `set`/`relax` lines of the initial
//! configuration, then each intervention after the command that brings the world to
//! its recorded position: `run <gap>` when the intervention came after every event of
//! its millisecond (what the UI records), `at <time> step <n>` when it sat between
//! events of one millisecond (a `run until` stops there). Replaying the file gives the
//! same trace, hash for hash, as [`Run::replay`]. To know which form applies, export
//! replays the run once.
//!
//! [`import`] parses a file and runs it with the scenario [`Runner`]; the result is the
//! [`Run`] it recorded. [`validate_run`] checks a run from outside (a shared link, an
//! imported file) before it can reach the simulator: every node exists, sizes and values
//! are in range, positions only move forward.

use super::ast::*;
use super::parse::{parse, ParseError};
use super::probability::probability_text;
use super::runner::{Expectation, RunOptions, Runner};
use crate::kraft::{NodeId, QuorumConfig};
use crate::sim::config::{ClusterSpec, ConfigKey};
use crate::sim::net::LinkSpec;
use crate::sim::timeline::Run;
use crate::sim::world::{Intervention, World};
use std::fmt;

/// The UI's cluster sizes (the setup form offers these; links and files are held to them).
pub const MAX_CONTROLLERS: u32 = 9;
pub const MAX_BROKERS: u32 = 50;
/// Longest simulated time a shared run may reach (a day): a link cannot make the page
/// simulate forever.
pub const MAX_RUN_MS: u64 = 86_400_000;
/// Largest timer a run may configure (a day).
pub const MAX_TIMER_MS: u64 = 86_400_000;
/// Largest byte size a run may configure (1 TiB).
pub const MAX_CONFIG_BYTES: u64 = 1 << 40;
/// Most interventions one run may hold.
pub const MAX_INTERVENTIONS: usize = 100_000;
/// `append <n>` takes 1 to this many records.
pub const MAX_APPEND: u32 = 100_000;

/// Why a run cannot be shared, exported or replayed as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    /// The intervention concerned (0-based), or `None` for the cluster.
    pub intervention: Option<usize>,
    pub message: String,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.intervention {
            Some(i) => write!(f, "intervention {}: {}", i + 1, self.message),
            None => write!(f, "cluster: {}", self.message),
        }
    }
}

impl std::error::Error for RunError {}

fn cluster_err(message: String) -> RunError {
    RunError {
        intervention: None,
        message,
    }
}

/// A quorum config value as `set` names it.
pub fn config_value(q: &QuorumConfig, key: ConfigKey) -> u64 {
    match key {
        ConfigKey::ElectionTimeoutMs => q.election_timeout_ms,
        ConfigKey::FetchTimeoutMs => q.fetch_timeout_ms,
        ConfigKey::ElectionBackoffMaxMs => q.election_backoff_max_ms,
        ConfigKey::RequestTimeoutMs => q.request_timeout_ms,
        ConfigKey::RetryBackoffMs => q.retry_backoff_ms,
        ConfigKey::AppendLingerMs => q.append_linger_ms,
        ConfigKey::MetadataMaxRetentionBytes => q.max_retention_bytes,
        ConfigKey::FetchMaxWaitMs => q.fetch_max_wait_ms,
        ConfigKey::PreVoteAfterResign => q.grant_pre_vote_after_resign as u64,
        ConfigKey::PreVote => q.pre_vote as u64,
        ConfigKey::TestOnlyVoteWithoutLogCheck => q.test_only_vote_without_log_check as u64,
        // Metadata settings are not part of QuorumConfig: their defaults.
        key => {
            let d = crate::sim::config::MetadataSettings::default();
            match key {
                ConfigKey::BrokerHeartbeatIntervalMs => d.broker_heartbeat_interval_ms,
                ConfigKey::BrokerSessionTimeoutMs => d.broker_session_timeout_ms,
                ConfigKey::MetadataMaxIdleIntervalMs => d.metadata_max_idle_interval_ms,
                ConfigKey::AutoLeaderRebalanceEnable => d.auto_leader_rebalance_enable as u64,
                ConfigKey::LeaderImbalanceCheckIntervalSeconds => {
                    d.leader_imbalance_check_interval_seconds
                }
                _ => d.snapshot_bytes,
            }
        }
    }
}

/// Whether `value` is one a run may give `key`; `Err` says why not.
pub fn check_config_value(key: ConfigKey, value: u64) -> Result<(), String> {
    let max = if key.is_bool() {
        1
    } else if key == ConfigKey::MetadataMaxRetentionBytes {
        MAX_CONFIG_BYTES
    } else {
        MAX_TIMER_MS
    };
    if value < key.min_value() || value > max {
        return Err(format!(
            "{} = {value} is out of range ({}..={max})",
            key.name(),
            key.min_value()
        ));
    }
    Ok(())
}

/// Check a cluster spec against the UI's limits and the scenario language.
pub fn validate_spec(spec: &ClusterSpec) -> Result<(), RunError> {
    if !(1..=MAX_CONTROLLERS).contains(&spec.controllers) {
        return Err(cluster_err(format!(
            "{} controllers: expected 1 to {MAX_CONTROLLERS}",
            spec.controllers
        )));
    }
    if spec.brokers > MAX_BROKERS {
        return Err(cluster_err(format!(
            "{} brokers: expected 0 to {MAX_BROKERS}",
            spec.brokers
        )));
    }
    if spec.combined > spec.controllers {
        return Err(cluster_err(format!(
            "{} combined nodes but only {} controllers",
            spec.combined, spec.controllers
        )));
    }
    let base = QuorumConfig::default();
    if spec.quorum.fetch_max_bytes != base.fetch_max_bytes
        || spec.quorum.fetch_snapshot_max_bytes != base.fetch_snapshot_max_bytes
    {
        return Err(cluster_err(
            "fetch sizes other than Kafka's 8 MiB cannot be configured".to_string(),
        ));
    }
    for key in ConfigKey::ALL {
        check_config_value(key, config_value(&spec.quorum, key)).map_err(cluster_err)?;
    }
    for (node, key, value) in &spec.overrides {
        check_node(spec, *node).map_err(cluster_err)?;
        check_config_value(*key, *value).map_err(cluster_err)?;
    }
    Ok(())
}

fn check_node(spec: &ClusterSpec, id: NodeId) -> Result<(), String> {
    if spec.exists(id) {
        Ok(())
    } else {
        Err(format!(
            "node {id} does not exist in a {}-node cluster",
            spec.node_count()
        ))
    }
}

/// Check one intervention against the cluster it is applied to.
pub fn validate_intervention(spec: &ClusterSpec, i: &Intervention) -> Result<(), String> {
    let node = |id: NodeId| check_node(spec, id);
    match i {
        Intervention::Crash(n)
        | Intervention::Shutdown(n)
        | Intervention::Restart(n)
        | Intervention::Wipe(n)
        | Intervention::Isolate(n)
        | Intervention::Snapshot(n)
        | Intervention::Register(n)
        | Intervention::ControlledShutdown(n) => node(*n),
        Intervention::ServerProperties { node: n, .. } | Intervention::Format { node: n, .. } => {
            node(*n)
        }
        Intervention::CreateTopic { .. }
        | Intervention::CreatePartitions { .. }
        | Intervention::DeleteTopic(_)
        | Intervention::ElectLeaders { .. }
        | Intervention::SetTopicConfig { .. } => Ok(()),
        Intervention::Partition(groups) => {
            if groups.is_empty() {
                return Err("a partition needs at least one group".to_string());
            }
            let mut seen = std::collections::BTreeSet::new();
            for (g, group) in groups.iter().enumerate() {
                if group.is_empty() {
                    return Err(format!("partition group {} is empty", g + 1));
                }
                for id in group {
                    node(*id)?;
                    if !seen.insert(*id) {
                        return Err(format!("node {id} appears twice in the partition"));
                    }
                }
            }
            Ok(())
        }
        Intervention::Cut { from, to } => node(*from).and(node(*to)),
        Intervention::Heal => Ok(()),
        Intervention::Net { link, from, to } => {
            if let Some(id) = from {
                node(*id)?;
            }
            if let Some(id) = to {
                node(*id)?;
            }
            if link.latency_min_ms > link.latency_max_ms || link.latency_max_ms > MAX_TIMER_MS {
                return Err(format!(
                    "latency {}..{} ms is not a range within 0..={MAX_TIMER_MS}",
                    link.latency_min_ms, link.latency_max_ms
                ));
            }
            Ok(())
        }
        Intervention::Append(n) => {
            if (1..=MAX_APPEND).contains(n) {
                Ok(())
            } else {
                Err(format!("append {n}: expected 1 to {MAX_APPEND} records"))
            }
        }
        Intervention::Set {
            key,
            value,
            node: n,
        } => {
            if let Some(id) = n {
                node(*id)?;
            }
            check_config_value(*key, *value)
        }
        Intervention::Relax(_) => Ok(()),
    }
}

/// Everything a run from outside must satisfy before it is replayed.
pub fn validate_run(run: &Run) -> Result<(), RunError> {
    validate_spec(&run.spec)?;
    if run.interventions.len() > MAX_INTERVENTIONS {
        return Err(cluster_err(format!(
            "{} interventions: at most {MAX_INTERVENTIONS}",
            run.interventions.len()
        )));
    }
    let mut last = (0, 0);
    for (i, r) in run.interventions.iter().enumerate() {
        let err = |message: String| RunError {
            intervention: Some(i),
            message,
        };
        if r.at_ms > MAX_RUN_MS {
            return Err(err(format!("at {}ms: runs end by {MAX_RUN_MS}ms", r.at_ms)));
        }
        if (r.at_ms, r.steps) < last || r.steps < last.1 {
            return Err(err(format!(
                "at {}ms step {} comes before the previous intervention ({}ms step {})",
                r.at_ms, r.steps, last.0, last.1
            )));
        }
        last = (r.at_ms, r.steps);
        validate_intervention(&run.spec, &r.intervention).map_err(err)?;
    }
    Ok(())
}

fn net_command(link: &LinkSpec, from: Option<NodeId>, to: Option<NodeId>) -> Command {
    Command::Net(NetCmd {
        latency_min_ms: link.latency_min_ms,
        latency_max_ms: link.latency_max_ms,
        loss: (link.loss != 0).then(|| probability_text(link.loss)),
        dup: (link.dup != 0).then(|| probability_text(link.dup)),
        from: from.map(NodeRef::id),
        to: to.map(NodeRef::id),
    })
}

/// The scenario command that applies `i` (the runner turns it back into `i`).
pub fn intervention_command(i: &Intervention) -> Command {
    match i {
        Intervention::Crash(n) => Command::Crash(NodeRef::id(*n)),
        Intervention::Shutdown(n) => Command::Shutdown(NodeRef::id(*n)),
        Intervention::Restart(n) => Command::Restart(NodeRef::id(*n)),
        Intervention::Wipe(n) => Command::Wipe(NodeRef::id(*n)),
        Intervention::Isolate(n) => Command::Isolate(NodeRef::id(*n)),
        Intervention::Snapshot(n) => Command::Snapshot(NodeRef::id(*n)),
        Intervention::Partition(groups) => Command::Partition(
            groups
                .iter()
                .map(|g| g.iter().map(|n| NodeRef::id(*n)).collect())
                .collect(),
        ),
        Intervention::Cut { from, to } => Command::Cut {
            from: NodeRef::id(*from),
            to: NodeRef::id(*to),
            both_ways: false,
        },
        Intervention::Heal => Command::Heal,
        Intervention::Net { link, from, to } => net_command(link, *from, *to),
        Intervention::Append(n) => Command::Append(*n),
        Intervention::Set { key, value, node } => Command::Set {
            key: *key,
            value: *value,
            node: node.map(NodeRef::id),
        },
        Intervention::Relax(inv) => Command::Relax(*inv),
        Intervention::CreateTopic {
            name,
            partitions,
            replication,
        } => Command::CreateTopic {
            name: name.clone(),
            partitions: *partitions,
            replication: *replication,
        },
        Intervention::CreatePartitions { name, count } => Command::CreatePartitions {
            name: name.clone(),
            count: *count,
        },
        Intervention::DeleteTopic(name) => Command::DeleteTopic(name.clone()),
        Intervention::ElectLeaders { partition } => Command::ElectLeaders {
            partition: partition.clone(),
        },
        Intervention::SetTopicConfig { topic, key, value } => Command::SetTopicConfig {
            topic: topic.clone(),
            key: key.clone(),
            value: value.clone(),
        },
        Intervention::Register(n) => Command::Register(NodeRef::id(*n)),
        Intervention::ControlledShutdown(n) => Command::ControlledShutdown(NodeRef::id(*n)),
        Intervention::ServerProperties { node, entries } => Command::ServerProperties {
            node: *node,
            entries: entries.clone(),
        },
        Intervention::Format { node, cluster_id } => Command::Format {
            node: *node,
            cluster_id: cluster_id.clone(),
        },
    }
}

fn is_network(i: &Intervention) -> bool {
    matches!(
        i,
        Intervention::Net { .. }
            | Intervention::Cut { .. }
            | Intervention::Partition(_)
            | Intervention::Isolate(_)
            | Intervention::Heal
    )
}

/// Write `run` as a scenario file that ends at `until_ms` (or at the last intervention,
/// if that is later). Fails if the run does not validate or an intervention cannot apply
/// where it was recorded.
pub fn export(run: &Run, until_ms: u64) -> Result<Scenario, RunError> {
    validate_run(run)?;
    let spec = &run.spec;
    let mut s = Scenario::default();
    s.lines.push(Line {
        number: 0,
        command: Command::Comment,
        comment: Some(" exported by KRaftScope: replaying it reproduces the run".to_string()),
    });
    s.push(Command::Cluster(ClusterCmd {
        controllers: spec.controllers,
        brokers: spec.brokers,
        combined: spec.combined,
        seed: spec.seed,
        prevote: spec.quorum.pre_vote,
    }));
    let base = QuorumConfig {
        pre_vote: spec.quorum.pre_vote,
        ..QuorumConfig::default()
    };
    for key in ConfigKey::ALL {
        let value = config_value(&spec.quorum, key);
        if value != config_value(&base, key) {
            s.push(Command::Set {
                key,
                value,
                node: None,
            });
        }
    }
    for (node, key, value) in &spec.overrides {
        s.push(Command::Set {
            key: *key,
            value: *value,
            node: Some(NodeRef::id(*node)),
        });
    }
    for inv in &spec.relaxed {
        s.push(Command::Relax(*inv));
    }

    // The runner starts the world at the first command that needs it; before that,
    // `set`/`relax` configure the spec and network commands wait for the start.
    let mut world = World::new(spec.clone(), false);
    let mut started = false;
    for (i, r) in run.interventions.iter().enumerate() {
        let err = |message: String| RunError {
            intervention: Some(i),
            message,
        };
        if world.position() != (r.at_ms, r.steps) {
            let now_ms = world.now_ms();
            world.run_to_position(r.at_ms, r.steps);
            if world.position() != (r.at_ms, r.steps) {
                return Err(err(format!(
                    "position {}ms step {} is never reached (the run has {} steps by then)",
                    r.at_ms,
                    r.steps,
                    world.position().1
                )));
            }
            let complete = world.next_event_ms().is_none_or(|t| t > r.at_ms);
            s.push(if complete {
                Command::Run(r.at_ms - now_ms)
            } else {
                Command::At {
                    at_ms: r.at_ms,
                    steps: Some(r.steps),
                }
            });
            started = true;
        } else if !started && !is_network(&r.intervention) {
            if matches!(
                r.intervention,
                Intervention::Set { .. } | Intervention::Relax(_)
            ) {
                s.push(Command::At {
                    at_ms: 0,
                    steps: Some(0),
                });
            }
            started = true;
        }
        world.apply(&r.intervention).map_err(|e| {
            err(format!(
                "`{}` at {}ms cannot apply: {e}",
                intervention_command(&r.intervention),
                r.at_ms
            ))
        })?;
        s.push(intervention_command(&r.intervention));
    }
    let until_ms = until_ms.max(world.now_ms());
    let complete = world.next_event_ms().is_none_or(|t| t > world.now_ms());
    if until_ms > world.now_ms() || !complete || !started {
        s.push(Command::Run(until_ms - world.now_ms()));
    }
    s.renumber();
    Ok(s)
}

/// A scenario file read back as a run.
#[derive(Clone, Debug)]
pub struct Imported {
    pub run: Run,
    /// Where the file's last line left the clock.
    pub until_ms: u64,
    /// `expect` and `run until` results (a failed `expect` does not stop an import).
    pub expectations: Vec<Expectation>,
}

/// Why a file could not be imported; every variant names a line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("{line}:{column}: `{text}` could not run: {detail}")]
    Failed {
        line: usize,
        column: usize,
        text: String,
        detail: String,
    },
    #[error("{line}:1: {error}")]
    Invalid { line: usize, error: RunError },
}

impl ImportError {
    /// `(line, column)` the message is about (1-based).
    pub fn position(&self) -> (usize, usize) {
        match self {
            ImportError::Parse(e) => (e.line, e.column),
            ImportError::Failed { line, column, .. } => (*line, *column),
            ImportError::Invalid { line, .. } => (*line, 1),
        }
    }
}

/// Parse and run a scenario file; the run it recorded is the result.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let scenario = parse(text)?;
    // A file's positions and sizes are checked before anything runs long: the cluster
    // line against the UI's limits, `run`/`at` against the longest run.
    let mut cluster_line = 1;
    let mut end_ms: u64 = 0;
    for line in &scenario.lines {
        match &line.command {
            Command::Cluster(c) => {
                cluster_line = line.number;
                let mut spec = ClusterSpec::new(c.controllers, c.brokers, c.seed, c.prevote);
                spec.combined = c.combined;
                validate_spec(&spec).map_err(|error| ImportError::Invalid {
                    line: line.number,
                    error,
                })?;
            }
            Command::Run(ms) => end_ms = end_ms.saturating_add(*ms),
            Command::RunUntil { within_ms, .. } => {
                end_ms = end_ms.saturating_add(within_ms.unwrap_or(DEFAULT_WITHIN_MS))
            }
            Command::At { at_ms, .. } => end_ms = end_ms.max(*at_ms),
            _ => {}
        }
        if end_ms > MAX_RUN_MS {
            return Err(ImportError::Invalid {
                line: line.number,
                error: cluster_err(format!("the file runs past {MAX_RUN_MS}ms")),
            });
        }
    }
    let mut runner = Runner::new(RunOptions::default());
    for line in &scenario.lines {
        runner.exec(line);
        if runner.stopped {
            let failed = runner
                .expectations
                .last()
                .expect("a stopped runner says why");
            let raw = text.lines().nth(line.number - 1).unwrap_or("");
            let column = raw.chars().take_while(|c| c.is_whitespace()).count() + 1;
            return Err(ImportError::Failed {
                line: line.number,
                column,
                text: failed.text.clone(),
                detail: failed.detail.clone(),
            });
        }
    }
    let outcome = runner.finish();
    validate_run(&outcome.run).map_err(|error| ImportError::Invalid {
        line: cluster_line,
        error,
    })?;
    Ok(Imported {
        until_ms: outcome.world.now_ms(),
        run: outcome.run,
        expectations: outcome.expectations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::run_scenario;
    use crate::sim::timeline::Recorded;
    use crate::sim::trace::InvariantId;

    fn spec() -> ClusterSpec {
        let mut s = ClusterSpec::new(3, 2, 42, true);
        s.combined = 1;
        s
    }

    /// The scenario's trace hash equals the run's replayed one.
    fn assert_round_trip(run: &Run, until_ms: u64) -> Scenario {
        let scenario = export(run, until_ms).unwrap_or_else(|e| panic!("{e}"));
        let text = scenario.to_string();
        let parsed = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let outcome = run_scenario(&parsed, RunOptions::default());
        let replayed = run.replay(until_ms.max(outcome.world.now_ms()), false);
        assert_eq!(outcome.world.now_ms(), replayed.now_ms(), "{text}");
        assert_eq!(
            outcome.world.trace_hash(),
            replayed.trace_hash(),
            "trace differs for\n{text}"
        );
        assert_eq!(&outcome.run, run, "the runner records the same run\n{text}");
        let imported = import(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(&imported.run, run);
        assert_eq!(imported.until_ms, replayed.now_ms());
        scenario
    }

    /// A run recorded by stepping the world and intervening between events of one
    /// millisecond, where `run <duration>` alone cannot land.
    fn run_with_mid_millisecond_interventions(seed: u64) -> (Run, u64) {
        let mut world = World::new(spec(), false);
        let mut run = Run::new(spec());
        run.apply(
            &mut world,
            Intervention::Net {
                link: LinkSpec::new(3, 9, 0.05, 0.01),
                from: None,
                to: None,
            },
        )
        .unwrap();
        let mut k = seed;
        while world.now_ms() < 6_000 {
            world.step();
            k = k
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if (k >> 61) != 0 {
                continue;
            }
            let choice = match (k >> 40) % 6 {
                0 => world.leader().map(Intervention::Crash),
                1 => world
                    .processes()
                    .iter()
                    .find(|p| !p.alive())
                    .map(|p| Intervention::Restart(p.id)),
                2 => Some(Intervention::Append(1 + (k >> 20) as u32 % 5)),
                3 => Some(Intervention::Partition(vec![vec![1], vec![2, 3]])),
                4 => Some(Intervention::Heal),
                _ => Some(Intervention::Cut { from: 2, to: 1 }),
            };
            if let Some(i) = choice {
                run.apply(&mut world, i).unwrap();
            }
        }
        (run, 7_000)
    }

    #[test]
    fn empty_run_exports_cluster_line_and_final_run() {
        let run = Run::new(spec());
        let s = assert_round_trip(&run, 2_000);
        assert_eq!(
            s.to_string(),
            "# exported by KRaftScope: replaying it reproduces the run\n\
             cluster controllers=3 brokers=2 combined=1 seed=42\n\
             run 2s\n"
        );
    }

    #[test]
    fn ui_style_run_uses_run_gaps_and_initial_config() {
        let mut spec = spec();
        spec.quorum.pre_vote = false;
        spec.quorum.election_timeout_ms = 1500;
        spec.overrides.push((2, ConfigKey::FetchTimeoutMs, 3000));
        spec.relaxed.push(InvariantId::ALL[0]);
        let mut t = crate::sim::Timeline::new(spec);
        t.intervene(0, Intervention::Isolate(3)).unwrap();
        t.intervene(
            0,
            Intervention::Set {
                key: ConfigKey::RetryBackoffMs,
                value: 50,
                node: Some(1),
            },
        )
        .unwrap();
        t.intervene(2_500, Intervention::Heal).unwrap();
        t.intervene(2_500, Intervention::Append(3)).unwrap();
        t.intervene(4_000, Intervention::Crash(1)).unwrap();
        let s = assert_round_trip(t.run(), 9_000);
        let text = s.to_string();
        assert!(text.contains("cluster controllers=3 brokers=2 combined=1 seed=42 prevote=off\n"));
        assert!(text.contains("set controller.quorum.election.timeout.ms=1500\n"));
        assert!(text.contains("set controller.quorum.fetch.timeout.ms=3000 node=2\n"));
        assert!(text.contains("isolate 3\nat 0ms step 0\nset controller.quorum.retry.backoff.ms=50 node=1\nrun 2500ms\nheal\nappend 3\nrun 1500ms\ncrash 1\nrun 5s\n"), "{text}");
        assert!(!text.contains(" step 1"), "{text}");
    }

    #[test]
    fn mid_millisecond_interventions_replay_exactly() {
        let mut exact = 0;
        for seed in 1..6 {
            let (run, until) = run_with_mid_millisecond_interventions(seed);
            assert!(run.interventions.len() > 3, "seed {seed} intervenes");
            let text = assert_round_trip(&run, until).to_string();
            exact += text.matches(" step ").count();
        }
        assert!(
            exact > 0,
            "some interventions sit between events of one millisecond"
        );
    }

    #[test]
    fn a_scenario_with_run_until_imports_and_re_exports_identically() {
        let text = "cluster controllers=3 seed=9\nrun until leader within 10s\ncrash leader as old\nrun until leader != old within 10s\nappend 5\nrun 1s\nexpect leader\n";
        let imported = import(text).unwrap();
        assert!(imported.expectations.iter().all(|e| e.ok));
        assert_round_trip(&imported.run, imported.until_ms);
    }

    #[test]
    fn invalid_runs_are_refused_with_the_reason() {
        let mut run = Run::new(spec());
        run.interventions.push(Recorded {
            at_ms: 10,
            steps: 0,
            intervention: Intervention::Crash(12),
        });
        assert_eq!(
            export(&run, 100).unwrap_err().to_string(),
            "intervention 1: node 12 does not exist in a 5-node cluster"
        );
        let mut run = Run::new(ClusterSpec::new(10, 0, 1, true));
        assert_eq!(
            validate_run(&run).unwrap_err().to_string(),
            "cluster: 10 controllers: expected 1 to 9"
        );
        run.spec.controllers = 3;
        run.interventions.push(Recorded {
            at_ms: 10,
            steps: 0,
            intervention: Intervention::Heal,
        });
        run.interventions.push(Recorded {
            at_ms: 9,
            steps: 6,
            intervention: Intervention::Heal,
        });
        assert!(validate_run(&run)
            .unwrap_err()
            .to_string()
            .starts_with("intervention 2: at 9ms step 6 comes before"));
        run.interventions.pop();
        run.interventions.push(Recorded {
            at_ms: 10,
            steps: 0,
            intervention: Intervention::Restart(1),
        });
        assert_eq!(
            export(&run, 100).unwrap_err().to_string(),
            "intervention 2: `restart 1` at 10ms cannot apply: node 1 is running"
        );
        run.interventions[1] = Recorded {
            at_ms: 10,
            steps: 5_000,
            intervention: Intervention::Heal,
        };
        assert!(export(&run, 100)
            .unwrap_err()
            .to_string()
            .starts_with("intervention 2: position 10ms step 5000 is never reached"));
        run.interventions[1].intervention = Intervention::Partition(vec![vec![1, 2], vec![2]]);
        assert_eq!(
            validate_run(&run).unwrap_err().to_string(),
            "intervention 2: node 2 appears twice in the partition"
        );
    }

    #[test]
    fn import_errors_name_line_and_column() {
        let e = import("cluster controllers=3\nrun 1s\ncrash 7\n").unwrap_err();
        assert_eq!(e.position(), (3, 7));
        assert!(e.to_string().starts_with("3:7: expected a node id"), "{e}");
        let e = import("cluster controllers=3\nrun 1s\n  restart 2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "3:3: `restart 2` could not run: node 2 is running"
        );
        let e = import("# a\ncluster controllers=12\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "2:1: cluster: 12 controllers: expected 1 to 9"
        );
        let e = import("cluster controllers=1\nrun 1s\nat 10ms step 3\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("3:1: `at 10ms step 3` could not run: the run is already at 1000ms"),
            "{e}"
        );
        let e = import("cluster controllers=1\nrun 25h\n").unwrap_err();
        assert_eq!(e.to_string(), "2:1: cluster: the file runs past 86400000ms");
    }

    #[test]
    fn at_parses_and_prints() {
        let s = parse("cluster controllers=1\nat 1500ms step 12\nat 2s\n").unwrap();
        assert_eq!(
            s.lines[1].command,
            Command::At {
                at_ms: 1500,
                steps: Some(12)
            }
        );
        assert_eq!(s.lines[2].command.to_string(), "at 2s");
        let e = parse("cluster controllers=1\nat 5ms stop 3\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "2:8: expected `step <n>` or the end of the line, found `stop`"
        );
    }
}
