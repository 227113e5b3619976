//! A broker's lifecycle (`BrokerLifecycleManager`, KIP-631), sans-IO: registration, then
//! heartbeats every `broker.heartbeat.interval.ms`, the `BrokerState` it moves through,
//! and controlled shutdown. The caller sends the requests it returns to the active
//! controller and hands back the replies.

use serde::Serialize;

use crate::metadata::controller::{
    BrokerHeartbeatReply, BrokerHeartbeatRequest, BrokerRegistrationRequest, ControllerError,
};
use crate::metadata::Uuid;

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
        }
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
