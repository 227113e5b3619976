//! `MetadataDelta`: folds committed records into a new [`MetadataImage`]
//! (`org.apache.kafka.image.MetadataDelta`).
//!
//! A delta starts from an image (a cheap clone: pointers, not partitions), replays records into a working copy whose
//! persistent maps are mutated in place once unshared, and remembers what changed so
//! publishers (a broker's replica manager, the UI) need not diff images. Only committed
//! records (at or below the high watermark) may be replayed: the caller guarantees it.
//!
//! A record that cannot apply (an unknown topic, a stale broker epoch…) is a
//! [`ReplayError`]; the delta is left as it was before that record. In Kafka this is a fatal
//! fault on that node; the simulator reports it as a broken invariant.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::metadata::image::{ConfigResource, MetadataImage, MetadataProvenance, TopicIdPartition};
use crate::metadata::records::{ConfigResourceType, MetadataRecord};
use crate::metadata::uuid::Uuid;
use crate::metadata::version::MetadataVersion;

/// Why a record could not be replayed. Messages follow Kafka's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("Unable to replay record: no topic with id {topic_id} found.")]
    UnknownTopicId { topic_id: Uuid },
    #[error("Unable to replay PartitionChangeRecord: no partition {partition_id} of topic {topic_id} found.")]
    UnknownPartition { topic_id: Uuid, partition_id: i32 },
    #[error(
        "Unable to create topic {name}: the name is already used by topic id {existing_topic_id}."
    )]
    TopicNameInUse {
        name: String,
        existing_topic_id: Uuid,
    },
    #[error("Unable to create topic with id {topic_id}: that id already belongs to topic {existing_name}.")]
    TopicIdInUse {
        topic_id: Uuid,
        existing_name: String,
    },
    #[error("Invalid partition id {partition_id} for topic {topic_id}.")]
    InvalidPartitionId { topic_id: Uuid, partition_id: i32 },
    #[error(
        "Invalid leaderRecoveryState {value} for partition {partition_id} of topic {topic_id}."
    )]
    InvalidLeaderRecoveryState {
        topic_id: Uuid,
        partition_id: i32,
        value: i8,
    },
    #[error("Tried to {action} broker {broker_id}, but that broker was not registered.")]
    BrokerNotRegistered {
        action: &'static str,
        broker_id: i32,
    },
    #[error("Tried to {action} broker {broker_id}, but the given epoch, {epoch}, did not match the current broker epoch, {current_epoch}")]
    BrokerEpochMismatch {
        action: &'static str,
        broker_id: i32,
        epoch: i64,
        current_epoch: i64,
    },
    #[error("Unable to replay BrokerRegistrationChangeRecord for broker {broker_id}: unknown value for fenced field: {value}")]
    InvalidFencedChange { broker_id: i32, value: i8 },
    #[error("Unable to replay BrokerRegistrationChangeRecord for broker {broker_id}: unknown value for inControlledShutdown field: {value}")]
    InvalidInControlledShutdownChange { broker_id: i32, value: i8 },
}

/// Records folded onto a base image, not yet published as an image.
#[derive(Debug, Clone)]
pub struct MetadataDelta {
    base: MetadataImage,
    next: MetadataImage,
    /// Partitions changed in topics that existed before this delta (every partition of a
    /// created topic is new, so those are not listed one by one).
    changed_partitions: Vec<TopicIdPartition>,
    /// The last topic created, to skip the set lookup while its partitions stream in.
    last_created_topic: Option<Uuid>,
    created_topic_ids: BTreeSet<Uuid>,
    deleted_topics: BTreeMap<Uuid, Arc<str>>,
    changed_broker_ids: BTreeSet<i32>,
    changed_config_resources: BTreeSet<ConfigResource>,
    metadata_version_change: Option<MetadataVersion>,
    features_changed: bool,
    producer_ids_changed: bool,
    record_count: u64,
}

impl MetadataDelta {
    /// An empty delta on top of `base`.
    pub fn new(base: &MetadataImage) -> Self {
        MetadataDelta {
            base: base.clone(),
            next: base.clone(),
            changed_partitions: Vec::new(),
            last_created_topic: None,
            created_topic_ids: BTreeSet::new(),
            deleted_topics: BTreeMap::new(),
            changed_broker_ids: BTreeSet::new(),
            changed_config_resources: BTreeSet::new(),
            metadata_version_change: None,
            features_changed: false,
            producer_ids_changed: false,
            record_count: 0,
        }
    }

    /// Folds in one committed record.
    pub fn replay(&mut self, record: &MetadataRecord) -> Result<(), ReplayError> {
        let next = &mut self.next;
        match record {
            MetadataRecord::RegisterBroker(r) => {
                next.cluster.register(r);
                self.changed_broker_ids.insert(r.broker_id);
            }
            MetadataRecord::UnregisterBroker(r) => {
                next.cluster.unregister(r.broker_id, r.broker_epoch)?;
                self.changed_broker_ids.insert(r.broker_id);
            }
            MetadataRecord::FenceBroker(r) => {
                next.cluster.set_fenced(r.id, r.epoch, true)?;
                self.changed_broker_ids.insert(r.id);
            }
            MetadataRecord::UnfenceBroker(r) => {
                next.cluster.set_fenced(r.id, r.epoch, false)?;
                self.changed_broker_ids.insert(r.id);
            }
            MetadataRecord::BrokerRegistrationChange(r) => {
                next.cluster.change(r)?;
                self.changed_broker_ids.insert(r.broker_id);
            }
            MetadataRecord::Topic(r) => {
                next.topics.create_topic(&r.name, r.topic_id)?;
                self.created_topic_ids.insert(r.topic_id);
                self.last_created_topic = Some(r.topic_id);
            }
            MetadataRecord::Partition(r) => {
                next.topics.replay_partition(r)?;
                self.note_partition(r.topic_id, r.partition_id);
            }
            MetadataRecord::PartitionChange(r) => {
                next.topics.replay_partition_change(r)?;
                self.note_partition(r.topic_id, r.partition_id);
            }
            MetadataRecord::RemoveTopic(r) => {
                let name = next.topics.remove_topic(r.topic_id)?;
                let resource = ConfigResource::new(ConfigResourceType::Topic, &*name);
                if next.configs.remove_resource(&resource) {
                    self.changed_config_resources.insert(resource);
                }
                // A topic created and deleted within one delta leaves no trace (TopicsDelta).
                if self.last_created_topic == Some(r.topic_id) {
                    self.last_created_topic = None;
                }
                if !self.created_topic_ids.remove(&r.topic_id) {
                    self.deleted_topics.insert(r.topic_id, name);
                }
            }
            MetadataRecord::Config(r) => {
                let resource = next.configs.replay(r);
                self.changed_config_resources.insert(resource);
            }
            MetadataRecord::FeatureLevel(r) => {
                if let Some(mv) = next.features.replay(r) {
                    self.metadata_version_change = Some(mv);
                }
                self.features_changed = true;
            }
            MetadataRecord::ProducerIds(r) => {
                next.producer_ids.next_producer_id = r.next_producer_id;
                self.producer_ids_changed = true;
            }
            // Only moves the offset, which the provenance given to `apply` records.
            MetadataRecord::NoOp(_) => {}
        }
        self.record_count += 1;
        Ok(())
    }

    fn note_partition(&mut self, topic_id: Uuid, partition_id: i32) {
        if self.last_created_topic != Some(topic_id) && !self.created_topic_ids.contains(&topic_id)
        {
            self.changed_partitions.push(TopicIdPartition {
                topic_id,
                partition_id,
            });
        }
    }

    /// Folds in records in order, stopping at the first that cannot apply.
    pub fn replay_all<'a>(
        &mut self,
        records: impl IntoIterator<Item = &'a MetadataRecord>,
    ) -> Result<(), ReplayError> {
        records.into_iter().try_for_each(|r| self.replay(r))
    }

    /// The new image, which contains every record up to `provenance`.
    pub fn apply(self, provenance: MetadataProvenance) -> MetadataImage {
        let mut image = self.next;
        image.topics.finish();
        image.provenance = provenance;
        image
    }

    /// The image this delta started from.
    pub fn base(&self) -> &MetadataImage {
        &self.base
    }

    /// The image as it stands with the records replayed so far (provenance still the
    /// base's).
    pub fn image(&self) -> &MetadataImage {
        &self.next
    }

    /// Records replayed so far.
    pub fn record_count(&self) -> u64 {
        self.record_count
    }

    /// Partitions created or changed and still existing, in (topic id, partition) order.
    pub fn changed_partitions(&self) -> Vec<TopicIdPartition> {
        let topics = &self.next.topics;
        let mut out: Vec<_> = self
            .changed_partitions
            .iter()
            .copied()
            .filter(|p| topics.partition(&p.topic_id, p.partition_id).is_some())
            .collect();
        for topic in self
            .created_topic_ids
            .iter()
            .filter_map(|id| topics.topic(id))
        {
            out.extend(
                topic
                    .partitions()
                    .map(|(partition_id, _)| TopicIdPartition {
                        topic_id: topic.id(),
                        partition_id,
                    }),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Topics created by this delta (and not deleted again).
    pub fn created_topic_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.created_topic_ids.iter().copied()
    }

    /// Topics of the base image that this delta deleted, with their names.
    pub fn deleted_topics(&self) -> impl Iterator<Item = (Uuid, &str)> + '_ {
        self.deleted_topics.iter().map(|(id, name)| (*id, &**name))
    }

    /// Brokers whose registration was added, changed or removed.
    pub fn changed_broker_ids(&self) -> impl Iterator<Item = i32> + '_ {
        self.changed_broker_ids.iter().copied()
    }

    /// Config resources whose keys changed.
    pub fn changed_config_resources(&self) -> impl Iterator<Item = &ConfigResource> + '_ {
        self.changed_config_resources.iter()
    }

    /// The new metadata.version, if a record changed it.
    pub fn metadata_version_change(&self) -> Option<MetadataVersion> {
        self.metadata_version_change
    }

    /// Whether any FeatureLevelRecord was replayed.
    pub fn features_changed(&self) -> bool {
        self.features_changed
    }

    /// Whether any ProducerIdsRecord was replayed.
    pub fn producer_ids_changed(&self) -> bool {
        self.producer_ids_changed
    }
}
