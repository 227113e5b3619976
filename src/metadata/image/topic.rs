//! `TopicImage`: one topic's name, id and partitions.

use std::fmt;
use std::sync::Arc;

use super::partition::PartitionRegistration;
use crate::metadata::uuid::Uuid;

/// Slots per partition chunk: a change copies at most 64 × 40 bytes.
const CHUNK: usize = 64;

/// Partitions by id: full chunks of [`CHUNK`] slots, shared between images, then an owned
/// tail that appends touch without chasing a pointer. Ids are dense in Kafka (0..n, grown by
/// CreatePartitions), so a slot index is the id. Unlike a general persistent vector, the
/// tail holds only as many slots as the topic has partitions, so a 3-partition topic does
/// not pay for 64.
#[derive(Clone, Default)]
struct PartitionTable {
    chunks: Vec<Arc<Vec<Option<PartitionRegistration>>>>,
    tail: Vec<Option<PartitionRegistration>>,
}

impl PartitionTable {
    fn sealed_len(&self) -> usize {
        self.chunks.len() * CHUNK
    }

    fn len(&self) -> usize {
        self.sealed_len() + self.tail.len()
    }

    fn get(&self, slot: usize) -> Option<&PartitionRegistration> {
        let sealed = self.sealed_len();
        let entry = if slot < sealed {
            &self.chunks[slot / CHUNK][slot % CHUNK]
        } else {
            self.tail.get(slot - sealed)?
        };
        entry.as_ref()
    }

    fn set(
        &mut self,
        slot: usize,
        value: Option<PartitionRegistration>,
    ) -> Option<PartitionRegistration> {
        let sealed = self.sealed_len();
        if slot < sealed {
            let chunk = Arc::make_mut(&mut self.chunks[slot / CHUNK]);
            return std::mem::replace(&mut chunk[slot % CHUNK], value);
        }
        // Appending the next id, the common case.
        if slot == self.len() && self.tail.len() < CHUNK {
            self.tail.push(value);
            return None;
        }
        while self.len() <= slot {
            if self.tail.len() == CHUNK {
                // Later tails are likely to fill: allocate them whole.
                let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
                self.chunks.push(Arc::new(full));
            }
            self.tail.push(None);
        }
        let sealed = self.sealed_len();
        if slot < sealed {
            let chunk = Arc::make_mut(&mut self.chunks[slot / CHUNK]);
            return std::mem::replace(&mut chunk[slot % CHUNK], value);
        }
        std::mem::replace(&mut self.tail[slot - sealed], value)
    }

    /// Gives back the growth room of the tail (a 10-partition topic would otherwise keep 16
    /// slots).
    fn shrink_to_fit(&mut self) {
        self.chunks.shrink_to_fit();
        self.tail.shrink_to_fit();
    }

    fn iter(&self) -> impl Iterator<Item = (i32, &PartitionRegistration)> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
            .enumerate()
            .filter_map(|(id, p)| p.as_ref().map(|p| (id as i32, p)))
    }
}

impl PartialEq for PartitionTable {
    // The split into chunks and tail is a function of the length, so equal tables split alike.
    fn eq(&self, other: &Self) -> bool {
        self.chunks.len() == other.chunks.len()
            && self
                .chunks
                .iter()
                .zip(&other.chunks)
                .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
            && self.tail == other.tail
    }
}

/// One topic (`org.apache.kafka.image.TopicImage`).
#[derive(Clone)]
pub struct TopicImage {
    name: Arc<str>,
    id: Uuid,
    partitions: PartitionTable,
    partition_count: u32,
}

impl TopicImage {
    pub(crate) fn new(name: Arc<str>, id: Uuid) -> Self {
        TopicImage {
            name,
            id,
            partitions: PartitionTable::default(),
            partition_count: 0,
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
        self.partitions.get(usize::try_from(partition_id).ok()?)
    }

    /// The partitions, by ascending id.
    pub fn partitions(&self) -> impl Iterator<Item = (i32, &PartitionRegistration)> + '_ {
        self.partitions.iter()
    }

    /// How many partitions the topic has.
    pub fn partition_count(&self) -> usize {
        self.partition_count as usize
    }

    /// Releases spare capacity left by appending partitions.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.partitions.shrink_to_fit();
    }

    /// Replaces partition `partition_id` (range-checked by the caller); returns the old one.
    pub(crate) fn set_partition(
        &mut self,
        partition_id: i32,
        registration: PartitionRegistration,
    ) -> Option<PartitionRegistration> {
        let previous = self
            .partitions
            .set(partition_id as usize, Some(registration));
        if previous.is_none() {
            self.partition_count += 1;
        }
        previous
    }
}

impl TopicImage {
    /// `self == other`, given `self_before == other_before` (see
    /// [`crate::metadata::MetadataImage::eq_given`]): a partition chunk that `self` shares
    /// with `self_before` and `other` with `other_before` at the same position is equal
    /// without comparing it, so comparing two nodes' copies of a big topic after a batch
    /// costs the chunks the batch touched, not every partition.
    pub(crate) fn eq_given(
        &self,
        other: &TopicImage,
        self_before: &TopicImage,
        other_before: &TopicImage,
    ) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.partitions.eq_given(
                &other.partitions,
                &self_before.partitions,
                &other_before.partitions,
            )
    }
}

impl PartitionTable {
    /// `PartialEq::eq`, given `self_before == other_before`: equal tables split into
    /// chunks alike, so chunk `i` of both befores holds the same partitions.
    fn eq_given(
        &self,
        other: &PartitionTable,
        self_before: &PartitionTable,
        other_before: &PartitionTable,
    ) -> bool {
        let unchanged = |i: usize, a: &Arc<_>, b: &Arc<_>| {
            self_before.chunks.get(i).is_some_and(|x| Arc::ptr_eq(x, a))
                && other_before
                    .chunks
                    .get(i)
                    .is_some_and(|y| Arc::ptr_eq(y, b))
        };
        self.chunks.len() == other.chunks.len()
            && self
                .chunks
                .iter()
                .zip(&other.chunks)
                .enumerate()
                .all(|(i, (a, b))| Arc::ptr_eq(a, b) || unchanged(i, a, b) || a == b)
            && self.tail == other.tail
    }
}

impl PartialEq for TopicImage {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.name == other.name && self.partitions == other.partitions
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
