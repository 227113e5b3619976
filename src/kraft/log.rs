//! The replicated log of one node: record batches, the leader-epoch cache, the flushed
//! prefix, frozen snapshots and the log start offset (Kafka's `ReplicatedLog` /
//! `KafkaMetadataLog` over `UnifiedLog` and `LeaderEpochFileCache`).
//!
//! Invariants (checked by [`ReplicatedLog::check_invariants`]):
//! `log_start_offset <= flushed_offset <= end_offset`; batches are contiguous from
//! `log_start_offset`; epochs never decrease along the log; the epoch cache has one entry
//! per epoch present, at the base offset of its first batch; when the log start is above
//! zero a snapshot ends exactly there; the running byte total kept for appends is the
//! one after the newest batch.

use super::types::{Epoch, Offset, OffsetAndEpoch, RaftTypes, TimeMs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::batch_list::BatchList;
use super::chunked::ChunkedVec;

/// Size of a record batch header in Kafka's v2 format (`RECORD_BATCH_OVERHEAD`).
pub const BATCH_HEADER_BYTES: u32 = 61;
/// Rough per-record framing (length, attributes, deltas, key/value lengths).
pub const RECORD_OVERHEAD_BYTES: u32 = 8;

/// Control records the core itself writes (`ControlRecordType`). Only LEADER_CHANGE
/// goes into the log here: this model has a static quorum (kraft.version 0), so no
/// KRAFT_VERSION or KRAFT_VOTERS records; snapshot header/footer are implied by
/// [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlRecord {
    LeaderChange(LeaderChangeMessage),
}

impl ControlRecord {
    /// Kafka's `ControlRecordType` id.
    pub fn type_id(&self) -> i16 {
        match self {
            ControlRecord::LeaderChange(_) => 2,
        }
    }
}

/// `LeaderChangeMessage` (control record type 2): the first record of every epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderChangeMessage {
    pub version: i16,
    pub leader_id: i32,
    pub voters: Vec<i32>,
    pub granting_voters: Vec<i32>,
}

/// The records of one batch: a batch is either a control batch or a data batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub enum BatchRecords<T: RaftTypes> {
    Control(Vec<ControlRecord>),
    Data(Vec<T::Record>),
}

/// One record batch: `(base offset, epoch, records)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct Batch<T: RaftTypes> {
    pub base_offset: Offset,
    /// `partitionLeaderEpoch`: the epoch of the leader that appended it.
    pub epoch: Epoch,
    pub append_time_ms: TimeMs,
    pub records: BatchRecords<T>,
}

impl<T: RaftTypes> Batch<T> {
    pub fn record_count(&self) -> usize {
        match &self.records {
            BatchRecords::Control(r) => r.len(),
            BatchRecords::Data(r) => r.len(),
        }
    }

    pub fn last_offset(&self) -> Offset {
        self.base_offset + self.record_count() as Offset - 1
    }

    /// Exclusive end offset.
    pub fn end_offset(&self) -> Offset {
        self.base_offset + self.record_count() as Offset
    }

    pub fn is_control(&self) -> bool {
        matches!(self.records, BatchRecords::Control(_))
    }

    pub fn size_bytes(&self) -> u32 {
        let records: u32 = match &self.records {
            BatchRecords::Control(r) => r.len() as u32 * 32,
            BatchRecords::Data(r) => r
                .iter()
                .map(|r| T::record_size_bytes(r) + RECORD_OVERHEAD_BYTES)
                .sum(),
        };
        BATCH_HEADER_BYTES + records
    }
}

/// A frozen snapshot (`<offset>-<epoch>.checkpoint`): the state machine's state up to,
/// excluding, `snapshot_id.offset`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "", rename_all = "camelCase")]
pub struct Snapshot<T: RaftTypes> {
    pub snapshot_id: OffsetAndEpoch,
    /// SnapshotHeaderRecord.LastContainedLogTimestamp.
    pub last_contained_log_timestamp_ms: TimeMs,
    pub size_bytes: u64,
    pub data: T::Snapshot,
}

impl<T: RaftTypes> Snapshot<T> {
    /// Kafka's file name for it.
    pub fn file_name(&self) -> String {
        format!(
            "{:020}-{:010}.checkpoint",
            self.snapshot_id.offset, self.snapshot_id.epoch
        )
    }
}

/// Result of [`ReplicatedLog::validate_offset_and_epoch`] (Kafka's `ValidOffsetAndEpoch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidOffsetAndEpoch {
    Valid(OffsetAndEpoch),
    /// The fetcher diverged; it must truncate using this `(end offset, epoch)`.
    Diverging(OffsetAndEpoch),
    /// The fetcher must fetch this snapshot.
    Snapshot(OffsetAndEpoch),
}

/// Why a log operation was refused. These are programming errors in Kafka (exceptions
/// that kill the raft thread); the node reports them instead of panicking.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("batch base offset {base} does not match log end offset {end}")]
    NonContiguousAppend { base: Offset, end: Offset },
    #[error("batch epoch {epoch} is below the latest epoch {latest} in the log")]
    EpochRegression { epoch: Epoch, latest: Epoch },
    #[error("snapshot id {id} is above the high watermark {high_watermark}")]
    SnapshotAboveHighWatermark {
        id: OffsetAndEpoch,
        high_watermark: Offset,
    },
    #[error("snapshot id {id} does not match the log ({found:?})")]
    SnapshotNotInLog {
        id: OffsetAndEpoch,
        found: ValidOffsetAndEpoch,
    },
    #[error("snapshot id {id} is not at a batch boundary")]
    SnapshotNotAtBatchBoundary { id: OffsetAndEpoch },
    #[error("snapshot {id} already exists")]
    SnapshotExists { id: OffsetAndEpoch },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EpochEntry {
    epoch: Epoch,
    start_offset: Offset,
}

/// One batch of the log with its index data: see [`ReplicatedLog`]'s `entries`.
type LogEntry<T> = (Offset, u64, u32, Arc<Batch<T>>);

/// The log. Batches are shared (`Arc`) so fetch responses, checkpoints of the simulated
/// world and the state machine all point at the same memory.
#[derive(Clone, Debug)]
pub struct ReplicatedLog<T: RaftTypes> {
    /// `(end offset, bytes before, size, batch)`: the end is kept beside the batch so
    /// that finding the batch of an offset compares plain integers instead of chasing
    /// pointers. `size` is [`Batch::size_bytes`], computed once at append; `bytes before`
    /// is a running total of the sizes of every batch appended before it (relative to an
    /// arbitrary origin), so the bytes of any run of batches is a subtraction rather
    /// than a walk over their records. Chunked, so a clone of the log (a simulator
    /// checkpoint) shares all but the newest batches.
    entries: ChunkedVec<LogEntry<T>>,
    /// The running total after the newest batch (its `bytes before` plus its size; 0
    /// with no batch): the next append's `bytes before`, kept here so an append does not
    /// read the newest entry back.
    bytes_end: u64,
    log_start_offset: Offset,
    end_offset: Offset,
    flushed_offset: Offset,
    /// Leader-epoch cache: `(epoch, start offset)`, increasing in both.
    epochs: Vec<EpochEntry>,
    snapshots: BTreeMap<OffsetAndEpoch, Arc<Snapshot<T>>>,
}

impl<T: RaftTypes> Default for ReplicatedLog<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: RaftTypes> ReplicatedLog<T> {
    pub fn new() -> Self {
        Self {
            entries: ChunkedVec::new(),
            bytes_end: 0,
            log_start_offset: 0,
            end_offset: 0,
            flushed_offset: 0,
            epochs: Vec::new(),
            snapshots: BTreeMap::new(),
        }
    }

    pub fn log_start_offset(&self) -> Offset {
        self.log_start_offset
    }

    /// Log end offset (LEO): the offset the next record will get.
    pub fn end_offset(&self) -> Offset {
        self.end_offset
    }

    /// Everything below this offset survives a crash.
    pub fn flushed_offset(&self) -> Offset {
        self.flushed_offset
    }

    /// The batches from the log start to the end.
    pub fn batches(
        &self,
    ) -> impl DoubleEndedIterator<Item = &Arc<Batch<T>>> + ExactSizeIterator + '_ {
        self.entries.iter().map(|(_, _, _, b)| b)
    }

    #[inline]
    pub fn batch_count(&self) -> usize {
        self.entries.len()
    }

    /// The newest batch: what the simulator's checkers compare on every event to see
    /// whether the log changed. Read at the end of the open tail, without the index
    /// arithmetic of `batch(batch_count() - 1)`.
    #[inline]
    pub fn last_batch(&self) -> Option<&Arc<Batch<T>>> {
        self.entries.last().map(|(_, _, _, b)| b)
    }

    /// The `i`-th batch from the log start.
    pub fn batch(&self, i: usize) -> Option<&Arc<Batch<T>>> {
        self.entries.get(i).map(|(_, _, _, b)| b)
    }

    /// The batch `k` places before the newest (`batch_back(0)` is the newest), found
    /// from the end: the newest batches sit in the open tail.
    #[inline]
    pub fn batch_back(&self, k: usize) -> Option<&Arc<Batch<T>>> {
        self.entries.get_back(k).map(|(_, _, _, b)| b)
    }

    /// Batches from the `i`-th on.
    pub fn batches_from(
        &self,
        i: usize,
    ) -> impl DoubleEndedIterator<Item = &Arc<Batch<T>>> + ExactSizeIterator + '_ {
        self.entries.iter_from(i).map(|(_, _, _, b)| b)
    }

    /// Epoch of the last batch in the log, or of the latest snapshot if the log is empty
    /// (`ReplicatedLog.lastFetchedEpoch`).
    pub fn last_fetched_epoch(&self) -> Epoch {
        match self.epochs.last() {
            Some(e) => e.epoch,
            None => self.latest_snapshot_id().map_or(0, |s| s.epoch),
        }
    }

    /// `(end offset, last fetched epoch)`: what a candidate puts in its Vote request.
    pub fn end_offset_and_epoch(&self) -> OffsetAndEpoch {
        OffsetAndEpoch::new(self.end_offset, self.last_fetched_epoch())
    }

    pub fn latest_snapshot_id(&self) -> Option<OffsetAndEpoch> {
        self.snapshots.keys().next_back().copied()
    }

    pub fn earliest_snapshot_id(&self) -> Option<OffsetAndEpoch> {
        self.snapshots.keys().next().copied()
    }

    pub fn latest_snapshot(&self) -> Option<&Arc<Snapshot<T>>> {
        self.snapshots.values().next_back()
    }

    pub fn read_snapshot(&self, id: OffsetAndEpoch) -> Option<&Arc<Snapshot<T>>> {
        self.snapshots.get(&id)
    }

    pub fn snapshots(&self) -> impl Iterator<Item = &Arc<Snapshot<T>>> {
        self.snapshots.values()
    }

    /// Index of the batch containing `offset`, if it is in the log.
    fn batch_index(&self, offset: Offset) -> Option<usize> {
        if offset < self.log_start_offset || offset >= self.end_offset {
            return None;
        }
        // Fetches and commits read near the end of the log: gallop back from the last
        // batch, then binary-search the bracket, so a read costs O(log distance from
        // the end) rather than O(log length).
        let end_at = |i: usize| self.entries.get(i).map_or(Offset::MAX, |e| e.0);
        let n = self.entries.len();
        let mut hi = n;
        let mut step = 1;
        let mut lo = n.saturating_sub(1);
        while lo > 0 && end_at(lo - 1) > offset {
            hi = lo;
            lo = lo.saturating_sub(step);
            step *= 2;
        }
        // The batch at `hi - 1` ends after `offset` (it is the last batch, or the gallop
        // just saw it), so binary-search [lo, hi - 1) for the first batch ending after
        // `offset`, defaulting to `hi - 1`: a read in the last batch costs one lookup.
        let (mut a, mut b) = (lo, hi - 1);
        while a < b {
            let mid = a + (b - a) / 2;
            if end_at(mid) <= offset {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        Some(a)
    }

    /// Epoch of the record at `offset`, looking at the snapshot for the record just
    /// below the log start (used to name snapshots at the high watermark).
    pub fn epoch_of_offset(&self, offset: Offset) -> Option<Epoch> {
        if let Some(i) = self.batch_index(offset) {
            return self.batch(i).map(|b| b.epoch);
        }
        if offset + 1 == self.log_start_offset {
            return self.earliest_snapshot_id().map(|s| s.epoch);
        }
        None
    }

    /// Batches with records in `[from, to)`, whole batches only (fetches and commits
    /// always start and end at batch boundaries), at most `max_bytes` but always at
    /// least one batch (Kafka returns an oversized first batch rather than nothing).
    ///
    /// Almost every read starts at one of the two newest batches, which sit in the open
    /// tail of `entries`: the newest for a parked fetch answered after an append or the
    /// leader's commit of what was just replicated, the one before for a follower's
    /// commit (its high watermark lags its log by the batch it just fetched). Those
    /// are read here, inlined at the call; the rest searches out of line.
    #[inline]
    pub fn read(&self, from: Offset, to: Offset, max_bytes: u64) -> BatchList<T> {
        // Outside the log nothing is read (`batch_index` would find no batch).
        if from < self.log_start_offset || from >= self.end_offset {
            return BatchList::new();
        }
        let tail = self.entries.open_tail();
        match tail {
            [.., newest] if Self::starts_at(newest, from) => {
                let mut out = BatchList::new();
                if from < to {
                    out.push(newest.3.clone());
                }
                out
            }
            [.., second, _] if Self::starts_at(second, from) => {
                Self::read_entries(&tail[tail.len() - 2..], to, max_bytes)
            }
            _ => self.read_searching(from, to, max_bytes),
        }
    }

    /// Whether the batch of `entry` starts at `from`, an offset known to be in the log
    /// (so the batch holds it unless it is empty).
    #[inline]
    fn starts_at(entry: &LogEntry<T>, from: Offset) -> bool {
        entry.3.base_offset == from && from < entry.0
    }

    /// [`Self::read`] of an offset in the log when the open tail did not answer (an
    /// older batch, or one of the two newest just after the tail was sealed).
    #[inline(never)]
    fn read_searching(&self, from: Offset, to: Offset, max_bytes: u64) -> BatchList<T> {
        match self.batch_index(from) {
            Some(start) => Self::read_entries(self.entries.iter_from(start), to, max_bytes),
            None => BatchList::new(),
        }
    }

    /// The batches of `entries` (consecutive, from the first to read) below `to`, at
    /// most `max_bytes` but at least one.
    #[inline]
    fn read_entries<'a>(
        entries: impl IntoIterator<Item = &'a LogEntry<T>>,
        to: Offset,
        max_bytes: u64,
    ) -> BatchList<T>
    where
        T: 'a,
    {
        let mut out = BatchList::new();
        let mut bytes = 0u64;
        // Commits read without a byte limit: skip sizing every batch then.
        let limited = max_bytes != u64::MAX;
        for (_, _, size, batch) in entries {
            if batch.base_offset >= to {
                break;
            }
            if limited {
                bytes += *size as u64;
                if !out.is_empty() && bytes > max_bytes {
                    break;
                }
            }
            out.push(batch.clone());
        }
        out
    }

    /// Bytes held in the log from the log start to the end.
    pub fn size_bytes(&self) -> u64 {
        self.bytes_of_first(self.entries.len())
    }

    /// The running total after `entry` (0 for none): what `bytes_end` is with `entry`
    /// the newest.
    fn bytes_after(entry: Option<&LogEntry<T>>) -> u64 {
        entry.map_or(0, |(_, before, size, _)| before + *size as u64)
    }

    /// Bytes of the first `n` batches from the log start (the sum of their
    /// [`Batch::size_bytes`]), from the running totals: O(1) per chunk lookup.
    fn bytes_of_first(&self, n: usize) -> u64 {
        match (
            self.entries.first(),
            n.checked_sub(1).and_then(|i| self.entries.get(i)),
        ) {
            (Some(first), Some(last)) => last.1 + last.2 as u64 - first.1,
            _ => 0,
        }
    }

    /// `LeaderEpochFileCache.endOffsetFor` as `UnifiedLog.endOffsetForEpoch` uses it:
    /// the largest epoch ≤ `epoch` with the start offset of the next epoch (or the log
    /// end for the latest one). `None` when the cache cannot answer.
    fn epoch_cache_end_offset_for(&self, epoch: Epoch) -> Option<OffsetAndEpoch> {
        let latest = self.epochs.last()?;
        if epoch == latest.epoch {
            return Some(OffsetAndEpoch::new(self.end_offset, epoch));
        }
        let higher = self.epochs.partition_point(|e| e.epoch <= epoch);
        if higher == self.epochs.len() {
            // Larger than every known epoch.
            return None;
        }
        let next_start = self.epochs[higher].start_offset;
        if higher == 0 {
            // Smaller than every known epoch: answer with the requested epoch and the
            // first known start offset, as Kafka does.
            Some(OffsetAndEpoch::new(next_start, epoch))
        } else {
            Some(OffsetAndEpoch::new(
                next_start,
                self.epochs[higher - 1].epoch,
            ))
        }
    }

    /// `KafkaMetadataLog.endOffsetForEpoch`: the end offset of the largest epoch ≤
    /// `epoch`, overridden by the oldest snapshot when the epoch predates the log.
    pub fn end_offset_for_epoch(&self, epoch: Epoch) -> OffsetAndEpoch {
        match (
            self.epoch_cache_end_offset_for(epoch),
            self.earliest_snapshot_id(),
        ) {
            (Some(found), Some(snapshot))
                if found.offset == snapshot.offset && found.epoch == epoch =>
            {
                snapshot
            }
            (Some(found), _) => found,
            (None, _) => self.end_offset_and_epoch(),
        }
    }

    /// `ReplicatedLog.validateOffsetAndEpoch`: is a fetch at `(offset, epoch)` consistent
    /// with this log, diverging from it, or below what the log still holds?
    #[inline]
    pub fn validate_offset_and_epoch(&self, offset: Offset, epoch: Epoch) -> ValidOffsetAndEpoch {
        if self.log_start_offset == 0 && offset == 0 {
            return ValidOffsetAndEpoch::Valid(OffsetAndEpoch::new(0, 0));
        }
        // Every Fetch asks this (twice when it is parked), almost always in the latest
        // epoch and within the log. Without snapshots the general path below then finds
        // `(end offset, epoch)` for that epoch and so answers exactly this. Inlined at
        // the call; the general path is not.
        if self.snapshots.is_empty()
            && self.epochs.last().is_some_and(|e| e.epoch == epoch)
            && offset <= self.end_offset
        {
            return ValidOffsetAndEpoch::Valid(OffsetAndEpoch::new(offset, epoch));
        }
        self.validate_offset_and_epoch_searching(offset, epoch)
    }

    /// [`Self::validate_offset_and_epoch`] past its fast paths: snapshots, older epochs.
    #[inline(never)]
    fn validate_offset_and_epoch_searching(
        &self,
        offset: Offset,
        epoch: Epoch,
    ) -> ValidOffsetAndEpoch {
        if let (Some(earliest), Some(latest)) =
            (self.earliest_snapshot_id(), self.latest_snapshot_id())
        {
            if offset < self.log_start_offset
                || (offset == self.log_start_offset && epoch != earliest.epoch)
                || epoch < earliest.epoch
            {
                return ValidOffsetAndEpoch::Snapshot(latest);
            }
        }
        let end = self.end_offset_for_epoch(epoch);
        if end.epoch != epoch || end.offset < offset {
            ValidOffsetAndEpoch::Diverging(end)
        } else {
            ValidOffsetAndEpoch::Valid(OffsetAndEpoch::new(offset, epoch))
        }
    }

    fn assign_epoch(&mut self, epoch: Epoch, start_offset: Offset) -> Result<(), LogError> {
        match self.epochs.last() {
            Some(last) if last.epoch == epoch => Ok(()),
            Some(last) if last.epoch > epoch => Err(LogError::EpochRegression {
                epoch,
                latest: last.epoch,
            }),
            _ => {
                self.epochs.push(EpochEntry {
                    epoch,
                    start_offset,
                });
                Ok(())
            }
        }
    }

    /// Append one batch at the log end (leader: a batch it built; follower: a batch from
    /// a Fetch response). The new records are not flushed yet.
    pub fn append(&mut self, batch: Arc<Batch<T>>) -> Result<(), LogError> {
        if batch.base_offset != self.end_offset {
            return Err(LogError::NonContiguousAppend {
                base: batch.base_offset,
                end: self.end_offset,
            });
        }
        self.assign_epoch(batch.epoch, batch.base_offset)?;
        self.end_offset = batch.end_offset();
        let bytes_before = self.bytes_end;
        let size = batch.size_bytes();
        self.bytes_end = bytes_before + size as u64;
        self.entries
            .push((self.end_offset, bytes_before, size, batch));
        Ok(())
    }

    /// fsync: everything appended so far becomes durable.
    pub fn flush(&mut self) -> bool {
        let changed = self.flushed_offset != self.end_offset;
        self.flushed_offset = self.end_offset;
        changed
    }

    /// Remove every record at or above `offset` (never below the log start).
    pub fn truncate_to(&mut self, offset: Offset) {
        let offset = offset.max(self.log_start_offset);
        if offset >= self.end_offset {
            return;
        }
        let keep = self
            .entries
            .partition_point(|(end, _, _, _)| *end <= offset);
        self.entries.truncate(keep);
        self.bytes_end = Self::bytes_after(self.entries.last());
        self.end_offset = self
            .entries
            .last()
            .map_or(self.log_start_offset, |(end, _, _, _)| *end);
        self.flushed_offset = self.flushed_offset.min(self.end_offset);
        let end = self.end_offset;
        self.epochs.retain(|e| e.start_offset < end);
    }

    /// `ReplicatedLog.truncateToEndOffset`: truncate after a DivergingEpoch, to the
    /// smaller of our end of that epoch and the leader's. Returns the new end offset.
    pub fn truncate_to_end_offset(&mut self, leader_end: OffsetAndEpoch) -> Offset {
        let truncation = if leader_end.epoch == 0 {
            leader_end.offset.min(self.end_offset)
        } else {
            let local = self.end_offset_for_epoch(leader_end.epoch);
            if local.epoch == leader_end.epoch {
                local.offset.min(leader_end.offset)
            } else {
                local.offset
            }
        };
        self.truncate_to(truncation);
        self.end_offset
    }

    /// `createNewSnapshot` + `freeze`: store a snapshot the state machine wrote at or
    /// below the high watermark, then clean the log behind it.
    pub fn create_snapshot(
        &mut self,
        snapshot: Snapshot<T>,
        high_watermark: Offset,
    ) -> Result<(), LogError> {
        let id = snapshot.snapshot_id;
        if id.offset > high_watermark {
            return Err(LogError::SnapshotAboveHighWatermark { id, high_watermark });
        }
        if self.snapshots.contains_key(&id) {
            return Err(LogError::SnapshotExists { id });
        }
        // The id must name a record of this log: the record just below `id.offset`
        // carries `id.epoch` (or the snapshot we already have ends there).
        let found = self.validate_offset_and_epoch(id.offset, id.epoch);
        if !matches!(found, ValidOffsetAndEpoch::Valid(_)) {
            return Err(LogError::SnapshotNotInLog { id, found });
        }
        if id.offset > self.log_start_offset
            && id.offset < self.end_offset
            && self
                .batch_index(id.offset)
                .and_then(|i| self.batch(i))
                .is_some_and(|b| b.base_offset != id.offset)
        {
            return Err(LogError::SnapshotNotAtBatchBoundary { id });
        }
        self.snapshots.insert(id, Arc::new(snapshot));
        Ok(())
    }

    /// Kafka's snapshot cleaning: when the log behind the newest snapshot holds more than
    /// `max_retention_bytes`, advance the log start to that snapshot and forget older
    /// snapshots. Returns the new log start if it moved.
    pub fn maybe_clean(&mut self, max_retention_bytes: u64) -> Option<Offset> {
        let latest = self.latest_snapshot_id()?;
        if latest.offset <= self.log_start_offset {
            return None;
        }
        // The batches ending at or before the snapshot (a prefix: ends increase).
        let behind = self.bytes_of_first(
            self.entries
                .partition_point(|(end, _, _, _)| *end <= latest.offset),
        );
        if behind <= max_retention_bytes {
            return None;
        }
        self.advance_log_start(latest.offset);
        Some(self.log_start_offset)
    }

    fn advance_log_start(&mut self, new_start: Offset) {
        let drop = self
            .entries
            .partition_point(|(end, _, _, _)| *end <= new_start);
        self.entries.drain_front(drop);
        if self.entries.is_empty() {
            self.bytes_end = 0;
        }
        self.log_start_offset = new_start;
        if self.end_offset < new_start {
            self.end_offset = new_start;
        }
        self.flushed_offset = self.flushed_offset.max(new_start);
        // Keep the epoch entry covering the new start; drop older ones.
        let first_kept = self.epochs.partition_point(|e| e.start_offset <= new_start);
        if first_kept > 0 {
            let mut covering = self.epochs[first_kept - 1];
            covering.start_offset = new_start;
            self.epochs.drain(..first_kept);
            if self.batch(0).is_some_and(|b| b.epoch == covering.epoch) {
                self.epochs.insert(0, covering);
            }
        }
        self.snapshots.retain(|id, _| id.offset >= new_start);
    }

    /// Store a snapshot downloaded from the leader (FetchSnapshot complete).
    pub fn install_fetched_snapshot(&mut self, snapshot: Arc<Snapshot<T>>) {
        self.snapshots.insert(snapshot.snapshot_id, snapshot);
    }

    /// `truncateToLatestSnapshot`: if the newest snapshot is past the log, drop the whole
    /// log and start at the snapshot. Returns whether it did.
    pub fn truncate_to_latest_snapshot(&mut self) -> bool {
        let Some(latest) = self.latest_snapshot_id() else {
            return false;
        };
        let latest_epoch = self.epochs.last().map_or(0, |e| e.epoch);
        if latest.epoch > latest_epoch
            || (latest.epoch == latest_epoch && latest.offset > self.end_offset)
        {
            self.entries.clear();
            self.bytes_end = 0;
            self.epochs.clear();
            self.log_start_offset = latest.offset;
            self.end_offset = latest.offset;
            self.flushed_offset = latest.offset;
            self.snapshots.retain(|id, _| *id >= latest);
            true
        } else {
            false
        }
    }

    /// What survives a crash: the flushed prefix and the snapshots.
    pub fn durable_copy(&self) -> Self {
        let mut copy = self.clone();
        copy.truncate_to(self.flushed_offset);
        copy
    }

    /// Checks the structural invariants listed in the module doc. Returns a description
    /// of the first one broken.
    pub fn check_invariants(&self) -> Result<(), String> {
        if !(self.log_start_offset <= self.flushed_offset && self.flushed_offset <= self.end_offset)
        {
            return Err(format!(
                "log start {} <= flushed {} <= end {} broken",
                self.log_start_offset, self.flushed_offset, self.end_offset
            ));
        }
        let mut expected = self.log_start_offset;
        let mut last_epoch = Epoch::MIN;
        let mut bytes_before = self.entries.first().map_or(0, |e| e.1);
        for (end, before, size, b) in self.entries.iter() {
            if *before != bytes_before || *size != b.size_bytes() {
                return Err(format!(
                    "batch at {} indexed with {before} bytes before and size {size}, \
                     expected {bytes_before} and {}",
                    b.base_offset,
                    b.size_bytes()
                ));
            }
            bytes_before += *size as u64;
            if *end != b.end_offset() {
                return Err(format!(
                    "batch at {} indexed as ending at {end}",
                    b.base_offset
                ));
            }
            if b.base_offset != expected {
                return Err(format!(
                    "batch at {} where {} expected",
                    b.base_offset, expected
                ));
            }
            if b.epoch < last_epoch {
                return Err(format!(
                    "epoch {} after {} at offset {}",
                    b.epoch, last_epoch, b.base_offset
                ));
            }
            if b.epoch != last_epoch
                && !self.epochs.iter().any(|e| {
                    e.epoch == b.epoch && e.start_offset == b.base_offset.max(self.log_start_offset)
                })
            {
                return Err(format!(
                    "epoch cache lacks epoch {} at {}",
                    b.epoch, b.base_offset
                ));
            }
            last_epoch = b.epoch;
            expected = b.end_offset();
        }
        if expected != self.end_offset {
            return Err(format!(
                "batches end at {} but log end is {}",
                expected, self.end_offset
            ));
        }
        // After the loop `bytes_before` is the running total after the newest batch.
        if bytes_before != self.bytes_end {
            return Err(format!(
                "batches end at running total {bytes_before} but the log keeps {}",
                self.bytes_end
            ));
        }
        if self.log_start_offset > 0
            && self.earliest_snapshot_id().map(|s| s.offset) != Some(self.log_start_offset)
        {
            return Err(format!(
                "log start {} has no snapshot ending there (earliest {:?})",
                self.log_start_offset,
                self.earliest_snapshot_id()
            ));
        }
        Ok(())
    }
}
