//! Fetch (KIP-595 §Fetch): pull replication, the fetch purgatory (long poll), divergence
//! found in one round trip, and high-watermark propagation.

use super::batch_list::BatchList;
use super::leader::ParkedFetch;
use super::log::{Batch, ValidOffsetAndEpoch};
use super::node::{Action, RaftNode};
use super::rpc::{
    leader_id_or_nil, EpochEndOffset, Errors, FetchRequest, FetchResponse, LeaderIdAndEpoch,
    Message, SnapshotId,
};
use super::state::{EpochState, FetchingSnapshot};
use super::types::{NodeId, Offset, OffsetAndEpoch, RaftTypes};
use std::sync::Arc;

/// What [`RaftNode::try_complete_fetch_request`] found.
enum FetchCompletion<T: RaftTypes> {
    /// Answer with this.
    Respond(FetchResponse<T>),
    /// A valid fetch with nothing to read. Its empty response differs from any other
    /// only in these two, so a fetch that may wait is parked without building it.
    Empty {
        high_watermark: Offset,
        log_start_offset: Offset,
    },
}

impl<T: RaftTypes> RaftNode<T> {
    pub(crate) fn build_empty_fetch_response(
        &self,
        error: Errors,
        high_watermark: Option<Offset>,
    ) -> FetchResponse<T> {
        FetchResponse {
            top_level_error: Errors::None,
            error_code: error,
            high_watermark: high_watermark.unwrap_or(-1),
            log_start_offset: self.log.log_start_offset(),
            diverging_epoch: None,
            current_leader: LeaderIdAndEpoch {
                leader_id: leader_id_or_nil(self.leader_id()),
                leader_epoch: self.epoch(),
            },
            snapshot_id: None,
            records: BatchList::new(),
        }
    }

    /// Answer now, or park the fetch until records arrive or `MaxWaitMs` passes.
    /// Returns the response to send now, if any.
    pub(crate) fn handle_fetch_request(
        &mut self,
        from: NodeId,
        correlation_id: i32,
        request: FetchRequest,
    ) -> Option<FetchResponse<T>> {
        if !self.config.is_cluster_id(&request.cluster_id) {
            let mut response = self.build_empty_fetch_response(Errors::None, None);
            response.top_level_error = Errors::InconsistentClusterId;
            return Some(response);
        }
        if request.fetch_offset < 0
            || request.last_fetched_epoch < 0
            || request.last_fetched_epoch > request.current_leader_epoch
        {
            return Some(self.build_empty_fetch_response(Errors::InvalidRequest, None));
        }
        let (high_watermark, log_start_offset) =
            match self.try_complete_fetch_request(from, &request) {
                FetchCompletion::Respond(response) => return Some(response),
                FetchCompletion::Empty {
                    high_watermark,
                    log_start_offset,
                } => (high_watermark, log_start_offset),
            };
        let expires_at_ms = self.now_ms + request.max_wait_ms;
        match &mut self.state {
            EpochState::Leader(leader) if request.max_wait_ms != 0 => {
                leader.park_fetch(ParkedFetch {
                    from,
                    correlation_id,
                    request,
                    expires_at_ms,
                    original_high_watermark: high_watermark,
                    original_log_start_offset: log_start_offset,
                });
                None
            }
            _ => Some(self.empty_fetch_response(high_watermark, log_start_offset)),
        }
    }

    /// The response to a valid fetch with nothing to read, as
    /// [`FetchCompletion::Empty`] describes it.
    fn empty_fetch_response(
        &self,
        high_watermark: Offset,
        log_start_offset: Offset,
    ) -> FetchResponse<T> {
        let mut response = self.build_empty_fetch_response(Errors::None, None);
        response.high_watermark = high_watermark;
        response.log_start_offset = log_start_offset;
        response
    }

    /// `tryCompleteFetchRequest`: validate the epoch, check the fetcher's log against
    /// ours, and for a valid position return records and count the fetch offset as that
    /// replica's acknowledged end offset.
    fn try_complete_fetch_request(
        &mut self,
        replica: NodeId,
        request: &FetchRequest,
    ) -> FetchCompletion<T> {
        if let Some(error) = self.validate_leader_only_request(request.current_leader_epoch) {
            return FetchCompletion::Respond(self.build_empty_fetch_response(error, None));
        }
        // An empty follower is better served by the snapshot than the whole log. (The
        // offset is tested first: it spares the snapshot lookup on every other fetch.)
        let latest_snapshot = match request.fetch_offset {
            0 => self.log.latest_snapshot_id(),
            _ => None,
        };
        let valid = match latest_snapshot {
            Some(latest) => ValidOffsetAndEpoch::Snapshot(latest),
            None => self
                .log
                .validate_offset_and_epoch(request.fetch_offset, request.last_fetched_epoch),
        };
        let now = self.now_ms;
        let check_quorum_timeout_ms = self.config.quorum.check_quorum_timeout_ms();
        let log_start_offset = self.log.log_start_offset();
        // The response is built once, in place, from the leader state read here (the
        // leader names itself): no empty response patched field by field.
        let EpochState::Leader(leader) = &mut self.state else {
            // validate_leader_only_request lets only a leader through; should that ever
            // change, the fetcher hears Kafka's answer to a non-leader, not a panic.
            let error = Errors::NotLeaderOrFollower;
            return FetchCompletion::Respond(self.build_empty_fetch_response(error, None));
        };
        let mut records = BatchList::new();
        let mut advanced = false;
        if let ValidOffsetAndEpoch::Valid(_) = valid {
            // A fetch at the log end (about half of all: the one that gets parked) has
            // nothing to read.
            if request.fetch_offset < self.log.end_offset() {
                records = self
                    .log
                    .read(request.fetch_offset, Offset::MAX, request.max_bytes);
            }
            advanced = leader.update_replica_state(
                replica,
                now,
                request.fetch_offset,
                check_quorum_timeout_ms,
            );
        }
        let high_watermark = leader.high_watermark;
        let leader_epoch = leader.epoch;
        if advanced {
            self.on_update_leader_high_watermark();
        }
        let (diverging_epoch, snapshot_id) = match valid {
            ValidOffsetAndEpoch::Valid(_) if records.is_empty() => {
                return FetchCompletion::Empty {
                    high_watermark: high_watermark.unwrap_or(-1),
                    log_start_offset,
                }
            }
            ValidOffsetAndEpoch::Valid(_) => (None, None),
            ValidOffsetAndEpoch::Diverging(end) => (
                Some(EpochEndOffset {
                    epoch: end.epoch,
                    end_offset: end.offset,
                }),
                None,
            ),
            ValidOffsetAndEpoch::Snapshot(id) => (None, Some(SnapshotId::from(id))),
        };
        FetchCompletion::Respond(FetchResponse {
            top_level_error: Errors::None,
            error_code: Errors::None,
            high_watermark: high_watermark.unwrap_or(-1),
            log_start_offset,
            diverging_epoch,
            current_leader: LeaderIdAndEpoch {
                leader_id: leader_id_or_nil(Some(self.config.node_id)),
                leader_epoch,
            },
            snapshot_id,
            records,
        })
    }

    pub(crate) fn on_update_leader_high_watermark(&mut self) {
        if let Some(high_watermark) = self.high_watermark() {
            self.push_action(Action::HighWatermarkAdvanced { high_watermark });
        }
    }

    /// Write a batch as leader: append, flush, count our own end offset for the HW,
    /// and wake parked fetches that can now get records.
    pub(crate) fn append_as_leader(&mut self, batch: Arc<Batch<T>>) {
        if let Err(e) = self.log.append(batch.clone()) {
            self.fatal(format!("leader append failed: {e}"));
            return;
        }
        self.push_action(Action::Appended { batch });
        // `flushLeaderLog`: update the end offset first so parked fetches return sooner.
        let end_offset = self.log.end_offset();
        let advanced = match &mut self.state {
            EpochState::Leader(leader) => leader.update_local_state(end_offset),
            _ => false,
        };
        if advanced {
            self.on_update_leader_high_watermark();
        }
        self.flush_log();
        self.complete_parked_fetches(end_offset);
    }

    /// `fetchPurgatory.maybeComplete(endOffset)`: fetches waiting below the new end.
    fn complete_parked_fetches(&mut self, end_offset: Offset) {
        // In parking order (the order `extract_if` would give). The vector is taken out
        // and refilled with the fetches that keep waiting: removing the completed ones
        // one by one shifted the rest each time (quadratic in the number of fetchers,
        // on every append). Answering a fetch never parks another, nor leaves the
        // leader state, so nothing else touches the purgatory meanwhile.
        let mut parked = match &mut self.state {
            EpochState::Leader(leader)
                if leader
                    .parked_fetches
                    .iter()
                    .any(|p| p.request.fetch_offset < end_offset) =>
            {
                std::mem::take(&mut leader.parked_fetches)
            }
            _ => return,
        };
        let mut waiting = Vec::new();
        for p in parked.drain(..) {
            if p.request.fetch_offset >= end_offset {
                waiting.push(p);
                continue;
            }
            let response = match self.try_complete_fetch_request(p.from, &p.request) {
                FetchCompletion::Respond(response) => response,
                FetchCompletion::Empty {
                    high_watermark,
                    log_start_offset,
                } => self.empty_fetch_response(high_watermark, log_start_offset),
            };
            self.send(p.from, p.correlation_id, Message::FetchResponse(response));
        }
        if let EpochState::Leader(leader) = &mut self.state {
            debug_assert!(leader.parked_fetches.is_empty());
            // Keep the emptied vector's allocation when no fetch is left waiting.
            leader.set_parked_fetches(if waiting.is_empty() { parked } else { waiting });
        }
    }

    /// Parked fetches whose `MaxWaitMs` ran out get the response built on arrival.
    /// Returns the time until the next expiry.
    pub(crate) fn expire_parked_fetches(&mut self) -> u64 {
        let now = self.now_ms;
        let expired: Vec<ParkedFetch> = match &mut self.state {
            EpochState::Leader(leader) => match leader.earliest_parked_expiry_ms() {
                None => return u64::MAX,
                // This runs on every leader step; usually nothing has expired.
                Some(first) if first > now => return first - now,
                Some(_) => {
                    let mut parked = std::mem::take(&mut leader.parked_fetches);
                    let expired = parked.extract_if(.., |p| p.expires_at_ms <= now).collect();
                    leader.set_parked_fetches(parked);
                    expired
                }
            },
            _ => return u64::MAX,
        };
        for parked in expired {
            // The empty response built when the fetch arrived (see `ParkedFetch`).
            let response = self.empty_fetch_response(
                parked.original_high_watermark,
                parked.original_log_start_offset,
            );
            self.send(
                parked.from,
                parked.correlation_id,
                Message::FetchResponse(response),
            );
        }
        match &self.state {
            EpochState::Leader(leader) => leader
                .earliest_parked_expiry_ms()
                .map_or(u64::MAX, |first| first - now),
            _ => u64::MAX,
        }
    }

    /// `handleFetchResponse` on a follower: truncate on DivergingEpoch, start a snapshot
    /// download on SnapshotId, or append the records (a voter flushes before it fetches
    /// again) and take the leader's high watermark.
    pub(crate) fn handle_fetch_response(
        &mut self,
        _from: NodeId,
        response: FetchResponse<T>,
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
        if !matches!(self.state, EpochState::Follower(_)) {
            let state = self.state.kind();
            self.fatal(format!(
                "fetch response handled as {state}, expected Follower"
            ));
            return false;
        }
        if !response.error_code.is_none() {
            return false;
        }
        if let Some(diverging) = response.diverging_epoch {
            let leader_end = OffsetAndEpoch::new(diverging.end_offset, diverging.epoch);
            if let Some(hw) = self.high_watermark() {
                if leader_end.offset < hw {
                    self.fatal(format!(
                        "the leader requested truncation to offset {}, which is below the current high watermark {hw}",
                        leader_end.offset
                    ));
                    return false;
                }
            }
            let from_end_offset = self.log.end_offset();
            let to_end_offset = self.log.truncate_to_end_offset(leader_end);
            self.push_action(Action::Truncated {
                from_end_offset,
                to_end_offset,
                diverging_epoch: leader_end,
            });
        } else if let Some(snapshot_id) = response.snapshot_id {
            let id = OffsetAndEpoch::from(snapshot_id);
            if self.log.read_snapshot(id).is_none() {
                if let EpochState::Follower(f) = &mut self.state {
                    f.fetching_snapshot = Some(FetchingSnapshot {
                        snapshot_id: id,
                        position: 0,
                    });
                }
                self.push_action(Action::SnapshotFetchStarted { snapshot_id: id });
            }
        } else {
            for batch in response.records {
                if batch.end_offset() <= self.log.end_offset() {
                    continue;
                }
                if let Err(e) = self.log.append(batch) {
                    self.fatal(format!("follower append failed: {e}"));
                    return false;
                }
            }
            if self.is_voter() {
                self.flush_log();
            }
            if response.high_watermark >= 0 {
                self.update_follower_high_watermark(response.high_watermark);
            }
        }
        self.reset_fetch_timeout_for_successful_fetch();
        true
    }

    pub(crate) fn reset_fetch_timeout_for_successful_fetch(&mut self) {
        let now = self.now_ms;
        let timeout = self.config.quorum.fetch_timeout_ms;
        if let EpochState::Follower(f) = &mut self.state {
            f.fetch_deadline_ms = now + timeout;
            f.fetch_timer_ms = timeout;
            f.has_fetched_from_leader = true;
        }
    }

    /// A follower's HW is the leader's, capped by its own log end; it never decreases.
    pub(crate) fn update_follower_high_watermark(&mut self, leader_high_watermark: Offset) {
        let new_hw = leader_high_watermark.min(self.log.end_offset());
        let changed = match &mut self.state {
            EpochState::Follower(f) => match f.high_watermark {
                Some(current) if current >= new_hw => false,
                _ => {
                    f.high_watermark = Some(new_hw);
                    true
                }
            },
            _ => false,
        };
        if changed {
            self.push_action(Action::HighWatermarkAdvanced {
                high_watermark: new_hw,
            });
        }
    }
}
