//! The `kraftscope` binary's version and help, run as a user would.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn kraftscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kraftscope"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn version_prints_name_and_version() {
    for flag in ["--version", "-V"] {
        let out = kraftscope(&[flag]);
        assert!(out.status.success());
        let expected = format!("kraftscope {}\n", env!("CARGO_PKG_VERSION"));
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }
}

#[test]
fn help_lists_the_options() {
    let out = kraftscope(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in [
        "kraftscope run FILE",
        "kraftscope trace FILE",
        "kraftscope fuzz --seeds N",
        "kraftscope bench",
        "--version",
    ] {
        assert!(text.contains(command), "{command} missing from:\n{text}");
    }
}

#[test]
fn unknown_argument_is_a_usage_error() {
    let out = kraftscope(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown command `--frobnicate`"));
}

fn scenario_path(name: &str) -> String {
    format!(
        "{}/tests/scenarios/{name}.kraft",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `kafka-metadata-quorum.sh describe --status / --replication` at a scenario's end.
#[test]
fn describe_prints_the_quorum_status_and_replication() {
    let file = scenario_path("topic_create_delete_replicated_to_every_broker");
    let out = kraftscope(&["describe", &file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for field in [
        "ClusterId:",
        "LeaderId:",
        "LeaderEpoch:",
        "HighWatermark:",
        "MaxFollowerLag:",
        "MaxFollowerLagTimeMs:",
        "CurrentVoters:",
        "CurrentObservers:",
    ] {
        assert!(text.contains(field), "{field} missing from:\n{text}");
    }
    assert!(
        text.contains(r#"CurrentObservers:       [{"id": 4},{"id": 5},{"id": 6}]"#),
        "{text}"
    );
    let out = kraftscope(&["describe", &file, "--replication"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NodeId"), "{text}");
    assert_eq!(lines.len(), 7, "header, 3 voters and 3 observers:\n{text}");
    assert!(lines[1].ends_with("Leader"), "{text}");
    assert_eq!(lines.iter().filter(|l| l.ends_with("Observer")).count(), 3);
    let out = kraftscope(&["describe", &file, "--node", "99"]);
    assert_eq!(out.status.code(), Some(1));
}

/// `kafka-metadata-shell.sh`: `ls` a directory, `cat` a file of a broker's image.
#[test]
fn shell_lists_and_cats_a_nodes_image() {
    let file = scenario_path("topic_create_delete_replicated_to_every_broker");
    let out = kraftscope(&["shell", &file, "--node", "5", "/image/topics/byName"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "orders\n");
    let out = kraftscope(&[
        "shell",
        &file,
        "--node",
        "6",
        "/image/topics/byName/orders/0",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("PartitionRegistration(replicas=["),
        "{text}"
    );
    assert!(text.contains("isr=[4, 5, 6]"), "{text}");
    let out = kraftscope(&[
        "shell",
        &file,
        "--node",
        "5",
        "/image/topics/byName/payments",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = kraftscope(&["shell", &file, "/image"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `kafka-dump-log.sh --cluster-metadata-decoder`: batch headers and JSON records.
#[test]
fn dump_log_prints_batches_and_json_records() {
    let file = scenario_path("topic_create_delete_replicated_to_every_broker");
    let out = kraftscope(&["dump-log", &file, "--node", "4"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("baseOffset: 0 lastOffset: 0 count: 1"),
        "{text}"
    );
    assert!(text.contains("controlType: LEADER_CHANGE(2)"));
    for record in [
        r#"{"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version""#,
        r#"{"type":"REGISTER_BROKER_RECORD","version":2,"data":{"brokerId":4"#,
        r#"{"type":"TOPIC_RECORD","version":0,"data":{"name":"orders""#,
        r#"{"type":"REMOVE_TOPIC_RECORD""#,
        r#"{"type":"CONFIG_RECORD""#,
    ] {
        assert!(text.contains(record), "{record} missing");
    }
    let out = kraftscope(&["dump-log", &file]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bench_reports_the_median_round_of_every_workload() {
    let out = kraftscope(&["bench", "--quick", "--only", "steady"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in kraftscope::sim::bench::WORKLOADS.map(|w| w.name) {
        let line = text
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"));
        assert!(line.contains("M events/s median of"), "{line}");
    }
}
