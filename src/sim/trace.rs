//! Typed trace events: what the UI animates, what the text trace prints, what the
//! golden files pin and what the trace hash folds. Small `Copy` values: a step never
//! formats a string.

use super::hash::Fnv64;
use crate::kraft::{Envelope, Epoch, Message, NodeId, Offset, StateKind};
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

use super::types::SimTypes;
use crate::metadata::broker::BrokerState;
use crate::metadata::controller::ControllerError;

/// Node id 0 names the world itself (network changes, cluster-wide faults).
pub const WORLD: NodeId = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    pub at_ms: u64,
    pub node: NodeId,
    /// The node's epoch when the event happened (the message's epoch for sends).
    pub epoch: Epoch,
    pub kind: TraceKind,
}

impl Hash for TraceEvent {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_head(h, self.at_ms, self.node, self.epoch);
        match &self.kind {
            // The message was folded in full when it was sent: its id names it.
            TraceKind::Delivered(m) => hash_delivered(h, m.id),
            kind => kind.hash(h),
        }
    }
}

/// The fields every event's hash starts with.
#[inline]
fn hash_head<H: Hasher>(h: &mut H, at_ms: u64, node: NodeId, epoch: Epoch) {
    h.write_u64(at_ms);
    h.write_u64(((node as u32 as u64) << 32) | epoch as u32 as u64);
}

/// The kind part of a `Delivered` event's hash.
#[inline]
fn hash_delivered<H: Hasher>(h: &mut H, id: u64) {
    h.write_u8(0xde);
    h.write_u64(id);
}

/// The kind part of a `Sent` event's hash: what the derived `Hash` of
/// `TraceKind::Sent(m)` writes (the variant's discriminant as an `isize`, then the
/// message), so that [`Trace::push_sent`] needs no `TraceEvent`. A test holds the two
/// equal.
#[inline]
fn hash_sent<H: Hasher>(h: &mut H, m: &MsgInfo) {
    h.write_isize(TRACE_KIND_SENT);
    m.hash(h);
}

/// `TraceKind::Sent`'s discriminant (the second variant).
const TRACE_KIND_SENT: isize = 1;

/// KRaft RPC names as the trace prints them (pre-votes told apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Api {
    PreVote,
    Vote,
    VoteResponse,
    BeginQuorumEpoch,
    BeginQuorumEpochResponse,
    EndQuorumEpoch,
    EndQuorumEpochResponse,
    Fetch,
    FetchResponse,
    FetchSnapshot,
    FetchSnapshotResponse,
    DescribeQuorum,
    DescribeQuorumResponse,
    BrokerRegistration,
    BrokerRegistrationResponse,
    BrokerHeartbeat,
    BrokerHeartbeatResponse,
    AlterPartition,
    AlterPartitionResponse,
}

impl Api {
    pub const ALL: [Api; 19] = [
        Api::PreVote,
        Api::Vote,
        Api::VoteResponse,
        Api::BeginQuorumEpoch,
        Api::BeginQuorumEpochResponse,
        Api::EndQuorumEpoch,
        Api::EndQuorumEpochResponse,
        Api::Fetch,
        Api::FetchResponse,
        Api::FetchSnapshot,
        Api::FetchSnapshotResponse,
        Api::DescribeQuorum,
        Api::DescribeQuorumResponse,
        Api::BrokerRegistration,
        Api::BrokerRegistrationResponse,
        Api::BrokerHeartbeat,
        Api::BrokerHeartbeatResponse,
        Api::AlterPartition,
        Api::AlterPartitionResponse,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Api::PreVote => "PreVote",
            Api::Vote => "Vote",
            Api::VoteResponse => "VoteResponse",
            Api::BeginQuorumEpoch => "BeginQuorumEpoch",
            Api::BeginQuorumEpochResponse => "BeginQuorumEpochResponse",
            Api::EndQuorumEpoch => "EndQuorumEpoch",
            Api::EndQuorumEpochResponse => "EndQuorumEpochResponse",
            Api::Fetch => "Fetch",
            Api::FetchResponse => "FetchResponse",
            Api::FetchSnapshot => "FetchSnapshot",
            Api::FetchSnapshotResponse => "FetchSnapshotResponse",
            Api::DescribeQuorum => "DescribeQuorum",
            Api::DescribeQuorumResponse => "DescribeQuorumResponse",
            Api::BrokerRegistration => "BrokerRegistration",
            Api::BrokerRegistrationResponse => "BrokerRegistrationResponse",
            Api::BrokerHeartbeat => "BrokerHeartbeat",
            Api::BrokerHeartbeatResponse => "BrokerHeartbeatResponse",
            Api::AlterPartition => "AlterPartition",
            Api::AlterPartitionResponse => "AlterPartitionResponse",
        }
    }
}

/// The few fields of a message a trace line shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum MsgDetail {
    None,
    Vote {
        last_offset: Offset,
        last_epoch: Epoch,
    },
    VoteResponse {
        granted: bool,
    },
    Fetch {
        offset: Offset,
        last_epoch: Epoch,
    },
    FetchResponse {
        hw: Offset,
        records: u32,
        diverging: Option<(Epoch, Offset)>,
        snapshot: Option<(Offset, Epoch)>,
        error: bool,
    },
    FetchSnapshot {
        position: u64,
    },
    /// BrokerHeartbeat: the broker's replayed offset and what it asks for.
    Heartbeat {
        offset: i64,
        want_shut_down: bool,
    },
    /// BrokerHeartbeatResponse.
    HeartbeatReply {
        fenced: bool,
        should_shut_down: bool,
    },
    /// AlterPartition: how many partitions' ISRs the leader proposes to change.
    AlterPartition {
        partitions: u32,
    },
    /// AlterPartitionResponse: how many of them the controller accepted.
    AlterPartitionReply {
        accepted: u32,
        partitions: u32,
    },
    /// BrokerRegistrationResponse: the broker epoch.
    Registered {
        broker_epoch: i64,
    },
    ControllerError(ControllerError),
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct MsgInfo {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub api: Api,
    pub detail: MsgDetail,
}

impl MsgInfo {
    pub fn of(id: u64, env: &Envelope<SimTypes>) -> Self {
        use crate::kraft::Errors;
        let (api, detail) = match &env.message {
            Message::VoteRequest(r) => (
                if r.pre_vote { Api::PreVote } else { Api::Vote },
                MsgDetail::Vote {
                    last_offset: r.last_offset,
                    last_epoch: r.last_offset_epoch,
                },
            ),
            Message::VoteResponse(r) => (
                Api::VoteResponse,
                if r.error_code == Errors::None && r.top_level_error == Errors::None {
                    MsgDetail::VoteResponse {
                        granted: r.vote_granted,
                    }
                } else {
                    MsgDetail::Error
                },
            ),
            Message::BeginQuorumEpochRequest(_) => (Api::BeginQuorumEpoch, MsgDetail::None),
            Message::BeginQuorumEpochResponse(_) => {
                (Api::BeginQuorumEpochResponse, MsgDetail::None)
            }
            Message::EndQuorumEpochRequest(_) => (Api::EndQuorumEpoch, MsgDetail::None),
            Message::EndQuorumEpochResponse(_) => (Api::EndQuorumEpochResponse, MsgDetail::None),
            Message::FetchRequest(r) => (
                Api::Fetch,
                MsgDetail::Fetch {
                    offset: r.fetch_offset,
                    last_epoch: r.last_fetched_epoch,
                },
            ),
            Message::FetchResponse(r) => (
                Api::FetchResponse,
                MsgDetail::FetchResponse {
                    hw: r.high_watermark,
                    records: r.record_count() as u32,
                    diverging: r.diverging_epoch.map(|d| (d.epoch, d.end_offset)),
                    snapshot: r.snapshot_id.map(|s| (s.end_offset, s.epoch)),
                    error: r.error_code != Errors::None || r.top_level_error != Errors::None,
                },
            ),
            Message::FetchSnapshotRequest(r) => (
                Api::FetchSnapshot,
                MsgDetail::FetchSnapshot {
                    position: r.position,
                },
            ),
            Message::FetchSnapshotResponse(_) => (Api::FetchSnapshotResponse, MsgDetail::None),
            Message::DescribeQuorumRequest => (Api::DescribeQuorum, MsgDetail::None),
            Message::DescribeQuorumResponse(_) => (Api::DescribeQuorumResponse, MsgDetail::None),
        };
        MsgInfo {
            id,
            from: env.from,
            to: env.to,
            api,
            detail,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DropReason {
    /// The link was cut (partition, one-way cut, isolation) at send or delivery time.
    Cut,
    /// Random loss (`net loss=`).
    Loss,
    /// The receiver was down, or restarted since the message was sent.
    ReceiverDown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FaultKind {
    Crash,
    Shutdown,
    Restart,
    Wipe,
    Isolate,
    Partition,
    Cut,
    Heal,
    Net,
    Set,
    /// An admin request (create-topic, delete-topic, set-config, register,
    /// controlled-shutdown).
    Admin,
}

/// The invariants the simulator checks (plus the core's own fatal errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InvariantId {
    SingleLeader,
    MonotonicEpoch,
    MonotonicHighWatermark,
    MajorityReachedHighWatermark,
    LogMatching,
    LeaderCompleteness,
    ConsistentCommittedData,
    SnapshotAtLogStart,
    LeaderNeverLoadSnapshot,
    ImagesEqualAtEqualOffsets,
    LeaderInIsrAndUnfenced,
    /// An `Action::Fatal`: a condition Kafka raises as an exception that kills the raft
    /// thread.
    KafkaException,
}

impl InvariantId {
    pub const ALL: [InvariantId; 12] = [
        InvariantId::SingleLeader,
        InvariantId::MonotonicEpoch,
        InvariantId::MonotonicHighWatermark,
        InvariantId::MajorityReachedHighWatermark,
        InvariantId::LogMatching,
        InvariantId::LeaderCompleteness,
        InvariantId::ConsistentCommittedData,
        InvariantId::SnapshotAtLogStart,
        InvariantId::LeaderNeverLoadSnapshot,
        InvariantId::ImagesEqualAtEqualOffsets,
        InvariantId::LeaderInIsrAndUnfenced,
        InvariantId::KafkaException,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InvariantId::SingleLeader => "SingleLeader",
            InvariantId::MonotonicEpoch => "MonotonicEpoch",
            InvariantId::MonotonicHighWatermark => "MonotonicHighWatermark",
            InvariantId::MajorityReachedHighWatermark => "MajorityReachedHighWatermark",
            InvariantId::LogMatching => "LogMatching",
            InvariantId::LeaderCompleteness => "LeaderCompleteness",
            InvariantId::ConsistentCommittedData => "ConsistentCommittedData",
            InvariantId::SnapshotAtLogStart => "SnapshotAtLogStart",
            InvariantId::LeaderNeverLoadSnapshot => "LeaderNeverLoadSnapshot",
            InvariantId::ImagesEqualAtEqualOffsets => "ImagesEqualAtEqualOffsets",
            InvariantId::LeaderInIsrAndUnfenced => "LeaderInIsrAndUnfenced",
            InvariantId::KafkaException => "KafkaException",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }

    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for InvariantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TraceKind {
    StateChanged {
        from: StateKind,
        to: StateKind,
        leader: Option<NodeId>,
    },
    Sent(MsgInfo),
    Delivered(MsgInfo),
    Dropped {
        msg: MsgInfo,
        reason: DropReason,
    },
    /// `copy` is a second delivery of `msg` with its own id and latency.
    Duplicated {
        msg: MsgInfo,
        copy: u64,
    },
    /// The leader wrote a batch.
    Appended {
        base_offset: Offset,
        records: u32,
    },
    /// `append n` found no leader (or the leader refused): the records were dropped.
    AppendRefused {
        records: u32,
    },
    HighWatermark {
        hw: Offset,
    },
    Truncated {
        from_end: Offset,
        to_end: Offset,
    },
    Committed {
        up_to: Offset,
    },
    SnapshotCreated {
        offset: Offset,
        epoch: Epoch,
    },
    SnapshotFetchStarted {
        offset: Offset,
        epoch: Epoch,
    },
    SnapshotInstalled {
        offset: Offset,
        epoch: Epoch,
    },
    SnapshotLoaded {
        offset: Offset,
    },
    LogStartAdvanced {
        offset: Offset,
    },
    Fault(FaultKind),
    Started {
        incarnation: u32,
    },
    ShutdownComplete {
        timed_out: bool,
    },
    Violation(InvariantId),
    /// The node became the active controller and wrote its first records,
    /// `after_election_ms` after it won the election (no reload: KIP-631).
    ControllerActivated {
        after_election_ms: u64,
    },
    /// The node stopped being the active controller.
    ControllerRenounced,
    BrokerStateChanged {
        from: BrokerState,
        to: BrokerState,
    },
    /// An admin request failed (no active controller, or the controller refused).
    AdminRefused {
        error: ControllerError,
    },
    /// The node refused to start (invalid server.properties, cluster id mismatch).
    StartRefused {
        reason: StartRefusal,
    },
}

/// Why a node did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum StartRefusal {
    /// server.properties failed validation; the message is in
    /// [`crate::sim::World::start_error`].
    InvalidConfig,
    /// meta.properties names another cluster: `INCONSISTENT_CLUSTER_ID`.
    InconsistentClusterId,
}

fn node_label(out: &mut String, node: NodeId, epoch: Epoch) {
    if node == WORLD {
        out.push_str("world");
    } else {
        let _ = write!(out, "n{node}@e{epoch}");
    }
}

fn msg_tail(out: &mut String, m: &MsgInfo) {
    out.push_str(m.api.name());
    match m.detail {
        MsgDetail::None => {}
        MsgDetail::Error => out.push_str(" error"),
        MsgDetail::Vote {
            last_offset,
            last_epoch,
        } => {
            let _ = write!(out, " last={last_offset}@e{last_epoch}");
        }
        MsgDetail::VoteResponse { granted } => {
            out.push_str(if granted { " granted" } else { " rejected" })
        }
        MsgDetail::Fetch { offset, last_epoch } => {
            let _ = write!(out, " offset={offset} last_epoch={last_epoch}");
        }
        MsgDetail::FetchResponse {
            hw,
            records,
            diverging,
            snapshot,
            error,
        } => {
            if error {
                out.push_str(" error");
            } else {
                let _ = write!(out, " hw={hw} records={records}");
                if let Some((e, o)) = diverging {
                    let _ = write!(out, " diverging={o}@e{e}");
                }
                if let Some((o, e)) = snapshot {
                    let _ = write!(out, " snapshot={o}@e{e}");
                }
            }
        }
        MsgDetail::FetchSnapshot { position } => {
            let _ = write!(out, " position={position}");
        }
        MsgDetail::Heartbeat {
            offset,
            want_shut_down,
        } => {
            let _ = write!(out, " offset={offset}");
            if want_shut_down {
                out.push_str(" wantShutDown");
            }
        }
        MsgDetail::HeartbeatReply {
            fenced,
            should_shut_down,
        } => {
            out.push_str(if fenced { " fenced" } else { " unfenced" });
            if should_shut_down {
                out.push_str(" shouldShutDown");
            }
        }
        MsgDetail::AlterPartition { partitions } => {
            let _ = write!(out, " partitions={partitions}");
        }
        MsgDetail::AlterPartitionReply {
            accepted,
            partitions,
        } => {
            let _ = write!(out, " accepted={accepted}/{partitions}");
        }
        MsgDetail::Registered { broker_epoch } => {
            let _ = write!(out, " brokerEpoch={broker_epoch}");
        }
        MsgDetail::ControllerError(e) => {
            let _ = write!(out, " {e}");
        }
    }
    let _ = write!(out, " #{}", m.id);
}

impl TraceEvent {
    /// One readable line, e.g. `1234ms n2@e3 → n1 FetchResponse hw=10 records=1 #57`.
    pub fn render(&self, out: &mut String) {
        let _ = write!(out, "{}ms ", self.at_ms);
        node_label(out, self.node, self.epoch);
        match &self.kind {
            TraceKind::StateChanged { from, to, leader } => {
                let _ = write!(out, " {from} → {to}");
                if let Some(l) = leader {
                    let _ = write!(out, " leader=n{l}");
                }
            }
            TraceKind::Sent(m) => {
                let _ = write!(out, " → n{} ", m.to);
                msg_tail(out, m);
            }
            TraceKind::Delivered(m) => {
                let _ = write!(out, " ← n{} ", m.from);
                msg_tail(out, m);
            }
            TraceKind::Dropped { msg, reason } => {
                let _ = write!(out, " ✗ n{}→n{} ", msg.from, msg.to);
                msg_tail(out, msg);
                let _ = write!(out, " dropped ({reason:?})");
            }
            TraceKind::Duplicated { msg, copy } => {
                let _ = write!(out, " ⧉ n{}→n{} ", msg.from, msg.to);
                msg_tail(out, msg);
                let _ = write!(out, " duplicated as #{copy}");
            }
            TraceKind::Appended {
                base_offset,
                records,
            } => {
                let _ = write!(out, " appended base={base_offset} records={records}");
            }
            TraceKind::AppendRefused { records } => {
                let _ = write!(out, " append of {records} refused (no leader)");
            }
            TraceKind::HighWatermark { hw } => {
                let _ = write!(out, " hw={hw}");
            }
            TraceKind::Truncated { from_end, to_end } => {
                let _ = write!(out, " truncated {from_end} → {to_end}");
            }
            TraceKind::Committed { up_to } => {
                let _ = write!(out, " committed up to {up_to}");
            }
            TraceKind::SnapshotCreated { offset, epoch } => {
                let _ = write!(out, " snapshot created {offset}@e{epoch}");
            }
            TraceKind::SnapshotFetchStarted { offset, epoch } => {
                let _ = write!(out, " snapshot fetch started {offset}@e{epoch}");
            }
            TraceKind::SnapshotInstalled { offset, epoch } => {
                let _ = write!(out, " snapshot installed {offset}@e{epoch}");
            }
            TraceKind::SnapshotLoaded { offset } => {
                let _ = write!(out, " state machine loaded snapshot at {offset}");
            }
            TraceKind::LogStartAdvanced { offset } => {
                let _ = write!(out, " log start={offset}");
            }
            TraceKind::Fault(kind) => {
                let _ = write!(out, " fault {kind:?}");
            }
            TraceKind::Started { incarnation } => {
                let _ = write!(out, " started (incarnation {incarnation})");
            }
            TraceKind::ShutdownComplete { timed_out } => {
                out.push_str(if *timed_out {
                    " shutdown complete (timed out)"
                } else {
                    " shutdown complete"
                });
            }
            TraceKind::Violation(inv) => {
                let _ = write!(out, " VIOLATION {inv}");
            }
            TraceKind::ControllerActivated { after_election_ms } => {
                let _ = write!(
                    out,
                    " active controller, first write {after_election_ms}ms after its election"
                );
            }
            TraceKind::ControllerRenounced => out.push_str(" controller renounced"),
            TraceKind::BrokerStateChanged { from, to } => {
                let _ = write!(out, " broker {from} → {to}");
            }
            TraceKind::AdminRefused { error } => {
                let _ = write!(out, " admin request refused: {error}");
            }
            TraceKind::StartRefused { reason } => {
                let _ = write!(out, " refused to start: {reason:?}");
            }
        }
    }

    pub fn to_line(&self) -> String {
        let mut s = String::new();
        self.render(&mut s);
        s
    }
}

/// Folds every event into the run's `trace_hash`, and optionally keeps the events.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    hasher: Fnv64,
    count: u64,
    /// `None`: hash only (fuzzing, benchmarks).
    events: Option<Vec<TraceEvent>>,
}

impl Trace {
    pub fn new(keep_events: bool) -> Self {
        Self {
            hasher: Fnv64::new(),
            count: 0,
            events: keep_events.then(Vec::new),
        }
    }

    #[inline]
    pub fn push(&mut self, event: TraceEvent) {
        event.hash(&mut self.hasher);
        self.count += 1;
        if let Some(events) = &mut self.events {
            events.push(event);
        }
    }

    /// `push` of a `Sent` event, on the hot path of every send: see [`Trace::push_parts`].
    #[inline]
    pub fn push_sent(&mut self, at_ms: u64, node: NodeId, epoch: Epoch, msg: &MsgInfo) {
        self.push_parts(
            at_ms,
            node,
            epoch,
            || TraceKind::Sent(*msg),
            |h| hash_sent(h, msg),
        );
    }

    /// `push` of a `Delivered` event, on the hot path of every delivery.
    #[inline]
    pub fn push_delivered(&mut self, at_ms: u64, node: NodeId, epoch: Epoch, msg: &MsgInfo) {
        self.push_parts(
            at_ms,
            node,
            epoch,
            || TraceKind::Delivered(*msg),
            |h| hash_delivered(h, msg.id),
        );
    }

    /// `push` of the event of `kind`: when no events are kept the hash is folded from
    /// the parts (`hash_kind` writes what the event's kind would) without building the
    /// event, which would copy the message twice.
    #[inline]
    fn push_parts(
        &mut self,
        at_ms: u64,
        node: NodeId,
        epoch: Epoch,
        kind: impl FnOnce() -> TraceKind,
        hash_kind: impl FnOnce(&mut Fnv64),
    ) {
        if self.events.is_some() {
            return self.push(TraceEvent {
                at_ms,
                node,
                epoch,
                kind: kind(),
            });
        }
        hash_head(&mut self.hasher, at_ms, node, epoch);
        hash_kind(&mut self.hasher);
        self.count += 1;
    }

    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn events(&self) -> &[TraceEvent] {
        self.events.as_deref().unwrap_or(&[])
    }

    pub fn keeps_events(&self) -> bool {
        self.events.is_some()
    }

    pub fn set_keep_events(&mut self, keep: bool) {
        if keep && self.events.is_none() {
            self.events = Some(Vec::new());
        } else if !keep {
            self.events = None;
        }
    }

    /// The same hash state, without the kept events.
    pub fn without_events(&self) -> Trace {
        Trace {
            hasher: self.hasher,
            count: self.count,
            events: None,
        }
    }

    /// Take the kept events, leaving an empty buffer (the hash continues).
    pub fn take_events(&mut self) -> Vec<TraceEvent> {
        match &mut self.events {
            Some(v) => std::mem::take(v),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts-only fast paths fold exactly what the events would.
    #[test]
    fn push_sent_and_delivered_hash_like_the_events() {
        let msgs = [
            MsgInfo {
                id: 7,
                from: 1,
                to: 2,
                api: Api::Fetch,
                detail: MsgDetail::Fetch {
                    offset: 42,
                    last_epoch: 3,
                },
            },
            MsgInfo {
                id: u64::MAX,
                from: 3,
                to: 1,
                api: Api::FetchResponse,
                detail: MsgDetail::FetchResponse {
                    hw: 9,
                    records: 2,
                    diverging: Some((1, 5)),
                    snapshot: None,
                    error: false,
                },
            },
        ];
        let mut fast = Trace::new(false);
        let mut kept = Trace::new(true);
        let mut reference = Fnv64::new();
        for (i, m) in msgs.iter().enumerate() {
            let (at, node, epoch) = (i as u64 * 10, m.from, 4 + i as Epoch);
            fast.push_sent(at, node, epoch, m);
            kept.push_sent(at, node, epoch, m);
            fast.push_delivered(at + 5, m.to, epoch, m);
            kept.push_delivered(at + 5, m.to, epoch, m);
            for (kind, at, node) in [
                (TraceKind::Sent(*m), at, m.from),
                (TraceKind::Delivered(*m), at + 5, m.to),
            ] {
                TraceEvent {
                    at_ms: at,
                    node,
                    epoch,
                    kind,
                }
                .hash(&mut reference);
            }
        }
        assert_eq!(fast.hash(), reference.finish());
        assert_eq!(kept.hash(), reference.finish());
        assert_eq!(fast.count(), 4);
        assert_eq!(kept.events().len(), 4);
    }
}
