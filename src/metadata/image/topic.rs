//! `TopicImage`: one topic's name, id and partitions, plus its half of the by-broker index.

use std::fmt;
use std::sync::Arc;

use imbl::Vector;

use super::broker_index::{roles, TopicBrokerIndex, Transition};
use super::partition::PartitionRegistration;
use crate::metadata::uuid::Uuid;

/// One topic. Partitions are stored by id in a persistent vector: ids are dense in Kafka
/// (0..n, grown by CreatePartitions), a change copies one 64-entry chunk, and two images that
/// share history share every untouched chunk.
#[derive(Clone)]
pub struct TopicImage {
    name: Arc<str>,
    id: Uuid,
    partitions: Vector<Option<PartitionRegistration>>,
    partition_count: usize,
    index: TopicBrokerIndex,
}

impl TopicImage {
    pub(crate) fn new(name: Arc<str>, id: Uuid) -> Self {
        TopicImage {
            name,
            id,
            partitions: Vector::new(),
            partition_count: 0,
            index: TopicBrokerIndex::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn name_arc(&self) -> &Arc<str> {
        &self.name
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The partition with this id.
    pub fn partition(&self, partition_id: i32) -> Option<&PartitionRegistration> {
        let slot = usize::try_from(partition_id).ok()?;
        self.partitions.get(slot)?.as_ref()
    }

    /// The partitions, by ascending id.
    pub fn partitions(&self) -> impl Iterator<Item = (i32, &PartitionRegistration)> + '_ {
        self.partitions
            .iter()
            .enumerate()
            .filter_map(|(id, p)| p.as_ref().map(|p| (id as i32, p)))
    }

    /// How many partitions the topic has.
    pub fn partition_count(&self) -> usize {
        self.partition_count
    }

    pub(crate) fn index(&self) -> &TopicBrokerIndex {
        &self.index
    }

    /// Replaces partition `partition_id` (which the caller has range-checked) and updates the
    /// index; `on_transition(broker, transition)` hears when a broker gains its first or loses
    /// its last entry in this topic. `scratch` is reused between calls to avoid allocating.
    pub(crate) fn set_partition(
        &mut self,
        partition_id: i32,
        registration: Option<PartitionRegistration>,
        scratch: &mut (Vec<(i32, u32)>, Vec<(i32, u32)>),
        mut on_transition: impl FnMut(i32, Transition),
    ) -> Option<PartitionRegistration> {
        let slot = partition_id as usize;
        let (before, after) = scratch;
        roles(self.partition(partition_id), before);
        roles(registration.as_ref(), after);
        for &(broker, flags) in after.iter() {
            let old = before.iter().find(|(b, _)| *b == broker).map_or(0, |e| e.1);
            if old != flags {
                on_transition(broker, self.index.set(broker, partition_id as u32, flags));
            }
        }
        for &(broker, _) in before.iter() {
            if !after.iter().any(|(b, _)| *b == broker) {
                on_transition(broker, self.index.set(broker, partition_id as u32, 0));
            }
        }
        let added = registration.is_some();
        let previous = if slot < self.partitions.len() {
            self.partitions.set(slot, registration)
        } else {
            while self.partitions.len() < slot {
                self.partitions.push_back(None);
            }
            self.partitions.push_back(registration);
            None
        };
        match (previous.is_some(), added) {
            (false, true) => self.partition_count += 1,
            (true, false) => self.partition_count -= 1,
            _ => {}
        }
        previous
    }
}

impl PartialEq for TopicImage {
    // The index and the count are functions of the partitions: comparing them adds nothing.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.name == other.name
            && (self.partitions.ptr_eq(&other.partitions) || self.partitions == other.partitions)
    }
}

impl Eq for TopicImage {}

impl fmt::Debug for TopicImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopicImage")
            .field("name", &self.name)
            .field("id", &self.id)
            .field("partitions", &DebugPartitions(self))
            .finish()
    }
}

struct DebugPartitions<'a>(&'a TopicImage);

impl fmt::Debug for DebugPartitions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.partitions()).finish()
    }
}
