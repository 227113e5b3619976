//! Vote (KIP-595 §Vote, KIP-996 pre-vote): `handleVoteRequest` / `handleVoteResponse`.

use super::node::RaftNode;
use super::rpc::{leader_id_or_nil, Errors, VoteRequest, VoteResponse};
use super::state::EpochState;
use super::types::{OffsetAndEpoch, RaftTypes};

impl<T: RaftTypes> RaftNode<T> {
    fn vote_response(
        &self,
        top_level_error: Errors,
        error_code: Errors,
        vote_granted: bool,
    ) -> VoteResponse {
        VoteResponse {
            top_level_error,
            error_code,
            leader_id: leader_id_or_nil(self.leader_id()),
            leader_epoch: self.epoch(),
            vote_granted,
        }
    }

    /// Grant rules:
    /// - a real vote at epoch + 1 must carry a last epoch below it, a pre-vote one not
    ///   above its (current) epoch, else INVALID_REQUEST;
    /// - a lower epoch is FENCED_LEADER_EPOCH; a higher one moves us to Unattached there
    ///   first (pre-votes included);
    /// - every grant needs the requester's (last epoch, end offset) ≥ ours;
    /// - real votes: one per epoch (repeats to the same candidate granted), none once a
    ///   leader is known; pre-votes: Unattached, Prospective, Candidate and Resigned
    ///   grant on the log check, a Follower only before its first successful fetch this
    ///   epoch (or, with the KAFKA-20895 fix, after its leader resigned), a Leader never.
    pub(crate) fn handle_vote_request(&mut self, request: VoteRequest) -> VoteResponse {
        if !self.config.is_cluster_id(&request.cluster_id) {
            return self.vote_response(Errors::InconsistentClusterId, Errors::None, false);
        }
        let illegal_epoch = if request.pre_vote {
            request.last_offset_epoch > request.replica_epoch
        } else {
            request.last_offset_epoch >= request.replica_epoch
        };
        if request.last_offset < 0 || request.last_offset_epoch < 0 || illegal_epoch {
            return self.vote_response(Errors::None, Errors::InvalidRequest, false);
        }
        if let Some(error) =
            self.validate_voter_only_request(request.replica_id, request.replica_epoch)
        {
            return self.vote_response(Errors::None, error, false);
        }
        if request.replica_epoch > self.epoch() {
            self.transition_to_unattached(request.replica_epoch, None);
        }
        let theirs = OffsetAndEpoch::new(request.last_offset, request.last_offset_epoch);
        let log_up_to_date = theirs >= self.log.end_offset_and_epoch()
            || self.config.quorum.test_only_vote_without_log_check;
        let granted = self.state.can_grant_vote(
            request.replica_id,
            log_up_to_date,
            request.pre_vote,
            self.config.quorum.grant_pre_vote_after_resign,
        );
        if granted && !request.pre_vote {
            let not_voted = match &self.state {
                EpochState::Unattached(u) => u.voted_key.is_none(),
                EpochState::Prospective(p) => p.voted_key.is_none(),
                _ => false,
            };
            if not_voted {
                self.add_voted_state(request.replica_epoch, request.replica_id);
            }
        }
        self.vote_response(Errors::None, Errors::None, granted)
    }

    pub(crate) fn handle_vote_response(&mut self, from: i32, response: VoteResponse) -> bool {
        if !response.top_level_error.is_none() {
            return self.handle_top_level_error(response.top_level_error);
        }
        if let Some(handled) = self.maybe_handle_common_response(
            response.error_code,
            response.leader_id,
            response.leader_epoch,
        ) {
            return handled;
        }
        if !response.error_code.is_none() {
            return false;
        }
        match &mut self.state {
            EpochState::Prospective(p) => {
                p.election.record_vote(from, response.vote_granted);
            }
            EpochState::Candidate(c) => {
                c.election.record_vote(from, response.vote_granted);
            }
            // Already leader, or no longer campaigning: nothing to count.
            _ => return true,
        }
        if response.vote_granted {
            self.maybe_transition_forward();
        }
        true
    }
}
