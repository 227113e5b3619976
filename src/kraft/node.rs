//! `RaftNode`: one node's KRaft client as a pure state machine. Inputs go in through
//! [`RaftNode::step`], what must happen comes out as [`Action`]s in the outbox, and
//! [`RaftNode::next_deadline`] says when the node next needs a [`Input::Tick`].
//!
//! Each step mirrors one turn of `KafkaRaftClient.poll()`: handle the input, then poll
//! the current state (send what is due, fire expired timers) until nothing is due now,
//! then feed committed batches, snapshots and leader changes to the state machine.

use super::batch_list::BatchList;
use super::config::NodeConfig;
use super::leader::Accumulator;
use super::log::{Batch, BatchRecords, LogError, ReplicatedLog, Snapshot};
use super::request_manager::RequestManager;
use super::rpc::{Envelope, Message};
use super::state::{ElectionState, EpochState, StateKind, UnattachedState};
use super::types::{
    next_below, Epoch, LeaderAndEpoch, NodeId, Offset, OffsetAndEpoch, RaftTypes, TimeMs,
};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::sync::Arc;

/// What can happen to a node.
#[derive(Clone, Debug)]
pub enum Input<T: RaftTypes> {
    /// A timer is due (the caller delivers it at [`RaftNode::next_deadline`]).
    Tick,
    /// A message arrived from the network.
    Receive(Envelope<T>),
    /// `RaftClient.prepareAppend`: the state machine on the leader appends records.
    Append(Vec<T::Record>),
    /// `RaftClient.resign`: the leader steps down (Resigned + EndQuorumEpoch).
    Resign,
    /// `RaftClient.shutdown(timeoutMs)`: graceful shutdown.
    Shutdown { timeout_ms: u64 },
    /// `RaftClient.createSnapshot`: the state machine froze a snapshot at or below the
    /// high watermark. Boxed: a snapshot is much larger than the other inputs, and every
    /// `Input` (one per message delivered) is as large as its largest variant.
    CreateSnapshot(Box<Snapshot<T>>),
}

/// What a local request returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    None,
    /// The offset of the last appended record (KIP-631: a broker's epoch is the offset
    /// of its registration record).
    Appended {
        last_offset: Offset,
    },
}

/// Why a local request was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("NotLeaderException: this node is not the leader (it is {state} in epoch {epoch})")]
    NotLeader { state: StateKind, epoch: Epoch },
    #[error("the node has shut down")]
    ShutDown,
    #[error("no high watermark is known yet")]
    NoHighWatermark,
    #[error(transparent)]
    Log(#[from] LogError),
}

/// What the caller must do, or may want to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<T: RaftTypes> {
    /// Send a message.
    Send(Envelope<T>),
    /// The quorum-state file was written (before the transition that needed it).
    PersistQuorumState(ElectionState),
    /// The log was flushed: everything below `flushed_offset` is durable.
    Flush {
        flushed_offset: Offset,
    },
    StateChanged {
        from: StateKind,
        to: StateKind,
        epoch: Epoch,
        leader_id: Option<NodeId>,
    },
    /// The leader wrote a batch to its log.
    Appended {
        batch: Arc<Batch<T>>,
    },
    HighWatermarkAdvanced {
        high_watermark: Offset,
    },
    /// A DivergingEpoch made this follower cut its log.
    Truncated {
        from_end_offset: Offset,
        to_end_offset: Offset,
        diverging_epoch: OffsetAndEpoch,
    },
    SnapshotCreated {
        snapshot_id: OffsetAndEpoch,
    },
    /// A Fetch response named a snapshot: FetchSnapshot starts.
    SnapshotFetchStarted {
        snapshot_id: OffsetAndEpoch,
    },
    /// The last chunk arrived: the log was replaced by the snapshot.
    SnapshotInstalled {
        snapshot_id: OffsetAndEpoch,
    },
    LogStartAdvanced {
        log_start_offset: Offset,
    },
    /// `Listener.handleCommit`: committed batches, in order, each exactly once.
    Commit(BatchList<T>),
    /// `Listener.handleLoadSnapshot`: replace the state machine's state.
    LoadSnapshot(Arc<Snapshot<T>>),
    /// `Listener.handleLeaderChange`.
    LeaderChange(LeaderAndEpoch),
    /// Graceful shutdown finished (the process may exit).
    ShutdownComplete {
        timed_out: bool,
    },
    /// Something Kafka treats as fatal (an exception that kills the raft thread). The
    /// node ignores the offending input; the simulator reports it as a violation.
    Fatal(String),
}

/// What survives a crash: the flushed log (with snapshots) and the quorum-state file.
#[derive(Clone, Debug)]
pub struct DurableState<T: RaftTypes> {
    pub log: ReplicatedLog<T>,
    pub quorum_state: Option<ElectionState>,
}

impl<T: RaftTypes> Default for DurableState<T> {
    fn default() -> Self {
        Self {
            log: ReplicatedLog::new(),
            quorum_state: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GracefulShutdown {
    pub deadline_ms: TimeMs,
    pub finished: bool,
}

/// The state machine side of `KafkaRaftClient.ListenerContext` (one listener).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ListenerContext {
    /// `-1` until the first commit or snapshot.
    pub next_offset: Offset,
    pub last_fired_leader_change: Option<LeaderAndEpoch>,
    /// `last_fired_leader_change` is the current leader and epoch. Those change only
    /// with the state (`swap_state` clears this), so until then `update_listener`,
    /// which runs after every step, need not compare them again.
    pub leader_change_settled: bool,
}

/// One KRaft node.
#[derive(Clone, Debug)]
pub struct RaftNode<T: RaftTypes> {
    pub(crate) config: NodeConfig,
    pub(crate) rng: Xoshiro256PlusPlus,
    pub(crate) log: ReplicatedLog<T>,
    pub(crate) quorum_store: ElectionState,
    pub(crate) state: EpochState<T>,
    pub(crate) requests: RequestManager,
    pub(crate) next_correlation_id: i32,
    pub(crate) shutdown: Option<GracefulShutdown>,
    pub(crate) listener: ListenerContext,
    pub(crate) outbox: Vec<Action<T>>,
    pub(crate) now_ms: TimeMs,
    next_deadline_ms: Option<TimeMs>,
    /// `config.is_voter()`, computed once: the voter set is static (no KIP-853) and the
    /// config never changes after start, while the question is asked on every fetch
    /// and poll (a binary search each time).
    local_is_voter: bool,
}

impl<T: RaftTypes> RaftNode<T> {
    /// Start a node from what it had on disk (`KafkaRaftClient.initialize` +
    /// `QuorumState.initialize`). The startup actions are in the outbox.
    pub fn new(config: NodeConfig, durable: DurableState<T>, now_ms: TimeMs) -> Self {
        // Discovery fetches go to the other voters (`controller.quorum.voters`).
        let bootstrap: Vec<NodeId> = config
            .voters
            .iter()
            .copied()
            .filter(|v| *v != config.node_id)
            .collect();
        let requests = RequestManager::new(
            &bootstrap,
            config.quorum.request_timeout_ms,
            config.quorum.retry_backoff_ms,
        );
        let rng = Xoshiro256PlusPlus::seed_from_u64(config.rng_seed);
        let local_is_voter = config.is_voter();
        let mut node = Self {
            config,
            rng,
            log: durable.log,
            quorum_store: durable.quorum_state.unwrap_or_default(),
            // Placeholder until `initialize` picks the real state below.
            state: EpochState::Unattached(UnattachedState {
                epoch: 0,
                leader_id: None,
                voted_key: None,
                election_deadline_ms: None,
                election_timeout_ms: 0,
                high_watermark: None,
            }),
            requests,
            next_correlation_id: 0,
            shutdown: None,
            listener: ListenerContext {
                next_offset: -1,
                last_fired_leader_change: None,
                leader_change_settled: false,
            },
            outbox: Vec::new(),
            now_ms,
            next_deadline_ms: Some(now_ms),
            local_is_voter,
        };
        node.initialize();
        node.poll();
        node.update_listener();
        node
    }

    /// Feed one input at virtual time `now_ms` (never earlier than the previous step).
    pub fn step(&mut self, now_ms: TimeMs, input: Input<T>) -> Result<Reply, RequestError> {
        if self.shutdown.is_some_and(|s| s.finished) {
            return Err(RequestError::ShutDown);
        }
        self.now_ms = now_ms.max(self.now_ms);
        let reply = match input {
            Input::Tick => Ok(Reply::None),
            Input::Receive(envelope) => {
                self.handle_inbound(envelope);
                Ok(Reply::None)
            }
            Input::Append(records) => self.append(records),
            Input::Resign => self.resign(),
            Input::Shutdown { timeout_ms } => {
                if self.shutdown.is_none() {
                    self.shutdown = Some(GracefulShutdown {
                        deadline_ms: self.now_ms + timeout_ms,
                        finished: false,
                    });
                }
                Ok(Reply::None)
            }
            Input::CreateSnapshot(snapshot) => self.create_snapshot(*snapshot),
        };
        self.poll();
        if !self.shutdown.is_some_and(|s| s.finished) {
            self.update_listener();
        }
        reply
    }

    /// When the node next needs a [`Input::Tick`]; `None` once it has shut down or when
    /// no timer runs (an observer waiting forever).
    pub fn next_deadline(&self) -> Option<TimeMs> {
        self.next_deadline_ms
    }

    /// Take the actions produced since the last drain.
    pub fn drain_actions(&mut self) -> std::vec::Drain<'_, Action<T>> {
        self.outbox.drain(..)
    }

    /// Move the actions produced since the last drain into `buf` (which must be empty):
    /// the same as [`RaftNode::drain_actions`] without moving each action, for callers
    /// that step nodes millions of times.
    pub fn take_actions(&mut self, buf: &mut Vec<Action<T>>) {
        debug_assert!(buf.is_empty());
        std::mem::swap(&mut self.outbox, buf);
    }

    pub fn outbox(&self) -> &[Action<T>] {
        &self.outbox
    }

    /// What a crash leaves behind.
    pub fn durable_state(&self) -> DurableState<T> {
        DurableState {
            log: self.log.durable_copy(),
            quorum_state: Some(self.quorum_store),
        }
    }

    // ----- accessors for views, invariants and tests -----

    pub fn node_id(&self) -> NodeId {
        self.config.node_id
    }

    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    pub fn is_voter(&self) -> bool {
        self.local_is_voter
    }

    pub fn state(&self) -> &EpochState<T> {
        &self.state
    }

    pub fn state_kind(&self) -> StateKind {
        self.state.kind()
    }

    pub fn epoch(&self) -> Epoch {
        self.state.epoch()
    }

    pub fn leader_id(&self) -> Option<NodeId> {
        self.state.leader_id(self.config.node_id)
    }

    pub fn leader_and_epoch(&self) -> LeaderAndEpoch {
        LeaderAndEpoch {
            leader_id: self.leader_id(),
            epoch: self.epoch(),
        }
    }

    pub fn voted_id(&self) -> Option<NodeId> {
        self.state.election(self.config.node_id).voted_id
    }

    /// The offset the next appended record gets, while this node leads and accepts
    /// appends (the log end plus what the accumulator holds): a controller names a
    /// broker's epoch by it before it writes the RegisterBrokerRecord (KIP-631).
    pub fn next_append_offset(&self) -> Option<Offset> {
        let EpochState::Leader(leader) = &self.state else {
            return None;
        };
        if self.shutdown.is_some() || leader.resign_requested {
            return None;
        }
        let pending = leader.accumulator.as_ref().map_or(0, |a| a.records.len());
        Some(self.log.end_offset() + pending as Offset)
    }

    pub fn high_watermark(&self) -> Option<Offset> {
        self.state.high_watermark()
    }

    pub fn log(&self) -> &ReplicatedLog<T> {
        &self.log
    }

    /// The persisted quorum-state.
    pub fn quorum_state(&self) -> ElectionState {
        self.quorum_store
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.is_some_and(|s| !s.finished)
    }

    pub fn has_shut_down(&self) -> bool {
        self.shutdown.is_some_and(|s| s.finished)
    }

    /// The offset the state machine will be handed next (`-1` before the first).
    pub fn listener_next_offset(&self) -> Offset {
        self.listener.next_offset
    }

    /// `(end offset, epoch)` naming a snapshot that ends at `offset`, if the log (or the
    /// snapshot at its start) still knows the epoch of the record before it.
    pub fn snapshot_id_at(&self, offset: Offset) -> Option<OffsetAndEpoch> {
        if offset <= 0 {
            return None;
        }
        self.log
            .epoch_of_offset(offset - 1)
            .map(|epoch| OffsetAndEpoch::new(offset, epoch))
    }

    // ----- shared helpers -----

    pub(crate) fn local_id(&self) -> NodeId {
        self.config.node_id
    }

    pub(crate) fn has_leader(&self) -> bool {
        self.leader_id().is_some()
    }

    pub(crate) fn is_leader(&self) -> bool {
        matches!(self.state, EpochState::Leader(_))
    }

    pub(crate) fn is_only_voter(&self) -> bool {
        self.config.voters.len() == 1 && self.is_voter()
    }

    pub(crate) fn random_election_timeout_ms(&mut self) -> u64 {
        let t = self.config.quorum.election_timeout_ms;
        if t == 0 {
            0
        } else {
            t + next_below(&mut self.rng, t)
        }
    }

    pub(crate) fn fatal(&mut self, detail: String) {
        self.outbox.push(Action::Fatal(detail));
    }

    pub(crate) fn send(&mut self, to: NodeId, correlation_id: i32, message: Message<T>) {
        self.outbox.push(Action::Send(Envelope {
            from: self.config.node_id,
            to,
            correlation_id,
            message,
        }));
    }

    /// `maybeSendRequest`: send if the connection is ready; returns how long until the
    /// connection may need attention again.
    pub(crate) fn maybe_send_request(
        &mut self,
        to: NodeId,
        build: impl FnOnce(&Self) -> Message<T>,
    ) -> u64 {
        let now = self.now_ms;
        if let Some(wait) = self.requests.wait_before_request(to, now) {
            return wait;
        }
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        let message = build(self);
        self.requests.on_request_sent(to, correlation_id, now);
        self.send(to, correlation_id, message);
        // The request just sent has its whole timeout ahead of it.
        self.requests.request_timeout_ms()
    }

    pub(crate) fn flush_log(&mut self) {
        if self.log.flush() {
            self.outbox.push(Action::Flush {
                flushed_offset: self.log.flushed_offset(),
            });
        }
    }

    fn append(&mut self, records: Vec<T::Record>) -> Result<Reply, RequestError> {
        let now = self.now_ms;
        let linger = self.config.quorum.append_linger_ms;
        let end_offset = self.log.end_offset();
        let state = self.state.kind();
        let epoch = self.epoch();
        let EpochState::Leader(leader) = &mut self.state else {
            return Err(RequestError::NotLeader { state, epoch });
        };
        if self.shutdown.is_some() || leader.resign_requested {
            return Err(RequestError::NotLeader { state, epoch });
        }
        // A new accumulator takes the caller's vector as it is (no copy).
        let pending = match &mut leader.accumulator {
            Some(acc) => {
                acc.records.extend(records);
                acc.records.len()
            }
            None => {
                let n = records.len();
                leader.accumulator = Some(Accumulator {
                    records,
                    drain_at_ms: now + linger,
                });
                n
            }
        };
        Ok(Reply::Appended {
            last_offset: end_offset + pending as Offset - 1,
        })
    }

    fn resign(&mut self) -> Result<Reply, RequestError> {
        let state = self.state.kind();
        let epoch = self.epoch();
        match &mut self.state {
            EpochState::Leader(leader) => {
                leader.resign_requested = true;
                Ok(Reply::None)
            }
            _ => Err(RequestError::NotLeader { state, epoch }),
        }
    }

    /// Run `pollCurrentState` until nothing is due now, then remember the next deadline.
    fn poll(&mut self) {
        // A handful of zero-wait rounds covers every chain of immediate transitions
        // (e.g. Resigned → Unattached → Prospective → Candidate → Leader).
        for _ in 0..16 {
            if self.maybe_complete_shutdown() {
                self.next_deadline_ms = None;
                return;
            }
            let wait_ms = self.poll_current_state();
            if wait_ms > 0 {
                self.next_deadline_ms = self
                    .now_ms
                    .checked_add(wait_ms)
                    .filter(|_| wait_ms != u64::MAX);
                return;
            }
        }
        self.fatal("poll did not settle after 16 immediate rounds".to_string());
        self.next_deadline_ms = Some(self.now_ms + 1);
    }

    /// `maybeCompleteShutdown`: a shutting-down node stops once the shutdown timer runs
    /// out, or once it is an observer, the only voter, or knows another leader.
    fn maybe_complete_shutdown(&mut self) -> bool {
        let Some(shutdown) = self.shutdown else {
            return false;
        };
        if shutdown.finished {
            return true;
        }
        let timed_out = self.now_ms >= shutdown.deadline_ms;
        let leader = self.leader_id();
        let done = timed_out
            || !self.is_voter()
            || self.is_only_voter()
            || leader.is_some_and(|l| l != self.local_id());
        if done {
            // `KafkaRaftClient.close()` flushes the log.
            self.flush_log();
            self.shutdown = Some(GracefulShutdown {
                finished: true,
                ..shutdown
            });
            self.outbox.push(Action::ShutdownComplete { timed_out });
        }
        done
    }

    fn poll_current_state(&mut self) -> u64 {
        match self.state.kind() {
            StateKind::Leader => self.poll_leader(),
            StateKind::Candidate => self.poll_candidate(),
            StateKind::Prospective => self.poll_prospective(),
            StateKind::Follower => self.poll_follower(),
            StateKind::Unattached => self.poll_unattached(),
            StateKind::Resigned => self.poll_resigned(),
        }
    }

    /// `pollListeners`: committed batches up to the high watermark (a snapshot first when
    /// the state machine is behind the log start), then leader changes — a new leader's
    /// own state machine hears of its leadership only once it has replayed up to the
    /// epoch start, so it acts on the full committed state.
    #[inline]
    fn update_listener(&mut self) {
        // After most steps nothing new is committed and the listener knows the leader:
        // answered here, inlined into `step`; the rest is out of line.
        let nothing_to_commit = self.high_watermark().is_none_or(|hw| {
            let next = self.listener.next_offset;
            next >= hw && next != -1
        });
        if nothing_to_commit && self.listener.leader_change_settled {
            return;
        }
        self.update_listener_slow();
    }

    /// [`Self::update_listener`] past its fast path.
    #[inline(never)]
    fn update_listener_slow(&mut self) {
        if let Some(hw) = self.high_watermark() {
            self.update_listener_progress(hw);
        }
        if self.listener.leader_change_settled {
            return;
        }
        let current = self.leader_and_epoch();
        let should_fire = match self.listener.last_fired_leader_change {
            None => true,
            Some(last) if last == current => false,
            Some(last) if current.epoch > last.epoch => true,
            Some(last) => current.leader_id.is_some() && last.leader_id.is_none(),
        };
        let fire = match &self.state {
            EpochState::Leader(leader) => {
                should_fire && self.listener.next_offset > leader.epoch_start_offset
            }
            // A resigned leader cannot write and has no epoch start to report.
            EpochState::Resigned(_) => false,
            _ => should_fire,
        };
        if fire {
            self.listener.last_fired_leader_change = Some(current);
            self.outbox.push(Action::LeaderChange(current));
        }
        self.listener.leader_change_settled =
            self.listener.last_fired_leader_change == Some(current);
    }

    fn update_listener_progress(&mut self, hw: Offset) {
        let next = self.listener.next_offset;
        if next < hw && (next == -1 || next < self.log.log_start_offset()) {
            if let Some(snapshot) = self.log.latest_snapshot().cloned() {
                self.listener.next_offset = snapshot.snapshot_id.offset;
                self.outbox.push(Action::LoadSnapshot(snapshot));
            } else if next == -1 {
                self.listener.next_offset = 0;
            } else {
                self.fatal(format!(
                    "snapshot expected since the listener's next offset is {next}, the log start offset is {} and the high watermark is {hw}",
                    self.log.log_start_offset()
                ));
                return;
            }
        } else if next == -1 {
            self.listener.next_offset = 0;
        }
        let next = self.listener.next_offset;
        if next < hw {
            let batches = self.log.read(next, hw, u64::MAX);
            if let Some(last) = batches.last() {
                self.listener.next_offset = last.end_offset();
                self.outbox.push(Action::Commit(batches));
            }
        }
    }

    pub(crate) fn data_batch(
        &self,
        base_offset: Offset,
        epoch: Epoch,
        records: Vec<T::Record>,
    ) -> Batch<T> {
        Batch {
            base_offset,
            epoch,
            append_time_ms: self.now_ms,
            records: BatchRecords::Data(records),
        }
    }
}
