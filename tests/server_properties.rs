//! `server.properties` files that pin one behaviour each, named for it, under
//! `tests/server_properties/`. Each file states what Kafka (and so KRaftScope) makes of it:
//!
//! ```text
//! # <the behaviour, and the Kafka source it comes from>
//! # expect: ok                      (or one "# expect: line N: <message>" per error)
//! # warn: line N: <message>         (one per warning, when it parses)
//! ```
//!
//! The whole list of errors (or warnings) must match, in order.

use std::collections::BTreeSet;

use kraftscope::server::ServerConfig;

fn expectations(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix(prefix))
        .map(str::to_string)
        .collect()
}

fn check(name: &str, text: &str) {
    let expected_errors = expectations(text, "# expect: ");
    let expected_warnings = expectations(text, "# warn: ");
    assert!(!expected_errors.is_empty(), "{name}: no `# expect:` line");
    match ServerConfig::parse(text) {
        Ok(config) => {
            assert_eq!(
                expected_errors,
                ["ok"],
                "{name}: Kafka would refuse this file"
            );
            let warnings: Vec<String> = config.warnings.iter().map(|w| w.to_string()).collect();
            assert_eq!(warnings, expected_warnings, "{name}: warnings");
            // Whatever parses renders to text that parses to the same configuration.
            let reparsed = ServerConfig::parse(&config.to_properties_text())
                .unwrap_or_else(|e| panic!("{name}: the rendered text does not parse:\n{e}"));
            let without_warnings = |c: ServerConfig| ServerConfig {
                warnings: Vec::new(),
                ..c
            };
            assert_eq!(
                without_warnings(reparsed),
                without_warnings(config),
                "{name}: round trip"
            );
        }
        Err(errors) => {
            let got: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
            assert_eq!(got, expected_errors, "{name}: errors");
        }
    }
}

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(
                    stringify!($name),
                    include_str!(concat!("server_properties/", stringify!($name), ".properties")),
                );
            }
        )*

        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

fixtures!(
    // Files Kafka accepts.
    valid_controller,
    valid_broker,
    valid_combined,
    valid_dynamic_quorum_controller,
    controller_listener_implicitly_plaintext,
    kafka_example_broker,
    broker_id_stands_in_for_node_id,
    controller_listening_on_all_interfaces,
    retry_backoff_zero_is_fine,
    // Accepted with a warning.
    unknown_key_warns,
    duplicate_key_warns,
    heartbeat_over_half_session_warns,
    broker_with_several_controller_listener_names_warns,
    repeated_voter_warns,
    // process.roles
    missing_process_roles,
    empty_process_roles,
    unknown_process_role,
    duplicate_process_role,
    // node.id and broker.id
    missing_node_id,
    node_id_not_a_number,
    negative_node_id,
    node_id_differs_from_broker_id,
    // The controller quorum.
    no_voters_and_no_bootstrap_servers,
    voter_without_at_sign,
    voter_id_not_an_integer,
    voter_without_port,
    voter_port_out_of_range,
    voter_not_routable,
    bootstrap_server_without_port,
    control_plane_listener_name,
    // Broker-only rules.
    broker_is_voter,
    broker_without_controller_listener_names,
    broker_listens_on_controller_listener,
    broker_controller_listener_without_mapping,
    broker_controller_listener_without_mapping_when_ssl_is_used,
    broker_auto_join,
    // Controller-only rules.
    controller_with_broker_listener,
    controller_not_a_voter,
    controller_listener_name_not_in_listeners,
    controller_inter_broker_listener_is_controller_listener,
    // Combined rules.
    combined_not_a_voter,
    combined_without_controller_listener,
    combined_without_broker_listener,
    // Listeners of every broker.
    inter_broker_listener_not_advertised,
    inter_broker_listener_not_mapped,
    advertised_listener_not_in_listeners,
    advertised_listener_unroutable,
    listening_on_all_interfaces_without_advertised_listeners,
    listener_without_security_protocol,
    listener_without_port,
    listeners_share_a_port,
    listeners_share_a_name,
    unknown_security_protocol,
    security_protocol_map_entry_without_colon,
    // Timers and sizes.
    fetch_timeout_negative,
    election_timeout_zero,
    session_timeout_not_a_number,
    heartbeat_interval_negative,
    snapshot_bytes_zero,
    snapshot_interval_not_a_long,
    auto_join_not_a_boolean,
    // Log directories, syntax, several problems.
    empty_log_dirs,
    malformed_unicode_escape,
    several_errors_at_once,
);

#[test]
fn every_fixture_file_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/server_properties");
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .expect("tests/server_properties exists")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".properties").map(str::to_string)
        })
        .collect();
    let listed: BTreeSet<String> = LISTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(on_disk, listed);
}
