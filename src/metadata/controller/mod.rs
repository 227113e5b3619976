//! The quorum controller (`QuorumController`, KIP-631), sans-IO: the caller tells it when
//! its node becomes the active controller (the Raft leader whose listener has replayed up
//! to the epoch start), hands it broker RPCs and timer ticks, and appends the records it
//! returns to the metadata log. It never reads a clock and never draws a random number.
//!
//! The active controller keeps a *working image*: the committed image it was activated
//! with plus every record it has written since (Kafka's controller likewise applies its
//! own records to its in-memory state before they commit, with a snapshot registry to
//! revert them if it loses leadership; here losing leadership drops the working image,
//! and the next activation starts again from the committed image). A standby keeps
//! nothing here: its loader's image is its hot state, so failover needs no reload.
//!
//! Broker sessions (`BrokerHeartbeatManager`) are in memory only: a new active controller
//! gives every registered broker a fresh session at activation (apache/kafka#18009: a
//! broker that died during a failover must still be fenced one session timeout later).
//!
//! Request size is capped as in Kafka 4.x, so no user request makes one huge batch:
//! `ReplicationControlManager.validateTotalNumberOfPartitions` refuses a CreateTopics
//! asking for more than [`MAX_PARTITIONS_PER_BATCH`] partitions (POLICY_VIOLATION
//! "Excessively large number of partitions per request."), and every user operation
//! collects its records in a `BoundedList` of `QuorumController.MAX_RECORDS_PER_USER_OP`
//! ([`MAX_RECORDS_PER_USER_OP`]) entries, whose overflow `EventHandlerExceptionInfo`
//! answers with POLICY_VIOLATION "Unable to perform excessively large batch operation.".
//! So a CreateTopics carries at most 9,999 partitions (its TopicRecord is the 10,000th
//! record) and a CreatePartitions (which has no partition check of its own) at most
//! 10,000 new ones. Larger topics are built by an admin tool in several requests
//! (`crate::sim::admin`).

use crate::ordered::ordered;
use std::collections::BTreeMap;

mod alter_partition;
mod balance;
pub use alter_partition::{AlterPartitionEntry, AlterPartitionRequest, AlterPartitionResults};
pub use balance::{ImbalanceSchedule, MAX_ELECTIONS_PER_IMBALANCE};

use crate::metadata::{
    BrokerEndpoint, BrokerRegistrationChangeRecord, ConfigRecord, ConfigResourceType,
    FeatureLevelRecord, MetadataDelta, MetadataImage, MetadataProvenance, MetadataRecord,
    MetadataVersion, NoOpRecord, PartitionChangeRecord, PartitionRecord, RegisterBrokerRecord,
    RemoveTopicRecord, TopicIdPartition, TopicRecord, Uuid, FENCED_CHANGE_FENCE,
    FENCED_CHANGE_UNFENCE, IN_CONTROLLED_SHUTDOWN_CHANGE_SET, METADATA_VERSION_FEATURE_NAME,
    NO_LEADER, NO_LEADER_CHANGE,
};

/// `ReplicationControlManager.MAX_PARTITIONS_PER_BATCH`: the most partitions one
/// CreateTopics request may ask for, over all its topics.
pub const MAX_PARTITIONS_PER_BATCH: u32 = 10_000;
/// `QuorumController.MAX_RECORDS_PER_USER_OP` (= `DEFAULT_MAX_RECORDS_PER_BATCH`): the most
/// records one user-initiated operation may write.
pub const MAX_RECORDS_PER_USER_OP: usize = 10_000;

/// The controller's timers, with Kafka's names and defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControllerConfig {
    /// `broker.heartbeat.interval.ms` (brokers use it; the controller only reports it).
    pub broker_heartbeat_interval_ms: u64,
    /// `broker.session.timeout.ms`.
    pub broker_session_timeout_ms: u64,
    /// `metadata.max.idle.interval.ms`: a NoOpRecord when nothing was written for this
    /// long (0 turns it off).
    pub metadata_max_idle_interval_ms: u64,
    /// `leader.imbalance.check.interval.seconds` (300), in ms; `None` when
    /// `auto.leader.rebalance.enable=false` (Kafka then never balances leaders).
    pub leader_imbalance_check_interval_ms: Option<u64>,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            broker_heartbeat_interval_ms: 2_000,
            broker_session_timeout_ms: 9_000,
            metadata_max_idle_interval_ms: 500,
            leader_imbalance_check_interval_ms: Some(300_000),
        }
    }
}

/// Kafka error codes the controller answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ControllerError {
    /// `NOT_CONTROLLER`: this node is not the active controller.
    NotController,
    /// `DUPLICATE_BROKER_REGISTRATION`: a live broker holds this id.
    DuplicateBrokerRegistration,
    /// `STALE_BROKER_EPOCH`: the heartbeat names an old registration.
    StaleBrokerEpoch,
    /// `BROKER_ID_NOT_REGISTERED`.
    BrokerIdNotRegistered,
    /// `TOPIC_ALREADY_EXISTS`.
    TopicAlreadyExists,
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    UnknownTopicOrPartition,
    /// `INVALID_REPLICATION_FACTOR`: fewer unfenced brokers than replicas.
    InvalidReplicationFactor,
    /// `INVALID_PARTITIONS`: a partition count that is not positive.
    InvalidPartitions,
    /// `INVALID_PARTITIONS` from CreatePartitions: the new count is not above the topic's
    /// `current` count ("Topic already has …" / "… would not be an increase.").
    NotAnIncrease { current: u32, requested: u32 },
    /// `POLICY_VIOLATION` from `validateTotalNumberOfPartitions`: more than
    /// [`MAX_PARTITIONS_PER_BATCH`] partitions in one CreateTopics.
    ExcessivePartitionsPerRequest,
    /// `POLICY_VIOLATION` for a `BoundedListTooLongException`: the operation would write
    /// more than [`MAX_RECORDS_PER_USER_OP`] records.
    ExcessivelyLargeBatch,
    /// `ELECTION_NOT_NEEDED`: the partition is already led by its preferred replica.
    ElectionNotNeeded,
    /// `PREFERRED_LEADER_NOT_AVAILABLE`: the preferred replica is out of the ISR, fenced
    /// or shutting down.
    PreferredLeaderNotAvailable,
    /// `NOT_LEADER_OR_FOLLOWER`: an AlterPartition from a broker that does not lead.
    NotLeaderOrFollower,
    /// `FENCED_LEADER_EPOCH`: an AlterPartition for an older leader epoch.
    FencedLeaderEpoch,
    /// `INVALID_UPDATE_VERSION`: an AlterPartition based on an older partition epoch.
    InvalidUpdateVersion,
    /// `INELIGIBLE_REPLICA`: a proposed ISR member is fenced, shutting down or no replica.
    IneligibleReplica,
}

impl ControllerError {
    pub fn name(self) -> &'static str {
        match self {
            ControllerError::NotController => "NOT_CONTROLLER",
            ControllerError::DuplicateBrokerRegistration => "DUPLICATE_BROKER_REGISTRATION",
            ControllerError::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            ControllerError::BrokerIdNotRegistered => "BROKER_ID_NOT_REGISTERED",
            ControllerError::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            ControllerError::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ControllerError::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            ControllerError::InvalidPartitions | ControllerError::NotAnIncrease { .. } => {
                "INVALID_PARTITIONS"
            }
            ControllerError::ExcessivePartitionsPerRequest
            | ControllerError::ExcessivelyLargeBatch => "POLICY_VIOLATION",
            ControllerError::ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            ControllerError::PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            ControllerError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ControllerError::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ControllerError::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ControllerError::IneligibleReplica => "INELIGIBLE_REPLICA",
        }
    }
}

impl ControllerError {
    /// Kafka's error message where it carries one worth showing (the topic name that
    /// Kafka's INVALID_PARTITIONS message starts with is the caller's to add).
    pub fn message(self) -> Option<String> {
        match self {
            ControllerError::NotAnIncrease { current, requested } if current == requested => {
                Some(format!("Topic already has {current} partition(s)."))
            }
            ControllerError::NotAnIncrease { current, requested } => Some(format!(
                "The topic currently has {current} partition(s); {requested} would not be an increase."
            )),
            ControllerError::ExcessivePartitionsPerRequest => {
                Some("Excessively large number of partitions per request.".into())
            }
            ControllerError::ExcessivelyLargeBatch => {
                Some("Unable to perform excessively large batch operation.".into())
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for ControllerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())?;
        match self.message() {
            Some(m) => write!(f, " ({m})"),
            None => Ok(()),
        }
    }
}

/// `BrokerRegistrationRequest` (api key 62).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerRegistrationRequest {
    pub broker_id: i32,
    pub incarnation_id: Uuid,
}

/// `BrokerHeartbeatRequest` (api key 63).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerHeartbeatRequest {
    pub broker_id: i32,
    pub broker_epoch: i64,
    /// The offset of the last record the broker has replayed.
    pub current_metadata_offset: i64,
    pub want_fence: bool,
    pub want_shut_down: bool,
}

/// `BrokerHeartbeatResponse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerHeartbeatReply {
    pub is_caught_up: bool,
    pub is_fenced: bool,
    pub should_shut_down: bool,
}

/// In-memory session of one broker (`BrokerHeartbeatManager.BrokerHeartbeatState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Session {
    last_contact_ms: u64,
    metadata_offset: i64,
    want_shut_down: bool,
    /// Offset of the last record of this broker's controlled shutdown (KIP-841: it may
    /// stop once it has replayed past it).
    shutdown_offset: i64,
}

#[derive(Clone, Debug)]
struct Active {
    epoch: i32,
    image: MetadataImage,
    sessions: BTreeMap<i32, Session>,
    last_write_ms: u64,
    /// The earliest session expiry among unfenced brokers: `next_deadline` runs after
    /// every event on this node, so it is kept up to date where sessions or the image
    /// change ([`Active::refresh_fence_deadline`]) instead of recomputed there.
    fence_deadline_ms: Option<u64>,
    /// The next preferred-leader balancing pass.
    imbalance: ImbalanceSchedule,
}

impl Active {
    fn refresh_fence_deadline(&mut self, session_timeout_ms: u64) {
        self.fence_deadline_ms = self
            .sessions
            .iter()
            .filter(|(id, _)| self.image.cluster().broker(**id).is_some_and(|b| !b.fenced))
            .map(|(_, s)| s.last_contact_ms + session_timeout_ms + 1)
            .min();
    }
}

/// The quorum controller of one node.
#[derive(Clone, Debug)]
pub struct QuorumController {
    pub config: ControllerConfig,
    active: Option<Active>,
}

/// Records to append, in order, as one batch.
pub type Records = Vec<MetadataRecord>;

impl QuorumController {
    pub fn new(config: ControllerConfig) -> Self {
        Self {
            config,
            active: None,
        }
    }

    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    pub fn epoch(&self) -> Option<i32> {
        self.active.as_ref().map(|a| a.epoch)
    }

    /// The working image (committed image plus this controller's own writes).
    pub fn image(&self) -> Option<&MetadataImage> {
        self.active.as_ref().map(|a| &a.image)
    }

    /// `QuorumController.claim` + `CompleteActivationEvent`: become active from the
    /// committed image at once (no reload). An empty log gets its bootstrap records,
    /// any other a NoOpRecord.
    /// `next_offset` is where the returned records will be written.
    pub fn activate(
        &mut self,
        now_ms: u64,
        epoch: i32,
        committed: &MetadataImage,
        next_offset: i64,
    ) -> Records {
        let sessions: BTreeMap<_, _> = ordered(committed.cluster().brokers().map(|b| {
            (
                b.id,
                Session {
                    last_contact_ms: now_ms,
                    metadata_offset: -1,
                    want_shut_down: b.in_controlled_shutdown,
                    shutdown_offset: -1,
                },
            )
        }));
        self.active = Some(Active {
            epoch,
            image: committed.clone(),
            sessions,
            last_write_ms: now_ms,
            fence_deadline_ms: None,
            imbalance: ImbalanceSchedule::Deferred,
        });
        if let Some(a) = self.active.as_mut() {
            a.refresh_fence_deadline(self.config.broker_session_timeout_ms);
        }
        let mut records = Vec::new();
        if committed.features().metadata_version().is_none() {
            records.push(MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: METADATA_VERSION_FEATURE_NAME.to_string(),
                feature_level: MetadataVersion::SIMULATED.feature_level(),
            }));
        } else {
            // Simplification: Kafka's activation writes records only when the log needs
            // them; KRaftScope always writes (a NoOpRecord) so that the first write of a
            // new controller, and so the no-reload failover, shows in the trace at once.
            records.push(MetadataRecord::NoOp(NoOpRecord {}));
        }
        self.wrote(now_ms, next_offset, records)
    }

    /// `renounce()`: drop the working image and every session.
    pub fn renounce(&mut self) {
        self.active = None;
    }

    /// When [`Self::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<u64> {
        let a = self.active.as_ref()?;
        let noop = (self.config.metadata_max_idle_interval_ms > 0)
            .then(|| a.last_write_ms + self.config.metadata_max_idle_interval_ms);
        use crate::kraft::earliest;
        earliest(earliest(noop, a.fence_deadline_ms), a.imbalance.deadline())
    }

    /// Periodic work: fence brokers whose session expired (`maybeFenceOneStaleBroker`),
    /// then a NoOpRecord if the log was idle for `metadata.max.idle.interval.ms`.
    pub fn tick(&mut self, now_ms: u64, next_offset: i64) -> Records {
        let timeout = self.config.broker_session_timeout_ms;
        let Some(a) = self.active.as_mut() else {
            return Vec::new();
        };
        let stale: Vec<i32> = a
            .sessions
            .iter()
            .filter(|(id, s)| {
                now_ms > s.last_contact_ms + timeout
                    && a.image.cluster().broker(**id).is_some_and(|b| !b.fenced)
            })
            .map(|(id, _)| *id)
            .collect();
        let mut records: Records = Vec::new();
        for id in stale {
            // One broker at a time: the next broker's changes see this one's.
            let fenced = fence_records(&a.image, id, FenceKind::Fence);
            let last = next_offset + (records.len() + fenced.len()) as i64 - 1;
            a.image = replayed(&a.image, &fenced, last);
            records.extend(fenced);
        }
        if !records.is_empty() {
            a.refresh_fence_deadline(timeout);
            a.last_write_ms = now_ms;
            self.reschedule_balance(now_ms);
            return records;
        }
        if let Some(at_ms) = a.imbalance.deadline() {
            if now_ms >= at_ms {
                // The MAYBE_BALANCE_PARTITION_LEADERS event.
                let (changes, capped) = balance::balance_partition_leaders(&a.image);
                a.imbalance = if capped {
                    ImbalanceSchedule::Immediately
                } else {
                    ImbalanceSchedule::Deferred
                };
                let records = changes
                    .into_iter()
                    .map(MetadataRecord::PartitionChange)
                    .collect();
                let records = self.wrote(now_ms, next_offset, records);
                if records.is_empty() {
                    self.reschedule_balance(now_ms);
                }
                return records;
            }
        }
        let idle = self.config.metadata_max_idle_interval_ms;
        if idle > 0 && now_ms >= a.last_write_ms + idle {
            return self.wrote(
                now_ms,
                next_offset,
                vec![MetadataRecord::NoOp(NoOpRecord {})],
            );
        }
        Vec::new()
    }

    /// `registerBroker`: a RegisterBrokerRecord (fenced) whose offset is the broker epoch.
    pub fn register_broker(
        &mut self,
        now_ms: u64,
        request: BrokerRegistrationRequest,
        next_offset: i64,
    ) -> Result<(i64, Records), ControllerError> {
        let timeout = self.config.broker_session_timeout_ms;
        let a = self.active.as_mut().ok_or(ControllerError::NotController)?;
        let mut records = Vec::new();
        if let Some(existing) = a.image.cluster().broker(request.broker_id) {
            let live = a
                .sessions
                .get(&request.broker_id)
                .is_some_and(|s| now_ms <= s.last_contact_ms + timeout);
            if existing.incarnation_id != request.incarnation_id && live && !existing.fenced {
                return Err(ControllerError::DuplicateBrokerRegistration);
            }
            // `handleBrokerUncleanShutdown`: a broker that comes back under a new
            // registration first leaves every ISR and leadership of the old one.
            if !existing.fenced || existing.in_controlled_shutdown {
                records = fence_records(&a.image, request.broker_id, FenceKind::Fence);
                a.image = replayed(&a.image, &records, next_offset + records.len() as i64 - 1);
            }
        }
        let broker_epoch = next_offset + records.len() as i64;
        a.sessions.insert(
            request.broker_id,
            Session {
                last_contact_ms: now_ms,
                metadata_offset: -1,
                want_shut_down: false,
                shutdown_offset: -1,
            },
        );
        a.refresh_fence_deadline(timeout);
        let record = MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            broker_id: request.broker_id,
            is_migrating_zk_broker: false,
            incarnation_id: request.incarnation_id,
            broker_epoch,
            end_points: vec![BrokerEndpoint {
                name: "PLAINTEXT".into(),
                host: format!("broker-{}", request.broker_id),
                port: 9092,
                security_protocol: 0,
            }],
            features: Vec::new(),
            rack: None,
            fenced: true,
            in_controlled_shutdown: false,
        });
        let written = self.wrote(now_ms, broker_epoch, vec![record]);
        records.extend(written);
        Ok((broker_epoch, records))
    }

    /// `processBrokerHeartbeat`: refresh the session; unfence a broker that has caught up
    /// past its registration; move a broker that wants to shut down through controlled
    /// shutdown (leave every ISR and leadership) and say when it may stop.
    pub fn heartbeat(
        &mut self,
        now_ms: u64,
        request: BrokerHeartbeatRequest,
        next_offset: i64,
    ) -> Result<(BrokerHeartbeatReply, Records), ControllerError> {
        let a = self.active.as_mut().ok_or(ControllerError::NotController)?;
        let broker = a
            .image
            .cluster()
            .broker(request.broker_id)
            .ok_or(ControllerError::BrokerIdNotRegistered)?
            .clone();
        if broker.epoch != request.broker_epoch {
            return Err(ControllerError::StaleBrokerEpoch);
        }
        let shutdown_offset = a
            .sessions
            .get(&request.broker_id)
            .map_or(-1, |s| s.shutdown_offset);
        a.sessions.insert(
            request.broker_id,
            Session {
                last_contact_ms: now_ms,
                metadata_offset: request.current_metadata_offset,
                want_shut_down: request.want_shut_down,
                shutdown_offset,
            },
        );
        a.refresh_fence_deadline(self.config.broker_session_timeout_ms);
        let caught_up = request.current_metadata_offset >= broker.epoch;
        let mut records = Vec::new();
        if request.want_shut_down {
            if !broker.in_controlled_shutdown {
                records = fence_records(&a.image, request.broker_id, FenceKind::Shutdown);
            }
        } else if request.want_fence && !broker.fenced {
            records = fence_records(&a.image, request.broker_id, FenceKind::Fence);
        } else if broker.fenced && caught_up {
            records = unfence_records(&a.image, request.broker_id, broker.epoch);
        }
        let records = self.wrote(now_ms, next_offset, records);
        let a = self.active.as_mut().expect("active");
        let session = a.sessions.get_mut(&request.broker_id).expect("session");
        if request.want_shut_down && !records.is_empty() {
            session.shutdown_offset = next_offset + records.len() as i64 - 1;
        }
        let replayed_shutdown = request.current_metadata_offset >= session.shutdown_offset;
        let after = a
            .image
            .cluster()
            .broker(request.broker_id)
            .expect("registered");
        let leads_nothing = a
            .image
            .topics()
            .partitions_led_by(request.broker_id)
            .next()
            .is_none();
        Ok((
            BrokerHeartbeatReply {
                is_caught_up: caught_up,
                is_fenced: after.fenced,
                should_shut_down: request.want_shut_down
                    && (after.in_controlled_shutdown || after.fenced)
                    && leads_nothing
                    && replayed_shutdown,
            },
            records,
        ))
    }

    /// `createTopics`: TopicRecord, a PartitionRecord per partition (replicas placed
    /// round-robin over the unfenced brokers, ISR = replicas, leader = first), and the
    /// topic's ConfigRecords. Refused over [`MAX_PARTITIONS_PER_BATCH`] partitions, before
    /// anything else is checked as in Kafka, and over [`MAX_RECORDS_PER_USER_OP`] records.
    pub fn create_topic(
        &mut self,
        now_ms: u64,
        name: &str,
        partitions: u32,
        replication: u32,
        next_offset: i64,
    ) -> Result<Records, ControllerError> {
        let a = self.active.as_mut().ok_or(ControllerError::NotController)?;
        if partitions > MAX_PARTITIONS_PER_BATCH {
            return Err(ControllerError::ExcessivePartitionsPerRequest);
        }
        if a.image.topics().topic_by_name(name).is_some() {
            return Err(ControllerError::TopicAlreadyExists);
        }
        if partitions == 0 {
            return Err(ControllerError::InvalidPartitions);
        }
        let usable = usable_brokers(&a.image);
        if replication == 0 || usable.len() < replication as usize {
            return Err(ControllerError::InvalidReplicationFactor);
        }
        // The TopicRecord is one of the operation's records too.
        if partitions as usize + 1 > MAX_RECORDS_PER_USER_OP {
            return Err(ControllerError::ExcessivelyLargeBatch);
        }
        let topic_id = topic_id_for(name, next_offset);
        let mut records = Vec::with_capacity(partitions as usize + 1);
        records.push(MetadataRecord::Topic(TopicRecord {
            name: name.to_string(),
            topic_id,
        }));
        // Kafka's StripedReplicaPlacer starts at a random broker; the simulation starts
        // where the topic's id hashes to, so placement is spread and still deterministic.
        let start = placement_start(topic_id, usable.len());
        push_partitions(
            &mut records,
            topic_id,
            &usable,
            start,
            0..partitions,
            replication,
        );
        Ok(self.wrote(now_ms, next_offset, records))
    }

    /// `createPartitions` for one topic: raise its partition count to `count` (Kafka's
    /// `CreatePartitionsTopic.count` is the new total). The new partitions keep the
    /// topic's replication factor and continue its striping: partition `p` is placed as
    /// [`Self::create_topic`] would have placed it, over the brokers usable now.
    pub fn create_partitions(
        &mut self,
        now_ms: u64,
        name: &str,
        count: u32,
        next_offset: i64,
    ) -> Result<Records, ControllerError> {
        let a = self.active.as_mut().ok_or(ControllerError::NotController)?;
        let topic = a
            .image
            .topics()
            .topic_by_name(name)
            .ok_or(ControllerError::UnknownTopicOrPartition)?;
        let current = topic.partition_count() as u32;
        if count <= current {
            return Err(ControllerError::NotAnIncrease {
                current,
                requested: count,
            });
        }
        let topic_id = topic.id();
        let replication = topic.partition(0).map_or(0, |p| p.replicas().len() as u32);
        let usable = usable_brokers(&a.image);
        if replication == 0 || usable.len() < replication as usize {
            return Err(ControllerError::InvalidReplicationFactor);
        }
        if (count - current) as usize > MAX_RECORDS_PER_USER_OP {
            return Err(ControllerError::ExcessivelyLargeBatch);
        }
        let mut records = Vec::with_capacity((count - current) as usize);
        let start = placement_start(topic_id, usable.len());
        push_partitions(
            &mut records,
            topic_id,
            &usable,
            start,
            current..count,
            replication,
        );
        Ok(self.wrote(now_ms, next_offset, records))
    }

    /// `deleteTopics`: one RemoveTopicRecord.
    pub fn delete_topic(
        &mut self,
        now_ms: u64,
        name: &str,
        next_offset: i64,
    ) -> Result<Records, ControllerError> {
        let a = self.active.as_mut().ok_or(ControllerError::NotController)?;
        let topic = a
            .image
            .topics()
            .topic_by_name(name)
            .ok_or(ControllerError::UnknownTopicOrPartition)?;
        let record = MetadataRecord::RemoveTopic(RemoveTopicRecord {
            topic_id: topic.id(),
        });
        Ok(self.wrote(now_ms, next_offset, vec![record]))
    }

    /// `incrementalAlterConfigs` SET on a topic: one ConfigRecord.
    pub fn set_topic_config(
        &mut self,
        now_ms: u64,
        topic: &str,
        key: &str,
        value: &str,
        next_offset: i64,
    ) -> Result<Records, ControllerError> {
        let a = self.active.as_mut().ok_or(ControllerError::NotController)?;
        if a.image.topics().topic_by_name(topic).is_none() {
            return Err(ControllerError::UnknownTopicOrPartition);
        }
        let record = MetadataRecord::Config(ConfigRecord {
            resource_type: ConfigResourceType::Topic.id(),
            resource_name: topic.to_string(),
            name: key.to_string(),
            value: Some(value.to_string()),
        });
        Ok(self.wrote(now_ms, next_offset, vec![record]))
    }

    /// `alterPartition`: ISR changes proposed by partition leaders, checked per partition
    /// ([`alter_partition::alter_partition`]); the valid ones are written in one batch.
    pub fn alter_partition(
        &mut self,
        now_ms: u64,
        request: &AlterPartitionRequest,
        next_offset: i64,
    ) -> Result<(AlterPartitionResults, Records), ControllerError> {
        let a = self.active.as_ref().ok_or(ControllerError::NotController)?;
        let (results, changes) = alter_partition::alter_partition(&a.image, request)?;
        let records = changes
            .into_iter()
            .map(MetadataRecord::PartitionChange)
            .collect();
        Ok((results, self.wrote(now_ms, next_offset, records)))
    }

    /// `electLeaders` with `ElectionType.PREFERRED`: one partition (`topic`, `partition`),
    /// or every partition when `None` (Kafka's null partition list). A single partition
    /// already led by its preferred replica is ELECTION_NOT_NEEDED, one whose election
    /// would change nothing PREFERRED_LEADER_NOT_AVAILABLE; for all partitions Kafka drops
    /// the ELECTION_NOT_NEEDED answers, and KRaftScope answers with one error when no
    /// partition at all changes leader, so that the refusal shows in the trace.
    pub fn elect_preferred_leaders(
        &mut self,
        now_ms: u64,
        partition: Option<(&str, i32)>,
        next_offset: i64,
    ) -> Result<Records, ControllerError> {
        let a = self.active.as_ref().ok_or(ControllerError::NotController)?;
        let topics = a.image.topics();
        let changes = match partition {
            Some((name, partition_id)) => {
                let topic_id = topics
                    .topic_by_name(name)
                    .ok_or(ControllerError::UnknownTopicOrPartition)?
                    .id();
                let part = topics
                    .partition(&topic_id, partition_id)
                    .ok_or(ControllerError::UnknownTopicOrPartition)?;
                if part.has_preferred_leader() {
                    return Err(ControllerError::ElectionNotNeeded);
                }
                let tp = TopicIdPartition {
                    topic_id,
                    partition_id,
                };
                vec![balance::preferred_election(&a.image, tp)
                    .ok_or(ControllerError::PreferredLeaderNotAvailable)?]
            }
            None => {
                let mut imbalanced = topics.imbalanced_partitions().peekable();
                if imbalanced.peek().is_none() {
                    return Err(ControllerError::ElectionNotNeeded);
                }
                let changes: Vec<PartitionChangeRecord> = imbalanced
                    .filter_map(|tp| balance::preferred_election(&a.image, tp))
                    .collect();
                if changes.is_empty() {
                    return Err(ControllerError::PreferredLeaderNotAvailable);
                }
                changes
            }
        };
        let records = changes
            .into_iter()
            .map(MetadataRecord::PartitionChange)
            .collect();
        Ok(self.wrote(now_ms, next_offset, records))
    }

    /// Replay `records` into the working image and note the write.
    fn wrote(&mut self, now_ms: u64, next_offset: i64, records: Records) -> Records {
        if records.is_empty() {
            return records;
        }
        let a = self
            .active
            .as_mut()
            .expect("only an active controller writes");
        a.image = replayed(&a.image, &records, next_offset + records.len() as i64 - 1);
        a.refresh_fence_deadline(self.config.broker_session_timeout_ms);
        a.last_write_ms = now_ms;
        self.reschedule_balance(now_ms);
        records
    }

    /// `maybeScheduleNextBalancePartitionLeaders`, which Kafka runs after every write.
    fn reschedule_balance(&mut self, now_ms: u64) {
        let interval_ms = self.config.leader_imbalance_check_interval_ms;
        if let Some(a) = self.active.as_mut() {
            a.imbalance = a.imbalance.after_write(now_ms, interval_ms, &a.image);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FenceKind {
    /// Session expired or WantFence: fenced, out of every ISR and leadership.
    Fence,
    /// Controlled shutdown: InControlledShutdown, out of every ISR and leadership.
    Shutdown,
}

/// The image after `records` (the working image's provenance follows the log end).
fn replayed(image: &MetadataImage, records: &[MetadataRecord], last_offset: i64) -> MetadataImage {
    let mut delta = MetadataDelta::new(image);
    for r in records {
        // The controller only writes records that apply to its own working image.
        delta
            .replay(r)
            .expect("a controller's records replay on its working image");
    }
    let provenance = if last_offset >= 0 {
        MetadataProvenance::new(last_offset, -1, -1)
    } else {
        image.provenance()
    };
    delta.apply(provenance)
}

/// The partition changes that take `broker` out of every ISR and leadership
/// (`ReplicationControlManager.generateLeaderAndIsrUpdates`), after its registration
/// change. A leader is chosen from the rest of the ISR among usable brokers; a partition
/// whose only ISR member is `broker` keeps it in the ISR and goes leaderless.
fn fence_records(image: &MetadataImage, broker: i32, kind: FenceKind) -> Records {
    let Some(reg) = image.cluster().broker(broker) else {
        return Vec::new();
    };
    let mut records = vec![MetadataRecord::BrokerRegistrationChange(
        BrokerRegistrationChangeRecord {
            broker_id: broker,
            broker_epoch: reg.epoch,
            fenced: if kind == FenceKind::Fence {
                FENCED_CHANGE_FENCE
            } else {
                0
            },
            in_controlled_shutdown: if kind == FenceKind::Shutdown {
                IN_CONTROLLED_SHUTDOWN_CHANGE_SET
            } else {
                0
            },
        },
    )];
    let usable = |id: i32| {
        id != broker
            && image
                .cluster()
                .broker(id)
                .is_some_and(|b| !b.fenced && !b.in_controlled_shutdown)
    };
    let tps: Vec<TopicIdPartition> = image
        .topics()
        .partitions_with_broker_in_isr(broker)
        .collect();
    for tp in tps {
        let Some(part) = image.topics().partition(&tp.topic_id, tp.partition_id) else {
            continue;
        };
        let isr: Vec<i32> = part.isr().iter().copied().collect();
        let rest: Vec<i32> = isr.iter().copied().filter(|id| *id != broker).collect();
        let mut change = PartitionChangeRecord::new(tp.topic_id, tp.partition_id);
        let new_isr = if rest.is_empty() { isr.clone() } else { rest };
        if new_isr != isr {
            change.isr = Some(new_isr.clone());
        }
        if part.leader() == broker {
            change.leader = new_isr
                .iter()
                .copied()
                .find(|id| usable(*id))
                .unwrap_or(NO_LEADER);
        }
        if change.isr.is_some() || change.leader != NO_LEADER_CHANGE {
            records.push(MetadataRecord::PartitionChange(change));
        }
    }
    records
}

/// Unfence `broker`, then give it leadership of leaderless partitions whose ISR holds it.
fn unfence_records(image: &MetadataImage, broker: i32, epoch: i64) -> Records {
    let mut records = vec![MetadataRecord::BrokerRegistrationChange(
        BrokerRegistrationChangeRecord {
            broker_id: broker,
            broker_epoch: epoch,
            fenced: FENCED_CHANGE_UNFENCE,
            in_controlled_shutdown: 0,
        },
    )];
    let tps: Vec<TopicIdPartition> = image.topics().leaderless_partitions().collect();
    for tp in tps {
        let Some(part) = image.topics().partition(&tp.topic_id, tp.partition_id) else {
            continue;
        };
        if part.is_in_isr(broker) {
            let mut change = PartitionChangeRecord::new(tp.topic_id, tp.partition_id);
            change.leader = broker;
            records.push(MetadataRecord::PartitionChange(change));
        }
    }
    records
}

/// Brokers a replica placer may use: unfenced and not shutting down, by id.
fn usable_brokers(image: &MetadataImage) -> Vec<i32> {
    image
        .cluster()
        .brokers()
        .filter(|b| !b.fenced && !b.in_controlled_shutdown)
        .map(|b| b.id)
        .collect()
}

/// Where a topic's striping starts among `brokers` usable brokers.
fn placement_start(topic_id: Uuid, brokers: usize) -> usize {
    (topic_id.as_u128() % brokers as u128) as usize
}

/// PartitionRecords for `ids`, striped round-robin from `start`: partition `p` gets
/// `usable[(start + p + r) % n]` for r in 0..replication (ISR = replicas, leader first).
fn push_partitions(
    records: &mut Records,
    topic_id: Uuid,
    usable: &[i32],
    start: usize,
    ids: std::ops::Range<u32>,
    replication: u32,
) {
    for p in ids {
        let replicas: Vec<i32> = (0..replication as usize)
            .map(|r| usable[(start + p as usize + r) % usable.len()])
            .collect();
        records.push(MetadataRecord::Partition(PartitionRecord {
            partition_id: p as i32,
            topic_id,
            isr: replicas.clone(),
            leader: replicas[0],
            replicas,
            removing_replicas: Vec::new(),
            adding_replicas: Vec::new(),
            leader_recovery_state: 0,
            leader_epoch: 0,
            partition_epoch: 0,
        }));
    }
}

/// A topic id from the topic's name and the offset its TopicRecord is written at:
/// unique in a run, the same in every run (Kafka draws `Uuid.randomUuid()`).
pub fn topic_id_for(name: &str, offset: i64) -> Uuid {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let lo = (offset as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ h;
    // Never the reserved ids 0 (ZERO) and 1 (METADATA_TOPIC_ID).
    Uuid::from_u128(((h as u128) << 64 | lo as u128) | (1 << 127))
}

#[cfg(test)]
mod tests;
