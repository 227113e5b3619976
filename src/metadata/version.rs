//! `metadata.version` (KIP-778): the feature level that decides which records a controller
//! writes (`server-common/.../MetadataVersion.java`).

use std::fmt;

/// The feature name of the metadata version in FeatureLevelRecord.
pub const METADATA_VERSION_FEATURE_NAME: &str = "metadata.version";

/// A `metadata.version` feature level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetadataVersion(pub i16);

/// Levels 1 to 20 with Kafka's names (`MetadataVersion` enum, `IBP_3_0_IV1` = 1 … `IBP_3_8_IV0`).
const NAMES: [&str; 20] = [
    "3.0-IV1", "3.1-IV0", "3.2-IV0", "3.3-IV0", "3.3-IV1", "3.3-IV2", "3.3-IV3", "3.4-IV0",
    "3.5-IV0", "3.5-IV1", "3.5-IV2", "3.6-IV0", "3.6-IV1", "3.6-IV2", "3.7-IV0", "3.7-IV1",
    "3.7-IV2", "3.7-IV3", "3.7-IV4", "3.8-IV0",
];

impl MetadataVersion {
    /// 3.3-IV1: NoOpRecord is supported (KIP-835).
    pub const IBP_3_3_IV1: MetadataVersion = MetadataVersion(5);
    /// 3.3-IV2: BrokerRegistrationChangeRecord replaces Fence/UnfenceBrokerRecord.
    pub const IBP_3_3_IV2: MetadataVersion = MetadataVersion(6);
    /// 3.3-IV3: InControlledShutdown in broker records (KIP-841); Kafka 4.0's minimum.
    pub const IBP_3_3_IV3: MetadataVersion = MetadataVersion(7);
    /// 3.6-IV0: the controller no longer bumps the leader epoch when it only shrinks the ISR.
    pub const IBP_3_6_IV0: MetadataVersion = MetadataVersion(12);
    /// 3.6-IV2: the level KRaftScope simulates — the last one before controller registration
    /// records (3.7-IV0) and JBOD directories (3.7-IV2), which it does not model.
    pub const IBP_3_6_IV2: MetadataVersion = MetadataVersion(14);
    /// The level the simulated controllers bootstrap with.
    pub const SIMULATED: MetadataVersion = MetadataVersion::IBP_3_6_IV2;

    /// The feature level written in FeatureLevelRecord.
    pub fn feature_level(self) -> i16 {
        self.0
    }

    /// `isNoOpRecordSupported()`.
    pub fn is_no_op_record_supported(self) -> bool {
        self >= Self::IBP_3_3_IV1
    }

    /// `isBrokerRegistrationChangeRecordSupported()`: fence and unfence through
    /// BrokerRegistrationChangeRecord rather than Fence/UnfenceBrokerRecord.
    pub fn is_broker_registration_change_record_supported(self) -> bool {
        self >= Self::IBP_3_3_IV2
    }

    /// `isInControlledShutdownStateSupported()`.
    pub fn is_in_controlled_shutdown_state_supported(self) -> bool {
        self >= Self::IBP_3_3_IV3
    }

    /// `isLeaderEpochBumpRequiredOnIsrShrink()`.
    pub fn is_leader_epoch_bump_required_on_isr_shrink(self) -> bool {
        self < Self::IBP_3_6_IV0
    }
}

impl fmt::Display for MetadataVersion {
    /// Kafka's `MetadataVersion.toString()`, e.g. `3.6-IV2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match usize::try_from(self.0)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|i| NAMES.get(i))
        {
            Some(name) => f.write_str(name),
            None => write!(f, "level {}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_kafka() {
        assert_eq!(MetadataVersion(1).to_string(), "3.0-IV1");
        assert_eq!(MetadataVersion::IBP_3_3_IV3.to_string(), "3.3-IV3");
        assert_eq!(MetadataVersion::SIMULATED.to_string(), "3.6-IV2");
        assert_eq!(MetadataVersion(20).to_string(), "3.8-IV0");
        assert_eq!(MetadataVersion(99).to_string(), "level 99");
    }

    #[test]
    fn simulated_level_uses_the_newer_broker_records() {
        let mv = MetadataVersion::SIMULATED;
        assert!(mv.is_no_op_record_supported());
        assert!(mv.is_broker_registration_change_record_supported());
        assert!(mv.is_in_controlled_shutdown_state_supported());
        assert!(!mv.is_leader_epoch_bump_required_on_isr_shrink());
    }
}
