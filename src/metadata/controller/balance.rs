//! Preferred-leader election: the controller's periodic leader balancing
//! (`QuorumController.maybeScheduleNextBalancePartitionLeaders`,
//! `ReplicationControlManager.maybeBalancePartitionLeaders`) and the admin `ElectLeaders`
//! request with `ElectionType.PREFERRED` (`kafka-leader-election.sh --election-type
//! preferred`), both through `PartitionChangeBuilder`'s PREFERRED election.
//!
//! | schedule    | on a write, if some partition is imbalanced      | when the pass runs                        |
//! |-------------|---------------------------------------------------|-------------------------------------------|
//! | Deferred    | → Scheduled(now + `leader.imbalance.check.interval.seconds`) | —                             |
//! | Immediately | → Scheduled(now + 10 ms)                          | —                                         |
//! | Scheduled   | stays                                             | → Immediately if it stopped at the 1,000-election cap, else Deferred |
//!
//! A controller starts Deferred, and `auto.leader.rebalance.enable=false` never schedules.

use crate::metadata::{
    MetadataImage, PartitionChangeRecord, PartitionRegistration, TopicIdPartition, NO_LEADER,
};

/// `QuorumController.maxElectionsPerImbalance`: elections per balancing pass.
pub const MAX_ELECTIONS_PER_IMBALANCE: usize = 1_000;

/// Kafka's short delay for a pass that must continue at once (`ImbalanceSchedule.IMMEDIATELY`:
/// "delays them by a small amount of time" so other deferred events run first).
pub const IMMEDIATE_BALANCE_DELAY_MS: u64 = 10;

/// `QuorumController.ImbalanceSchedule`, with the deadline of a scheduled pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImbalanceSchedule {
    Deferred,
    Immediately,
    Scheduled { at_ms: u64 },
}

impl ImbalanceSchedule {
    /// `maybeScheduleNextBalancePartitionLeaders`, after a write: schedules a pass when
    /// balancing is on (`interval_ms`), none is pending, and some leader is not preferred.
    pub fn after_write(self, now_ms: u64, interval_ms: Option<u64>, image: &MetadataImage) -> Self {
        let Some(interval_ms) = interval_ms else {
            return self;
        };
        let delay_ms = match self {
            ImbalanceSchedule::Scheduled { .. } => return self,
            ImbalanceSchedule::Deferred => interval_ms,
            ImbalanceSchedule::Immediately => IMMEDIATE_BALANCE_DELAY_MS,
        };
        if image.topics().imbalanced_partitions().next().is_none() {
            return self;
        }
        ImbalanceSchedule::Scheduled {
            at_ms: now_ms + delay_ms,
        }
    }

    pub fn deadline(self) -> Option<u64> {
        match self {
            ImbalanceSchedule::Scheduled { at_ms } => Some(at_ms),
            _ => None,
        }
    }
}

/// One balancing pass over the imbalanced partitions, at most
/// [`MAX_ELECTIONS_PER_IMBALANCE`] elections; the flag says whether it stopped at the cap
/// (Kafka then reschedules IMMEDIATELY).
pub fn balance_partition_leaders(image: &MetadataImage) -> (Vec<PartitionChangeRecord>, bool) {
    let mut changes = Vec::new();
    for tp in image.topics().imbalanced_partitions() {
        if changes.len() >= MAX_ELECTIONS_PER_IMBALANCE {
            return (changes, true);
        }
        if let Some(change) = preferred_election(image, tp) {
            changes.push(change);
        }
    }
    (changes, false)
}

/// `PartitionChangeBuilder` with `Election.PREFERRED` (`electPreferredLeader`): the
/// preferred replica if it may lead; else the current leader if it still may; else the
/// next replica, in replica order, that may. `None` when the leader would not change.
pub fn preferred_election(
    image: &MetadataImage,
    tp: TopicIdPartition,
) -> Option<PartitionChangeRecord> {
    let part = image.topics().partition(&tp.topic_id, tp.partition_id)?;
    let leader = elect_preferred_leader(image, part);
    (leader != part.leader()).then(|| {
        let mut change = PartitionChangeRecord::new(tp.topic_id, tp.partition_id);
        change.leader = leader;
        change
    })
}

fn elect_preferred_leader(image: &MetadataImage, part: &PartitionRegistration) -> i32 {
    // `isValidNewLeader`: in the ISR, and the broker is registered, unfenced and not in
    // controlled shutdown (`isAcceptableLeader`).
    let valid = |id: i32| {
        part.is_in_isr(id)
            && image
                .cluster()
                .broker(id)
                .is_some_and(|b| !b.fenced && !b.in_controlled_shutdown)
    };
    let preferred = part.preferred_replica();
    if valid(preferred) {
        return preferred;
    }
    if part.leader() != NO_LEADER && valid(part.leader()) {
        return part.leader();
    }
    part.replicas()
        .iter()
        .skip(1)
        .copied()
        .find(|id| valid(*id))
        .unwrap_or(NO_LEADER)
}
