//! Kafka's operator views of the metadata: the metadata shell tree (`kafka-metadata-shell.sh`
//! ls/cat over `image/node/*.java`) and the log dump (`kafka-dump-log.sh
//! --cluster-metadata-decoder`).

use kraftscope::metadata::shell::{cat, ls, ShellError};
use kraftscope::metadata::*;

const ORDERS: Uuid = Uuid::from_u128(0x0A);

fn records() -> Vec<MetadataRecord> {
    let partition = |partition_id: i32, replicas: Vec<i32>| {
        MetadataRecord::Partition(PartitionRecord {
            partition_id,
            topic_id: ORDERS,
            isr: replicas.clone(),
            leader: replicas[0],
            replicas,
            removing_replicas: vec![],
            adding_replicas: vec![],
            leader_recovery_state: 0,
            leader_epoch: 0,
            partition_epoch: 0,
        })
    };
    let mut out = vec![
        MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: METADATA_VERSION_FEATURE_NAME.into(),
            feature_level: MetadataVersion::SIMULATED.feature_level(),
        }),
        MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            broker_id: 1,
            is_migrating_zk_broker: false,
            incarnation_id: Uuid::from_u128(1),
            broker_epoch: 1,
            end_points: vec![BrokerEndpoint {
                name: "PLAINTEXT".into(),
                host: "broker-1".into(),
                port: 9092,
                security_protocol: 0,
            }],
            features: vec![BrokerFeature {
                name: "metadata.version".into(),
                min_supported_version: 1,
                max_supported_version: 14,
            }],
            rack: Some("rack-a".into()),
            fenced: false,
            in_controlled_shutdown: false,
        }),
        MetadataRecord::Topic(TopicRecord {
            name: "orders".into(),
            topic_id: ORDERS,
        }),
    ];
    // Twelve partitions, so that ls shows Kafka's string order ("10" before "2").
    out.extend((0..12).map(|p| partition(p, vec![1])));
    out.push(MetadataRecord::Config(ConfigRecord {
        resource_type: ConfigResourceType::Topic.id(),
        resource_name: "orders".into(),
        name: "retention.ms".into(),
        value: Some("60000".into()),
    }));
    out.push(MetadataRecord::Config(ConfigRecord {
        resource_type: ConfigResourceType::Broker.id(),
        resource_name: "".into(),
        name: "log.cleaner.threads".into(),
        value: Some("2".into()),
    }));
    out.push(MetadataRecord::ProducerIds(ProducerIdsRecord {
        broker_id: 1,
        broker_epoch: 1,
        next_producer_id: 1000,
    }));
    out
}

fn image() -> MetadataImage {
    let records = records();
    let mut delta = MetadataDelta::new(&MetadataImage::empty());
    delta.replay_all(&records).unwrap();
    delta.apply(MetadataProvenance::new(records.len() as i64 - 1, 3, 9_500))
}

fn names(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ls_lists_directories_sorted_as_strings() {
    let image = image();
    assert_eq!(ls(&image, "/").unwrap(), names(&["image"]));
    assert_eq!(
        ls(&image, "/image").unwrap(),
        names(&[
            "cluster",
            "configs",
            "features",
            "producerIds",
            "provenance",
            "topics"
        ])
    );
    assert_eq!(
        ls(&image, "/image/features").unwrap(),
        names(&["metadataVersion", "zkMigrationState"])
    );
    assert_eq!(ls(&image, "/image/cluster").unwrap(), names(&["brokers"]));
    assert_eq!(ls(&image, "/image/cluster/brokers").unwrap(), names(&["1"]));
    assert_eq!(
        ls(&image, "/image/topics").unwrap(),
        names(&["byId", "byName"])
    );
    assert_eq!(
        ls(&image, "/image/topics/byName").unwrap(),
        names(&["orders"])
    );
    assert_eq!(
        ls(&image, "/image/topics/byId").unwrap(),
        vec![ORDERS.to_string()]
    );
    assert_eq!(
        ls(&image, "/image/topics/byName/orders").unwrap(),
        names(&["0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9", "id", "name"])
    );
    assert_eq!(
        ls(&image, "/image/configs").unwrap(),
        names(&["BROKER", "TOPIC:orders"])
    );
    assert_eq!(
        ls(&image, "/image/configs/TOPIC:orders").unwrap(),
        names(&["retention.ms"])
    );
    assert_eq!(
        ls(&image, "/image/producerIds").unwrap(),
        names(&["nextProducerId"])
    );
    // A file lists as itself; `.`, `..` and doubled slashes resolve.
    assert_eq!(
        ls(&image, "/image/provenance").unwrap(),
        names(&["provenance"])
    );
    assert_eq!(
        ls(&image, "image/./topics//byName/../byName/").unwrap(),
        names(&["orders"])
    );
}

#[test]
fn cat_prints_kafkas_texts() {
    let image = image();
    let id = ORDERS.to_string();
    let cases: Vec<(String, &str)> =
        vec![
        ("/image/provenance".into(), "offset 17, epoch 3, time 1970-01-01T00:00:09.5Z[UTC]"),
        ("/image/features/metadataVersion".into(), "3.6-IV2"),
        ("/image/features/zkMigrationState".into(), "NONE"),
        (
            "/image/cluster/brokers/1".into(),
            "BrokerRegistration(id=1, epoch=1, incarnationId=AAAAAAAAAAAAAAAAAAAAAQ, \
             listeners=[Endpoint(listenerName='PLAINTEXT', securityProtocol=PLAINTEXT, \
             host='broker-1', port=9092)], supportedFeatures={metadata.version: 1-14}, \
             rack=Optional[rack-a], fenced=false, inControlledShutdown=false, \
             isMigratingZkBroker=false)",
        ),
        ("/image/topics/byName/orders/name".into(), "orders"),
        ("/image/topics/byName/orders/id".into(), "AAAAAAAAAAAAAAAAAAAACg"),
        (format!("/image/topics/byId/{id}/name"), "orders"),
        (
            format!("/image/topics/byId/{id}/11"),
            "PartitionRegistration(replicas=[1], isr=[1], removingReplicas=[], addingReplicas=[], \
             leader=1, leaderRecoveryState=RECOVERED, leaderEpoch=0, partitionEpoch=0)",
        ),
        ("/image/configs/TOPIC:orders/retention.ms".into(), "60000"),
        ("/image/configs/BROKER/log.cleaner.threads".into(), "2"),
        ("/image/producerIds/nextProducerId".into(), "1000"),
    ];
    for (path, expected) in cases {
        assert_eq!(cat(&image, &path).as_deref(), Ok(expected), "{path}");
    }
}

#[test]
fn missing_paths_and_directories_are_errors_that_name_the_path() {
    let image = image();
    assert_eq!(
        cat(&image, "/image/topics/byName/payments"),
        Err(ShellError::CatNotFound {
            path: "/image/topics/byName/payments".into()
        })
    );
    assert_eq!(
        cat(&image, "/image/topics/byName/orders/12")
            .unwrap_err()
            .to_string(),
        "cat: /image/topics/byName/orders/12: No such file or directory."
    );
    assert_eq!(
        cat(&image, "/image/topics").unwrap_err().to_string(),
        "cat: /image/topics: Is a directory"
    );
    assert_eq!(
        ls(&image, "/image/cluster/brokers/7")
            .unwrap_err()
            .to_string(),
        "ls: /image/cluster/brokers/7: no such file or directory."
    );
    assert_eq!(
        ls(&image, "/image/topics/byId/not-a-uuid").unwrap_err(),
        ShellError::LsNotFound {
            path: "/image/topics/byId/not-a-uuid".into()
        }
    );
}

#[test]
fn the_empty_image_has_the_tree_but_nothing_in_it() {
    let empty = MetadataImage::empty();
    assert_eq!(
        ls(&empty, "/image/topics/byName").unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        cat(&empty, "/image/provenance").unwrap(),
        "offset -1, epoch -1, time 1969-12-31T23:59:59.999Z[UTC]"
    );
    assert_eq!(
        cat(&empty, "/image/producerIds/nextProducerId").unwrap(),
        "-1"
    );
}

#[test]
fn dump_prints_batches_like_kafka_dump_log() {
    let leader_change = ControlRecord::LeaderChange(LeaderChangeMessage {
        version: 0,
        leader_id: 1,
        voters: vec![Voter { voter_id: 1 }],
        granting_voters: vec![Voter { voter_id: 1 }],
    });
    let feature = MetadataRecord::FeatureLevel(FeatureLevelRecord {
        name: "metadata.version".into(),
        feature_level: 14,
    });
    let topic = MetadataRecord::Topic(TopicRecord {
        name: "orders".into(),
        topic_id: ORDERS,
    });
    let noop = MetadataRecord::NoOp(NoOpRecord {});
    let batches = vec![
        DumpBatch {
            base_offset: 0,
            epoch: 1,
            append_time_ms: 1_000,
            records: vec![DumpRecord::Control(&leader_change)],
        },
        DumpBatch {
            base_offset: 1,
            epoch: 1,
            append_time_ms: 1_200,
            records: vec![DumpRecord::Metadata(&feature), DumpRecord::Metadata(&topic)],
        },
        DumpBatch {
            base_offset: 3,
            epoch: 1,
            append_time_ms: 1_700,
            records: vec![DumpRecord::Metadata(&noop)],
        },
    ];
    let headers = batch_headers(&batches);
    // Sizes are Kafka's v2 layout: 61 header bytes, then per record 7 bytes of framing, the
    // key (4 bytes for control records) and the value.
    assert_eq!(
        headers
            .iter()
            .map(|h| (h.position_bytes, h.size_bytes))
            .collect::<Vec<_>>(),
        vec![
            (0, 61 + 7 + 4 + 19),
            (91, 61 + 7 + 23 + 7 + 27),
            (216, 61 + 7 + 4)
        ]
    );
    let text = render_batches(&batches, DumpOptions::default());
    let expected = format!(
        "baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 1 isTransactional: false isControl: true deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1000 size: 91 magic: 2 compresscodec: none crc: {} isvalid: true\n\
         | offset: 0 CreateTime: 1000 keySize: 4 valueSize: 19 sequence: -1 headerKeys: [] controlType: LEADER_CHANGE(2)\n\
         baseOffset: 1 lastOffset: 2 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 91 CreateTime: 1200 size: 125 magic: 2 compresscodec: none crc: {} isvalid: true\n\
         | offset: 1 CreateTime: 1200 keySize: -1 valueSize: 23 sequence: -1 headerKeys: [] payload: {{\"type\":\"FEATURE_LEVEL_RECORD\",\"version\":0,\"data\":{{\"name\":\"metadata.version\",\"featureLevel\":14}}}}\n\
         | offset: 2 CreateTime: 1200 keySize: -1 valueSize: 27 sequence: -1 headerKeys: [] payload: {{\"type\":\"TOPIC_RECORD\",\"version\":0,\"data\":{{\"name\":\"orders\",\"topicId\":\"AAAAAAAAAAAAAAAAAAAACg\"}}}}\n\
         baseOffset: 3 lastOffset: 3 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 216 CreateTime: 1700 size: 72 magic: 2 compresscodec: none crc: {} isvalid: true\n\
         | offset: 3 CreateTime: 1700 keySize: -1 valueSize: 4 sequence: -1 headerKeys: [] payload: {{\"type\":\"NO_OP_RECORD\",\"version\":0,\"data\":{{}}}}\n",
        headers[0].crc, headers[1].crc, headers[2].crc
    );
    assert_eq!(text, expected);
    assert_eq!(batch_size_bytes(&batches[2]), 72);
}

#[test]
fn dump_can_skip_record_metadata_and_shows_snapshot_markers() {
    let header = ControlRecord::SnapshotHeader(SnapshotHeaderRecord {
        version: 0,
        last_contained_log_timestamp: 1_700,
    });
    let footer = ControlRecord::SnapshotFooter(SnapshotFooterRecord { version: 0 });
    let noop = MetadataRecord::NoOp(NoOpRecord {});
    let batches = vec![
        DumpBatch {
            base_offset: 0,
            epoch: 1,
            append_time_ms: 0,
            records: vec![DumpRecord::Control(&header)],
        },
        DumpBatch {
            base_offset: 1,
            epoch: 1,
            append_time_ms: 0,
            records: vec![DumpRecord::Metadata(&noop)],
        },
        DumpBatch {
            base_offset: 2,
            epoch: 1,
            append_time_ms: 0,
            records: vec![DumpRecord::Control(&footer)],
        },
    ];
    let full = render_batches(&batches, DumpOptions::default());
    let lines: Vec<&str> = full.lines().collect();
    assert_eq!(
        lines[1],
        "| offset: 0 CreateTime: 0 keySize: 4 valueSize: 11 sequence: -1 headerKeys: [] SnapshotHeader {\"version\":0,\"lastContainedLogTimestamp\":1700}"
    );
    assert_eq!(
        lines[5],
        "| offset: 2 CreateTime: 0 keySize: 4 valueSize: 3 sequence: -1 headerKeys: [] SnapshotFooter {\"version\":0}"
    );
    let skipped = render_batches(
        &batches,
        DumpOptions {
            skip_record_metadata: true,
        },
    );
    let lines: Vec<&str> = skipped.lines().collect();
    // DumpLogSegments prints "| " then " payload: …", and nothing for control records.
    assert_eq!(lines[1], "| ");
    assert_eq!(
        lines[3],
        "|  payload: {\"type\":\"NO_OP_RECORD\",\"version\":0,\"data\":{}}"
    );
    assert_eq!(lines[5], "| ");
}
