//! The invariants, checked after every event, one module each with its source.
//!
//! Each checker is incremental: it is told what just happened (a quorum-state write, a
//! new leader, a high-watermark move, a commit, a snapshot load, a node whose log
//! changed) and does work proportional to that, never to the history or to the number
//! of node pairs. A broken invariant becomes a [`Violation`] (and a trace event),
//! never a panic; `relax <Invariant>` turns one off.

mod consistent_committed_data;
mod images_equal_at_equal_offsets;
mod leader_completeness;
mod leader_in_isr_and_unfenced;
mod leader_never_load_snapshot;
mod log_matching;
mod majority_reached_high_watermark;
mod monotonic_epoch;
mod monotonic_high_watermark;
mod single_leader;
mod snapshot_at_log_start;

pub use consistent_committed_data::{ConsistentCommittedData, LedgerEntry};
pub use images_equal_at_equal_offsets::ImagesEqualAtEqualOffsets;
pub use leader_completeness::LeaderCompleteness;
pub use leader_in_isr_and_unfenced::LeaderInIsrAndUnfenced;
pub use leader_never_load_snapshot::LeaderNeverLoadSnapshot;
pub use log_matching::LogMatching;
pub use majority_reached_high_watermark::MajorityReachedHighWatermark;
pub use monotonic_epoch::MonotonicEpoch;
pub use monotonic_high_watermark::MonotonicHighWatermark;
pub use single_leader::SingleLeader;
pub use snapshot_at_log_start::SnapshotAtLogStart;

use super::trace::{Api, FaultKind, InvariantId, Trace, TraceEvent, TraceKind};
use super::types::{SimBatch, SimTypes};
use super::world::{Violation, MAX_KEPT_VIOLATIONS};
use crate::kraft::{ElectionState, Epoch, NodeId, Offset, ReplicatedLog, Snapshot};

/// What the world was doing when a check ran (formatted only for a violation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventDesc {
    Start(NodeId),
    /// A message delivery: the fields its description names (not the whole
    /// [`MsgInfo`](super::trace::MsgInfo), so that the description stays a few words to copy on every step).
    Deliver {
        id: u64,
        api: Api,
        from: NodeId,
        to: NodeId,
    },
    Timer(NodeId),
    Intervention(FaultKind),
    Append,
    Snapshot(NodeId),
}

impl EventDesc {
    pub fn describe(&self) -> String {
        match self {
            EventDesc::Start(n) => format!("start of n{n}"),
            EventDesc::Deliver { id, api, from, to } => {
                format!("delivery of #{id} {} n{from}→n{to}", api.name())
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
    pub images_equal: ImagesEqualAtEqualOffsets,
    pub leader_in_isr: LeaderInIsrAndUnfenced,
    /// Per node: what [`Checker::after_node_changed`] last saw ([`NodeSeen`]).
    node_seen: Vec<Option<NodeSeen>>,
}

/// The parts of a node that the per-node checks read: its log's bounds and newest
/// batch, and its epochs. Most steps change none of them (a fetch parked or answered
/// from the leader's log, a response that only moved a timer), and then there is
/// nothing new to check. The newest batch is held (not just its address) so that its
/// allocation cannot be reused by another batch while it is remembered here.
#[derive(Clone, Debug)]
struct NodeSeen {
    start: Offset,
    end: Offset,
    batches: usize,
    newest: Option<std::sync::Arc<SimBatch>>,
    epochs: Option<(Epoch, Epoch)>,
}

impl NodeSeen {
    #[inline]
    fn matches(&self, log: &ReplicatedLog<SimTypes>, epochs: Option<(Epoch, Epoch)>) -> bool {
        let n = log.batch_count();
        self.batches == n
            && self.epochs == epochs
            && self.start == log.log_start_offset()
            && self.end == log.end_offset()
            && match (&self.newest, log.last_batch()) {
                (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }

    fn of(log: &ReplicatedLog<SimTypes>, epochs: Option<(Epoch, Epoch)>) -> Self {
        let n = log.batch_count();
        NodeSeen {
            start: log.log_start_offset(),
            end: log.end_offset(),
            batches: n,
            newest: log.last_batch().cloned(),
            epochs,
        }
    }
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
            images_equal: ImagesEqualAtEqualOffsets::default(),
            leader_in_isr: LeaderInIsrAndUnfenced,
            node_seen: vec![None; voters.len()],
        }
    }

    /// Whether node `idx`'s log or epochs differ from what
    /// [`Checker::after_node_changed`] last checked (`false`: that check would find
    /// nothing new, and may be skipped). Inlined: it runs after every node step.
    #[inline]
    pub fn node_changed(
        &self,
        idx: usize,
        log: &ReplicatedLog<SimTypes>,
        epochs: Option<(Epoch, Epoch)>,
    ) -> bool {
        !self
            .node_seen
            .get(idx)
            .and_then(Option::as_ref)
            .is_some_and(|seen| seen.matches(log, epochs))
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

    /// Node `idx`'s loader applied a batch (or loaded a snapshot) and is at `next_offset`.
    pub fn on_image(&mut self, idx: usize, app: &crate::sim::types::App, ctx: &mut Ctx) {
        self.images_equal
            .observe(idx, app.next_offset, &app.image, app.image_version, ctx);
        self.leader_in_isr.check(
            &app.image,
            &app.changed_partitions,
            &app.changed_brokers,
            ctx,
        );
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
    /// disk). `epochs`: (persisted, in-memory) epoch while it runs. `top_leader_hw`
    /// gives the highest-epoch leader's high watermark: asked only when the node's log
    /// end moved, so that an unmoved one reads no other node.
    #[allow(clippy::too_many_arguments)]
    pub fn after_node_changed(
        &mut self,
        idx: usize,
        log: &ReplicatedLog<SimTypes>,
        epochs: Option<(Epoch, Epoch)>,
        became_leader: bool,
        snapshot_changed: bool,
        top_leader_hw: impl FnOnce() -> Option<Offset>,
        ctx: &mut Ctx,
    ) {
        if let Some(seen) = self.node_seen.get_mut(idx) {
            *seen = Some(NodeSeen::of(log, epochs));
        }
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
            if let Some(hw) = top_leader_hw() {
                self.majority.check(hw, ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each checker fails when fed a history that breaks its property (and only then).

    use super::*;
    use crate::kraft::{Batch, BatchRecords, OffsetAndEpoch};
    use crate::sim::types::{App, SimRecord, SimSnapshot};
    use std::sync::Arc;

    struct Sink {
        violations: Vec<Violation>,
        count: u64,
        trace: Trace,
    }

    impl Sink {
        fn new() -> Self {
            Sink {
                violations: Vec::new(),
                count: 0,
                trace: Trace::new(false),
            }
        }

        fn ctx(&mut self) -> Ctx<'_> {
            Ctx {
                violations: &mut self.violations,
                count: &mut self.count,
                trace: &mut self.trace,
                at_ms: 7,
                node: 1,
                epoch: 1,
                event: EventDesc::Append,
                relaxed: 0,
            }
        }

        fn names(&self) -> Vec<&'static str> {
            self.violations.iter().map(|v| v.invariant.name()).collect()
        }
    }

    fn batch(base: Offset, epoch: Epoch, values: &[u64]) -> Arc<SimBatch> {
        Arc::new(Batch {
            base_offset: base,
            epoch,
            append_time_ms: 0,
            records: BatchRecords::Data(values.iter().map(|v| SimRecord::Counter(*v)).collect()),
        })
    }

    #[test]
    fn single_leader_flags_a_second_leader_in_an_epoch() {
        let mut s = Sink::new();
        let mut c = SingleLeader::default();
        c.observe(3, 1, &mut s.ctx());
        c.observe(3, 1, &mut s.ctx());
        c.observe(4, 2, &mut s.ctx());
        assert!(s.violations.is_empty());
        c.observe(3, 2, &mut s.ctx());
        assert_eq!(s.names(), ["SingleLeader"]);
    }

    #[test]
    fn monotonic_epoch_flags_a_lower_persisted_epoch_and_a_mismatch() {
        let mut s = Sink::new();
        let mut c = MonotonicEpoch::new(2);
        c.on_persist(0, 2, &mut s.ctx());
        c.on_persist(0, 2, &mut s.ctx());
        c.check_in_memory(2, 2, &mut s.ctx());
        assert!(s.violations.is_empty());
        c.on_persist(0, 1, &mut s.ctx());
        c.check_in_memory(2, 3, &mut s.ctx());
        assert_eq!(s.names(), ["MonotonicEpoch", "MonotonicEpoch"]);
    }

    #[test]
    fn monotonic_high_watermark_ignores_stale_leaders_but_not_a_drop() {
        let mut s = Sink::new();
        let mut c = MonotonicHighWatermark::default();
        c.observe(1, 10, &mut s.ctx());
        c.observe(2, 12, &mut s.ctx());
        c.observe(1, 5, &mut s.ctx()); // an old leader somewhere: not "the" leader
        assert!(s.violations.is_empty());
        c.observe(3, 11, &mut s.ctx());
        assert_eq!(s.names(), ["MonotonicHighWatermark"]);
    }

    #[test]
    fn majority_reached_high_watermark_counts_voters_only() {
        let mut s = Sink::new();
        let mut c = MajorityReachedHighWatermark::new(&[true, true, true, false]);
        c.set_leo(0, 10);
        c.set_leo(1, 10);
        c.set_leo(3, 10);
        c.check(10, &mut s.ctx());
        assert!(s.violations.is_empty());
        assert!(c.set_leo(1, 4), "a drop is reported");
        c.check(10, &mut s.ctx());
        assert_eq!(s.names(), ["MajorityReachedHighWatermark"]);
    }

    #[test]
    fn consistent_committed_data_flags_another_record_at_a_committed_offset() {
        let mut s = Sink::new();
        let mut c = ConsistentCommittedData::default();
        let mut a = App::default();
        let mut b = App::default();
        let first = batch(0, 1, &[1, 2]);
        for app in [&mut a, &mut b] {
            let before = app.chain_hash;
            app.apply(&first);
            c.on_commit(&first, before, app.chain_hash, &mut s.ctx());
        }
        assert!(s.violations.is_empty());
        assert_eq!(c.end_offset(), 2);
        // Another node commits a different record at offset 2… then the same offset again.
        let ours = batch(2, 1, &[3]);
        let theirs = batch(2, 2, &[99]);
        let before = a.chain_hash;
        a.apply(&ours);
        c.on_commit(&ours, before, a.chain_hash, &mut s.ctx());
        let before = b.chain_hash;
        b.apply(&theirs);
        c.on_commit(&theirs, before, b.chain_hash, &mut s.ctx());
        assert_eq!(s.names(), ["ConsistentCommittedData"]);
        // A snapshot must carry the committed chain at its offset.
        let good = crate::kraft::Snapshot {
            snapshot_id: OffsetAndEpoch::new(3, 1),
            last_contained_log_timestamp_ms: 0,
            size_bytes: 1,
            data: a.to_snapshot(),
        };
        c.on_load_snapshot(&good, &mut s.ctx());
        assert_eq!(s.violations.len(), 1);
        let bad = crate::kraft::Snapshot {
            data: SimSnapshot {
                chain_hash: 42,
                ..a.to_snapshot()
            },
            ..good
        };
        c.on_load_snapshot(&bad, &mut s.ctx());
        assert_eq!(
            s.names(),
            ["ConsistentCommittedData", "ConsistentCommittedData"]
        );
    }

    #[test]
    fn log_matching_flags_two_logs_that_disagree_below_a_shared_batch() {
        let mut s = Sink::new();
        let mut c = LogMatching::new(2);
        let mut log_a = ReplicatedLog::<SimTypes>::new();
        let mut log_b = ReplicatedLog::<SimTypes>::new();
        log_a.append(batch(0, 1, &[1])).unwrap();
        log_a.append(batch(1, 2, &[2])).unwrap();
        // Same (offset 1, epoch 2) batch content, different record below it.
        log_b.append(batch(0, 1, &[7])).unwrap();
        log_b.append(batch(1, 2, &[2])).unwrap();
        c.update(0, &log_a, &mut s.ctx());
        assert!(s.violations.is_empty());
        c.update(1, &log_b, &mut s.ctx());
        assert_eq!(s.names(), ["LogMatching", "LogMatching"]);
    }

    #[test]
    fn log_matching_remembers_a_key_that_arrived_below_the_greatest() {
        let mut s = Sink::new();
        let mut c = LogMatching::new(4);
        let mut leader = ReplicatedLog::<SimTypes>::new();
        leader.append(batch(0, 1, &[1])).unwrap();
        leader.append(batch(1, 1, &[2])).unwrap();
        c.update(0, &leader, &mut s.ctx());
        // (0, 2) is below the greatest key seen, (1, 1).
        let mut stale = ReplicatedLog::<SimTypes>::new();
        stale.append(batch(0, 2, &[7])).unwrap();
        c.update(1, &stale, &mut s.ctx());
        // Enough newer keys that (0, 2) is no longer among the recent ones.
        for base in 2..20 {
            leader.append(batch(base, 1, &[base as u64])).unwrap();
            c.update(0, &leader, &mut s.ctx());
        }
        let mut same = ReplicatedLog::<SimTypes>::new();
        same.append(batch(0, 2, &[7])).unwrap();
        c.update(2, &same, &mut s.ctx());
        assert!(s.violations.is_empty());
        let mut other = ReplicatedLog::<SimTypes>::new();
        other.append(batch(0, 2, &[8])).unwrap();
        c.update(3, &other, &mut s.ctx());
        assert_eq!(s.names(), ["LogMatching"]);
    }

    #[test]
    fn leader_never_load_snapshot_only_flags_the_writable_leader() {
        let mut s = Sink::new();
        let snapshot = crate::kraft::Snapshot {
            snapshot_id: OffsetAndEpoch::new(3, 1),
            last_contained_log_timestamp_ms: 0,
            size_bytes: 1,
            data: SimSnapshot::default(),
        };
        LeaderNeverLoadSnapshot.on_load(false, &snapshot, &mut s.ctx());
        assert!(s.violations.is_empty());
        LeaderNeverLoadSnapshot.on_load(true, &snapshot, &mut s.ctx());
        assert_eq!(s.names(), ["LeaderNeverLoadSnapshot"]);
    }

    #[test]
    fn relaxed_invariants_do_not_report() {
        let mut s = Sink::new();
        let mut c = SingleLeader::default();
        {
            let mut ctx = s.ctx();
            ctx.relaxed = InvariantId::SingleLeader.bit();
            c.observe(1, 1, &mut ctx);
            c.observe(1, 2, &mut ctx);
        }
        assert!(s.violations.is_empty());
    }

    fn metadata_image(
        records: &[crate::metadata::MetadataRecord],
    ) -> crate::metadata::MetadataImage {
        let mut d = crate::metadata::MetadataDelta::new(&crate::metadata::MetadataImage::empty());
        for r in records {
            d.replay(r).expect("replays");
        }
        d.apply(crate::metadata::MetadataProvenance::new(
            records.len() as i64 - 1,
            1,
            0,
        ))
    }

    fn broker_and_topic(fenced: bool, leader: i32) -> Vec<crate::metadata::MetadataRecord> {
        use crate::metadata::*;
        let topic_id = Uuid::from_u128(77);
        vec![
            MetadataRecord::RegisterBroker(RegisterBrokerRecord {
                broker_id: 4,
                is_migrating_zk_broker: false,
                incarnation_id: Uuid::from_u128(5),
                broker_epoch: 0,
                end_points: vec![],
                features: vec![],
                rack: None,
                fenced,
                in_controlled_shutdown: false,
            }),
            MetadataRecord::Topic(TopicRecord {
                name: "t".into(),
                topic_id,
            }),
            MetadataRecord::Partition(PartitionRecord {
                partition_id: 0,
                topic_id,
                replicas: vec![4],
                isr: vec![4],
                removing_replicas: vec![],
                adding_replicas: vec![],
                leader,
                leader_recovery_state: 0,
                leader_epoch: 0,
                partition_epoch: 0,
            }),
        ]
    }

    #[test]
    fn images_equal_flags_different_images_at_one_offset() {
        let mut s = Sink::new();
        let mut c = ImagesEqualAtEqualOffsets::default();
        let a = metadata_image(&broker_and_topic(false, 4));
        let b = metadata_image(&broker_and_topic(true, 4));
        c.observe(0, 3, &a, 1, &mut s.ctx());
        c.observe(1, 3, &a.clone(), 1, &mut s.ctx());
        c.observe(0, 4, &b, 2, &mut s.ctx());
        assert!(s.violations.is_empty());
        c.observe(2, 3, &b, 1, &mut s.ctx());
        assert_eq!(s.names(), ["ImagesEqualAtEqualOffsets"]);
    }

    #[test]
    fn images_equal_remembered_pairs_do_not_hide_a_difference() {
        let mut s = Sink::new();
        let mut c = ImagesEqualAtEqualOffsets::default();
        // Equal images built apart (not the same allocations).
        let a = metadata_image(&broker_and_topic(false, 4));
        let a2 = metadata_image(&broker_and_topic(false, 4));
        let b = metadata_image(&broker_and_topic(true, 4));
        c.observe(0, 3, &a, 1, &mut s.ctx());
        c.observe(1, 3, &a2, 1, &mut s.ctx());
        c.observe(0, 4, &a, 1, &mut s.ctx());
        c.observe(1, 4, &a2, 1, &mut s.ctx());
        assert!(s.violations.is_empty());
        // Node 1 remembers (a2, a) as equal; its next image differs.
        c.observe(0, 5, &a, 1, &mut s.ctx());
        c.observe(1, 5, &b, 2, &mut s.ctx());
        assert_eq!(s.names(), ["ImagesEqualAtEqualOffsets"]);
    }

    #[test]
    fn leader_in_isr_flags_a_fenced_or_outside_leader() {
        let mut s = Sink::new();
        let c = LeaderInIsrAndUnfenced;
        let ok = metadata_image(&broker_and_topic(false, 4));
        let tps: Vec<_> = ok.topics().partitions_led_by(4).collect();
        c.check(&ok, &tps, &[4], &mut s.ctx());
        let leaderless = metadata_image(&broker_and_topic(true, -1));
        c.check(&leaderless, &tps, &[4], &mut s.ctx());
        assert!(s.violations.is_empty());
        let fenced = metadata_image(&broker_and_topic(true, 4));
        c.check(&fenced, &tps, &[], &mut s.ctx());
        assert_eq!(s.names(), ["LeaderInIsrAndUnfenced"]);
        let outside = metadata_image(&broker_and_topic(false, 9));
        c.check(&outside, &tps, &[], &mut s.ctx());
        assert_eq!(
            s.names(),
            ["LeaderInIsrAndUnfenced", "LeaderInIsrAndUnfenced"]
        );
    }
}
