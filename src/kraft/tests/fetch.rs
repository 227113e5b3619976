//! `handleFetchRequest` / `handleFetchResponse`: KIP-595 §Fetch (pull replication,
//! long poll, divergence, high watermark) and the leader's append path.

use super::harness::TestTypes;
use super::support::*;
use crate::kraft::*;

fn fetch_reply(
    to: NodeId,
    correlation_id: i32,
    error: Errors,
    hw: Offset,
    records: Vec<std::sync::Arc<Batch<TestTypes>>>,
) -> Action<TestTypes> {
    send(
        1,
        to,
        correlation_id,
        Message::FetchResponse(FetchResponse {
            top_level_error: Errors::None,
            error_code: error,
            high_watermark: hw,
            log_start_offset: 0,
            diverging_epoch: None,
            current_leader: LeaderIdAndEpoch {
                leader_id: 1,
                leader_epoch: 2,
            },
            snapshot_id: None,
            records: records.into(),
        }),
    )
}

fn leader_change_batch(
    base_offset: Offset,
    epoch: Epoch,
    granting: Vec<NodeId>,
    at_ms: u64,
) -> std::sync::Arc<Batch<TestTypes>> {
    std::sync::Arc::new(Batch {
        base_offset,
        epoch,
        append_time_ms: at_ms,
        records: BatchRecords::Control(vec![ControlRecord::LeaderChange(LeaderChangeMessage {
            version: 0,
            leader_id: 1,
            voters: vec![1, 2, 3],
            granting_voters: granting,
        })]),
    })
}

/// Leader 1 of epoch 2 over a log of three epoch-1 records, then its LeaderChange at 3.
fn leader() -> super::harness::Node {
    let mut n = leader_with(1, &[1, 2, 3], 2, &[(1, 3)], 0);
    n.drain_actions().for_each(drop);
    n
}

/// KIP-595 §Fetch: the high watermark only moves past a record of the leader's own
/// epoch — a follower at the epoch start (3) is not enough, one past it (4) is.
#[test]
fn high_watermark_needs_a_record_of_the_leaders_epoch() {
    let mut n = leader();
    let actions = receive(&mut n, 10, 2, 11, fetch_request(2, 2, 3, 1));
    assert_eq!(
        actions,
        vec![fetch_reply(
            2,
            11,
            Errors::None,
            -1,
            vec![leader_change_batch(3, 2, vec![1, 2], 0)]
        )]
    );
    assert_eq!(n.high_watermark(), None);
    // Nothing new past offset 4: the fetch is parked, but it acknowledged offset 4.
    let actions = receive(&mut n, 11, 2, 12, fetch_request(2, 2, 4, 2));
    assert_eq!(
        actions,
        vec![
            Action::HighWatermarkAdvanced { high_watermark: 4 },
            Action::Commit(
                vec![
                    data_batch(0, 1, vec![0, 1, 2]),
                    leader_change_batch(3, 2, vec![1, 2], 0)
                ]
                .into()
            ),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: Some(1),
                epoch: 2
            }),
        ]
    );
}

/// KIP-595 §Fetch: an empty fetch waits in the purgatory and is answered as soon as
/// the leader appends (after `append.linger.ms`).
#[test]
fn an_empty_fetch_is_answered_when_records_arrive() {
    let mut n = leader();
    receive(&mut n, 11, 2, 12, fetch_request(2, 2, 4, 2));
    let actions = step(&mut n, 13, Input::Append(vec![42]));
    assert_eq!(actions, vec![]);
    assert_eq!(n.next_deadline(), Some(13 + 25));
    let actions = step(&mut n, 38, Input::Tick);
    let batch = data_batch(4, 2, vec![42]);
    let batch = std::sync::Arc::new(Batch {
        append_time_ms: 38,
        ..(*batch).clone()
    });
    assert_eq!(
        actions,
        vec![
            Action::Appended {
                batch: batch.clone()
            },
            Action::Flush { flushed_offset: 5 },
            fetch_reply(2, 12, Errors::None, 4, vec![batch]),
        ]
    );
}

/// KIP-595 §Fetch: with nothing new, the parked fetch is answered at `MaxWaitMs` with
/// the response built when it arrived.
#[test]
fn a_parked_fetch_expires_after_max_wait() {
    let mut n = leader();
    receive(&mut n, 11, 2, 12, fetch_request(2, 2, 4, 2));
    assert_eq!(n.next_deadline(), Some(111));
    let actions = step(&mut n, 111, Input::Tick);
    // Built on arrival, after the fetch had moved the HW to 4.
    assert_eq!(actions, vec![fetch_reply(2, 12, Errors::None, 4, vec![])]);
}

/// KIP-595 §Fetch: a follower whose last fetched epoch ended earlier on the leader is
/// told where that epoch ends (DivergingEpoch) in one response.
#[test]
fn a_diverged_fetch_gets_the_diverging_epoch() {
    // Leader log: epoch 1 [0,3), epoch 2 at 3. A follower claims epoch 1 up to 5.
    let mut n = leader();
    let actions = receive(&mut n, 10, 2, 11, fetch_request(2, 2, 5, 1));
    let expected = send(
        1,
        2,
        11,
        Message::FetchResponse(FetchResponse {
            top_level_error: Errors::None,
            error_code: Errors::None,
            high_watermark: -1,
            log_start_offset: 0,
            diverging_epoch: Some(EpochEndOffset {
                epoch: 1,
                end_offset: 3,
            }),
            current_leader: LeaderIdAndEpoch {
                leader_id: 1,
                leader_epoch: 2,
            },
            snapshot_id: None,
            records: BatchList::new(),
        }),
    );
    assert_eq!(actions, vec![expected]);
}

/// KIP-595 §Fetch: epoch checks come first — older epochs are fenced, newer ones are
/// unknown to the leader, and a non-leader answers NOT_LEADER_OR_FOLLOWER naming the
/// leader it knows.
#[test]
fn fetch_epoch_validation() {
    let mut n = leader();
    let actions = receive(&mut n, 10, 2, 1, fetch_request(2, 1, 3, 1));
    assert_eq!(
        actions,
        vec![fetch_reply(2, 1, Errors::FencedLeaderEpoch, -1, vec![])]
    );
    let actions = receive(&mut n, 10, 2, 2, fetch_request(2, 3, 3, 1));
    assert_eq!(
        actions,
        vec![fetch_reply(2, 2, Errors::UnknownLeaderEpoch, -1, vec![])]
    );
    let mut follower = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(1, 3)],
        0,
    );
    let actions = receive(&mut follower, 10, 3, 3, fetch_request(3, 2, 3, 1));
    let mut expected = fetch_reply(3, 3, Errors::NotLeaderOrFollower, -1, vec![]);
    if let Action::Send(Envelope {
        message: Message::FetchResponse(r),
        ..
    }) = &mut expected
    {
        r.current_leader.leader_id = 2;
    }
    assert_eq!(actions, vec![expected]);
}

/// KIP-595 §Fetch: observers fetch like followers but never count toward the HW.
#[test]
fn observers_do_not_count_toward_the_high_watermark() {
    let mut n = leader();
    receive(&mut n, 10, 7, 1, fetch_request(7, 2, 4, 2));
    receive(&mut n, 10, 8, 1, fetch_request(8, 2, 4, 2));
    assert_eq!(n.high_watermark(), None);
    let described = n.describe_quorum();
    assert_eq!(
        described
            .observers
            .iter()
            .map(|o| (o.replica_id, o.log_end_offset))
            .collect::<Vec<_>>(),
        vec![(7, 4), (8, 4)]
    );
    receive(&mut n, 11, 3, 1, fetch_request(3, 2, 4, 2));
    assert_eq!(n.high_watermark(), Some(4));
}

/// KIP-595 §Fetch: a voter appends what it fetched, flushes before fetching again,
/// and takes the leader's HW capped by its own log end.
#[test]
fn a_voter_follower_appends_flushes_and_takes_the_high_watermark() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(1, 3)],
        0,
    );
    let batch = data_batch(3, 2, vec![9, 9]);
    let actions = receive(&mut n, 5, 2, 0, fetch_response(2, 2, 10, vec![batch]));
    assert_eq!(
        actions,
        vec![
            Action::Flush { flushed_offset: 5 },
            Action::HighWatermarkAdvanced { high_watermark: 5 },
            send(1, 2, 1, fetch_request(1, 2, 5, 2)),
            Action::Commit(
                vec![
                    data_batch(0, 1, vec![0, 1, 2]),
                    data_batch(3, 2, vec![9, 9])
                ]
                .into()
            ),
        ]
    );
}

/// An observer does not flush: its fetched records stay in the unflushed tail.
#[test]
fn an_observer_does_not_flush() {
    let mut n = node_with(
        7,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(1, 3)],
        0,
    );
    let actions = receive(
        &mut n,
        5,
        2,
        0,
        fetch_response(2, 2, 3, vec![data_batch(3, 2, vec![9])]),
    );
    assert!(
        !actions.iter().any(|a| matches!(a, Action::Flush { .. })),
        "{actions:?}"
    );
    assert_eq!(n.log().end_offset(), 4);
    assert_eq!(n.log().flushed_offset(), 3);
    assert_eq!(n.durable_state().log.end_offset(), 3);
}

/// KIP-595 §Fetch: on DivergingEpoch the follower truncates to the smaller of its own
/// end of that epoch and the leader's, then fetches again from there.
#[test]
fn a_follower_truncates_on_diverging_epoch() {
    // Our log: epoch 1 [0,3), epoch 2 [3,4) and [4,6). The new leader of epoch 3 only
    // got epoch 2 up to offset 4.
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(3, Some(2), None)),
        &[(1, 3), (2, 1), (2, 2)],
        0,
    );
    let mut response = fetch_response(3, 2, -1, vec![]);
    if let Message::FetchResponse(r) = &mut response {
        r.diverging_epoch = Some(EpochEndOffset {
            epoch: 2,
            end_offset: 4,
        });
    }
    let actions = receive(&mut n, 5, 2, 0, response);
    assert_eq!(
        actions,
        vec![
            Action::Truncated {
                from_end_offset: 6,
                to_end_offset: 4,
                diverging_epoch: OffsetAndEpoch::new(4, 2)
            },
            send(1, 2, 1, fetch_request(1, 3, 4, 2)),
        ]
    );
}

/// KIP-595 §Fetch: truncating below the high watermark would lose committed data;
/// Kafka fails the replica instead.
#[test]
fn truncation_below_the_high_watermark_is_fatal() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(3, Some(2), None)),
        &[(1, 3), (2, 3)],
        0,
    );
    receive(&mut n, 4, 2, 0, fetch_response(3, 2, 6, vec![]));
    assert_eq!(n.high_watermark(), Some(6));
    let mut response = fetch_response(3, 2, -1, vec![]);
    if let Message::FetchResponse(r) = &mut response {
        r.diverging_epoch = Some(EpochEndOffset {
            epoch: 2,
            end_offset: 4,
        });
    }
    let actions = receive(&mut n, 5, 2, 1, response);
    assert_eq!(
        actions[0],
        Action::Fatal("the leader requested truncation to offset 4, which is below the current high watermark 6".to_string())
    );
    assert_eq!(n.log().end_offset(), 6);
}
