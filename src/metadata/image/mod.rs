//! `MetadataImage`: an immutable view of the cluster metadata at one log offset
//! (`org.apache.kafka.image.MetadataImage`).
//!
//! Every part is a persistent structure, so cloning an image copies pointers (one per 64
//! topics and one per broker), never partitions, and an image derived
//! from another by a delta shares everything the delta did not touch. Equality is exact and
//! short-circuits on shared parts. An image is changed only through
//! [`MetadataDelta`](crate::metadata::MetadataDelta); nothing here reads a clock or draws a
//! random number.

mod assignment;
mod broker_index;
mod cluster;
mod configs;
mod features;
mod partition;
mod topic;
mod topics;
mod writer;

pub use assignment::IdList;
pub use cluster::{BrokerRegistration, ClusterImage};
pub use configs::{ConfigResource, ConfigsImage};
pub use features::{FeaturesImage, ProducerIdsImage};
pub use partition::{LeaderRecoveryState, PartitionRegistration};
pub use topic::TopicImage;
pub use topics::{TopicIdPartition, TopicsImage};

/// Where an image comes from: the last log record it contains (`MetadataProvenance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetadataProvenance {
    /// Offset of the last record folded in, or -1 for the empty image.
    pub last_contained_offset: i64,
    /// Leader epoch of the batch holding that record, or -1.
    pub last_contained_epoch: i32,
    /// Append time of that batch in simulated milliseconds, or -1.
    pub last_contained_log_time_ms: i64,
}

impl MetadataProvenance {
    /// The provenance of the empty image.
    pub const EMPTY: MetadataProvenance = MetadataProvenance {
        last_contained_offset: -1,
        last_contained_epoch: -1,
        last_contained_log_time_ms: -1,
    };

    pub fn new(
        last_contained_offset: i64,
        last_contained_epoch: i32,
        last_contained_log_time_ms: i64,
    ) -> Self {
        MetadataProvenance {
            last_contained_offset,
            last_contained_epoch,
            last_contained_log_time_ms,
        }
    }
}

impl Default for MetadataProvenance {
    fn default() -> Self {
        MetadataProvenance::EMPTY
    }
}

/// The cluster metadata at one offset.
///
/// Two nodes that folded in the same committed records hold equal images (provenance
/// included), whether they replayed the log or loaded a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataImage {
    pub(crate) provenance: MetadataProvenance,
    pub(crate) features: FeaturesImage,
    pub(crate) cluster: ClusterImage,
    pub(crate) topics: TopicsImage,
    pub(crate) configs: ConfigsImage,
    pub(crate) producer_ids: ProducerIdsImage,
}

impl MetadataImage {
    /// The image before any record (`MetadataImage.EMPTY`); loading a snapshot starts here.
    pub fn empty() -> Self {
        MetadataImage::default()
    }

    /// Whether no record has been folded in.
    pub fn is_empty(&self) -> bool {
        *self == MetadataImage::empty()
    }

    pub fn provenance(&self) -> MetadataProvenance {
        self.provenance
    }

    /// Offset of the last record this image contains (-1 if none).
    pub fn offset(&self) -> i64 {
        self.provenance.last_contained_offset
    }

    pub fn features(&self) -> &FeaturesImage {
        &self.features
    }

    pub fn cluster(&self) -> &ClusterImage {
        &self.cluster
    }

    pub fn topics(&self) -> &TopicsImage {
        &self.topics
    }

    pub fn configs(&self) -> &ConfigsImage {
        &self.configs
    }

    pub fn producer_ids(&self) -> ProducerIdsImage {
        self.producer_ids
    }

    /// Whether every part of the two images is the same allocation (cheap; `true` implies
    /// equality, `false` does not imply inequality).
    #[inline]
    pub fn ptr_eq(&self, other: &MetadataImage) -> bool {
        // Pointer comparisons only: comparing the maps by value here made every
        // negative answer cost a full comparison of the cluster and configs.
        self.parts_ptr_eq(other) && self.provenance == other.provenance
    }

    /// Whether every part but the provenance is the same allocation as `other`'s (the
    /// producer ids, a plain value, compared). A batch without metadata records moves
    /// only the provenance, so a node's image keeps its parts for many offsets in a row.
    #[inline]
    pub fn parts_ptr_eq(&self, other: &MetadataImage) -> bool {
        // The cluster first: two nodes' images differ there first.
        self.cluster.ptr_eq(&other.cluster)
            && self.topics.ptr_eq(&other.topics)
            && self.features.ptr_eq(&other.features)
            && self.configs.ptr_eq(&other.configs)
            && self.producer_ids == other.producer_ids
    }

    /// `self == other`, given that `self_before == other_before`: a part that `self`
    /// shares with `self_before` and `other` with `other_before` (the same allocations)
    /// is equal without comparing it. Two nodes' images are built apart, so after a
    /// batch that leaves most parts alone (a NoOpRecord moves only the provenance) this
    /// compares a few fields instead of every map.
    pub fn eq_given(
        &self,
        other: &MetadataImage,
        self_before: &MetadataImage,
        other_before: &MetadataImage,
    ) -> bool {
        self.provenance == other.provenance
            && self.producer_ids == other.producer_ids
            && ((self.features.ptr_eq(&self_before.features)
                && other.features.ptr_eq(&other_before.features))
                || self.features == other.features)
            && ((self.cluster.ptr_eq(&self_before.cluster)
                && other.cluster.ptr_eq(&other_before.cluster))
                || self.cluster == other.cluster)
            && self
                .topics
                .eq_given(&other.topics, &self_before.topics, &other_before.topics)
            && ((self.configs.ptr_eq(&self_before.configs)
                && other.configs.ptr_eq(&other_before.configs))
                || self.configs == other.configs)
    }
}
