//! Oracle tests: the high-watermark rule and the divergence search against naive
//! versions written straight from their definitions, over random inputs.

use super::harness::TestTypes;
use crate::kraft::*;
use proptest::prelude::*;
use std::sync::Arc;

/// KIP-595 §Fetch, high watermark: the largest offset that a majority of voters (the
/// leader included) have reached — provided it is past the epoch start — and never
/// lower than before.
fn naive_high_watermark(
    ends: &[Option<Offset>],
    epoch_start: Offset,
    previous: Option<Offset>,
) -> Option<Offset> {
    let majority = ends.len() / 2 + 1;
    let best = (0..=1_000)
        .rev()
        .find(|x| ends.iter().filter(|e| e.is_some_and(|e| e >= *x)).count() >= majority)
        .filter(|x| *x > epoch_start);
    match (best, previous) {
        (Some(b), Some(p)) if b <= p => Some(p),
        (None, p) => p,
        (b, _) => b,
    }
}

proptest! {
    #[test]
    fn high_watermark_matches_the_naive_majority_rule(
        voters in 1usize..8,
        fetches in proptest::collection::vec((0usize..8, 0i64..200), 0..40),
        epoch_start in 0i64..100,
    ) {
        let ids: Vec<NodeId> = (1..=voters as NodeId).collect();
        let mut leader = LeaderState::<TestTypes>::new(1, 5, epoch_start, &ids, vec![1], 0, 3_000);
        let mut ends: Vec<Option<Offset>> = vec![None; voters];
        let mut hw = None;
        leader.update_local_state(200);
        ends[0] = Some(200);
        hw = naive_high_watermark(&ends, epoch_start, hw);
        prop_assert_eq!(leader.high_watermark, hw);
        for (i, (who, offset)) in fetches.into_iter().enumerate() {
            let who = who % voters;
            if who == 0 { continue; }
            leader.update_replica_state(ids[who], i as u64, offset, 3_000);
            ends[who] = Some(offset);
            hw = naive_high_watermark(&ends, epoch_start, hw);
            prop_assert_eq!(leader.high_watermark, hw);
        }
    }
}

/// A log as one epoch per offset, built into one batch per run of equal epochs.
fn log_of(epochs: &[Epoch]) -> ReplicatedLog<TestTypes> {
    let mut log = ReplicatedLog::new();
    let mut i = 0;
    while i < epochs.len() {
        let mut j = i;
        while j < epochs.len() && epochs[j] == epochs[i] {
            j += 1;
        }
        let batch = Batch {
            base_offset: i as Offset,
            epoch: epochs[i],
            append_time_ms: 0,
            records: BatchRecords::Data((i as u64..j as u64).collect()),
        };
        log.append(Arc::new(batch)).unwrap();
        i = j;
    }
    log
}

/// Naive `endOffsetForEpoch`: the largest epoch ≤ e in the log and the offset where
/// the next larger epoch starts (the log end for the last one).
fn naive_end_offset_for_epoch(epochs: &[Epoch], e: Epoch) -> OffsetAndEpoch {
    let found = epochs.iter().copied().filter(|x| *x <= e).max();
    match found {
        None => match epochs.first() {
            Some(_) => OffsetAndEpoch::new(0, e),
            None => OffsetAndEpoch::new(0, 0),
        },
        Some(f) => {
            let end = epochs.iter().position(|x| *x > f).unwrap_or(epochs.len());
            OffsetAndEpoch::new(end as Offset, f)
        }
    }
}

/// Random valid Raft logs: a shared prefix, then each side continues with epochs that
/// only grow; the follower's own suffix epochs are older than the leader's newest.
fn diverged_logs() -> impl Strategy<Value = (Vec<Epoch>, Vec<Epoch>)> {
    (
        proptest::collection::vec(1i32..4, 0..6),
        proptest::collection::vec(0i32..3, 0..6),
        proptest::collection::vec(0i32..3, 0..6),
    )
        .prop_map(|(prefix_steps, follower_steps, leader_steps)| {
            let mut prefix = Vec::new();
            let mut e = 1;
            for s in prefix_steps {
                e += s / 3;
                prefix.push(e);
            }
            let base = *prefix.last().unwrap_or(&1);
            // The follower's suffix was written by a leader of epoch base + 1 ...
            let follower: Vec<Epoch> = prefix
                .iter()
                .copied()
                .chain(follower_steps.iter().map(|s| base + 1 + s / 2))
                .collect();
            // ... the leader's by later leaders (higher epochs).
            let leader: Vec<Epoch> = prefix
                .iter()
                .copied()
                .chain(leader_steps.iter().map(|s| base + 3 + s))
                .chain([base + 6])
                .collect();
            let mut leader = leader;
            for i in 1..leader.len() {
                leader[i] = leader[i].max(leader[i - 1]);
            }
            let mut follower = follower;
            for i in 1..follower.len() {
                follower[i] = follower[i].max(follower[i - 1]);
            }
            (leader, follower)
        })
}

proptest! {
    #[test]
    fn end_offset_for_epoch_matches_the_naive_scan(epochs in proptest::collection::vec(1i32..6, 1..30).prop_map(|mut v| { v.sort(); v }), e in 0i32..8) {
        let log = log_of(&epochs);
        prop_assert_eq!(log.end_offset_for_epoch(e), naive_end_offset_for_epoch(&epochs, e));
    }

    /// KIP-595 §Fetch: repeating Fetch → DivergingEpoch → truncate until the leader
    /// accepts leaves the follower with a prefix of the leader's log, never truncates
    /// below the common prefix, and takes one round trip per diverged epoch at most.
    #[test]
    fn divergence_search_converges_to_a_prefix_of_the_leaders_log((leader_epochs, follower_epochs) in diverged_logs()) {
        let leader = log_of(&leader_epochs);
        let mut follower = log_of(&follower_epochs);
        let common = leader_epochs.iter().zip(&follower_epochs).take_while(|(a, b)| a == b).count() as Offset;
        let mut rounds = 0;
        loop {
            let fetch = follower.end_offset_and_epoch();
            match leader.validate_offset_and_epoch(fetch.offset, fetch.epoch) {
                ValidOffsetAndEpoch::Valid(_) => break,
                ValidOffsetAndEpoch::Diverging(end) => {
                    follower.truncate_to_end_offset(end);
                    rounds += 1;
                }
                ValidOffsetAndEpoch::Snapshot(_) => prop_assert!(false, "no snapshots here"),
            }
            prop_assert!(rounds <= 10);
        }
        let end = follower.end_offset() as usize;
        prop_assert_eq!(&follower_epochs[..end], &leader_epochs[..end]);
        prop_assert!(follower.end_offset() >= common, "truncated below the common prefix");
        let diverged_epochs = {
            let mut v: Vec<_> = follower_epochs[common as usize..].to_vec();
            v.dedup();
            v.len()
        };
        prop_assert!(rounds <= diverged_epochs.max(1), "{} rounds for {} diverged epochs", rounds, diverged_epochs);
    }
}

/// Naive `read`: the batches whose records start in `[from, to)`, beginning with the
/// batch that holds `from`, cut once `max_bytes` is exceeded (but never empty).
fn naive_read(
    log: &ReplicatedLog<TestTypes>,
    from: Offset,
    to: Offset,
    max_bytes: u64,
) -> Vec<Arc<Batch<TestTypes>>> {
    let mut out = Vec::new();
    if from < log.log_start_offset() || from >= log.end_offset() {
        return out;
    }
    let mut bytes = 0u64;
    for b in log.batches() {
        if b.end_offset() <= from {
            continue;
        }
        if b.base_offset >= to {
            break;
        }
        bytes += b.size_bytes() as u64;
        if !out.is_empty() && max_bytes != u64::MAX && bytes > max_bytes {
            break;
        }
        out.push(b.clone());
    }
    out
}

proptest! {
    /// `ReplicatedLog::read` (with its shortcut for the newest batch) returns what the
    /// naive scan does, for batches of one or more records, more than 128 of them (the
    /// chunk size of the log's storage) and every kind of range.
    #[test]
    fn read_matches_the_naive_scan(
        sizes in proptest::collection::vec(1u64..4, 0..300),
        from_back in 0i64..8,
        len in 0i64..10,
        max_bytes in prop_oneof![Just(u64::MAX), 0u64..300],
    ) {
        let mut log = ReplicatedLog::<TestTypes>::new();
        let mut offset = 0;
        for n in sizes {
            let batch = Batch {
                base_offset: offset,
                epoch: 1,
                append_time_ms: 0,
                records: BatchRecords::Data((0..n).collect()),
            };
            offset += n as Offset;
            log.append(Arc::new(batch)).unwrap();
        }
        let from = log.end_offset() - from_back;
        let to = from + len;
        let got = log.read(from, to, max_bytes);
        let expected = naive_read(&log, from, to, max_bytes);
        prop_assert_eq!(got.as_slice(), expected.as_slice());
    }
}
