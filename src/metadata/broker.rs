//! A broker's lifecycle (`BrokerLifecycleManager`, KIP-631), sans-IO: registration, then
//! heartbeats every `broker.heartbeat.interval.ms`, the `BrokerState` it moves through,
//! and controlled shutdown. The caller sends the requests it returns to the active
//! controller and hands back the replies.
//!
//! As a partition leader the broker also asks the controller to add replicas back to the
//! ISR (AlterPartition, KIP-497). KRaftScope does not simulate partition data, so a replica
//! counts as caught up as soon as the leader's metadata image shows its broker unfenced and
//! not shutting down (Kafka waits until the follower has fetched up to the leader's high
//! watermark); the leader checks at each heartbeat rather than at each follower fetch.

use serde::Serialize;

use crate::metadata::controller::{
    AlterPartitionEntry, AlterPartitionRequest, BrokerHeartbeatReply, BrokerHeartbeatRequest,
    BrokerRegistrationRequest, ControllerError,
};
use crate::metadata::{MetadataImage, Uuid};

/// Partitions per AlterPartition request (Kafka batches whatever is pending; a bound keeps
/// one request, and the work of one event, small).
pub const MAX_ALTER_PARTITION_ENTRIES: usize = 1_000;

/// `org.apache.kafka.metadata.BrokerState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum BrokerState {
    NotRunning,
    Starting,
    Recovery,
    Running,
    PendingControlledShutdown,
    ShuttingDown,
}

impl BrokerState {
    pub const ALL: [BrokerState; 6] = [
        BrokerState::NotRunning,
        BrokerState::Starting,
        BrokerState::Recovery,
        BrokerState::Running,
        BrokerState::PendingControlledShutdown,
        BrokerState::ShuttingDown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BrokerState::NotRunning => "NOT_RUNNING",
            BrokerState::Starting => "STARTING",
            BrokerState::Recovery => "RECOVERY",
            BrokerState::Running => "RUNNING",
            BrokerState::PendingControlledShutdown => "PENDING_CONTROLLED_SHUTDOWN",
            BrokerState::ShuttingDown => "SHUTTING_DOWN",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl std::fmt::Display for BrokerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A request the broker wants sent to the active controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerRequest {
    Registration(BrokerRegistrationRequest),
    Heartbeat(BrokerHeartbeatRequest),
}

/// One broker's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerLifecycle {
    pub broker_id: i32,
    pub incarnation_id: Uuid,
    pub state: BrokerState,
    /// The epoch the controller gave the registration (None until registered).
    pub broker_epoch: Option<i64>,
    /// The last heartbeat reply said the broker is fenced.
    pub fenced: bool,
    pub heartbeat_interval_ms: u64,
    next_send_ms: u64,
    /// An AlterPartition is in flight until its response, or until this time (then the
    /// next check may send again: `AlterPartitionManager` retries).
    alter_partition_until_ms: Option<u64>,
}

impl BrokerLifecycle {
    /// A starting broker: it registers at once.
    pub fn new(
        broker_id: i32,
        incarnation_id: Uuid,
        heartbeat_interval_ms: u64,
        now_ms: u64,
    ) -> Self {
        Self {
            broker_id,
            incarnation_id,
            state: BrokerState::Starting,
            broker_epoch: None,
            fenced: true,
            heartbeat_interval_ms,
            next_send_ms: now_ms,
            alter_partition_until_ms: None,
        }
    }

    /// ISR expansion (`Partition.maybeExpandIsr` → `AlterPartitionManager`): for the
    /// partitions this broker leads in `image`, the replicas missing from the ISR whose
    /// brokers are unfenced and not shutting down, as one AlterPartition request; `None`
    /// when there is nothing to add, a request is in flight, or the broker is not running.
    pub fn alter_partition_request(
        &mut self,
        now_ms: u64,
        image: &MetadataImage,
    ) -> Option<AlterPartitionRequest> {
        let broker_epoch = self.broker_epoch?;
        if self.state != BrokerState::Running
            || self.alter_partition_until_ms.is_some_and(|t| now_ms < t)
        {
            return None;
        }
        let in_sync = |id: i32| {
            image
                .cluster()
                .broker(id)
                .is_some_and(|b| !b.fenced && !b.in_controlled_shutdown)
        };
        let mut partitions = Vec::new();
        for tp in image.topics().partitions_led_by(self.broker_id) {
            let Some(part) = image.topics().partition(&tp.topic_id, tp.partition_id) else {
                continue;
            };
            let mut new_isr: Vec<i32> = part.isr().to_vec();
            let before = new_isr.len();
            new_isr.extend(
                part.replicas()
                    .iter()
                    .copied()
                    .filter(|id| !part.is_in_isr(*id) && in_sync(*id)),
            );
            if new_isr.len() == before {
                continue;
            }
            partitions.push(AlterPartitionEntry {
                topic_id: tp.topic_id,
                partition_id: tp.partition_id,
                leader_epoch: part.leader_epoch(),
                partition_epoch: part.partition_epoch(),
                new_isr,
            });
            if partitions.len() == MAX_ALTER_PARTITION_ENTRIES {
                break;
            }
        }
        if partitions.is_empty() {
            return None;
        }
        self.alter_partition_until_ms = Some(now_ms + self.heartbeat_interval_ms);
        Some(AlterPartitionRequest {
            broker_id: self.broker_id,
            broker_epoch,
            partitions,
        })
    }

    /// The controller answered. Whatever it said, the next check proposes afresh from the
    /// image, which by then holds the accepted changes (a stale proposal is refused with
    /// INVALID_UPDATE_VERSION and costs one round trip).
    pub fn on_alter_partition_reply(&mut self) {
        self.alter_partition_until_ms = None;
    }

    pub fn next_deadline(&self) -> Option<u64> {
        (self.state != BrokerState::ShuttingDown).then_some(self.next_send_ms)
    }

    /// The request due now, if any (a registration until registered, then a heartbeat).
    /// `metadata_offset` is the offset of the last record the broker replayed.
    pub fn poll(&mut self, now_ms: u64, metadata_offset: i64) -> Option<BrokerRequest> {
        if now_ms < self.next_send_ms || self.state == BrokerState::ShuttingDown {
            return None;
        }
        self.next_send_ms = now_ms + self.heartbeat_interval_ms;
        Some(match self.broker_epoch {
            None => BrokerRequest::Registration(BrokerRegistrationRequest {
                broker_id: self.broker_id,
                incarnation_id: self.incarnation_id,
            }),
            Some(epoch) => BrokerRequest::Heartbeat(BrokerHeartbeatRequest {
                broker_id: self.broker_id,
                broker_epoch: epoch,
                current_metadata_offset: metadata_offset,
                want_fence: false,
                want_shut_down: self.state == BrokerState::PendingControlledShutdown,
            }),
        })
    }

    /// Register again now (the `register <id>` command, or a stale epoch).
    pub fn reregister(&mut self, now_ms: u64) {
        self.broker_epoch = None;
        self.fenced = true;
        if self.state != BrokerState::PendingControlledShutdown {
            self.state = BrokerState::Starting;
        }
        self.next_send_ms = now_ms;
    }

    pub fn on_registration_reply(&mut self, now_ms: u64, reply: Result<i64, ControllerError>) {
        if self.broker_epoch.is_some() {
            return;
        }
        if let Ok(epoch) = reply {
            self.broker_epoch = Some(epoch);
            if self.state == BrokerState::Starting {
                self.state = BrokerState::Recovery;
            }
            // The first heartbeat goes out at once.
            self.next_send_ms = now_ms;
        }
    }

    pub fn on_heartbeat_reply(
        &mut self,
        now_ms: u64,
        reply: Result<BrokerHeartbeatReply, ControllerError>,
    ) {
        match reply {
            Ok(r) => {
                self.fenced = r.is_fenced;
                if self.state == BrokerState::Recovery && !r.is_fenced {
                    self.state = BrokerState::Running;
                }
                if self.state == BrokerState::PendingControlledShutdown && r.should_shut_down {
                    self.state = BrokerState::ShuttingDown;
                }
            }
            Err(ControllerError::StaleBrokerEpoch | ControllerError::BrokerIdNotRegistered) => {
                self.reregister(now_ms)
            }
            Err(_) => {}
        }
    }

    /// `beginControlledShutdown`: heartbeat at once with WantShutDown.
    pub fn begin_controlled_shutdown(&mut self, now_ms: u64) {
        if self.state != BrokerState::ShuttingDown {
            self.state = BrokerState::PendingControlledShutdown;
            self.next_send_ms = now_ms;
        }
    }
}
