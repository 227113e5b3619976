//! AlterPartition (api key 56, KIP-497): a partition leader asks the controller to change
//! its partition's ISR (`ReplicationControlManager.alterPartition`). KRaftScope's brokers
//! send it to add back a replica that is in sync again (ISR expansion); the controller
//! checks the request against its image and answers per partition.

use crate::metadata::{MetadataImage, PartitionChangeRecord, TopicIdPartition, Uuid};

use super::ControllerError;

/// One partition of an `AlterPartitionRequest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlterPartitionEntry {
    pub topic_id: Uuid,
    pub partition_id: i32,
    /// The leader epoch the broker leads in.
    pub leader_epoch: i32,
    /// The partition epoch the broker's proposal is based on.
    pub partition_epoch: i32,
    pub new_isr: Vec<i32>,
}

/// `AlterPartitionRequest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlterPartitionRequest {
    pub broker_id: i32,
    pub broker_epoch: i64,
    pub partitions: Vec<AlterPartitionEntry>,
}

/// Per-partition answers, in request order.
pub type AlterPartitionResults = Vec<(TopicIdPartition, Result<(), ControllerError>)>;

/// Checks every partition of `request` against `image`, in Kafka's order: the partition
/// exists, `broker_id` leads it, the leader epoch and partition epoch are current, and every
/// new ISR member is a replica that is registered, unfenced and not shutting down. A valid
/// entry that changes the ISR becomes a PartitionChangeRecord.
pub fn alter_partition(
    image: &MetadataImage,
    request: &AlterPartitionRequest,
) -> Result<(AlterPartitionResults, Vec<PartitionChangeRecord>), ControllerError> {
    let broker = image
        .cluster()
        .broker(request.broker_id)
        .ok_or(ControllerError::BrokerIdNotRegistered)?;
    if broker.epoch != request.broker_epoch {
        return Err(ControllerError::StaleBrokerEpoch);
    }
    let mut results = Vec::with_capacity(request.partitions.len());
    let mut changes = Vec::new();
    for entry in &request.partitions {
        let tp = TopicIdPartition {
            topic_id: entry.topic_id,
            partition_id: entry.partition_id,
        };
        let result = check(image, request.broker_id, entry);
        if result.is_ok() {
            let part = image
                .topics()
                .partition(&entry.topic_id, entry.partition_id)
                .expect("checked");
            if *part.isr() != entry.new_isr[..] {
                let mut change = PartitionChangeRecord::new(entry.topic_id, entry.partition_id);
                change.isr = Some(entry.new_isr.clone());
                changes.push(change);
            }
        }
        results.push((tp, result));
    }
    Ok((results, changes))
}

fn check(
    image: &MetadataImage,
    broker_id: i32,
    entry: &AlterPartitionEntry,
) -> Result<(), ControllerError> {
    let part = image
        .topics()
        .partition(&entry.topic_id, entry.partition_id)
        .ok_or(ControllerError::UnknownTopicOrPartition)?;
    if part.leader() != broker_id {
        return Err(ControllerError::NotLeaderOrFollower);
    }
    if entry.leader_epoch != part.leader_epoch() {
        return Err(ControllerError::FencedLeaderEpoch);
    }
    if entry.partition_epoch != part.partition_epoch() {
        return Err(ControllerError::InvalidUpdateVersion);
    }
    let eligible = |id: i32| {
        part.replicas().contains(&id)
            && image
                .cluster()
                .broker(id)
                .is_some_and(|b| !b.fenced && !b.in_controlled_shutdown)
    };
    // The leader itself stays eligible: it just proved it is alive.
    if entry.new_isr.is_empty()
        || !entry
            .new_isr
            .iter()
            .all(|id| *id == broker_id || eligible(*id))
    {
        return Err(ControllerError::IneligibleReplica);
    }
    Ok(())
}
