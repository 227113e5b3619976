//! The small vocabulary every part of the core shares: ids, epochs, offsets, and the
//! `RaftTypes` bundle that keeps the replicated payload opaque to the protocol.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// `node.id` (Kafka uses a Java `int`; `-1` is the "none" sentinel on the wire).
pub type NodeId = i32;
/// Leader epoch (Raft's term).
pub type Epoch = i32;
/// Offset in the metadata log.
pub type Offset = i64;
/// Virtual time in milliseconds since the simulation started.
pub type TimeMs = u64;

/// Kafka's `OffsetAndEpoch`: identifies a record (or a snapshot, whose offset is exclusive).
///
/// Ordering follows `OffsetAndEpoch.compareTo`: epoch first, then offset — the order used
/// to decide whether a candidate's log is at least as up to date as ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetAndEpoch {
    pub offset: Offset,
    pub epoch: Epoch,
}

impl OffsetAndEpoch {
    pub const fn new(offset: Offset, epoch: Epoch) -> Self {
        Self { offset, epoch }
    }
}

impl Ord for OffsetAndEpoch {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then(self.offset.cmp(&other.offset))
    }
}

impl PartialOrd for OffsetAndEpoch {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for OffsetAndEpoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@e{}", self.offset, self.epoch)
    }
}

/// What the consensus core needs to know about the data it replicates: nothing but how
/// to clone, compare and size it. The metadata layer (KIP-631 records) and the
/// simulator's test counter both plug in here without the core knowing them.
pub trait RaftTypes: Clone + fmt::Debug + PartialEq + Eq + 'static {
    /// One replicated record (Kafka: one record inside a batch).
    type Record: Clone + fmt::Debug + PartialEq + Eq + Serialize + DeserializeOwned + 'static;
    /// The content of a frozen snapshot, written by the state machine.
    type Snapshot: Clone + fmt::Debug + PartialEq + Eq + Serialize + DeserializeOwned + 'static;

    /// Serialized size of a record, for fetch byte limits and batch sizes.
    fn record_size_bytes(record: &Self::Record) -> u32;
}

/// The leader a node believes in, as `RaftClient.Listener.handleLeaderChange` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderAndEpoch {
    pub leader_id: Option<NodeId>,
    pub epoch: Epoch,
}

/// The earlier of two optional deadlines (`None`: no deadline). Deadlines are asked
/// after every simulated step: plain `min`s, not an iterator over the candidates
/// (which the compiler keeps as a loop).
#[inline]
pub fn earliest(a: Option<TimeMs>, b: Option<TimeMs>) -> Option<TimeMs> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Draws Kafka's `random.nextInt(bound)` from the node's seeded generator without
/// modulo bias worth speaking of (Lemire's multiply-shift). Deterministic on every
/// platform because it only uses `u64`/`u128` arithmetic.
pub(crate) fn next_below(rng: &mut impl rand_core::Rng, bound: u64) -> u64 {
    if bound == 0 {
        return 0;
    }
    ((rng.next_u64() as u128 * bound as u128) >> 64) as u64
}
