//! The quorum configuration, with Kafka's config names and defaults
//! (`raft/.../QuorumConfig.java`, `KafkaRaftClient` constants).

use super::types::NodeId;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Timers and limits of one KRaft node. Field docs give the Kafka name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumConfig {
    /// `controller.quorum.election.timeout.ms`: each election timer is drawn from [T, 2T).
    pub election_timeout_ms: u64,
    /// `controller.quorum.fetch.timeout.ms`: a voter starts an election after this long
    /// without a successful fetch; the leader's check-quorum is 1.5× and its
    /// BeginQuorumEpoch resend period ½ of it.
    pub fetch_timeout_ms: u64,
    /// `controller.quorum.election.backoff.max.ms`: caps the EndQuorumEpoch successor
    /// backoff (4.x) and Kafka 3.9's binary exponential election backoff.
    pub election_backoff_max_ms: u64,
    /// `controller.quorum.request.timeout.ms`.
    pub request_timeout_ms: u64,
    /// `controller.quorum.retry.backoff.ms`: wait after a failed request before retrying.
    pub retry_backoff_ms: u64,
    /// `controller.quorum.append.linger.ms`: how long the leader's accumulator waits to
    /// batch appends before writing them to the log.
    pub append_linger_ms: u64,
    /// Fetch `MaxWaitMs` (Kafka: the constant `KafkaRaftClient.MAX_FETCH_WAIT_MS` = 500):
    /// how long the leader parks an empty fetch before answering it.
    pub fetch_max_wait_ms: u64,
    /// Fetch `MaxBytes` (Kafka: `MAX_FETCH_SIZE_BYTES` = 8 MiB).
    pub fetch_max_bytes: u64,
    /// FetchSnapshot `MaxBytes`: the chunk size of snapshot transfer (Kafka: 8 MiB).
    pub fetch_snapshot_max_bytes: u64,
    /// `metadata.max.retention.bytes`: log kept behind the newest snapshot before the
    /// log start offset is advanced to it. Kafka: 100 MiB, cleaned on a 60 s timer; here
    /// the check runs whenever a snapshot is created (a simplification).
    pub max_retention_bytes: u64,
    /// KIP-996 pre-vote (Kafka 4.x). `false` models Kafka 3.9: no Prospective state, a
    /// timed-out voter becomes Candidate at epoch + 1 directly.
    pub pre_vote: bool,
    /// The proposed fix of KAFKA-20895 (apache/kafka PR #23168): a follower grants
    /// pre-votes once its leader has resigned (sent it EndQuorumEpoch), even if it has
    /// fetched from that leader this epoch. `false` is Kafka 4.x as released.
    pub grant_pre_vote_after_resign: bool,
    /// Test only, deliberately broken: grant votes without the log up-to-date check
    /// (KIP-595 §Vote). The simulator's fuzzer must catch the committed data this loses.
    #[doc(hidden)]
    #[serde(default)]
    pub test_only_vote_without_log_check: bool,
}

impl Default for QuorumConfig {
    fn default() -> Self {
        Self {
            election_timeout_ms: 1000,
            fetch_timeout_ms: 2000,
            election_backoff_max_ms: 1000,
            request_timeout_ms: 2000,
            retry_backoff_ms: 20,
            append_linger_ms: 25,
            fetch_max_wait_ms: 500,
            fetch_max_bytes: 8 * 1024 * 1024,
            fetch_snapshot_max_bytes: 8 * 1024 * 1024,
            max_retention_bytes: 100 * 1024 * 1024,
            pre_vote: true,
            grant_pre_vote_after_resign: false,
            test_only_vote_without_log_check: false,
        }
    }
}

impl QuorumConfig {
    /// Leader check-quorum period (`LeaderState.CHECK_QUORUM_TIMEOUT_FACTOR` = 1.5).
    pub fn check_quorum_timeout_ms(&self) -> u64 {
        self.fetch_timeout_ms * 3 / 2
    }

    /// BeginQuorumEpoch resend period: half the fetch timeout.
    pub fn begin_quorum_epoch_timeout_ms(&self) -> u64 {
        self.fetch_timeout_ms / 2
    }
}

/// Everything a node is started with. `voters` is `controller.quorum.voters` (static
/// quorum, kraft.version 0: KIP-853 dynamic membership is not modelled).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeConfig {
    pub node_id: NodeId,
    /// Sorted, without duplicates.
    pub voters: Arc<[NodeId]>,
    pub cluster_id: Arc<str>,
    pub quorum: QuorumConfig,
    /// Seed of this node's own random generator (election jitter, bootstrap choice).
    pub rng_seed: u64,
}

impl NodeConfig {
    pub fn new(
        node_id: NodeId,
        voters: &[NodeId],
        cluster_id: impl Into<Arc<str>>,
        quorum: QuorumConfig,
        rng_seed: u64,
    ) -> Self {
        let mut voters = voters.to_vec();
        voters.sort_unstable();
        voters.dedup();
        Self {
            node_id,
            voters: voters.into(),
            cluster_id: cluster_id.into(),
            quorum,
            rng_seed,
        }
    }

    pub fn is_voter(&self) -> bool {
        self.voters.binary_search(&self.node_id).is_ok()
    }

    /// Whether a request's ClusterId is this node's. Nodes given one shared `Arc` (the
    /// simulator's) receive that very `Arc` in every request: the pointers answer
    /// without a string comparison; the strings decide otherwise.
    #[inline]
    pub fn is_cluster_id(&self, cluster_id: &Arc<str>) -> bool {
        Arc::ptr_eq(cluster_id, &self.cluster_id) || **cluster_id == *self.cluster_id
    }
}
