//! The payload the simulated cluster replicates, and the small state machine ("app")
//! every process runs on top of its KRaft node.
//!
//! The cluster metadata log carries KIP-631 records ([`SimRecord::Metadata`]) that the
//! quorum controller writes and every node's loader folds into its `MetadataImage`. The
//! test record is Kafka's `ReplicatedCounter`: `append n` writes n records carrying
//! consecutive integers (the metadata loader skips them, as a NoOp).
//!
//! Both the app and the invariant checkers fold the log into a *prefix chain*: the hash
//! of every batch from offset 0 up to a batch boundary. Two logs (or a log and a
//! snapshot) agree on a prefix iff their chains at its end are equal.

use super::hash::{chain, mix64};
use crate::kraft::{Batch, BatchRecords, ControlRecord, Offset, RaftTypes, Snapshot};
use crate::metadata::{MetadataDelta, MetadataImage, MetadataProvenance, MetadataRecord};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The simulator's [`RaftTypes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimTypes;

/// One replicated record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SimRecord {
    /// `ReplicatedCounter`: the value the counter had when the record was appended + 1.
    Counter(u64),
    /// A KIP-631 metadata record.
    Metadata(MetadataRecord),
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
    /// The metadata image at `next_offset` (a metadata snapshot, KIP-630): serialized
    /// as the records that recreate it, as Kafka's snapshot files hold.
    #[serde(serialize_with = "ser_image", deserialize_with = "de_image", default)]
    pub image: MetadataImage,
}

fn ser_image<S: Serializer>(image: &MetadataImage, s: S) -> Result<S::Ok, S::Error> {
    image.records().serialize(s)
}

fn de_image<'de, D: Deserializer<'de>>(d: D) -> Result<MetadataImage, D::Error> {
    use serde::de::Error as _;
    let records = Vec::<MetadataRecord>::deserialize(d)?;
    let mut delta = MetadataDelta::new(&MetadataImage::empty());
    for r in &records {
        delta.replay(r).map_err(D::Error::custom)?;
    }
    Ok(delta.apply(MetadataProvenance::EMPTY))
}

impl RaftTypes for SimTypes {
    type Record = SimRecord;
    type Snapshot = SimSnapshot;

    fn record_size_bytes(record: &SimRecord) -> u32 {
        match record {
            SimRecord::Counter(_) => 8,
            SimRecord::Metadata(m) => metadata_record_size_bytes(m),
        }
    }
}

pub type SimBatch = Batch<SimTypes>;
pub type SimNode = crate::kraft::RaftNode<SimTypes>;

/// A record's size on the wire, roughly as Kafka's encoding has it (a PartitionRecord
/// grows with its replica lists).
fn metadata_record_size_bytes(m: &MetadataRecord) -> u32 {
    match m {
        MetadataRecord::Partition(p) => 48 + 4 * (p.replicas.len() + p.isr.len()) as u32,
        MetadataRecord::PartitionChange(p) => 40 + 4 * p.isr.as_ref().map_or(0, |i| i.len()) as u32,
        MetadataRecord::RegisterBroker(_) => 64,
        MetadataRecord::Topic(t) => 24 + t.name.len() as u32,
        MetadataRecord::Config(c) => {
            16 + (c.resource_name.len() + c.name.len() + c.value.as_ref().map_or(0, |v| v.len()))
                as u32
        }
        _ => 16,
    }
}

fn record_hash(r: &SimRecord) -> u64 {
    match r {
        SimRecord::Counter(v) => mix64(*v ^ 0x436f_756e_7465_7200),
        SimRecord::Metadata(m) => {
            // Debug output names every field: two records hash equal iff equal. The
            // Debug text streams straight into FNV-1a (byte by byte, so hashing it in
            // the pieces the formatter emits equals hashing `format!("{m:?}")` whole)
            // instead of being built as a String first.
            let mut h = FnvWriter(super::hash::Fnv64::new());
            let _ = std::fmt::Write::write_fmt(&mut h, format_args!("{m:?}"));
            mix64(std::hash::Hasher::finish(&h.0) ^ 0x4d65_7461)
        }
    }
}

/// Feeds formatted text to FNV-1a as it is produced.
struct FnvWriter(super::hash::Fnv64);

impl std::fmt::Write for FnvWriter {
    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        std::hash::Hasher::write(&mut self.0, s.as_bytes());
        Ok(())
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

/// The per-process state machine: consumes `Commit` and `LoadSnapshot` actions. It is
/// also the node's `MetadataLoader`: committed metadata records (only those ≤ HW ever
/// arrive here) fold into `image`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct App {
    pub next_offset: Offset,
    pub chain_hash: u64,
    pub counter: u64,
    pub records: u64,
    pub image: MetadataImage,
    /// Data records applied since the last snapshot this node wrote or loaded.
    pub records_since_snapshot: u64,
    /// Partitions and brokers the last applied batch changed (for the invariants).
    pub changed_partitions: Vec<crate::metadata::TopicIdPartition>,
    pub changed_brokers: Vec<i32>,
    /// Bytes of metadata records applied since then
    /// (`metadata.log.max.record.bytes.between.snapshots` counts these).
    pub bytes_since_snapshot: u64,
    /// Bumped whenever `image` is replaced: while it stays the same, so does the image
    /// (the invariants skip comparing an image they already found equal). Never reused
    /// by a node, not even after a restart ([`App::restarted`]).
    pub image_version: u64,
}

impl App {
    /// The empty state machine a node starts afresh with (a restart, a stop). Its image
    /// numbering goes on from this one's, so that a version names one image of the
    /// node for the whole run.
    pub fn restarted(&self) -> App {
        App {
            image_version: self.image_version + 1,
            ..App::default()
        }
    }

    pub fn apply(&mut self, batch: &SimBatch) {
        self.apply_hashed(batch, batch_hash(batch));
    }

    /// [`App::apply`] with the batch's [`batch_hash`] already known (every node applies
    /// the same batches: the world hashes each once).
    pub fn apply_hashed(&mut self, batch: &SimBatch, batch_hash: u64) {
        debug_assert_eq!(batch_hash, self::batch_hash(batch));
        if let BatchRecords::Data(records) = &batch.records {
            // Every record counts, a refused one too: the batch's length, added once
            // instead of once per record.
            let n = records.len() as u64;
            self.records += n;
            self.records_since_snapshot += n;
            let mut delta: Option<MetadataDelta> = None;
            for r in records {
                match r {
                    SimRecord::Counter(v) => self.counter = *v,
                    SimRecord::Metadata(m) => {
                        let d = delta.get_or_insert_with(|| MetadataDelta::new(&self.image));
                        // A record the image refuses is skipped, as Kafka's loader logs
                        // and skips a faulting record; every node skips the same ones.
                        let _ = d.replay(m);
                        self.bytes_since_snapshot += metadata_record_size_bytes(m) as u64;
                    }
                }
            }
            self.changed_partitions.clear();
            self.changed_brokers.clear();
            if let Some(d) = delta {
                self.changed_partitions = d.changed_partitions();
                self.changed_brokers = d.changed_broker_ids().collect();
                self.image = d.apply(MetadataProvenance::new(
                    batch.end_offset() - 1,
                    batch.epoch,
                    batch.append_time_ms as i64,
                ));
                self.image_version += 1;
            }
        }
        self.chain_hash = chain(self.chain_hash, batch_hash);
        self.next_offset = batch.end_offset();
    }

    pub fn load(&mut self, snapshot: &Snapshot<SimTypes>) {
        let s = &snapshot.data;
        self.next_offset = s.next_offset;
        self.chain_hash = s.chain_hash;
        self.counter = s.counter;
        self.records = s.records;
        self.image = s.image.clone();
        self.image_version += 1;
        self.changed_partitions.clear();
        self.changed_brokers.clear();
        self.records_since_snapshot = 0;
        self.bytes_since_snapshot = 0;
    }

    pub fn to_snapshot(&self) -> SimSnapshot {
        SimSnapshot {
            next_offset: self.next_offset,
            chain_hash: self.chain_hash,
            counter: self.counter,
            records: self.records,
            image: self.image.clone(),
        }
    }
}
