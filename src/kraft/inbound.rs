//! Dispatch of inbound messages and the response handling every RPC shares
//! (`handleInboundMessage`, `maybeHandleCommonResponse`, `maybeTransition`).

use super::node::RaftNode;
use super::rpc::{optional_leader_id, Envelope, Errors, Message};
use super::types::{Epoch, NodeId, RaftTypes};

impl<T: RaftTypes> RaftNode<T> {
    pub(crate) fn handle_inbound(&mut self, envelope: Envelope<T>) {
        let Envelope {
            from,
            correlation_id,
            message,
            ..
        } = envelope;
        if message.is_request() {
            self.handle_request(from, correlation_id, message);
            return;
        }
        // A response nobody waits for any more (stale correlation id, or the connection
        // was reset by a state change) is dropped.
        if !self.requests.is_response_expected(from, correlation_id) {
            return;
        }
        let success = match message {
            Message::VoteResponse(r) => self.handle_vote_response(from, r),
            Message::BeginQuorumEpochResponse(r) => {
                self.handle_begin_quorum_epoch_response(from, r)
            }
            Message::EndQuorumEpochResponse(r) => self.handle_end_quorum_epoch_response(from, r),
            Message::FetchResponse(r) => self.handle_fetch_response(from, r),
            Message::FetchSnapshotResponse(r) => self.handle_fetch_snapshot_response(from, r),
            // Nobody in the cluster sends DescribeQuorum requests; operators call
            // `describe_quorum` locally.
            _ => true,
        };
        let now = self.now_ms;
        self.requests
            .on_response_result(from, correlation_id, success, now);
    }

    fn handle_request(&mut self, from: NodeId, correlation_id: i32, message: Message<T>) {
        let response = match message {
            Message::VoteRequest(r) => Some(Message::VoteResponse(self.handle_vote_request(r))),
            Message::BeginQuorumEpochRequest(r) => Some(Message::BeginQuorumEpochResponse(
                self.handle_begin_quorum_epoch_request(r),
            )),
            Message::EndQuorumEpochRequest(r) => Some(Message::EndQuorumEpochResponse(
                self.handle_end_quorum_epoch_request(r),
            )),
            Message::FetchRequest(r) => self
                .handle_fetch_request(from, correlation_id, r)
                .map(Message::FetchResponse),
            Message::FetchSnapshotRequest(r) => Some(Message::FetchSnapshotResponse(
                self.handle_fetch_snapshot_request(r),
            )),
            Message::DescribeQuorumRequest => {
                Some(Message::DescribeQuorumResponse(self.describe_quorum()))
            }
            _ => None,
        };
        if let Some(response) = response {
            self.send(from, correlation_id, response);
        }
    }

    /// Errors and epochs every response carries. `Some(ok)`: handled here (ok = false
    /// backs the connection off); `None`: the RPC's own handler continues.
    #[inline]
    pub(crate) fn maybe_handle_common_response(
        &mut self,
        error: Errors,
        leader_id_or_nil: i32,
        epoch: Epoch,
    ) -> Option<bool> {
        // Nearly every response (a follower's Fetch answers): no error, our epoch, and a
        // leader we know or none named. Every test below then fails; the handler goes
        // on. Answered inline at the call, the rest is not.
        if error.is_none() && epoch == self.epoch() && (leader_id_or_nil < 0 || self.has_leader()) {
            return None;
        }
        self.handle_common_response(error, leader_id_or_nil, epoch)
    }

    /// [`Self::maybe_handle_common_response`] past its fast path.
    #[inline(never)]
    fn handle_common_response(
        &mut self,
        error: Errors,
        leader_id_or_nil: i32,
        epoch: Epoch,
    ) -> Option<bool> {
        let leader_id = optional_leader_id(leader_id_or_nil);
        if epoch < self.epoch() || error == Errors::UnknownLeaderEpoch {
            // We already moved past the epoch this answer is about.
            Some(true)
        } else if epoch > self.epoch()
            || error == Errors::FencedLeaderEpoch
            || error == Errors::NotLeaderOrFollower
        {
            self.maybe_transition(leader_id, epoch);
            Some(true)
        } else if leader_id.is_some() && !self.has_leader() {
            // Same epoch, and it names the leader we did not know: follow it. With no
            // error the handler goes on (an observer can learn the leader and append
            // records from the same Fetch response).
            self.transition_to_follower(epoch, leader_id.unwrap_or_default());
            if error.is_none() {
                None
            } else {
                Some(true)
            }
        } else if error == Errors::BrokerNotAvailable {
            Some(false)
        } else if error == Errors::InvalidRequest {
            self.fatal("received an unexpected INVALID_REQUEST error".to_string());
            Some(false)
        } else {
            None
        }
    }

    /// A request or response names a leader and epoch: move to it if it is news.
    pub(crate) fn maybe_transition(&mut self, leader_id: Option<NodeId>, epoch: Epoch) {
        if !self.has_consistent_leader(epoch, leader_id) {
            let ours = self.leader_id();
            let current = self.epoch();
            self.fatal(format!(
                "received leader {leader_id:?} for epoch {epoch}, inconsistent with leader {ours:?} in epoch {current}"
            ));
        } else if epoch > self.epoch() {
            match leader_id {
                Some(leader) => self.transition_to_follower(epoch, leader),
                None => self.transition_to_unattached(epoch, None),
            }
        } else if let Some(leader) = leader_id {
            if !self.has_leader() {
                self.transition_to_follower(epoch, leader);
            }
        }
    }

    /// Two leaders in one epoch would break Raft's election safety: a message claiming
    /// one must agree with what we know.
    fn has_consistent_leader(&self, epoch: Epoch, leader_id: Option<NodeId>) -> bool {
        if leader_id == Some(self.local_id()) {
            return self.is_leader()
                || (epoch == self.epoch()
                    && matches!(self.state, super::state::EpochState::Resigned(_)));
        }
        epoch != self.epoch()
            || leader_id.is_none()
            || self.leader_id().is_none()
            || leader_id == self.leader_id()
    }

    /// `handleTopLevelError`: BROKER_NOT_AVAILABLE and anything unexpected back off.
    pub(crate) fn handle_top_level_error(&mut self, _error: Errors) -> bool {
        false
    }

    /// `validateVoterOnlyRequest` for Vote, BeginQuorumEpoch and EndQuorumEpoch.
    pub(crate) fn validate_voter_only_request(
        &self,
        remote: NodeId,
        epoch: Epoch,
    ) -> Option<Errors> {
        if epoch < self.epoch() {
            Some(Errors::FencedLeaderEpoch)
        } else if remote < 0 {
            Some(Errors::InvalidRequest)
        } else {
            None
        }
    }

    /// `validateLeaderOnlyRequest` for Fetch, FetchSnapshot and DescribeQuorum.
    pub(crate) fn validate_leader_only_request(&self, epoch: Epoch) -> Option<Errors> {
        if epoch < self.epoch() {
            Some(Errors::FencedLeaderEpoch)
        } else if epoch > self.epoch() {
            Some(Errors::UnknownLeaderEpoch)
        } else if !self.is_leader() {
            Some(Errors::NotLeaderOrFollower)
        } else if self.shutdown.is_some() {
            Some(Errors::BrokerNotAvailable)
        } else {
            None
        }
    }
}
