//! Snapshots (KIP-630): the state machine creates them at or below the high watermark;
//! followers behind the leader's log start download them in chunks with FetchSnapshot.

use super::log::Snapshot;
use super::node::{Action, RaftNode, Reply, RequestError};
use super::rpc::{
    leader_id_or_nil, Errors, FetchSnapshotRequest, FetchSnapshotResponse, LeaderIdAndEpoch,
    UnalignedRecords,
};
use super::state::EpochState;
use super::types::{NodeId, OffsetAndEpoch, RaftTypes};

impl<T: RaftTypes> RaftNode<T> {
    pub(crate) fn create_snapshot(&mut self, snapshot: Snapshot<T>) -> Result<Reply, RequestError> {
        let hw = self.high_watermark().ok_or(RequestError::NoHighWatermark)?;
        let snapshot_id = snapshot.snapshot_id;
        self.log.create_snapshot(snapshot, hw)?;
        self.push_action(Action::SnapshotCreated { snapshot_id });
        if let Some(log_start_offset) = self.log.maybe_clean(self.config.quorum.max_retention_bytes)
        {
            self.push_action(Action::LogStartAdvanced { log_start_offset });
        }
        Ok(Reply::None)
    }

    fn fetch_snapshot_response(&self, error: Errors) -> FetchSnapshotResponse<T> {
        FetchSnapshotResponse {
            top_level_error: Errors::None,
            error_code: error,
            current_leader: LeaderIdAndEpoch {
                leader_id: leader_id_or_nil(self.leader_id()),
                leader_epoch: self.epoch(),
            },
            snapshot_id: None,
            size: 0,
            position: 0,
            unaligned_records: None,
        }
    }

    pub(crate) fn handle_fetch_snapshot_request(
        &mut self,
        request: FetchSnapshotRequest,
    ) -> FetchSnapshotResponse<T> {
        if !self.config.is_cluster_id(&request.cluster_id) {
            let mut response = self.fetch_snapshot_response(Errors::None);
            response.top_level_error = Errors::InconsistentClusterId;
            return response;
        }
        if let Some(error) = self.validate_leader_only_request(request.current_leader_epoch) {
            return self.fetch_snapshot_response(error);
        }
        let id = OffsetAndEpoch::from(request.snapshot_id);
        let Some(snapshot) = self.log.read_snapshot(id).cloned() else {
            return self.fetch_snapshot_response(Errors::SnapshotNotFound);
        };
        let size = snapshot.size_bytes.max(1);
        if request.position >= size {
            return self.fetch_snapshot_response(Errors::PositionOutOfRange);
        }
        let len_bytes = request.max_bytes.max(1).min(size - request.position);
        let now = self.now_ms;
        let timeout = self.config.quorum.check_quorum_timeout_ms();
        if let EpochState::Leader(leader) = &mut self.state {
            leader.update_check_quorum_for_following_voter(request.replica_id, now, timeout);
        }
        let mut response = self.fetch_snapshot_response(Errors::None);
        response.snapshot_id = Some(request.snapshot_id);
        response.size = size;
        response.position = request.position;
        response.unaligned_records = Some(UnalignedRecords {
            len_bytes,
            snapshot,
        });
        response
    }

    /// Count the chunk; after the last one replace the whole log with the snapshot and
    /// take its end offset as the high watermark.
    pub(crate) fn handle_fetch_snapshot_response(
        &mut self,
        _from: NodeId,
        response: FetchSnapshotResponse<T>,
    ) -> bool {
        if !response.top_level_error.is_none() {
            return self.handle_top_level_error(response.top_level_error);
        }
        if let Some(handled) = self.maybe_handle_common_response(
            response.error_code,
            response.current_leader.leader_id,
            response.current_leader.leader_epoch,
        ) {
            return handled;
        }
        let EpochState::Follower(f) = &mut self.state else {
            return true;
        };
        let (Some(snapshot_id), Some(chunk), Errors::None) = (
            response.snapshot_id,
            response.unaligned_records,
            response.error_code,
        ) else {
            if response.error_code == Errors::SnapshotNotFound || response.snapshot_id.is_none() {
                // The leader cleaned it up before we finished: start over with a Fetch.
                f.fetching_snapshot = None;
                self.reset_fetch_timeout_for_successful_fetch();
                return true;
            }
            return false;
        };
        let Some(fetching) = f.fetching_snapshot.as_mut() else {
            self.fatal(format!(
                "unexpected FetchSnapshot response for {snapshot_id:?}"
            ));
            return false;
        };
        let id = OffsetAndEpoch::from(snapshot_id);
        if fetching.snapshot_id != id || fetching.position != response.position {
            let detail = format!(
                "FetchSnapshot response for {id} at {} does not match the download of {} at {}",
                response.position, fetching.snapshot_id, fetching.position
            );
            self.fatal(detail);
            return false;
        }
        fetching.position += chunk.len_bytes;
        if fetching.position >= response.size {
            f.fetching_snapshot = None;
            self.log.install_fetched_snapshot(chunk.snapshot);
            if self.log.truncate_to_latest_snapshot() {
                self.push_action(Action::SnapshotInstalled { snapshot_id: id });
                self.push_action(Action::LogStartAdvanced {
                    log_start_offset: self.log.log_start_offset(),
                });
                self.update_follower_high_watermark(id.offset);
            } else {
                self.fatal(format!(
                    "full log truncation expected after downloading snapshot {id}"
                ));
            }
        }
        self.reset_fetch_timeout_for_successful_fetch();
        true
    }
}
