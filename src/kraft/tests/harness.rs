//! A minimal in-memory cluster for the core's tests: fixed 1 ms links, FIFO delivery,
//! timers fired at their deadlines, crash/restart with durable state, and link cuts.
//! (The full simulator lives in `crate::sim`; this one only needs to be obviously
//! right.)

use crate::kraft::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Records are integers; a snapshot is the sum of the records it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestTypes;

impl RaftTypes for TestTypes {
    type Record = u64;
    type Snapshot = u64;
    fn record_size_bytes(_: &u64) -> u32 {
        8
    }
}

pub type Node = RaftNode<TestTypes>;

pub const LATENCY_MS: u64 = 1;

pub fn config(id: NodeId, voters: &[NodeId]) -> NodeConfig {
    let quorum = QuorumConfig {
        // Fetches come back at once when empty, so the tests move quickly.
        fetch_max_wait_ms: 100,
        ..QuorumConfig::default()
    };
    NodeConfig::new(id, voters, "kraftscope-test", quorum, 1000 + id as u64)
}

pub struct Cluster {
    pub now_ms: u64,
    pub configs: BTreeMap<NodeId, NodeConfig>,
    pub nodes: BTreeMap<NodeId, Node>,
    pub disks: BTreeMap<NodeId, DurableState<TestTypes>>,
    pub in_flight: VecDeque<(u64, Envelope<TestTypes>)>,
    pub cut: BTreeSet<(NodeId, NodeId)>,
    /// Every action each node produced, for assertions.
    pub log: Vec<(u64, NodeId, Action<TestTypes>)>,
    /// Committed records each node's state machine received, by offset.
    pub applied: BTreeMap<NodeId, BTreeMap<Offset, u64>>,
    pub fatal: Vec<String>,
}

impl Cluster {
    pub fn new(voters: &[NodeId], observers: &[NodeId]) -> Self {
        Self::with_config(voters, observers, |_| {})
    }

    pub fn with_config(
        voters: &[NodeId],
        observers: &[NodeId],
        tweak: impl Fn(&mut NodeConfig),
    ) -> Self {
        let mut c = Cluster {
            now_ms: 0,
            configs: BTreeMap::new(),
            nodes: BTreeMap::new(),
            disks: BTreeMap::new(),
            in_flight: VecDeque::new(),
            cut: BTreeSet::new(),
            log: Vec::new(),
            applied: BTreeMap::new(),
            fatal: Vec::new(),
        };
        for &id in voters.iter().chain(observers) {
            let mut cfg = config(id, voters);
            tweak(&mut cfg);
            c.configs.insert(id, cfg);
            c.start(id);
        }
        c
    }

    pub fn start(&mut self, id: NodeId) {
        let disk = self.disks.remove(&id).unwrap_or_default();
        let node = Node::new(self.configs[&id].clone(), disk, self.now_ms);
        self.nodes.insert(id, node);
        self.applied.insert(id, BTreeMap::new());
        self.collect(id);
    }

    /// Hard crash: only the durable state survives.
    pub fn crash(&mut self, id: NodeId) {
        if let Some(node) = self.nodes.remove(&id) {
            self.disks.insert(id, node.durable_state());
        }
    }

    pub fn isolate(&mut self, id: NodeId) {
        for &other in self.configs.keys() {
            if other != id {
                self.cut.insert((id, other));
                self.cut.insert((other, id));
            }
        }
    }

    pub fn heal(&mut self) {
        self.cut.clear();
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[&id]
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .values()
            .filter(|n| n.state_kind() == StateKind::Leader)
            .max_by_key(|n| n.epoch())
            .map(|n| n.node_id())
    }

    pub fn step(&mut self, id: NodeId, input: Input<TestTypes>) -> Result<Reply, RequestError> {
        let now = self.now_ms;
        let node = self.nodes.get_mut(&id).expect("node is running");
        let r = node.step(now, input);
        self.collect(id);
        r
    }

    fn collect(&mut self, id: NodeId) {
        let now = self.now_ms;
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        let actions: Vec<_> = node.drain_actions().collect();
        for action in actions {
            match &action {
                Action::Send(env) if !self.cut.contains(&(env.from, env.to)) => {
                    self.in_flight.push_back((now + LATENCY_MS, env.clone()));
                }
                Action::Commit(batches) => {
                    let applied = self.applied.entry(id).or_default();
                    for b in batches {
                        if let BatchRecords::Data(records) = &b.records {
                            for (i, r) in records.iter().enumerate() {
                                applied.insert(b.base_offset + i as Offset, *r);
                            }
                        }
                    }
                }
                Action::Fatal(detail) => self.fatal.push(format!("n{id}: {detail}")),
                _ => {}
            }
            self.log.push((now, id, action));
        }
    }

    /// Advance to the next event (a delivery or a timer) and process it.
    /// Returns false when nothing is left to do.
    pub fn tick(&mut self) -> bool {
        let next_delivery = self.in_flight.front().map(|(t, _)| *t);
        let next_timer = self
            .nodes
            .iter()
            .filter_map(|(id, n)| n.next_deadline().map(|d| (d, *id)))
            .min();
        match (next_delivery, next_timer) {
            (Some(d), t) if t.is_none_or(|(t, _)| d <= t) => {
                let (at, env) = self.in_flight.pop_front().expect("delivery");
                self.now_ms = self.now_ms.max(at);
                if self.nodes.contains_key(&env.to) && !self.cut.contains(&(env.from, env.to)) {
                    let to = env.to;
                    let _ = self.step(to, Input::Receive(env));
                }
                true
            }
            (_, Some((t, id))) => {
                self.now_ms = self.now_ms.max(t);
                let _ = self.step(id, Input::Tick);
                true
            }
            _ => false,
        }
    }

    pub fn run_for(&mut self, duration_ms: u64) {
        let end = self.now_ms + duration_ms;
        while self.peek_time().is_some_and(|t| t <= end) {
            self.tick();
        }
        self.now_ms = self.now_ms.max(end);
    }

    pub fn run_until(&mut self, within_ms: u64, mut done: impl FnMut(&Cluster) -> bool) -> bool {
        let end = self.now_ms + within_ms;
        while !done(self) {
            match self.peek_time() {
                Some(t) if t <= end => {
                    self.tick();
                }
                _ => return false,
            }
        }
        true
    }

    fn peek_time(&self) -> Option<u64> {
        let d = self.in_flight.front().map(|(t, _)| *t);
        let t = self.nodes.values().filter_map(|n| n.next_deadline()).min();
        match (d, t) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn append(&mut self, records: Vec<u64>) -> Offset {
        let leader = self.leader().expect("a leader");
        match self.step(leader, Input::Append(records)) {
            Ok(Reply::Appended { last_offset }) => last_offset,
            other => panic!("append failed: {other:?}"),
        }
    }

    /// Actions of one node of the given shape since `from_index` in the log.
    pub fn actions_of(&self, id: NodeId) -> impl Iterator<Item = &Action<TestTypes>> {
        self.log
            .iter()
            .filter(move |(_, n, _)| *n == id)
            .map(|(_, _, a)| a)
    }

    pub fn state_changes(&self, id: NodeId) -> Vec<(StateKind, Epoch)> {
        self.actions_of(id)
            .filter_map(|a| match a {
                Action::StateChanged { to, epoch, .. } => Some((*to, *epoch)),
                _ => None,
            })
            .collect()
    }

    /// Every running node has the same HW as the leader and has applied up to it.
    pub fn converged(&self) -> bool {
        let Some(l) = self.leader() else { return false };
        let hw = self.node(l).high_watermark();
        hw.is_some()
            && self
                .nodes
                .values()
                .all(|n| n.high_watermark() == hw && n.listener_next_offset() == hw.unwrap_or(-1))
    }
}
