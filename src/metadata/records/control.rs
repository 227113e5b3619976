//! Control records (`clients/src/main/resources/common/message/*.json`). They live in control
//! batches that the consensus layer writes, never in a MetadataDelta; they are defined here so
//! the log dump can print them the way kafka-dump-log does.

use serde::{Deserialize, Serialize};

/// LeaderChangeMessage (control type 2): the first batch of every leader's epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderChangeMessage {
    pub version: i16,
    pub leader_id: i32,
    pub voters: Vec<Voter>,
    pub granting_voters: Vec<Voter>,
}

/// One voter in a [`LeaderChangeMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Voter {
    pub voter_id: i32,
}

/// SnapshotHeaderRecord (control type 3): first record of every snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotHeaderRecord {
    pub version: i16,
    /// Append time of the last log record the snapshot contains.
    pub last_contained_log_timestamp: i64,
}

/// SnapshotFooterRecord (control type 4): last record of every snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotFooterRecord {
    pub version: i16,
}

/// A control record with its `ControlRecordType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlRecord {
    LeaderChange(LeaderChangeMessage),
    SnapshotHeader(SnapshotHeaderRecord),
    SnapshotFooter(SnapshotFooterRecord),
}

impl ControlRecord {
    /// `ControlRecordType` id: ABORT 0, COMMIT 1, LEADER_CHANGE 2, SNAPSHOT_HEADER 3,
    /// SNAPSHOT_FOOTER 4.
    pub fn type_id(&self) -> i16 {
        match self {
            ControlRecord::LeaderChange(_) => 2,
            ControlRecord::SnapshotHeader(_) => 3,
            ControlRecord::SnapshotFooter(_) => 4,
        }
    }

    /// `ControlRecordType` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            ControlRecord::LeaderChange(_) => "LEADER_CHANGE",
            ControlRecord::SnapshotHeader(_) => "SNAPSHOT_HEADER",
            ControlRecord::SnapshotFooter(_) => "SNAPSHOT_FOOTER",
        }
    }
}
