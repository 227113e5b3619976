//! The deterministic world: processes running the KRaft core, a virtual clock in
//! integer milliseconds, one event queue ordered by (time, sequence), the network, the
//! trace and the invariant checkers.
//!
//! Events are message deliveries and node timers (a node's `next_deadline`, tagged with
//! a generation so that a superseded entry is ignored; a deadline that moved later
//! keeps its early entry, which re-arms itself when it fires). Interventions are
//! applied between events by whoever drives the world: the scenario runner,
//! [`super::Timeline`], the UI. The queue ([`super::queue`]) pops in (time, sequence)
//! order; only `Vec`s and `BTreeMap`s are iterated (the one hash map is only looked
//! up), so a run is the same natively and in wasm, byte for byte.
//!
//! Work per event is proportional to the event: the invariants are incremental, timers
//! are rescheduled only for the node that stepped, messages are moved, never copied.
//! A process stepping is `Process::raft` (the KRaft core) plus `Process::app` (the
//! state machine); the metadata layer adds its controller and broker beside them.

use super::config::{ClusterSpec, ConfigKey, Roles};
use super::invariants::{Checker, EventDesc, Report};
use super::net::{Fate, LinkSpec, Network};
use super::queue::{EventQueue, Timed};
use super::rng::{derive_seed, STREAM_NODE};
use super::trace::{
    DropReason, FaultKind, InvariantId, MsgInfo, Trace, TraceEvent, TraceKind, WORLD,
};
use super::types::{App, SimNode, SimRecord, SimSnapshot, SimTypes};
use crate::kraft::{
    Action, DurableState, Envelope, Epoch, Input, NodeConfig, NodeId, Offset, QuorumConfig,
    RaftNode, Snapshot, StateKind,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

pub const CLUSTER_ID: &str = "kraftscope-sim";
/// `shutdown <id>`: Kafka's `RaftClient.shutdown(timeoutMs)` as the broker/controller
/// shutdown hook calls it (5 s).
pub const SHUTDOWN_TIMEOUT_MS: u64 = 5_000;

/// Something done to the world from outside, at a point of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Intervention {
    Crash(NodeId),
    Shutdown(NodeId),
    Restart(NodeId),
    Wipe(NodeId),
    Isolate(NodeId),
    Partition(Vec<Vec<NodeId>>),
    Cut {
        from: NodeId,
        to: NodeId,
    },
    Heal,
    Net {
        link: LinkSpec,
        from: Option<NodeId>,
        to: Option<NodeId>,
    },
    /// The leader appends n counter records.
    Append(u32),
    /// The node writes a snapshot of its state machine at its high watermark.
    Snapshot(NodeId),
    /// Takes effect at the node's next (re)start.
    Set {
        key: ConfigKey,
        value: u64,
        node: Option<NodeId>,
    },
    Relax(InvariantId),
}

/// Why an intervention could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InterventionError {
    #[error("node {0} does not exist")]
    NoSuchNode(NodeId),
    #[error("node {0} is running")]
    Running(NodeId),
    #[error("node {0} is not running")]
    NotRunning(NodeId),
}

/// One simulated Kafka process. The metadata layer adds a controller and a broker
/// beside `raft` and `app`.
#[derive(Clone, Debug)]
pub struct Process {
    pub id: NodeId,
    pub roles: Roles,
    pub voter: bool,
    /// `None` while stopped.
    pub raft: Option<SimNode>,
    /// What is on disk while stopped (while running, the node holds its log).
    pub disk: DurableState<SimTypes>,
    pub app: App,
    /// 1 for the first run of the process, +1 at every restart.
    pub incarnation: u32,
    /// Configuration for the next start.
    pub quorum: QuorumConfig,
    /// The epoch this node leads in, while it is Leader.
    leading: Option<Epoch>,
    /// Its state machine was told it leads (`handleLeaderChange` naming itself): the
    /// counter is writable, as `ReplicatedCounter.isWritable` says.
    writable: bool,
    timer_gen: u32,
    timer_at: Option<u64>,
}

impl Process {
    pub fn alive(&self) -> bool {
        self.raft.is_some()
    }

    pub fn state_kind(&self) -> Option<StateKind> {
        self.raft.as_ref().map(|r| r.state_kind())
    }

    pub fn log_end_offset(&self) -> Offset {
        match &self.raft {
            Some(r) => r.log().end_offset(),
            None => self.disk.log.end_offset(),
        }
    }

    pub fn log_start_offset(&self) -> Offset {
        match &self.raft {
            Some(r) => r.log().log_start_offset(),
            None => self.disk.log.log_start_offset(),
        }
    }

    pub fn log(&self) -> &crate::kraft::ReplicatedLog<SimTypes> {
        match &self.raft {
            Some(r) => r.log(),
            None => &self.disk.log,
        }
    }

    pub fn high_watermark(&self) -> Option<Offset> {
        self.raft.as_ref().and_then(|r| r.high_watermark())
    }

    pub fn epoch(&self) -> Epoch {
        match &self.raft {
            Some(r) => r.epoch(),
            None => self.disk.quorum_state.map_or(0, |q| q.leader_epoch),
        }
    }
}

/// A message on the wire.
#[derive(Clone, Copy, Debug)]
pub struct Flight<'a> {
    pub sent_at_ms: u64,
    pub deliver_at_ms: u64,
    pub info: &'a MsgInfo,
    pub envelope: &'a Envelope<SimTypes>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Election {
    pub epoch: Epoch,
    pub leader_id: NodeId,
    pub at_ms: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MessageStats {
    /// Indexed like [`super::trace::Api::ALL`].
    pub sent: [u64; 13],
    pub delivered: u64,
    pub dropped: u64,
    pub duplicated: u64,
}

/// A violated invariant: a value, never a panic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub invariant: InvariantId,
    pub at_ms: u64,
    pub node: NodeId,
    /// The event being processed when it was found.
    pub event: String,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Deliver(u32),
    Timer { idx: u32, generation: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Queued {
    at_ms: u64,
    seq: u64,
    what: What,
}

impl Timed for Queued {
    fn at_ms(&self) -> u64 {
        self.at_ms
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

#[derive(Clone, Debug)]
struct InFlight {
    info: MsgInfo,
    sent_at_ms: u64,
    to_incarnation: u32,
    envelope: Envelope<SimTypes>,
}

/// The world. `Clone` is a checkpoint.
#[derive(Clone, Debug)]
pub struct World {
    spec: Arc<ClusterSpec>,
    now_ms: u64,
    seq: u64,
    /// Queue entries popped so far (stale timers included): with `now_ms`, a position
    /// in the run that interventions are recorded at.
    steps: u64,
    /// Deliveries, timer firings and interventions processed (stale timers excluded).
    events: u64,
    queue: EventQueue<Queued>,
    in_flight: Vec<Option<InFlight>>,
    free_slots: Vec<u32>,
    next_msg_id: u64,
    procs: Vec<Process>,
    net: Network,
    trace: Trace,
    checker: Checker,
    leaders: BTreeSet<(Epoch, NodeId)>,
    /// The last of `leaders` (asked on every step).
    top_leader: Option<NodeId>,
    elections: Vec<Election>,
    messages: MessageStats,
    violations: Vec<Violation>,
    violation_count: u64,
    next_counter: u64,
    voters: Arc<[NodeId]>,
    actions: Vec<Action<SimTypes>>,
}

/// At most this many violations are kept (all are counted).
pub const MAX_KEPT_VIOLATIONS: usize = 100;

impl World {
    /// A world whose processes all start at time 0.
    pub fn new(spec: ClusterSpec, keep_trace: bool) -> Self {
        let voters: Arc<[NodeId]> = spec.voters().into();
        let procs = (1..=spec.max_node_id())
            .map(|id| Process {
                id,
                roles: spec.roles(id),
                voter: spec.is_voter(id),
                raft: None,
                disk: DurableState::default(),
                app: App::default(),
                incarnation: 1,
                quorum: spec.quorum_for(id),
                leading: None,
                writable: false,
                timer_gen: 0,
                timer_at: None,
            })
            .collect::<Vec<_>>();
        let net = Network::new(spec.seed, spec.max_node_id());
        let mut checker = Checker::new(&procs.iter().map(|p| p.voter).collect::<Vec<_>>());
        for inv in &spec.relaxed {
            checker.relaxed |= inv.bit();
        }
        let mut world = Self {
            spec: Arc::new(spec),
            now_ms: 0,
            seq: 0,
            steps: 0,
            events: 0,
            queue: EventQueue::new(),
            in_flight: Vec::new(),
            free_slots: Vec::new(),
            next_msg_id: 0,
            procs,
            net,
            trace: Trace::new(keep_trace),
            checker,
            leaders: BTreeSet::new(),
            top_leader: None,
            elections: Vec::new(),
            messages: MessageStats::default(),
            violations: Vec::new(),
            violation_count: 0,
            next_counter: 0,
            voters,
            actions: Vec::new(),
        };
        for id in 1..=world.spec.max_node_id() {
            world.start(id);
        }
        world
    }

    // ----- read access -----

    pub fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// `(now_ms, steps)`: where an intervention applied now sits in the run.
    pub fn position(&self) -> (u64, u64) {
        (self.now_ms, self.steps)
    }

    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn processes(&self) -> &[Process] {
        &self.procs
    }

    pub fn process(&self, id: NodeId) -> Option<&Process> {
        usize::try_from(id - 1).ok().and_then(|i| self.procs.get(i))
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    pub fn elections(&self) -> &[Election] {
        &self.elections
    }

    pub fn messages(&self) -> &MessageStats {
        &self.messages
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    pub fn violation_count(&self) -> u64 {
        self.violation_count
    }

    pub fn relaxed(&self) -> u16 {
        self.checker.relaxed
    }

    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The live node in Leader state with the highest epoch.
    pub fn leader(&self) -> Option<NodeId> {
        self.top_leader
    }

    fn update_top_leader(&mut self) {
        self.top_leader = self.leaders.iter().next_back().map(|(_, id)| *id);
    }

    /// The chain of the committed ledger at `offset` (a batch boundary), if known.
    pub fn committed_chain_at(&self, offset: Offset) -> Option<u64> {
        self.checker.committed.chain_at(offset)
    }

    /// Messages in flight, for views (a message's position is interpolated between
    /// the two times). Unordered: sort by id if order matters.
    pub fn in_flight(&self) -> impl Iterator<Item = Flight<'_>> + '_ {
        self.queue.iter().filter_map(move |q| match q.what {
            What::Deliver(slot) => self.in_flight[slot as usize].as_ref().map(|m| Flight {
                sent_at_ms: m.sent_at_ms,
                deliver_at_ms: q.at_ms,
                info: &m.info,
                envelope: &m.envelope,
            }),
            What::Timer { .. } => None,
        })
    }

    /// A copy for a checkpoint: the same world without the kept trace events (the
    /// trace hash carries on).
    pub fn checkpoint(&self) -> World {
        let mut w = self.clone_without_trace();
        w.trace = self.trace.without_events();
        w
    }

    /// Keep (or stop keeping) trace events from now on.
    pub fn keep_trace_events(&mut self, keep: bool) {
        self.trace.set_keep_events(keep);
    }

    fn clone_without_trace(&self) -> World {
        World {
            spec: self.spec.clone(),
            now_ms: self.now_ms,
            seq: self.seq,
            steps: self.steps,
            events: self.events,
            queue: self.queue.clone(),
            in_flight: self.in_flight.clone(),
            free_slots: self.free_slots.clone(),
            next_msg_id: self.next_msg_id,
            procs: self.procs.clone(),
            net: self.net.clone(),
            trace: Trace::default(),
            checker: self.checker.clone(),
            leaders: self.leaders.clone(),
            top_leader: self.top_leader,
            elections: self.elections.clone(),
            messages: self.messages.clone(),
            violations: self.violations.clone(),
            violation_count: self.violation_count,
            next_counter: self.next_counter,
            voters: self.voters.clone(),
            actions: Vec::new(),
        }
    }

    // ----- running -----

    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.peek_ms()
    }

    /// Process one queued event. Returns false when the queue is empty.
    pub fn step(&mut self) -> bool {
        self.step_until(u64::MAX)
    }

    /// Process the next event if it is due at or before `limit_ms`.
    pub fn step_until(&mut self, limit_ms: u64) -> bool {
        let Some(q) = self.queue.pop_until(limit_ms) else {
            return false;
        };
        self.steps += 1;
        self.now_ms = self.now_ms.max(q.at_ms);
        match q.what {
            What::Deliver(slot) => {
                let m = self.in_flight[slot as usize]
                    .take()
                    .expect("a queued delivery has its message");
                self.free_slots.push(slot);
                self.events += 1;
                self.deliver(m);
            }
            What::Timer { idx, generation } => {
                let now = self.now_ms;
                let p = &mut self.procs[idx as usize];
                if p.timer_gen != generation {
                    return true;
                }
                p.timer_at = None;
                let Some(raft) = &p.raft else {
                    return true;
                };
                // Timers are scheduled lazily: a deadline that moved later keeps its
                // old queue entry, which lands here early and is pushed again.
                match raft.next_deadline() {
                    None => return true,
                    Some(d) if d > now => {
                        p.timer_gen = p.timer_gen.wrapping_add(1);
                        p.timer_at = Some(d);
                        let generation = p.timer_gen;
                        self.push_event(d, What::Timer { idx, generation });
                        return true;
                    }
                    Some(_) => {}
                }
                self.events += 1;
                let id = p.id;
                self.step_node(idx as usize, Input::Tick, EventDesc::Timer(id));
            }
        }
        true
    }

    /// Process every event due at or before `t`, then move the clock to `t`.
    pub fn run_until(&mut self, t: u64) {
        while self.step_until(t) {}
        self.now_ms = self.now_ms.max(t);
    }

    /// Replay to a recorded position: events up to `steps` (none later than `at_ms`),
    /// then the clock to `at_ms`.
    pub fn run_to_position(&mut self, at_ms: u64, steps: u64) {
        while self.steps < steps && self.step_until(at_ms) {}
        self.now_ms = self.now_ms.max(at_ms);
    }

    fn push_event(&mut self, at_ms: u64, what: What) {
        self.seq += 1;
        self.queue.push(Queued {
            at_ms,
            seq: self.seq,
            what,
        });
    }

    #[inline]
    fn emit(&mut self, node: NodeId, epoch: Epoch, kind: TraceKind) {
        self.trace.push(TraceEvent {
            at_ms: self.now_ms,
            node,
            epoch,
            kind,
        });
    }

    fn idx_of(&self, id: NodeId) -> Result<usize, InterventionError> {
        if self.spec.exists(id) {
            Ok(id as usize - 1)
        } else {
            Err(InterventionError::NoSuchNode(id))
        }
    }

    fn send(&mut self, envelope: Envelope<SimTypes>) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let info = MsgInfo::of(id, &envelope);
        let epoch = envelope.message.epoch();
        self.messages.sent[info.api as usize] += 1;
        self.emit(envelope.from, epoch, TraceKind::Sent(info));
        let to_incarnation = match self.process(envelope.to) {
            Some(p) => p.incarnation,
            None => {
                self.messages.dropped += 1;
                self.emit(
                    envelope.from,
                    epoch,
                    TraceKind::Dropped {
                        msg: info,
                        reason: DropReason::ReceiverDown,
                    },
                );
                return;
            }
        };
        match self.net.route(envelope.from, envelope.to) {
            Fate::Blocked => {
                self.messages.dropped += 1;
                self.emit(
                    envelope.from,
                    epoch,
                    TraceKind::Dropped {
                        msg: info,
                        reason: DropReason::Cut,
                    },
                );
            }
            Fate::Lost => {
                self.messages.dropped += 1;
                self.emit(
                    envelope.from,
                    epoch,
                    TraceKind::Dropped {
                        msg: info,
                        reason: DropReason::Loss,
                    },
                );
            }
            Fate::Deliver {
                latency_ms,
                duplicate_latency_ms,
            } => {
                if let Some(dup_ms) = duplicate_latency_ms {
                    let copy_id = self.next_msg_id;
                    self.next_msg_id += 1;
                    let copy_info = MsgInfo {
                        id: copy_id,
                        ..info
                    };
                    self.messages.duplicated += 1;
                    self.emit(
                        envelope.from,
                        epoch,
                        TraceKind::Duplicated {
                            msg: info,
                            copy: copy_id,
                        },
                    );
                    let copy = InFlight {
                        info: copy_info,
                        sent_at_ms: self.now_ms,
                        to_incarnation,
                        envelope: envelope.clone(),
                    };
                    self.enqueue_message(self.now_ms + dup_ms, copy);
                }
                let m = InFlight {
                    info,
                    sent_at_ms: self.now_ms,
                    to_incarnation,
                    envelope,
                };
                self.enqueue_message(self.now_ms + latency_ms, m);
            }
        }
    }

    fn enqueue_message(&mut self, at_ms: u64, m: InFlight) {
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.in_flight[s as usize] = Some(m);
                s
            }
            None => {
                self.in_flight.push(Some(m));
                (self.in_flight.len() - 1) as u32
            }
        };
        self.push_event(at_ms, What::Deliver(slot));
    }

    fn deliver(&mut self, m: InFlight) {
        let to = m.envelope.to;
        let idx = to as usize - 1;
        let p = &self.procs[idx];
        let epoch = p.epoch();
        let reason = if self.net.is_blocked(m.envelope.from, to) {
            Some(DropReason::Cut)
        } else if p.raft.is_none() || p.incarnation != m.to_incarnation {
            Some(DropReason::ReceiverDown)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.messages.dropped += 1;
            self.emit(
                to,
                epoch,
                TraceKind::Dropped {
                    msg: m.info,
                    reason,
                },
            );
            return;
        }
        self.messages.delivered += 1;
        self.emit(to, epoch, TraceKind::Delivered(m.info));
        self.step_node(idx, Input::Receive(m.envelope), EventDesc::Deliver(m.info));
    }

    /// Step one live node and handle everything it asked for.
    fn step_node(&mut self, idx: usize, input: Input<SimTypes>, event: EventDesc) -> bool {
        let now = self.now_ms;
        let Some(raft) = self.procs[idx].raft.as_mut() else {
            return false;
        };
        let kind_before = raft.state_kind();
        let ok = raft.step(now, input).is_ok();
        let mut actions = std::mem::take(&mut self.actions);
        raft.take_actions(&mut actions);
        self.after_step(idx, kind_before, &mut actions, event);
        self.actions = actions;
        ok
    }

    /// Handle the actions a node produced (in order), run the per-node invariants,
    /// reschedule its timer.
    fn after_step(
        &mut self,
        idx: usize,
        mut kind: StateKind,
        actions: &mut Vec<Action<SimTypes>>,
        event: EventDesc,
    ) {
        let id = self.procs[idx].id;
        let mut became_leader = false;
        let mut snapshot_changed = false;
        let mut shutdown_complete = false;
        for action in actions.drain(..) {
            let epoch = self.procs[idx].raft.as_ref().map_or(0, |r| r.epoch());
            match action {
                Action::Send(envelope) => self.send(envelope),
                Action::PersistQuorumState(es) => {
                    let mut r = self.checker_report(id, epoch, event);
                    r.checker.on_persist(idx, es, &mut r.ctx);
                }
                Action::Flush { .. } => {}
                Action::LeaderChange(le) => {
                    self.procs[idx].writable = le.leader_id == Some(id);
                }
                Action::StateChanged {
                    from,
                    to,
                    epoch,
                    leader_id,
                } => {
                    kind = to;
                    self.emit(
                        id,
                        epoch,
                        TraceKind::StateChanged {
                            from,
                            to,
                            leader: leader_id,
                        },
                    );
                    if let Some(e) = self.procs[idx].leading.take() {
                        self.leaders.remove(&(e, id));
                        self.update_top_leader();
                    }
                    if to == StateKind::Leader {
                        self.procs[idx].leading = Some(epoch);
                        self.leaders.insert((epoch, id));
                        self.update_top_leader();
                        self.elections.push(Election {
                            epoch,
                            leader_id: id,
                            at_ms: self.now_ms,
                        });
                        became_leader = true;
                        let mut r = self.checker_report(id, epoch, event);
                        r.checker.on_leader_elected(epoch, id, &mut r.ctx);
                    }
                }
                Action::Appended { batch } => {
                    self.emit(
                        id,
                        epoch,
                        TraceKind::Appended {
                            base_offset: batch.base_offset,
                            records: batch.record_count() as u32,
                        },
                    );
                }
                Action::HighWatermarkAdvanced { high_watermark } => {
                    self.emit(id, epoch, TraceKind::HighWatermark { hw: high_watermark });
                    if kind == StateKind::Leader && self.leader() == Some(id) {
                        let leo = self.procs[idx].log_end_offset();
                        let mut r = self.checker_report(id, epoch, event);
                        r.checker.on_leader_high_watermark(
                            idx,
                            epoch,
                            high_watermark,
                            leo,
                            &mut r.ctx,
                        );
                    }
                }
                Action::Truncated {
                    from_end_offset,
                    to_end_offset,
                    ..
                } => {
                    self.emit(
                        id,
                        epoch,
                        TraceKind::Truncated {
                            from_end: from_end_offset,
                            to_end: to_end_offset,
                        },
                    );
                }
                Action::SnapshotCreated { snapshot_id } => {
                    snapshot_changed = true;
                    self.emit(
                        id,
                        epoch,
                        TraceKind::SnapshotCreated {
                            offset: snapshot_id.offset,
                            epoch: snapshot_id.epoch,
                        },
                    );
                }
                Action::SnapshotFetchStarted { snapshot_id } => {
                    self.emit(
                        id,
                        epoch,
                        TraceKind::SnapshotFetchStarted {
                            offset: snapshot_id.offset,
                            epoch: snapshot_id.epoch,
                        },
                    );
                }
                Action::SnapshotInstalled { snapshot_id } => {
                    snapshot_changed = true;
                    self.emit(
                        id,
                        epoch,
                        TraceKind::SnapshotInstalled {
                            offset: snapshot_id.offset,
                            epoch: snapshot_id.epoch,
                        },
                    );
                }
                Action::LogStartAdvanced { log_start_offset } => {
                    snapshot_changed = true;
                    self.emit(
                        id,
                        epoch,
                        TraceKind::LogStartAdvanced {
                            offset: log_start_offset,
                        },
                    );
                }
                Action::Commit(batches) => {
                    let mut up_to = 0;
                    for batch in &batches {
                        let before = self.procs[idx].app.chain_hash;
                        self.procs[idx].app.apply(batch);
                        let after = self.procs[idx].app.chain_hash;
                        up_to = batch.end_offset();
                        let mut r = self.checker_report(id, epoch, event);
                        r.checker.on_commit(batch, before, after, &mut r.ctx);
                    }
                    self.emit(id, epoch, TraceKind::Committed { up_to });
                }
                Action::LoadSnapshot(snapshot) => {
                    self.procs[idx].app.load(&snapshot);
                    self.emit(
                        id,
                        epoch,
                        TraceKind::SnapshotLoaded {
                            offset: snapshot.snapshot_id.offset,
                        },
                    );
                    let writable = self.procs[idx].writable;
                    let mut r = self.checker_report(id, epoch, event);
                    r.checker.on_load_snapshot(writable, &snapshot, &mut r.ctx);
                }
                Action::ShutdownComplete { timed_out } => {
                    shutdown_complete = true;
                    self.emit(id, epoch, TraceKind::ShutdownComplete { timed_out });
                }
                Action::Fatal(detail) => {
                    let mut r = self.checker_report(id, epoch, event);
                    r.ctx.fail(InvariantId::KafkaException, || detail);
                }
            }
        }
        self.after_node_changed(idx, became_leader, snapshot_changed, event);
        if shutdown_complete {
            self.stop(idx, event);
        } else {
            self.reschedule(idx);
        }
    }

    /// Per-node invariants that look at the node's state after it changed.
    fn after_node_changed(
        &mut self,
        idx: usize,
        became_leader: bool,
        snapshot_changed: bool,
        event: EventDesc,
    ) {
        let id = self.procs[idx].id;
        let top_hw = self.top_leader_hw();
        let p = &self.procs[idx];
        let epoch = p.epoch();
        let (log, persisted, mem_epoch, is_leader) = match &p.raft {
            Some(r) => (
                r.log(),
                Some(r.quorum_state().leader_epoch),
                Some(r.epoch()),
                r.state_kind() == StateKind::Leader,
            ),
            None => (&p.disk.log, None, None, false),
        };
        let mut r = Report::new(
            &mut self.checker,
            &mut self.violations,
            &mut self.violation_count,
            &mut self.trace,
            self.now_ms,
            id,
            epoch,
            event,
        );
        r.checker.after_node_changed(
            idx,
            log,
            persisted.zip(mem_epoch),
            became_leader && is_leader,
            snapshot_changed,
            top_hw,
            &mut r.ctx,
        );
    }

    fn top_leader_hw(&self) -> Option<Offset> {
        self.procs[self.top_leader? as usize - 1].high_watermark()
    }

    fn checker_report(&mut self, id: NodeId, epoch: Epoch, event: EventDesc) -> Report<'_> {
        Report::new(
            &mut self.checker,
            &mut self.violations,
            &mut self.violation_count,
            &mut self.trace,
            self.now_ms,
            id,
            epoch,
            event,
        )
    }

    /// Make sure the node's timer entry fires no later than its next deadline. A
    /// deadline that moved later keeps the earlier entry (see [`World::step`]): most
    /// steps push the fetch or election timer back, and this spares the queue.
    fn reschedule(&mut self, idx: usize) {
        let now = self.now_ms;
        let p = &mut self.procs[idx];
        let Some(deadline) = p.raft.as_ref().and_then(|r| r.next_deadline()) else {
            return;
        };
        if p.timer_at.is_some_and(|t| t <= deadline) {
            return;
        }
        p.timer_gen = p.timer_gen.wrapping_add(1);
        p.timer_at = Some(deadline);
        let generation = p.timer_gen;
        self.push_event(
            deadline.max(now),
            What::Timer {
                idx: idx as u32,
                generation,
            },
        );
    }

    /// Start a stopped process from its disk (as its current incarnation).
    fn start(&mut self, id: NodeId) {
        let idx = id as usize - 1;
        let seed = self.spec.seed;
        let now = self.now_ms;
        let p = &mut self.procs[idx];
        let config = NodeConfig::new(
            id,
            &self.voters,
            CLUSTER_ID,
            p.quorum.clone(),
            derive_seed(seed, STREAM_NODE, id as u64, p.incarnation as u64),
        );
        let disk = std::mem::take(&mut p.disk);
        let mut node = RaftNode::new(config, disk, now);
        p.app = App::default();
        p.writable = false;
        p.timer_at = None;
        p.timer_gen = p.timer_gen.wrapping_add(1);
        let kind = node.state_kind();
        let incarnation = p.incarnation;
        let epoch = node.epoch();
        let mut actions = std::mem::take(&mut self.actions);
        actions.extend(node.drain_actions());
        self.procs[idx].raft = Some(node);
        self.emit(id, epoch, TraceKind::Started { incarnation });
        self.after_step(idx, kind, &mut actions, EventDesc::Start(id));
        self.actions = actions;
        // The startup state is checked as a snapshot change (SnapshotAtLogStart).
        self.after_node_changed(idx, false, true, EventDesc::Start(id));
    }

    /// The process stops: what it flushed stays on disk, the rest is gone.
    fn stop(&mut self, idx: usize, event: EventDesc) {
        let p = &mut self.procs[idx];
        let Some(node) = p.raft.take() else {
            return;
        };
        p.disk = node.durable_state();
        p.app = App::default();
        p.writable = false;
        p.timer_at = None;
        p.timer_gen = p.timer_gen.wrapping_add(1);
        if let Some(e) = p.leading.take() {
            let id = p.id;
            self.leaders.remove(&(e, id));
            self.update_top_leader();
        }
        self.after_node_changed(idx, false, false, event);
    }

    // ----- interventions -----

    /// Apply an intervention now.
    pub fn apply(&mut self, intervention: &Intervention) -> Result<(), InterventionError> {
        self.events += 1;
        let event = EventDesc::Intervention(fault_kind(intervention));
        match intervention {
            Intervention::Crash(id) => {
                let idx = self.idx_of(*id)?;
                if !self.procs[idx].alive() {
                    return Err(InterventionError::NotRunning(*id));
                }
                let epoch = self.procs[idx].epoch();
                self.emit(*id, epoch, TraceKind::Fault(FaultKind::Crash));
                self.stop(idx, event);
            }
            Intervention::Shutdown(id) => {
                let idx = self.idx_of(*id)?;
                if !self.procs[idx].alive() {
                    return Err(InterventionError::NotRunning(*id));
                }
                let epoch = self.procs[idx].epoch();
                self.emit(*id, epoch, TraceKind::Fault(FaultKind::Shutdown));
                self.step_node(
                    idx,
                    Input::Shutdown {
                        timeout_ms: SHUTDOWN_TIMEOUT_MS,
                    },
                    event,
                );
            }
            Intervention::Restart(id) => {
                let idx = self.idx_of(*id)?;
                if self.procs[idx].alive() {
                    return Err(InterventionError::Running(*id));
                }
                let epoch = self.procs[idx].epoch();
                self.emit(*id, epoch, TraceKind::Fault(FaultKind::Restart));
                self.procs[idx].incarnation += 1;
                self.start(*id);
            }
            Intervention::Wipe(id) => {
                let idx = self.idx_of(*id)?;
                if self.procs[idx].alive() {
                    return Err(InterventionError::Running(*id));
                }
                let epoch = self.procs[idx].epoch();
                self.emit(*id, epoch, TraceKind::Fault(FaultKind::Wipe));
                self.procs[idx].disk = DurableState::default();
                self.after_node_changed(idx, false, true, event);
            }
            Intervention::Isolate(id) => {
                self.idx_of(*id)?;
                self.net.isolate(*id);
                let epoch = self.process(*id).map_or(0, |p| p.epoch());
                self.emit(*id, epoch, TraceKind::Fault(FaultKind::Isolate));
            }
            Intervention::Partition(groups) => {
                for id in groups.iter().flatten() {
                    self.idx_of(*id)?;
                }
                self.net.partition(groups);
                self.emit(WORLD, 0, TraceKind::Fault(FaultKind::Partition));
            }
            Intervention::Cut { from, to } => {
                self.idx_of(*from)?;
                self.idx_of(*to)?;
                self.net.cut(*from, *to);
                self.emit(*from, 0, TraceKind::Fault(FaultKind::Cut));
            }
            Intervention::Heal => {
                self.net.heal();
                self.emit(WORLD, 0, TraceKind::Fault(FaultKind::Heal));
            }
            Intervention::Net { link, from, to } => {
                for id in from.iter().chain(to.iter()) {
                    self.idx_of(*id)?;
                }
                self.net.set_links(*link, *from, *to);
                self.emit(WORLD, 0, TraceKind::Fault(FaultKind::Net));
            }
            Intervention::Append(n) => self.append(*n),
            Intervention::Snapshot(id) => {
                let idx = self.idx_of(*id)?;
                if !self.procs[idx].alive() {
                    return Err(InterventionError::NotRunning(*id));
                }
                self.snapshot(idx);
            }
            Intervention::Set { key, value, node } => {
                if let Some(id) = node {
                    self.idx_of(*id)?;
                }
                for p in &mut self.procs {
                    if node.is_none_or(|n| n == p.id) {
                        key.apply(&mut p.quorum, *value);
                    }
                }
                self.emit(node.unwrap_or(WORLD), 0, TraceKind::Fault(FaultKind::Set));
            }
            Intervention::Relax(inv) => self.checker.relaxed |= inv.bit(),
        }
        Ok(())
    }

    fn append(&mut self, n: u32) {
        let Some(leader) = self.leader() else {
            self.emit(WORLD, 0, TraceKind::AppendRefused { records: n });
            return;
        };
        let records: Vec<SimRecord> = (1..=n as u64)
            .map(|i| SimRecord::Counter(self.next_counter + i))
            .collect();
        let idx = leader as usize - 1;
        if self.step_node(idx, Input::Append(records), EventDesc::Append) {
            self.next_counter += n as u64;
        } else {
            let epoch = self.procs[idx].epoch();
            self.emit(leader, epoch, TraceKind::AppendRefused { records: n });
        }
    }

    fn snapshot(&mut self, idx: usize) {
        let p = &self.procs[idx];
        let Some(raft) = &p.raft else { return };
        let offset = p.app.next_offset;
        let Some(snapshot_id) = raft.snapshot_id_at(offset) else {
            return;
        };
        if raft.log().read_snapshot(snapshot_id).is_some()
            || raft.high_watermark().is_none_or(|hw| hw < offset)
        {
            return;
        }
        let data: SimSnapshot = p.app.to_snapshot();
        let snapshot = Snapshot {
            snapshot_id,
            last_contained_log_timestamp_ms: self.now_ms,
            size_bytes: 1024 + 16 * data.records,
            data,
        };
        let id = p.id;
        self.step_node(
            idx,
            Input::CreateSnapshot(snapshot),
            EventDesc::Snapshot(id),
        );
    }
}

fn fault_kind(i: &Intervention) -> FaultKind {
    match i {
        Intervention::Crash(_) => FaultKind::Crash,
        Intervention::Shutdown(_) => FaultKind::Shutdown,
        Intervention::Restart(_) => FaultKind::Restart,
        Intervention::Wipe(_) => FaultKind::Wipe,
        Intervention::Isolate(_) => FaultKind::Isolate,
        Intervention::Partition(_) => FaultKind::Partition,
        Intervention::Cut { .. } => FaultKind::Cut,
        Intervention::Heal => FaultKind::Heal,
        Intervention::Net { .. } | Intervention::Append(_) | Intervention::Snapshot(_) => {
            FaultKind::Net
        }
        Intervention::Set { .. } | Intervention::Relax(_) => FaultKind::Set,
    }
}
