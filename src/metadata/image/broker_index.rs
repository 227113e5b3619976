//! The by-broker index (Kafka's controller keeps the same thing in `BrokersToIsrs`): for each
//! broker, every partition where it is a replica, in the ISR, or the leader. The pseudo-broker
//! -1 (`NO_LEADER`) "leads" every leaderless partition, so those are found the same way, and
//! the pseudo-broker -2 ([`IMBALANCED`]) "leads" every partition whose leader is not its
//! preferred replica (Kafka's controller keeps that set as `imbalancedPartitions`).
//! Fencing one broker among 2,000,000 partitions reads only that broker's entries.
//!
//! An entry is one `u64`: the topic's creation ordinal in the high half, then three role
//! flags and the partition id (29 bits). A broker's entries are sorted by (ordinal,
//! partition) and cut into shared chunks of [`CHUNK`] entries: a change copies one chunk and
//! the list of chunk pointers, never the whole list. With ISR ⊆ replicas that is about
//! `8 × replication factor` bytes per partition, however topics are sized.

use std::sync::Arc;

use super::partition::PartitionRegistration;

/// The broker hosts a replica of the partition.
pub(crate) const REPLICA: u32 = 1 << 29;
/// The broker is in the partition's ISR.
pub(crate) const IN_ISR: u32 = 1 << 30;
/// The broker leads the partition (for broker -1: the partition has no leader).
pub(crate) const LEADER: u32 = 1 << 31;
/// The pseudo-broker whose LEADER entries are the partitions not led by their preferred
/// replica (`!PartitionRegistration.hasPreferredLeader()`), leaderless ones included.
pub(crate) const IMBALANCED: i32 = -2;
/// Partition ids must fit under the flags.
pub(crate) const MAX_PARTITION_ID: i32 = (REPLICA - 1) as i32;
const FLAGS: u64 = (REPLICA | IN_ISR | LEADER) as u64;
/// Entries per chunk: 4 KiB.
const CHUNK: usize = 512;

fn key(ordinal: u32, partition_id: u32) -> u64 {
    ((ordinal as u64) << 32) | partition_id as u64
}

fn key_of(entry: u64) -> u64 {
    entry & !FLAGS
}

/// The roles of every broker named by `registration` (an absent registration has none),
/// written into `out` to avoid allocating per record.
pub(crate) fn roles(registration: Option<&PartitionRegistration>, out: &mut Vec<(i32, u32)>) {
    out.clear();
    let Some(reg) = registration else { return };
    let mut add = |broker: i32, flag: u32| match out.iter_mut().find(|(b, _)| *b == broker) {
        Some((_, flags)) => *flags |= flag,
        None => out.push((broker, flag)),
    };
    for &b in reg.replicas() {
        add(b, REPLICA);
    }
    for &b in reg.isr().iter() {
        add(b, IN_ISR);
    }
    // A leaderless partition's leader is -1: the pseudo-broker entry.
    add(reg.leader(), LEADER);
    if !reg.has_preferred_leader() {
        add(IMBALANCED, LEADER);
    }
}

/// One broker's sorted entries: older ones in shared chunks, the newest in an owned tail.
/// Appends — almost all of replay — touch only the tail, one cache line away from the list.
#[derive(Clone, Default)]
struct EntryList {
    /// Every key here is below every key of `tail`.
    chunks: Vec<Arc<Vec<u64>>>,
    /// At most [`CHUNK`] entries; sealed into `chunks` when a full tail must grow.
    tail: Vec<u64>,
}

impl EntryList {
    fn set(&mut self, key: u64, flags: u32) {
        let entry = key | flags as u64;
        let in_tail = match (self.tail.first(), self.chunks.last()) {
            (Some(&first), _) => key_of(first) <= key,
            (None, Some(chunk)) => key_of(chunk[chunk.len() - 1]) < key,
            (None, None) => true,
        } || self.chunks.is_empty();
        if in_tail {
            self.set_in_tail(key, entry, flags);
        } else {
            self.set_in_chunks(key, entry, flags);
        }
    }

    fn set_in_tail(&mut self, key: u64, entry: u64, flags: u32) {
        let tail = &mut self.tail;
        // Replay creates partitions in (topic, partition) order: appending is the common case.
        let position = match tail.last() {
            Some(&last) if key_of(last) >= key => tail.binary_search_by_key(&key, |&e| key_of(e)),
            _ => Err(tail.len()),
        };
        match position {
            Ok(i) if flags == 0 => {
                tail.remove(i);
            }
            Ok(i) => tail[i] = entry,
            Err(_) if flags == 0 => {}
            // A full tail is sealed whole: sequential loads pack chunks densely.
            Err(i) if i == CHUNK => {
                let sealed = std::mem::replace(tail, Vec::with_capacity(CHUNK));
                self.chunks.push(Arc::new(sealed));
                self.tail.push(entry);
            }
            Err(i) => {
                if tail.capacity() == 0 {
                    tail.reserve_exact(CHUNK);
                }
                tail.insert(i, entry);
                if tail.len() > CHUNK {
                    let newer = tail.split_off(CHUNK / 2);
                    let older = std::mem::replace(tail, newer);
                    self.chunks.push(Arc::new(older));
                }
            }
        }
    }

    fn set_in_chunks(&mut self, key: u64, entry: u64, flags: u32) {
        // The last chunk whose first key is ≤ key (or the first chunk).
        let slot = self
            .chunks
            .partition_point(|c| key_of(c[0]) <= key)
            .saturating_sub(1);
        let position = self.chunks[slot].binary_search_by_key(&key, |&e| key_of(e));
        match position {
            Ok(i) if flags == 0 => {
                let chunk = Arc::make_mut(&mut self.chunks[slot]);
                chunk.remove(i);
                if chunk.is_empty() {
                    self.chunks.remove(slot);
                }
            }
            Ok(i) => Arc::make_mut(&mut self.chunks[slot])[i] = entry,
            Err(_) if flags == 0 => {}
            Err(i) => {
                let chunk = Arc::make_mut(&mut self.chunks[slot]);
                if chunk.len() < CHUNK {
                    chunk.insert(i, entry);
                } else {
                    let mut right = Vec::with_capacity(CHUNK);
                    right.extend(chunk.drain(CHUNK / 2..));
                    if i <= CHUNK / 2 {
                        chunk.insert(i, entry);
                    } else {
                        right.insert(i - CHUNK / 2, entry);
                    }
                    self.chunks.insert(slot + 1, Arc::new(right));
                }
            }
        }
    }

    /// Removes every entry of topic `ordinal`.
    fn remove_topic(&mut self, ordinal: u32) {
        let (low, high) = (key(ordinal, 0), key(ordinal + 1, 0));
        let outside = |e: &u64| !(low..high).contains(&key_of(*e));
        self.chunks.retain_mut(|chunk| {
            let first = key_of(chunk[0]);
            let last = key_of(chunk[chunk.len() - 1]);
            if last < low || first >= high {
                return true;
            }
            Arc::make_mut(chunk).retain(outside);
            !chunk.is_empty()
        });
        self.tail.retain(outside);
    }

    fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter().copied())
            .chain(self.tail.iter().copied())
    }

    fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.tail.is_empty()
    }
}

/// Broker ids from -1 up to this bound live in a directly indexed table (node ids are small
/// in practice); any other id goes to a sorted list.
const DENSE_LIMIT: i32 = 1024;

/// Every broker's entries. Cloning copies one pointer per broker slot.
#[derive(Clone, Default)]
pub(crate) struct BrokerIndex {
    /// Broker `id` at index `id + 1`, for -1 ≤ id < [`DENSE_LIMIT`].
    dense: Vec<Option<Arc<EntryList>>>,
    sparse: Vec<(i32, Arc<EntryList>)>,
}

impl BrokerIndex {
    fn list(&self, broker: i32) -> Option<&EntryList> {
        if (-1..DENSE_LIMIT).contains(&broker) {
            self.dense.get((broker + 1) as usize)?.as_deref()
        } else {
            let slot = self
                .sparse
                .binary_search_by_key(&broker, |(b, _)| *b)
                .ok()?;
            Some(&self.sparse[slot].1)
        }
    }

    /// Runs `change` on `broker`'s list (created empty if `create`), dropping it if it
    /// ends up empty.
    fn update(&mut self, broker: i32, create: bool, change: impl FnOnce(&mut EntryList)) {
        if (-1..DENSE_LIMIT).contains(&broker) {
            let slot = (broker + 1) as usize;
            if self.dense.len() <= slot {
                if !create {
                    return;
                }
                self.dense.resize(slot + 1, None);
            }
            let entry = &mut self.dense[slot];
            if entry.is_none() && !create {
                return;
            }
            let list = Arc::make_mut(entry.get_or_insert_with(Arc::default));
            change(list);
            if list.is_empty() {
                *entry = None;
            }
        } else {
            let slot = match self.sparse.binary_search_by_key(&broker, |(b, _)| *b) {
                Ok(slot) => slot,
                Err(_) if !create => return,
                Err(slot) => {
                    self.sparse.insert(slot, (broker, Arc::default()));
                    slot
                }
            };
            let list = Arc::make_mut(&mut self.sparse[slot].1);
            change(list);
            if list.is_empty() {
                self.sparse.remove(slot);
            }
        }
    }

    /// Sets `broker`'s roles in one partition to `flags` (0 removes the entry).
    pub(crate) fn set(&mut self, broker: i32, ordinal: u32, partition_id: u32, flags: u32) {
        self.update(broker, flags != 0, |list| {
            list.set(key(ordinal, partition_id), flags)
        });
    }

    /// Drops topic `ordinal` from the lists of `brokers`.
    pub(crate) fn remove_topic(&mut self, ordinal: u32, brokers: impl IntoIterator<Item = i32>) {
        for broker in brokers {
            self.update(broker, false, |list| list.remove_topic(ordinal));
        }
    }

    /// `broker`'s entries as (topic ordinal, partition id, flags), sorted.
    pub(crate) fn entries(&self, broker: i32) -> impl Iterator<Item = (u32, i32, u32)> + '_ {
        self.list(broker)
            .into_iter()
            .flat_map(EntryList::iter)
            .map(|e| {
                let low = e as u32;
                (
                    (e >> 32) as u32,
                    (low & (REPLICA - 1)) as i32,
                    low & !(REPLICA - 1),
                )
            })
    }

    /// The brokers with at least one entry, ascending (-1 if any partition is leaderless).
    #[cfg(test)]
    pub(crate) fn brokers(&self) -> impl Iterator<Item = i32> + '_ {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_some())
            .map(|(i, _)| i as i32 - 1);
        let sparse = self.sparse.iter().map(|(b, _)| *b);
        let mut all: Vec<i32> = dense.chain(sparse).collect();
        all.sort_unstable();
        all.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(index: &BrokerIndex, broker: i32) -> Vec<(u32, i32, u32)> {
        index.entries(broker).collect()
    }

    #[test]
    fn set_inserts_updates_and_removes_in_order() {
        let mut index = BrokerIndex::default();
        index.set(1, 0, 5, REPLICA);
        index.set(1, 0, 2, REPLICA | IN_ISR);
        index.set(1, 1, 0, REPLICA | LEADER);
        index.set(1, 0, 5, REPLICA | IN_ISR);
        assert_eq!(
            entries(&index, 1),
            vec![
                (0, 2, REPLICA | IN_ISR),
                (0, 5, REPLICA | IN_ISR),
                (1, 0, REPLICA | LEADER)
            ]
        );
        index.set(1, 0, 2, 0);
        index.set(1, 0, 7, 0);
        index.set(1, 0, 5, 0);
        index.set(1, 1, 0, 0);
        assert_eq!(index.brokers().count(), 0);
    }

    #[test]
    fn sequential_loads_fill_chunks_and_middle_inserts_split_them() {
        let mut list = EntryList::default();
        for p in 0..(CHUNK as u32 * 2) {
            list.set(key(0, p * 2), REPLICA);
        }
        assert_eq!((list.chunks.len(), list.tail.len()), (1, CHUNK));
        list.set(key(0, 1), REPLICA);
        assert_eq!(list.chunks.len(), 2);
        // Inserting into a full tail splits it too.
        list.set(key(0, CHUNK as u32 * 2 + 1), REPLICA);
        assert_eq!((list.chunks.len(), list.tail.len()), (3, CHUNK / 2 + 1));
        let keys: Vec<u64> = list.iter().map(key_of).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(keys.len(), CHUNK * 2 + 2);
    }

    #[test]
    fn remove_topic_drops_only_that_topic() {
        let mut index = BrokerIndex::default();
        for t in 0..3 {
            for p in 0..1000 {
                index.set(4, t, p, REPLICA);
            }
        }
        index.remove_topic(1, [4, 9]);
        let topics: Vec<u32> = index.entries(4).map(|(t, _, _)| t).collect();
        assert_eq!(topics.len(), 2000);
        assert!(topics.iter().all(|&t| t != 1));
    }

    #[test]
    fn dense_and_sparse_broker_ids_index_alike() {
        let mut index = BrokerIndex::default();
        for broker in [-1, 0, 7, DENSE_LIMIT - 1, DENSE_LIMIT, 1_000_000, -5] {
            index.set(broker, 0, 3, LEADER);
            assert_eq!(entries(&index, broker), vec![(0, 3, LEADER)], "{broker}");
        }
        assert_eq!(
            index.brokers().collect::<Vec<_>>(),
            vec![-5, -1, 0, 7, DENSE_LIMIT - 1, DENSE_LIMIT, 1_000_000]
        );
        for broker in [-1, 0, 7, DENSE_LIMIT - 1, DENSE_LIMIT, 1_000_000, -5] {
            index.set(broker, 0, 3, 0);
        }
        assert_eq!(index.brokers().count(), 0);
    }

    #[test]
    fn a_clone_is_unaffected_by_later_changes() {
        let mut index = BrokerIndex::default();
        index.set(1, 0, 0, REPLICA);
        let before = index.clone();
        index.set(1, 0, 1, REPLICA);
        assert_eq!(before.entries(1).count(), 1);
        assert_eq!(index.entries(1).count(), 2);
    }
}
