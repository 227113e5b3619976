//! The invariants, checked after every event, one module each with its source.
//!
//! Each checker is incremental: it is told what just happened (a quorum-state write, a
//! new leader, a high-watermark move, a commit, a snapshot load, a node whose log
//! changed) and does work proportional to that, never to the history or to the number
//! of node pairs. A broken invariant becomes a [`Violation`] (and a trace event),
//! never a panic; `relax <Invariant>` turns one off.

mod consistent_committed_data;
mod leader_completeness;
mod leader_never_load_snapshot;
mod log_matching;
mod majority_reached_high_watermark;
mod monotonic_epoch;
mod monotonic_high_watermark;
mod single_leader;
mod snapshot_at_log_start;

pub use consistent_committed_data::{ConsistentCommittedData, LedgerEntry};
pub use leader_completeness::LeaderCompleteness;
pub use leader_never_load_snapshot::LeaderNeverLoadSnapshot;
pub use log_matching::LogMatching;
pub use majority_reached_high_watermark::MajorityReachedHighWatermark;
pub use monotonic_epoch::MonotonicEpoch;
pub use monotonic_high_watermark::MonotonicHighWatermark;
pub use single_leader::SingleLeader;
pub use snapshot_at_log_start::SnapshotAtLogStart;

use super::trace::{FaultKind, InvariantId, MsgInfo, Trace, TraceEvent, TraceKind};
use super::types::{SimBatch, SimTypes};
use super::world::{Violation, MAX_KEPT_VIOLATIONS};
use crate::kraft::{ElectionState, Epoch, NodeId, Offset, ReplicatedLog, Snapshot};

/// What the world was doing when a check ran (formatted only for a violation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventDesc {
    Start(NodeId),
    Deliver(MsgInfo),
    Timer(NodeId),
    Intervention(FaultKind),
    Append,
    Snapshot(NodeId),
}

impl EventDesc {
    pub fn describe(&self) -> String {
        match self {
            EventDesc::Start(n) => format!("start of n{n}"),
            EventDesc::Deliver(m) => {
                format!(
                    "delivery of #{} {} n{}→n{}",
                    m.id,
                    m.api.name(),
                    m.from,
                    m.to
                )
            }
            EventDesc::Timer(n) => format!("timer of n{n}"),
            EventDesc::Intervention(k) => format!("intervention {k:?}"),
            EventDesc::Append => "append".to_string(),
            EventDesc::Snapshot(n) => format!("snapshot of n{n}"),
        }
    }
}

/// Where a check reports to.
pub struct Ctx<'a> {
    violations: &'a mut Vec<Violation>,
    count: &'a mut u64,
    trace: &'a mut Trace,
    at_ms: u64,
    node: NodeId,
    epoch: Epoch,
    event: EventDesc,
    relaxed: u16,
}

impl Ctx<'_> {
    pub fn is_on(&self, invariant: InvariantId) -> bool {
        self.relaxed & invariant.bit() == 0
    }

    pub fn fail(&mut self, invariant: InvariantId, detail: impl FnOnce() -> String) {
        if !self.is_on(invariant) {
            return;
        }
        *self.count += 1;
        self.trace.push(TraceEvent {
            at_ms: self.at_ms,
            node: self.node,
            epoch: self.epoch,
            kind: TraceKind::Violation(invariant),
        });
        if self.violations.len() < MAX_KEPT_VIOLATIONS {
            self.violations.push(Violation {
                invariant,
                at_ms: self.at_ms,
                node: self.node,
                event: self.event.describe(),
                detail: detail(),
            });
        }
    }
}

/// A checker borrowed together with the place it reports to.
pub struct Report<'a> {
    pub checker: &'a mut Checker,
    pub ctx: Ctx<'a>,
}

impl<'a> Report<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        checker: &'a mut Checker,
        violations: &'a mut Vec<Violation>,
        count: &'a mut u64,
        trace: &'a mut Trace,
        at_ms: u64,
        node: NodeId,
        epoch: Epoch,
        event: EventDesc,
    ) -> Self {
        let relaxed = checker.relaxed;
        Report {
            checker,
            ctx: Ctx {
                violations,
                count,
                trace,
                at_ms,
                node,
                epoch,
                event,
                relaxed,
            },
        }
    }
}

/// Every invariant's state. Nodes are indexed by `node id - 1`.
#[derive(Clone, Debug)]
pub struct Checker {
    /// Bit set of relaxed invariants ([`InvariantId::bit`]).
    pub relaxed: u16,
    pub single_leader: SingleLeader,
    pub monotonic_epoch: MonotonicEpoch,
    pub monotonic_high_watermark: MonotonicHighWatermark,
    pub majority: MajorityReachedHighWatermark,
    pub log_matching: LogMatching,
    pub leader_completeness: LeaderCompleteness,
    pub committed: ConsistentCommittedData,
    pub snapshot_at_log_start: SnapshotAtLogStart,
    pub leader_never_load_snapshot: LeaderNeverLoadSnapshot,
}

impl Checker {
    pub fn new(voters: &[bool]) -> Self {
        Self {
            relaxed: 0,
            single_leader: SingleLeader::default(),
            monotonic_epoch: MonotonicEpoch::new(voters.len()),
            monotonic_high_watermark: MonotonicHighWatermark::default(),
            majority: MajorityReachedHighWatermark::new(voters),
            log_matching: LogMatching::new(voters.len()),
            leader_completeness: LeaderCompleteness,
            committed: ConsistentCommittedData::default(),
            snapshot_at_log_start: SnapshotAtLogStart,
            leader_never_load_snapshot: LeaderNeverLoadSnapshot,
        }
    }

    /// A quorum-state write.
    pub fn on_persist(&mut self, idx: usize, state: ElectionState, ctx: &mut Ctx) {
        self.monotonic_epoch
            .on_persist(idx, state.leader_epoch, ctx);
        if let Some(leader) = state.leader_id {
            self.single_leader.observe(state.leader_epoch, leader, ctx);
        }
    }

    pub fn on_leader_elected(&mut self, epoch: Epoch, leader: NodeId, ctx: &mut Ctx) {
        self.single_leader.observe(epoch, leader, ctx);
    }

    /// The highest-epoch leader's high watermark moved (`leo`: its own log end now).
    pub fn on_leader_high_watermark(
        &mut self,
        idx: usize,
        epoch: Epoch,
        hw: Offset,
        leo: Offset,
        ctx: &mut Ctx,
    ) {
        self.monotonic_high_watermark.observe(epoch, hw, ctx);
        self.majority.set_leo(idx, leo);
        self.majority.check(hw, ctx);
    }

    pub fn on_commit(&mut self, batch: &SimBatch, before: u64, after: u64, ctx: &mut Ctx) {
        self.committed.on_commit(batch, before, after, ctx);
    }

    /// `writable`: the node's state machine had been told it leads.
    pub fn on_load_snapshot(
        &mut self,
        writable: bool,
        snapshot: &Snapshot<SimTypes>,
        ctx: &mut Ctx,
    ) {
        self.leader_never_load_snapshot
            .on_load(writable, snapshot, ctx);
        self.committed.on_load_snapshot(snapshot, ctx);
    }

    /// A node's log or state may have changed (it stepped, started, stopped or lost its
    /// disk). `epochs`: (persisted, in-memory) epoch while it runs.
    #[allow(clippy::too_many_arguments)]
    pub fn after_node_changed(
        &mut self,
        idx: usize,
        log: &ReplicatedLog<SimTypes>,
        epochs: Option<(Epoch, Epoch)>,
        became_leader: bool,
        snapshot_changed: bool,
        top_leader_hw: Option<Offset>,
        ctx: &mut Ctx,
    ) {
        if let Some((persisted, in_memory)) = epochs {
            self.monotonic_epoch
                .check_in_memory(persisted, in_memory, ctx);
        }
        self.log_matching.update(idx, log, ctx);
        if became_leader {
            self.leader_completeness
                .check(&self.log_matching, &self.committed, idx, log, ctx);
        }
        if snapshot_changed {
            self.snapshot_at_log_start.check(log, ctx);
        }
        let leo = log.end_offset();
        if self.majority.set_leo(idx, leo) {
            if let Some(hw) = top_leader_hw {
                self.majority.check(hw, ctx);
            }
        }
    }
}
