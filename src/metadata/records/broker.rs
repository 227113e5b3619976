//! Broker registration records (`metadata/src/main/resources/common/metadata/*.json`):
//! RegisterBrokerRecord (0), UnregisterBrokerRecord (1), FenceBrokerRecord (7),
//! UnfenceBrokerRecord (8) and BrokerRegistrationChangeRecord (17).
//!
//! Field names and order follow Kafka's JSON converters exactly, because the dump prints them.

use serde::{Deserialize, Serialize};

use super::serde_util::{default_true, is_zero_i8};
use crate::metadata::uuid::Uuid;

/// RegisterBrokerRecord (api key 0), written at version 2 (metadata.version 3.4-IV0 to 3.7-IV1).
///
/// The controller writes it when a broker registers; its offset becomes the broker epoch
/// (KIP-631). Version 3 adds the tagged `logDirs` (JBOD), which KRaftScope does not model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterBrokerRecord {
    pub broker_id: i32,
    /// Version 2+: true only for a ZooKeeper broker during KIP-866 migration.
    #[serde(default)]
    pub is_migrating_zk_broker: bool,
    pub incarnation_id: Uuid,
    pub broker_epoch: i64,
    #[serde(default)]
    pub end_points: Vec<BrokerEndpoint>,
    #[serde(default)]
    pub features: Vec<BrokerFeature>,
    #[serde(default)]
    pub rack: Option<String>,
    /// Kafka's default is `true`: a newly registered broker starts fenced.
    #[serde(default = "default_true")]
    pub fenced: bool,
    /// Version 1+ (KIP-841).
    #[serde(default)]
    pub in_controlled_shutdown: bool,
}

/// One listener of a broker (`RegisterBrokerRecord.EndPoints`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerEndpoint {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// `SecurityProtocol.id`: PLAINTEXT 0, SSL 1, SASL_PLAINTEXT 2, SASL_SSL 3.
    pub security_protocol: i16,
}

/// A feature a broker supports (`RegisterBrokerRecord.Features`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerFeature {
    pub name: String,
    pub min_supported_version: i16,
    pub max_supported_version: i16,
}

/// UnregisterBrokerRecord (api key 1, version 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnregisterBrokerRecord {
    pub broker_id: i32,
    pub broker_epoch: i64,
}

/// FenceBrokerRecord (api key 7, version 0). Written before metadata.version 3.3-IV2; later
/// versions write a BrokerRegistrationChangeRecord with `fenced = 1` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FenceBrokerRecord {
    pub id: i32,
    pub epoch: i64,
}

/// UnfenceBrokerRecord (api key 8, version 0); see [`FenceBrokerRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnfenceBrokerRecord {
    pub id: i32,
    pub epoch: i64,
}

/// BrokerRegistrationChangeRecord (api key 17), written at version 1 (adds
/// `inControlledShutdown`, KIP-841). Both fields are tagged and printed only when non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerRegistrationChangeRecord {
    pub broker_id: i32,
    pub broker_epoch: i64,
    /// [`FENCED_CHANGE_UNFENCE`] (-1), [`FENCED_CHANGE_NONE`] (0) or [`FENCED_CHANGE_FENCE`] (1).
    #[serde(default, skip_serializing_if = "is_zero_i8")]
    pub fenced: i8,
    /// [`IN_CONTROLLED_SHUTDOWN_CHANGE_NONE`] (0) or [`IN_CONTROLLED_SHUTDOWN_CHANGE_SET`] (1).
    #[serde(default, skip_serializing_if = "is_zero_i8")]
    pub in_controlled_shutdown: i8,
}

/// `BrokerRegistrationFencingChange.UNFENCE`.
pub const FENCED_CHANGE_UNFENCE: i8 = -1;
/// `BrokerRegistrationFencingChange.NONE`.
pub const FENCED_CHANGE_NONE: i8 = 0;
/// `BrokerRegistrationFencingChange.FENCE`.
pub const FENCED_CHANGE_FENCE: i8 = 1;
/// `BrokerRegistrationInControlledShutdownChange.NONE`.
pub const IN_CONTROLLED_SHUTDOWN_CHANGE_NONE: i8 = 0;
/// `BrokerRegistrationInControlledShutdownChange.IN_CONTROLLED_SHUTDOWN`.
pub const IN_CONTROLLED_SHUTDOWN_CHANGE_SET: i8 = 1;

/// Kafka's `SecurityProtocol` names by id, for the shell's listener text.
pub fn security_protocol_name(id: i16) -> &'static str {
    match id {
        0 => "PLAINTEXT",
        1 => "SSL",
        2 => "SASL_PLAINTEXT",
        3 => "SASL_SSL",
        _ => "UNKNOWN",
    }
}
