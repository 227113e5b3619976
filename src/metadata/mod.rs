//! The cluster metadata layer of KIP-500/KIP-631: the records of the metadata log, the
//! `MetadataImage` every node folds them into, and Kafka's operator views of both (the
//! metadata shell tree and the kafka-dump-log JSON).
//!
//! This module is pure data: it never reads a clock, draws a random number or does I/O, and
//! it iterates only ordered collections, so the same records give the same image and the
//! same text natively and in wasm. Ids (topic ids, incarnation ids, broker epochs) are given
//! by the caller — the controller derives them — never generated here.
//!
//! ```
//! use kraftscope::metadata::*;
//!
//! let topic_id = Uuid::from_u128(7);
//! let mut delta = MetadataDelta::new(&MetadataImage::empty());
//! delta.replay(&MetadataRecord::Topic(TopicRecord { name: "orders".into(), topic_id })).unwrap();
//! delta.replay(&MetadataRecord::Partition(PartitionRecord {
//!     partition_id: 0, topic_id, replicas: vec![1, 2, 3], isr: vec![1, 2, 3],
//!     removing_replicas: vec![], adding_replicas: vec![], leader: 1,
//!     leader_recovery_state: 0, leader_epoch: 0, partition_epoch: 0,
//! })).unwrap();
//! let image = delta.apply(MetadataProvenance::new(1, 1, 0));
//! assert_eq!(image.topics().partitions_led_by(1).count(), 1);
//! assert_eq!(shell::cat(&image, "/image/topics/byName/orders/0").unwrap(),
//!     "PartitionRegistration(replicas=[1, 2, 3], isr=[1, 2, 3], removingReplicas=[], \
//!      addingReplicas=[], leader=1, leaderRecoveryState=RECOVERED, leaderEpoch=0, partitionEpoch=0)");
//! ```

pub mod broker;
pub mod controller;
pub mod delta;
pub mod dump;
pub mod encode;
pub mod image;
pub mod records;
pub mod shell;
pub mod uuid;
pub mod version;

pub use delta::{MetadataDelta, ReplayError};
pub use dump::{
    batch_headers, batch_size_bytes, render_batches, BatchHeader, DumpBatch, DumpOptions,
    DumpRecord,
};
pub use image::{
    BrokerRegistration, ClusterImage, ConfigResource, ConfigsImage, FeaturesImage, IdList,
    LeaderRecoveryState, MetadataImage, MetadataProvenance, PartitionRegistration,
    ProducerIdsImage, TopicIdPartition, TopicImage, TopicsImage,
};
pub use records::*;
pub use uuid::Uuid;
pub use version::{MetadataVersion, METADATA_VERSION_FEATURE_NAME};
