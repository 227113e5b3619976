//! The KRaft RPCs with Kafka's field names (`clients/src/main/resources/common/message/`).
//!
//! Simplification: Kafka nests every request as topics → partitions because the same
//! schemas serve multi-partition Fetch; KRaft only ever has `__cluster_metadata-0`, so
//! the single partition's fields are flattened into the message. Directory ids and
//! endpoints (KIP-853) are left out with the dynamic quorum. Field names serialize in
//! camelCase as Kafka's JSON converters print them.

use super::batch_list::BatchList;
use super::log::Snapshot;
use super::types::{Epoch, NodeId, Offset, OffsetAndEpoch, RaftTypes};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Kafka error codes the protocol uses, as values (`org.apache.kafka.common.protocol.Errors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Errors {
    None,
    NotLeaderOrFollower,
    RequestTimedOut,
    BrokerNotAvailable,
    InvalidRequest,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    SnapshotNotFound,
    PositionOutOfRange,
    InconsistentClusterId,
    UnknownServerError,
}

impl Errors {
    /// The wire code.
    pub fn code(self) -> i16 {
        match self {
            Errors::None => 0,
            Errors::UnknownServerError => -1,
            Errors::NotLeaderOrFollower => 6,
            Errors::RequestTimedOut => 7,
            Errors::BrokerNotAvailable => 8,
            Errors::InvalidRequest => 42,
            Errors::FencedLeaderEpoch => 74,
            Errors::UnknownLeaderEpoch => 75,
            Errors::SnapshotNotFound => 98,
            Errors::PositionOutOfRange => 99,
            Errors::InconsistentClusterId => 104,
        }
    }

    /// The name Kafka prints.
    pub fn name(self) -> &'static str {
        match self {
            Errors::None => "NONE",
            Errors::UnknownServerError => "UNKNOWN_SERVER_ERROR",
            Errors::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            Errors::RequestTimedOut => "REQUEST_TIMED_OUT",
            Errors::BrokerNotAvailable => "BROKER_NOT_AVAILABLE",
            Errors::InvalidRequest => "INVALID_REQUEST",
            Errors::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            Errors::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            Errors::SnapshotNotFound => "SNAPSHOT_NOT_FOUND",
            Errors::PositionOutOfRange => "POSITION_OUT_OF_RANGE",
            Errors::InconsistentClusterId => "INCONSISTENT_CLUSTER_ID",
        }
    }

    pub fn is_none(self) -> bool {
        self == Errors::None
    }
}

/// `-1` on the wire means "no leader".
pub const NO_LEADER: i32 = -1;

pub(crate) fn leader_id_or_nil(leader: Option<NodeId>) -> i32 {
    leader.unwrap_or(NO_LEADER)
}

pub(crate) fn optional_leader_id(leader_id_or_nil: i32) -> Option<NodeId> {
    (leader_id_or_nil >= 0).then_some(leader_id_or_nil)
}

/// Vote (api key 52, v2): a real vote at `replica_epoch` (already bumped by the
/// candidate), or with `pre_vote` a non-binding KIP-996 pre-vote at the current epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoteRequest {
    pub cluster_id: Arc<str>,
    pub replica_epoch: Epoch,
    pub replica_id: NodeId,
    pub voter_id: NodeId,
    pub last_offset_epoch: Epoch,
    pub last_offset: Offset,
    pub pre_vote: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoteResponse {
    /// Top-level error (INCONSISTENT_CLUSTER_ID, INVALID_REQUEST).
    pub top_level_error: Errors,
    pub error_code: Errors,
    pub leader_id: i32,
    pub leader_epoch: Epoch,
    pub vote_granted: bool,
}

/// BeginQuorumEpoch (53): a new leader announces itself (there is no push RPC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BeginQuorumEpochRequest {
    pub cluster_id: Arc<str>,
    pub leader_id: NodeId,
    pub leader_epoch: Epoch,
    pub voter_id: NodeId,
}

/// Shared response shape of BeginQuorumEpoch and EndQuorumEpoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuorumEpochResponse {
    pub top_level_error: Errors,
    pub error_code: Errors,
    pub leader_id: i32,
    pub leader_epoch: Epoch,
}

/// EndQuorumEpoch (54): sent while Resigned so the voters elect a successor at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndQuorumEpochRequest {
    pub cluster_id: Arc<str>,
    pub leader_id: NodeId,
    pub leader_epoch: Epoch,
    /// `PreferredCandidates` (v1) / `PreferredSuccessors` (v0): voters by descending
    /// fetch offset.
    pub preferred_successors: Vec<NodeId>,
}

/// `EpochEndOffset` in a FetchResponse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochEndOffset {
    pub epoch: Epoch,
    pub end_offset: Offset,
}

/// `SnapshotId` in Fetch/FetchSnapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotId {
    pub end_offset: Offset,
    pub epoch: Epoch,
}

impl From<OffsetAndEpoch> for SnapshotId {
    fn from(id: OffsetAndEpoch) -> Self {
        Self {
            end_offset: id.offset,
            epoch: id.epoch,
        }
    }
}

impl From<SnapshotId> for OffsetAndEpoch {
    fn from(id: SnapshotId) -> Self {
        OffsetAndEpoch::new(id.end_offset, id.epoch)
    }
}

/// `LeaderIdAndEpoch` (CurrentLeader).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderIdAndEpoch {
    pub leader_id: i32,
    pub leader_epoch: Epoch,
}

/// Fetch (1, v17): pull replication, heartbeat and acknowledgement in one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchRequest {
    pub cluster_id: Arc<str>,
    /// `ReplicaState.ReplicaId`.
    pub replica_id: NodeId,
    pub max_wait_ms: u64,
    pub max_bytes: u64,
    pub current_leader_epoch: Epoch,
    pub fetch_offset: Offset,
    pub last_fetched_epoch: Epoch,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct FetchResponse<T: RaftTypes> {
    pub top_level_error: Errors,
    pub error_code: Errors,
    /// `-1` when unknown.
    pub high_watermark: Offset,
    pub log_start_offset: Offset,
    pub diverging_epoch: Option<EpochEndOffset>,
    pub current_leader: LeaderIdAndEpoch,
    pub snapshot_id: Option<SnapshotId>,
    pub records: BatchList<T>,
}

impl<T: RaftTypes> FetchResponse<T> {
    pub fn record_count(&self) -> usize {
        self.records.iter().map(|b| b.record_count()).sum()
    }
}

/// FetchSnapshot (59): pull `[position, position + max_bytes)` of a frozen snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchSnapshotRequest {
    pub cluster_id: Arc<str>,
    pub replica_id: NodeId,
    pub max_bytes: u64,
    pub current_leader_epoch: Epoch,
    pub snapshot_id: SnapshotId,
    pub position: u64,
}

/// A chunk of snapshot bytes. The simulation does not serialize snapshots: a chunk
/// carries its length and a shared handle on the frozen snapshot it is cut from, so the
/// follower holds the content once all `size` bytes have arrived. A frozen snapshot is
/// immutable and named by its id, so every chunk of one id names the same content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct UnalignedRecords<T: RaftTypes> {
    pub len_bytes: u64,
    pub snapshot: Arc<Snapshot<T>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct FetchSnapshotResponse<T: RaftTypes> {
    pub top_level_error: Errors,
    pub error_code: Errors,
    pub current_leader: LeaderIdAndEpoch,
    pub snapshot_id: Option<SnapshotId>,
    /// Total snapshot size in bytes.
    pub size: u64,
    pub position: u64,
    pub unaligned_records: Option<UnalignedRecords<T>>,
}

/// DescribeQuorum (55) per-replica row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaDescription {
    pub replica_id: NodeId,
    pub log_end_offset: Offset,
    /// `-1` when the replica never fetched.
    pub last_fetch_timestamp: i64,
    pub last_caught_up_timestamp: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeQuorumResponse {
    pub error_code: Errors,
    pub leader_id: i32,
    pub leader_epoch: Epoch,
    pub high_watermark: Offset,
    pub current_voters: Vec<ReplicaDescription>,
    pub observers: Vec<ReplicaDescription>,
}

/// One KRaft message on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", tag = "api")]
pub enum Message<T: RaftTypes> {
    VoteRequest(VoteRequest),
    VoteResponse(VoteResponse),
    BeginQuorumEpochRequest(BeginQuorumEpochRequest),
    BeginQuorumEpochResponse(QuorumEpochResponse),
    EndQuorumEpochRequest(EndQuorumEpochRequest),
    EndQuorumEpochResponse(QuorumEpochResponse),
    FetchRequest(FetchRequest),
    FetchResponse(FetchResponse<T>),
    FetchSnapshotRequest(FetchSnapshotRequest),
    FetchSnapshotResponse(FetchSnapshotResponse<T>),
    DescribeQuorumRequest,
    DescribeQuorumResponse(DescribeQuorumResponse),
}

impl<T: RaftTypes> Message<T> {
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            Message::VoteRequest(_)
                | Message::BeginQuorumEpochRequest(_)
                | Message::EndQuorumEpochRequest(_)
                | Message::FetchRequest(_)
                | Message::FetchSnapshotRequest(_)
                | Message::DescribeQuorumRequest
        )
    }

    /// The API name as the UI and trace label it; pre-votes are told apart because the
    /// lab is about them.
    pub fn name(&self) -> &'static str {
        match self {
            Message::VoteRequest(r) if r.pre_vote => "PreVote",
            Message::VoteRequest(_) => "Vote",
            Message::VoteResponse(_) => "VoteResponse",
            Message::BeginQuorumEpochRequest(_) => "BeginQuorumEpoch",
            Message::BeginQuorumEpochResponse(_) => "BeginQuorumEpochResponse",
            Message::EndQuorumEpochRequest(_) => "EndQuorumEpoch",
            Message::EndQuorumEpochResponse(_) => "EndQuorumEpochResponse",
            Message::FetchRequest(_) => "Fetch",
            Message::FetchResponse(_) => "FetchResponse",
            Message::FetchSnapshotRequest(_) => "FetchSnapshot",
            Message::FetchSnapshotResponse(_) => "FetchSnapshotResponse",
            Message::DescribeQuorumRequest => "DescribeQuorum",
            Message::DescribeQuorumResponse(_) => "DescribeQuorumResponse",
        }
    }

    /// The epoch the sender put in the message (for trace lines).
    pub fn epoch(&self) -> Epoch {
        match self {
            Message::VoteRequest(r) => r.replica_epoch,
            Message::VoteResponse(r) => r.leader_epoch,
            Message::BeginQuorumEpochRequest(r) => r.leader_epoch,
            Message::BeginQuorumEpochResponse(r) | Message::EndQuorumEpochResponse(r) => {
                r.leader_epoch
            }
            Message::EndQuorumEpochRequest(r) => r.leader_epoch,
            Message::FetchRequest(r) => r.current_leader_epoch,
            Message::FetchResponse(r) => r.current_leader.leader_epoch,
            Message::FetchSnapshotRequest(r) => r.current_leader_epoch,
            Message::FetchSnapshotResponse(r) => r.current_leader.leader_epoch,
            Message::DescribeQuorumRequest => -1,
            Message::DescribeQuorumResponse(r) => r.leader_epoch,
        }
    }
}

/// A message with its addressing and the request header's correlation id (responses
/// echo the request's id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct Envelope<T: RaftTypes> {
    pub from: NodeId,
    pub to: NodeId,
    pub correlation_id: i32,
    pub message: Message<T>,
}
