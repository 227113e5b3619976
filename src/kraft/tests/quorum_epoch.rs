//! BeginQuorumEpoch / EndQuorumEpoch: KIP-595 §BeginQuorumEpoch, §EndQuorumEpoch.

use super::harness::TestTypes;
use super::support::*;
use crate::kraft::*;

fn begin_epoch(leader: NodeId, epoch: Epoch, to: NodeId) -> Message<TestTypes> {
    Message::BeginQuorumEpochRequest(BeginQuorumEpochRequest {
        cluster_id: CLUSTER.into(),
        leader_id: leader,
        leader_epoch: epoch,
        voter_id: to,
    })
}

fn epoch_reply(leader_id: i32, epoch: Epoch, error: Errors) -> QuorumEpochResponse {
    QuorumEpochResponse {
        top_level_error: Errors::None,
        error_code: error,
        leader_id,
        leader_epoch: epoch,
    }
}

/// KIP-595 §BeginQuorumEpoch: there is no push, so the new leader announces itself;
/// a voter that learns of it becomes its follower and starts fetching.
#[test]
fn begin_quorum_epoch_makes_a_voter_follow() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, None, Some(2))),
        &[(1, 3)],
        0,
    );
    let actions = receive(&mut n, 10, 2, 5, begin_epoch(2, 2, 1));
    assert_eq!(
        actions,
        vec![
            Action::PersistQuorumState(election(2, Some(2), Some(2))),
            state_changed(StateKind::Unattached, StateKind::Follower, 2, Some(2)),
            send(
                1,
                2,
                5,
                Message::BeginQuorumEpochResponse(epoch_reply(2, 2, Errors::None))
            ),
            send(1, 2, 1, fetch_request(1, 2, 3, 1)),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: Some(2),
                epoch: 2
            }),
        ]
    );
}

/// KIP-595 §BeginQuorumEpoch: the leader resends every fetch.timeout / 2 to voters that
/// have neither answered nor fetched; an answer stops it.
#[test]
fn begin_quorum_epoch_is_resent_until_acknowledged() {
    let mut n = leader_with(1, &[1, 2, 3], 2, &[(1, 3)], 0);
    n.drain_actions().for_each(drop);
    // Correlation ids: Vote requests 0 (to 2) and 1 (to 3), then BeginQuorumEpoch 2 and 3.
    let to_3 = 3;
    // Node 2 acknowledges by fetching; node 3 never answers and its request times out.
    receive(&mut n, 10, 2, 20, fetch_request(2, 2, 3, 1));
    // At 1 s the first request to 3 is still in flight: nothing to resend.
    let actions = step(&mut n, 1_000, Input::Tick);
    assert_eq!(actions, vec![]);
    // At 2 s it has timed out (request.timeout.ms): resend to 3 only.
    let actions = step(&mut n, 2_000, Input::Tick);
    assert_eq!(actions, vec![send(1, 3, to_3 + 1, begin_epoch(1, 2, 3))]);
    receive(
        &mut n,
        2_001,
        3,
        to_3 + 1,
        Message::BeginQuorumEpochResponse(epoch_reply(1, 2, Errors::None)),
    );
    let actions = step(&mut n, 5_000, Input::Tick);
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::Send(e) if e.message.name() == "BeginQuorumEpoch")));
}

/// KIP-595 §EndQuorumEpoch: a follower at position p of n preferred successors sets
/// its fetch timer to `min(max, (max >> (n-1)) << (p-1))`, the first to 0 (elect now),
/// one not in the list to the max.
#[test]
fn end_quorum_epoch_shortens_the_fetch_timer_by_rank() {
    let cases = [(2, 0), (3, 125), (4, 250), (5, 500), (6, 1000)];
    for (id, expected) in cases {
        let voters = [1, 2, 3, 4, 5, 6];
        let n = node_with(id, &voters, Some(election(2, Some(1), None)), &[(1, 3)], 0);
        assert_eq!(
            n.end_epoch_election_backoff_ms(&[2, 3, 4, 5]),
            expected,
            "node {id}"
        );
    }
}

/// KIP-595 §EndQuorumEpoch: the request resets the follower's fetch deadline.
#[test]
fn end_quorum_epoch_request_moves_the_fetch_deadline() {
    let mut n = node_with(
        3,
        &[1, 2, 3],
        Some(election(2, Some(1), None)),
        &[(1, 3)],
        0,
    );
    let request = Message::EndQuorumEpochRequest(EndQuorumEpochRequest {
        cluster_id: CLUSTER.into(),
        leader_id: 1,
        leader_epoch: 2,
        preferred_successors: vec![3, 2],
    });
    let actions = receive(&mut n, 100, 1, 4, request);
    assert_eq!(
        actions,
        vec![
            Action::Send(Envelope {
                from: 3,
                to: 1,
                correlation_id: 4,
                message: Message::EndQuorumEpochResponse(epoch_reply(1, 2, Errors::None)),
            }),
            // The first preferred successor stands at once.
            state_changed(StateKind::Follower, StateKind::Prospective, 2, Some(1)),
            Action::Send(Envelope {
                from: 3,
                to: 1,
                correlation_id: 1,
                message: vote_request(3, 1, 2, 1, 3, true)
            }),
            Action::Send(Envelope {
                from: 3,
                to: 2,
                correlation_id: 2,
                message: vote_request(3, 2, 2, 1, 3, true)
            }),
        ]
    );
}

/// KIP-595 §EndQuorumEpoch: a resigning leader sends EndQuorumEpoch with its voters
/// ordered by fetch offset, and stops sending to those that answered.
#[test]
fn resign_sends_end_quorum_epoch_with_preferred_successors() {
    let mut n = leader_with(1, &[1, 2, 3], 2, &[(1, 3)], 0);
    n.drain_actions().for_each(drop);
    receive(&mut n, 5, 3, 30, fetch_request(3, 2, 4, 2));
    receive(&mut n, 6, 2, 31, fetch_request(2, 2, 3, 1));
    let actions = step(&mut n, 7, Input::Resign);
    let end_epoch = |to: NodeId, c: i32| {
        send(
            1,
            to,
            c,
            Message::EndQuorumEpochRequest(EndQuorumEpochRequest {
                cluster_id: CLUSTER.into(),
                leader_id: 1,
                leader_epoch: 2,
                preferred_successors: vec![3, 2],
            }),
        )
    };
    // Parked fetches are answered NOT_LEADER_OR_FOLLOWER as leadership ends.
    let not_leader = send(
        1,
        3,
        30,
        Message::FetchResponse(FetchResponse {
            top_level_error: Errors::None,
            error_code: Errors::NotLeaderOrFollower,
            high_watermark: -1,
            log_start_offset: 0,
            diverging_epoch: None,
            current_leader: LeaderIdAndEpoch {
                leader_id: 1,
                leader_epoch: 2,
            },
            snapshot_id: None,
            records: BatchList::new(),
        }),
    );
    assert_eq!(
        actions,
        vec![
            state_changed(StateKind::Leader, StateKind::Resigned, 2, Some(1)),
            not_leader,
            end_epoch(2, 4),
            end_epoch(3, 5),
        ]
    );
    receive(
        &mut n,
        8,
        3,
        5,
        Message::EndQuorumEpochResponse(epoch_reply(1, 2, Errors::None)),
    );
    let actions = step(&mut n, 40, Input::Tick);
    assert_eq!(actions, vec![]);
}
