//! LogMatching: if two logs hold a batch with the same base offset and epoch, the logs
//! are identical up to and including it (Raft §5.3 "Log Matching Property"; KIP-595
//! identifies records by (offset, epoch)).
//!
//! Each node has a mirror of its log as (batch, prefix chain) pairs, updated after each
//! step from the log's new tail or its truncation (found by pointer identity of the
//! shared batches, so O(changed batches)). A global index remembers the chain of every
//! (base offset, epoch) seen anywhere: the same key with another chain is a violation.
//! Leaders write keys in ascending order, so the index is mostly a sorted vector
//! appended at its end, with a persistent map for the keys that arrive out of order.

use super::Ctx;
use crate::kraft::{ChunkedVec, Epoch, Offset, ReplicatedLog};
use crate::sim::hash::chain;
use crate::sim::trace::InvariantId;
use crate::sim::types::{batch_hash, chain_after, SimBatch, SimTypes};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Clone, Debug)]
struct MirrorEntry {
    batch: Arc<SimBatch>,
    /// Chain of the log up to this batch's end.
    chain: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Mirror {
    start: Offset,
    start_chain: u64,
    /// Chunked: a world checkpoint shares all but the newest entries.
    entries: ChunkedVec<MirrorEntry>,
}

impl Mirror {
    pub fn end_offset(&self) -> Offset {
        self.entries
            .last()
            .map_or(self.start, |e| e.batch.end_offset())
    }

    pub fn start_offset(&self) -> Offset {
        self.start
    }

    /// The chain at `offset` if it is this log's start or one of its batch ends.
    pub fn chain_at(&self, offset: Offset) -> Option<u64> {
        if offset == self.start {
            return Some(self.start_chain);
        }
        let i = self
            .entries
            .partition_point(|e| e.batch.end_offset() < offset);
        self.entries
            .get(i)
            .filter(|e| e.batch.end_offset() == offset)
            .map(|e| e.chain)
    }
}

/// What the first log holding a batch saw: where it ends, the chain before and after
/// it, and the batch itself (kept so that its address is never reused: a node
/// appending the very same shared batch after the same prefix gets the chain without
/// hashing the batch again).
#[derive(Clone, Debug)]
struct Seen {
    end: Offset,
    prev_chain: u64,
    chain: u64,
    /// [`batch_hash`] of `batch` (`chain` is `chain(prev_chain, hash)`): the world
    /// reuses it when the batch commits instead of hashing the batch again.
    hash: u64,
    batch: Arc<SimBatch>,
}

#[derive(Clone, Debug)]
pub struct LogMatching {
    mirrors: Vec<Mirror>,
    /// The keys of `seen` ((base offset, epoch) → what the first log holding the batch
    /// saw) that were above every key seen when inserted, in ascending order. A
    /// leader's new batch is above every key seen, so nearly every key lands here: an
    /// append at the end instead of an insert into a persistent tree. Chunked: a world
    /// checkpoint shares it instead of copying every batch ever seen.
    ordered: ChunkedVec<((Offset, Epoch), Seen)>,
    /// The other keys of `seen` (inserted below the greatest key seen: a batch that
    /// only a lagging or diverging log wrote). A persistent map, shared by checkpoints.
    /// No key is in both: a key is inserted only when it is in neither.
    others: imbl::OrdMap<(Offset, Epoch), Seen>,
    /// The newest entries of `seen`, newest last: every node appends the batch the
    /// leader just wrote, so a short scan here spares most searches of `seen`. Entries
    /// of `seen` never change once inserted, so this copy cannot go stale.
    recent: VecDeque<((Offset, Epoch), Seen)>,
    /// The entry [`LogMatching::update`] found last. The followers append the same
    /// batch one after the other, so the next node usually asks for it again: one
    /// pointer comparison instead of a scan of `recent`. Cannot go stale, like `recent`.
    update_hit: Option<Seen>,
    /// The batch (kept, so that its address is not reused) and hash that
    /// [`LogMatching::known_batch_hash`] answered last, for the same reason: every node
    /// commits the same batch one after the other.
    commit_hit: Option<(Arc<SimBatch>, u64)>,
}

/// How many of the newest `seen` entries [`LogMatching::recent`] keeps.
const RECENT: usize = 8;

impl LogMatching {
    pub fn new(nodes: usize) -> Self {
        Self {
            mirrors: vec![Mirror::default(); nodes],
            ordered: ChunkedVec::new(),
            others: imbl::OrdMap::new(),
            recent: VecDeque::with_capacity(RECENT + 1),
            update_hit: None,
            commit_hit: None,
        }
    }

    /// `seen[key]`: looked up in `recent` first, then in `ordered`, then in `others`.
    fn lookup<'a>(
        recent: &'a VecDeque<((Offset, Epoch), Seen)>,
        ordered: &'a ChunkedVec<((Offset, Epoch), Seen)>,
        others: &'a imbl::OrdMap<(Offset, Epoch), Seen>,
        key: &(Offset, Epoch),
    ) -> Option<&'a Seen> {
        if let Some((_, s)) = recent.iter().rev().find(|(k, _)| k == key) {
            return Some(s);
        }
        let i = ordered.partition_point(|(k, _)| k < key);
        match ordered.get(i) {
            Some((k, s)) if k == key => Some(s),
            _ => others.get(key),
        }
    }

    /// The [`batch_hash`] of this very batch (the same allocation) if a log already
    /// held it: batches are immutable, so it is the hash `batch_hash` would compute.
    pub fn known_batch_hash(&mut self, batch: &Arc<SimBatch>) -> Option<u64> {
        if let Some((b, hash)) = &self.commit_hit {
            if Arc::ptr_eq(b, batch) {
                return Some(*hash);
            }
        }
        let key = (batch.base_offset, batch.epoch);
        let hash = Self::lookup(&self.recent, &self.ordered, &self.others, &key)
            .filter(|s| Arc::ptr_eq(&s.batch, batch))
            .map(|s| s.hash)?;
        self.commit_hit = Some((batch.clone(), hash));
        Some(hash)
    }

    pub fn mirror(&self, idx: usize) -> &Mirror {
        &self.mirrors[idx]
    }

    pub fn update(&mut self, idx: usize, log: &ReplicatedLog<SimTypes>, ctx: &mut Ctx) {
        let m = &mut self.mirrors[idx];
        let start = log.log_start_offset();
        // Most steps leave the log as it was (a fetch answered, a message handled): the
        // same start and batch count, the newest batch the same allocation. That is
        // what the scan below would find before doing nothing.
        let n = log.batch_count();
        if start == m.start
            && m.entries.len() == n
            && match (log.last_batch(), m.entries.last()) {
                (Some(b), Some(e)) => Arc::ptr_eq(&e.batch, b),
                (None, None) => true,
                _ => false,
            }
        {
            return;
        }
        if start != m.start {
            if start < m.start || start > m.end_offset() {
                // Disk lost, or the log was replaced by a snapshot past its end.
                m.entries.clear();
            } else {
                let drop = m.entries.partition_point(|e| e.batch.end_offset() <= start);
                m.entries.drain_front(drop);
            }
            m.start = start;
            m.start_chain = if start == 0 {
                0
            } else {
                log.snapshots()
                    .find(|s| s.snapshot_id.offset == start)
                    .map(|s| s.data.chain_hash)
                    .unwrap_or(0)
            };
        }
        let n = log.batch_count();
        let mut keep = m.entries.len().min(n);
        // Usually the log only grew: the mirror's newest entry is still in the log at its
        // place, found from the log's end (its open tail) instead of by index.
        let grew = keep == m.entries.len()
            && keep > 0
            && log
                .batch_back(n - keep)
                .is_some_and(|b| m.entries.last().is_some_and(|e| Arc::ptr_eq(&e.batch, b)));
        while !grew
            && keep > 0
            && !log.batch(keep - 1).is_some_and(|b| {
                m.entries
                    .get(keep - 1)
                    .is_some_and(|e| Arc::ptr_eq(&e.batch, b))
            })
        {
            keep -= 1;
        }
        m.entries.truncate(keep);
        let mut chain = m.entries.last().map_or(m.start_chain, |e| e.chain);
        for batch in log.batches_from(keep) {
            // Usually the very batch that the previous node appended, after the same
            // prefix (the followers copy the leader's new batch one after the other):
            // its chain is known. The rest is out of line.
            chain = match &self.update_hit {
                Some(seen) if Arc::ptr_eq(&seen.batch, batch) && seen.prev_chain == chain => {
                    seen.chain
                }
                _ => self.next_chain(batch, chain, ctx),
            };
            self.mirrors[idx].entries.push(MirrorEntry {
                batch: batch.clone(),
                chain,
            });
        }
    }

    /// The chain after `batch` given the chain `prev` before it: from `seen` if a log
    /// held this batch after the same prefix, else hashed (and checked against `seen`,
    /// or recorded there if the key is new).
    #[inline(never)]
    fn next_chain(&mut self, batch: &Arc<SimBatch>, prev: u64, ctx: &mut Ctx) -> u64 {
        let key = (batch.base_offset, batch.epoch);
        let end = batch.end_offset();
        // A key above every key seen (the greatest is the last of `ordered`) is in none
        // of `recent`, `ordered` and `others`.
        let unseen = self.ordered.last().is_none_or(|(max, _)| key > *max);
        let found = if unseen {
            None
        } else {
            Self::lookup(&self.recent, &self.ordered, &self.others, &key)
        };
        match found {
            Some(seen) if Arc::ptr_eq(&seen.batch, batch) && seen.prev_chain == prev => {
                let chain = seen.chain;
                self.update_hit = Some(seen.clone());
                chain
            }
            Some(seen) => {
                let chain = chain_after(prev, batch);
                if seen.end != end || seen.chain != chain {
                    let (seen_end, seen_chain) = (seen.end, seen.chain);
                    ctx.fail(InvariantId::LogMatching, || {
                        format!(
                            "batch at offset {} epoch {} ends at {end} with prefix chain {chain:016x}, but another log has it ending at {seen_end} with chain {seen_chain:016x}",
                            key.0, key.1
                        )
                    });
                }
                chain
            }
            None => {
                // chain_after(prev, batch), keeping the batch's own hash.
                let hash = batch_hash(batch);
                let chain = self::chain(prev, hash);
                let seen = Seen {
                    end,
                    prev_chain: prev,
                    chain,
                    hash,
                    batch: batch.clone(),
                };
                if self.recent.len() == RECENT {
                    self.recent.pop_front();
                }
                self.recent.push_back((key, seen.clone()));
                if unseen {
                    // Above every key: `ordered` stays sorted.
                    self.ordered.push((key, seen));
                } else {
                    self.others.insert(key, seen);
                }
                chain
            }
        }
    }
}
