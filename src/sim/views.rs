//! Kafka's operator views of a running world, for the CLI and the UI:
//! `kafka-metadata-quorum.sh describe --status / --replication` (asked of the active
//! controller, as the admin client routes it), `kafka-metadata-shell.sh` `ls`/`cat` of a
//! node's image, and `kafka-dump-log.sh --cluster-metadata-decoder` of a node's log.

use super::world::{World, CLUSTER_ID};
use crate::kraft::{BatchRecords, ControlRecord as RaftControl, NodeId};
use crate::metadata::{
    render_batches, shell, ControlRecord, DumpBatch, DumpOptions, DumpRecord, LeaderChangeMessage,
    Voter,
};
use crate::sim::types::SimRecord;
use std::fmt::Write as _;

/// Why a view could not be produced (Kafka's wording where it has one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    #[error("node {0} does not exist")]
    NoSuchNode(NodeId),
    #[error("node {0} is not running")]
    NotRunning(NodeId),
    /// No leader to answer DescribeQuorum.
    #[error(
        "org.apache.kafka.common.errors.NotLeaderOrFollowerException: there is no quorum leader"
    )]
    NoLeader,
    #[error("{0}")]
    Shell(String),
}

impl World {
    fn leader_node(&self) -> Result<&crate::sim::types::SimNode, ViewError> {
        let l = self.leader().ok_or(ViewError::NoLeader)?;
        self.process(l)
            .and_then(|p| p.raft.as_ref())
            .ok_or(ViewError::NoLeader)
    }

    /// `kafka-metadata-quorum.sh describe --status`.
    pub fn describe_status(&self) -> Result<String, ViewError> {
        let d = self.leader_node()?.describe_quorum();
        let leader = d
            .current_voters
            .iter()
            .find(|r| r.replica_id == d.leader_id);
        let leader_leo = leader.map_or(0, |r| r.log_end_offset);
        let leader_caught_up = leader.map_or(0, |r| r.last_caught_up_timestamp);
        let max_lag = d
            .current_voters
            .iter()
            .map(|r| leader_leo - r.log_end_offset)
            .max()
            .unwrap_or(0);
        let max_lag_ms = d
            .current_voters
            .iter()
            .map(|r| leader_caught_up - r.last_caught_up_timestamp.max(0))
            .max()
            .unwrap_or(0);
        let voters: Vec<String> = d
            .current_voters
            .iter()
            .map(|r| {
                format!(
                    "{{\"id\": {}, \"endpoints\": [\"CONTROLLER://controller-{}:9093\"]}}",
                    r.replica_id, r.replica_id
                )
            })
            .collect();
        let observers: Vec<String> = d
            .observers
            .iter()
            .map(|r| format!("{{\"id\": {}}}", r.replica_id))
            .collect();
        let mut out = String::new();
        let _ = writeln!(out, "ClusterId:              {CLUSTER_ID}");
        let _ = writeln!(out, "LeaderId:               {}", d.leader_id);
        let _ = writeln!(out, "LeaderEpoch:            {}", d.leader_epoch);
        let _ = writeln!(out, "HighWatermark:          {}", d.high_watermark);
        let _ = writeln!(out, "MaxFollowerLag:         {max_lag}");
        let _ = writeln!(out, "MaxFollowerLagTimeMs:   {max_lag_ms}");
        let _ = writeln!(out, "CurrentVoters:          [{}]", voters.join(","));
        let _ = writeln!(out, "CurrentObservers:       [{}]", observers.join(","));
        Ok(out)
    }

    /// `kafka-metadata-quorum.sh describe --replication`.
    pub fn describe_replication(&self) -> Result<String, ViewError> {
        let d = self.leader_node()?.describe_quorum();
        let leader_leo = d
            .current_voters
            .iter()
            .find(|r| r.replica_id == d.leader_id)
            .map_or(0, |r| r.log_end_offset);
        let mut rows = vec![[
            "NodeId".to_string(),
            "DirectoryId".to_string(),
            "LogEndOffset".to_string(),
            "Lag".to_string(),
            "LastFetchTimestamp".to_string(),
            "LastCaughtUpTimestamp".to_string(),
            "Status".to_string(),
        ]];
        let mut replicas: Vec<_> = d
            .current_voters
            .iter()
            .map(|r| {
                (
                    r,
                    if r.replica_id == d.leader_id {
                        "Leader"
                    } else {
                        "Follower"
                    },
                )
            })
            .collect();
        // The leader first, as Kafka prints it.
        replicas.sort_by_key(|(r, s)| (*s != "Leader", r.replica_id));
        replicas.extend(d.observers.iter().map(|r| (r, "Observer")));
        for (r, status) in replicas {
            rows.push([
                r.replica_id.to_string(),
                format!("{:022}", r.replica_id),
                r.log_end_offset.to_string(),
                (leader_leo - r.log_end_offset).max(0).to_string(),
                r.last_fetch_timestamp.to_string(),
                r.last_caught_up_timestamp.to_string(),
                status.to_string(),
            ]);
        }
        let mut widths = [0usize; 7];
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        let mut out = String::new();
        for row in &rows {
            let line: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(out, "{}", line.join("\t").trim_end());
        }
        Ok(out)
    }

    fn image_of(&self, node: NodeId) -> Result<&crate::metadata::MetadataImage, ViewError> {
        let p = self.process(node).ok_or(ViewError::NoSuchNode(node))?;
        Ok(p.image())
    }

    /// `kafka-metadata-shell.sh` `ls PATH` on the node's committed image.
    pub fn shell_ls(&self, node: NodeId, path: &str) -> Result<Vec<String>, ViewError> {
        shell::ls(self.image_of(node)?, path).map_err(|e| ViewError::Shell(e.to_string()))
    }

    /// `kafka-metadata-shell.sh` `cat PATH` on the node's committed image.
    pub fn shell_cat(&self, node: NodeId, path: &str) -> Result<String, ViewError> {
        shell::cat(self.image_of(node)?, path).map_err(|e| ViewError::Shell(e.to_string()))
    }

    /// `kafka-dump-log.sh --cluster-metadata-decoder` of the node's log (from its log
    /// start; on disk while stopped). Counter test records (`append n`) have no Kafka
    /// encoding and are left out of their batches.
    pub fn dump_log(&self, node: NodeId) -> Result<String, ViewError> {
        let p = self.process(node).ok_or(ViewError::NoSuchNode(node))?;
        let log = p.log();
        let controls: Vec<Vec<ControlRecord>> = log
            .batches()
            .map(|b| match &b.records {
                BatchRecords::Control(rs) => rs
                    .iter()
                    .map(|r| {
                        let RaftControl::LeaderChange(m) = r;
                        ControlRecord::LeaderChange(LeaderChangeMessage {
                            version: m.version,
                            leader_id: m.leader_id,
                            voters: m.voters.iter().map(|v| Voter { voter_id: *v }).collect(),
                            granting_voters: m
                                .granting_voters
                                .iter()
                                .map(|v| Voter { voter_id: *v })
                                .collect(),
                        })
                    })
                    .collect(),
                BatchRecords::Data(_) => Vec::new(),
            })
            .collect();
        let mut batches = Vec::new();
        for (b, controls) in log.batches().zip(&controls) {
            let records: Vec<DumpRecord<'_>> = match &b.records {
                BatchRecords::Control(_) => controls.iter().map(DumpRecord::Control).collect(),
                BatchRecords::Data(rs) => rs
                    .iter()
                    .filter_map(|r| match r {
                        SimRecord::Metadata(m) => Some(DumpRecord::Metadata(m)),
                        SimRecord::Counter(_) => None,
                    })
                    .collect(),
            };
            if records.is_empty() {
                continue;
            }
            batches.push(DumpBatch {
                base_offset: b.base_offset,
                epoch: b.epoch,
                append_time_ms: b.append_time_ms as i64,
                records,
            });
        }
        let mut out = format!(
            "Dumping __cluster_metadata-0 of node {node}\nLog starting offset: {}\n",
            log.log_start_offset()
        );
        out.push_str(&render_batches(&batches, DumpOptions::default()));
        Ok(out)
    }
}
