//! Three-voter runs on the in-memory harness (the full simulator has its own scenario
//! files; these pin the core's behaviour without it).

use super::harness::*;
use crate::kraft::*;

/// KIP-595 §Leader Election, KIP-996: three fresh voters elect one leader in epoch 1
/// after a pre-vote round, and everyone follows it.
#[test]
fn initial_election() {
    let mut c = Cluster::new(&[1, 2, 3], &[]);
    assert!(c.run_until(10_000, |c| c.leader().is_some() && c.converged()));
    let leader = c.leader().unwrap();
    assert_eq!(c.node(leader).epoch(), 1);
    for id in [1, 2, 3] {
        assert_eq!(c.node(id).leader_id(), Some(leader));
        assert_eq!(c.node(id).epoch(), 1);
    }
    // The leader went Unattached → Prospective → Candidate → Leader.
    assert_eq!(
        c.state_changes(leader),
        vec![
            (StateKind::Unattached, 0),
            (StateKind::Prospective, 0),
            (StateKind::Candidate, 1),
            (StateKind::Leader, 1)
        ]
    );
    assert!(c.fatal.is_empty(), "{:?}", c.fatal);
}

fn elected(voters: &[NodeId]) -> Cluster {
    let mut c = Cluster::new(voters, &[]);
    assert!(c.run_until(10_000, |c| c.leader().is_some() && c.converged()));
    c
}

/// KIP-595 §Leader Election: when the leader stops, the others' fetch timers run out
/// and they elect a new leader in a higher epoch, with the committed records intact.
#[test]
fn re_election_after_the_leader_stops() {
    let mut c = elected(&[1, 2, 3]);
    let old = c.leader().unwrap();
    let last = c.append(vec![7, 8, 9]);
    assert!(c.run_until(5_000, |c| c.converged()
        && c.node(old).high_watermark() > Some(last)));
    c.crash(old);
    assert!(c.run_until(10_000, |c| c.leader().is_some_and(|l| l != old)));
    let new = c.leader().unwrap();
    assert!(c.node(new).epoch() > 1);
    assert!(c.run_until(5_000, |c| c.converged()));
    for id in [1, 2, 3].into_iter().filter(|id| *id != old) {
        let applied: Vec<u64> = c.applied[&id].values().copied().collect();
        assert_eq!(applied, vec![7, 8, 9], "node {id}");
    }
    assert!(c.fatal.is_empty(), "{:?}", c.fatal);
}

/// KIP-996 §Motivation: a voter cut off from everyone times out, but its pre-votes
/// fail, so it never bumps its epoch; when it rejoins, the leader and epoch stay.
#[test]
fn pre_vote_keeps_epochs_stable_when_an_isolated_voter_rejoins() {
    let mut c = elected(&[1, 2, 3]);
    let leader = c.leader().unwrap();
    let epoch = c.node(leader).epoch();
    let lonely = [1, 2, 3].into_iter().find(|id| *id != leader).unwrap();
    c.isolate(lonely);
    c.run_for(20_000);
    assert_eq!(
        c.node(lonely).epoch(),
        epoch,
        "pre-vote must not bump the epoch"
    );
    assert!(matches!(
        c.node(lonely).state_kind(),
        StateKind::Prospective | StateKind::Unattached | StateKind::Follower
    ));
    c.heal();
    assert!(c.run_until(10_000, |c| c.converged()));
    assert_eq!(c.leader(), Some(leader));
    assert_eq!(c.node(leader).epoch(), epoch);
}

/// The same cut under Kafka 3.9 (no pre-vote): the isolated voter keeps standing as
/// candidate, its epoch climbs, and on rejoining it forces the leader out.
#[test]
fn without_pre_vote_an_isolated_voter_disrupts_the_leader_on_rejoin() {
    let mut c = Cluster::with_config(&[1, 2, 3], &[], |cfg| cfg.quorum.pre_vote = false);
    assert!(c.run_until(10_000, |c| c.leader().is_some() && c.converged()));
    let leader = c.leader().unwrap();
    let epoch = c.node(leader).epoch();
    let lonely = [1, 2, 3].into_iter().find(|id| *id != leader).unwrap();
    c.isolate(lonely);
    c.run_for(20_000);
    assert!(
        c.node(lonely).epoch() > epoch + 2,
        "epoch {}",
        c.node(lonely).epoch()
    );
    c.heal();
    // Its Vote requests carry the higher epoch: the leader must step down.
    assert!(c.run_until(10_000, |c| c
        .leader()
        .is_some_and(|l| c.node(l).epoch() > epoch)
        && c.converged()));
}

/// KIP-595 §Fetch: a leader isolated from both followers stops hearing Fetches and
/// resigns after 1.5 × fetch timeout (check-quorum), so it cannot serve stale data.
#[test]
fn check_quorum_makes_an_isolated_leader_resign() {
    let mut c = elected(&[1, 2, 3]);
    let leader = c.leader().unwrap();
    c.isolate(leader);
    let t0 = c.now_ms;
    assert!(c.run_until(10_000, |c| c.node(leader).state_kind() != StateKind::Leader));
    let took = c.now_ms - t0;
    // Check-quorum runs 3 s from the last time a majority had fetched, which was
    // shortly before the cut.
    assert!((2_500..=3_000).contains(&took), "resigned after {took} ms");
    assert_eq!(c.node(leader).state_kind(), StateKind::Resigned);
}

/// KIP-595 §Fetch, divergence: a leader that wrote records nobody else got, then lost
/// leadership, finds on rejoining that its log diverged and truncates in one round
/// trip (one Fetch with DivergingEpoch, one Truncated).
#[test]
fn diverged_follower_truncates_in_one_round_trip() {
    let mut c = elected(&[1, 2, 3]);
    let old = c.leader().unwrap();
    c.isolate(old);
    // Appended but never replicated: it stays in the old leader's log only.
    c.append(vec![100, 101]);
    c.run_for(100);
    let old_end = c.node(old).log().end_offset();
    assert!(c.run_until(10_000, |c| c.leader().is_some_and(|l| l != old)));
    let new = c.leader().unwrap();
    // The new leader writes in its epoch.
    let _ = c.step(new, Input::Append(vec![5]));
    assert!(c.run_until(5_000, |c| c.node(new).high_watermark()
        >= Some(c.node(new).log().end_offset())));
    let log_before = c.log.len();
    c.heal();
    assert!(c.run_until(10_000, |c| c.converged()));
    let truncations: Vec<_> = c.log[log_before..]
        .iter()
        .filter(|(_, n, a)| *n == old && matches!(a, Action::Truncated { .. }))
        .collect();
    assert_eq!(truncations.len(), 1, "{truncations:?}");
    if let (
        _,
        _,
        Action::Truncated {
            from_end_offset,
            to_end_offset,
            ..
        },
    ) = truncations[0]
    {
        assert_eq!(*from_end_offset, old_end);
        assert!(*to_end_offset < old_end);
    }
    let applied: Vec<u64> = c.applied[&old].values().copied().collect();
    assert_eq!(applied, vec![5]);
    assert!(c.fatal.is_empty(), "{:?}", c.fatal);
}

/// KIP-630: a follower that was away while the others snapshotted and cleaned their
/// logs gets a SnapshotId in its Fetch response and downloads the snapshot.
#[test]
fn lagging_follower_catches_up_by_snapshot() {
    let mut c = Cluster::with_config(&[1, 2, 3], &[], |cfg| cfg.quorum.max_retention_bytes = 0);
    assert!(c.run_until(10_000, |c| c.leader().is_some() && c.converged()));
    let leader = c.leader().unwrap();
    let away = [1, 2, 3].into_iter().find(|id| *id != leader).unwrap();
    c.crash(away);
    let last = c.append((1..=10).collect());
    assert!(c.run_until(5_000, |c| c.node(leader).high_watermark() > Some(last)));
    let hw = c.node(leader).high_watermark().unwrap();
    let id = c.node(leader).snapshot_id_at(hw).unwrap();
    let sum: u64 = c.applied[&leader].values().sum();
    c.step(
        leader,
        Input::CreateSnapshot(Box::new(Snapshot {
            snapshot_id: id,
            last_contained_log_timestamp_ms: c.now_ms,
            size_bytes: 100,
            data: sum,
        })),
    )
    .unwrap();
    assert_eq!(c.node(leader).log().log_start_offset(), hw);
    c.start(away);
    assert!(c.run_until(10_000, |c| c.converged()));
    let node = c.node(away);
    assert_eq!(node.log().log_start_offset(), hw);
    assert_eq!(node.log().latest_snapshot_id(), Some(id));
    assert!(c
        .actions_of(away)
        .any(|a| matches!(a, Action::LoadSnapshot(s) if s.data == sum)));
    assert!(c.fatal.is_empty(), "{:?}", c.fatal);
}

/// KIP-595 §EndQuorumEpoch: a leader shutting down gracefully resigns, its first
/// preferred successor stands at once, and the old leader finishes its shutdown once
/// it knows the new leader.
#[test]
fn graceful_shutdown_hands_leadership_to_the_preferred_successor() {
    let mut c = elected(&[1, 2, 3]);
    let old = c.leader().unwrap();
    c.step(old, Input::Shutdown { timeout_ms: 5_000 }).unwrap();
    let t0 = c.now_ms;
    assert!(c.run_until(5_000, |c| c.node(old).has_shut_down()));
    assert!(c.now_ms - t0 < 200, "hand-off took {} ms", c.now_ms - t0);
    assert!(c
        .actions_of(old)
        .any(|a| matches!(a, Action::ShutdownComplete { timed_out: false })));
    let new = c.leader().unwrap();
    assert_ne!(new, old);
    assert_eq!(c.node(new).epoch(), 2);
}
