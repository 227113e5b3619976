//! State transitions (`QuorumState`): each checks its preconditions, writes the
//! quorum-state first when the transition is durable, then swaps the state and does
//! what `KafkaRaftClient.onBecome*` does on entry.

use super::leader::{LeaderState, ParkedFetch};
use super::log::{Batch, BatchRecords, ControlRecord, LeaderChangeMessage};
use super::node::{Action, RaftNode};
use super::rpc::Errors;
use super::state::{
    CandidateState, EpochElection, EpochState, FollowerState, ProspectiveState, ResignedState,
    StateKind, UnattachedState,
};
use super::types::{Epoch, NodeId, RaftTypes};
use std::sync::Arc;

impl<T: RaftTypes> RaftNode<T> {
    /// `QuorumState.initialize`, then what `KafkaRaftClient.initialize` does after it.
    pub(crate) fn initialize(&mut self) {
        let election = self.quorum_store;
        let local = self.local_id();
        let log_epoch = self.log.last_fetched_epoch();
        let timeout = self.random_election_timeout_ms();
        let now = self.now_ms;
        let is_voter = self.is_voter();
        let election_deadline = is_voter.then_some(now + timeout);
        let initial = if election.leader_epoch < log_epoch {
            // The log has seen a later epoch than the quorum-state file: start there.
            EpochState::Unattached(UnattachedState {
                epoch: log_epoch,
                leader_id: None,
                voted_key: None,
                election_deadline_ms: election_deadline,
                election_timeout_ms: timeout,
                high_watermark: None,
            })
        } else if election.leader_id == Some(local) && is_voter {
            // An ex-leader comes back Resigned in its own epoch: it must not vote for
            // anyone else there, and (offset, epoch) must stay unique even though its
            // unflushed records are gone.
            EpochState::Resigned(ResignedState {
                epoch: election.leader_epoch,
                election_deadline_ms: now + timeout,
                election_timeout_ms: timeout,
                unacked_voters: Vec::new(),
                preferred_successors: Vec::new(),
            })
        } else if election.voted_id == Some(local) && is_voter {
            let mut votes = EpochElection::new(&self.config.voters);
            votes.record_vote(local, true);
            EpochState::Candidate(CandidateState {
                epoch: election.leader_epoch,
                election: votes,
                election_deadline_ms: now + timeout,
                election_timeout_ms: timeout,
                high_watermark: None,
                retries: 1,
                backoff_until_ms: None,
            })
        } else if let Some(leader) = election.leader_id.filter(|l| *l != local) {
            let fetch_timeout = self.config.quorum.fetch_timeout_ms;
            EpochState::Follower(FollowerState {
                epoch: election.leader_epoch,
                leader_id: leader,
                voted_key: election.voted_id,
                fetch_deadline_ms: now + fetch_timeout,
                fetch_timer_ms: fetch_timeout,
                has_fetched_from_leader: false,
                leader_resigned: false,
                high_watermark: None,
                fetching_snapshot: None,
            })
        } else {
            EpochState::Unattached(UnattachedState {
                epoch: election.leader_epoch,
                leader_id: None,
                voted_key: election.voted_id,
                election_deadline_ms: election_deadline,
                election_timeout_ms: timeout,
                high_watermark: None,
            })
        };
        let from = self.state.kind();
        self.swap_state(from, initial, true);
        if matches!(self.state, EpochState::Candidate(_)) {
            self.on_become_candidate();
        }
        // A single voter elects itself at once.
        if self.is_only_voter() && !self.is_leader() {
            match self.state.kind() {
                StateKind::Candidate => {}
                StateKind::Prospective => self.transition_to_candidate(),
                _ => self.transition_to_prospective(),
            }
        }
    }

    /// Replace the state. Durable transitions write the quorum-state first. Leaving the
    /// leader state answers every parked fetch with NOT_LEADER_OR_FOLLOWER so fetchers
    /// move on at once (Kafka completes its fetch purgatory exceptionally).
    fn swap_state(&mut self, from: StateKind, new: EpochState<T>, durable: bool) {
        if durable {
            let election = new.election(self.local_id());
            if election != self.quorum_store {
                self.quorum_store = election;
                self.outbox.push(Action::PersistQuorumState(election));
            }
        }
        let old = std::mem::replace(&mut self.state, new);
        self.listener.leader_change_settled = false;
        self.outbox.push(Action::StateChanged {
            from,
            to: self.state.kind(),
            epoch: self.state.epoch(),
            leader_id: self.leader_id(),
        });
        if let EpochState::Leader(leader) = old {
            let parked: Vec<ParkedFetch> = leader.parked_fetches;
            for p in parked {
                let response = self.build_empty_fetch_response(Errors::NotLeaderOrFollower, None);
                self.send(
                    p.from,
                    p.correlation_id,
                    super::rpc::Message::FetchResponse(response),
                );
            }
        }
    }

    fn reset_connections(&mut self) {
        self.requests.reset_all();
    }

    /// To Unattached: at a higher epoch (any state), or at the same epoch from a
    /// Prospective that lost its pre-vote (keeping its vote so it cannot vote twice).
    pub(crate) fn transition_to_unattached(&mut self, epoch: Epoch, leader_id: Option<NodeId>) {
        let current = self.epoch();
        let from = self.state.kind();
        if epoch < current || (epoch == current && from != StateKind::Prospective) {
            self.fatal(format!(
                "cannot transition to Unattached with epoch {epoch} from {from} in epoch {current}"
            ));
            return;
        }
        let now = self.now_ms;
        let election_timeout_ms = match &self.state {
            _ if !self.is_voter() => None,
            EpochState::Candidate(s) => Some(s.election_deadline_ms.saturating_sub(now)),
            EpochState::Unattached(s) => s.election_deadline_ms.map(|d| d.saturating_sub(now)),
            EpochState::Prospective(s) if !s.election.is_vote_rejected() => {
                Some(s.election_deadline_ms.saturating_sub(now))
            }
            EpochState::Resigned(s) => Some(s.election_deadline_ms.saturating_sub(now)),
            _ => Some(self.random_election_timeout_ms()),
        };
        let voted_key = if epoch == current {
            self.state.voted_key()
        } else {
            None
        };
        let high_watermark = self.state.high_watermark();
        let new = EpochState::Unattached(UnattachedState {
            epoch,
            leader_id,
            voted_key,
            election_deadline_ms: election_timeout_ms.map(|t| now + t),
            election_timeout_ms: election_timeout_ms.unwrap_or(0),
            high_watermark,
        });
        self.swap_state(from, new, true);
        self.reset_connections();
    }

    /// Grant a binding vote while Unattached (Kafka 3.9: become Voted) or Prospective in
    /// the same epoch. The election timer restarts: the candidate has at least as good
    /// a chance as we do.
    pub(crate) fn add_voted_state(&mut self, epoch: Epoch, candidate: NodeId) {
        let from = self.state.kind();
        if candidate == self.local_id() || epoch != self.epoch() || self.state.voted_key().is_some()
        {
            self.fatal(format!(
                "cannot add voted key {candidate} to {from} in epoch {epoch}"
            ));
            return;
        }
        let timeout = self.random_election_timeout_ms();
        let now = self.now_ms;
        let new = match &self.state {
            EpochState::Unattached(s) => EpochState::Unattached(UnattachedState {
                voted_key: Some(candidate),
                election_deadline_ms: Some(now + timeout),
                election_timeout_ms: timeout,
                ..s.clone()
            }),
            EpochState::Prospective(s) => EpochState::Prospective(ProspectiveState {
                voted_key: Some(candidate),
                election_deadline_ms: now + timeout,
                election_timeout_ms: timeout,
                ..s.clone()
            }),
            _ => {
                self.fatal(format!("cannot add voted key {candidate} to {from}"));
                return;
            }
        };
        self.swap_state(from, new, true);
    }

    /// Become a follower of `leader_id` in `epoch` and start fetching.
    pub(crate) fn transition_to_follower(&mut self, epoch: Epoch, leader_id: NodeId) {
        let current = self.epoch();
        let from = self.state.kind();
        if leader_id == self.local_id() {
            self.fatal(format!(
                "cannot follow itself (leader {leader_id}) in epoch {epoch}"
            ));
            return;
        }
        if !self.config.voters.contains(&leader_id) {
            self.fatal(format!(
                "leader {leader_id} of epoch {epoch} is not a voter"
            ));
            return;
        }
        if epoch < current
            || (epoch == current && matches!(from, StateKind::Follower | StateKind::Leader))
        {
            self.fatal(format!("cannot transition to Follower of {leader_id} in epoch {epoch} from {from} in epoch {current}"));
            return;
        }
        let voted_key = if epoch == current {
            self.state.voted_key()
        } else {
            None
        };
        let fetch_timeout = self.config.quorum.fetch_timeout_ms;
        let new = EpochState::Follower(FollowerState {
            epoch,
            leader_id,
            voted_key,
            fetch_deadline_ms: self.now_ms + fetch_timeout,
            fetch_timer_ms: fetch_timeout,
            has_fetched_from_leader: false,
            leader_resigned: false,
            high_watermark: self.state.high_watermark(),
            fetching_snapshot: None,
        });
        self.swap_state(from, new, true);
        self.reset_connections();
    }

    /// Fetch or election timeout, or a lost election: ask for pre-votes at the current
    /// epoch (memory only). With pre-vote off (Kafka 3.9) go straight to Candidate.
    pub(crate) fn transition_to_prospective(&mut self) {
        if !self.config.quorum.pre_vote {
            self.transition_to_candidate();
            return;
        }
        let from = self.state.kind();
        if !self.is_voter() || matches!(from, StateKind::Leader | StateKind::Prospective) {
            self.fatal(format!("cannot transition to Prospective from {from}"));
            return;
        }
        let retries = match &self.state {
            EpochState::Candidate(c) => c.retries + 1,
            _ => 1,
        };
        let timeout = self.random_election_timeout_ms();
        let local = self.local_id();
        let mut election = EpochElection::new(&self.config.voters);
        election.record_vote(local, true);
        let new = EpochState::Prospective(ProspectiveState {
            epoch: self.epoch(),
            leader_id: self.leader_id().filter(|l| *l != local),
            voted_key: self.state.voted_key(),
            election,
            election_deadline_ms: self.now_ms + timeout,
            election_timeout_ms: timeout,
            high_watermark: self.state.high_watermark(),
            retries,
        });
        self.swap_state(from, new, false);
        self.reset_connections();
        self.maybe_transition_forward();
    }

    /// A majority of pre-votes (or Kafka 3.9's timeout): vote for itself at epoch + 1.
    pub(crate) fn transition_to_candidate(&mut self) {
        let from = self.state.kind();
        let pre_vote = self.config.quorum.pre_vote;
        let allowed = if pre_vote {
            from == StateKind::Prospective
        } else {
            from != StateKind::Leader
        };
        if !self.is_voter() || !allowed {
            self.fatal(format!("cannot transition to Candidate from {from}"));
            return;
        }
        let retries = match &self.state {
            EpochState::Prospective(p) => p.retries,
            EpochState::Candidate(c) => c.retries + 1,
            _ => 1,
        };
        let timeout = self.random_election_timeout_ms();
        let local = self.local_id();
        let mut election = EpochElection::new(&self.config.voters);
        election.record_vote(local, true);
        let new = EpochState::Candidate(CandidateState {
            epoch: self.epoch() + 1,
            election,
            election_deadline_ms: self.now_ms + timeout,
            election_timeout_ms: timeout,
            high_watermark: self.state.high_watermark(),
            retries,
            backoff_until_ms: None,
        });
        self.swap_state(from, new, true);
        self.on_become_candidate();
    }

    pub(crate) fn on_become_candidate(&mut self) {
        self.reset_connections();
        self.maybe_transition_forward();
    }

    /// `maybeTransitionForward`: Prospective → Candidate or Candidate → Leader once a
    /// majority granted.
    pub(crate) fn maybe_transition_forward(&mut self) {
        match &self.state {
            EpochState::Prospective(p) if p.election.is_vote_granted() => {
                self.transition_to_candidate()
            }
            EpochState::Candidate(c) if c.election.is_vote_granted() => self.transition_to_leader(),
            _ => {}
        }
    }

    /// `onBecomeLeader`: the new leader drops the high watermark it knew (so the HW stays
    /// monotonic across leaders), writes a LeaderChangeMessage at the epoch start
    /// offset at once, and starts announcing itself with BeginQuorumEpoch.
    fn transition_to_leader(&mut self) {
        let from = self.state.kind();
        let EpochState::Candidate(candidate) = &self.state else {
            self.fatal(format!("cannot transition to Leader from {from}"));
            return;
        };
        if !candidate.election.is_vote_granted() {
            self.fatal("cannot become leader without a majority of votes".to_string());
            return;
        }
        let granting = candidate.election.granting_voters();
        let epoch = candidate.epoch;
        let epoch_start_offset = self.log.end_offset();
        let leader = LeaderState::new(
            self.local_id(),
            epoch,
            epoch_start_offset,
            &self.config.voters,
            granting.clone(),
            self.now_ms,
            self.config.quorum.check_quorum_timeout_ms(),
        );
        self.swap_state(from, EpochState::Leader(Box::new(leader)), true);

        let message = LeaderChangeMessage {
            version: 0,
            leader_id: self.local_id(),
            voters: self.config.voters.to_vec(),
            granting_voters: granting,
        };
        let batch = Batch {
            base_offset: epoch_start_offset,
            epoch,
            append_time_ms: self.now_ms,
            records: BatchRecords::Control(vec![ControlRecord::LeaderChange(message)]),
        };
        self.append_as_leader(Arc::new(batch));
        self.reset_connections();
    }

    /// Leader → Resigned (graceful shutdown, resign request or failed check-quorum):
    /// memory only, since a restarted leader comes back Resigned anyway.
    pub(crate) fn transition_to_resigned(&mut self, preferred_successors: Vec<NodeId>) {
        let from = self.state.kind();
        if from != StateKind::Leader {
            self.fatal(format!("cannot transition to Resigned from {from}"));
            return;
        }
        let timeout = self.random_election_timeout_ms();
        let local = self.local_id();
        let unacked_voters = self
            .config
            .voters
            .iter()
            .copied()
            .filter(|v| *v != local)
            .collect();
        let new = EpochState::Resigned(ResignedState {
            epoch: self.epoch(),
            election_deadline_ms: self.now_ms + timeout,
            election_timeout_ms: timeout,
            unacked_voters,
            preferred_successors,
        });
        self.swap_state(from, new, false);
        self.reset_connections();
    }
}
