//! The metadata shell's view of an image (`kafka-metadata-shell.sh`, `image/node/*.java`):
//! a read-only tree with `ls` and `cat`, the same node names and the same texts.
//!
//! ```text
//! /image/provenance                        offset 41, epoch 3, time 1970-01-01T00:00:09.5Z[UTC]
//! /image/features/{metadataVersion, zkMigrationState, finalized_<feature>}
//! /image/cluster/brokers/<id>              BrokerRegistration(id=1, epoch=5, …)
//! /image/topics/byName/<name>/{name, id, <partition>}
//! /image/topics/byId/<id>/{name, id, <partition>}
//! /image/configs/<TYPE:name | TYPE>/<key>  the value
//! /image/producerIds/nextProducerId
//! ```
//!
//! Paths are absolute (a relative path starts at `/`); `.` and `..` work. Errors carry
//! Kafka's wording and name the path. Kafka's nodes for ACLs, quotas, SCRAM, delegation
//! tokens and controller registrations are absent because KRaftScope does not model them.

use std::fmt::Write as _;

use crate::metadata::image::{
    BrokerRegistration, ConfigResource, MetadataImage, PartitionRegistration, TopicImage,
};
use crate::metadata::uuid::Uuid;

/// A failed shell command, worded as kafka-metadata-shell prints it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    #[error("ls: {path}: no such file or directory.")]
    LsNotFound { path: String },
    #[error("cat: {path}: No such file or directory.")]
    CatNotFound { path: String },
    #[error("cat: {path}: Is a directory")]
    CatDirectory { path: String },
}

/// `ls PATH`: a directory's children sorted as strings, or a file's own name.
pub fn ls(image: &MetadataImage, path: &str) -> Result<Vec<String>, ShellError> {
    let node = resolve(image, path).ok_or_else(|| ShellError::LsNotFound {
        path: path.to_string(),
    })?;
    Ok(match node.children(image) {
        Some(mut children) => {
            children.sort();
            children
        }
        None => vec![last_component(path)],
    })
}

/// `cat PATH`: a file's text.
pub fn cat(image: &MetadataImage, path: &str) -> Result<String, ShellError> {
    let node = resolve(image, path).ok_or_else(|| ShellError::CatNotFound {
        path: path.to_string(),
    })?;
    node.text(image).ok_or_else(|| ShellError::CatDirectory {
        path: path.to_string(),
    })
}

fn last_component(path: &str) -> String {
    path.rsplit('/')
        .find(|c| !c.is_empty())
        .unwrap_or("/")
        .to_string()
}

#[derive(Clone)]
enum Node<'a> {
    Root,
    Image,
    Provenance,
    Features,
    MetadataVersion,
    ZkMigrationState,
    Finalized(i16),
    Cluster,
    Brokers,
    Broker(&'a BrokerRegistration),
    Topics,
    ByName,
    ById,
    Topic(&'a TopicImage),
    TopicName(&'a TopicImage),
    TopicId(&'a TopicImage),
    Partition(&'a PartitionRegistration),
    Configs,
    ConfigResource(&'a ConfigResource),
    ConfigValue(&'a str),
    ProducerIds,
    NextProducerId,
}

const FINALIZED_PREFIX: &str = "finalized_";

fn resolve<'a>(image: &'a MetadataImage, path: &str) -> Option<Node<'a>> {
    let mut stack = vec![Node::Root];
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                if stack.len() > 1 {
                    stack.pop();
                }
            }
            name => {
                let next = stack.last()?.child(image, name)?;
                stack.push(next);
            }
        }
    }
    stack.pop()
}

impl<'a> Node<'a> {
    fn child(&self, image: &'a MetadataImage, name: &str) -> Option<Node<'a>> {
        let topics = image.topics();
        Some(match (self, name) {
            (Node::Root, "image") => Node::Image,
            (Node::Image, "provenance") => Node::Provenance,
            (Node::Image, "features") => Node::Features,
            (Node::Image, "cluster") => Node::Cluster,
            (Node::Image, "topics") => Node::Topics,
            (Node::Image, "configs") => Node::Configs,
            (Node::Image, "producerIds") => Node::ProducerIds,
            (Node::Features, "metadataVersion") => Node::MetadataVersion,
            (Node::Features, "zkMigrationState") => Node::ZkMigrationState,
            (Node::Features, name) => {
                let feature = name.strip_prefix(FINALIZED_PREFIX)?;
                // FeaturesImageNode prints 0 for an unknown feature rather than failing.
                let level = image.features().finalized_versions().get(feature);
                Node::Finalized(level.copied().unwrap_or(0))
            }
            (Node::Cluster, "brokers") => Node::Brokers,
            (Node::Brokers, id) => Node::Broker(image.cluster().broker(id.parse().ok()?)?),
            (Node::Topics, "byName") => Node::ByName,
            (Node::Topics, "byId") => Node::ById,
            (Node::ByName, name) => Node::Topic(topics.topic_by_name(name)?),
            (Node::ById, id) => Node::Topic(topics.topic(&id.parse::<Uuid>().ok()?)?),
            (Node::Topic(topic), "name") => Node::TopicName(topic),
            (Node::Topic(topic), "id") => Node::TopicId(topic),
            (Node::Topic(topic), id) => Node::Partition(topic.partition(id.parse().ok()?)?),
            (Node::Configs, name) => {
                let resource = ConfigResource::from_shell_name(name)?;
                let (resource, _) = image.configs().resources().find(|(r, _)| **r == resource)?;
                Node::ConfigResource(resource)
            }
            (Node::ConfigResource(resource), key) => {
                Node::ConfigValue(image.configs().config(resource, key)?)
            }
            (Node::ProducerIds, "nextProducerId") => Node::NextProducerId,
            _ => return None,
        })
    }

    /// The child names of a directory (unsorted), or `None` for a file.
    fn children(&self, image: &MetadataImage) -> Option<Vec<String>> {
        let names = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Some(match self {
            Node::Root => names(&["image"]),
            Node::Image => names(&[
                "provenance",
                "features",
                "cluster",
                "topics",
                "configs",
                "producerIds",
            ]),
            Node::Features => {
                let mut out: Vec<String> = names(&["metadataVersion", "zkMigrationState"]);
                out.extend(
                    image
                        .features()
                        .finalized_versions()
                        .keys()
                        .map(|k| format!("{FINALIZED_PREFIX}{k}")),
                );
                out
            }
            Node::Cluster => names(&["brokers"]),
            Node::Brokers => image
                .cluster()
                .brokers()
                .map(|b| b.id.to_string())
                .collect(),
            Node::Topics => names(&["byId", "byName"]),
            Node::ByName => image
                .topics()
                .topics_by_name()
                .map(|t| t.name().to_string())
                .collect(),
            Node::ById => image
                .topics()
                .topics_by_id()
                .map(|t| t.id().to_string())
                .collect(),
            Node::Topic(topic) => {
                let mut out: Vec<String> = names(&["name", "id"]);
                out.extend(topic.partitions().map(|(id, _)| id.to_string()));
                out
            }
            Node::Configs => image
                .configs()
                .resources()
                .map(|(r, _)| r.to_string())
                .collect(),
            Node::ConfigResource(resource) => image
                .configs()
                .configs(resource)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default(),
            Node::ProducerIds => names(&["nextProducerId"]),
            _ => return None,
        })
    }

    /// A file's text, or `None` for a directory.
    fn text(&self, image: &MetadataImage) -> Option<String> {
        Some(match self {
            Node::Provenance => {
                let p = image.provenance();
                format!(
                    "offset {}, epoch {}, time {}",
                    p.last_contained_offset,
                    p.last_contained_epoch,
                    iso_zoned_utc(p.last_contained_log_time_ms)
                )
            }
            Node::MetadataVersion => match image.features().metadata_version() {
                Some(mv) => mv.to_string(),
                None => String::new(),
            },
            // KRaftScope clusters are born in KRaft mode and never migrate from ZooKeeper.
            Node::ZkMigrationState => "NONE".into(),
            Node::Finalized(level) => level.to_string(),
            Node::Broker(broker) => broker.to_string(),
            Node::TopicName(topic) => topic.name().to_string(),
            Node::TopicId(topic) => topic.id().to_string(),
            Node::Partition(partition) => partition.to_string(),
            Node::ConfigValue(value) => value.to_string(),
            Node::NextProducerId => image.producer_ids().next_producer_id.to_string(),
            _ => return None,
        })
    }
}

/// `DateTimeFormatter.ISO_ZONED_DATE_TIME` of an epoch-millisecond instant in UTC, as
/// `ProvenanceNode` prints it: `1970-01-01T00:00:09.5Z[UTC]` (seconds always, the fraction
/// only when non-zero and without trailing zeros).
fn iso_zoned_utc(epoch_ms: i64) -> String {
    let days = epoch_ms.div_euclid(86_400_000);
    let ms_of_day = epoch_ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, millis) = (ms_of_day / 1_000 % 60, ms_of_day % 1_000);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if millis != 0 {
        let fraction = format!("{millis:03}");
        let _ = write!(out, ".{}", fraction.trim_end_matches('0'));
    }
    out.push_str("Z[UTC]");
    out
}
