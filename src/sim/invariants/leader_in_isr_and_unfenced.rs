//! LeaderInIsrAndUnfenced: in every committed metadata image, a partition's leader is a
//! member of its ISR and a registered, unfenced broker (KIP-631 §Fencing: fencing a
//! broker and moving its leaderships are one atomic batch; KIP-841: a broker leaves
//! leadership before it may shut down).
//!
//! Incremental: after each applied batch only the partitions it changed and those led
//! by brokers whose registration it changed are checked.

use super::Ctx;
use crate::metadata::{MetadataImage, TopicIdPartition};
use crate::sim::trace::InvariantId;

#[derive(Clone, Copy, Debug, Default)]
pub struct LeaderInIsrAndUnfenced;

impl LeaderInIsrAndUnfenced {
    pub fn check(
        &self,
        image: &MetadataImage,
        changed_partitions: &[TopicIdPartition],
        changed_brokers: &[i32],
        ctx: &mut Ctx,
    ) {
        // Most batches (NoOpRecords, test records) change neither.
        if (changed_partitions.is_empty() && changed_brokers.is_empty())
            || !ctx.is_on(InvariantId::LeaderInIsrAndUnfenced)
        {
            return;
        }
        let topics = image.topics();
        let led: Vec<TopicIdPartition> = changed_brokers
            .iter()
            .flat_map(|b| topics.partitions_led_by(*b))
            .collect();
        for tp in changed_partitions.iter().chain(led.iter()) {
            let Some(p) = topics.partition(&tp.topic_id, tp.partition_id) else {
                continue;
            };
            let leader = p.leader();
            if leader < 0 {
                continue;
            }
            let broker = image.cluster().broker(leader);
            let why = if !p.is_in_isr(leader) {
                "is not in its ISR"
            } else if broker.is_none() {
                "is not a registered broker"
            } else if broker.is_some_and(|b| b.fenced) {
                "is fenced"
            } else {
                continue;
            };
            let name = topics
                .topic(&tp.topic_id)
                .map_or_else(|| tp.topic_id.to_string(), |t| t.name().to_string());
            ctx.fail(InvariantId::LeaderInIsrAndUnfenced, || {
                format!(
                    "partition {name}-{} has leader {leader}, which {why} (isr {:?})",
                    tp.partition_id,
                    p.isr()
                )
            });
            return;
        }
    }
}
