//! `QuorumState.initialize`: the state a node starts in from its quorum-state file and
//! log (KIP-595 §Durability; Kafka's `QuorumState.initialize`).

use super::support::*;
use crate::kraft::*;

/// An ex-leader comes back Resigned in its own epoch: it cannot vote for another
/// candidate there, and (offset, epoch) stays unique although unflushed records died.
#[test]
fn an_ex_leader_comes_back_resigned_in_its_epoch() {
    let n = node_with(
        1,
        &[1, 2, 3],
        Some(election(4, Some(1), None)),
        &[(4, 2)],
        0,
    );
    assert_eq!((n.state_kind(), n.epoch()), (StateKind::Resigned, 4));
}

/// A node that had voted for itself resumes its candidacy in the same epoch.
#[test]
fn a_self_voted_node_comes_back_candidate() {
    let n = node_with(
        1,
        &[1, 2, 3],
        Some(election(4, None, Some(1))),
        &[(3, 2)],
        0,
    );
    assert_eq!((n.state_kind(), n.epoch()), (StateKind::Candidate, 4));
}

/// A node that knew the leader follows it again (and keeps its vote).
#[test]
fn a_node_that_knew_a_leader_follows_it() {
    let n = node_with(
        1,
        &[1, 2, 3],
        Some(election(4, Some(2), Some(2))),
        &[(3, 2)],
        0,
    );
    assert_eq!(
        (n.state_kind(), n.epoch(), n.leader_id(), n.voted_id()),
        (StateKind::Follower, 4, Some(2), Some(2))
    );
}

/// A quorum-state file older than the log's last epoch is overridden by the log.
#[test]
fn a_stale_quorum_state_yields_unattached_at_the_log_epoch() {
    let n = node_with(
        1,
        &[1, 2, 3],
        Some(election(2, Some(2), None)),
        &[(3, 2)],
        0,
    );
    assert_eq!(
        (n.state_kind(), n.epoch(), n.leader_id()),
        (StateKind::Unattached, 3, None)
    );
}

/// The startup transition is durable: it writes quorum-state and reports the state.
#[test]
fn startup_actions() {
    let mut n = RaftNode::new(
        super::harness::config(1, &[1, 2, 3]),
        DurableState::<super::harness::TestTypes>::default(),
        0,
    );
    let actions: Vec<_> = n.drain_actions().collect();
    assert_eq!(
        actions,
        vec![
            state_changed(StateKind::Unattached, StateKind::Unattached, 0, None),
            // Looking for a leader with a Fetch to a random voter.
            send(1, 2, 0, fetch_request(1, 0, 0, 0)),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: None,
                epoch: 0
            }),
        ]
    );
    // The election timer is drawn from [T, 2T).
    let d = n.next_deadline().unwrap();
    assert!((1_000..2_000).contains(&d), "{d}");
}

/// A single voter elects itself at once: Prospective → Candidate → Leader, and its
/// LeaderChangeMessage is committed by itself alone.
#[test]
fn a_single_voter_elects_itself_at_once() {
    let mut n = RaftNode::new(
        super::harness::config(1, &[1]),
        DurableState::<super::harness::TestTypes>::default(),
        0,
    );
    let kinds: Vec<_> = n
        .drain_actions()
        .filter_map(|a| match a {
            Action::StateChanged { to, epoch, .. } => Some((to, epoch)),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (StateKind::Unattached, 0),
            (StateKind::Prospective, 0),
            (StateKind::Candidate, 1),
            (StateKind::Leader, 1)
        ]
    );
    assert_eq!(n.high_watermark(), Some(1));
}

/// Kafka 3.9 (pre-vote off): the election timer makes a Candidate at epoch + 1
/// directly, with no Prospective state.
#[test]
fn without_pre_vote_a_timeout_makes_a_candidate() {
    let mut cfg = super::harness::config(1, &[1, 2, 3]);
    cfg.quorum.pre_vote = false;
    let mut n = node_with_config(cfg, Some(election(2, None, None)), &[(1, 3)], 0);
    let deadline = n.next_deadline().unwrap();
    let actions = step(&mut n, deadline, Input::Tick);
    assert_eq!(
        actions,
        vec![
            Action::PersistQuorumState(election(3, None, Some(1))),
            state_changed(StateKind::Unattached, StateKind::Candidate, 3, None),
            send(1, 2, 1, vote_request(1, 2, 3, 1, 3, false)),
            send(1, 3, 2, vote_request(1, 3, 3, 1, 3, false)),
            Action::LeaderChange(LeaderAndEpoch {
                leader_id: None,
                epoch: 3
            }),
        ]
    );
}
