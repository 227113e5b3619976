//! Builders for single-node handler tests: a node started from a chosen disk, its
//! startup actions drained, and message constructors with Kafka's defaults.

use super::harness::{config, Node, TestTypes};
use crate::kraft::*;
use std::sync::Arc;

pub const CLUSTER: &str = "kraftscope-test";

/// A node started at `now_ms` from a disk holding `epochs_and_counts` (one data batch
/// per entry, flushed) and the given quorum-state; its startup actions are dropped.
pub fn node_with(
    id: NodeId,
    voters: &[NodeId],
    quorum_state: Option<ElectionState>,
    epochs_and_counts: &[(Epoch, usize)],
    now_ms: u64,
) -> Node {
    node_with_config(config(id, voters), quorum_state, epochs_and_counts, now_ms)
}

pub fn node_with_config(
    cfg: NodeConfig,
    quorum_state: Option<ElectionState>,
    epochs_and_counts: &[(Epoch, usize)],
    now_ms: u64,
) -> Node {
    let mut log = ReplicatedLog::<TestTypes>::new();
    let mut offset = 0;
    for &(epoch, count) in epochs_and_counts {
        let batch = Batch {
            base_offset: offset,
            epoch,
            append_time_ms: 0,
            records: BatchRecords::Data((0..count as u64).map(|i| offset as u64 + i).collect()),
        };
        offset += count as Offset;
        log.append(Arc::new(batch)).unwrap();
    }
    log.flush();
    let mut node = Node::new(cfg, DurableState { log, quorum_state }, now_ms);
    node.drain_actions().for_each(drop);
    node
}

pub fn election(epoch: Epoch, leader: Option<NodeId>, voted: Option<NodeId>) -> ElectionState {
    ElectionState {
        leader_epoch: epoch,
        leader_id: leader,
        voted_id: voted,
    }
}

pub fn step(node: &mut Node, now_ms: u64, input: Input<TestTypes>) -> Vec<Action<TestTypes>> {
    node.step(now_ms, input).expect("step");
    node.drain_actions().collect()
}

pub fn receive(
    node: &mut Node,
    now_ms: u64,
    from: NodeId,
    correlation_id: i32,
    message: Message<TestTypes>,
) -> Vec<Action<TestTypes>> {
    let to = node.node_id();
    step(
        node,
        now_ms,
        Input::Receive(Envelope {
            from,
            to,
            correlation_id,
            message,
        }),
    )
}

pub fn send(
    from: NodeId,
    to: NodeId,
    correlation_id: i32,
    message: Message<TestTypes>,
) -> Action<TestTypes> {
    Action::Send(Envelope {
        from,
        to,
        correlation_id,
        message,
    })
}

pub fn vote_request(
    from: NodeId,
    to: NodeId,
    epoch: Epoch,
    last_epoch: Epoch,
    last_offset: Offset,
    pre_vote: bool,
) -> Message<TestTypes> {
    Message::VoteRequest(VoteRequest {
        cluster_id: CLUSTER.into(),
        replica_epoch: epoch,
        replica_id: from,
        voter_id: to,
        last_offset_epoch: last_epoch,
        last_offset,
        pre_vote,
    })
}

pub fn vote_response(leader_id: i32, epoch: Epoch, granted: bool) -> Message<TestTypes> {
    Message::VoteResponse(VoteResponse {
        top_level_error: Errors::None,
        error_code: Errors::None,
        leader_id,
        leader_epoch: epoch,
        vote_granted: granted,
    })
}

pub fn fetch_request(
    from: NodeId,
    epoch: Epoch,
    fetch_offset: Offset,
    last_fetched_epoch: Epoch,
) -> Message<TestTypes> {
    Message::FetchRequest(FetchRequest {
        cluster_id: CLUSTER.into(),
        replica_id: from,
        max_wait_ms: 100,
        max_bytes: 8 * 1024 * 1024,
        current_leader_epoch: epoch,
        fetch_offset,
        last_fetched_epoch,
    })
}

pub fn state_changed(
    from: StateKind,
    to: StateKind,
    epoch: Epoch,
    leader_id: Option<NodeId>,
) -> Action<TestTypes> {
    Action::StateChanged {
        from,
        to,
        epoch,
        leader_id,
    }
}

/// A voter that restarts as a self-voted Candidate in `epoch` (after a crash mid
/// election) and wins with node `granting`'s vote: a Leader of `epoch` whose log holds
/// `epochs_and_counts` then its LeaderChangeMessage. Startup actions are dropped.
pub fn leader_with(
    id: NodeId,
    voters: &[NodeId],
    epoch: Epoch,
    epochs_and_counts: &[(Epoch, usize)],
    now_ms: u64,
) -> Node {
    let mut node = node_with(
        id,
        voters,
        Some(election(epoch, None, Some(id))),
        epochs_and_counts,
        now_ms,
    );
    assert_eq!(node.state_kind(), StateKind::Candidate);
    let granting = voters
        .iter()
        .copied()
        .find(|v| *v != id)
        .expect("another voter");
    // The candidate's first Vote request to `granting` went out with correlation id
    // equal to its position among the other voters.
    let correlation_id = voters
        .iter()
        .filter(|v| **v != id)
        .position(|v| *v == granting)
        .unwrap() as i32;
    receive(
        &mut node,
        now_ms,
        granting,
        correlation_id,
        vote_response(-1, epoch, true),
    );
    assert_eq!(node.state_kind(), StateKind::Leader);
    node
}

pub fn fetch_response(
    node_epoch: Epoch,
    leader: NodeId,
    high_watermark: Offset,
    records: Vec<std::sync::Arc<Batch<TestTypes>>>,
) -> Message<TestTypes> {
    Message::FetchResponse(FetchResponse {
        top_level_error: Errors::None,
        error_code: Errors::None,
        high_watermark,
        log_start_offset: 0,
        diverging_epoch: None,
        current_leader: LeaderIdAndEpoch {
            leader_id: leader,
            leader_epoch: node_epoch,
        },
        snapshot_id: None,
        records: records.into(),
    })
}

pub fn data_batch(
    base_offset: Offset,
    epoch: Epoch,
    records: Vec<u64>,
) -> std::sync::Arc<Batch<TestTypes>> {
    std::sync::Arc::new(Batch {
        base_offset,
        epoch,
        append_time_ms: 0,
        records: BatchRecords::Data(records),
    })
}

/// The correlation id of the last request `node` sent to `to` in `actions`.
pub fn last_request_id(actions: &[Action<TestTypes>], to: NodeId) -> Option<i32> {
    actions.iter().rev().find_map(|a| match a {
        Action::Send(e) if e.to == to && e.message.is_request() => Some(e.correlation_id),
        _ => None,
    })
}
