//! `FeaturesImage` (metadata.version and other finalized features) and `ProducerIdsImage`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::metadata::records::FeatureLevelRecord;
use crate::metadata::version::{MetadataVersion, METADATA_VERSION_FEATURE_NAME};

/// Finalized feature levels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeaturesImage {
    metadata_version: Option<MetadataVersion>,
    finalized: Arc<BTreeMap<String, i16>>,
}

impl FeaturesImage {
    /// Whether both share the same feature map (O(1); `true` implies equality).
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &FeaturesImage) -> bool {
        self.metadata_version == other.metadata_version
            && Arc::ptr_eq(&self.finalized, &other.finalized)
    }

    /// The cluster's metadata.version, once a FeatureLevelRecord has set it.
    pub fn metadata_version(&self) -> Option<MetadataVersion> {
        self.metadata_version
    }

    /// Finalized features other than metadata.version, by name.
    pub fn finalized_versions(&self) -> &BTreeMap<String, i16> {
        &self.finalized
    }

    /// Replays a FeatureLevelRecord; returns the new metadata.version if it changed.
    pub(crate) fn replay(&mut self, record: &FeatureLevelRecord) -> Option<MetadataVersion> {
        if record.name == METADATA_VERSION_FEATURE_NAME {
            let next = MetadataVersion(record.feature_level);
            let changed = self.metadata_version != Some(next);
            self.metadata_version = Some(next);
            return changed.then_some(next);
        }
        let finalized = Arc::make_mut(&mut self.finalized);
        // `FeaturesDelta.replay`: level 0 means the feature is no longer finalized.
        if record.feature_level == 0 {
            finalized.remove(&record.name);
        } else {
            finalized.insert(record.name.clone(), record.feature_level);
        }
        None
    }
}

/// The producer-id block allocator's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerIdsImage {
    /// The first id of the next block to hand out, or -1 before any ProducerIdsRecord.
    pub next_producer_id: i64,
}

impl Default for ProducerIdsImage {
    fn default() -> Self {
        ProducerIdsImage {
            next_producer_id: -1,
        }
    }
}
