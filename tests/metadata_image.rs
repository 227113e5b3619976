//! MetadataDelta replay and MetadataImage semantics (KIP-631; Kafka's `MetadataDelta`,
//! `TopicsDelta`, `ClusterDelta`, `PartitionRegistration.merge`), the by-broker index against
//! a naive scan, image equality and snapshot round trips. Native only (proptest).

#![cfg(not(target_arch = "wasm32"))]

use kraftscope::metadata::*;
use proptest::prelude::*;

const ORDERS: Uuid = Uuid::from_u128(0x0A);
const PAYMENTS: Uuid = Uuid::from_u128(0x0B);

fn feature_level() -> MetadataRecord {
    MetadataRecord::FeatureLevel(FeatureLevelRecord {
        name: METADATA_VERSION_FEATURE_NAME.into(),
        feature_level: MetadataVersion::SIMULATED.feature_level(),
    })
}

fn register(broker_id: i32, broker_epoch: i64) -> MetadataRecord {
    MetadataRecord::RegisterBroker(RegisterBrokerRecord {
        broker_id,
        is_migrating_zk_broker: false,
        incarnation_id: Uuid::from_u128(100 + broker_id as u128),
        broker_epoch,
        end_points: vec![BrokerEndpoint {
            name: "PLAINTEXT".into(),
            host: format!("broker-{broker_id}"),
            port: 9092,
            security_protocol: 0,
        }],
        features: vec![],
        rack: None,
        fenced: true,
        in_controlled_shutdown: false,
    })
}

fn topic(name: &str, topic_id: Uuid) -> MetadataRecord {
    MetadataRecord::Topic(TopicRecord {
        name: name.into(),
        topic_id,
    })
}

fn partition(topic_id: Uuid, partition_id: i32, replicas: &[i32], leader: i32) -> PartitionRecord {
    PartitionRecord {
        partition_id,
        topic_id,
        replicas: replicas.to_vec(),
        isr: replicas.to_vec(),
        removing_replicas: vec![],
        adding_replicas: vec![],
        leader,
        leader_recovery_state: 0,
        leader_epoch: 0,
        partition_epoch: 0,
    }
}

fn replay(image: &MetadataImage, records: &[MetadataRecord]) -> MetadataImage {
    let mut delta = MetadataDelta::new(image);
    delta.replay_all(records).unwrap();
    delta.apply(MetadataProvenance::new(
        image.offset() + records.len() as i64,
        1,
        1_000,
    ))
}

/// A three-broker cluster with `orders` (2 partitions, RF 3) and a topic config.
fn cluster() -> Vec<MetadataRecord> {
    vec![
        feature_level(),
        register(1, 1),
        register(2, 2),
        register(3, 3),
        MetadataRecord::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
            broker_id: 1,
            broker_epoch: 1,
            fenced: FENCED_CHANGE_UNFENCE,
            in_controlled_shutdown: 0,
        }),
        topic("orders", ORDERS),
        MetadataRecord::Partition(partition(ORDERS, 0, &[1, 2, 3], 1)),
        MetadataRecord::Partition(partition(ORDERS, 1, &[2, 3, 1], 2)),
        MetadataRecord::Config(ConfigRecord {
            resource_type: ConfigResourceType::Topic.id(),
            resource_name: "orders".into(),
            name: "cleanup.policy".into(),
            value: Some("compact".into()),
        }),
    ]
}

fn tp(topic_id: Uuid, partition_id: i32) -> TopicIdPartition {
    TopicIdPartition {
        topic_id,
        partition_id,
    }
}

#[test]
fn topic_creation_builds_the_whole_image() {
    let image = replay(&MetadataImage::empty(), &cluster());
    // The image written back as records is the whole state, in snapshot order.
    let mut expected = cluster();
    expected.remove(4); // the change record is folded into broker 1's registration
    if let MetadataRecord::RegisterBroker(r) = &mut expected[1] {
        r.fenced = false;
    }
    assert_eq!(image.records(), expected);
    assert_eq!(image.provenance(), MetadataProvenance::new(8, 1, 1_000));
    assert_eq!(
        image.features().metadata_version(),
        Some(MetadataVersion::SIMULATED)
    );
    let orders = image.topics().topic_by_name("orders").unwrap();
    assert_eq!((orders.id(), orders.partition_count()), (ORDERS, 2));
    assert_eq!(image.topics().topic(&ORDERS), Some(orders));
    assert_eq!(
        image
            .configs()
            .config(&ConfigResource::topic("orders"), "cleanup.policy"),
        Some("compact")
    );
    assert_eq!(
        image.cluster().unfenced_broker_ids().collect::<Vec<_>>(),
        vec![1]
    );
    let t = image.topics();
    assert_eq!(
        t.partitions_led_by(1).collect::<Vec<_>>(),
        vec![tp(ORDERS, 0)]
    );
    assert_eq!(
        t.partitions_led_by(2).collect::<Vec<_>>(),
        vec![tp(ORDERS, 1)]
    );
    assert_eq!(
        t.partitions_with_broker_in_isr(3).collect::<Vec<_>>(),
        vec![tp(ORDERS, 0), tp(ORDERS, 1)]
    );
    assert_eq!(t.leaderless_partitions().count(), 0);
}

#[test]
fn delta_reports_what_changed() {
    let mut delta = MetadataDelta::new(&MetadataImage::empty());
    delta.replay_all(&cluster()).unwrap();
    assert_eq!(delta.created_topic_ids().collect::<Vec<_>>(), vec![ORDERS]);
    assert_eq!(
        delta.changed_partitions(),
        vec![tp(ORDERS, 0), tp(ORDERS, 1)]
    );
    assert_eq!(
        delta.changed_broker_ids().collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        delta
            .changed_config_resources()
            .cloned()
            .collect::<Vec<_>>(),
        vec![ConfigResource::topic("orders")]
    );
    assert_eq!(
        delta.metadata_version_change(),
        Some(MetadataVersion::SIMULATED)
    );
    assert_eq!(delta.record_count(), 9);
    assert!(delta.base().is_empty());
}

fn change(partition_id: i32) -> PartitionChangeRecord {
    PartitionChangeRecord::new(ORDERS, partition_id)
}

fn partition_after(image: &MetadataImage, record: PartitionChangeRecord) -> PartitionRecord {
    let next = replay(image, &[MetadataRecord::PartitionChange(record.clone())]);
    next.topics()
        .partition(&record.topic_id, record.partition_id)
        .unwrap()
        .to_record(record.topic_id, record.partition_id)
}

#[test]
fn partition_change_leader_semantics() {
    // PartitionRegistration.merge: -2 keeps leader and leader epoch, anything else bumps the
    // leader epoch; every change bumps the partition epoch.
    let image = replay(&MetadataImage::empty(), &cluster());
    let base = partition(ORDERS, 0, &[1, 2, 3], 1);

    let isr_only = partition_after(
        &image,
        PartitionChangeRecord {
            isr: Some(vec![1, 2]),
            ..change(0)
        },
    );
    assert_eq!(
        isr_only,
        PartitionRecord {
            isr: vec![1, 2],
            partition_epoch: 1,
            ..base.clone()
        }
    );

    let no_leader = partition_after(
        &image,
        PartitionChangeRecord {
            isr: Some(vec![]),
            leader: NO_LEADER,
            ..change(0)
        },
    );
    assert_eq!(
        no_leader,
        PartitionRecord {
            isr: vec![],
            leader: -1,
            leader_epoch: 1,
            partition_epoch: 1,
            ..base.clone()
        }
    );

    let new_leader = partition_after(
        &image,
        PartitionChangeRecord {
            leader: 3,
            ..change(0)
        },
    );
    assert_eq!(
        new_leader,
        PartitionRecord {
            leader: 3,
            leader_epoch: 1,
            partition_epoch: 1,
            ..base.clone()
        }
    );

    // Naming the current leader still bumps its epoch (pre-3.6 ISR shrink does this).
    let same_leader = partition_after(
        &image,
        PartitionChangeRecord {
            leader: 1,
            ..change(0)
        },
    );
    assert_eq!(
        same_leader,
        PartitionRecord {
            leader_epoch: 1,
            partition_epoch: 1,
            ..base.clone()
        }
    );

    let reassign = partition_after(
        &image,
        PartitionChangeRecord {
            replicas: Some(vec![1, 2, 3, 4]),
            adding_replicas: Some(vec![4]),
            removing_replicas: Some(vec![3]),
            leader_recovery_state: 1,
            ..change(0)
        },
    );
    assert_eq!(
        reassign,
        PartitionRecord {
            replicas: vec![1, 2, 3, 4],
            adding_replicas: vec![4],
            removing_replicas: vec![3],
            leader_recovery_state: 1,
            partition_epoch: 1,
            ..base
        }
    );
}

#[test]
fn leader_changes_move_partitions_between_index_lists() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let next = replay(
        &image,
        &[
            MetadataRecord::PartitionChange(PartitionChangeRecord {
                isr: Some(vec![]),
                leader: NO_LEADER,
                ..change(0)
            }),
            MetadataRecord::PartitionChange(PartitionChangeRecord {
                isr: Some(vec![3, 1]),
                leader: 3,
                ..change(1)
            }),
        ],
    );
    let t = next.topics();
    assert_eq!(
        t.leaderless_partitions().collect::<Vec<_>>(),
        vec![tp(ORDERS, 0)]
    );
    assert_eq!(t.partitions_led_by(1).count(), 0);
    assert_eq!(t.partitions_led_by(2).count(), 0);
    assert_eq!(
        t.partitions_led_by(3).collect::<Vec<_>>(),
        vec![tp(ORDERS, 1)]
    );
    assert_eq!(t.partitions_with_broker_in_isr(2).count(), 0);
    assert_eq!(
        t.partitions_on_broker(2).collect::<Vec<_>>(),
        vec![tp(ORDERS, 0), tp(ORDERS, 1)]
    );
    // The old image is untouched.
    assert_eq!(
        image.topics().partitions_led_by(1).collect::<Vec<_>>(),
        vec![tp(ORDERS, 0)]
    );
    assert_eq!(image.topics().leaderless_partitions().count(), 0);
}

#[test]
fn fence_unfence_and_controlled_shutdown() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let broker = |image: &MetadataImage, id| image.cluster().broker(id).unwrap().clone();
    let two = broker(&image, 2);
    assert!(two.fenced);

    let unfenced = replay(
        &image,
        &[MetadataRecord::UnfenceBroker(UnfenceBrokerRecord {
            id: 2,
            epoch: 2,
        })],
    );
    assert_eq!(
        broker(&unfenced, 2),
        BrokerRegistration {
            fenced: false,
            ..two.clone()
        }
    );

    let fenced = replay(
        &unfenced,
        &[MetadataRecord::FenceBroker(FenceBrokerRecord {
            id: 2,
            epoch: 2,
        })],
    );
    assert_eq!(broker(&fenced, 2), two.clone());

    let shutting_down = replay(
        &unfenced,
        &[MetadataRecord::BrokerRegistrationChange(
            BrokerRegistrationChangeRecord {
                broker_id: 2,
                broker_epoch: 2,
                fenced: FENCED_CHANGE_NONE,
                in_controlled_shutdown: IN_CONTROLLED_SHUTDOWN_CHANGE_SET,
            },
        )],
    );
    assert_eq!(
        broker(&shutting_down, 2),
        BrokerRegistration {
            fenced: false,
            in_controlled_shutdown: true,
            ..two.clone()
        }
    );
    // Fencing leaves partitions alone: the controller writes their changes itself.
    assert_eq!(fenced.topics(), image.topics());
}

#[test]
fn broker_records_check_registration_and_epoch() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let mut delta = MetadataDelta::new(&image);
    let stale = delta.replay(&MetadataRecord::FenceBroker(FenceBrokerRecord {
        id: 2,
        epoch: 1,
    }));
    assert_eq!(
        stale.unwrap_err().to_string(),
        "Tried to fence broker 2, but the given epoch, 1, did not match the current broker epoch, 2"
    );
    let unknown = delta.replay(&MetadataRecord::UnfenceBroker(UnfenceBrokerRecord {
        id: 7,
        epoch: 1,
    }));
    assert_eq!(
        unknown.unwrap_err(),
        ReplayError::BrokerNotRegistered {
            action: "unfence",
            broker_id: 7
        }
    );
    let bad = delta.replay(&MetadataRecord::BrokerRegistrationChange(
        BrokerRegistrationChangeRecord {
            broker_id: 2,
            broker_epoch: 2,
            fenced: 3,
            in_controlled_shutdown: 0,
        },
    ));
    assert_eq!(
        bad.unwrap_err(),
        ReplayError::InvalidFencedChange {
            broker_id: 2,
            value: 3
        }
    );
    // Failed records leave no trace.
    assert_eq!(delta.image(), &image);
    assert_eq!(delta.record_count(), 0);
}

#[test]
fn registration_replaces_an_older_epoch() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let restarted = replay(&image, &[register(1, 12)]);
    let one = restarted.cluster().broker(1).unwrap();
    assert_eq!(
        one,
        &BrokerRegistration::from_record(match &register(1, 12) {
            MetadataRecord::RegisterBroker(r) => r,
            _ => unreachable!(),
        })
    );
    assert!(one.fenced, "a re-registered broker starts fenced");
    let mut delta = MetadataDelta::new(&restarted);
    assert_eq!(
        delta.replay(&MetadataRecord::UnfenceBroker(UnfenceBrokerRecord {
            id: 1,
            epoch: 1
        })),
        Err(ReplayError::BrokerEpochMismatch {
            action: "unfence",
            broker_id: 1,
            epoch: 1,
            current_epoch: 12
        })
    );
    // Its partitions keep naming it: the controller decides what to move.
    assert_eq!(restarted.topics().partitions_led_by(1).count(), 1);
    let gone = replay(
        &restarted,
        &[MetadataRecord::UnregisterBroker(UnregisterBrokerRecord {
            broker_id: 1,
            broker_epoch: 12,
        })],
    );
    assert_eq!(gone.cluster().broker_count(), 2);
}

#[test]
fn remove_topic_removes_partitions_index_entries_and_configs() {
    let mut records = cluster();
    records.push(topic("payments", PAYMENTS));
    records.push(MetadataRecord::Partition(partition(PAYMENTS, 0, &[3], 3)));
    let image = replay(&MetadataImage::empty(), &records);
    let mut delta = MetadataDelta::new(&image);
    delta
        .replay(&MetadataRecord::RemoveTopic(RemoveTopicRecord {
            topic_id: ORDERS,
        }))
        .unwrap();
    assert_eq!(
        delta.deleted_topics().collect::<Vec<_>>(),
        vec![(ORDERS, "orders")]
    );
    assert_eq!(delta.changed_partitions(), vec![]);
    let next = delta.apply(MetadataProvenance::new(12, 1, 1_000));

    let expected = replay(
        &MetadataImage::empty(),
        &[
            feature_level(),
            register(1, 1),
            register(2, 2),
            register(3, 3),
            MetadataRecord::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
                broker_id: 1,
                broker_epoch: 1,
                fenced: FENCED_CHANGE_UNFENCE,
                in_controlled_shutdown: 0,
            }),
            topic("payments", PAYMENTS),
            MetadataRecord::Partition(partition(PAYMENTS, 0, &[3], 3)),
        ],
    );
    assert_eq!(next.records(), expected.records());
    let t = next.topics();
    assert_eq!((t.topic_count(), t.partition_count()), (1, 1));
    assert!(t.topic_by_name("orders").is_none());
    assert_eq!(t.partitions_on_broker(1).count(), 0);
    assert_eq!(
        t.partitions_with_broker_in_isr(3).collect::<Vec<_>>(),
        vec![tp(PAYMENTS, 0)]
    );
    assert_eq!(next.configs().resources().count(), 0);
    assert_eq!(
        MetadataDelta::new(&next).replay(&MetadataRecord::RemoveTopic(RemoveTopicRecord {
            topic_id: ORDERS
        })),
        Err(ReplayError::UnknownTopicId { topic_id: ORDERS })
    );
}

#[test]
fn a_topic_created_and_deleted_in_one_delta_leaves_no_trace() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let mut delta = MetadataDelta::new(&image);
    delta.replay(&topic("payments", PAYMENTS)).unwrap();
    delta
        .replay(&MetadataRecord::Partition(partition(PAYMENTS, 0, &[1], 1)))
        .unwrap();
    delta
        .replay(&MetadataRecord::RemoveTopic(RemoveTopicRecord {
            topic_id: PAYMENTS,
        }))
        .unwrap();
    assert_eq!(delta.created_topic_ids().count(), 0);
    assert_eq!(delta.deleted_topics().count(), 0);
    let next = delta.apply(image.provenance());
    assert_eq!(next, image);
}

#[test]
fn partition_records_need_their_topic() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let mut delta = MetadataDelta::new(&image);
    assert_eq!(
        delta.replay(&MetadataRecord::Partition(partition(PAYMENTS, 0, &[1], 1))),
        Err(ReplayError::UnknownTopicId { topic_id: PAYMENTS })
    );
    assert_eq!(
        delta.replay(&MetadataRecord::PartitionChange(change(9))),
        Err(ReplayError::UnknownPartition {
            topic_id: ORDERS,
            partition_id: 9
        })
    );
    assert_eq!(
        delta.replay(&topic("orders", PAYMENTS)),
        Err(ReplayError::TopicNameInUse {
            name: "orders".into(),
            existing_topic_id: ORDERS
        })
    );
    assert_eq!(delta.image(), &image);
}

#[test]
fn configs_set_and_delete_keys() {
    let image = replay(&MetadataImage::empty(), &cluster());
    let set = |name: &str, value: Option<&str>| {
        MetadataRecord::Config(ConfigRecord {
            resource_type: ConfigResourceType::Broker.id(),
            resource_name: "".into(),
            name: name.into(),
            value: value.map(String::from),
        })
    };
    let next = replay(
        &image,
        &[
            set("log.retention.ms", Some("1000")),
            set("num.io.threads", Some("4")),
        ],
    );
    let default_broker = ConfigResource::new(ConfigResourceType::Broker, "");
    assert_eq!(
        next.configs()
            .configs(&default_broker)
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        vec![
            (&"log.retention.ms".to_string(), &"1000".to_string()),
            (&"num.io.threads".to_string(), &"4".to_string())
        ]
    );
    let cleared = replay(
        &next,
        &[set("log.retention.ms", None), set("num.io.threads", None)],
    );
    assert_eq!(cleared.configs(), image.configs());
}

#[test]
fn features_and_producer_ids() {
    let image = replay(
        &MetadataImage::empty(),
        &[
            feature_level(),
            MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: "kraft.version".into(),
                feature_level: 1,
            }),
            MetadataRecord::ProducerIds(ProducerIdsRecord {
                broker_id: 1,
                broker_epoch: 1,
                next_producer_id: 1000,
            }),
            MetadataRecord::NoOp(NoOpRecord {}),
        ],
    );
    assert_eq!(
        image.features().finalized_versions().get("kraft.version"),
        Some(&1)
    );
    assert_eq!(
        image.producer_ids(),
        ProducerIdsImage {
            next_producer_id: 1000
        }
    );
    let removed = replay(
        &image,
        &[MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: "kraft.version".into(),
            feature_level: 0,
        })],
    );
    assert!(removed.features().finalized_versions().is_empty());
}

#[test]
fn images_at_the_same_offset_are_equal() {
    let a = replay(&MetadataImage::empty(), &cluster());
    let b = replay(&MetadataImage::empty(), &cluster());
    assert_eq!(a, b, "independently replayed");
    assert!(!a.ptr_eq(&b));
    let clone = a.clone();
    assert!(a.ptr_eq(&clone));
    let c = replay(
        &a,
        &[MetadataRecord::PartitionChange(PartitionChangeRecord {
            leader: 2,
            ..change(0)
        })],
    );
    assert_ne!(a, c);
    let noop = replay(&a, &[MetadataRecord::NoOp(NoOpRecord {})]);
    assert_ne!(a, noop, "provenance is part of the image");
    assert_eq!(noop.topics(), a.topics());
    assert!(
        noop.topics().ptr_eq(a.topics()),
        "an untouched part stays shared"
    );
}

#[test]
fn eq_given_equal_befores_compares_only_what_changed_and_agrees_with_eq() {
    // Two nodes replay a 300-partition topic apart (several partition chunks), then the
    // same or a different change to one partition, and more partitions.
    let mut records = cluster();
    records.push(topic("big", PAYMENTS));
    for p in 0..300 {
        records.push(MetadataRecord::Partition(partition(
            PAYMENTS,
            p,
            &[1, 2, 3],
            1,
        )));
    }
    let a0 = replay(&MetadataImage::empty(), &records);
    let b0 = replay(&MetadataImage::empty(), &records);
    assert_eq!(a0, b0);
    let leader = |l: i32, p: i32| {
        MetadataRecord::PartitionChange(PartitionChangeRecord {
            leader: l,
            ..PartitionChangeRecord::new(PAYMENTS, p)
        })
    };
    let more = |from: i32| -> Vec<MetadataRecord> {
        (from..from + 70)
            .map(|p| MetadataRecord::Partition(partition(PAYMENTS, p, &[2, 3, 1], 2)))
            .collect()
    };
    for (p, lb, grow) in [(5, 2, false), (5, 3, false), (299, 3, false), (5, 2, true)] {
        let mut ra = vec![leader(2, p)];
        let mut rb = vec![leader(lb, p)];
        if grow {
            ra.extend(more(300));
            rb.extend(more(300));
        }
        let a1 = replay(&a0, &ra);
        let b1 = replay(&b0, &rb);
        assert_eq!(
            a1.eq_given(&b1, &a0, &b0),
            a1 == b1,
            "partition {p} leader {lb}"
        );
        assert_eq!(a1.eq_given(&b1, &a0, &b0), lb == 2);
        if lb == 2 {
            // Two in a row: the second compares against the first (equal) pair.
            let a2 = replay(&a1, &more(1000));
            let b2 = replay(&b1, &more(1000));
            assert!(a2.eq_given(&b2, &a1, &b1));
            assert_eq!(a2, b2);
            let b2 = replay(&b1, &[leader(3, 200)]);
            let a2 = replay(&a1, &[leader(2, 200)]);
            assert!(!a2.eq_given(&b2, &a1, &b1) && a2 != b2);
        }
    }
}

#[test]
fn an_image_written_as_records_loads_back_equal() {
    let mut records = cluster();
    records.push(MetadataRecord::PartitionChange(PartitionChangeRecord {
        isr: Some(vec![2]),
        leader: 2,
        ..change(0)
    }));
    records.push(MetadataRecord::ProducerIds(ProducerIdsRecord {
        broker_id: 2,
        broker_epoch: 2,
        next_producer_id: 2000,
    }));
    let image = replay(&MetadataImage::empty(), &records);
    let mut snapshot = MetadataDelta::new(&MetadataImage::empty());
    snapshot.replay_all(&image.records()).unwrap();
    assert_eq!(snapshot.apply(image.provenance()), image);
}

// ---- the by-broker index against a naive scan, over random record sequences ----

/// One step of a random history, interpreted against the current image so that every
/// generated record is valid.
#[derive(Debug, Clone)]
enum Op {
    CreateTopic {
        slot: u8,
    },
    AddPartition {
        slot: u8,
        seed: u16,
    },
    Change {
        slot: u8,
        partition: u8,
        seed: u16,
    },
    RemoveTopic {
        slot: u8,
    },
    /// Publish the delta so far as an image; keep the previous image alive if `keep`.
    Apply {
        keep: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..4u8).prop_map(|slot| Op::CreateTopic { slot }),
        2 => (0..4u8, any::<u16>()).prop_map(|(slot, seed)| Op::AddPartition { slot, seed }),
        6 => (0..4u8, 0..8u8, any::<u16>()).prop_map(|(slot, partition, seed)| Op::Change { slot, partition, seed }),
        1 => (0..4u8).prop_map(|slot| Op::RemoveTopic { slot }),
        2 => any::<bool>().prop_map(|keep| Op::Apply { keep }),
    ]
}

const BROKERS: i32 = 5;

/// A replica list of 1–4 distinct brokers picked by `seed` (four do not fit inline).
fn pick_replicas(seed: u16) -> Vec<i32> {
    let count = 1 + (seed % 4) as i32;
    let first = ((seed / 3) % BROKERS as u16) as i32;
    (0..count)
        .map(|i| (first + i * (1 + (seed / 16) as i32 % 2)) % BROKERS)
        .fold(Vec::new(), |mut v, b| {
            if !v.contains(&b) {
                v.push(b);
            }
            v
        })
}

fn topic_slot(slot: u8) -> (String, Uuid) {
    (format!("t{slot}"), Uuid::from_u128(0x100 + slot as u128))
}

/// The record an op means against `image`, if it means one.
fn record_for(op: &Op, image: &MetadataImage, generation: &mut u128) -> Option<MetadataRecord> {
    let topics = image.topics();
    match *op {
        Op::CreateTopic { slot, .. } => {
            let (name, _) = topic_slot(slot);
            if topics.topic_by_name(&name).is_some() {
                return None;
            }
            // A fresh id per creation, as a controller derives a new one each time.
            *generation += 1;
            Some(topic(
                &name,
                Uuid::from_u128((*generation << 64) | 0x100 | slot as u128),
            ))
        }
        Op::AddPartition { slot, seed } => {
            let t = topics.topic_by_name(&topic_slot(slot).0)?;
            let replicas = pick_replicas(seed);
            let leader = if seed.is_multiple_of(5) {
                NO_LEADER
            } else {
                replicas[0]
            };
            let mut record = partition(t.id(), t.partition_count() as i32, &replicas, leader);
            if leader == NO_LEADER {
                record.isr.clear();
            }
            Some(MetadataRecord::Partition(record))
        }
        Op::Change {
            slot,
            partition,
            seed,
        } => {
            let t = topics.topic_by_name(&topic_slot(slot).0)?;
            let p = t.partition(partition as i32)?;
            let mut record = PartitionChangeRecord::new(t.id(), partition as i32);
            if seed.is_multiple_of(2) {
                record.isr = Some(
                    p.replicas()
                        .iter()
                        .copied()
                        .filter(|b| (seed >> 2) as i32 % BROKERS != *b)
                        .collect(),
                );
            }
            record.leader = match seed % 7 {
                0 => NO_LEADER,
                1 | 2 => NO_LEADER_CHANGE,
                _ => p.replicas()[(seed as usize / 7) % p.replicas().len()],
            };
            if seed.is_multiple_of(11) {
                record.replicas = Some(pick_replicas(seed / 11));
            }
            Some(MetadataRecord::PartitionChange(record))
        }
        Op::RemoveTopic { slot } => {
            let t = topics.topic_by_name(&topic_slot(slot).0)?;
            Some(MetadataRecord::RemoveTopic(RemoveTopicRecord {
                topic_id: t.id(),
            }))
        }
        Op::Apply { .. } => None,
    }
}

type Scan = Vec<(
    i32,
    Vec<TopicIdPartition>,
    Vec<TopicIdPartition>,
    Vec<TopicIdPartition>,
)>;

/// For every broker (and -1): led, in-ISR and replica partitions, found by scanning all.
fn naive(image: &MetadataImage) -> Scan {
    (-1..BROKERS)
        .map(|b| {
            let mut led = vec![];
            let mut isr = vec![];
            let mut replica = vec![];
            for t in image.topics().topics_by_id() {
                for (id, p) in t.partitions() {
                    let here = tp(t.id(), id);
                    if p.leader() == b {
                        led.push(here);
                    }
                    if p.isr().contains(&b) {
                        isr.push(here);
                    }
                    if p.replicas().contains(&b) {
                        replica.push(here);
                    }
                }
            }
            (b, led, isr, replica)
        })
        .collect()
}

fn indexed(image: &MetadataImage) -> Scan {
    let sorted = |it: &mut dyn Iterator<Item = TopicIdPartition>| {
        let mut v: Vec<_> = it.collect();
        v.sort();
        v
    };
    let t = image.topics();
    (-1..BROKERS)
        .map(|b| {
            let led = if b == NO_LEADER {
                sorted(&mut t.leaderless_partitions())
            } else {
                sorted(&mut t.partitions_led_by(b))
            };
            (
                b,
                led,
                sorted(&mut t.partitions_with_broker_in_isr(b)),
                sorted(&mut t.partitions_on_broker(b)),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn index_matches_a_naive_scan(ops in proptest::collection::vec(op(), 1..120)) {
        let mut image = replay(&MetadataImage::empty(), &[feature_level()]);
        let mut kept: Vec<(MetadataImage, Scan)> = vec![];
        let mut delta = MetadataDelta::new(&image);
        let mut generation = 0u128;
        for op in &ops {
            if let Op::Apply { keep } = op {
                let next = delta.apply(MetadataProvenance::new(image.offset() + 1, 1, 0));
                if *keep {
                    kept.push((image.clone(), naive(&image)));
                }
                image = next;
                prop_assert_eq!(indexed(&image), naive(&image));
                delta = MetadataDelta::new(&image);
            } else if let Some(record) = record_for(op, delta.image(), &mut generation) {
                delta.replay(&record).unwrap();
            }
        }
        let image = delta.apply(MetadataProvenance::new(image.offset() + 1, 1, 0));
        prop_assert_eq!(indexed(&image), naive(&image));
        // Older images are unaffected by everything replayed after them.
        for (old, scan) in &kept {
            prop_assert_eq!(&indexed(old), scan);
        }
        // And a snapshot of the final image loads back equal, with the same index.
        let mut snapshot = MetadataDelta::new(&MetadataImage::empty());
        snapshot.replay_all(&image.records()).unwrap();
        let loaded = snapshot.apply(image.provenance());
        prop_assert_eq!(&loaded, &image);
        prop_assert_eq!(indexed(&loaded), naive(&image));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// The same oracle at a size that crosses every chunk boundary: 700-partition topics
    /// (partition chunks hold 64) on three brokers (index chunks hold 512 entries).
    #[test]
    fn index_matches_a_naive_scan_across_chunk_boundaries(
        changes in proptest::collection::vec((0..3u8, 0..700u16, any::<u16>()), 1..400),
        remove_at in 0..400usize,
    ) {
        let mut records = vec![feature_level()];
        for t in 0..3u8 {
            let (name, id) = topic_slot(t);
            records.push(topic(&name, id));
            for p in 0..700 {
                let replicas = [(p % 3), (p + 1) % 3, (p + 2) % 3];
                records.push(MetadataRecord::Partition(partition(id, p, &replicas, replicas[0])));
            }
        }
        let mut image = replay(&MetadataImage::empty(), &records);
        let mut kept = vec![(image.clone(), naive(&image))];
        for (i, chunk) in changes.chunks(40).enumerate() {
            let mut delta = MetadataDelta::new(&image);
            for (j, &(slot, p, seed)) in chunk.iter().enumerate() {
                if i * 40 + j == remove_at {
                    if let Some(t) = delta.image().topics().topic_by_name(&topic_slot(slot).0) {
                        let topic_id = t.id();
                        delta.replay(&MetadataRecord::RemoveTopic(RemoveTopicRecord { topic_id })).unwrap();
                    }
                }
                let op = Op::Change { slot, partition: 0, seed };
                let Some(MetadataRecord::PartitionChange(mut record)) =
                    record_for(&op, delta.image(), &mut 0)
                else {
                    continue;
                };
                record.partition_id = p as i32;
                delta.replay(&MetadataRecord::PartitionChange(record)).unwrap();
            }
            image = delta.apply(MetadataProvenance::new(image.offset() + 1, 1, 0));
            prop_assert_eq!(indexed(&image), naive(&image));
            kept.push((image.clone(), naive(&image)));
        }
        for (old, scan) in &kept {
            prop_assert_eq!(&indexed(old), scan);
        }
    }
}
