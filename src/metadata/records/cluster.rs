//! Cluster-wide records: ConfigRecord (4), FeatureLevelRecord (12), ProducerIdsRecord (15)
//! and NoOpRecord (20).

use serde::{Deserialize, Serialize};

use super::serde_util::minus_one_i64;

/// ConfigRecord (api key 4, version 0). A `null` value deletes the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigRecord {
    /// `ConfigResource.Type` id: see [`ConfigResourceType`].
    pub resource_type: i8,
    /// The topic name or broker id; empty for the cluster-wide default of a type.
    pub resource_name: String,
    pub name: String,
    pub value: Option<String>,
}

/// `org.apache.kafka.common.config.ConfigResource.Type`, with Kafka's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfigResourceType {
    Unknown,
    Topic,
    Broker,
    BrokerLogger,
    ClientMetrics,
    Group,
}

impl ConfigResourceType {
    /// All known types, in id order.
    pub const ALL: [ConfigResourceType; 6] = [
        ConfigResourceType::Unknown,
        ConfigResourceType::Topic,
        ConfigResourceType::Broker,
        ConfigResourceType::BrokerLogger,
        ConfigResourceType::ClientMetrics,
        ConfigResourceType::Group,
    ];

    /// The id written in `ConfigRecord.resourceType`.
    pub fn id(self) -> i8 {
        match self {
            ConfigResourceType::Unknown => 0,
            ConfigResourceType::Topic => 2,
            ConfigResourceType::Broker => 4,
            ConfigResourceType::BrokerLogger => 8,
            ConfigResourceType::ClientMetrics => 16,
            ConfigResourceType::Group => 32,
        }
    }

    /// The type with this id; unknown ids map to `Unknown`, as `ConfigResource.Type.forId` does.
    pub fn from_id(id: i8) -> ConfigResourceType {
        Self::ALL
            .into_iter()
            .find(|t| t.id() == id)
            .unwrap_or(ConfigResourceType::Unknown)
    }

    /// The enum constant's name (`TOPIC`, `BROKER`, …), as the metadata shell prints it.
    pub fn name(self) -> &'static str {
        match self {
            ConfigResourceType::Unknown => "UNKNOWN",
            ConfigResourceType::Topic => "TOPIC",
            ConfigResourceType::Broker => "BROKER",
            ConfigResourceType::BrokerLogger => "BROKER_LOGGER",
            ConfigResourceType::ClientMetrics => "CLIENT_METRICS",
            ConfigResourceType::Group => "GROUP",
        }
    }
}

/// FeatureLevelRecord (api key 12, version 0). Level 0 removes a feature; the name
/// `metadata.version` sets the cluster's metadata version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureLevelRecord {
    pub name: String,
    pub feature_level: i16,
}

/// ProducerIdsRecord (api key 15, version 0): the controller handed the block of producer ids
/// below `nextProducerId` to a broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerIdsRecord {
    pub broker_id: i32,
    #[serde(default = "minus_one_i64")]
    pub broker_epoch: i64,
    pub next_producer_id: i64,
}

/// NoOpRecord (api key 20, version 0): written every `metadata.max.idle.interval.ms` so the
/// high watermark and the brokers' catch-up keep moving (KIP-835).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoOpRecord {}
