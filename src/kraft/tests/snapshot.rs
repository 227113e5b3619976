//! Snapshots: KIP-630 §Creating snapshots, §Fetching snapshots.

use super::harness::{Node, TestTypes};
use super::support::*;
use crate::kraft::*;

fn snapshot(offset: Offset, epoch: Epoch, size_bytes: u64) -> Snapshot<TestTypes> {
    Snapshot {
        snapshot_id: OffsetAndEpoch::new(offset, epoch),
        last_contained_log_timestamp_ms: 0,
        size_bytes,
        data: 42,
    }
}

/// A leader of epoch 2 over [epoch 1 ×3, LeaderChange] with HW 4 and a snapshot at 4
/// that cleaned the log (retention 0).
fn leader_with_snapshot(size_bytes: u64) -> Node {
    let mut cfg = super::harness::config(1, &[1, 2, 3]);
    cfg.quorum.max_retention_bytes = 0;
    let mut n = node_with_config(cfg, Some(election(2, None, Some(1))), &[(1, 3)], 0);
    receive(&mut n, 0, 2, 0, vote_response(-1, 2, true));
    receive(&mut n, 1, 2, 9, fetch_request(2, 2, 4, 2));
    assert_eq!(n.high_watermark(), Some(4));
    n.drain_actions().for_each(drop);
    let actions = step(
        &mut n,
        2,
        Input::CreateSnapshot(Box::new(snapshot(4, 2, size_bytes))),
    );
    assert_eq!(
        actions,
        vec![
            Action::SnapshotCreated {
                snapshot_id: OffsetAndEpoch::new(4, 2)
            },
            Action::LogStartAdvanced {
                log_start_offset: 4
            },
        ]
    );
    n
}

/// KIP-630: snapshots are taken at or below the high watermark only, and must name a
/// record of the log.
#[test]
fn a_snapshot_above_the_high_watermark_is_refused() {
    let mut n = leader_with(1, &[1, 2, 3], 2, &[(1, 3)], 0);
    receive(&mut n, 1, 2, 9, fetch_request(2, 2, 4, 2));
    assert_eq!(
        n.step(2, Input::CreateSnapshot(Box::new(snapshot(5, 2, 10)))),
        Err(RequestError::Log(LogError::SnapshotAboveHighWatermark {
            id: OffsetAndEpoch::new(5, 2),
            high_watermark: 4
        }))
    );
    assert!(matches!(
        n.step(3, Input::CreateSnapshot(Box::new(snapshot(4, 1, 10)))),
        Err(RequestError::Log(LogError::SnapshotNotInLog { .. }))
    ));
}

/// KIP-630 §Fetching snapshots: a fetch below the log start gets the SnapshotId
/// instead of records.
#[test]
fn a_fetch_below_the_log_start_gets_the_snapshot_id() {
    let mut n = leader_with_snapshot(100);
    let actions = receive(&mut n, 3, 3, 4, fetch_request(3, 2, 2, 1));
    assert_eq!(
        actions,
        vec![send(
            1,
            3,
            4,
            Message::FetchResponse(FetchResponse {
                top_level_error: Errors::None,
                error_code: Errors::None,
                high_watermark: 4,
                log_start_offset: 4,
                diverging_epoch: None,
                current_leader: LeaderIdAndEpoch {
                    leader_id: 1,
                    leader_epoch: 2
                },
                snapshot_id: Some(SnapshotId {
                    end_offset: 4,
                    epoch: 2
                }),
                records: BatchList::new(),
            })
        )]
    );
}

/// KIP-630 §Fetching snapshots: chunks are served by position; a position past the
/// end is POSITION_OUT_OF_RANGE and an unknown id SNAPSHOT_NOT_FOUND.
#[test]
fn fetch_snapshot_serves_chunks_by_position() {
    let mut n = leader_with_snapshot(100);
    let request = |position: u64, id: SnapshotId| {
        Message::FetchSnapshotRequest(FetchSnapshotRequest {
            cluster_id: CLUSTER.into(),
            replica_id: 3,
            max_bytes: 40,
            current_leader_epoch: 2,
            snapshot_id: id,
            position,
        })
    };
    let id = SnapshotId {
        end_offset: 4,
        epoch: 2,
    };
    let chunk = |actions: Vec<Action<TestTypes>>| match &actions[..] {
        [Action::Send(Envelope {
            message: Message::FetchSnapshotResponse(r),
            ..
        })] => (
            r.error_code,
            r.position,
            r.size,
            r.unaligned_records.as_ref().map(|c| c.len_bytes),
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        chunk(receive(&mut n, 3, 3, 1, request(0, id))),
        (Errors::None, 0, 100, Some(40))
    );
    assert_eq!(
        chunk(receive(&mut n, 3, 3, 2, request(80, id))),
        (Errors::None, 80, 100, Some(20))
    );
    assert_eq!(
        chunk(receive(&mut n, 3, 3, 3, request(100, id))),
        (Errors::PositionOutOfRange, 0, 0, None)
    );
    let unknown = SnapshotId {
        end_offset: 3,
        epoch: 1,
    };
    assert_eq!(
        chunk(receive(&mut n, 3, 3, 4, request(0, unknown))),
        (Errors::SnapshotNotFound, 0, 0, None)
    );
}

/// KIP-630 §Fetching snapshots: the follower stops fetching, pulls chunks until it has
/// `size` bytes, then replaces its log with the snapshot and takes its end as HW.
#[test]
fn a_follower_downloads_and_installs_a_snapshot() {
    let mut leader = leader_with_snapshot(100);
    let mut f = node_with(
        3,
        &[1, 2, 3],
        Some(election(2, Some(1), None)),
        &[(1, 2)],
        0,
    );
    f.drain_actions().for_each(drop);
    // Answer the follower's startup Fetch (correlation 0) from the real leader.
    let reply = receive(&mut leader, 3, 3, 0, fetch_request(3, 2, 2, 1));
    let Action::Send(env) = reply[0].clone() else {
        panic!()
    };
    let actions = step(&mut f, 4, Input::Receive(Envelope { to: 3, ..env }));
    assert_eq!(
        actions[0],
        Action::SnapshotFetchStarted {
            snapshot_id: OffsetAndEpoch::new(4, 2)
        }
    );
    let mut installed = false;
    let mut outbox = actions;
    for _ in 0..10 {
        let Some(Action::Send(req)) = outbox
            .iter()
            .find(|a| matches!(a, Action::Send(e) if e.message.is_request()))
            .cloned()
        else {
            break;
        };
        assert_eq!(req.message.name(), "FetchSnapshot");
        let reply = receive(&mut leader, 5, 3, req.correlation_id, req.message.clone());
        let Action::Send(env) = reply[0].clone() else {
            panic!()
        };
        outbox = step(&mut f, 6, Input::Receive(env));
        if outbox
            .iter()
            .any(|a| matches!(a, Action::SnapshotInstalled { .. }))
        {
            installed = true;
            break;
        }
    }
    assert!(installed);
    assert_eq!(f.log().log_start_offset(), 4);
    assert_eq!(f.log().end_offset(), 4);
    assert_eq!(f.high_watermark(), Some(4));
    assert!(outbox
        .iter()
        .any(|a| matches!(a, Action::LoadSnapshot(s) if s.data == 42)));
}

/// The log's running byte totals agree with summing [`Batch::size_bytes`] through
/// appends, truncation and cleaning, and cleaning compares the bytes behind the
/// snapshot with the retention exactly as the sum would.
#[test]
fn log_byte_totals_match_summing_batch_sizes() {
    use std::sync::Arc;
    let naive = |log: &ReplicatedLog<TestTypes>| -> u64 {
        log.batches().map(|b| b.size_bytes() as u64).sum()
    };
    let mut log = ReplicatedLog::<TestTypes>::new();
    let push = |log: &mut ReplicatedLog<TestTypes>, epoch: Epoch, n: u64| {
        let records = if n == 0 {
            BatchRecords::Control(vec![ControlRecord::LeaderChange(LeaderChangeMessage {
                version: 0,
                leader_id: 1,
                voters: vec![1],
                granting_voters: vec![1],
            })])
        } else {
            BatchRecords::Data((0..n).collect())
        };
        let batch = Batch {
            base_offset: log.end_offset(),
            epoch,
            append_time_ms: 0,
            records,
        };
        log.append(Arc::new(batch)).unwrap();
    };
    assert_eq!(log.size_bytes(), 0);
    for (epoch, n) in [(1, 0), (1, 3), (1, 5), (2, 0), (2, 1), (2, 7)] {
        push(&mut log, epoch, n);
        assert_eq!(log.size_bytes(), naive(&log));
        assert_eq!(log.check_invariants(), Ok(()));
    }
    log.truncate_to(10);
    assert_eq!(log.size_bytes(), naive(&log));
    assert_eq!(log.check_invariants(), Ok(()));
    // Offsets 0..10 remain: [LC][3][5][LC]. The first three batches hold
    // 93 + 109 + 141 = 343 bytes.
    let behind: u64 = log.batches().take(3).map(|b| b.size_bytes() as u64).sum();
    assert_eq!(behind, 343);
    log.flush();
    log.create_snapshot(snapshot(9, 1, 100), 10).unwrap();
    assert_eq!(log.maybe_clean(behind), None, "not more than the retention");
    assert_eq!(log.maybe_clean(behind - 1), Some(9));
    assert_eq!(log.size_bytes(), naive(&log));
    assert_eq!(log.check_invariants(), Ok(()));
    push(&mut log, 2, 2);
    assert_eq!(log.size_bytes(), naive(&log));
    assert_eq!(log.check_invariants(), Ok(()));
}
