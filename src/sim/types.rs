//! The payload the simulated cluster replicates, and the small state machine ("app")
//! every process runs on top of its KRaft node.
//!
//! Records are an enum so later layers add variants (the metadata issue adds
//! `Metadata(..)`) without touching the simulator. The test record is Kafka's
//! `ReplicatedCounter`: `append n` writes n records carrying consecutive integers.
//!
//! Both the app and the invariant checkers fold the log into a *prefix chain*: the hash
//! of every batch from offset 0 up to a batch boundary. Two logs (or a log and a
//! snapshot) agree on a prefix iff their chains at its end are equal.

use super::hash::{chain, mix64};
use crate::kraft::{Batch, BatchRecords, ControlRecord, Offset, RaftTypes, Snapshot};
use serde::{Deserialize, Serialize};

/// The simulator's [`RaftTypes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimTypes;

/// One replicated record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimRecord {
    /// `ReplicatedCounter`: the value the counter had when the record was appended + 1.
    Counter(u64),
}

/// A frozen snapshot of the app: everything needed to resume at `next_offset`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimSnapshot {
    /// Exclusive end offset (equals the snapshot id's offset).
    pub next_offset: Offset,
    /// Prefix chain of the log up to `next_offset`.
    pub chain_hash: u64,
    /// The counter's value (the last `Counter` record applied).
    pub counter: u64,
    /// How many data records were applied.
    pub records: u64,
}

impl RaftTypes for SimTypes {
    type Record = SimRecord;
    type Snapshot = SimSnapshot;

    fn record_size_bytes(record: &SimRecord) -> u32 {
        match record {
            SimRecord::Counter(_) => 8,
        }
    }
}

pub type SimBatch = Batch<SimTypes>;
pub type SimNode = crate::kraft::RaftNode<SimTypes>;

fn record_hash(r: &SimRecord) -> u64 {
    match r {
        SimRecord::Counter(v) => mix64(*v ^ 0x436f_756e_7465_7200),
    }
}

/// Hash of one batch's identity and content.
pub fn batch_hash(batch: &SimBatch) -> u64 {
    let mut h = mix64(batch.base_offset as u64 ^ ((batch.epoch as u32 as u64) << 40));
    match &batch.records {
        BatchRecords::Control(records) => {
            for r in records {
                let ControlRecord::LeaderChange(m) = r;
                h = chain(h, 0xc0c0 ^ ((m.leader_id as u32 as u64) << 16));
            }
        }
        BatchRecords::Data(records) => {
            for r in records {
                h = chain(h, record_hash(r));
            }
        }
    }
    chain(h, batch.record_count() as u64)
}

/// The prefix chain after `batch`, given the chain before it.
#[inline]
pub fn chain_after(prev: u64, batch: &SimBatch) -> u64 {
    chain(prev, batch_hash(batch))
}

/// The per-process state machine: consumes `Commit` and `LoadSnapshot` actions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct App {
    pub next_offset: Offset,
    pub chain_hash: u64,
    pub counter: u64,
    pub records: u64,
}

impl App {
    pub fn apply(&mut self, batch: &SimBatch) {
        if let BatchRecords::Data(records) = &batch.records {
            for r in records {
                match r {
                    SimRecord::Counter(v) => self.counter = *v,
                }
                self.records += 1;
            }
        }
        self.chain_hash = chain_after(self.chain_hash, batch);
        self.next_offset = batch.end_offset();
    }

    pub fn load(&mut self, snapshot: &Snapshot<SimTypes>) {
        let s = &snapshot.data;
        self.next_offset = s.next_offset;
        self.chain_hash = s.chain_hash;
        self.counter = s.counter;
        self.records = s.records;
    }

    pub fn to_snapshot(&self) -> SimSnapshot {
        SimSnapshot {
            next_offset: self.next_offset,
            chain_hash: self.chain_hash,
            counter: self.counter,
            records: self.records,
        }
    }
}
