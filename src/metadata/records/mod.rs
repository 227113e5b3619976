//! KIP-631 metadata records, with Kafka's names, api keys, versions and JSON field names.
//!
//! [`MetadataRecord`] is the payload of the cluster metadata log. Its serde form is the one
//! kafka-dump-log's `--cluster-metadata-decoder` prints for each record:
//! `{"type":"PARTITION_RECORD","version":0,"data":{...}}`, with `data` in Kafka's camelCase
//! field order, tagged fields omitted when they hold their default.
//!
//! Versions are those a Kafka controller writes at metadata.version 3.6-IV2
//! ([`crate::metadata::MetadataVersion::SIMULATED`]).

mod broker;
mod cluster;
mod control;
mod serde_util;
mod topic;

use serde::de::Error as _;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use broker::{
    security_protocol_name, BrokerEndpoint, BrokerFeature, BrokerRegistrationChangeRecord,
    FenceBrokerRecord, RegisterBrokerRecord, UnfenceBrokerRecord, UnregisterBrokerRecord,
    FENCED_CHANGE_FENCE, FENCED_CHANGE_NONE, FENCED_CHANGE_UNFENCE,
    IN_CONTROLLED_SHUTDOWN_CHANGE_NONE, IN_CONTROLLED_SHUTDOWN_CHANGE_SET,
};
pub use cluster::{
    ConfigRecord, ConfigResourceType, FeatureLevelRecord, NoOpRecord, ProducerIdsRecord,
};
pub use control::{
    ControlRecord, LeaderChangeMessage, SnapshotFooterRecord, SnapshotHeaderRecord, Voter,
};
pub use topic::{
    PartitionChangeRecord, PartitionRecord, RemoveTopicRecord, TopicRecord,
    LEADER_RECOVERY_STATE_NO_CHANGE, NO_LEADER, NO_LEADER_CHANGE,
};

/// One record of the cluster metadata log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataRecord {
    RegisterBroker(RegisterBrokerRecord),
    UnregisterBroker(UnregisterBrokerRecord),
    Topic(TopicRecord),
    Partition(PartitionRecord),
    Config(ConfigRecord),
    PartitionChange(PartitionChangeRecord),
    FenceBroker(FenceBrokerRecord),
    UnfenceBroker(UnfenceBrokerRecord),
    RemoveTopic(RemoveTopicRecord),
    FeatureLevel(FeatureLevelRecord),
    ProducerIds(ProducerIdsRecord),
    BrokerRegistrationChange(BrokerRegistrationChangeRecord),
    NoOp(NoOpRecord),
}

/// `MetadataRecordType`: the kind of a [`MetadataRecord`], with its api key and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MetadataRecordType {
    RegisterBroker,
    UnregisterBroker,
    Topic,
    Partition,
    Config,
    PartitionChange,
    FenceBroker,
    UnfenceBroker,
    RemoveTopic,
    FeatureLevel,
    ProducerIds,
    BrokerRegistrationChange,
    NoOp,
}

impl MetadataRecordType {
    /// Every modelled type, in api-key order.
    pub const ALL: [MetadataRecordType; 13] = [
        MetadataRecordType::RegisterBroker,
        MetadataRecordType::UnregisterBroker,
        MetadataRecordType::Topic,
        MetadataRecordType::Partition,
        MetadataRecordType::Config,
        MetadataRecordType::PartitionChange,
        MetadataRecordType::FenceBroker,
        MetadataRecordType::UnfenceBroker,
        MetadataRecordType::RemoveTopic,
        MetadataRecordType::FeatureLevel,
        MetadataRecordType::ProducerIds,
        MetadataRecordType::BrokerRegistrationChange,
        MetadataRecordType::NoOp,
    ];

    /// Kafka's api key for this record.
    pub fn api_key(self) -> i16 {
        match self {
            MetadataRecordType::RegisterBroker => 0,
            MetadataRecordType::UnregisterBroker => 1,
            MetadataRecordType::Topic => 2,
            MetadataRecordType::Partition => 3,
            MetadataRecordType::Config => 4,
            MetadataRecordType::PartitionChange => 5,
            MetadataRecordType::FenceBroker => 7,
            MetadataRecordType::UnfenceBroker => 8,
            MetadataRecordType::RemoveTopic => 9,
            MetadataRecordType::FeatureLevel => 12,
            MetadataRecordType::ProducerIds => 15,
            MetadataRecordType::BrokerRegistrationChange => 17,
            MetadataRecordType::NoOp => 20,
        }
    }

    /// The type with this api key, if KRaftScope models it.
    pub fn from_api_key(api_key: i16) -> Option<MetadataRecordType> {
        Self::ALL.into_iter().find(|t| t.api_key() == api_key)
    }

    /// `MetadataRecordType.toString()`, e.g. `PARTITION_CHANGE_RECORD`.
    pub fn name(self) -> &'static str {
        match self {
            MetadataRecordType::RegisterBroker => "REGISTER_BROKER_RECORD",
            MetadataRecordType::UnregisterBroker => "UNREGISTER_BROKER_RECORD",
            MetadataRecordType::Topic => "TOPIC_RECORD",
            MetadataRecordType::Partition => "PARTITION_RECORD",
            MetadataRecordType::Config => "CONFIG_RECORD",
            MetadataRecordType::PartitionChange => "PARTITION_CHANGE_RECORD",
            MetadataRecordType::FenceBroker => "FENCE_BROKER_RECORD",
            MetadataRecordType::UnfenceBroker => "UNFENCE_BROKER_RECORD",
            MetadataRecordType::RemoveTopic => "REMOVE_TOPIC_RECORD",
            MetadataRecordType::FeatureLevel => "FEATURE_LEVEL_RECORD",
            MetadataRecordType::ProducerIds => "PRODUCER_IDS_RECORD",
            MetadataRecordType::BrokerRegistrationChange => "BROKER_REGISTRATION_CHANGE_RECORD",
            MetadataRecordType::NoOp => "NO_OP_RECORD",
        }
    }

    /// The type printed as `name`.
    pub fn from_name(name: &str) -> Option<MetadataRecordType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The version KRaftScope writes, i.e. what a Kafka controller writes at
    /// metadata.version 3.6-IV2.
    pub fn version(self) -> i16 {
        match self {
            // 1 adds InControlledShutdown (3.3-IV3), 2 adds IsMigratingZkBroker (3.4-IV0).
            MetadataRecordType::RegisterBroker => 2,
            // 1 adds InControlledShutdown (3.3-IV3).
            MetadataRecordType::BrokerRegistrationChange => 1,
            _ => 0,
        }
    }
}

impl MetadataRecord {
    /// The record's type.
    pub fn record_type(&self) -> MetadataRecordType {
        match self {
            MetadataRecord::RegisterBroker(_) => MetadataRecordType::RegisterBroker,
            MetadataRecord::UnregisterBroker(_) => MetadataRecordType::UnregisterBroker,
            MetadataRecord::Topic(_) => MetadataRecordType::Topic,
            MetadataRecord::Partition(_) => MetadataRecordType::Partition,
            MetadataRecord::Config(_) => MetadataRecordType::Config,
            MetadataRecord::PartitionChange(_) => MetadataRecordType::PartitionChange,
            MetadataRecord::FenceBroker(_) => MetadataRecordType::FenceBroker,
            MetadataRecord::UnfenceBroker(_) => MetadataRecordType::UnfenceBroker,
            MetadataRecord::RemoveTopic(_) => MetadataRecordType::RemoveTopic,
            MetadataRecord::FeatureLevel(_) => MetadataRecordType::FeatureLevel,
            MetadataRecord::ProducerIds(_) => MetadataRecordType::ProducerIds,
            MetadataRecord::BrokerRegistrationChange(_) => {
                MetadataRecordType::BrokerRegistrationChange
            }
            MetadataRecord::NoOp(_) => MetadataRecordType::NoOp,
        }
    }

    /// Kafka's api key.
    pub fn api_key(&self) -> i16 {
        self.record_type().api_key()
    }

    /// The version this record is written at.
    pub fn version(&self) -> i16 {
        self.record_type().version()
    }

    /// The `data` object alone, as Kafka's `MetadataJsonConverters.writeJson` prints it.
    pub fn data_json(&self) -> serde_json::Value {
        let value = match self {
            MetadataRecord::RegisterBroker(r) => serde_json::to_value(r),
            MetadataRecord::UnregisterBroker(r) => serde_json::to_value(r),
            MetadataRecord::Topic(r) => serde_json::to_value(r),
            MetadataRecord::Partition(r) => serde_json::to_value(r),
            MetadataRecord::Config(r) => serde_json::to_value(r),
            MetadataRecord::PartitionChange(r) => serde_json::to_value(r),
            MetadataRecord::FenceBroker(r) => serde_json::to_value(r),
            MetadataRecord::UnfenceBroker(r) => serde_json::to_value(r),
            MetadataRecord::RemoveTopic(r) => serde_json::to_value(r),
            MetadataRecord::FeatureLevel(r) => serde_json::to_value(r),
            MetadataRecord::ProducerIds(r) => serde_json::to_value(r),
            MetadataRecord::BrokerRegistrationChange(r) => serde_json::to_value(r),
            MetadataRecord::NoOp(r) => serde_json::to_value(r),
        };
        // Plain structs of numbers, strings and vectors always serialize.
        value.expect("metadata records serialize to JSON")
    }
}

impl Serialize for MetadataRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut envelope = serializer.serialize_struct("MetadataRecord", 3)?;
        envelope.serialize_field("type", self.record_type().name())?;
        envelope.serialize_field("version", &self.version())?;
        match self {
            MetadataRecord::RegisterBroker(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::UnregisterBroker(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::Topic(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::Partition(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::Config(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::PartitionChange(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::FenceBroker(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::UnfenceBroker(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::RemoveTopic(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::FeatureLevel(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::ProducerIds(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::BrokerRegistrationChange(r) => envelope.serialize_field("data", r)?,
            MetadataRecord::NoOp(r) => envelope.serialize_field("data", r)?,
        }
        envelope.end()
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    record_type: String,
    // Read but not checked: records of any version decode into the same struct, with the
    // fields a version lacks taking Kafka's defaults.
    #[allow(dead_code)]
    version: i16,
    data: serde_json::Value,
}

impl<'de> Deserialize<'de> for MetadataRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let envelope = Envelope::deserialize(deserializer)?;
        let record_type =
            MetadataRecordType::from_name(&envelope.record_type).ok_or_else(|| {
                D::Error::custom(format!(
                    "unknown metadata record type {}",
                    envelope.record_type
                ))
            })?;
        let data = envelope.data;
        let record = match record_type {
            MetadataRecordType::RegisterBroker => {
                serde_json::from_value(data).map(MetadataRecord::RegisterBroker)
            }
            MetadataRecordType::UnregisterBroker => {
                serde_json::from_value(data).map(MetadataRecord::UnregisterBroker)
            }
            MetadataRecordType::Topic => serde_json::from_value(data).map(MetadataRecord::Topic),
            MetadataRecordType::Partition => {
                serde_json::from_value(data).map(MetadataRecord::Partition)
            }
            MetadataRecordType::Config => serde_json::from_value(data).map(MetadataRecord::Config),
            MetadataRecordType::PartitionChange => {
                serde_json::from_value(data).map(MetadataRecord::PartitionChange)
            }
            MetadataRecordType::FenceBroker => {
                serde_json::from_value(data).map(MetadataRecord::FenceBroker)
            }
            MetadataRecordType::UnfenceBroker => {
                serde_json::from_value(data).map(MetadataRecord::UnfenceBroker)
            }
            MetadataRecordType::RemoveTopic => {
                serde_json::from_value(data).map(MetadataRecord::RemoveTopic)
            }
            MetadataRecordType::FeatureLevel => {
                serde_json::from_value(data).map(MetadataRecord::FeatureLevel)
            }
            MetadataRecordType::ProducerIds => {
                serde_json::from_value(data).map(MetadataRecord::ProducerIds)
            }
            MetadataRecordType::BrokerRegistrationChange => {
                serde_json::from_value(data).map(MetadataRecord::BrokerRegistrationChange)
            }
            MetadataRecordType::NoOp => serde_json::from_value(data).map(MetadataRecord::NoOp),
        };
        record.map_err(D::Error::custom)
    }
}
