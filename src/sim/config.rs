//! The cluster a run starts with, and the Kafka configuration names `set` understands.

use super::trace::InvariantId;
use crate::kraft::{NodeId, QuorumConfig};
use serde::{Deserialize, Serialize};

/// `cluster controllers=<n> [brokers=<m>] [combined=<k>] [seed=<u64>] [prevote=on|off]`
/// plus the `set` lines that came before the cluster started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSpec {
    pub controllers: u32,
    pub brokers: u32,
    /// The first `combined` controllers also have the broker role.
    pub combined: u32,
    pub seed: u64,
    /// Every node's quorum configuration at its first start (`set` without `node=`).
    pub quorum: QuorumConfig,
    /// `set ... node=<id>` before the start.
    pub overrides: Vec<(NodeId, ConfigKey, u64)>,
    /// Invariants switched off from the start (`relax` before the cluster starts).
    pub relaxed: Vec<InvariantId>,
    /// Every node's metadata settings at its first start.
    #[serde(default)]
    pub metadata: MetadataSettings,
    /// `server-properties <id> k=v…` before the start.
    #[serde(default)]
    pub server_properties: Vec<(NodeId, String, String)>,
    /// `format <id> cluster-id=…` before the start.
    #[serde(default)]
    pub formats: Vec<(NodeId, String)>,
}

/// Metadata settings (Kafka's names; see [`ConfigKey`]). Fields missing from a saved
/// spec (an older link) take their defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetadataSettings {
    /// `broker.heartbeat.interval.ms`.
    pub broker_heartbeat_interval_ms: u64,
    /// `broker.session.timeout.ms`.
    pub broker_session_timeout_ms: u64,
    /// `metadata.max.idle.interval.ms`.
    pub metadata_max_idle_interval_ms: u64,
    /// `metadata.log.max.record.bytes.between.snapshots`, scaled to the simulation
    /// (Kafka: 20 MiB). The default, 8 KiB, is about 500 NoOpRecords: a 10-minute
    /// demo writes a snapshot every few minutes on every node.
    pub snapshot_bytes: u64,
    /// `auto.leader.rebalance.enable`: the active controller moves leadership back to
    /// preferred replicas.
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`: how long after a write that left a
    /// partition imbalanced the controller's balancing pass runs.
    pub leader_imbalance_check_interval_seconds: u64,
}

impl MetadataSettings {
    /// The controller's balancing interval, `None` when balancing is off.
    pub fn leader_imbalance_check_interval_ms(&self) -> Option<u64> {
        self.auto_leader_rebalance_enable.then_some(
            self.leader_imbalance_check_interval_seconds
                .saturating_mul(1_000),
        )
    }
}

impl Default for MetadataSettings {
    fn default() -> Self {
        Self {
            broker_heartbeat_interval_ms: 2_000,
            broker_session_timeout_ms: 9_000,
            metadata_max_idle_interval_ms: 500,
            snapshot_bytes: 8_192,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_seconds: 300,
        }
    }
}

impl ClusterSpec {
    pub fn new(controllers: u32, brokers: u32, seed: u64, pre_vote: bool) -> Self {
        Self {
            controllers,
            brokers,
            combined: 0,
            seed,
            quorum: QuorumConfig {
                pre_vote,
                ..QuorumConfig::default()
            },
            overrides: Vec::new(),
            relaxed: Vec::new(),
            metadata: MetadataSettings::default(),
            server_properties: Vec::new(),
            formats: Vec::new(),
        }
    }

    pub fn node_count(&self) -> u32 {
        self.controllers + self.brokers
    }

    pub fn max_node_id(&self) -> NodeId {
        self.node_count() as NodeId
    }

    pub fn voters(&self) -> Vec<NodeId> {
        (1..=self.controllers as NodeId).collect()
    }

    pub fn is_voter(&self, id: NodeId) -> bool {
        id >= 1 && id <= self.controllers as NodeId
    }

    pub fn exists(&self, id: NodeId) -> bool {
        id >= 1 && id <= self.max_node_id()
    }

    pub fn roles(&self, id: NodeId) -> Roles {
        let controller = self.is_voter(id);
        Roles {
            controller,
            broker: !controller || id <= self.combined as NodeId,
        }
    }

    /// The metadata settings node `id` starts with.
    pub fn metadata_for(&self, id: NodeId) -> MetadataSettings {
        let mut m = self.metadata;
        for (node, key, value) in &self.overrides {
            if *node == id {
                key.apply_metadata(&mut m, *value);
            }
        }
        m
    }

    /// A `set` before the cluster starts, for every node.
    pub fn set_default(&mut self, key: ConfigKey, value: u64) {
        key.apply(&mut self.quorum, value);
        key.apply_metadata(&mut self.metadata, value);
    }

    /// The quorum configuration node `id` starts with.
    pub fn quorum_for(&self, id: NodeId) -> QuorumConfig {
        let mut q = self.quorum.clone();
        for (node, key, value) in &self.overrides {
            if *node == id {
                key.apply(&mut q, *value);
            }
        }
        q
    }
}

/// `process.roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    pub controller: bool,
    pub broker: bool,
}

impl Roles {
    pub fn names(self) -> &'static str {
        match (self.broker, self.controller) {
            (true, true) => "broker,controller",
            (false, true) => "controller",
            (true, false) => "broker",
            (false, false) => "",
        }
    }
}

/// Configuration keys `set` accepts: Kafka's names where Kafka has one, and a few
/// `kraftscope.*` switches that are not Kafka configs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConfigKey {
    ElectionTimeoutMs,
    FetchTimeoutMs,
    ElectionBackoffMaxMs,
    RequestTimeoutMs,
    RetryBackoffMs,
    AppendLingerMs,
    MetadataMaxRetentionBytes,
    /// Kafka's constant `KafkaRaftClient.MAX_FETCH_WAIT_MS` (500), not a config.
    FetchMaxWaitMs,
    /// Not a Kafka config: switches on the proposed fix of KAFKA-20895.
    PreVoteAfterResign,
    /// Not a Kafka config: KIP-996 pre-vote on or off for this node (Kafka 3.9 = off).
    PreVote,
    /// Test only: grant votes without the log up-to-date check (a deliberately broken
    /// rule the fuzzer must catch).
    TestOnlyVoteWithoutLogCheck,
    BrokerHeartbeatIntervalMs,
    BrokerSessionTimeoutMs,
    MetadataMaxIdleIntervalMs,
    MetadataSnapshotBytes,
    AutoLeaderRebalanceEnable,
    LeaderImbalanceCheckIntervalSeconds,
}

impl ConfigKey {
    pub const ALL: [ConfigKey; 17] = [
        ConfigKey::ElectionTimeoutMs,
        ConfigKey::FetchTimeoutMs,
        ConfigKey::ElectionBackoffMaxMs,
        ConfigKey::RequestTimeoutMs,
        ConfigKey::RetryBackoffMs,
        ConfigKey::AppendLingerMs,
        ConfigKey::MetadataMaxRetentionBytes,
        ConfigKey::FetchMaxWaitMs,
        ConfigKey::PreVoteAfterResign,
        ConfigKey::PreVote,
        ConfigKey::TestOnlyVoteWithoutLogCheck,
        ConfigKey::BrokerHeartbeatIntervalMs,
        ConfigKey::BrokerSessionTimeoutMs,
        ConfigKey::MetadataMaxIdleIntervalMs,
        ConfigKey::MetadataSnapshotBytes,
        ConfigKey::AutoLeaderRebalanceEnable,
        ConfigKey::LeaderImbalanceCheckIntervalSeconds,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConfigKey::ElectionTimeoutMs => "controller.quorum.election.timeout.ms",
            ConfigKey::FetchTimeoutMs => "controller.quorum.fetch.timeout.ms",
            ConfigKey::ElectionBackoffMaxMs => "controller.quorum.election.backoff.max.ms",
            ConfigKey::RequestTimeoutMs => "controller.quorum.request.timeout.ms",
            ConfigKey::RetryBackoffMs => "controller.quorum.retry.backoff.ms",
            ConfigKey::AppendLingerMs => "controller.quorum.append.linger.ms",
            ConfigKey::MetadataMaxRetentionBytes => "metadata.max.retention.bytes",
            ConfigKey::FetchMaxWaitMs => "kraftscope.fetch.max.wait.ms",
            ConfigKey::PreVoteAfterResign => "kraftscope.prevote.after.resign",
            ConfigKey::PreVote => "kraftscope.prevote",
            ConfigKey::TestOnlyVoteWithoutLogCheck => "kraftscope.test-only.vote-without-log-check",
            ConfigKey::BrokerHeartbeatIntervalMs => "broker.heartbeat.interval.ms",
            ConfigKey::BrokerSessionTimeoutMs => "broker.session.timeout.ms",
            ConfigKey::MetadataMaxIdleIntervalMs => "metadata.max.idle.interval.ms",
            ConfigKey::MetadataSnapshotBytes => "metadata.log.max.record.bytes.between.snapshots",
            ConfigKey::AutoLeaderRebalanceEnable => "auto.leader.rebalance.enable",
            ConfigKey::LeaderImbalanceCheckIntervalSeconds => {
                "leader.imbalance.check.interval.seconds"
            }
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn is_bool(self) -> bool {
        matches!(
            self,
            ConfigKey::PreVoteAfterResign
                | ConfigKey::PreVote
                | ConfigKey::TestOnlyVoteWithoutLogCheck
                | ConfigKey::AutoLeaderRebalanceEnable
        )
    }

    /// Smallest accepted value (Kafka's `atLeast`; a zero timer would spin the world).
    pub fn min_value(self) -> u64 {
        match self {
            ConfigKey::ElectionTimeoutMs
            | ConfigKey::FetchTimeoutMs
            | ConfigKey::RequestTimeoutMs
            | ConfigKey::BrokerHeartbeatIntervalMs
            | ConfigKey::BrokerSessionTimeoutMs
            | ConfigKey::LeaderImbalanceCheckIntervalSeconds => 1,
            _ => 0,
        }
    }

    pub fn apply(self, q: &mut QuorumConfig, value: u64) {
        match self {
            ConfigKey::ElectionTimeoutMs => q.election_timeout_ms = value,
            ConfigKey::FetchTimeoutMs => q.fetch_timeout_ms = value,
            ConfigKey::ElectionBackoffMaxMs => q.election_backoff_max_ms = value,
            ConfigKey::RequestTimeoutMs => q.request_timeout_ms = value,
            ConfigKey::RetryBackoffMs => q.retry_backoff_ms = value,
            ConfigKey::AppendLingerMs => q.append_linger_ms = value,
            ConfigKey::MetadataMaxRetentionBytes => q.max_retention_bytes = value,
            ConfigKey::FetchMaxWaitMs => q.fetch_max_wait_ms = value,
            ConfigKey::PreVoteAfterResign => q.grant_pre_vote_after_resign = value != 0,
            ConfigKey::PreVote => q.pre_vote = value != 0,
            ConfigKey::TestOnlyVoteWithoutLogCheck => {
                q.test_only_vote_without_log_check = value != 0
            }
            ConfigKey::BrokerHeartbeatIntervalMs
            | ConfigKey::BrokerSessionTimeoutMs
            | ConfigKey::MetadataMaxIdleIntervalMs
            | ConfigKey::MetadataSnapshotBytes
            | ConfigKey::AutoLeaderRebalanceEnable
            | ConfigKey::LeaderImbalanceCheckIntervalSeconds => {}
        }
    }

    /// The metadata layer's keys (the others leave `m` as it is).
    pub fn apply_metadata(self, m: &mut MetadataSettings, value: u64) {
        match self {
            ConfigKey::BrokerHeartbeatIntervalMs => m.broker_heartbeat_interval_ms = value,
            ConfigKey::BrokerSessionTimeoutMs => m.broker_session_timeout_ms = value,
            ConfigKey::MetadataMaxIdleIntervalMs => m.metadata_max_idle_interval_ms = value,
            ConfigKey::MetadataSnapshotBytes => m.snapshot_bytes = value,
            ConfigKey::AutoLeaderRebalanceEnable => m.auto_leader_rebalance_enable = value != 0,
            ConfigKey::LeaderImbalanceCheckIntervalSeconds => {
                m.leader_imbalance_check_interval_seconds = value
            }
            _ => {}
        }
    }

    /// The value as a scenario file writes it.
    pub fn format_value(self, value: u64) -> String {
        if self.is_bool() {
            (value != 0).to_string()
        } else {
            value.to_string()
        }
    }
}
