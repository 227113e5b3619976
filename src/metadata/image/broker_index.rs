//! The per-topic half of the by-broker index (Kafka's controller keeps the same thing in
//! `BrokersToIsrs`): for each broker, the sorted ids of the topic's partitions where it is a
//! replica, in the ISR, or the leader. The pseudo-broker -1 (`NO_LEADER`) "leads" every leaderless
//! partition, so leaderless partitions are found the same way.
//!
//! One entry is a `u32`: the partition id in the low 29 bits and three role flags above it.
//! With ISR ⊆ replicas that is about `replication factor × 4` bytes per partition.

use std::sync::Arc;

use super::partition::PartitionRegistration;

/// The broker hosts a replica of the partition.
pub(crate) const REPLICA: u32 = 1 << 29;
/// The broker is in the partition's ISR.
pub(crate) const IN_ISR: u32 = 1 << 30;
/// The broker leads the partition (for broker -1: the partition has no leader).
pub(crate) const LEADER: u32 = 1 << 31;
/// Partition ids must fit under the flags.
pub(crate) const MAX_PARTITION_ID: i32 = (REPLICA - 1) as i32;
const ID_MASK: u32 = REPLICA - 1;

/// Whether a broker gained its first or lost its last entry in a topic; the topics image
/// mirrors this in its broker → topics map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transition {
    None,
    Added,
    Removed,
}

/// The roles of every broker named by `registration` (an absent registration has none).
/// At most `2 × replicas + 1` brokers; written into `out` to avoid allocating per record.
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
    for &b in reg.isr() {
        add(b, IN_ISR);
    }
    // `leader` is NO_LEADER (-1) for a leaderless partition: that is the pseudo-broker entry.
    add(reg.leader(), LEADER);
}

/// One topic's broker → partition entries. Cloning copies one pointer per broker; a change
/// copies only the touched broker's list, and only if another image still shares it.
#[derive(Clone, Default)]
pub(crate) struct TopicBrokerIndex {
    brokers: Vec<(i32, Arc<Vec<u32>>)>,
}

impl TopicBrokerIndex {
    /// Sets `broker`'s roles in `partition_id` to `flags` (0 removes the entry).
    pub(crate) fn set(&mut self, broker: i32, partition_id: u32, flags: u32) -> Transition {
        let entry = partition_id | flags;
        let slot = match self.brokers.binary_search_by_key(&broker, |(b, _)| *b) {
            Ok(slot) => slot,
            Err(_) if flags == 0 => return Transition::None,
            Err(slot) => {
                self.brokers.insert(slot, (broker, Arc::new(vec![entry])));
                return Transition::Added;
            }
        };
        let list = Arc::make_mut(&mut self.brokers[slot].1);
        // Replay creates partitions in id order: appending is the common case.
        let position = match list.last() {
            Some(&last) if last & ID_MASK < partition_id => Err(list.len()),
            _ => list.binary_search_by_key(&partition_id, |e| e & ID_MASK),
        };
        match position {
            Ok(i) if flags == 0 => {
                list.remove(i);
            }
            Ok(i) => list[i] = entry,
            Err(_) if flags == 0 => {}
            Err(i) => list.insert(i, entry),
        }
        if list.is_empty() {
            self.brokers.remove(slot);
            Transition::Removed
        } else {
            Transition::None
        }
    }

    /// `broker`'s entries as (partition id, flags), in partition order.
    pub(crate) fn entries(&self, broker: i32) -> impl Iterator<Item = (i32, u32)> + '_ {
        let list = match self.brokers.binary_search_by_key(&broker, |(b, _)| *b) {
            Ok(slot) => self.brokers[slot].1.as_slice(),
            Err(_) => &[],
        };
        list.iter().map(|e| ((e & ID_MASK) as i32, e & !ID_MASK))
    }

    /// The brokers with at least one entry, ascending (includes -1 if any partition is
    /// leaderless).
    pub(crate) fn brokers(&self) -> impl Iterator<Item = i32> + '_ {
        self.brokers.iter().map(|(b, _)| *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_inserts_updates_and_removes_in_partition_order() {
        let mut index = TopicBrokerIndex::default();
        assert_eq!(index.set(1, 5, REPLICA), Transition::Added);
        assert_eq!(index.set(1, 2, REPLICA | IN_ISR), Transition::None);
        assert_eq!(index.set(1, 9, REPLICA | LEADER), Transition::None);
        assert_eq!(index.set(1, 5, REPLICA | IN_ISR), Transition::None);
        assert_eq!(
            index.entries(1).collect::<Vec<_>>(),
            vec![
                (2, REPLICA | IN_ISR),
                (5, REPLICA | IN_ISR),
                (9, REPLICA | LEADER)
            ]
        );
        assert_eq!(index.set(1, 2, 0), Transition::None);
        assert_eq!(index.set(1, 5, 0), Transition::None);
        assert_eq!(index.set(1, 7, 0), Transition::None, "removing nothing");
        assert_eq!(index.set(1, 9, 0), Transition::Removed);
        assert_eq!(index.brokers().count(), 0);
        assert_eq!(index.set(3, 1, 0), Transition::None);
    }

    #[test]
    fn a_clone_is_unaffected_by_later_changes() {
        let mut index = TopicBrokerIndex::default();
        index.set(1, 0, REPLICA);
        let before = index.clone();
        index.set(1, 1, REPLICA);
        assert_eq!(before.entries(1).count(), 1);
        assert_eq!(index.entries(1).count(), 2);
    }
}
