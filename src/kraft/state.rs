//! The per-state data of `QuorumState` (Kafka's `UnattachedState`, `ProspectiveState`,
//! `CandidateState`, `FollowerState`, `ResignedState`; `LeaderState` lives in
//! [`super::leader`]) and the persisted `quorum-state`.

use super::leader::LeaderState;
use super::types::{Epoch, NodeId, Offset, OffsetAndEpoch, TimeMs};
use crate::ordered::ordered;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The persisted `quorum-state` file (`QuorumStateData`): written before any durable
/// transition takes effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElectionState {
    pub leader_epoch: Epoch,
    pub leader_id: Option<NodeId>,
    pub voted_id: Option<NodeId>,
}

/// The state names, for the trace and the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StateKind {
    Unattached,
    Prospective,
    Candidate,
    Leader,
    Follower,
    Resigned,
}

impl StateKind {
    pub fn name(self) -> &'static str {
        match self {
            StateKind::Unattached => "Unattached",
            StateKind::Prospective => "Prospective",
            StateKind::Candidate => "Candidate",
            StateKind::Leader => "Leader",
            StateKind::Follower => "Follower",
            StateKind::Resigned => "Resigned",
        }
    }
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one voter answered this election.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteState {
    Unrecorded,
    Granted,
    Rejected,
}

/// Kafka's `EpochElection`: the tally of one (pre-)election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochElection {
    votes: BTreeMap<NodeId, VoteState>,
}

impl EpochElection {
    pub fn new(voters: &[NodeId]) -> Self {
        Self {
            votes: ordered(voters.iter().map(|&v| (v, VoteState::Unrecorded))),
        }
    }

    /// Record an answer; returns whether it changed the tally.
    pub fn record_vote(&mut self, voter: NodeId, granted: bool) -> bool {
        match self.votes.get_mut(&voter) {
            Some(state) => {
                let new = if granted {
                    VoteState::Granted
                } else {
                    VoteState::Rejected
                };
                let changed = *state != new;
                *state = new;
                changed
            }
            None => false,
        }
    }

    pub fn majority_size(&self) -> usize {
        self.votes.len() / 2 + 1
    }

    pub fn granted_count(&self) -> usize {
        self.votes
            .values()
            .filter(|v| **v == VoteState::Granted)
            .count()
    }

    pub fn rejected_count(&self) -> usize {
        self.votes
            .values()
            .filter(|v| **v == VoteState::Rejected)
            .count()
    }

    pub fn is_vote_granted(&self) -> bool {
        self.granted_count() >= self.majority_size()
    }

    /// A majority can no longer be reached.
    pub fn is_vote_rejected(&self) -> bool {
        self.votes.len() - self.rejected_count() < self.majority_size()
    }

    pub fn unrecorded_voters(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.votes
            .iter()
            .filter(|(_, v)| **v == VoteState::Unrecorded)
            .map(|(id, _)| *id)
    }

    pub fn granting_voters(&self) -> Vec<NodeId> {
        self.votes
            .iter()
            .filter(|(_, v)| **v == VoteState::Granted)
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn votes(&self) -> &BTreeMap<NodeId, VoteState> {
        &self.votes
    }
}

/// Unattached: knows an epoch but no leader (possibly with a binding vote cast).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnattachedState {
    pub epoch: Epoch,
    pub leader_id: Option<NodeId>,
    pub voted_key: Option<NodeId>,
    /// `None` for observers: they never start elections.
    pub election_deadline_ms: Option<TimeMs>,
    pub election_timeout_ms: u64,
    pub high_watermark: Option<Offset>,
}

/// Prospective (KIP-996): collecting non-binding pre-votes at the current epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProspectiveState {
    pub epoch: Epoch,
    /// The leader it followed before timing out, if any: a lost pre-vote returns to it.
    pub leader_id: Option<NodeId>,
    pub voted_key: Option<NodeId>,
    pub election: EpochElection,
    pub election_deadline_ms: TimeMs,
    pub election_timeout_ms: u64,
    pub high_watermark: Option<Offset>,
    pub retries: u32,
}

/// Candidate: voted for itself at epoch + 1, collecting binding votes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateState {
    pub epoch: Epoch,
    pub election: EpochElection,
    pub election_deadline_ms: TimeMs,
    pub election_timeout_ms: u64,
    pub high_watermark: Option<Offset>,
    pub retries: u32,
    /// Kafka 3.9 only: after losing, wait this long before the next candidacy.
    pub backoff_until_ms: Option<TimeMs>,
}

/// A snapshot being downloaded with FetchSnapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchingSnapshot {
    pub snapshot_id: OffsetAndEpoch,
    /// Bytes received so far: the next request's `position`.
    pub position: u64,
}

/// Follower: knows the leader of its epoch and fetches from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowerState {
    pub epoch: Epoch,
    pub leader_id: NodeId,
    pub voted_key: Option<NodeId>,
    pub fetch_deadline_ms: TimeMs,
    /// Length of the running fetch timer (the fetch timeout, or the EndQuorumEpoch
    /// backoff that overrode it): lets a view draw how much of it is left.
    pub fetch_timer_ms: u64,
    /// Set by the first successful Fetch this epoch: from then on the follower refuses
    /// pre-votes, which stops Follower ↔ Prospective ping-pong.
    pub has_fetched_from_leader: bool,
    /// Set when the leader's EndQuorumEpoch arrived (KAFKA-20895 fix switch reads it).
    pub leader_resigned: bool,
    pub high_watermark: Option<Offset>,
    pub fetching_snapshot: Option<FetchingSnapshot>,
}

/// Resigned: an ex-leader that fenced itself; it sends EndQuorumEpoch and never votes
/// for anyone else in its epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResignedState {
    pub epoch: Epoch,
    pub election_deadline_ms: TimeMs,
    pub election_timeout_ms: u64,
    pub unacked_voters: Vec<NodeId>,
    pub preferred_successors: Vec<NodeId>,
}

/// One node's position in the protocol.
///
/// `repr(u8)`: a plain tag byte. Without it the compiler hides the tag in a spare bit
/// pattern of a leader field, and every `epoch()`, `high_watermark()` or `kind()` (a
/// dozen per step) decodes it with several instructions instead of one load.
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum EpochState<T: super::types::RaftTypes> {
    Unattached(UnattachedState),
    Prospective(ProspectiveState),
    Candidate(CandidateState),
    Leader(Box<LeaderState<T>>),
    Follower(FollowerState),
    Resigned(ResignedState),
}

impl<T: super::types::RaftTypes> EpochState<T> {
    pub fn kind(&self) -> StateKind {
        match self {
            EpochState::Unattached(_) => StateKind::Unattached,
            EpochState::Prospective(_) => StateKind::Prospective,
            EpochState::Candidate(_) => StateKind::Candidate,
            EpochState::Leader(_) => StateKind::Leader,
            EpochState::Follower(_) => StateKind::Follower,
            EpochState::Resigned(_) => StateKind::Resigned,
        }
    }

    pub fn epoch(&self) -> Epoch {
        match self {
            EpochState::Unattached(s) => s.epoch,
            EpochState::Prospective(s) => s.epoch,
            EpochState::Candidate(s) => s.epoch,
            EpochState::Leader(s) => s.epoch,
            EpochState::Follower(s) => s.epoch,
            EpochState::Resigned(s) => s.epoch,
        }
    }

    /// The quorum-state this state persists (`EpochState.election()`).
    pub fn election(&self, local_id: NodeId) -> ElectionState {
        let (leader_id, voted_id) = match self {
            EpochState::Unattached(s) => (s.leader_id, s.voted_key),
            EpochState::Prospective(s) => (s.leader_id, s.voted_key),
            EpochState::Candidate(_) => (None, Some(local_id)),
            EpochState::Leader(_) => (Some(local_id), None),
            EpochState::Follower(s) => (Some(s.leader_id), s.voted_key),
            EpochState::Resigned(_) => (Some(local_id), None),
        };
        ElectionState {
            leader_epoch: self.epoch(),
            leader_id,
            voted_id,
        }
    }

    pub fn leader_id(&self, local_id: NodeId) -> Option<NodeId> {
        self.election(local_id).leader_id
    }

    pub fn voted_key(&self) -> Option<NodeId> {
        match self {
            EpochState::Unattached(s) => s.voted_key,
            EpochState::Prospective(s) => s.voted_key,
            EpochState::Follower(s) => s.voted_key,
            _ => None,
        }
    }

    /// The high watermark this state knows (the leader's starts empty each epoch).
    pub fn high_watermark(&self) -> Option<Offset> {
        match self {
            EpochState::Unattached(s) => s.high_watermark,
            EpochState::Prospective(s) => s.high_watermark,
            EpochState::Candidate(s) => s.high_watermark,
            EpochState::Leader(s) => s.high_watermark,
            EpochState::Follower(s) => s.high_watermark,
            EpochState::Resigned(_) => None,
        }
    }

    /// `EpochState.canGrantVote` for each state (Kafka 4.x rules; 3.9 never sees
    /// pre-votes). `log_up_to_date`: the requester's (last epoch, end offset) ≥ ours.
    pub fn can_grant_vote(
        &self,
        candidate: NodeId,
        log_up_to_date: bool,
        pre_vote: bool,
        grant_after_resign: bool,
    ) -> bool {
        match self {
            EpochState::Unattached(UnattachedState {
                leader_id,
                voted_key,
                ..
            })
            | EpochState::Prospective(ProspectiveState {
                leader_id,
                voted_key,
                ..
            }) => {
                if pre_vote {
                    log_up_to_date
                } else if let Some(voted) = voted_key {
                    // A repeat request from the candidate we voted for is granted again.
                    *voted == candidate
                } else if leader_id.is_some() {
                    false
                } else {
                    log_up_to_date
                }
            }
            EpochState::Candidate(_) => pre_vote && log_up_to_date,
            EpochState::Follower(f) => {
                pre_vote
                    && log_up_to_date
                    && (!f.has_fetched_from_leader || (grant_after_resign && f.leader_resigned))
            }
            EpochState::Resigned(_) => pre_vote && log_up_to_date,
            EpochState::Leader(_) => false,
        }
    }
}
