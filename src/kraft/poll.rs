//! `pollCurrentState`: what each state does when it gets the thread — fire expired
//! timers, send the requests that are due. Each returns how long until it next needs
//! to run (0: run again now).

use super::node::{Action, RaftNode};
use super::rpc::{
    BeginQuorumEpochRequest, EndQuorumEpochRequest, FetchRequest, FetchSnapshotRequest, Message,
    VoteRequest,
};
use super::state::EpochState;
use super::types::{next_below, NodeId, RaftTypes};
use std::sync::Arc;

impl<T: RaftTypes> RaftNode<T> {
    pub(crate) fn poll_leader(&mut self) -> u64 {
        let now = self.now_ms;
        let resign = match &self.state {
            EpochState::Leader(l) => {
                self.shutdown.is_some()
                    || l.resign_requested
                    || l.time_until_check_quorum_expires(now) == 0
            }
            _ => return 0,
        };
        if resign {
            // Ranked only when needed: this runs on every leader step.
            let successors = match &self.state {
                EpochState::Leader(l) => l.non_leader_voters_by_descending_fetch_offset(),
                _ => Vec::new(),
            };
            self.transition_to_resigned(successors);
            return 0;
        }
        let until_drain = self.maybe_append_batches();
        let until_begin_quorum = self.maybe_send_begin_quorum_epoch_requests();
        let until_parked = self.expire_parked_fetches();
        let until_check_quorum = match &self.state {
            EpochState::Leader(l) => l.time_until_check_quorum_expires(now),
            _ => 0,
        };
        until_drain
            .min(until_begin_quorum)
            .min(until_parked)
            .min(until_check_quorum)
    }

    /// Drain the accumulator once `append.linger.ms` has passed: one batch, flushed at
    /// once (the leader's end offset counts for the HW before the flush, as in Kafka,
    /// because the flush is synchronous in the same turn).
    fn maybe_append_batches(&mut self) -> u64 {
        let now = self.now_ms;
        let records = match &mut self.state {
            EpochState::Leader(leader) => match &leader.accumulator {
                Some(acc) if acc.drain_at_ms <= now => leader
                    .accumulator
                    .take()
                    .map(|a| a.records)
                    .unwrap_or_default(),
                Some(acc) => return acc.drain_at_ms - now,
                None => return u64::MAX,
            },
            _ => return u64::MAX,
        };
        let batch = self.data_batch(self.log.end_offset(), self.epoch(), records);
        self.append_as_leader(Arc::new(batch));
        u64::MAX
    }

    fn maybe_send_begin_quorum_epoch_requests(&mut self) -> u64 {
        let now = self.now_ms;
        let period = self.config.quorum.begin_quorum_epoch_timeout_ms();
        let (targets, epoch) = match &mut self.state {
            EpochState::Leader(l) if now >= l.begin_quorum_epoch_deadline_ms => {
                l.begin_quorum_epoch_deadline_ms = now + period;
                (l.non_acknowledging_voters(), l.epoch)
            }
            EpochState::Leader(l) => return l.begin_quorum_epoch_deadline_ms - now,
            _ => return u64::MAX,
        };
        let local = self.local_id();
        let cluster_id = self.config.cluster_id.clone();
        for voter in targets.into_iter().filter(|v| *v != local) {
            let cluster_id = cluster_id.clone();
            self.maybe_send_request(voter, |_| {
                Message::BeginQuorumEpochRequest(BeginQuorumEpochRequest {
                    cluster_id,
                    leader_id: local,
                    leader_epoch: epoch,
                    voter_id: voter,
                })
            });
        }
        period
    }

    /// Send vote requests (pre-votes while Prospective) to voters that have not
    /// answered, while winning is still possible.
    fn maybe_send_vote_requests(&mut self) -> u64 {
        let (targets, pre_vote, epoch) = match &self.state {
            EpochState::Prospective(p) if !p.election.is_vote_rejected() => (
                p.election.unrecorded_voters().collect::<Vec<_>>(),
                true,
                p.epoch,
            ),
            EpochState::Candidate(c) if !c.election.is_vote_rejected() => (
                c.election.unrecorded_voters().collect::<Vec<_>>(),
                false,
                c.epoch,
            ),
            _ => return u64::MAX,
        };
        let local = self.local_id();
        let last = self.log.end_offset_and_epoch();
        let cluster_id = self.config.cluster_id.clone();
        let mut min = u64::MAX;
        for voter in targets.into_iter().filter(|v| *v != local) {
            let cluster_id = cluster_id.clone();
            let wait = self.maybe_send_request(voter, |_| {
                Message::VoteRequest(VoteRequest {
                    cluster_id,
                    replica_epoch: epoch,
                    replica_id: local,
                    voter_id: voter,
                    last_offset_epoch: last.epoch,
                    last_offset: last.offset,
                    pre_vote,
                })
            });
            min = min.min(wait);
        }
        min
    }

    pub(crate) fn poll_candidate(&mut self) -> u64 {
        let now = self.now_ms;
        let EpochState::Candidate(c) = &self.state else {
            return 0;
        };
        if let Some(shutdown) = self.shutdown {
            // Keep campaigning: winning lets us resign properly.
            let wait = self.maybe_send_vote_requests();
            return wait.min(shutdown.deadline_ms.saturating_sub(now));
        }
        if !self.config.quorum.pre_vote {
            return self.poll_candidate_kafka_3_9();
        }
        if c.election.is_vote_rejected() || now >= c.election_deadline_ms {
            self.transition_to_prospective();
            return 0;
        }
        let remaining = c.election_deadline_ms - now;
        self.maybe_send_vote_requests().min(remaining)
    }

    /// Kafka 3.9's candidate: on a lost or timed-out election, back off
    /// `min(100 ms × rand[0, 2^retries), election.backoff.max.ms)` and stand again at
    /// epoch + 1.
    fn poll_candidate_kafka_3_9(&mut self) -> u64 {
        let now = self.now_ms;
        let (backoff_until, rejected, deadline, retries) = match &self.state {
            EpochState::Candidate(c) => (
                c.backoff_until_ms,
                c.election.is_vote_rejected(),
                c.election_deadline_ms,
                c.retries,
            ),
            _ => return 0,
        };
        if let Some(until) = backoff_until {
            if now >= until {
                self.transition_to_candidate();
                return 0;
            }
            return until - now;
        }
        if rejected || now >= deadline {
            let backoff = self.binary_exponential_election_backoff_ms(retries);
            if let EpochState::Candidate(c) = &mut self.state {
                c.backoff_until_ms = Some(now + backoff);
            }
            return backoff.max(1);
        }
        self.maybe_send_vote_requests().min(deadline - now)
    }

    fn binary_exponential_election_backoff_ms(&mut self, retries: u32) -> u64 {
        let exponent = retries.clamp(1, 21);
        let draw = next_below(&mut self.rng, 1u64 << exponent);
        (100 * draw).min(self.config.quorum.election_backoff_max_ms)
    }

    pub(crate) fn poll_prospective(&mut self) -> u64 {
        let now = self.now_ms;
        let EpochState::Prospective(p) = &self.state else {
            return 0;
        };
        if let Some(shutdown) = self.shutdown {
            let wait = self.maybe_send_vote_requests();
            return wait.min(shutdown.deadline_ms.saturating_sub(now));
        }
        if p.election.is_vote_rejected() || now >= p.election_deadline_ms {
            // Lost: go back to the leader we knew, or look for one.
            let epoch = p.epoch;
            match p.leader_id {
                Some(leader) => self.transition_to_follower(epoch, leader),
                None => self.transition_to_unattached(epoch, None),
            }
            return 0;
        }
        let remaining = p.election_deadline_ms - now;
        self.maybe_send_vote_requests().min(remaining)
    }

    pub(crate) fn poll_follower(&mut self) -> u64 {
        let now = self.now_ms;
        let EpochState::Follower(f) = &self.state else {
            return 0;
        };
        let expired = now >= f.fetch_deadline_ms;
        if self.is_voter() {
            if self.shutdown.is_some() {
                return 0;
            }
            if expired {
                self.transition_to_prospective();
                return 0;
            }
            self.maybe_send_fetch_to_best_node()
        } else if expired {
            self.maybe_send_fetch_to_any_bootstrap()
        } else {
            self.maybe_send_fetch_to_best_node()
        }
    }

    /// Fetch from the leader; if it timed out or backs off, ask a random voter instead
    /// to learn whether leadership moved.
    fn maybe_send_fetch_to_best_node(&mut self) -> u64 {
        let now = self.now_ms;
        let EpochState::Follower(f) = &self.state else {
            return 0;
        };
        let leader = f.leader_id;
        let remaining_fetch = f.fetch_deadline_ms.saturating_sub(now);
        let wait = if self.requests.has_request_timed_out(leader, now) {
            self.requests.reset(leader);
            self.maybe_send_fetch_to_any_bootstrap()
        } else if self.requests.is_backing_off(leader, now) {
            self.maybe_send_fetch_to_any_bootstrap()
        } else if !self.requests.has_any_inflight_request(now) {
            self.maybe_send_fetch_or_fetch_snapshot(leader)
        } else {
            self.requests.backoff_before_available_bootstrap_server(now)
        };
        wait.min(remaining_fetch)
    }

    fn maybe_send_fetch_to_any_bootstrap(&mut self) -> u64 {
        let now = self.now_ms;
        if self.requests.has_any_inflight_request(now) {
            return self.requests.backoff_before_available_bootstrap_server(now);
        }
        let n = self.requests.bootstrap_servers().len() as u64;
        let start = next_below(&mut self.rng, n) as usize;
        match self.requests.find_ready_bootstrap_server(now, start) {
            Some(node) => {
                self.maybe_send_request(node, |me| Message::FetchRequest(me.build_fetch_request()))
            }
            None => self.requests.backoff_before_available_bootstrap_server(now),
        }
    }

    /// A snapshot download pauses fetching: ask for the next chunk instead.
    fn maybe_send_fetch_or_fetch_snapshot(&mut self, leader: NodeId) -> u64 {
        let fetching = match &self.state {
            EpochState::Follower(f) => f.fetching_snapshot.clone(),
            _ => None,
        };
        match fetching {
            Some(s) => self.maybe_send_request(leader, |me| {
                Message::FetchSnapshotRequest(FetchSnapshotRequest {
                    cluster_id: me.config.cluster_id.clone(),
                    replica_id: me.local_id(),
                    max_bytes: me.config.quorum.fetch_snapshot_max_bytes,
                    current_leader_epoch: me.epoch(),
                    snapshot_id: s.snapshot_id.into(),
                    position: s.position,
                })
            }),
            None => self
                .maybe_send_request(leader, |me| Message::FetchRequest(me.build_fetch_request())),
        }
    }

    /// Inlined into the send closures: a follower builds one for every batch it
    /// fetches.
    #[inline]
    pub(crate) fn build_fetch_request(&self) -> FetchRequest {
        FetchRequest {
            cluster_id: self.config.cluster_id.clone(),
            replica_id: self.local_id(),
            max_wait_ms: self.config.quorum.fetch_max_wait_ms,
            max_bytes: self.config.quorum.fetch_max_bytes,
            current_leader_epoch: self.epoch(),
            fetch_offset: self.log.end_offset(),
            last_fetched_epoch: self.log.last_fetched_epoch(),
        }
    }

    pub(crate) fn poll_unattached(&mut self) -> u64 {
        let now = self.now_ms;
        let EpochState::Unattached(u) = &self.state else {
            return 0;
        };
        let deadline = u.election_deadline_ms;
        if self.is_voter() {
            if let Some(shutdown) = self.shutdown {
                // Stay until the shutdown completes or an epoch bump moves us.
                return shutdown.deadline_ms.saturating_sub(now);
            }
            if deadline.is_some_and(|d| now >= d) {
                self.transition_to_prospective();
                return 0;
            }
        }
        let remaining = deadline.map_or(u64::MAX, |d| d.saturating_sub(now));
        self.maybe_send_fetch_to_any_bootstrap().min(remaining)
    }

    pub(crate) fn poll_resigned(&mut self) -> u64 {
        let now = self.now_ms;
        let EpochState::Resigned(r) = &self.state else {
            return 0;
        };
        let targets = r.unacked_voters.clone();
        let successors = r.preferred_successors.clone();
        let deadline = r.election_deadline_ms;
        let epoch = r.epoch;
        let local = self.local_id();
        let cluster_id = self.config.cluster_id.clone();
        let mut min = u64::MAX;
        for voter in targets {
            let request = EndQuorumEpochRequest {
                cluster_id: cluster_id.clone(),
                leader_id: local,
                leader_epoch: epoch,
                preferred_successors: successors.clone(),
            };
            min = min
                .min(self.maybe_send_request(voter, |_| Message::EndQuorumEpochRequest(request)));
        }
        let state_timeout = if let Some(shutdown) = self.shutdown {
            shutdown.deadline_ms.saturating_sub(now)
        } else if now >= deadline {
            if self.config.quorum.pre_vote {
                // Kafka 4.x: bump the epoch so nobody keeps treating us as its leader,
                // then campaign from Unattached.
                self.transition_to_unattached(epoch + 1, None);
            } else {
                self.transition_to_candidate();
            }
            0
        } else {
            deadline - now
        };
        min.min(state_timeout)
    }

    pub(crate) fn push_action(&mut self, action: Action<T>) {
        self.outbox.push(action);
    }
}
