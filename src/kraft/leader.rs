//! `LeaderState`: what the leader of an epoch tracks — every replica's fetch position,
//! the high watermark, check-quorum, BeginQuorumEpoch acknowledgements, the append
//! accumulator and the fetch purgatory.
//!
//! High-watermark rule (`LeaderState.maybeUpdateHighWatermark`, KIP-595 §Fetch):
//! sort voters by end offset, highest first; the candidate HW is the value at index
//! `n / 2` (the leader counts); it is taken only if it is greater than the epoch start
//! offset (a leader must commit a record of its own epoch first) and never moves back.
//! Observers never count.

use super::rpc::{FetchRequest, ReplicaDescription};
use super::types::{Epoch, NodeId, Offset, RaftTypes, TimeMs};

/// `LeaderState.OBSERVER_SESSION_TIMEOUT_MS`: observers silent this long are forgotten.
pub const OBSERVER_SESSION_TIMEOUT_MS: u64 = 300_000;

/// What the leader knows about one replica (`LeaderState.ReplicaState`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaState {
    pub node_id: NodeId,
    /// The replica's fetch offset: its log end offset as far as the leader knows.
    pub end_offset: Option<Offset>,
    pub last_fetch_timestamp_ms: Option<TimeMs>,
    pub last_fetch_leader_log_end_offset: Option<Offset>,
    pub last_caught_up_timestamp_ms: Option<TimeMs>,
    /// Answered BeginQuorumEpoch or fetched in this epoch.
    pub has_acknowledged_leader: bool,
}

impl ReplicaState {
    fn new(node_id: NodeId, has_acknowledged_leader: bool) -> Self {
        Self {
            node_id,
            end_offset: None,
            last_fetch_timestamp_ms: None,
            last_fetch_leader_log_end_offset: None,
            last_caught_up_timestamp_ms: None,
            has_acknowledged_leader,
        }
    }

    /// `updateFollowerState`: a replica is caught up at a fetch when it has reached the
    /// leader's end offset, or at its previous fetch if it has reached what the leader
    /// had then.
    fn update_follower_state(
        &mut self,
        now_ms: TimeMs,
        fetch_offset: Offset,
        leader_end_offset: Option<Offset>,
    ) {
        if let Some(leader_end) = leader_end_offset {
            if fetch_offset >= leader_end {
                self.last_caught_up_timestamp_ms = Some(
                    self.last_caught_up_timestamp_ms
                        .map_or(now_ms, |t| t.max(now_ms)),
                );
            } else if let (Some(prev_leader_end), Some(prev_fetch)) = (
                self.last_fetch_leader_log_end_offset,
                self.last_fetch_timestamp_ms,
            ) {
                if fetch_offset >= prev_leader_end {
                    self.last_caught_up_timestamp_ms = Some(
                        self.last_caught_up_timestamp_ms
                            .map_or(prev_fetch, |t| t.max(prev_fetch)),
                    );
                }
            }
            self.last_fetch_leader_log_end_offset = Some(leader_end);
        }
        self.end_offset = Some(fetch_offset);
        self.last_fetch_timestamp_ms = Some(now_ms);
        self.has_acknowledged_leader = true;
    }

    pub fn describe(&self) -> ReplicaDescription {
        ReplicaDescription {
            replica_id: self.node_id,
            log_end_offset: self.end_offset.unwrap_or(-1),
            last_fetch_timestamp: self.last_fetch_timestamp_ms.map_or(-1, |t| t as i64),
            last_caught_up_timestamp: self.last_caught_up_timestamp_ms.map_or(-1, |t| t as i64),
        }
    }
}

/// A fetch parked in the purgatory: answered when the log grows past `fetch_offset`
/// or, at `expires_at_ms`, with the empty response built when it arrived.
///
/// Only a valid, error-free fetch with nothing to read is parked, and the purgatory is
/// emptied whenever the leader leaves its epoch, so that response differs from a fresh
/// empty one only in the high watermark and log start offset of the moment it arrived:
/// those two are kept, not the whole response (a parked fetch is moved in and out of
/// the purgatory once per appended batch, for every fetcher).
#[derive(Clone, Debug)]
pub struct ParkedFetch {
    pub from: NodeId,
    pub correlation_id: i32,
    pub request: FetchRequest,
    pub expires_at_ms: TimeMs,
    /// `HighWatermark` of the original response (`-1`: unknown).
    pub original_high_watermark: Offset,
    /// `LogStartOffset` of the original response.
    pub original_log_start_offset: Offset,
}

/// Where [`LeaderState::update_replica_state`] last found a replica's state: a hint,
/// checked against the entry's node id before use (an observer insertion shifts the
/// observers after it; a stale hint just falls back to the search).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ReplicaSlot {
    #[default]
    Unknown,
    Voter(u32),
    Observer(u32),
}

/// Node ids below this get a [`ReplicaSlot`] hint (the table is indexed by id; larger
/// ids are searched every time).
const HINTED_IDS: usize = 1024;

/// Records waiting in the `BatchAccumulator` for `controller.quorum.append.linger.ms`.
#[derive(Clone, Debug)]
pub struct Accumulator<T: RaftTypes> {
    pub records: Vec<T::Record>,
    pub drain_at_ms: TimeMs,
}

#[derive(Clone, Debug)]
pub struct LeaderState<T: RaftTypes> {
    pub local_id: NodeId,
    pub epoch: Epoch,
    /// Log end offset when this node became leader: its LeaderChangeMessage goes here.
    pub epoch_start_offset: Offset,
    pub high_watermark: Option<Offset>,
    /// One entry per voter, in node-id order. A handful of voters: a sorted vector
    /// scanned linearly beats a map on the per-fetch path.
    pub voter_states: Vec<ReplicaState>,
    /// Index of the leader's own entry in `voter_states` (`None` if it is not a voter).
    local_slot: Option<usize>,
    /// Observers that fetched this epoch, in node-id order (found by binary search on
    /// every observer fetch: cheaper than a B-tree for the tens a cluster has).
    pub observer_states: Vec<ReplicaState>,
    pub granting_voters: Vec<NodeId>,
    /// Voters that fetched in the current check-quorum period (a set, at most one
    /// entry per voter).
    pub fetched_voters: Vec<NodeId>,
    pub check_quorum_deadline_ms: TimeMs,
    pub begin_quorum_epoch_deadline_ms: TimeMs,
    pub resign_requested: bool,
    pub accumulator: Option<Accumulator<T>>,
    /// The fetch purgatory, in parking order. Change it only through
    /// [`Self::park_fetch`] and [`Self::set_parked_fetches`], which keep
    /// `earliest_parked_expiry_ms` right.
    pub(crate) parked_fetches: Vec<ParkedFetch>,
    /// The smallest `expires_at_ms` in `parked_fetches` (`u64::MAX` when empty): the
    /// leader polls on every step, and mostly nothing has expired; this answers that
    /// without a walk over every parked fetch.
    earliest_parked_expiry_ms: TimeMs,
    /// By node id: where the replica's state was last found. Every fetch looks its
    /// replica up; with a handful of voters and tens of observers, the voter scan and
    /// the observer search cost more than the rest of the update.
    replica_slots: Vec<ReplicaSlot>,
}

impl<T: RaftTypes> LeaderState<T> {
    pub fn new(
        local_id: NodeId,
        epoch: Epoch,
        epoch_start_offset: Offset,
        voters: &[NodeId],
        granting_voters: Vec<NodeId>,
        now_ms: TimeMs,
        check_quorum_timeout_ms: u64,
    ) -> Self {
        let mut ids = voters.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let voter_states: Vec<ReplicaState> = ids
            .iter()
            .map(|&v| ReplicaState::new(v, v == local_id))
            .collect();
        let local_slot = ids.iter().position(|&v| v == local_id);
        Self {
            local_id,
            epoch,
            epoch_start_offset,
            high_watermark: None,
            voter_states,
            local_slot,
            observer_states: Vec::new(),
            granting_voters,
            fetched_voters: Vec::new(),
            check_quorum_deadline_ms: now_ms + check_quorum_timeout_ms,
            // The first BeginQuorumEpoch round goes out at once.
            begin_quorum_epoch_deadline_ms: now_ms,
            resign_requested: false,
            accumulator: None,
            parked_fetches: Vec::new(),
            earliest_parked_expiry_ms: TimeMs::MAX,
            replica_slots: Vec::new(),
        }
    }

    /// Park a fetch in the purgatory.
    pub(crate) fn park_fetch(&mut self, fetch: ParkedFetch) {
        self.earliest_parked_expiry_ms = self.earliest_parked_expiry_ms.min(fetch.expires_at_ms);
        self.parked_fetches.push(fetch);
    }

    /// Replace the purgatory (after taking it out to answer some of its fetches).
    pub(crate) fn set_parked_fetches(&mut self, parked: Vec<ParkedFetch>) {
        self.earliest_parked_expiry_ms = parked
            .iter()
            .map(|p| p.expires_at_ms)
            .min()
            .unwrap_or(TimeMs::MAX);
        self.parked_fetches = parked;
    }

    /// When the first parked fetch expires (`None`: the purgatory is empty).
    pub(crate) fn earliest_parked_expiry_ms(&self) -> Option<TimeMs> {
        (!self.parked_fetches.is_empty()).then_some(self.earliest_parked_expiry_ms)
    }

    fn voter_slot(&self, id: NodeId) -> Option<usize> {
        self.voter_states.iter().position(|s| s.node_id == id)
    }

    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voter_slot(id).is_some()
    }

    pub fn voter_state(&self, id: NodeId) -> Option<&ReplicaState> {
        self.voter_states.iter().find(|s| s.node_id == id)
    }

    /// Voters that have neither answered BeginQuorumEpoch nor fetched this epoch.
    pub fn non_acknowledging_voters(&self) -> Vec<NodeId> {
        self.voter_states
            .iter()
            .filter(|s| !s.has_acknowledged_leader)
            .map(|s| s.node_id)
            .collect()
    }

    pub fn add_acknowledgement_from(&mut self, voter: NodeId) {
        if let Some(i) = self.voter_slot(voter) {
            self.voter_states[i].has_acknowledged_leader = true;
        }
    }

    /// `updateLocalState`: the leader's own log end moved. Returns whether the HW moved.
    pub fn update_local_state(&mut self, end_offset: Offset) -> bool {
        match self.local_slot {
            Some(i) => {
                self.voter_states[i].end_offset = Some(end_offset);
                self.maybe_update_high_watermark(end_offset)
            }
            None => false,
        }
    }

    /// `updateReplicaState`: a Fetch arrived from `replica` at `fetch_offset`. Returns
    /// whether the HW moved (only voters can move it).
    pub fn update_replica_state(
        &mut self,
        replica: NodeId,
        now_ms: TimeMs,
        fetch_offset: Offset,
        check_quorum_timeout_ms: u64,
    ) -> bool {
        let leader_end = self
            .local_slot
            .and_then(|i| self.voter_states[i].end_offset);
        let slot = self.replica_slot(replica);
        let state = match slot {
            ReplicaSlot::Voter(i) => self.voter_states.get_mut(i as usize),
            ReplicaSlot::Observer(i) => self.observer_states.get_mut(i as usize),
            ReplicaSlot::Unknown => None,
        };
        if let Some(state) = state {
            state.update_follower_state(now_ms, fetch_offset, leader_end);
        }
        // The voter lookup above answers the check-quorum's own "is it a voter?".
        let is_voter = matches!(slot, ReplicaSlot::Voter(_));
        if is_voter {
            self.count_fetch_from_voter(replica, now_ms, check_quorum_timeout_ms);
        }
        is_voter && self.maybe_update_high_watermark(fetch_offset)
    }

    /// Where `replica`'s state is (a new observer gets one): the hint of its last
    /// fetch if it still names this replica, else a search. The voter set is fixed for
    /// the epoch and an observer is never a voter, so an observer entry with this id
    /// means the replica is no voter.
    #[inline]
    fn replica_slot(&mut self, replica: NodeId) -> ReplicaSlot {
        let id = usize::try_from(replica).ok().filter(|&id| id < HINTED_IDS);
        if let Some(&hint) = id.and_then(|id| self.replica_slots.get(id)) {
            let found = match hint {
                ReplicaSlot::Voter(i) => self.voter_states.get(i as usize),
                ReplicaSlot::Observer(i) => self.observer_states.get(i as usize),
                ReplicaSlot::Unknown => None,
            };
            if found.is_some_and(|s| s.node_id == replica) {
                return hint;
            }
        }
        self.find_replica_slot(replica, id)
    }

    /// [`Self::replica_slot`] without a valid hint: scan the voters, search (or insert
    /// into) the observers, and remember the answer.
    #[inline(never)]
    fn find_replica_slot(&mut self, replica: NodeId, id: Option<usize>) -> ReplicaSlot {
        let slot = match self.voter_slot(replica) {
            Some(i) => ReplicaSlot::Voter(i as u32),
            None => {
                let i = match self
                    .observer_states
                    .binary_search_by_key(&replica, |s| s.node_id)
                {
                    Ok(i) => i,
                    Err(i) => {
                        self.observer_states
                            .insert(i, ReplicaState::new(replica, false));
                        i
                    }
                };
                ReplicaSlot::Observer(i as u32)
            }
        };
        if let Some(id) = id {
            if self.replica_slots.len() <= id {
                self.replica_slots.resize(id + 1, ReplicaSlot::Unknown);
            }
            self.replica_slots[id] = slot;
        }
        slot
    }

    /// A Fetch or FetchSnapshot from a voter counts for check-quorum: once a majority
    /// (the leader implicitly included) has been heard from, the timer restarts.
    pub fn update_check_quorum_for_following_voter(
        &mut self,
        replica: NodeId,
        now_ms: TimeMs,
        check_quorum_timeout_ms: u64,
    ) {
        if self.is_voter(replica) {
            self.count_fetch_from_voter(replica, now_ms, check_quorum_timeout_ms);
        }
    }

    /// [`Self::update_check_quorum_for_following_voter`] for a replica known to be a
    /// voter.
    fn count_fetch_from_voter(
        &mut self,
        replica: NodeId,
        now_ms: TimeMs,
        check_quorum_timeout_ms: u64,
    ) {
        if replica == self.local_id {
            return;
        }
        let mut majority = self.voter_states.len() / 2 + 1;
        if self.local_slot.is_some() {
            majority -= 1;
        }
        // Counted before inserting: when this fetch completes the majority the set is
        // cleared at once, so the insert is skipped. The resulting state is the same.
        // A plain loop: `contains` on integers searches in wide chunks, which costs more
        // than it saves for the few entries this set holds.
        let mut is_new = true;
        for &v in &self.fetched_voters {
            if v == replica {
                is_new = false;
                break;
            }
        }
        let fetched = self.fetched_voters.len() + usize::from(is_new);
        if fetched >= majority {
            self.fetched_voters.clear();
            self.check_quorum_deadline_ms = now_ms + check_quorum_timeout_ms;
        } else if is_new {
            self.fetched_voters.push(replica);
        }
    }

    /// Remaining time before check-quorum fails; a lone voter never fails it.
    pub fn time_until_check_quorum_expires(&self, now_ms: TimeMs) -> u64 {
        if self.voter_states.len() == 1 {
            return u64::MAX;
        }
        self.check_quorum_deadline_ms.saturating_sub(now_ms)
    }

    /// Voter end offsets, highest first, with `None` (never fetched) last.
    pub fn voters_by_descending_end_offset(&self) -> Vec<(NodeId, Option<Offset>)> {
        let mut v: Vec<_> = self
            .voter_states
            .iter()
            .map(|s| (s.node_id, s.end_offset))
            .collect();
        // Stable on node id for equal offsets, so the order is deterministic.
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Preferred successors for EndQuorumEpoch: non-leader voters by descending fetch
    /// offset.
    pub fn non_leader_voters_by_descending_fetch_offset(&self) -> Vec<NodeId> {
        self.voters_by_descending_end_offset()
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| *id != self.local_id)
            .collect()
    }

    /// Recompute the HW after one voter's end offset moved to `moved_to`.
    fn maybe_update_high_watermark(&mut self, moved_to: Offset) -> bool {
        // Shortcut: once a HW is set it is at least the current candidate (it is
        // recomputed after every change and never moves back), so a voter end at or
        // below it cannot raise the candidate above it: nothing to do. This is every
        // fetch that merely confirms what is already committed.
        if self.high_watermark.is_some_and(|hw| moved_to <= hw) {
            return false;
        }
        // The candidate is the `needed`-th highest end offset (the value at index n / 2
        // of the end offsets sorted highest first; the leader counts). It is only taken
        // above `floor` (the HW and the epoch start offset). Counting ends answers the
        // common cases without a sort: fewer than `needed` ends above `floor` leave the
        // candidate at or below it (nothing to do: a fetch that does not yet complete a
        // majority for a new end), and `needed` ends at or above `moved_to` but fewer
        // above it make the candidate `moved_to` itself (the fetch that completes it).
        // (`None`, a voter that never fetched, is below every `Some`: it counts nowhere.)
        let needed = self.voter_states.len() / 2 + 1;
        let floor = Some(
            self.high_watermark
                .unwrap_or(Offset::MIN)
                .max(self.epoch_start_offset),
        );
        let mut above_floor = 0;
        for s in &self.voter_states {
            above_floor += usize::from(s.end_offset > floor);
        }
        if above_floor < needed {
            return false;
        }
        let moved_to_end = Some(moved_to);
        let (mut at_or_above, mut above) = (0, 0);
        for s in &self.voter_states {
            at_or_above += usize::from(s.end_offset >= moved_to_end);
            above += usize::from(s.end_offset > moved_to_end);
        }
        if at_or_above >= needed && above < needed {
            return self.take_high_watermark_candidate(moved_to);
        }
        // Otherwise sort. This is rare, so it insertion-sorts a small stack array.
        let mut buf = [0 as Offset; 16];
        let mut heap = Vec::new();
        let ends: &mut [Offset] = if self.voter_states.len() <= buf.len() {
            let mut n = 0;
            for end in self.voter_states.iter().filter_map(|s| s.end_offset) {
                // Insert in descending order.
                let mut j = n;
                while j > 0 && buf[j - 1] < end {
                    buf[j] = buf[j - 1];
                    j -= 1;
                }
                buf[j] = end;
                n += 1;
            }
            &mut buf[..n]
        } else {
            heap.extend(self.voter_states.iter().filter_map(|s| s.end_offset));
            heap.sort_unstable_by(|a, b| b.cmp(a));
            &mut heap
        };
        if ends.len() < needed {
            return false;
        }
        self.take_high_watermark_candidate(ends[needed - 1])
    }

    /// Take the computed HW candidate if it is past the epoch start and above the HW.
    fn take_high_watermark_candidate(&mut self, candidate: Offset) -> bool {
        if candidate <= self.epoch_start_offset {
            return false;
        }
        match self.high_watermark {
            // A lower computed value only happens after voter-set changes or lost
            // committed data; Kafka logs it and keeps the HW.
            Some(current) if candidate <= current => false,
            _ => {
                self.high_watermark = Some(candidate);
                true
            }
        }
    }

    /// Forget observers that have not fetched for five minutes.
    pub fn clear_inactive_observers(&mut self, now_ms: TimeMs) {
        self.observer_states.retain(|s| {
            s.last_fetch_timestamp_ms
                .is_some_and(|t| now_ms.saturating_sub(t) < OBSERVER_SESSION_TIMEOUT_MS)
        });
    }
}
