//! `handleVoteRequest` / `handleVoteResponse`: KIP-595 §Vote and KIP-996 pre-vote.

use super::harness::TestTypes;
use super::support::*;
use crate::kraft::*;

fn vote_reply(
    to: NodeId,
    correlation_id: i32,
    leader_id: i32,
    epoch: Epoch,
    error: Errors,
    granted: bool,
) -> Action<TestTypes> {
    send(
        1,
        to,
        correlation_id,
        Message::VoteResponse(VoteResponse {
            top_level_error: Errors::None,
            error_code: error,
            leader_id,
            leader_epoch: epoch,
            vote_granted: granted,
        }),
    )
}

/// KIP-595 §Vote: an Unattached voter moves to the candidate's epoch, then records
/// its binding vote, writing quorum-state before each transition and before answering.
#[test]
fn unattached_voter_persists_its_vote_before_granting() {
    let mut n = node_with(1, &[1, 2, 3], Some(election(2, None, None)), &[(1, 3)], 0);
    let actions = receive(&mut n, 10, 2, 7, vote_request(2, 1, 3, 1, 3, false));
    assert_eq!(
        actions,
        vec![
            Action::PersistQuorumState(election(3, None, None)),
            state_changed(StateKind::Unattached, StateKind::Unattached, 3, None),
            Action::PersistQuorumState(election(3, None, Some(2))),
            state_changed(StateKind::Unattached, StateKind::Unattached, 3, None),
            vote_reply(2, 7, -1, 3, Errors::None, true),
            // Still Unattached: it keeps looking for the leader with a Fetch to a
            // random voter.
            send(1, 3, 1, fetch_request(1, 3, 3, 1)),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: None,
                epoch: 3
            }),
        ]
    );
    assert_eq!(n.quorum_state(), election(3, None, Some(2)));
}

/// KIP-595 §Vote: a request from an older epoch is fenced.
#[test]
fn vote_from_an_older_epoch_is_fenced() {
    let mut n = node_with(1, &[1, 2, 3], Some(election(5, None, None)), &[(1, 3)], 0);
    let actions = receive(&mut n, 10, 2, 7, vote_request(2, 1, 4, 1, 3, false));
    assert_eq!(
        actions,
        vec![vote_reply(2, 7, -1, 5, Errors::FencedLeaderEpoch, false)]
    );
}

/// KIP-595 §Vote: a real vote's last epoch must be below the (bumped) request epoch; a
/// pre-vote's may equal it, since the prospective did not bump its epoch.
#[test]
fn last_epoch_must_be_below_a_real_votes_epoch() {
    let mut n = node_with(1, &[1, 2, 3], Some(election(3, None, None)), &[(1, 3)], 0);
    let actions = receive(&mut n, 10, 2, 7, vote_request(2, 1, 3, 3, 5, false));
    assert_eq!(
        actions,
        vec![vote_reply(2, 7, -1, 3, Errors::InvalidRequest, false)]
    );
    let actions = receive(&mut n, 10, 2, 8, vote_request(2, 1, 3, 3, 5, true));
    assert_eq!(actions, vec![vote_reply(2, 8, -1, 3, Errors::None, true)]);
}

/// KIP-595 §Vote: the log comparison is by (last epoch, end offset), epoch first. A
/// refused candidate's higher epoch is still adopted (without a vote).
#[test]
fn refuses_a_candidate_whose_log_is_behind() {
    // Our log ends at offset 5 in epoch 2.
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, None, None)),
        &[(1, 3), (2, 2)],
        0,
    );
    // Shorter in the same last epoch.
    let actions = receive(&mut n, 10, 2, 7, vote_request(2, 1, 3, 2, 4, false));
    assert_eq!(
        actions,
        vec![
            Action::PersistQuorumState(election(3, None, None)),
            state_changed(StateKind::Unattached, StateKind::Unattached, 3, None),
            vote_reply(2, 7, -1, 3, Errors::None, false),
            send(1, 2, 1, fetch_request(1, 3, 5, 2)),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: None,
                epoch: 3
            }),
        ]
    );
    // Longer, but ending in an older epoch.
    let actions = receive(&mut n, 11, 3, 8, vote_request(3, 1, 3, 1, 10, false));
    assert_eq!(actions, vec![vote_reply(3, 8, -1, 3, Errors::None, false)]);
}

/// KIP-595 §Vote: one binding vote per epoch; the same candidate asking again is
/// granted again (its first response may have been lost).
#[test]
fn one_binding_vote_per_epoch() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(3, None, Some(2))),
        &[(1, 3)],
        0,
    );
    assert_eq!(n.voted_id(), Some(2));
    let actions = receive(&mut n, 10, 3, 7, vote_request(3, 1, 3, 1, 3, false));
    assert_eq!(actions, vec![vote_reply(3, 7, -1, 3, Errors::None, false)]);
    let actions = receive(&mut n, 11, 2, 8, vote_request(2, 1, 3, 1, 3, false));
    assert_eq!(actions, vec![vote_reply(2, 8, -1, 3, Errors::None, true)]);
}

/// KIP-595 §Vote: a voter that knows the leader of the epoch refuses real votes in it.
#[test]
fn follower_refuses_real_votes() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(1, 3)],
        0,
    );
    let actions = receive(&mut n, 10, 3, 7, vote_request(3, 1, 2, 1, 3, false));
    assert_eq!(actions, vec![vote_reply(3, 7, 2, 2, Errors::None, false)]);
}

/// KIP-996: a Follower grants pre-votes until it has fetched successfully from its
/// leader in this epoch; afterwards it refuses them (no Follower ↔ Prospective
/// ping-pong while the leader is reachable).
#[test]
fn follower_grants_pre_votes_only_until_its_first_successful_fetch() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(1, 3)],
        0,
    );
    let actions = receive(&mut n, 10, 3, 7, vote_request(3, 1, 2, 1, 3, true));
    assert_eq!(actions, vec![vote_reply(3, 7, 2, 2, Errors::None, true)]);

    // The startup Fetch to the leader (correlation id 0) is answered.
    let actions = receive(&mut n, 12, 2, 0, fetch_response(2, 2, 3, vec![]));
    assert_eq!(
        actions,
        vec![
            Action::HighWatermarkAdvanced { high_watermark: 3 },
            send(1, 2, 1, fetch_request(1, 2, 3, 1)),
            Action::Commit(vec![data_batch(0, 1, vec![0, 1, 2])].into()),
        ]
    );
    let actions = receive(&mut n, 13, 3, 8, vote_request(3, 1, 2, 1, 3, true));
    assert_eq!(actions, vec![vote_reply(3, 8, 2, 2, Errors::None, false)]);
}

/// KAFKA-20895 (apache/kafka PR #23168): once its leader resigned, a follower may grant
/// pre-votes again — but only with the proposed fix switched on; Kafka 4.x refuses.
#[test]
fn pre_votes_after_the_leader_resigned_need_the_kafka_20895_fix() {
    for fix in [false, true] {
        let mut cfg = super::harness::config(1, &[1, 2, 3]);
        cfg.quorum.grant_pre_vote_after_resign = fix;
        let mut n = node_with_config(cfg, Some(election(2, Some(2), None)), &[(1, 3)], 0);
        receive(&mut n, 12, 2, 0, fetch_response(2, 2, 3, vec![]));
        let end_epoch = Message::EndQuorumEpochRequest(EndQuorumEpochRequest {
            cluster_id: CLUSTER.into(),
            leader_id: 2,
            leader_epoch: 2,
            preferred_successors: vec![3, 1],
        });
        receive(&mut n, 13, 2, 9, end_epoch);
        let actions = receive(&mut n, 14, 3, 8, vote_request(3, 1, 2, 1, 3, true));
        assert_eq!(
            actions,
            vec![vote_reply(3, 8, 2, 2, Errors::None, fix)],
            "fix={fix}"
        );
    }
}

/// KIP-996: a pre-vote is not binding: granting it writes nothing and a real vote
/// for someone else in the same epoch can still follow.
#[test]
fn granting_a_pre_vote_records_nothing() {
    let mut n = node_with(1, &[1, 2, 3], Some(election(3, None, None)), &[(1, 3)], 0);
    let actions = receive(&mut n, 10, 2, 7, vote_request(2, 1, 3, 1, 3, true));
    assert_eq!(actions, vec![vote_reply(2, 7, -1, 3, Errors::None, true)]);
    assert_eq!(n.quorum_state(), election(3, None, None));
    let actions = receive(&mut n, 11, 3, 8, vote_request(3, 1, 4, 1, 3, false));
    assert_eq!(
        actions[..4],
        [
            Action::PersistQuorumState(election(4, None, None)),
            state_changed(StateKind::Unattached, StateKind::Unattached, 4, None),
            Action::PersistQuorumState(election(4, None, Some(3))),
            state_changed(StateKind::Unattached, StateKind::Unattached, 4, None),
        ]
    );
    assert_eq!(actions[4], vote_reply(3, 8, -1, 4, Errors::None, true));
}

/// KIP-996: a leader refuses every vote, pre-votes included, at its epoch.
#[test]
fn leader_refuses_every_vote() {
    let mut n = leader_with(1, &[1, 2, 3], 2, &[(1, 3)], 0);
    n.drain_actions().for_each(drop);
    let actions = receive(&mut n, 10, 3, 7, vote_request(3, 1, 2, 2, 4, true));
    assert_eq!(actions, vec![vote_reply(3, 7, 1, 2, Errors::None, false)]);
}

/// KIP-996: a prospective with a majority of pre-votes becomes a candidate at
/// epoch + 1 (persisting its self-vote) and asks for real votes.
#[test]
fn majority_of_pre_votes_makes_a_candidate() {
    let mut n = node_with(1, &[1, 2, 3], Some(election(2, None, None)), &[(1, 3)], 0);
    let deadline = n.next_deadline().unwrap();
    let actions = step(&mut n, deadline, Input::Tick);
    assert_eq!(
        actions,
        vec![
            state_changed(StateKind::Unattached, StateKind::Prospective, 2, None),
            send(1, 2, 1, vote_request(1, 2, 2, 1, 3, true)),
            send(1, 3, 2, vote_request(1, 3, 2, 1, 3, true)),
        ]
    );
    let actions = receive(&mut n, deadline + 2, 3, 2, vote_response(-1, 2, true));
    assert_eq!(
        actions,
        vec![
            Action::PersistQuorumState(election(3, None, Some(1))),
            state_changed(StateKind::Prospective, StateKind::Candidate, 3, None),
            send(1, 2, 3, vote_request(1, 2, 3, 1, 3, false)),
            send(1, 3, 4, vote_request(1, 3, 3, 1, 3, false)),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: None,
                epoch: 3
            }),
        ]
    );
}

/// KIP-996: a follower whose fetch timer ran out but whose pre-vote is refused goes
/// back to following the leader it knew, in the same epoch.
#[test]
fn a_lost_pre_vote_returns_to_the_known_leader() {
    let mut n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(1, 3)],
        0,
    );
    let actions = step(&mut n, 2_000, Input::Tick);
    assert_eq!(
        actions[0],
        state_changed(StateKind::Follower, StateKind::Prospective, 2, Some(2))
    );
    receive(
        &mut n,
        2_001,
        2,
        last_request_id(&actions, 2).unwrap(),
        vote_response(2, 2, false),
    );
    let actions = receive(
        &mut n,
        2_002,
        3,
        last_request_id(&actions, 3).unwrap(),
        vote_response(2, 2, false),
    );
    assert_eq!(
        actions,
        vec![
            state_changed(StateKind::Prospective, StateKind::Follower, 2, Some(2)),
            send(1, 2, 3, fetch_request(1, 2, 3, 1)),
        ]
    );
    assert_eq!(n.epoch(), 2);
}
