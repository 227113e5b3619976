//! The KRaft consensus core: one node's KIP-595 Raft as Apache Kafka 4.x runs it, with
//! KIP-996 pre-vote and KIP-630 snapshots, as a pure state machine.
//!
//! [`RaftNode::step`] takes the virtual time and one [`Input`] (a message, a timer, a
//! local request) and fills an outbox of [`Action`]s (messages to send, quorum-state
//! writes, flushes, committed batches for the state machine, trace facts);
//! [`RaftNode::next_deadline`] says when the node next needs a timer. Nothing here reads
//! a clock, draws from a global random generator, sleeps or does I/O: the node's random
//! generator is seeded from its [`NodeConfig`], and its disk is the [`DurableState`] the
//! caller keeps across crashes. Payloads are opaque ([`RaftTypes`]).
//!
//! # States and transitions (Kafka 4.x, `QuorumState`)
//!
//! | from | to | when |
//! |---|---|---|
//! | Unattached | Unattached | a higher epoch is seen, or a binding vote is granted (same epoch, votedKey set) |
//! | Unattached | Prospective | the election timer expires (voters only) |
//! | Unattached | Follower | a leader of an equal or higher epoch is discovered |
//! | Prospective | Candidate | a majority granted the pre-vote (the only way into Candidate) |
//! | Prospective | Follower | a leader of a higher epoch is discovered; or the pre-vote is lost or times out and a leader was known |
//! | Prospective | Unattached | a higher epoch is seen; or the pre-vote is lost or times out and no leader was known (same epoch) |
//! | Candidate | Leader | a majority granted the vote |
//! | Candidate | Prospective | the vote is lost or times out |
//! | Candidate | Unattached / Follower | a higher epoch is seen |
//! | Leader | Resigned | graceful shutdown, a resign request, or check-quorum fails |
//! | Leader | Unattached / Follower | a higher epoch is seen |
//! | Follower | Prospective | the fetch timer expires (voters only) |
//! | Follower | Follower / Unattached | a higher epoch with / without a leader |
//! | Resigned | Unattached | the election timer expires (at epoch + 1), or a higher epoch is seen |
//! | Resigned | Follower | a leader of a higher epoch is discovered |
//!
//! Observers (brokers) only move between Unattached and Follower. Durable transitions
//! write the quorum-state first; Prospective and Resigned are memory only. At startup
//! ([`RaftNode::new`]): a quorum-state older than the log's last epoch gives Unattached
//! at the log's epoch; an ex-leader comes back Resigned in its epoch; a self-voted node
//! Candidate; a node that knew a leader Follower; a single voter elects itself at once.
//!
//! With [`QuorumConfig::pre_vote`] off the node is Kafka 3.9: no Prospective state; a
//! timed-out Unattached, Follower or Resigned voter becomes Candidate at epoch + 1, and a
//! losing candidate backs off `min(100 ms × rand[0, 2^retries), election.backoff.max.ms)`.
//!
//! # Left out, on purpose
//! - KIP-853 dynamic quorum (AddRaftVoter/RemoveRaftVoter/UpdateRaftVoter, VotersRecord,
//!   directory ids, endpoints): the quorum is `controller.quorum.voters`, static.
//! - The bootstrap snapshot `0-0.checkpoint` (only written for dynamic quorums).
//! - Multi-batch accumulator drains and byte limits on a batch: one drain is one batch.
//! - Flushes are synchronous, as Kafka's are; a crash loses exactly what was appended
//!   and not yet flushed (an observer's fetched records) plus the leader's accumulator.

mod batch_list;
mod chunked;
mod config;
mod describe;
mod fetch;
mod inbound;
mod leader;
mod log;
mod node;
mod poll;
mod quorum;
mod quorum_epoch;
mod request_manager;
mod rpc;
mod snapshot;
mod state;
mod types;
mod vote;

pub use batch_list::BatchList;
pub use chunked::ChunkedVec;
pub use config::{NodeConfig, QuorumConfig};
pub use leader::{LeaderState, ReplicaState, OBSERVER_SESSION_TIMEOUT_MS};
pub use log::{
    Batch, BatchRecords, ControlRecord, LeaderChangeMessage, LogError, ReplicatedLog, Snapshot,
    ValidOffsetAndEpoch,
};
pub use node::{Action, DurableState, Input, RaftNode, Reply, RequestError};
pub use rpc::*;
pub use state::{
    CandidateState, ElectionState, EpochElection, EpochState, FetchingSnapshot, FollowerState,
    ProspectiveState, ResignedState, StateKind, UnattachedState, VoteState,
};
pub use types::{
    earliest, Epoch, LeaderAndEpoch, NodeId, Offset, OffsetAndEpoch, RaftTypes, TimeMs,
};

#[cfg(test)]
mod tests;
