//! Throughput of the consensus core alone: three voters exchanging messages in memory
//! with no latency, one record per batch (`controller.quorum.append.linger.ms=0`).
//! Reports committed records per second (`cargo bench --bench kraft`).

// criterion is a native-only dev-dependency: on wasm32 (clippy --all-targets) the bench
// is empty.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kraftscope::kraft::*;
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Bench;

impl RaftTypes for Bench {
    type Record = u64;
    type Snapshot = u64;
    fn record_size_bytes(_: &u64) -> u32 {
        8
    }
}

struct Cluster {
    nodes: Vec<RaftNode<Bench>>,
    queue: VecDeque<Envelope<Bench>>,
    /// Reused action buffer (`take_actions` swaps it with a node's outbox).
    actions: Vec<Action<Bench>>,
    now_ms: u64,
    leader: usize,
}

impl Cluster {
    fn new() -> Self {
        let quorum = QuorumConfig {
            append_linger_ms: 0,
            ..QuorumConfig::default()
        };
        let nodes = (1..=3)
            .map(|id| {
                RaftNode::new(
                    NodeConfig::new(id, &[1, 2, 3], "bench", quorum.clone(), id as u64),
                    DurableState::default(),
                    0,
                )
            })
            .collect();
        let mut c = Cluster {
            nodes,
            queue: VecDeque::new(),
            actions: Vec::new(),
            now_ms: 0,
            leader: 0,
        };
        // Elect a leader. Messages take 1 ms here: an Unattached voter polls the other
        // voters with discovery Fetches at network speed, so a zero-latency election
        // would never let time move.
        for _ in 0..20_000 {
            c.drain_all();
            if let Some(i) = c
                .nodes
                .iter()
                .position(|n| n.state_kind() == StateKind::Leader)
            {
                if c.nodes
                    .iter()
                    .all(|n| n.leader_id() == Some(i as NodeId + 1))
                {
                    c.leader = i;
                    break;
                }
            }
            c.now_ms += 1;
            for _ in 0..c.queue.len() {
                c.deliver_one();
            }
            for n in &mut c.nodes {
                if n.next_deadline().is_some_and(|d| d <= c.now_ms) {
                    let _ = n.step(c.now_ms, Input::Tick);
                }
            }
        }
        assert_eq!(
            c.nodes[c.leader].state_kind(),
            StateKind::Leader,
            "{:?}",
            c.nodes
                .iter()
                .map(|n| (n.state_kind(), n.epoch(), n.leader_id()))
                .collect::<Vec<_>>()
        );
        c
    }

    fn drain_all(&mut self) {
        for n in &mut self.nodes {
            n.take_actions(&mut self.actions);
            for a in self.actions.drain(..) {
                if let Action::Send(e) = a {
                    self.queue.push_back(e);
                }
            }
        }
    }

    /// Queue what node `i` sent. Only a stepped node has new actions, so draining it
    /// alone after its step is what [`Cluster::drain_all`] would do.
    fn drain(&mut self, i: usize) {
        self.nodes[i].take_actions(&mut self.actions);
        for a in self.actions.drain(..) {
            if let Action::Send(e) = a {
                self.queue.push_back(e);
            }
        }
    }

    fn deliver_one(&mut self) -> bool {
        let Some(e) = self.queue.pop_front() else {
            return false;
        };
        let i = (e.to - 1) as usize;
        let _ = self.nodes[i].step(self.now_ms, Input::Receive(e));
        self.drain(i);
        true
    }

    /// Append one record and deliver until the leader has committed it.
    fn commit_one(&mut self, record: u64) {
        let last = match self.nodes[self.leader].step(self.now_ms, Input::Append(vec![record])) {
            Ok(Reply::Appended { last_offset }) => last_offset,
            other => panic!("{other:?}"),
        };
        self.drain(self.leader);
        while self.nodes[self.leader]
            .high_watermark()
            .is_none_or(|hw| hw <= last)
        {
            assert!(self.deliver_one(), "stalled before committing {last}");
        }
    }

    /// A client that does not wait: each record is appended as its own batch while the
    /// followers' fetches for earlier ones are still in flight (one message delivered per
    /// append), then delivery runs until the leader has committed the last one. Batches
    /// stay one record each; a FetchResponse may carry several of them, as Kafka's does.
    fn commit_pipelined(&mut self, first: u64, count: u64) {
        let mut last = 0;
        for record in first..first + count {
            last = match self.nodes[self.leader].step(self.now_ms, Input::Append(vec![record])) {
                Ok(Reply::Appended { last_offset }) => last_offset,
                other => panic!("{other:?}"),
            };
            self.drain(self.leader);
            self.deliver_one();
        }
        while self.nodes[self.leader]
            .high_watermark()
            .is_none_or(|hw| hw <= last)
        {
            assert!(self.deliver_one(), "stalled before committing {last}");
        }
    }
}

fn committed_records(c: &mut Criterion) {
    let mut record = 0;
    let mut group = c.benchmark_group("kraft");
    const BATCH: u64 = 1_000;
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("three_voters_commit_1000_single_record_batches", |b| {
        // A fresh cluster per sample keeps the log (and memory) small.
        b.iter_batched_ref(
            Cluster::new,
            |cluster| {
                for _ in 0..BATCH {
                    record += 1;
                    cluster.commit_one(record);
                }
            },
            criterion::BatchSize::PerIteration,
        )
    });
    let mut first = 0;
    group.bench_function(
        "three_voters_commit_1000_single_record_batches_pipelined",
        |b| {
            b.iter_batched_ref(
                Cluster::new,
                |cluster| {
                    cluster.commit_pipelined(first, BATCH);
                    first += BATCH;
                },
                criterion::BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, committed_records);
criterion_main!(benches);
