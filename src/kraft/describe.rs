//! DescribeQuorum (55): the leader's view of every replica, as
//! `kafka-metadata-quorum.sh describe --status/--replication` prints it.

use super::leader::OBSERVER_SESSION_TIMEOUT_MS;
use super::node::RaftNode;
use super::rpc::{leader_id_or_nil, DescribeQuorumResponse, Errors};
use super::state::EpochState;
use super::types::RaftTypes;

impl<T: RaftTypes> RaftNode<T> {
    /// Leader only; any other node answers NOT_LEADER_OR_FOLLOWER. Observers silent
    /// for five minutes are left out (Kafka forgets them).
    pub fn describe_quorum(&self) -> DescribeQuorumResponse {
        let now = self.now_ms;
        match &self.state {
            EpochState::Leader(leader) => {
                let mut current_voters: Vec<_> =
                    leader.voter_states.iter().map(|s| s.describe()).collect();
                // The leader's own row: it is always caught up with itself.
                for row in current_voters
                    .iter_mut()
                    .filter(|r| r.replica_id == leader.local_id)
                {
                    row.log_end_offset = self.log.end_offset();
                    row.last_fetch_timestamp = now as i64;
                    row.last_caught_up_timestamp = now as i64;
                }
                let observers = leader
                    .observer_states
                    .iter()
                    .filter(|s| {
                        s.last_fetch_timestamp_ms
                            .is_some_and(|t| now.saturating_sub(t) < OBSERVER_SESSION_TIMEOUT_MS)
                    })
                    .map(|s| s.describe())
                    .collect();
                DescribeQuorumResponse {
                    error_code: Errors::None,
                    leader_id: leader.local_id,
                    leader_epoch: leader.epoch,
                    high_watermark: leader.high_watermark.unwrap_or(-1),
                    current_voters,
                    observers,
                }
            }
            _ => DescribeQuorumResponse {
                error_code: Errors::NotLeaderOrFollower,
                leader_id: leader_id_or_nil(self.leader_id()),
                leader_epoch: self.epoch(),
                high_watermark: -1,
                current_voters: Vec::new(),
                observers: Vec::new(),
            },
        }
    }
}
