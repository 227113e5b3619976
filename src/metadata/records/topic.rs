//! Topic and partition records: TopicRecord (2), PartitionRecord (3),
//! PartitionChangeRecord (5) and RemoveTopicRecord (9).

use serde::{Deserialize, Serialize};

use super::serde_util::{is_minus_one_i8, is_zero_i8, minus_one_i32, minus_one_i8, null_as_empty};
use crate::metadata::uuid::Uuid;

/// `LeaderConstants.NO_LEADER`: the partition has no leader.
pub const NO_LEADER: i32 = -1;
/// `LeaderConstants.NO_LEADER_CHANGE`: a PartitionChangeRecord that keeps the leader.
pub const NO_LEADER_CHANGE: i32 = -2;
/// PartitionChangeRecord `leaderRecoveryState` meaning "unchanged".
pub const LEADER_RECOVERY_STATE_NO_CHANGE: i8 = -1;

/// TopicRecord (api key 2, version 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicRecord {
    pub name: String,
    pub topic_id: Uuid,
}

/// PartitionRecord (api key 3), written at version 0: versions 1 and 2 add JBOD directories and
/// KIP-966 eligible leader replicas, which KRaftScope does not model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionRecord {
    #[serde(default = "minus_one_i32")]
    pub partition_id: i32,
    pub topic_id: Uuid,
    /// In preferred order: `replicas[0]` is the preferred leader.
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub removing_replicas: Vec<i32>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub adding_replicas: Vec<i32>,
    /// The leader, or [`NO_LEADER`].
    #[serde(default = "minus_one_i32")]
    pub leader: i32,
    /// Tagged: 0 = RECOVERED (omitted), 1 = RECOVERING after an unclean election (KIP-704).
    #[serde(default, skip_serializing_if = "is_zero_i8")]
    pub leader_recovery_state: i8,
    #[serde(default = "minus_one_i32")]
    pub leader_epoch: i32,
    #[serde(default = "minus_one_i32")]
    pub partition_epoch: i32,
}

/// PartitionChangeRecord (api key 5, version 0). Every field after `topicId` is tagged and
/// absent when unchanged.
///
/// Replay (`PartitionRegistration.merge`): any `leader` other than [`NO_LEADER_CHANGE`] bumps
/// the leader epoch — even the same leader, which is how a controller before metadata.version
/// 3.6-IV0 bumps it on ISR shrink — and every record bumps the partition epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionChangeRecord {
    #[serde(default = "minus_one_i32")]
    pub partition_id: i32,
    pub topic_id: Uuid,
    /// `None` if the ISR did not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isr: Option<Vec<i32>>,
    /// [`NO_LEADER_CHANGE`] (-2, omitted), [`NO_LEADER`] (-1) or the new leader.
    #[serde(
        default = "no_leader_change",
        skip_serializing_if = "is_no_leader_change"
    )]
    pub leader: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removing_replicas: Option<Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adding_replicas: Option<Vec<i32>>,
    /// [`LEADER_RECOVERY_STATE_NO_CHANGE`] (-1, omitted), 0 or 1.
    #[serde(default = "minus_one_i8", skip_serializing_if = "is_minus_one_i8")]
    pub leader_recovery_state: i8,
}

impl PartitionChangeRecord {
    /// A record that changes nothing yet (Kafka's defaults); set the fields that change.
    pub fn new(topic_id: Uuid, partition_id: i32) -> Self {
        PartitionChangeRecord {
            partition_id,
            topic_id,
            isr: None,
            leader: NO_LEADER_CHANGE,
            replicas: None,
            removing_replicas: None,
            adding_replicas: None,
            leader_recovery_state: LEADER_RECOVERY_STATE_NO_CHANGE,
        }
    }
}

fn no_leader_change() -> i32 {
    NO_LEADER_CHANGE
}

fn is_no_leader_change(leader: &i32) -> bool {
    *leader == NO_LEADER_CHANGE
}

/// RemoveTopicRecord (api key 9, version 0). Replay also drops the topic's partitions and its
/// TOPIC configs (`MetadataDelta.replay(RemoveTopicRecord)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveTopicRecord {
    pub topic_id: Uuid,
}
