//! Kafka's binary encoding of metadata and control records, used only to know their sizes in
//! bytes and the checksums kafka-dump-log prints (`MetadataRecordSerde`, the flexible-version
//! message format, and the v2 record batch of `DefaultRecordBatch`).
//!
//! Every metadata record schema is flexible from version 0: strings and arrays carry an
//! unsigned-varint length + 1, and each struct ends with a tagged-field section holding the
//! tagged fields that differ from their default, in tag order.

use crate::metadata::records::{
    BrokerEndpoint, BrokerFeature, ControlRecord, MetadataRecord, LEADER_RECOVERY_STATE_NO_CHANGE,
    NO_LEADER_CHANGE,
};

/// `AbstractApiMessageSerde.DEFAULT_FRAME_VERSION`.
const FRAME_VERSION: u32 = 1;
/// Size of a v2 record batch header (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`).
pub const BATCH_HEADER_SIZE_BYTES: usize = 61;

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn i8(&mut self, v: i8) {
        self.0.push(v as u8);
    }
    fn bool(&mut self, v: bool) {
        self.0.push(v as u8);
    }
    fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn uuid(&mut self, v: &crate::metadata::uuid::Uuid) {
        self.0.extend_from_slice(&v.to_bytes());
    }
    fn uvarint(&mut self, mut v: u32) {
        while v >= 0x80 {
            self.u8((v as u8) | 0x80);
            v >>= 7;
        }
        self.u8(v as u8);
    }
    fn varint(&mut self, v: i32) {
        self.uvarint(((v << 1) ^ (v >> 31)) as u32);
    }
    fn varlong(&mut self, v: i64) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        while z >= 0x80 {
            self.u8((z as u8) | 0x80);
            z >>= 7;
        }
        self.u8(z as u8);
    }
    fn compact_len(&mut self, len: usize) {
        self.uvarint(len as u32 + 1);
    }
    fn string(&mut self, s: &str) {
        self.compact_len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn nullable_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.uvarint(0),
        }
    }
    fn i32_array(&mut self, ids: &[i32]) {
        self.compact_len(ids.len());
        ids.iter().for_each(|&id| self.i32(id));
    }
    fn no_tagged_fields(&mut self) {
        self.uvarint(0);
    }
}

/// Tagged fields of one struct, in ascending tag order; each is (tag, encoded value).
struct Tagged(Vec<(u32, Writer)>);

impl Tagged {
    fn new() -> Self {
        Tagged(Vec::new())
    }
    fn field(&mut self, tag: u32, write: impl FnOnce(&mut Writer)) {
        let mut w = Writer::default();
        write(&mut w);
        self.0.push((tag, w));
    }
    fn write_to(self, out: &mut Writer) {
        out.uvarint(self.0.len() as u32);
        for (tag, value) in self.0 {
            out.uvarint(tag);
            out.uvarint(value.0.len() as u32);
            out.0.extend_from_slice(&value.0);
        }
    }
}

fn endpoint(w: &mut Writer, e: &BrokerEndpoint) {
    w.string(&e.name);
    w.string(&e.host);
    w.u16(e.port);
    w.i16(e.security_protocol);
    w.no_tagged_fields();
}

fn feature(w: &mut Writer, f: &BrokerFeature) {
    w.string(&f.name);
    w.i16(f.min_supported_version);
    w.i16(f.max_supported_version);
    w.no_tagged_fields();
}

fn message(w: &mut Writer, record: &MetadataRecord) {
    let mut tagged = Tagged::new();
    match record {
        MetadataRecord::RegisterBroker(r) => {
            w.i32(r.broker_id);
            w.bool(r.is_migrating_zk_broker);
            w.uuid(&r.incarnation_id);
            w.i64(r.broker_epoch);
            w.compact_len(r.end_points.len());
            r.end_points.iter().for_each(|e| endpoint(w, e));
            w.compact_len(r.features.len());
            r.features.iter().for_each(|f| feature(w, f));
            w.nullable_string(r.rack.as_deref());
            w.bool(r.fenced);
            w.bool(r.in_controlled_shutdown);
        }
        MetadataRecord::UnregisterBroker(r) => {
            w.i32(r.broker_id);
            w.i64(r.broker_epoch);
        }
        MetadataRecord::Topic(r) => {
            w.string(&r.name);
            w.uuid(&r.topic_id);
        }
        MetadataRecord::Partition(r) => {
            w.i32(r.partition_id);
            w.uuid(&r.topic_id);
            w.i32_array(&r.replicas);
            w.i32_array(&r.isr);
            w.i32_array(&r.removing_replicas);
            w.i32_array(&r.adding_replicas);
            w.i32(r.leader);
            w.i32(r.leader_epoch);
            w.i32(r.partition_epoch);
            if r.leader_recovery_state != 0 {
                tagged.field(0, |t| t.i8(r.leader_recovery_state));
            }
        }
        MetadataRecord::Config(r) => {
            w.i8(r.resource_type);
            w.string(&r.resource_name);
            w.string(&r.name);
            w.nullable_string(r.value.as_deref());
        }
        MetadataRecord::PartitionChange(r) => {
            w.i32(r.partition_id);
            w.uuid(&r.topic_id);
            if let Some(isr) = &r.isr {
                tagged.field(0, |t| t.i32_array(isr));
            }
            if r.leader != NO_LEADER_CHANGE {
                tagged.field(1, |t| t.i32(r.leader));
            }
            if let Some(replicas) = &r.replicas {
                tagged.field(2, |t| t.i32_array(replicas));
            }
            if let Some(removing) = &r.removing_replicas {
                tagged.field(3, |t| t.i32_array(removing));
            }
            if let Some(adding) = &r.adding_replicas {
                tagged.field(4, |t| t.i32_array(adding));
            }
            if r.leader_recovery_state != LEADER_RECOVERY_STATE_NO_CHANGE {
                tagged.field(5, |t| t.i8(r.leader_recovery_state));
            }
        }
        MetadataRecord::FenceBroker(r) => {
            w.i32(r.id);
            w.i64(r.epoch);
        }
        MetadataRecord::UnfenceBroker(r) => {
            w.i32(r.id);
            w.i64(r.epoch);
        }
        MetadataRecord::RemoveTopic(r) => w.uuid(&r.topic_id),
        MetadataRecord::FeatureLevel(r) => {
            w.string(&r.name);
            w.i16(r.feature_level);
        }
        MetadataRecord::ProducerIds(r) => {
            w.i32(r.broker_id);
            w.i64(r.broker_epoch);
            w.i64(r.next_producer_id);
        }
        MetadataRecord::BrokerRegistrationChange(r) => {
            w.i32(r.broker_id);
            w.i64(r.broker_epoch);
            if r.fenced != 0 {
                tagged.field(0, |t| t.i8(r.fenced));
            }
            if r.in_controlled_shutdown != 0 {
                tagged.field(1, |t| t.i8(r.in_controlled_shutdown));
            }
        }
        MetadataRecord::NoOp(_) => {}
    }
    tagged.write_to(w);
}

/// The record value `MetadataRecordSerde` writes: frame version, api key, version, message.
pub fn metadata_record_value(record: &MetadataRecord) -> Vec<u8> {
    let mut w = Writer::default();
    w.uvarint(FRAME_VERSION);
    w.uvarint(record.api_key() as u32);
    w.uvarint(record.version() as u32);
    message(&mut w, record);
    w.0
}

/// A control record's key (`ControlRecordType.recordKey()`: key version 0, type) and value
/// (the bare message, as `ControlRecordUtils` reads it).
pub fn control_record_key_value(record: &ControlRecord) -> (Vec<u8>, Vec<u8>) {
    let mut key = Writer::default();
    key.i16(0);
    key.i16(record.type_id());
    let mut w = Writer::default();
    match record {
        ControlRecord::LeaderChange(m) => {
            w.i16(m.version);
            w.i32(m.leader_id);
            for voters in [&m.voters, &m.granting_voters] {
                w.compact_len(voters.len());
                for v in voters.iter() {
                    w.i32(v.voter_id);
                    w.no_tagged_fields();
                }
            }
        }
        ControlRecord::SnapshotHeader(h) => {
            w.i16(h.version);
            w.i64(h.last_contained_log_timestamp);
        }
        ControlRecord::SnapshotFooter(f) => w.i16(f.version),
    }
    w.no_tagged_fields();
    (key.0, w.0)
}

/// One record inside a v2 batch (`DefaultRecord.writeTo`), every record of a KRaft batch
/// sharing the batch's timestamp.
pub(crate) fn batch_record(offset_delta: i32, key: Option<&[u8]>, value: &[u8]) -> Vec<u8> {
    let mut body = Writer::default();
    body.i8(0); // attributes
    body.varlong(0); // timestamp delta
    body.varint(offset_delta);
    match key {
        Some(key) => {
            body.varint(key.len() as i32);
            body.0.extend_from_slice(key);
        }
        None => body.varint(-1),
    }
    body.varint(value.len() as i32);
    body.0.extend_from_slice(value);
    body.varint(0); // headers
    let mut out = Writer::default();
    out.varint(body.0.len() as i32);
    out.0.extend_from_slice(&body.0);
    out.0
}

/// The fields of a v2 batch header that depend on its content.
pub(crate) struct EncodedBatch {
    pub(crate) size_bytes: usize,
    pub(crate) crc: u32,
}

/// Lays out a v2 batch (`DefaultRecordBatch.writeHeader`) to learn its size and CRC-32C.
pub(crate) fn batch<'a>(
    timestamp_ms: i64,
    is_control: bool,
    records: impl ExactSizeIterator<Item = &'a [u8]>,
) -> EncodedBatch {
    let mut after_crc = Writer::default();
    // Attributes: no compression, CreateTime, not transactional; bit 5 marks control.
    after_crc.i16(if is_control { 0x20 } else { 0 });
    after_crc.i32(records.len() as i32 - 1); // last offset delta
    after_crc.i64(timestamp_ms); // base timestamp
    after_crc.i64(timestamp_ms); // max timestamp
    after_crc.i64(-1); // producer id
    after_crc.i16(-1); // producer epoch
    after_crc.i32(-1); // base sequence
    after_crc.i32(records.len() as i32);
    records.for_each(|r| after_crc.0.extend_from_slice(r));
    // baseOffset (8) + batchLength (4) + partitionLeaderEpoch (4) + magic (1) + crc (4).
    let size_bytes = 21 + after_crc.0.len();
    EncodedBatch {
        size_bytes,
        crc: crc32c(&after_crc.0),
    }
}

/// CRC-32C (Castagnoli), the checksum of v2 record batches.
pub(crate) fn crc32c(bytes: &[u8]) -> u32 {
    const fn table() -> [u32; 256] {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0x82F6_3B78 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    }
    const TABLE: [u32; 256] = table();
    !bytes.iter().fold(!0u32, |c, &b| {
        TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::records::{NoOpRecord, TopicRecord};
    use crate::metadata::uuid::Uuid;

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn records_encode_with_frame_header_and_compact_fields() {
        // frame 1, api key 20, version 0, empty tagged-field section.
        assert_eq!(
            metadata_record_value(&MetadataRecord::NoOp(NoOpRecord {})),
            vec![1, 20, 0, 0]
        );
        let topic = MetadataRecord::Topic(TopicRecord {
            name: "foo".into(),
            topic_id: Uuid::from_u128(1),
        });
        let mut expected = vec![1, 2, 0, 4, b'f', b'o', b'o'];
        expected.extend_from_slice(&[0; 15]);
        expected.extend_from_slice(&[1, 0]);
        assert_eq!(metadata_record_value(&topic), expected);
    }

    #[test]
    fn batch_layout_and_crc_match_a_real_kafka_dump() {
        // From a Kafka 2.8 kafka-dump-log of UnfenceBrokerRecord(id 1, epoch 0):
        // "baseOffset: 2 ... CreateTime: 1614382632453 size: 83 ... crc: 455187130".
        // 2.8 wrote frame version 0 and a non-flexible body; the batch around it is unchanged.
        let mut value = vec![0u8, 8, 0];
        value.extend_from_slice(&1i32.to_be_bytes());
        value.extend_from_slice(&0i64.to_be_bytes());
        let record = batch_record(0, None, &value);
        let encoded = batch(1_614_382_632_453, false, [record.as_slice()].into_iter());
        assert_eq!((encoded.size_bytes, encoded.crc), (83, 455_187_130));
    }

    #[test]
    fn batch_of_one_no_op_has_kafkas_layout_size() {
        let value = metadata_record_value(&MetadataRecord::NoOp(NoOpRecord {}));
        let record = batch_record(0, None, &value);
        // length 1 + attributes 1 + ts 1 + offset 1 + key -1 (1) + value len 1 + 4 + headers 1.
        assert_eq!(record.len(), 11);
        let encoded = batch(0, false, [record.as_slice()].into_iter());
        assert_eq!(encoded.size_bytes, BATCH_HEADER_SIZE_BYTES + 11);
    }
}
