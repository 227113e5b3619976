//! The JSON of every metadata record, as kafka-dump-log's `--cluster-metadata-decoder` prints
//! it (`MetadataJsonConverters.writeJson`, KIP-631 record schemas): golden strings, then a
//! round trip through serde.

use kraftscope::metadata::*;

fn topic_id() -> Uuid {
    "aHR0cHM6Ly9rYWZrYS5hcA".parse().unwrap()
}

fn incarnation_id() -> Uuid {
    Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)
}

/// Every record type with the exact text Kafka prints for it.
fn golden() -> Vec<(MetadataRecord, String)> {
    let t = topic_id();
    let i = incarnation_id();
    vec![
        (
            MetadataRecord::RegisterBroker(RegisterBrokerRecord {
                broker_id: 1,
                is_migrating_zk_broker: false,
                incarnation_id: i,
                broker_epoch: 5,
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
                rack: None,
                fenced: true,
                in_controlled_shutdown: false,
            }),
            format!(
                r#"{{"type":"REGISTER_BROKER_RECORD","version":2,"data":{{"brokerId":1,"isMigratingZkBroker":false,"incarnationId":"{i}","brokerEpoch":5,"endPoints":[{{"name":"PLAINTEXT","host":"broker-1","port":9092,"securityProtocol":0}}],"features":[{{"name":"metadata.version","minSupportedVersion":1,"maxSupportedVersion":14}}],"rack":null,"fenced":true,"inControlledShutdown":false}}}}"#
            ),
        ),
        (
            MetadataRecord::UnregisterBroker(UnregisterBrokerRecord {
                broker_id: 1,
                broker_epoch: 5,
            }),
            r#"{"type":"UNREGISTER_BROKER_RECORD","version":0,"data":{"brokerId":1,"brokerEpoch":5}}"#.into(),
        ),
        (
            MetadataRecord::Topic(TopicRecord {
                name: "orders".into(),
                topic_id: t,
            }),
            format!(r#"{{"type":"TOPIC_RECORD","version":0,"data":{{"name":"orders","topicId":"{t}"}}}}"#),
        ),
        (
            MetadataRecord::Partition(PartitionRecord {
                partition_id: 0,
                topic_id: t,
                replicas: vec![1, 2, 3],
                isr: vec![1, 2, 3],
                removing_replicas: vec![],
                adding_replicas: vec![],
                leader: 1,
                leader_recovery_state: 0,
                leader_epoch: 0,
                partition_epoch: 0,
            }),
            // leaderRecoveryState is tagged and omitted at its default, 0.
            format!(
                r#"{{"type":"PARTITION_RECORD","version":0,"data":{{"partitionId":0,"topicId":"{t}","replicas":[1,2,3],"isr":[1,2,3],"removingReplicas":[],"addingReplicas":[],"leader":1,"leaderEpoch":0,"partitionEpoch":0}}}}"#
            ),
        ),
        (
            MetadataRecord::Partition(PartitionRecord {
                partition_id: 3,
                topic_id: t,
                replicas: vec![2, 3],
                isr: vec![3],
                removing_replicas: vec![2],
                adding_replicas: vec![4],
                leader: 3,
                leader_recovery_state: 1,
                leader_epoch: 7,
                partition_epoch: 9,
            }),
            format!(
                r#"{{"type":"PARTITION_RECORD","version":0,"data":{{"partitionId":3,"topicId":"{t}","replicas":[2,3],"isr":[3],"removingReplicas":[2],"addingReplicas":[4],"leader":3,"leaderRecoveryState":1,"leaderEpoch":7,"partitionEpoch":9}}}}"#
            ),
        ),
        (
            MetadataRecord::Config(ConfigRecord {
                resource_type: ConfigResourceType::Topic.id(),
                resource_name: "orders".into(),
                name: "cleanup.policy".into(),
                value: Some("compact".into()),
            }),
            r#"{"type":"CONFIG_RECORD","version":0,"data":{"resourceType":2,"resourceName":"orders","name":"cleanup.policy","value":"compact"}}"#.into(),
        ),
        (
            MetadataRecord::Config(ConfigRecord {
                resource_type: ConfigResourceType::Broker.id(),
                resource_name: "".into(),
                name: "log.retention.ms".into(),
                value: None,
            }),
            r#"{"type":"CONFIG_RECORD","version":0,"data":{"resourceType":4,"resourceName":"","name":"log.retention.ms","value":null}}"#.into(),
        ),
        (
            MetadataRecord::PartitionChange(PartitionChangeRecord {
                isr: Some(vec![2, 3]),
                leader: 2,
                ..PartitionChangeRecord::new(t, 0)
            }),
            format!(
                r#"{{"type":"PARTITION_CHANGE_RECORD","version":0,"data":{{"partitionId":0,"topicId":"{t}","isr":[2,3],"leader":2}}}}"#
            ),
        ),
        (
            // NO_LEADER (-1) is a change and is printed; NO_LEADER_CHANGE (-2) is not.
            MetadataRecord::PartitionChange(PartitionChangeRecord {
                isr: Some(vec![]),
                leader: NO_LEADER,
                ..PartitionChangeRecord::new(t, 1)
            }),
            format!(
                r#"{{"type":"PARTITION_CHANGE_RECORD","version":0,"data":{{"partitionId":1,"topicId":"{t}","isr":[],"leader":-1}}}}"#
            ),
        ),
        (
            MetadataRecord::PartitionChange(PartitionChangeRecord {
                replicas: Some(vec![1, 2, 4]),
                removing_replicas: Some(vec![3]),
                adding_replicas: Some(vec![4]),
                leader_recovery_state: 0,
                ..PartitionChangeRecord::new(t, 2)
            }),
            format!(
                r#"{{"type":"PARTITION_CHANGE_RECORD","version":0,"data":{{"partitionId":2,"topicId":"{t}","replicas":[1,2,4],"removingReplicas":[3],"addingReplicas":[4],"leaderRecoveryState":0}}}}"#
            ),
        ),
        (
            MetadataRecord::FenceBroker(FenceBrokerRecord { id: 1, epoch: 5 }),
            r#"{"type":"FENCE_BROKER_RECORD","version":0,"data":{"id":1,"epoch":5}}"#.into(),
        ),
        (
            MetadataRecord::UnfenceBroker(UnfenceBrokerRecord { id: 1, epoch: 5 }),
            r#"{"type":"UNFENCE_BROKER_RECORD","version":0,"data":{"id":1,"epoch":5}}"#.into(),
        ),
        (
            MetadataRecord::RemoveTopic(RemoveTopicRecord { topic_id: t }),
            format!(r#"{{"type":"REMOVE_TOPIC_RECORD","version":0,"data":{{"topicId":"{t}"}}}}"#),
        ),
        (
            MetadataRecord::FeatureLevel(FeatureLevelRecord {
                name: "metadata.version".into(),
                feature_level: 14,
            }),
            r#"{"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":14}}"#.into(),
        ),
        (
            MetadataRecord::ProducerIds(ProducerIdsRecord {
                broker_id: 1,
                broker_epoch: 5,
                next_producer_id: 1000,
            }),
            r#"{"type":"PRODUCER_IDS_RECORD","version":0,"data":{"brokerId":1,"brokerEpoch":5,"nextProducerId":1000}}"#.into(),
        ),
        (
            MetadataRecord::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
                broker_id: 1,
                broker_epoch: 5,
                fenced: FENCED_CHANGE_UNFENCE,
                in_controlled_shutdown: IN_CONTROLLED_SHUTDOWN_CHANGE_NONE,
            }),
            r#"{"type":"BROKER_REGISTRATION_CHANGE_RECORD","version":1,"data":{"brokerId":1,"brokerEpoch":5,"fenced":-1}}"#.into(),
        ),
        (
            MetadataRecord::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
                broker_id: 1,
                broker_epoch: 5,
                fenced: FENCED_CHANGE_NONE,
                in_controlled_shutdown: IN_CONTROLLED_SHUTDOWN_CHANGE_SET,
            }),
            r#"{"type":"BROKER_REGISTRATION_CHANGE_RECORD","version":1,"data":{"brokerId":1,"brokerEpoch":5,"inControlledShutdown":1}}"#.into(),
        ),
        (
            MetadataRecord::NoOp(NoOpRecord {}),
            r#"{"type":"NO_OP_RECORD","version":0,"data":{}}"#.into(),
        ),
    ]
}

#[test]
fn every_record_prints_kafkas_json() {
    for (record, expected) in golden() {
        assert_eq!(serde_json::to_string(&record).unwrap(), expected);
    }
}

#[test]
fn every_record_round_trips_through_json() {
    for (record, text) in golden() {
        let parsed: MetadataRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, record, "{text}");
    }
}

#[test]
fn golden_covers_every_record_type_with_its_api_key() {
    let mut seen: Vec<(i16, &str)> = golden()
        .iter()
        .map(|(r, _)| (r.api_key(), r.record_type().name()))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        vec![
            (0, "REGISTER_BROKER_RECORD"),
            (1, "UNREGISTER_BROKER_RECORD"),
            (2, "TOPIC_RECORD"),
            (3, "PARTITION_RECORD"),
            (4, "CONFIG_RECORD"),
            (5, "PARTITION_CHANGE_RECORD"),
            (7, "FENCE_BROKER_RECORD"),
            (8, "UNFENCE_BROKER_RECORD"),
            (9, "REMOVE_TOPIC_RECORD"),
            (12, "FEATURE_LEVEL_RECORD"),
            (15, "PRODUCER_IDS_RECORD"),
            (17, "BROKER_REGISTRATION_CHANGE_RECORD"),
            (20, "NO_OP_RECORD"),
        ]
    );
}

#[test]
fn missing_fields_take_kafkas_defaults() {
    // A PartitionChangeRecord that names only the partition changes nothing, and a
    // RegisterBrokerRecord without `fenced` registers a fenced broker.
    let t = topic_id();
    let change: MetadataRecord = serde_json::from_str(&format!(
        r#"{{"type":"PARTITION_CHANGE_RECORD","version":0,"data":{{"partitionId":4,"topicId":"{t}"}}}}"#
    ))
    .unwrap();
    assert_eq!(
        change,
        MetadataRecord::PartitionChange(PartitionChangeRecord::new(t, 4))
    );
    let register: MetadataRecord = serde_json::from_str(&format!(
        r#"{{"type":"REGISTER_BROKER_RECORD","version":0,"data":{{"brokerId":2,"incarnationId":"{t}","brokerEpoch":9}}}}"#
    ))
    .unwrap();
    assert_eq!(
        register,
        MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            broker_id: 2,
            is_migrating_zk_broker: false,
            incarnation_id: t,
            broker_epoch: 9,
            end_points: vec![],
            features: vec![],
            rack: None,
            fenced: true,
            in_controlled_shutdown: false,
        })
    );
}

#[test]
fn unknown_record_types_are_rejected_by_name() {
    let err = serde_json::from_str::<MetadataRecord>(
        r#"{"type":"ACCESS_CONTROL_ENTRY_RECORD","version":0,"data":{}}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown metadata record type ACCESS_CONTROL_ENTRY_RECORD"
    );
}

#[test]
fn control_records_print_their_json_shapes() {
    let leader_change = LeaderChangeMessage {
        version: 0,
        leader_id: 2,
        voters: vec![
            Voter { voter_id: 1 },
            Voter { voter_id: 2 },
            Voter { voter_id: 3 },
        ],
        granting_voters: vec![Voter { voter_id: 2 }, Voter { voter_id: 3 }],
    };
    assert_eq!(
        serde_json::to_string(&leader_change).unwrap(),
        r#"{"version":0,"leaderId":2,"voters":[{"voterId":1},{"voterId":2},{"voterId":3}],"grantingVoters":[{"voterId":2},{"voterId":3}]}"#
    );
    assert_eq!(
        serde_json::to_string(&SnapshotHeaderRecord {
            version: 0,
            last_contained_log_timestamp: 1500
        })
        .unwrap(),
        r#"{"version":0,"lastContainedLogTimestamp":1500}"#
    );
    assert_eq!(
        serde_json::to_string(&SnapshotFooterRecord { version: 0 }).unwrap(),
        r#"{"version":0}"#
    );
}
