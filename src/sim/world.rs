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

mod admin;
pub use admin::{AdminProgress, FIRST_REQUEST_PARTITIONS, PARTITIONS_PER_REQUEST};

use super::config::{ClusterSpec, ConfigKey, MetadataSettings, Roles};
use super::invariants::{Checker, EventDesc, Report};
use super::net::{Fate, LinkSpec, Network};
use super::queue::{EventQueue, Timed};
use super::rng::{derive_seed, STREAM_NODE};
use super::trace::{
    DropReason, FaultKind, InvariantId, MsgInfo, StartRefusal, Trace, TraceEvent, TraceKind, WORLD,
};
use super::types::{batch_hash, App, SimNode, SimRecord, SimSnapshot, SimTypes};
use crate::kraft::{
    Action, DurableState, Envelope, Epoch, Input, NodeConfig, NodeId, Offset, QuorumConfig,
    RaftNode, Snapshot, StateKind,
};
use crate::metadata::broker::{BrokerLifecycle, BrokerRequest, BrokerState};
use crate::metadata::controller::{
    AlterPartitionRequest, AlterPartitionResults, BrokerHeartbeatReply, BrokerHeartbeatRequest,
    BrokerRegistrationRequest, ControllerConfig, ControllerError, QuorumController,
};
use crate::metadata::{MetadataImage, MetadataRecord, Uuid};
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
    /// `create-topic <name> partitions=<n> replication=<r>` at the active controller.
    CreateTopic {
        name: String,
        partitions: u32,
        replication: u32,
    },
    /// `create-partitions <name> count=<n>`: a CreatePartitions raising the topic's
    /// partition count to `count`.
    CreatePartitions {
        name: String,
        count: u32,
    },
    /// `delete-topic <name>`.
    DeleteTopic(String),
    /// `elect-leaders preferred [<topic>-<p>]`: an ElectLeaders request (PREFERRED) for one
    /// partition, or for all of them.
    ElectLeaders {
        partition: Option<(String, i32)>,
    },
    /// `set-config topic:<name> <key>=<value>`.
    SetTopicConfig {
        topic: String,
        key: String,
        value: String,
    },
    /// `register <id>`: the broker sends a BrokerRegistration now.
    Register(NodeId),
    /// `controlled-shutdown <id>`: the broker asks to shut down (WantShutDown).
    ControlledShutdown(NodeId),
    /// `server-properties <id> <key>=<value>…`: edit the node's server.properties
    /// (validated at its next start); an empty value removes the key.
    ServerProperties {
        node: NodeId,
        entries: Vec<(String, String)>,
    },
    /// `format <id> cluster-id=<id>`: `kafka-storage.sh format -t <id>` of the node's
    /// disk (its meta.properties cluster id, checked at its next start).
    Format {
        node: NodeId,
        cluster_id: String,
    },
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

/// A broker-to-controller RPC on the simulated network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControllerRpc {
    Registration(BrokerRegistrationRequest),
    RegistrationResponse(Result<i64, ControllerError>),
    Heartbeat(BrokerHeartbeatRequest),
    HeartbeatResponse(Result<BrokerHeartbeatReply, ControllerError>),
    AlterPartition(AlterPartitionRequest),
    AlterPartitionResponse(Result<AlterPartitionResults, ControllerError>),
}

impl ControllerRpc {
    fn info(&self, id: u64, from: NodeId, to: NodeId) -> MsgInfo {
        use super::trace::{Api, MsgDetail};
        let (api, detail) = match self {
            ControllerRpc::Registration(_) => (Api::BrokerRegistration, MsgDetail::None),
            ControllerRpc::RegistrationResponse(r) => (
                Api::BrokerRegistrationResponse,
                match r {
                    Ok(e) => MsgDetail::Registered { broker_epoch: *e },
                    Err(e) => MsgDetail::ControllerError(*e),
                },
            ),
            ControllerRpc::Heartbeat(h) => (
                Api::BrokerHeartbeat,
                MsgDetail::Heartbeat {
                    offset: h.current_metadata_offset,
                    want_shut_down: h.want_shut_down,
                },
            ),
            ControllerRpc::AlterPartition(r) => (
                Api::AlterPartition,
                MsgDetail::AlterPartition {
                    partitions: r.partitions.len() as u32,
                },
            ),
            ControllerRpc::AlterPartitionResponse(r) => (
                Api::AlterPartitionResponse,
                match r {
                    Ok(results) => MsgDetail::AlterPartitionReply {
                        accepted: results.iter().filter(|(_, r)| r.is_ok()).count() as u32,
                        partitions: results.len() as u32,
                    },
                    Err(e) => MsgDetail::ControllerError(*e),
                },
            ),
            ControllerRpc::HeartbeatResponse(r) => (
                Api::BrokerHeartbeatResponse,
                match r {
                    Ok(r) => MsgDetail::HeartbeatReply {
                        fenced: r.is_fenced,
                        should_shut_down: r.should_shut_down,
                    },
                    Err(e) => MsgDetail::ControllerError(*e),
                },
            ),
        };
        MsgInfo {
            id,
            from,
            to,
            api,
            detail,
        }
    }
}

#[derive(Clone, Debug)]
struct RpcInFlight {
    sent_at_ms: u64,
    info: MsgInfo,
    to_incarnation: u32,
    rpc: ControllerRpc,
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
    /// Metadata configuration for the next start.
    pub metadata: MetadataSettings,
    /// The quorum controller (controller role), active while this node leads.
    pub controller: Option<QuorumController>,
    /// The broker lifecycle (broker role), while running.
    pub broker: Option<BrokerLifecycle>,
    /// When this node last won an election (for the failover figure).
    elected_at_ms: Option<u64>,
    /// Its `server.properties` (Kafka's example shape for its roles until edited).
    pub server_properties: String,
    /// The cluster id its `meta.properties` holds.
    pub stored_cluster_id: String,
    /// Why its last start was refused (invalid server.properties, another cluster).
    pub start_error: Option<String>,
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

    /// This node's committed metadata image (its loader's).
    pub fn image(&self) -> &MetadataImage {
        &self.app.image
    }

    /// The broker's state (`NOT_RUNNING` when stopped); `None` for a controller-only node.
    pub fn broker_state(&self) -> Option<BrokerState> {
        if !self.roles.broker {
            return None;
        }
        Some(
            self.broker
                .as_ref()
                .map_or(BrokerState::NotRunning, |b| b.state),
        )
    }

    /// Offsets this node's image is behind its high watermark.
    pub fn metadata_lag(&self) -> i64 {
        match self.high_watermark() {
            Some(hw) => (hw - self.app.next_offset).max(0),
            None => 0,
        }
    }

    /// The earliest of the Raft, controller and broker deadlines.
    fn deadline(&self) -> Option<u64> {
        let raft = self.raft.as_ref()?.next_deadline();
        let c = self.controller.as_ref().and_then(|c| c.next_deadline());
        let b = self.broker.as_ref().and_then(|b| b.next_deadline());
        crate::kraft::earliest(crate::kraft::earliest(raft, c), b)
    }
}

/// A message on the wire.
#[derive(Clone, Copy, Debug)]
pub struct Flight<'a> {
    pub sent_at_ms: u64,
    pub deliver_at_ms: u64,
    pub info: &'a MsgInfo,
    pub payload: FlightPayload<'a>,
}

/// What a message in flight carries: a KRaft RPC between quorum members, or a
/// broker-to-controller RPC of the metadata layer.
#[derive(Clone, Copy, Debug)]
pub enum FlightPayload<'a> {
    Raft(&'a Envelope<SimTypes>),
    Controller(&'a ControllerRpc),
}

impl Flight<'_> {
    /// Tells a message from its network duplicate's twin apart from other messages on the
    /// same route sent at the same time: the Raft correlation id, or (controller RPCs are
    /// never duplicated) the message id.
    pub fn twin_key(&self) -> i64 {
        match self.payload {
            FlightPayload::Raft(e) => e.correlation_id as i64,
            FlightPayload::Controller(_) => -1 - self.info.id as i64,
        }
    }
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
    pub sent: [u64; super::trace::Api::ALL.len()],
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
    DeliverRpc(u32),
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

/// A slot of [`World::in_flight`]. The envelope is `None` while the slot is free.
/// Written field by field in place and the envelope alone taken at delivery: each
/// move is then small enough to be a few register copies rather than a `memcpy`
/// call of the whole slot (one per send and one per delivery).
#[derive(Clone, Debug)]
struct InFlight {
    info: MsgInfo,
    sent_at_ms: u64,
    to_incarnation: u32,
    envelope: Option<Envelope<SimTypes>>,
}

/// Where [`World::arrives`] finds the description of the message arriving.
enum Arriving<'a> {
    /// A Raft message's, in its in-flight slot.
    InFlight(u32),
    /// A controller RPC's, held by the caller.
    Rpc(&'a MsgInfo),
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
    in_flight: Vec<InFlight>,
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
    /// [`CLUSTER_ID`], one `Arc` every node's config shares: the nodes' requests carry
    /// it, so a receiver's cluster-id check compares pointers, not strings.
    cluster_id: Arc<str>,
    actions: Vec<Action<SimTypes>>,
    rpcs: Vec<Option<RpcInFlight>>,
    free_rpc_slots: Vec<u32>,
    /// A `create-topic` too large for one request ([`admin`]).
    admin_job: Option<Box<admin::AdminJob>>,
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
                metadata: spec.metadata_for(id),
                controller: None,
                broker: None,
                elected_at_ms: None,
                server_properties: default_server_properties(&spec, id),
                stored_cluster_id: CLUSTER_ID.to_string(),
                start_error: None,
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
            cluster_id: CLUSTER_ID.into(),
            actions: Vec::new(),
            rpcs: Vec::new(),
            free_rpc_slots: Vec::new(),
            admin_job: None,
        };
        let spec = world.spec.clone();
        for (node, key, value) in &spec.server_properties {
            if let Some(p) = world.procs.get_mut(*node as usize - 1) {
                p.server_properties =
                    edit_properties(&p.server_properties, &[(key.clone(), value.clone())]);
            }
        }
        for (node, cluster_id) in &spec.formats {
            if let Some(p) = world.procs.get_mut(*node as usize - 1) {
                p.stored_cluster_id = cluster_id.clone();
            }
        }
        for id in 1..=world.spec.max_node_id() {
            world.start(id);
        }
        world
    }

    // ----- read access -----

    pub fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    /// Why node `id`'s last start was refused, in Kafka's words.
    pub fn start_error(&self, id: NodeId) -> Option<&str> {
        self.process(id)?.start_error.as_deref()
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
            What::Deliver(slot) => {
                let m = &self.in_flight[slot as usize];
                m.envelope.as_ref().map(|e| Flight {
                    sent_at_ms: m.sent_at_ms,
                    deliver_at_ms: q.at_ms,
                    info: &m.info,
                    payload: FlightPayload::Raft(e),
                })
            }
            What::DeliverRpc(slot) => self.rpcs[slot as usize].as_ref().map(|m| Flight {
                sent_at_ms: m.sent_at_ms,
                deliver_at_ms: q.at_ms,
                info: &m.info,
                payload: FlightPayload::Controller(&m.rpc),
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
            cluster_id: self.cluster_id.clone(),
            actions: Vec::new(),
            rpcs: self.rpcs.clone(),
            free_rpc_slots: self.free_rpc_slots.clone(),
            admin_job: self.admin_job.clone(),
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
                let m = &mut self.in_flight[slot as usize];
                let envelope = m
                    .envelope
                    .take()
                    .expect("a queued delivery has its message");
                // Freed before the delivery, so that the step's own sends reuse this
                // slot while it is in cache (`deliver` reads the message's description
                // before the node steps).
                self.free_slots.push(slot);
                self.events += 1;
                self.deliver(slot, envelope);
            }
            What::DeliverRpc(slot) => {
                let m = self.rpcs[slot as usize]
                    .take()
                    .expect("a queued delivery has its message");
                self.free_rpc_slots.push(slot);
                self.events += 1;
                self.deliver_rpc(m);
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
                let raft_due = raft.next_deadline().is_some_and(|d| d <= now);
                // Timers are scheduled lazily: a deadline that moved later keeps its
                // old queue entry, which lands here early and is pushed again.
                match p.deadline() {
                    None => return true,
                    Some(d) if d > now => {
                        self.schedule_timer(idx as usize, d);
                        return true;
                    }
                    Some(_) => {}
                }
                self.events += 1;
                let id = p.id;
                if raft_due {
                    self.step_node(idx as usize, Input::Tick, EventDesc::Timer(id));
                }
                self.metadata_tick(idx as usize);
                self.reschedule(idx as usize);
            }
        }
        // Checked here rather than in the callee: there is almost never a job, and
        // this runs after every event.
        if self.admin_job.is_some() {
            self.maybe_continue_admin_job();
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

    #[inline]
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
        self.trace
            .push_sent(self.now_ms, envelope.from, epoch, &info);
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
                    self.enqueue_message(
                        self.now_ms + dup_ms,
                        copy_info,
                        to_incarnation,
                        envelope.clone(),
                    );
                }
                self.enqueue_message(self.now_ms + latency_ms, info, to_incarnation, envelope);
            }
        }
    }

    fn enqueue_message(
        &mut self,
        at_ms: u64,
        info: MsgInfo,
        to_incarnation: u32,
        envelope: Envelope<SimTypes>,
    ) {
        let sent_at_ms = self.now_ms;
        let slot = match self.free_slots.pop() {
            Some(s) => {
                let m = &mut self.in_flight[s as usize];
                m.info = info;
                m.sent_at_ms = sent_at_ms;
                m.to_incarnation = to_incarnation;
                m.envelope = Some(envelope);
                s
            }
            None => {
                self.in_flight.push(InFlight {
                    info,
                    sent_at_ms,
                    to_incarnation,
                    envelope: Some(envelope),
                });
                (self.in_flight.len() - 1) as u32
            }
        };
        self.push_event(at_ms, What::Deliver(slot));
    }

    /// The delivery check Raft and controller RPCs share: a message arrives unless its
    /// link is cut (a node never cuts itself: a combined node's broker talks to its own
    /// controller) or the receiver is down or restarted since it was sent. Counts and
    /// traces the outcome.
    // Always inlined: once per delivery, and the two callers differ in where the
    // message's description is.
    #[inline(always)]
    fn arrives(
        &mut self,
        from: NodeId,
        to: NodeId,
        to_incarnation: u32,
        info: Arriving<'_>,
    ) -> bool {
        let epoch = self.procs[to as usize - 1].epoch();
        // Read in place: a Raft message's description stays in its in-flight slot.
        let info = match info {
            Arriving::InFlight(slot) => &self.in_flight[slot as usize].info,
            Arriving::Rpc(info) => info,
        };
        match self.drop_reason(from, to, to_incarnation) {
            Some(reason) => {
                let info = *info;
                self.dropped_on_arrival(to, epoch, info, reason);
                false
            }
            None => {
                self.messages.delivered += 1;
                self.trace.push_delivered(self.now_ms, to, epoch, info);
                true
            }
        }
    }

    /// Why a message to `to` does not arrive, if it does not ([`World::arrives`]).
    #[inline]
    fn drop_reason(&self, from: NodeId, to: NodeId, to_incarnation: u32) -> Option<DropReason> {
        let p = &self.procs[to as usize - 1];
        if from != to && self.net.is_blocked(from, to) {
            Some(DropReason::Cut)
        } else if p.raft.is_none() || p.incarnation != to_incarnation {
            Some(DropReason::ReceiverDown)
        } else {
            None
        }
    }

    #[cold]
    fn dropped_on_arrival(&mut self, to: NodeId, epoch: Epoch, info: MsgInfo, reason: DropReason) {
        self.messages.dropped += 1;
        self.emit(to, epoch, TraceKind::Dropped { msg: info, reason });
    }

    /// Deliver the envelope taken from in-flight slot `slot` (whose other fields are
    /// still intact).
    fn deliver(&mut self, slot: u32, envelope: Envelope<SimTypes>) {
        let (from, to) = (envelope.from, envelope.to);
        let idx = to as usize - 1;
        // The slot read once (one bounds check), before `arrives` reads its description.
        let m = &self.in_flight[slot as usize];
        let to_incarnation = m.to_incarnation;
        let event = EventDesc::Deliver {
            id: m.info.id,
            api: m.info.api,
            from: m.info.from,
            to: m.info.to,
        };
        if !self.arrives(from, to, to_incarnation, Arriving::InFlight(slot)) {
            return;
        }
        self.step_node(idx, Input::Receive(envelope), event);
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
        let mut leader_changed = false;
        let mut committed = false;
        for action in actions.drain(..) {
            // The node's epoch, for the traces and reports below. Not for a send (almost
            // half the actions), which traces its message's own epoch.
            let epoch = match &action {
                Action::Send(_) => 0,
                _ => self.procs[idx].raft.as_ref().map_or(0, |r| r.epoch()),
            };
            match action {
                Action::Send(envelope) => self.send(envelope),
                Action::PersistQuorumState(es) => {
                    let mut r = self.checker_report(id, epoch, event);
                    r.checker.on_persist(idx, es, &mut r.ctx);
                }
                Action::Flush { .. } => {}
                Action::LeaderChange(le) => {
                    self.procs[idx].writable = le.leader_id == Some(id);
                    leader_changed = true;
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
                        self.procs[idx].elected_at_ms = Some(self.now_ms);
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
                        // Every node applies the same shared batch (`Arc`), and the
                        // LogMatching invariant hashed it when a log first held it.
                        let hash = self
                            .checker
                            .log_matching
                            .known_batch_hash(batch)
                            .unwrap_or_else(|| batch_hash(batch));
                        debug_assert_eq!(hash, batch_hash(batch));
                        self.procs[idx].app.apply_hashed(batch, hash);
                        let after = self.procs[idx].app.chain_hash;
                        up_to = batch.end_offset();
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
                        r.checker.on_commit(batch, before, after, &mut r.ctx);
                        r.checker.on_image(idx, &self.procs[idx].app, &mut r.ctx);
                    }
                    self.emit(id, epoch, TraceKind::Committed { up_to });
                    committed = true;
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
                    r.checker.on_load_snapshot(writable, &snapshot, &mut r.ctx);
                    r.checker.on_image(idx, &self.procs[idx].app, &mut r.ctx);
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
            if leader_changed || kind != StateKind::Leader {
                self.sync_controller(idx);
            }
            if committed {
                self.maybe_auto_snapshot(idx);
            }
            self.reschedule(idx);
        }
    }

    // ----- the metadata layer: controller, brokers, loader snapshots -----

    /// Activate the controller when its node's state machine has been told it leads
    /// (`handleLeaderChange` naming itself, which comes once the loader has replayed up
    /// to the epoch start); renounce when it no longer leads.
    // Inlined: most calls return at the first checks, the rest runs out of line.
    #[inline]
    fn sync_controller(&mut self, idx: usize) {
        let p = &self.procs[idx];
        let Some(ctrl) = &p.controller else { return };
        let leads = p.writable && p.state_kind() == Some(StateKind::Leader);
        // An inactive controller on a node that does not lead has nothing to renounce
        // or activate (what follows would find that out after reading more).
        if !leads && !ctrl.is_active() {
            return;
        }
        self.sync_controller_slow(idx, leads);
    }

    /// [`World::sync_controller`] for a node that leads or whose controller is active.
    #[inline(never)]
    fn sync_controller_slow(&mut self, idx: usize, leads: bool) {
        let now = self.now_ms;
        let p = &self.procs[idx];
        let Some(ctrl) = &p.controller else { return };
        let id = p.id;
        let epoch = p.epoch();
        if ctrl.is_active() && (!leads || ctrl.epoch() != Some(epoch)) {
            self.procs[idx]
                .controller
                .as_mut()
                .expect("controller")
                .renounce();
            self.emit(id, epoch, TraceKind::ControllerRenounced);
        }
        let p = &self.procs[idx];
        let Some(next) = p.raft.as_ref().and_then(|r| r.next_append_offset()) else {
            return;
        };
        if !leads || p.controller.as_ref().is_some_and(|c| c.is_active()) {
            return;
        }
        let image = p.app.image.clone();
        let elected = p.elected_at_ms.unwrap_or(now);
        let records = self.procs[idx]
            .controller
            .as_mut()
            .expect("controller")
            .activate(now, epoch, &image, next);
        self.emit(
            id,
            epoch,
            TraceKind::ControllerActivated {
                after_election_ms: now - elected,
            },
        );
        self.controller_append(idx, records);
    }

    /// Append the active controller's records as one batch.
    fn controller_append(&mut self, idx: usize, records: Vec<MetadataRecord>) {
        if records.is_empty() {
            return;
        }
        let records = records.into_iter().map(SimRecord::Metadata).collect();
        if !self.step_node(idx, Input::Append(records), EventDesc::Append) {
            if let Some(c) = self.procs[idx].controller.as_mut() {
                c.renounce();
            }
        }
    }

    /// The active controller's node, if any.
    pub fn active_controller(&self) -> Option<NodeId> {
        let l = self.leader()?;
        self.process(l)?
            .controller
            .as_ref()
            .is_some_and(|c| c.is_active())
            .then_some(l)
    }

    fn next_append_offset(&self, idx: usize) -> Option<Offset> {
        self.procs[idx].raft.as_ref()?.next_append_offset()
    }

    /// Controller and broker timers.
    fn metadata_tick(&mut self, idx: usize) {
        let now = self.now_ms;
        if self.procs[idx]
            .controller
            .as_ref()
            .and_then(|c| c.next_deadline())
            .is_some_and(|d| d <= now)
        {
            if let Some(next) = self.next_append_offset(idx) {
                let records = self.procs[idx]
                    .controller
                    .as_mut()
                    .expect("controller")
                    .tick(now, next);
                self.controller_append(idx, records);
            } else {
                self.sync_controller(idx);
            }
        }
        self.broker_poll(idx);
    }

    fn broker_poll(&mut self, idx: usize) {
        let now = self.now_ms;
        let p = &mut self.procs[idx];
        let offset = p.app.next_offset - 1;
        let target = p.raft.as_ref().and_then(|r| r.leader_and_epoch().leader_id);
        let id = p.id;
        let Some(b) = p.broker.as_mut() else { return };
        if b.next_deadline().is_none_or(|d| d > now) {
            return;
        }
        let Some(request) = b.poll(now, offset) else {
            return;
        };
        let Some(to) = target else {
            return;
        };
        let heartbeat = matches!(request, BrokerRequest::Heartbeat(_));
        let rpc = match request {
            BrokerRequest::Registration(r) => ControllerRpc::Registration(r),
            BrokerRequest::Heartbeat(h) => ControllerRpc::Heartbeat(h),
        };
        self.send_rpc(id, to, rpc);
        if heartbeat {
            // The partition leader's ISR check runs at the heartbeat cadence (see
            // `BrokerLifecycle::alter_partition_request`).
            let p = &mut self.procs[idx];
            let image = &p.app.image;
            if let Some(request) = p
                .broker
                .as_mut()
                .and_then(|b| b.alter_partition_request(now, image))
            {
                self.send_rpc(id, to, ControllerRpc::AlterPartition(request));
            }
        }
    }

    fn send_rpc(&mut self, from: NodeId, to: NodeId, rpc: ControllerRpc) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let info = rpc.info(id, from, to);
        let epoch = self.process(from).map_or(0, |p| p.epoch());
        self.messages.sent[info.api as usize] += 1;
        self.emit(from, epoch, TraceKind::Sent(info));
        let Some(to_incarnation) = self.process(to).map(|p| p.incarnation) else {
            return;
        };
        let fate = if from == to {
            Fate::Deliver {
                latency_ms: 0,
                duplicate_latency_ms: None,
            }
        } else {
            self.net.route(from, to)
        };
        let reason = match fate {
            Fate::Blocked => DropReason::Cut,
            Fate::Lost => DropReason::Loss,
            Fate::Deliver { latency_ms, .. } => {
                let m = RpcInFlight {
                    sent_at_ms: self.now_ms,
                    info,
                    to_incarnation,
                    rpc,
                };
                let slot = match self.free_rpc_slots.pop() {
                    Some(s) => {
                        self.rpcs[s as usize] = Some(m);
                        s
                    }
                    None => {
                        self.rpcs.push(Some(m));
                        (self.rpcs.len() - 1) as u32
                    }
                };
                self.push_event(self.now_ms + latency_ms, What::DeliverRpc(slot));
                return;
            }
        };
        self.messages.dropped += 1;
        self.emit(from, epoch, TraceKind::Dropped { msg: info, reason });
    }

    fn deliver_rpc(&mut self, m: RpcInFlight) {
        let (from, to) = (m.info.from, m.info.to);
        let idx = to as usize - 1;
        if !self.arrives(from, to, m.to_incarnation, Arriving::Rpc(&m.info)) {
            return;
        }
        let now = self.now_ms;
        match m.rpc {
            ControllerRpc::Registration(r) => {
                let reply =
                    self.handle_at_controller(idx, |c, next| c.register_broker(now, r, next));
                self.send_rpc(to, from, ControllerRpc::RegistrationResponse(reply));
            }
            ControllerRpc::Heartbeat(h) => {
                let reply = self.handle_at_controller(idx, |c, next| c.heartbeat(now, h, next));
                self.send_rpc(to, from, ControllerRpc::HeartbeatResponse(reply));
            }
            ControllerRpc::AlterPartition(r) => {
                let reply =
                    self.handle_at_controller(idx, |c, next| c.alter_partition(now, &r, next));
                self.send_rpc(to, from, ControllerRpc::AlterPartitionResponse(reply));
            }
            ControllerRpc::AlterPartitionResponse(_) => {
                self.with_broker(idx, |b, _| b.on_alter_partition_reply());
            }
            ControllerRpc::RegistrationResponse(r) => {
                self.with_broker(idx, |b, now| b.on_registration_reply(now, r));
            }
            ControllerRpc::HeartbeatResponse(r) => {
                self.with_broker(idx, |b, now| b.on_heartbeat_reply(now, r));
            }
        }
    }

    /// A broker RPC at node `idx`'s controller: NOT_CONTROLLER unless it is one that may
    /// write now; otherwise `handle` answers and its records are appended as one batch.
    fn handle_at_controller<R>(
        &mut self,
        idx: usize,
        handle: impl FnOnce(
            &mut QuorumController,
            Offset,
        ) -> Result<(R, Vec<MetadataRecord>), ControllerError>,
    ) -> Result<R, ControllerError> {
        let result = match (
            self.next_append_offset(idx),
            self.procs[idx].controller.as_mut(),
        ) {
            (Some(next), Some(c)) => handle(c, next),
            _ => Err(ControllerError::NotController),
        };
        let reply = result.map(|(reply, records)| {
            self.controller_append(idx, records);
            reply
        });
        self.reschedule(idx);
        reply
    }

    /// Run `f` on the node's broker, trace a state change, and shut the process down
    /// when the broker reaches SHUTTING_DOWN.
    fn with_broker(&mut self, idx: usize, f: impl FnOnce(&mut BrokerLifecycle, u64)) {
        let now = self.now_ms;
        let p = &mut self.procs[idx];
        let id = p.id;
        let epoch = p.epoch();
        let Some(b) = p.broker.as_mut() else { return };
        let before = b.state;
        f(b, now);
        let after = b.state;
        if before != after {
            self.emit(
                id,
                epoch,
                TraceKind::BrokerStateChanged {
                    from: before,
                    to: after,
                },
            );
            if after == BrokerState::ShuttingDown {
                self.step_node(
                    idx,
                    Input::Shutdown {
                        timeout_ms: SHUTDOWN_TIMEOUT_MS,
                    },
                    EventDesc::Intervention(FaultKind::Shutdown),
                );
            }
        }
        self.reschedule(idx);
    }

    /// The loader writes a snapshot once `metadata.log.max.record.bytes.between.snapshots`
    /// bytes of metadata records were applied since the last one.
    fn maybe_auto_snapshot(&mut self, idx: usize) {
        let p = &self.procs[idx];
        if p.metadata.snapshot_bytes == 0 || p.app.bytes_since_snapshot < p.metadata.snapshot_bytes
        {
            return;
        }
        self.procs[idx].app.bytes_since_snapshot = 0;
        self.procs[idx].app.records_since_snapshot = 0;
        self.snapshot(idx);
    }

    /// One admin request at the active controller; false when refused.
    fn admin(&mut self, intervention: &Intervention) -> bool {
        let now = self.now_ms;
        let Some(leader) = self.active_controller() else {
            self.emit(
                WORLD,
                0,
                TraceKind::AdminRefused {
                    error: ControllerError::NotController,
                },
            );
            return false;
        };
        let idx = leader as usize - 1;
        let Some(next) = self.next_append_offset(idx) else {
            return false;
        };
        let c = self.procs[idx]
            .controller
            .as_mut()
            .expect("active controller");
        let result = match intervention {
            Intervention::CreateTopic {
                name,
                partitions,
                replication,
            } => c.create_topic(now, name, *partitions, *replication, next),
            Intervention::CreatePartitions { name, count } => {
                c.create_partitions(now, name, *count, next)
            }
            Intervention::DeleteTopic(name) => c.delete_topic(now, name, next),
            Intervention::ElectLeaders { partition } => c.elect_preferred_leaders(
                now,
                partition.as_ref().map(|(t, p)| (t.as_str(), *p)),
                next,
            ),
            Intervention::SetTopicConfig { topic, key, value } => {
                c.set_topic_config(now, topic, key, value, next)
            }
            _ => Ok(Vec::new()),
        };
        match result {
            Ok(records) => {
                self.controller_append(idx, records);
                self.reschedule(idx);
                true
            }
            Err(error) => {
                let epoch = self.procs[idx].epoch();
                self.emit(leader, epoch, TraceKind::AdminRefused { error });
                false
            }
        }
    }

    /// Per-node invariants that look at the node's state after it changed. Inlined
    /// into every caller (it runs after every node step): most steps leave the log and
    /// epochs as the last check saw them, and then this is a few comparisons.
    #[inline(always)]
    fn after_node_changed(
        &mut self,
        idx: usize,
        became_leader: bool,
        snapshot_changed: bool,
        event: EventDesc,
    ) {
        let (log, epochs, _) = Self::checked_parts(&self.procs[idx]);
        if !became_leader && !snapshot_changed && !self.checker.node_changed(idx, log, epochs) {
            return;
        }
        self.check_changed_node(idx, became_leader, snapshot_changed, event);
    }

    /// What the per-node checks read of node `p`: its log, its (persisted, in-memory)
    /// epochs while it runs, and whether it leads.
    #[inline(always)]
    fn checked_parts(
        p: &Process,
    ) -> (
        &crate::kraft::ReplicatedLog<SimTypes>,
        Option<(Epoch, Epoch)>,
        bool,
    ) {
        match &p.raft {
            Some(r) => (
                r.log(),
                Some((r.quorum_state().leader_epoch, r.epoch())),
                r.state_kind() == StateKind::Leader,
            ),
            None => (&p.disk.log, None, false),
        }
    }

    /// [`World::after_node_changed`] for a node whose log or epochs changed (or that
    /// became leader or changed its snapshots). Reads only that node, and the top
    /// leader's high watermark only if the node's log end moved.
    #[inline(never)]
    fn check_changed_node(
        &mut self,
        idx: usize,
        became_leader: bool,
        snapshot_changed: bool,
        event: EventDesc,
    ) {
        let p = &self.procs[idx];
        let (log, epochs, is_leader) = Self::checked_parts(p);
        let (procs, top_leader) = (&self.procs, self.top_leader);
        let mut r = Report::new(
            &mut self.checker,
            &mut self.violations,
            &mut self.violation_count,
            &mut self.trace,
            self.now_ms,
            p.id,
            p.epoch(),
            event,
        );
        r.checker.after_node_changed(
            idx,
            log,
            epochs,
            became_leader && is_leader,
            snapshot_changed,
            || Self::top_leader_hw(procs, top_leader),
            &mut r.ctx,
        );
    }

    /// The high watermark of `top_leader` (the highest-epoch leader), if any.
    fn top_leader_hw(procs: &[Process], top_leader: Option<NodeId>) -> Option<Offset> {
        procs[top_leader? as usize - 1].high_watermark()
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
    // Inlined, with the rare push out of line: most calls find the entry early enough.
    #[inline]
    fn reschedule(&mut self, idx: usize) {
        let p = &self.procs[idx];
        let Some(deadline) = p.deadline() else {
            return;
        };
        if p.timer_at.is_some_and(|t| t <= deadline) {
            return;
        }
        self.schedule_timer(idx, deadline);
    }

    /// Push a new timer entry for the node at `deadline` (older entries go stale).
    #[inline(never)]
    fn schedule_timer(&mut self, idx: usize, deadline: u64) {
        let now = self.now_ms;
        let p = &mut self.procs[idx];
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

    /// Start a stopped process from its disk (as its current incarnation), once its
    /// server.properties validates and its meta.properties names this cluster
    /// (`KafkaRaftServer` startup); otherwise it stays down and the trace says why.
    fn start(&mut self, id: NodeId) {
        let idx = id as usize - 1;
        let p = &mut self.procs[idx];
        let refusal = match crate::server::ServerConfig::parse(&p.server_properties) {
            Err(errors) => Some((
                StartRefusal::InvalidConfig,
                format!("Invalid server.properties: {errors}"),
            )),
            Ok(_) if p.stored_cluster_id != CLUSTER_ID => Some((
                StartRefusal::InconsistentClusterId,
                format!(
                    "INCONSISTENT_CLUSTER_ID: The Cluster ID {CLUSTER_ID} doesn't match stored clusterId Some({}) in meta.properties. The broker is trying to join the wrong cluster.",
                    p.stored_cluster_id
                ),
            )),
            Ok(_) => None,
        };
        p.start_error = refusal.as_ref().map(|(_, m)| m.clone());
        if let Some((reason, _)) = refusal {
            let epoch = p.epoch();
            self.emit(id, epoch, TraceKind::StartRefused { reason });
            return;
        }
        let seed = self.spec.seed;
        let now = self.now_ms;
        let p = &mut self.procs[idx];
        let config = NodeConfig::new(
            id,
            &self.voters,
            self.cluster_id.clone(),
            p.quorum.clone(),
            derive_seed(seed, STREAM_NODE, id as u64, p.incarnation as u64),
        );
        let disk = std::mem::take(&mut p.disk);
        let mut node = RaftNode::new(config, disk, now);
        p.app = p.app.restarted();
        let m = p.metadata;
        p.controller = p.roles.controller.then(|| {
            QuorumController::new(ControllerConfig {
                broker_heartbeat_interval_ms: m.broker_heartbeat_interval_ms,
                broker_session_timeout_ms: m.broker_session_timeout_ms,
                metadata_max_idle_interval_ms: m.metadata_max_idle_interval_ms,
                leader_imbalance_check_interval_ms: m.leader_imbalance_check_interval_ms(),
            })
        });
        p.broker = p.roles.broker.then(|| {
            BrokerLifecycle::new(
                id,
                Uuid::from_u128(((id as u128) << 32) | p.incarnation as u128 | (1 << 100)),
                m.broker_heartbeat_interval_ms,
                now,
            )
        });
        p.elected_at_ms = None;
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
        p.app = p.app.restarted();
        p.controller = None;
        p.broker = None;
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
                        key.apply_metadata(&mut p.metadata, *value);
                    }
                }
                self.emit(node.unwrap_or(WORLD), 0, TraceKind::Fault(FaultKind::Set));
            }
            Intervention::Relax(inv) => self.checker.relaxed |= inv.bit(),
            Intervention::CreateTopic {
                name,
                partitions,
                replication,
            } => {
                self.emit(WORLD, 0, TraceKind::Fault(FaultKind::Admin));
                self.create_topic_tool(name, *partitions, *replication);
            }
            Intervention::DeleteTopic(name) => {
                self.emit(WORLD, 0, TraceKind::Fault(FaultKind::Admin));
                self.admin_topic_deleted(name);
                self.admin(intervention);
            }
            Intervention::CreatePartitions { .. }
            | Intervention::ElectLeaders { .. }
            | Intervention::SetTopicConfig { .. } => {
                self.emit(WORLD, 0, TraceKind::Fault(FaultKind::Admin));
                self.admin(intervention);
            }
            Intervention::Register(id) => {
                let idx = self.idx_of(*id)?;
                if !self.procs[idx].alive() {
                    return Err(InterventionError::NotRunning(*id));
                }
                self.emit(*id, 0, TraceKind::Fault(FaultKind::Admin));
                self.with_broker(idx, |b, now| b.reregister(now));
                self.broker_poll(idx);
                self.reschedule(idx);
            }
            Intervention::ServerProperties { node, entries } => {
                let idx = self.idx_of(*node)?;
                let p = &mut self.procs[idx];
                p.server_properties = edit_properties(&p.server_properties, entries);
                self.emit(*node, 0, TraceKind::Fault(FaultKind::Set));
            }
            Intervention::Format { node, cluster_id } => {
                let idx = self.idx_of(*node)?;
                if self.procs[idx].alive() {
                    return Err(InterventionError::Running(*node));
                }
                self.procs[idx].stored_cluster_id = cluster_id.clone();
                self.emit(*node, 0, TraceKind::Fault(FaultKind::Set));
            }
            Intervention::ControlledShutdown(id) => {
                let idx = self.idx_of(*id)?;
                if !self.procs[idx].alive() {
                    return Err(InterventionError::NotRunning(*id));
                }
                self.emit(*id, 0, TraceKind::Fault(FaultKind::Admin));
                self.with_broker(idx, |b, now| b.begin_controlled_shutdown(now));
                self.broker_poll(idx);
                self.reschedule(idx);
            }
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
            Input::CreateSnapshot(Box::new(snapshot)),
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
        Intervention::CreateTopic { .. }
        | Intervention::CreatePartitions { .. }
        | Intervention::DeleteTopic(_)
        | Intervention::ElectLeaders { .. }
        | Intervention::SetTopicConfig { .. }
        | Intervention::Register(_)
        | Intervention::ControlledShutdown(_) => FaultKind::Admin,
        Intervention::ServerProperties { .. } | Intervention::Format { .. } => FaultKind::Set,
    }
}

/// The server.properties node `id` starts with: Kafka's example file for its roles,
/// with the cluster's static voters.
pub fn default_server_properties(spec: &ClusterSpec, id: NodeId) -> String {
    use crate::server::{ProcessRoles, QuorumVoter, ServerConfig};
    let roles = spec.roles(id);
    let roles = match (roles.broker, roles.controller) {
        (true, true) => ProcessRoles::Combined,
        (false, true) => ProcessRoles::Controller,
        _ => ProcessRoles::Broker,
    };
    let voters: Vec<QuorumVoter> = spec
        .voters()
        .into_iter()
        .map(QuorumVoter::for_node)
        .collect();
    ServerConfig::default_for(id, roles, &voters).to_properties_text()
}

/// Set (or, with an empty value, remove) keys of a properties text: the old lines for
/// a key go, the new `key=value` lines are appended.
pub fn edit_properties(text: &str, entries: &[(String, String)]) -> String {
    let mut out: String = text
        .lines()
        .filter(|line| {
            let key = line.split(['=', ':']).next().unwrap_or("").trim();
            !entries.iter().any(|(k, _)| k == key)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    for (k, v) in entries {
        if !v.is_empty() {
            out.push_str(&format!("{k}={v}\n"));
        }
    }
    out
}
