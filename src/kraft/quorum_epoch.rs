//! BeginQuorumEpoch and EndQuorumEpoch (KIP-595): how a new leader announces itself
//! and how a resigning one hands off.

use super::node::RaftNode;
use super::rpc::{
    leader_id_or_nil, BeginQuorumEpochRequest, EndQuorumEpochRequest, Errors, QuorumEpochResponse,
};
use super::state::EpochState;
use super::types::{NodeId, RaftTypes};

impl<T: RaftTypes> RaftNode<T> {
    fn quorum_epoch_response(
        &self,
        top_level_error: Errors,
        error_code: Errors,
    ) -> QuorumEpochResponse {
        QuorumEpochResponse {
            top_level_error,
            error_code,
            leader_id: leader_id_or_nil(self.leader_id()),
            leader_epoch: self.epoch(),
        }
    }

    pub(crate) fn handle_begin_quorum_epoch_request(
        &mut self,
        request: BeginQuorumEpochRequest,
    ) -> QuorumEpochResponse {
        if !self.config.is_cluster_id(&request.cluster_id) {
            return self.quorum_epoch_response(Errors::InconsistentClusterId, Errors::None);
        }
        if let Some(error) =
            self.validate_voter_only_request(request.leader_id, request.leader_epoch)
        {
            return self.quorum_epoch_response(Errors::None, error);
        }
        self.maybe_transition(Some(request.leader_id), request.leader_epoch);
        self.quorum_epoch_response(Errors::None, Errors::None)
    }

    pub(crate) fn handle_begin_quorum_epoch_response(
        &mut self,
        from: NodeId,
        response: QuorumEpochResponse,
    ) -> bool {
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
        if let EpochState::Leader(leader) = &mut self.state {
            leader.add_acknowledgement_from(from);
        }
        true
    }

    /// A follower of the resigning leader shortens its fetch timer by its rank among
    /// the preferred successors, so the most up-to-date voter stands first.
    pub(crate) fn handle_end_quorum_epoch_request(
        &mut self,
        request: EndQuorumEpochRequest,
    ) -> QuorumEpochResponse {
        if !self.config.is_cluster_id(&request.cluster_id) {
            return self.quorum_epoch_response(Errors::InconsistentClusterId, Errors::None);
        }
        if let Some(error) =
            self.validate_voter_only_request(request.leader_id, request.leader_epoch)
        {
            return self.quorum_epoch_response(Errors::None, error);
        }
        self.maybe_transition(Some(request.leader_id), request.leader_epoch);
        let now = self.now_ms;
        let backoff = self.end_epoch_election_backoff_ms(&request.preferred_successors);
        if let EpochState::Follower(f) = &mut self.state {
            if f.leader_id == request.leader_id {
                f.fetch_deadline_ms = now + backoff;
                f.fetch_timer_ms = backoff;
                f.leader_resigned = true;
            }
        }
        self.quorum_epoch_response(Errors::None, Errors::None)
    }

    /// `strictExponentialElectionBackoffMs`: position p of n gets
    /// `min(max, (max >> (n - 1)) << (p - 1))`; the first gets 0, outsiders the max.
    pub(crate) fn end_epoch_election_backoff_ms(&self, preferred_successors: &[NodeId]) -> u64 {
        let max = self.config.quorum.election_backoff_max_ms;
        let total = preferred_successors.len();
        let position = preferred_successors
            .iter()
            .position(|id| *id == self.local_id())
            .unwrap_or(total);
        if position == 0 && total > 0 {
            0
        } else if position >= total {
            max
        } else {
            let base = max >> (total - 1).min(63);
            max.min(base << (position - 1).min(63))
        }
    }

    pub(crate) fn handle_end_quorum_epoch_response(
        &mut self,
        from: NodeId,
        response: QuorumEpochResponse,
    ) -> bool {
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
        if let EpochState::Resigned(r) = &mut self.state {
            r.unacked_voters.retain(|v| *v != from);
        }
        true
    }
}
