//! Writes an image as the records that recreate it (`MetadataImage.write` / `ImageWriter`):
//! the content of a metadata snapshot, between its header and footer.
//!
//! Order follows Kafka: features (metadata.version first, so a reader knows the record
//! versions), cluster, topics (each TopicRecord before its PartitionRecords), configs,
//! producer ids.

use super::MetadataImage;
use crate::metadata::records::{
    ConfigRecord, FeatureLevelRecord, MetadataRecord, ProducerIdsRecord, TopicRecord,
};
use crate::metadata::version::METADATA_VERSION_FEATURE_NAME;

impl MetadataImage {
    /// The records whose replay from [`MetadataImage::empty`] gives back this image
    /// (provenance aside, which the snapshot id carries).
    pub fn records(&self) -> Vec<MetadataRecord> {
        let mut out = Vec::with_capacity(
            self.topics.topic_count()
                + self.topics.partition_count()
                + self.cluster.broker_count()
                + 8,
        );
        if let Some(mv) = self.features.metadata_version() {
            out.push(MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: METADATA_VERSION_FEATURE_NAME.to_string(),
                feature_level: mv.feature_level(),
            }));
        }
        for (name, level) in self.features.finalized_versions() {
            out.push(MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: name.clone(),
                feature_level: *level,
            }));
        }
        for broker in self.cluster.brokers() {
            out.push(MetadataRecord::RegisterBroker(broker.to_record()));
        }
        for topic in self.topics.topics_by_id() {
            out.push(MetadataRecord::Topic(TopicRecord {
                name: topic.name().to_string(),
                topic_id: topic.id(),
            }));
            for (partition_id, partition) in topic.partitions() {
                out.push(MetadataRecord::Partition(
                    partition.to_record(topic.id(), partition_id),
                ));
            }
        }
        for (resource, configs) in self.configs.resources() {
            for (name, value) in configs {
                out.push(MetadataRecord::Config(ConfigRecord {
                    resource_type: resource.resource_type.id(),
                    resource_name: resource.name.clone(),
                    name: name.clone(),
                    value: Some(value.clone()),
                }));
            }
        }
        // `ProducerIdsImage.write`: only once a block has been handed out.
        if self.producer_ids.next_producer_id >= 0 {
            out.push(MetadataRecord::ProducerIds(ProducerIdsRecord {
                broker_id: -1,
                broker_epoch: -1,
                next_producer_id: self.producer_ids.next_producer_id,
            }));
        }
        out
    }
}
