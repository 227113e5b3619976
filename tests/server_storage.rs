//! `meta.properties`, `kafka-storage.sh format` and the startup checks of a node's log
//! directories, on a `Storage` value (KRAFT.md §6 "Formatting").

use std::collections::BTreeMap;

use kraftscope::server::storage::{BootstrapMetadata, LogDir};
use kraftscope::server::{
    check_startup, format, DynamicVoter, FormatError, FormatOptions, HostPort, InitialControllers,
    MetaProperties, MetaPropertiesError, ProcessRoles, QuorumVoter, ServerConfig, StartupError,
    Storage, Uuid,
};

const CLUSTER: &str = "MkU3OEVBNTcwNTJENDM2Qg";
const OTHER_CLUSTER: &str = "XcZZOzUqS4yHOjhMQB6JLQ";

/// Deterministic "random" bytes: 1,1,1…, then 2,2,2…, and so on.
fn counter() -> impl FnMut() -> [u8; 16] {
    let mut next = 0u8;
    move || {
        next += 1;
        [next; 16]
    }
}

fn id_of(byte: u8) -> Uuid {
    Uuid::from_bytes([byte; 16])
}

fn voters(ids: &[i32]) -> Vec<QuorumVoter> {
    ids.iter().copied().map(QuorumVoter::for_node).collect()
}

fn controller() -> ServerConfig {
    ServerConfig::default_for(1, ProcessRoles::Controller, &voters(&[1, 2, 3]))
}

fn dynamic_controller() -> ServerConfig {
    let bootstrap = [HostPort {
        host: "node1".to_string(),
        port: 9093,
    }];
    ServerConfig::default_for_bootstrap(1, ProcessRoles::Controller, &bootstrap)
}

fn formatted(config: &ServerConfig, options: &FormatOptions) -> Storage {
    let mut storage = Storage::default();
    format(config, &mut storage, options, &mut counter()).expect("format succeeds");
    storage
}

#[test]
fn meta_properties_text_is_what_kafka_writes() {
    let meta = MetaProperties::new(CLUSTER, 1, Some(id_of(1)));
    assert_eq!(
        meta.to_properties_text(),
        "#\nnode.id=1\ndirectory.id=AQEBAQEBAQEBAQEBAQEBAQ\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qg\n"
    );
    assert_eq!(
        MetaProperties::parse(&meta.to_properties_text()),
        Ok(meta.clone())
    );
    assert_eq!(
        meta.to_string(),
        "MetaProperties(version=1, clusterId=MkU3OEVBNTcwNTJENDM2Qg, nodeId=1, directoryId=AQEBAQEBAQEBAQEBAQEBAQ)"
    );
}

#[test]
fn a_real_kafka_meta_properties_file_parses() {
    // As Kafka 3.7+ writes it, date comment included.
    let text = "#\n#Tue Jun 11 14:08:35 UTC 2024\nnode.id=1\ndirectory.id=K90IZ-0DRNazJ49kCZ1EMQ\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qg\n";
    assert_eq!(
        MetaProperties::parse(text),
        Ok(MetaProperties {
            version: 1,
            cluster_id: CLUSTER.to_string(),
            node_id: 1,
            directory_id: Some(Uuid::parse("K90IZ-0DRNazJ49kCZ1EMQ").unwrap()),
        })
    );
}

#[test]
fn unreadable_meta_properties_say_why_as_kafka_does() {
    let cases = [
        ("version=x\n", "Invalid meta.properties version string 'x'"),
        ("version=7\n", "Unknown meta.properties version number 7"),
        ("version=1\ncluster.id=c\n", "Failed to find node.id"),
        ("version=1\nnode.id=one\ncluster.id=c\n", "Unable to read node.id as a base-10 number."),
        ("version=1\nnode.id=1\n", "cluster.id was not found."),
        (
            "version=1\nnode.id=1\ncluster.id=c\ndirectory.id=abc\n",
            "Unable to read directory.id as a Uuid: Input string `abc` decoded as 2 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
        ),
        (
            "broker.id=1\ncluster.id=c\n",
            "Unsupported meta.properties version 0: KRaftScope reads the version 1 files kafka-storage.sh format writes",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(
            MetaProperties::parse(text),
            Err(MetaPropertiesError(message.to_string())),
            "{text:?}"
        );
    }
}

#[test]
fn random_uuid_renders_the_callers_bytes_like_kafka_storage_random_uuid() {
    let bytes = [
        0x32, 0x45, 0x37, 0x38, 0x45, 0x41, 0x35, 0x37, 0x30, 0x35, 0x32, 0x44, 0x34, 0x33, 0x36,
        0x42,
    ];
    // Version and variant bits set, as java.util.UUID.randomUUID does.
    let uuid = Uuid::random_from_bytes(bytes).unwrap();
    assert_eq!(uuid.to_string(), "MkU3OEVBRTewNTJENDM2Qg");
    assert_eq!(Uuid::parse(&uuid.to_string()), Ok(uuid));
    // The bytes as they are: Kafka's example cluster id.
    assert_eq!(Uuid::from_bytes(bytes).to_string(), CLUSTER);
}

#[test]
fn format_writes_meta_properties_into_a_static_quorum_controller() {
    let mut storage = Storage::default();
    let printed = format(
        &controller(),
        &mut storage,
        &FormatOptions::new(CLUSTER),
        &mut counter(),
    );
    assert_eq!(
        printed,
        Ok(vec![
            "Formatting metadata directory /tmp/kraft-controller-logs with metadata.version 4.1-IV1."
                .to_string()
        ])
    );
    assert_eq!(
        storage.log_dirs,
        BTreeMap::from([(
            "/tmp/kraft-controller-logs".to_string(),
            LogDir {
                meta_properties: Some(
                    MetaProperties::new(CLUSTER, 1, Some(id_of(1))).to_properties_text()
                ),
                bootstrap: Some(BootstrapMetadata {
                    release_version: "4.1-IV1".to_string(),
                    kraft_version: 0,
                }),
                bootstrap_voters: None,
            }
        )])
    );
}

#[test]
fn format_writes_every_log_dir_and_the_metadata_dir() {
    let mut config = ServerConfig::default_for(4, ProcessRoles::Broker, &voters(&[1]));
    config.log_dirs = vec!["/data/b".to_string(), "/data/a".to_string()];
    config.metadata_log_dir = Some("/data/meta".to_string());
    let mut storage = Storage::default();
    let options = FormatOptions {
        release_version: Some("3.9-IV0".to_string()),
        ..FormatOptions::new(CLUSTER)
    };
    let printed = format(&config, &mut storage, &options, &mut counter()).unwrap();
    assert_eq!(
        printed,
        [
            "Formatting data directory /data/a with metadata.version 3.9-IV0.",
            "Formatting data directory /data/b with metadata.version 3.9-IV0.",
            "Formatting metadata directory /data/meta with metadata.version 3.9-IV0.",
        ]
    );
    let directory_ids: Vec<Option<Uuid>> = storage
        .log_dirs
        .values()
        .map(|dir| {
            MetaProperties::parse(dir.meta_properties.as_deref().unwrap())
                .unwrap()
                .directory_id
        })
        .collect();
    assert_eq!(
        directory_ids,
        [Some(id_of(1)), Some(id_of(2)), Some(id_of(3))]
    );
}

#[test]
fn format_refuses_an_already_formatted_directory() {
    let mut storage = formatted(&controller(), &FormatOptions::new(CLUSTER));
    let before = storage.clone();
    assert_eq!(
        format(&controller(), &mut storage, &FormatOptions::new(CLUSTER), &mut counter()),
        Err(FormatError(
            "Log directory /tmp/kraft-controller-logs is already formatted. Use --ignore-formatted to ignore this directory and format the others."
                .to_string()
        ))
    );
    assert_eq!(storage, before);
}

#[test]
fn format_with_ignore_formatted_leaves_formatted_directories_alone() {
    let mut storage = formatted(&controller(), &FormatOptions::new(CLUSTER));
    let before = storage.clone();
    let options = FormatOptions {
        ignore_formatted: true,
        ..FormatOptions::new(CLUSTER)
    };
    assert_eq!(
        format(&controller(), &mut storage, &options, &mut counter()),
        Ok(vec![
            "All of the log directories are already formatted.".to_string()
        ])
    );
    assert_eq!(storage, before);
}

#[test]
fn format_refuses_a_directory_of_another_cluster_even_with_ignore_formatted() {
    // Formatter.doFormat verifies the ensemble before looking at --ignore-formatted.
    let mut storage = formatted(&controller(), &FormatOptions::new(OTHER_CLUSTER));
    let options = FormatOptions {
        ignore_formatted: true,
        ..FormatOptions::new(CLUSTER)
    };
    assert_eq!(
        format(&controller(), &mut storage, &options, &mut counter()),
        Err(FormatError(
            "Invalid cluster.id in: /tmp/kraft-controller-logs/meta.properties. Expected MkU3OEVBNTcwNTJENDM2Qg, but read XcZZOzUqS4yHOjhMQB6JLQ"
                .to_string()
        ))
    );
}

#[test]
fn format_refuses_a_cluster_id_that_is_not_a_kafka_uuid() {
    let mut storage = Storage::default();
    assert_eq!(
        format(
            &controller(),
            &mut storage,
            &FormatOptions::new("invalid"),
            &mut counter()
        ),
        Err(FormatError(
            "Cluster ID string invalid does not appear to be a valid UUID: Input string `invalid` decoded as 5 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID"
                .to_string()
        ))
    );
    assert_eq!(storage, Storage::default());
}

#[test]
fn a_controller_without_static_voters_needs_a_kip_853_flag() {
    let mut storage = Storage::default();
    assert_eq!(
        format(&dynamic_controller(), &mut storage, &FormatOptions::new(CLUSTER), &mut counter()),
        Err(FormatError(
            "Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers."
                .to_string()
        ))
    );
}

#[test]
fn standalone_formats_a_single_voter_dynamic_quorum() {
    let mut storage = Storage::default();
    let options = FormatOptions {
        initial_controllers: InitialControllers::Standalone,
        ..FormatOptions::new(CLUSTER)
    };
    let printed = format(
        &dynamic_controller(),
        &mut storage,
        &options,
        &mut counter(),
    )
    .unwrap();
    assert_eq!(
        printed,
        ["Formatting dynamic metadata voter directory /tmp/kraft-controller-logs with metadata.version 4.1-IV1."]
    );
    // The voter's directory id is a random (version 4) UUID, and it becomes the metadata
    // directory's id.
    let voter_dir_id = Uuid::random_from_bytes([1; 16]).unwrap();
    let dir = &storage.log_dirs["/tmp/kraft-controller-logs"];
    assert_eq!(
        dir,
        &LogDir {
            meta_properties: Some(
                MetaProperties::new(CLUSTER, 1, Some(voter_dir_id)).to_properties_text()
            ),
            bootstrap: Some(BootstrapMetadata {
                release_version: "4.1-IV1".to_string(),
                kraft_version: 1,
            }),
            bootstrap_voters: Some(vec![DynamicVoter {
                node_id: 1,
                host: "node1".to_string(),
                port: 9093,
                directory_id: voter_dir_id,
            }]),
        }
    );
}

#[test]
fn initial_controllers_give_the_voter_set_and_this_nodes_directory_id() {
    let mut storage = Storage::default();
    let options = FormatOptions {
        initial_controllers: InitialControllers::List(
            "1@node1:9093:AQEBAQEBAQEBAQEBAQEBAQ,2@node2:9093:AgICAgICAgICAgICAgICAg".to_string(),
        ),
        ..FormatOptions::new(CLUSTER)
    };
    format(&dynamic_controller(), &mut storage, &options, &mut || {
        [9; 16]
    })
    .unwrap();
    let dir = &storage.log_dirs["/tmp/kraft-controller-logs"];
    assert_eq!(
        MetaProperties::parse(dir.meta_properties.as_deref().unwrap())
            .unwrap()
            .directory_id,
        Some(id_of(1))
    );
    let voter_ids: Vec<(i32, String)> = dir
        .bootstrap_voters
        .iter()
        .flatten()
        .map(|v| (v.node_id, v.to_string()))
        .collect();
    assert_eq!(
        voter_ids,
        [
            (1, "1@node1:9093:AQEBAQEBAQEBAQEBAQEBAQ".to_string()),
            (2, "2@node2:9093:AgICAgICAgICAgICAgICAg".to_string()),
        ]
    );
}

#[test]
fn no_initial_controllers_formats_a_dynamic_quorum_member_without_voters() {
    let mut storage = Storage::default();
    let options = FormatOptions {
        initial_controllers: InitialControllers::NoInitialControllers,
        ..FormatOptions::new(CLUSTER)
    };
    let printed = format(
        &dynamic_controller(),
        &mut storage,
        &options,
        &mut counter(),
    )
    .unwrap();
    assert_eq!(
        printed,
        ["Formatting metadata directory /tmp/kraft-controller-logs with metadata.version 4.1-IV1."]
    );
    let dir = &storage.log_dirs["/tmp/kraft-controller-logs"];
    assert_eq!(
        (
            dir.bootstrap.as_ref().map(|b| b.kraft_version),
            &dir.bootstrap_voters
        ),
        (Some(1), &None)
    );
}

#[test]
fn kip_853_flags_are_refused_where_kafka_refuses_them() {
    let standalone = FormatOptions {
        initial_controllers: InitialControllers::Standalone,
        ..FormatOptions::new(CLUSTER)
    };
    let broker = ServerConfig::default_for_bootstrap(
        4,
        ProcessRoles::Broker,
        &[HostPort {
            host: "node1".to_string(),
            port: 9093,
        }],
    );
    let list = |text: &str| FormatOptions {
        initial_controllers: InitialControllers::List(text.to_string()),
        ..FormatOptions::new(CLUSTER)
    };
    let cases: Vec<(ServerConfig, FormatOptions, &str)> = vec![
        (
            controller(),
            standalone.clone(),
            "You cannot specify controller.quorum.voters and format the node with --initial-controllers or --standalone. If you want to use dynamic quorum, please remove controller.quorum.voters and specify controller.quorum.bootstrap.servers instead.",
        ),
        (broker, standalone, "You can only use --standalone on a controller."),
        (dynamic_controller(), list("node1:9093"), "No @ found in dynamic voter string."),
        (dynamic_controller(), list("@node1:9093:x"), "Invalid @ at beginning of dynamic voter string."),
        (dynamic_controller(), list("1@node1:9093"), "No colon following port could be found."),
        (dynamic_controller(), list("1@node1:99999:AQEBAQEBAQEBAQEBAQEBAQ"), "Invalid port 99999 in dynamic voter string."),
        (dynamic_controller(), list("1@node1:9093:nope"), "Failed to parse directory ID in dynamic voter string."),
        (
            dynamic_controller(),
            list("1@node1:9093:AQEBAQEBAQEBAQEBAQEBAQ,1@node2:9093:AgICAgICAgICAgICAgICAg"),
            "Node id 1 was specified more than once.",
        ),
        (dynamic_controller(), list(","), "No voters given."),
    ];
    for (config, options, message) in cases {
        let mut storage = Storage::default();
        assert_eq!(
            format(&config, &mut storage, &options, &mut counter()),
            Err(FormatError(message.to_string())),
            "{:?}",
            options.initial_controllers
        );
        assert_eq!(storage, Storage::default());
    }
}

#[test]
fn startup_refuses_an_unformatted_node() {
    assert_eq!(
        check_startup(&controller(), &Storage::default(), Some(CLUSTER)).map_err(|e| e.to_string()),
        Err("No readable meta.properties files found.".to_string())
    );
}

#[test]
fn startup_accepts_a_node_formatted_for_its_cluster() {
    let storage = formatted(&controller(), &FormatOptions::new(CLUSTER));
    assert_eq!(
        check_startup(&controller(), &storage, Some(CLUSTER)),
        Ok(MetaProperties::new(CLUSTER, 1, Some(id_of(1))))
    );
}

#[test]
fn startup_refuses_a_node_formatted_for_another_cluster() {
    let storage = formatted(&controller(), &FormatOptions::new(OTHER_CLUSTER));
    let error = check_startup(&controller(), &storage, Some(CLUSTER)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "The Cluster ID MkU3OEVBNTcwNTJENDM2Qg doesn't match stored clusterId Some(XcZZOzUqS4yHOjhMQB6JLQ) in meta.properties. The broker is trying to join the wrong cluster."
    );
    assert_eq!(
        error.error_code(),
        Some((
            "INCONSISTENT_CLUSTER_ID",
            104,
            "The clusterId in the request does not match that found on the server"
        ))
    );
}

#[test]
fn startup_refuses_a_disk_formatted_for_another_node_id() {
    let storage = formatted(&controller(), &FormatOptions::new(CLUSTER));
    let node_2 = ServerConfig::default_for(2, ProcessRoles::Controller, &voters(&[1, 2, 3]));
    assert_eq!(
        check_startup(&node_2, &storage, Some(CLUSTER)),
        Err(StartupError::InconsistentDirectories(
            "Stored node id 1 doesn't match previous node id 2 in /tmp/kraft-controller-logs/meta.properties. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories."
                .to_string()
        ))
    );
}

#[test]
fn startup_refuses_directories_of_two_clusters() {
    let mut config = controller();
    config.log_dirs = vec!["/a".to_string(), "/b".to_string()];
    let mut storage = formatted(&config, &FormatOptions::new(CLUSTER));
    let other = MetaProperties::new(OTHER_CLUSTER, 1, Some(id_of(9)));
    storage.log_dirs.get_mut("/b").unwrap().meta_properties = Some(other.to_properties_text());
    assert_eq!(
        check_startup(&config, &storage, None).map_err(|e| e.to_string()),
        Err("Invalid cluster.id in: /b/meta.properties. Expected MkU3OEVBNTcwNTJENDM2Qg, but read XcZZOzUqS4yHOjhMQB6JLQ".to_string())
    );
}

#[test]
fn startup_refuses_an_unreadable_metadata_directory() {
    let mut config = controller();
    config.log_dirs = vec!["/a".to_string(), "/meta".to_string()];
    config.metadata_log_dir = Some("/meta".to_string());
    let mut storage = formatted(&config, &FormatOptions::new(CLUSTER));
    storage.log_dirs.get_mut("/meta").unwrap().meta_properties = Some("version=1\n".to_string());
    assert_eq!(
        check_startup(&config, &storage, Some(CLUSTER)).map_err(|e| e.to_string()),
        Err("Encountered I/O error in metadata log directory /meta. Cannot continue.".to_string())
    );
}
