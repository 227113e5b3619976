//! The metadata log as `kafka-dump-log.sh --cluster-metadata-decoder` prints it
//! (`DumpLogSegments.dumpLog`): one header line per batch, then one line per record whose
//! payload is the record's JSON (`{"type":…,"version":…,"data":{…}}`).
//!
//! The caller (the simulator) hands in [`DumpBatch`]es; sizes, positions and CRCs are those
//! of Kafka's v2 batch encoding of the same records (see `encode`), so they are what a real
//! broker would print for that content.

use std::fmt::Write as _;

use serde::Serialize;

use crate::metadata::encode;
use crate::metadata::records::{ControlRecord, MetadataRecord};

/// One record of a batch: metadata (data batches) or control (the consensus layer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpRecord<'a> {
    Metadata(&'a MetadataRecord),
    Control(&'a ControlRecord),
}

/// One batch of the log as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpBatch<'a> {
    /// Offset of the first record.
    pub base_offset: i64,
    /// The leader epoch that wrote the batch (`partitionLeaderEpoch`).
    pub epoch: i32,
    /// The simulated time the leader appended it; every record carries it.
    pub append_time_ms: i64,
    /// Non-empty; all control or all metadata, as Kafka never mixes them.
    pub records: Vec<DumpRecord<'a>>,
}

/// What to print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpOptions {
    /// `--skip-record-metadata`: print only each record's payload.
    pub skip_record_metadata: bool,
}

/// A batch header with the fields kafka-dump-log prints, in its order (serializable for the
/// UI; `render_batches` prints the same values as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchHeader {
    pub base_offset: i64,
    pub last_offset: i64,
    pub count: usize,
    pub base_sequence: i32,
    pub last_sequence: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub partition_leader_epoch: i32,
    pub is_transactional: bool,
    pub is_control: bool,
    /// Byte position of the batch in the segment.
    #[serde(rename = "position")]
    pub position_bytes: u64,
    /// CreateTime: the batch's max timestamp.
    #[serde(rename = "createTime")]
    pub create_time_ms: i64,
    #[serde(rename = "size")]
    pub size_bytes: usize,
    pub magic: i8,
    pub crc: u32,
}

struct EncodedRecord {
    key_size: i32,
    value_size: usize,
    bytes: Vec<u8>,
}

fn encode_records(batch: &DumpBatch<'_>) -> Vec<EncodedRecord> {
    batch
        .records
        .iter()
        .enumerate()
        .map(|(delta, record)| {
            let (key, value) = match record {
                DumpRecord::Metadata(r) => (None, encode::metadata_record_value(r)),
                DumpRecord::Control(r) => {
                    let (key, value) = encode::control_record_key_value(r);
                    (Some(key), value)
                }
            };
            EncodedRecord {
                key_size: key.as_ref().map_or(-1, |k| k.len() as i32),
                value_size: value.len(),
                bytes: encode::batch_record(delta as i32, key.as_deref(), &value),
            }
        })
        .collect()
}

fn header(batch: &DumpBatch<'_>, position: u64, records: &[EncodedRecord]) -> BatchHeader {
    let is_control = matches!(batch.records.first(), Some(DumpRecord::Control(_)));
    let bytes = records.iter().map(|r| r.bytes.as_slice());
    let encoded = encode::batch(batch.append_time_ms, is_control, bytes);
    BatchHeader {
        base_offset: batch.base_offset,
        last_offset: batch.base_offset + batch.records.len() as i64 - 1,
        count: batch.records.len(),
        base_sequence: -1,
        last_sequence: -1,
        producer_id: -1,
        producer_epoch: -1,
        partition_leader_epoch: batch.epoch,
        is_transactional: false,
        is_control,
        position_bytes: position,
        create_time_ms: batch.append_time_ms,
        size_bytes: encoded.size_bytes,
        magic: 2,
        crc: encoded.crc,
    }
}

/// The headers of consecutive batches of one segment, starting at byte position 0.
pub fn batch_headers(batches: &[DumpBatch<'_>]) -> Vec<BatchHeader> {
    let mut position = 0u64;
    batches
        .iter()
        .map(|batch| {
            let h = header(batch, position, &encode_records(batch));
            position += h.size_bytes as u64;
            h
        })
        .collect()
}

/// Size in bytes of a batch holding these records, as the log would store it (what
/// `metadata.log.max.record.bytes.between.snapshots` counts).
pub fn batch_size_bytes(batch: &DumpBatch<'_>) -> usize {
    header(batch, 0, &encode_records(batch)).size_bytes
}

/// The text kafka-dump-log prints for these batches of one segment (without its
/// `Dumping <file>` and `Log starting offset` lines), one line each, `\n`-terminated.
pub fn render_batches(batches: &[DumpBatch<'_>], options: DumpOptions) -> String {
    let mut out = String::new();
    let mut position = 0u64;
    for batch in batches {
        let records = encode_records(batch);
        let h = header(batch, position, &records);
        position += h.size_bytes as u64;
        // `printBatchLevel` for magic v2.
        let _ = writeln!(
            out,
            "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} \
             producerId: {} producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} \
             isControl: {} deleteHorizonMs: OptionalLong.empty position: {} CreateTime: {} \
             size: {} magic: {} compresscodec: none crc: {} isvalid: true",
            h.base_offset,
            h.last_offset,
            h.count,
            h.base_sequence,
            h.last_sequence,
            h.producer_id,
            h.producer_epoch,
            h.partition_leader_epoch,
            h.is_transactional,
            h.is_control,
            h.position_bytes,
            h.create_time_ms,
            h.size_bytes,
            h.magic,
            h.crc
        );
        for (i, (record, encoded)) in batch.records.iter().zip(&records).enumerate() {
            out.push_str("| ");
            if !options.skip_record_metadata {
                let _ = write!(
                    out,
                    "offset: {} CreateTime: {} keySize: {} valueSize: {} sequence: -1 headerKeys: []",
                    batch.base_offset + i as i64,
                    batch.append_time_ms,
                    encoded.key_size,
                    encoded.value_size
                );
                if let DumpRecord::Control(control) = record {
                    out.push_str(&control_text(control));
                }
            }
            if let DumpRecord::Metadata(metadata) = record {
                // Payloads are not printed for control batches.
                let json = serde_json::to_string(metadata).expect("metadata records serialize");
                let _ = write!(out, " payload: {json}");
            }
            out.push('\n');
        }
    }
    out
}

fn control_text(record: &ControlRecord) -> String {
    match record {
        ControlRecord::SnapshotHeader(h) => format!(
            " SnapshotHeader {}",
            serde_json::to_string(h).expect("control records serialize")
        ),
        ControlRecord::SnapshotFooter(f) => format!(
            " SnapshotFooter {}",
            serde_json::to_string(f).expect("control records serialize")
        ),
        // kafka-dump-log names other control types without decoding them.
        other => format!(" controlType: {}({})", other.type_name(), other.type_id()),
    }
}
