//! `ClusterImage`: the registered brokers (`org.apache.kafka.image.ClusterImage`).

use std::fmt;
use std::sync::Arc;

use imbl::OrdMap;

use crate::metadata::delta::ReplayError;
use crate::metadata::records::{
    security_protocol_name, BrokerEndpoint, BrokerFeature, BrokerRegistrationChangeRecord,
    RegisterBrokerRecord, FENCED_CHANGE_FENCE, FENCED_CHANGE_NONE, FENCED_CHANGE_UNFENCE,
    IN_CONTROLLED_SHUTDOWN_CHANGE_NONE, IN_CONTROLLED_SHUTDOWN_CHANGE_SET,
};
use crate::metadata::uuid::Uuid;

/// One broker's registration (`org.apache.kafka.metadata.BrokerRegistration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerRegistration {
    pub id: i32,
    /// The offset of the RegisterBrokerRecord that created this registration.
    pub epoch: i64,
    pub incarnation_id: Uuid,
    /// Sorted by listener name.
    pub listeners: Vec<BrokerEndpoint>,
    /// Sorted by feature name.
    pub supported_features: Vec<BrokerFeature>,
    pub rack: Option<String>,
    pub fenced: bool,
    pub in_controlled_shutdown: bool,
    pub is_migrating_zk_broker: bool,
}

impl BrokerRegistration {
    /// `BrokerRegistration.fromRecord`.
    pub fn from_record(record: &RegisterBrokerRecord) -> Self {
        let mut listeners = record.end_points.clone();
        listeners.sort();
        let mut supported_features = record.features.clone();
        supported_features.sort();
        BrokerRegistration {
            id: record.broker_id,
            epoch: record.broker_epoch,
            incarnation_id: record.incarnation_id,
            listeners,
            supported_features,
            rack: record.rack.clone(),
            fenced: record.fenced,
            in_controlled_shutdown: record.in_controlled_shutdown,
            is_migrating_zk_broker: record.is_migrating_zk_broker,
        }
    }

    /// The RegisterBrokerRecord that recreates this registration (what a snapshot holds).
    pub fn to_record(&self) -> RegisterBrokerRecord {
        RegisterBrokerRecord {
            broker_id: self.id,
            is_migrating_zk_broker: self.is_migrating_zk_broker,
            incarnation_id: self.incarnation_id,
            broker_epoch: self.epoch,
            end_points: self.listeners.clone(),
            features: self.supported_features.clone(),
            rack: self.rack.clone(),
            fenced: self.fenced,
            in_controlled_shutdown: self.in_controlled_shutdown,
        }
    }
}

impl fmt::Display for BrokerRegistration {
    /// Kafka 3.6's `BrokerRegistration.toString()`, which `cat` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BrokerRegistration(id={}, epoch={}, incarnationId={}, listeners=[",
            self.id, self.epoch, self.incarnation_id
        )?;
        for (i, e) in self.listeners.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(
                f,
                "Endpoint(listenerName='{}', securityProtocol={}, host='{}', port={})",
                e.name,
                security_protocol_name(e.security_protocol),
                e.host,
                e.port
            )?;
        }
        f.write_str("], supportedFeatures={")?;
        for (i, feature) in self.supported_features.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            // VersionRange.toString.
            let (min, max) = (feature.min_supported_version, feature.max_supported_version);
            if min == max {
                write!(f, "{}: {min}", feature.name)?;
            } else if max == i16::MAX {
                write!(f, "{}: {min}+", feature.name)?;
            } else {
                write!(f, "{}: {min}-{max}", feature.name)?;
            }
        }
        f.write_str("}, rack=")?;
        match &self.rack {
            Some(rack) => write!(f, "Optional[{rack}]")?,
            None => f.write_str("Optional.empty")?,
        }
        write!(
            f,
            ", fenced={}, inControlledShutdown={}, isMigratingZkBroker={})",
            self.fenced, self.in_controlled_shutdown, self.is_migrating_zk_broker
        )
    }
}

/// The registered brokers by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterImage {
    brokers: OrdMap<i32, Arc<BrokerRegistration>>,
}

impl ClusterImage {
    /// Whether both are the same map (O(1); `true` implies equality).
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &ClusterImage) -> bool {
        self.brokers.ptr_eq(&other.brokers)
    }

    /// The broker with this id.
    pub fn broker(&self, broker_id: i32) -> Option<&BrokerRegistration> {
        self.brokers.get(&broker_id).map(|b| &**b)
    }

    /// All brokers by ascending id.
    pub fn brokers(&self) -> impl Iterator<Item = &BrokerRegistration> + '_ {
        self.brokers.values().map(|b| &**b)
    }

    /// Ids of brokers that are registered and not fenced, ascending.
    pub fn unfenced_broker_ids(&self) -> impl Iterator<Item = i32> + '_ {
        self.brokers().filter(|b| !b.fenced).map(|b| b.id)
    }

    pub fn broker_count(&self) -> usize {
        self.brokers.len()
    }

    // ---- replay (MetadataDelta only) ----

    /// RegisterBrokerRecord replaces any earlier registration of the id.
    pub(crate) fn register(&mut self, record: &RegisterBrokerRecord) {
        self.brokers.insert(
            record.broker_id,
            Arc::new(BrokerRegistration::from_record(record)),
        );
    }

    pub(crate) fn unregister(&mut self, broker_id: i32, epoch: i64) -> Result<(), ReplayError> {
        self.current(broker_id, epoch, "unregister")?;
        self.brokers.remove(&broker_id);
        Ok(())
    }

    /// FenceBrokerRecord (`fenced = Some(true)`), UnfenceBrokerRecord (`Some(false)`).
    pub(crate) fn set_fenced(
        &mut self,
        broker_id: i32,
        epoch: i64,
        fenced: bool,
    ) -> Result<(), ReplayError> {
        let action = if fenced { "fence" } else { "unfence" };
        let current = self.current(broker_id, epoch, action)?;
        self.update(current, Some(fenced), None);
        Ok(())
    }

    pub(crate) fn change(
        &mut self,
        record: &BrokerRegistrationChangeRecord,
    ) -> Result<(), ReplayError> {
        let current = self.current(record.broker_id, record.broker_epoch, "change")?;
        let fenced = match record.fenced {
            FENCED_CHANGE_UNFENCE => Some(false),
            FENCED_CHANGE_NONE => None,
            FENCED_CHANGE_FENCE => Some(true),
            value => {
                return Err(ReplayError::InvalidFencedChange {
                    broker_id: record.broker_id,
                    value,
                })
            }
        };
        let in_controlled_shutdown = match record.in_controlled_shutdown {
            IN_CONTROLLED_SHUTDOWN_CHANGE_NONE => None,
            IN_CONTROLLED_SHUTDOWN_CHANGE_SET => Some(true),
            value => {
                return Err(ReplayError::InvalidInControlledShutdownChange {
                    broker_id: record.broker_id,
                    value,
                })
            }
        };
        self.update(current, fenced, in_controlled_shutdown);
        Ok(())
    }

    /// `ClusterDelta.getBrokerOrThrow`: the registration, if it exists with this epoch.
    fn current(
        &self,
        broker_id: i32,
        epoch: i64,
        action: &'static str,
    ) -> Result<Arc<BrokerRegistration>, ReplayError> {
        let broker = self
            .brokers
            .get(&broker_id)
            .ok_or(ReplayError::BrokerNotRegistered { action, broker_id })?;
        if broker.epoch != epoch {
            return Err(ReplayError::BrokerEpochMismatch {
                action,
                broker_id,
                epoch,
                current_epoch: broker.epoch,
            });
        }
        Ok(broker.clone())
    }

    fn update(
        &mut self,
        current: Arc<BrokerRegistration>,
        fenced: Option<bool>,
        in_controlled_shutdown: Option<bool>,
    ) {
        let mut next = (*current).clone();
        next.fenced = fenced.unwrap_or(next.fenced);
        next.in_controlled_shutdown = in_controlled_shutdown.unwrap_or(next.in_controlled_shutdown);
        // Keep the shared Arc when nothing changed, as `cloneWith` returns `this`.
        if next != *current {
            self.brokers.insert(next.id, Arc::new(next));
        }
    }
}
