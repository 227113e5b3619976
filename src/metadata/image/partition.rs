//! `PartitionRegistration`: one partition's replicas, ISR, leader and epochs, packed into 40
//! bytes (replicas and ISR in a 16-byte [`Assignment`]; reassignment lists, almost always
//! empty, behind one optional pointer).

use std::fmt;
use std::sync::Arc;

use super::assignment::{Assignment, AssignmentInterner, IdList};
use crate::metadata::records::{
    PartitionChangeRecord, PartitionRecord, LEADER_RECOVERY_STATE_NO_CHANGE, NO_LEADER,
    NO_LEADER_CHANGE,
};
use crate::metadata::uuid::Uuid;

/// `LeaderRecoveryState` (KIP-704).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeaderRecoveryState {
    /// 0: the leader was elected from the ISR, or has recovered.
    Recovered,
    /// 1: the leader came from an unclean election and is still recovering.
    Recovering,
}

impl LeaderRecoveryState {
    /// The value written in records.
    pub fn value(self) -> i8 {
        match self {
            LeaderRecoveryState::Recovered => 0,
            LeaderRecoveryState::Recovering => 1,
        }
    }

    /// The state with this record value.
    pub fn from_value(value: i8) -> Option<Self> {
        match value {
            0 => Some(LeaderRecoveryState::Recovered),
            1 => Some(LeaderRecoveryState::Recovering),
            _ => None,
        }
    }
}

impl fmt::Display for LeaderRecoveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeaderRecoveryState::Recovered => "RECOVERED",
            LeaderRecoveryState::Recovering => "RECOVERING",
        })
    }
}

/// Replicas being moved in or out of a partition (KIP-455). Boxed because it is rare.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reassignment {
    removing: Box<[i32]>,
    adding: Box<[i32]>,
}

/// One partition's state in the image (`org.apache.kafka.metadata.PartitionRegistration`).
#[derive(Clone, PartialEq, Eq)]
pub struct PartitionRegistration {
    assignment: Assignment,
    reassignment: Option<Arc<Reassignment>>,
    leader: i32,
    leader_epoch: i32,
    partition_epoch: i32,
    leader_recovery_state: LeaderRecoveryState,
}

/// Why a partition record cannot be replayed into a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PartitionRecordError {
    LeaderRecoveryState(i8),
}

fn reassignment(removing: &[i32], adding: &[i32]) -> Option<Arc<Reassignment>> {
    if removing.is_empty() && adding.is_empty() {
        None
    } else {
        Some(Arc::new(Reassignment {
            removing: removing.into(),
            adding: adding.into(),
        }))
    }
}

impl PartitionRegistration {
    /// The registration a PartitionRecord creates.
    pub(crate) fn from_record(
        record: &PartitionRecord,
        interner: &mut AssignmentInterner,
    ) -> Result<Self, PartitionRecordError> {
        let leader_recovery_state = LeaderRecoveryState::from_value(record.leader_recovery_state)
            .ok_or(PartitionRecordError::LeaderRecoveryState(
            record.leader_recovery_state,
        ))?;
        Ok(PartitionRegistration {
            assignment: interner.assignment(&record.replicas, &record.isr),
            reassignment: reassignment(&record.removing_replicas, &record.adding_replicas),
            leader: record.leader,
            leader_epoch: record.leader_epoch,
            partition_epoch: record.partition_epoch,
            leader_recovery_state,
        })
    }

    /// `PartitionRegistration.merge(PartitionChangeRecord)`: absent fields keep their value;
    /// a leader other than -2 bumps the leader epoch; the partition epoch always advances.
    pub(crate) fn merge(
        &self,
        record: &PartitionChangeRecord,
        interner: &mut AssignmentInterner,
    ) -> Result<Self, PartitionRecordError> {
        let leader_recovery_state = match record.leader_recovery_state {
            LEADER_RECOVERY_STATE_NO_CHANGE => self.leader_recovery_state,
            value => LeaderRecoveryState::from_value(value)
                .ok_or(PartitionRecordError::LeaderRecoveryState(value))?,
        };
        let assignment = if record.replicas.is_none() && record.isr.is_none() {
            self.assignment.clone()
        } else {
            let isr = self.isr();
            interner.assignment(
                record.replicas.as_deref().unwrap_or(self.replicas()),
                record.isr.as_deref().unwrap_or(&isr),
            )
        };
        let reassignment = if record.removing_replicas.is_none() && record.adding_replicas.is_none()
        {
            self.reassignment.clone()
        } else {
            let removing = record
                .removing_replicas
                .as_deref()
                .unwrap_or(self.removing_replicas());
            let adding = record
                .adding_replicas
                .as_deref()
                .unwrap_or(self.adding_replicas());
            reassignment(removing, adding)
        };
        let (leader, leader_epoch) = if record.leader == NO_LEADER_CHANGE {
            (self.leader, self.leader_epoch)
        } else {
            (record.leader, self.leader_epoch + 1)
        };
        Ok(PartitionRegistration {
            assignment,
            reassignment,
            leader,
            leader_epoch,
            partition_epoch: self.partition_epoch + 1,
            leader_recovery_state,
        })
    }

    /// The PartitionRecord that recreates this registration (what a snapshot holds).
    pub fn to_record(&self, topic_id: Uuid, partition_id: i32) -> PartitionRecord {
        PartitionRecord {
            partition_id,
            topic_id,
            replicas: self.replicas().to_vec(),
            isr: self.isr().to_vec(),
            removing_replicas: self.removing_replicas().to_vec(),
            adding_replicas: self.adding_replicas().to_vec(),
            leader: self.leader,
            leader_recovery_state: self.leader_recovery_state.value(),
            leader_epoch: self.leader_epoch,
            partition_epoch: self.partition_epoch,
        }
    }

    /// The replicas, in preferred order.
    pub fn replicas(&self) -> &[i32] {
        self.assignment.replicas()
    }

    /// The in-sync replicas (a small value that derefs to `&[i32]`).
    pub fn isr(&self) -> IdList<'_> {
        self.assignment.isr()
    }

    /// Replicas being removed by a reassignment.
    pub fn removing_replicas(&self) -> &[i32] {
        self.reassignment.as_deref().map_or(&[], |r| &r.removing)
    }

    /// Replicas being added by a reassignment.
    pub fn adding_replicas(&self) -> &[i32] {
        self.reassignment.as_deref().map_or(&[], |r| &r.adding)
    }

    /// The leader, or [`NO_LEADER`].
    pub fn leader(&self) -> i32 {
        self.leader
    }

    pub fn leader_epoch(&self) -> i32 {
        self.leader_epoch
    }

    pub fn partition_epoch(&self) -> i32 {
        self.partition_epoch
    }

    pub fn leader_recovery_state(&self) -> LeaderRecoveryState {
        self.leader_recovery_state
    }

    /// `hasLeader()`.
    pub fn has_leader(&self) -> bool {
        self.leader != NO_LEADER
    }

    /// `preferredReplica()`: the first replica, or [`NO_LEADER`] if there are none.
    pub fn preferred_replica(&self) -> i32 {
        self.replicas().first().copied().unwrap_or(NO_LEADER)
    }

    /// `hasPreferredLeader()`.
    pub fn has_preferred_leader(&self) -> bool {
        self.leader == self.preferred_replica()
    }

    /// Whether `broker_id` is in the ISR.
    pub fn is_in_isr(&self, broker_id: i32) -> bool {
        self.isr().contains(&broker_id)
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, ids: &[i32]) -> fmt::Result {
    f.write_str("[")?;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{id}")?;
    }
    f.write_str("]")
}

impl fmt::Display for PartitionRegistration {
    /// Kafka 3.6's `PartitionRegistration.toString()`, which `cat` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PartitionRegistration(replicas=")?;
        write_list(f, self.replicas())?;
        f.write_str(", isr=")?;
        write_list(f, &self.isr())?;
        f.write_str(", removingReplicas=")?;
        write_list(f, self.removing_replicas())?;
        f.write_str(", addingReplicas=")?;
        write_list(f, self.adding_replicas())?;
        write!(
            f,
            ", leader={}, leaderRecoveryState={}, leaderEpoch={}, partitionEpoch={})",
            self.leader, self.leader_recovery_state, self.leader_epoch, self.partition_epoch
        )
    }
}

impl fmt::Debug for PartitionRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

// The size is a 64-bit fact (native builds, where the memory budget is measured).
#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::*;

    #[test]
    fn a_registration_is_forty_bytes() {
        // The 2,000,000-partition budget (≤ 100 bytes each, index included) depends on it.
        assert_eq!(std::mem::size_of::<PartitionRegistration>(), 40);
        assert_eq!(std::mem::size_of::<Option<PartitionRegistration>>(), 40);
    }
}
