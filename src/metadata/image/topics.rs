//! `TopicsImage`: every topic by id and by name, and the by-broker index the controller uses
//! to find a broker's partitions without scanning all of them (fencing one broker among
//! 2,000,000 partitions touches only that broker's entries).
//!
//! Topics live in slots numbered by creation order (the ordinal), in shared chunks; the
//! maps from id and name lead to a slot. Replay caches the last topic's slot, so the
//! thousand PartitionRecords that follow a TopicRecord skip the map lookups.

use std::fmt;
use std::sync::Arc;

use imbl::OrdMap;

use super::assignment::AssignmentInterner;
use super::broker_index::{
    roles, BrokerIndex, IMBALANCED, IN_ISR, LEADER, MAX_PARTITION_ID, REPLICA,
};
use super::partition::{PartitionRecordError, PartitionRegistration};
use super::topic::TopicImage;
use crate::metadata::delta::ReplayError;
use crate::metadata::records::{PartitionChangeRecord, PartitionRecord, NO_LEADER};
use crate::metadata::uuid::Uuid;

/// A partition named by topic id (`org.apache.kafka.common.TopicIdPartition` without the name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicIdPartition {
    pub topic_id: Uuid,
    pub partition_id: i32,
}

/// Topics per slot chunk.
const SLOT_CHUNK: usize = 64;

/// Topic slots by ordinal. A deleted topic leaves an empty slot: ordinals are never reused,
/// so index entries of a deleted topic can never be mistaken for a newer one's.
#[derive(Clone, Default)]
struct TopicSlots {
    chunks: Vec<Arc<Vec<Option<Arc<TopicImage>>>>>,
}

impl TopicSlots {
    fn len(&self) -> usize {
        self.chunks
            .last()
            .map_or(0, |c| (self.chunks.len() - 1) * SLOT_CHUNK + c.len())
    }

    fn get(&self, ordinal: u32) -> Option<&TopicImage> {
        let ordinal = ordinal as usize;
        self.chunks
            .get(ordinal / SLOT_CHUNK)?
            .get(ordinal % SLOT_CHUNK)?
            .as_deref()
    }

    fn get_mut(&mut self, ordinal: u32) -> Option<&mut TopicImage> {
        let ordinal = ordinal as usize;
        let chunk = Arc::make_mut(self.chunks.get_mut(ordinal / SLOT_CHUNK)?);
        chunk
            .get_mut(ordinal % SLOT_CHUNK)?
            .as_mut()
            .map(Arc::make_mut)
    }

    fn push(&mut self, topic: TopicImage) -> u32 {
        let ordinal = self.len();
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < SLOT_CHUNK => {
                Arc::make_mut(chunk).push(Some(Arc::new(topic)))
            }
            _ => self.chunks.push(Arc::new(vec![Some(Arc::new(topic))])),
        }
        // 2^32 topic creations in one node's lifetime is beyond any simulation.
        ordinal as u32
    }

    fn take(&mut self, ordinal: u32) -> Option<Arc<TopicImage>> {
        let ordinal = ordinal as usize;
        let chunk = Arc::make_mut(self.chunks.get_mut(ordinal / SLOT_CHUNK)?);
        chunk.get_mut(ordinal % SLOT_CHUNK)?.take()
    }

    fn ptr_eq(&self, other: &TopicSlots) -> bool {
        self.chunks.len() == other.chunks.len()
            && self
                .chunks
                .iter()
                .zip(&other.chunks)
                .all(|(a, b)| Arc::ptr_eq(a, b))
    }

    fn slot(&self, ordinal: u32) -> Option<&Arc<TopicImage>> {
        let i = ordinal as usize;
        self.chunks
            .get(i / SLOT_CHUNK)?
            .get(i % SLOT_CHUNK)?
            .as_ref()
    }

    fn same_topic(&self, a: u32, other: &TopicSlots, b: u32) -> bool {
        match (self.slot(a), other.slot(b)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

/// All topics. Cloning is O(topics / 64); two images share every topic neither changed.
#[derive(Clone, Default)]
pub struct TopicsImage {
    /// Topic id → ordinal.
    by_id: OrdMap<Uuid, u32>,
    by_name: OrdMap<Arc<str>, Uuid>,
    slots: TopicSlots,
    index: BrokerIndex,
    partition_count: usize,
    interner: AssignmentInterner,
    scratch: Scratch,
}

/// Replay's working memory; not state: a clone starts empty.
#[derive(Default)]
struct Scratch {
    before: Vec<(i32, u32)>,
    after: Vec<(i32, u32)>,
    /// Ordinals of topics that gained partitions since the last `finish`.
    grown: Vec<u32>,
    /// The last topic replay touched, and its ordinal.
    last_topic: Option<(Uuid, u32)>,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl TopicsImage {
    /// The topic with this id.
    pub fn topic(&self, topic_id: &Uuid) -> Option<&TopicImage> {
        self.slots.get(*self.by_id.get(topic_id)?)
    }

    /// The topic with this name.
    pub fn topic_by_name(&self, name: &str) -> Option<&TopicImage> {
        self.topic(self.by_name.get(name)?)
    }

    /// One partition.
    pub fn partition(&self, topic_id: &Uuid, partition_id: i32) -> Option<&PartitionRegistration> {
        self.topic(topic_id)?.partition(partition_id)
    }

    /// The topics in id order.
    pub fn topics_by_id(&self) -> impl Iterator<Item = &TopicImage> + '_ {
        self.by_id.values().filter_map(|&o| self.slots.get(o))
    }

    /// The topics in name order.
    pub fn topics_by_name(&self) -> impl Iterator<Item = &TopicImage> + '_ {
        self.by_name.values().filter_map(|id| self.topic(id))
    }

    pub fn topic_count(&self) -> usize {
        self.by_id.len()
    }

    /// Partitions over all topics.
    pub fn partition_count(&self) -> usize {
        self.partition_count
    }

    /// Whether both hold the same topic allocations (O(topics / 64); `true` implies equal).
    pub fn ptr_eq(&self, other: &TopicsImage) -> bool {
        self.by_id.ptr_eq(&other.by_id) && self.slots.ptr_eq(&other.slots)
    }

    /// How many replica assignments are shared rather than stored inline (those with more
    /// than three replicas, or an ISR naming a non-replica): a memory diagnostic.
    pub fn shared_assignments(&self) -> usize {
        self.interner.len()
    }

    /// Partitions whose leader is `broker_id`, in topic creation order then partition id.
    pub fn partitions_led_by(&self, broker_id: i32) -> impl Iterator<Item = TopicIdPartition> + '_ {
        self.indexed(broker_id, LEADER)
    }

    /// Partitions whose ISR contains `broker_id`, in the same order.
    pub fn partitions_with_broker_in_isr(
        &self,
        broker_id: i32,
    ) -> impl Iterator<Item = TopicIdPartition> + '_ {
        self.indexed(broker_id, IN_ISR)
    }

    /// Partitions that have `broker_id` among their replicas, in the same order.
    pub fn partitions_on_broker(
        &self,
        broker_id: i32,
    ) -> impl Iterator<Item = TopicIdPartition> + '_ {
        self.indexed(broker_id, REPLICA)
    }

    /// Partitions with no leader (leader = -1), in the same order.
    pub fn leaderless_partitions(&self) -> impl Iterator<Item = TopicIdPartition> + '_ {
        self.indexed(NO_LEADER, LEADER)
    }

    /// Partitions whose leader is not their preferred replica (Kafka's controller:
    /// `imbalancedPartitions`), leaderless ones included, in the same order.
    pub fn imbalanced_partitions(&self) -> impl Iterator<Item = TopicIdPartition> + '_ {
        self.indexed(IMBALANCED, LEADER)
    }

    /// Creation order rather than topic id, so that reading the index costs nothing per
    /// entry; it is the same on every node that replayed the same log.
    fn indexed(&self, broker_id: i32, flag: u32) -> impl Iterator<Item = TopicIdPartition> + '_ {
        self.index
            .entries(broker_id)
            .filter(move |(_, _, flags)| flags & flag != 0)
            .filter_map(move |(ordinal, partition_id, _)| {
                Some(TopicIdPartition {
                    topic_id: self.slots.get(ordinal)?.id(),
                    partition_id,
                })
            })
    }

    // ---- replay (MetadataDelta only) ----

    pub(crate) fn create_topic(&mut self, name: &str, topic_id: Uuid) -> Result<(), ReplayError> {
        if let Some(existing) = self.by_name.get(name) {
            return Err(ReplayError::TopicNameInUse {
                name: name.to_string(),
                existing_topic_id: *existing,
            });
        }
        if let Some(existing) = self.topic(&topic_id) {
            return Err(ReplayError::TopicIdInUse {
                topic_id,
                existing_name: existing.name().to_string(),
            });
        }
        let name: Arc<str> = name.into();
        let ordinal = self.slots.push(TopicImage::new(name.clone(), topic_id));
        self.by_name.insert(name, topic_id);
        self.by_id.insert(topic_id, ordinal);
        self.scratch.last_topic = Some((topic_id, ordinal));
        Ok(())
    }

    /// Removes a topic with all its partitions and index entries; returns its name.
    pub(crate) fn remove_topic(&mut self, topic_id: Uuid) -> Result<Arc<str>, ReplayError> {
        let ordinal = self
            .by_id
            .remove(&topic_id)
            .ok_or(ReplayError::UnknownTopicId { topic_id })?;
        self.scratch.last_topic = None;
        let topic = self
            .slots
            .take(ordinal)
            .expect("every id maps to a live slot");
        self.by_name.remove(topic.name());
        let mut brokers = std::collections::BTreeSet::new();
        for (_, partition) in topic.partitions() {
            roles(Some(partition), &mut self.scratch.before);
            brokers.extend(self.scratch.before.iter().map(|(b, _)| *b));
        }
        self.index.remove_topic(ordinal, brokers);
        self.partition_count -= topic.partition_count();
        Ok(topic.name_arc().clone())
    }

    /// The ordinal of a topic, from the replay cache when it is the last one touched.
    fn ordinal(&mut self, topic_id: Uuid) -> Result<u32, ReplayError> {
        if let Some((id, ordinal)) = self.scratch.last_topic {
            if id == topic_id {
                return Ok(ordinal);
            }
        }
        let ordinal = *self
            .by_id
            .get(&topic_id)
            .ok_or(ReplayError::UnknownTopicId { topic_id })?;
        self.scratch.last_topic = Some((topic_id, ordinal));
        Ok(ordinal)
    }

    pub(crate) fn replay_partition(&mut self, record: &PartitionRecord) -> Result<(), ReplayError> {
        let topic_id = record.topic_id;
        check_partition_id(topic_id, record.partition_id)?;
        let ordinal = self.ordinal(topic_id)?;
        let registration = PartitionRegistration::from_record(record, &mut self.interner)
            .map_err(|e| partition_error(topic_id, record.partition_id, e))?;
        self.set_partition(ordinal, record.partition_id, registration);
        Ok(())
    }

    pub(crate) fn replay_partition_change(
        &mut self,
        record: &PartitionChangeRecord,
    ) -> Result<(), ReplayError> {
        let topic_id = record.topic_id;
        let partition_id = record.partition_id;
        let ordinal = self.ordinal(topic_id)?;
        let current = self
            .slots
            .get(ordinal)
            .and_then(|t| t.partition(partition_id))
            .ok_or(ReplayError::UnknownPartition {
                topic_id,
                partition_id,
            })?;
        let next = current
            .merge(record, &mut self.interner)
            .map_err(|e| partition_error(topic_id, partition_id, e))?;
        self.set_partition(ordinal, partition_id, next);
        Ok(())
    }

    fn set_partition(
        &mut self,
        ordinal: u32,
        partition_id: i32,
        registration: PartitionRegistration,
    ) {
        let Some(topic) = self.slots.get_mut(ordinal) else {
            return;
        };
        let Scratch {
            before,
            after,
            grown,
            ..
        } = &mut self.scratch;
        roles(topic.partition(partition_id), before);
        roles(Some(&registration), after);
        for &(broker, flags) in after.iter() {
            let old = before.iter().find(|(b, _)| *b == broker).map_or(0, |e| e.1);
            if old != flags {
                self.index.set(broker, ordinal, partition_id as u32, flags);
            }
        }
        for &(broker, _) in before.iter() {
            if !after.iter().any(|(b, _)| *b == broker) {
                self.index.set(broker, ordinal, partition_id as u32, 0);
            }
        }
        if topic.set_partition(partition_id, registration).is_none() {
            self.partition_count += 1;
            if grown.last() != Some(&ordinal) {
                grown.push(ordinal);
            }
        }
    }

    /// Called once a delta is complete: trims the topics that grew, so an image costs what
    /// it holds, not what replay reserved.
    pub(crate) fn finish(&mut self) {
        let mut grown = std::mem::take(&mut self.scratch.grown);
        grown.sort_unstable();
        grown.dedup();
        for ordinal in grown {
            if let Some(topic) = self.slots.get_mut(ordinal) {
                topic.shrink_to_fit();
            }
        }
        self.scratch = Scratch::default();
    }
}

fn check_partition_id(topic_id: Uuid, partition_id: i32) -> Result<(), ReplayError> {
    if (0..=MAX_PARTITION_ID).contains(&partition_id) {
        Ok(())
    } else {
        Err(ReplayError::InvalidPartitionId {
            topic_id,
            partition_id,
        })
    }
}

fn partition_error(topic_id: Uuid, partition_id: i32, error: PartitionRecordError) -> ReplayError {
    match error {
        PartitionRecordError::LeaderRecoveryState(value) => {
            ReplayError::InvalidLeaderRecoveryState {
                topic_id,
                partition_id,
                value,
            }
        }
    }
}

impl TopicsImage {
    /// `self == other`, given `self_before == other_before` (see
    /// [`crate::metadata::MetadataImage::eq_given`]): a topic that `self` shares with
    /// `self_before` and `other` with `other_before` is equal without comparing it, and a
    /// changed topic compares only the partition chunks it does not share with its
    /// before. Befores are looked up by topic id: ordinals are local history.
    pub(crate) fn eq_given(
        &self,
        other: &TopicsImage,
        self_before: &TopicsImage,
        other_before: &TopicsImage,
    ) -> bool {
        if self.ptr_eq(other) || (self.ptr_eq(self_before) && other.ptr_eq(other_before)) {
            return true;
        }
        self.by_id.len() == other.by_id.len()
            && self
                .by_id
                .iter()
                .zip(other.by_id.iter())
                .all(|((id_a, &a), (id_b, &b))| {
                    if id_a != id_b {
                        return false;
                    }
                    let (Some(ta), Some(tb)) = (self.slots.slot(a), other.slots.slot(b)) else {
                        return false;
                    };
                    if Arc::ptr_eq(ta, tb) {
                        return true;
                    }
                    match (self_before.slot_by_id(id_a), other_before.slot_by_id(id_a)) {
                        (Some(sa), Some(sb)) => {
                            (Arc::ptr_eq(ta, sa) && Arc::ptr_eq(tb, sb)) || ta.eq_given(tb, sa, sb)
                        }
                        _ => ta == tb,
                    }
                })
    }
}

impl TopicsImage {
    fn slot_by_id(&self, topic_id: &Uuid) -> Option<&Arc<TopicImage>> {
        self.slots.slot(*self.by_id.get(topic_id)?)
    }
}

impl PartialEq for TopicsImage {
    // Compares topics by id; ordinals are local history (a node that loaded a snapshot
    // numbers topics afresh), by_name and the index follow from the topics, and the interner
    // is a cache.
    fn eq(&self, other: &Self) -> bool {
        if self.ptr_eq(other) {
            return true;
        }
        self.by_id.len() == other.by_id.len()
            && self
                .by_id
                .iter()
                .zip(other.by_id.iter())
                .all(|((id_a, &a), (id_b, &b))| {
                    id_a == id_b && self.slots.same_topic(a, &other.slots, b)
                })
    }
}

impl Eq for TopicsImage {}

impl fmt::Debug for TopicsImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.topics_by_id()).finish()
    }
}
