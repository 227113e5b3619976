//! `TopicsImage`: every topic by id and by name, and the by-broker index the controller uses
//! to find a broker's partitions without scanning all of them (fencing one broker among
//! 2,000,000 partitions touches only that broker's entries).

use std::fmt;
use std::sync::Arc;

use imbl::OrdMap;

use super::broker_index::{roles, BrokerIndex, IN_ISR, LEADER, MAX_PARTITION_ID, REPLICA};
use super::partition::{PartitionRecordError, PartitionRegistration};
use super::replica_set::ReplicaSetInterner;
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

/// All topics. Persistent maps: cloning is O(1) and two images share every topic neither
/// changed.
#[derive(Clone, Default)]
pub struct TopicsImage {
    by_id: OrdMap<Uuid, Arc<TopicImage>>,
    by_name: OrdMap<Arc<str>, Uuid>,
    /// Topic creation ordinal → id, to read the by-broker index.
    by_ordinal: OrdMap<u32, Uuid>,
    next_ordinal: u32,
    index: BrokerIndex,
    partition_count: usize,
    interner: ReplicaSetInterner,
    scratch: Scratch,
}

/// Buffers reused by every partition update so replay does not allocate per record. Not
/// state: a clone starts empty.
#[derive(Default)]
struct Scratch {
    before: Vec<(i32, u32)>,
    after: Vec<(i32, u32)>,
    /// Topics that gained partitions since the last `finish`, to trim their spare capacity.
    grown: Vec<Uuid>,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl TopicsImage {
    /// The topic with this id.
    pub fn topic(&self, topic_id: &Uuid) -> Option<&TopicImage> {
        self.by_id.get(topic_id).map(|t| &**t)
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
        self.by_id.values().map(|t| &**t)
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

    /// Whether both hold the same topic map allocation (O(1)).
    pub fn ptr_eq(&self, other: &TopicsImage) -> bool {
        self.by_id.ptr_eq(&other.by_id)
    }

    /// How many distinct replica lists the image interns (a memory diagnostic).
    pub fn interned_replica_lists(&self) -> usize {
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

    /// The order is creation order rather than topic id so that a lookup costs nothing per
    /// entry; it is the same on every node that replayed the same log.
    fn indexed(&self, broker_id: i32, flag: u32) -> impl Iterator<Item = TopicIdPartition> + '_ {
        let mut current: Option<(u32, Uuid)> = None;
        self.index
            .entries(broker_id)
            .filter(move |(_, _, flags)| flags & flag != 0)
            .filter_map(move |(ordinal, partition_id, _)| {
                let topic_id = match current {
                    Some((o, id)) if o == ordinal => id,
                    _ => {
                        let id = *self.by_ordinal.get(&ordinal)?;
                        current = Some((ordinal, id));
                        id
                    }
                };
                Some(TopicIdPartition {
                    topic_id,
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
        if let Some(existing) = self.by_id.get(&topic_id) {
            return Err(ReplayError::TopicIdInUse {
                topic_id,
                existing_name: existing.name().to_string(),
            });
        }
        let name: Arc<str> = name.into();
        let ordinal = self.next_ordinal;
        // 2^32 topic creations in one node's lifetime is beyond any simulation.
        self.next_ordinal += 1;
        self.by_name.insert(name.clone(), topic_id);
        self.by_ordinal.insert(ordinal, topic_id);
        self.by_id
            .insert(topic_id, Arc::new(TopicImage::new(name, topic_id, ordinal)));
        Ok(())
    }

    /// Removes a topic with all its partitions and index entries; returns its name.
    pub(crate) fn remove_topic(&mut self, topic_id: Uuid) -> Result<Arc<str>, ReplayError> {
        let topic = self
            .by_id
            .remove(&topic_id)
            .ok_or(ReplayError::UnknownTopicId { topic_id })?;
        self.by_name.remove(topic.name());
        self.by_ordinal.remove(&topic.ordinal());
        let mut brokers = std::collections::BTreeSet::new();
        for (_, partition) in topic.partitions() {
            roles(Some(partition), &mut self.scratch.before);
            brokers.extend(self.scratch.before.iter().map(|(b, _)| *b));
        }
        self.index.remove_topic(topic.ordinal(), brokers);
        self.partition_count -= topic.partition_count();
        Ok(topic.name_arc().clone())
    }

    pub(crate) fn replay_partition(&mut self, record: &PartitionRecord) -> Result<(), ReplayError> {
        let topic_id = record.topic_id;
        check_partition_id(topic_id, record.partition_id)?;
        if !self.by_id.contains_key(&topic_id) {
            return Err(ReplayError::UnknownTopicId { topic_id });
        }
        let registration = PartitionRegistration::from_record(record, &mut self.interner)
            .map_err(|e| partition_error(topic_id, record.partition_id, e))?;
        self.set_partition(topic_id, record.partition_id, registration);
        Ok(())
    }

    pub(crate) fn replay_partition_change(
        &mut self,
        record: &PartitionChangeRecord,
    ) -> Result<(), ReplayError> {
        let topic_id = record.topic_id;
        let partition_id = record.partition_id;
        let current = self
            .by_id
            .get(&topic_id)
            .ok_or(ReplayError::UnknownTopicId { topic_id })?
            .partition(partition_id)
            .ok_or(ReplayError::UnknownPartition {
                topic_id,
                partition_id,
            })?;
        let next = current
            .merge(record, &mut self.interner)
            .map_err(|e| partition_error(topic_id, partition_id, e))?;
        self.set_partition(topic_id, partition_id, next);
        Ok(())
    }

    fn set_partition(
        &mut self,
        topic_id: Uuid,
        partition_id: i32,
        registration: PartitionRegistration,
    ) {
        let Some(topic) = self.by_id.get_mut(&topic_id) else {
            return;
        };
        let topic = Arc::make_mut(topic);
        let Scratch { before, after, .. } = &mut self.scratch;
        roles(topic.partition(partition_id), before);
        roles(Some(&registration), after);
        for &(broker, flags) in after.iter() {
            let old = before.iter().find(|(b, _)| *b == broker).map_or(0, |e| e.1);
            if old != flags {
                self.index
                    .set(broker, topic.ordinal(), partition_id as u32, flags);
            }
        }
        for &(broker, _) in before.iter() {
            if !after.iter().any(|(b, _)| *b == broker) {
                self.index
                    .set(broker, topic.ordinal(), partition_id as u32, 0);
            }
        }
        if topic.set_partition(partition_id, registration).is_none() {
            self.partition_count += 1;
            if self.scratch.grown.last() != Some(&topic_id) {
                self.scratch.grown.push(topic_id);
            }
        }
    }

    /// Called once a delta is complete: trims the topics that grew, so an image costs what
    /// it holds, not what replay reserved.
    pub(crate) fn finish(&mut self) {
        let mut grown = std::mem::take(&mut self.scratch.grown);
        grown.sort_unstable();
        grown.dedup();
        for topic_id in grown {
            if let Some(topic) = self.by_id.get_mut(&topic_id) {
                Arc::make_mut(topic).shrink_to_fit();
            }
        }
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

impl PartialEq for TopicsImage {
    // by_name, the index and the counts are functions of by_id; the interner is a cache.
    fn eq(&self, other: &Self) -> bool {
        self.by_id.ptr_eq(&other.by_id) || self.by_id == other.by_id
    }
}

impl Eq for TopicsImage {}

impl fmt::Debug for TopicsImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.topics_by_id()).finish()
    }
}
