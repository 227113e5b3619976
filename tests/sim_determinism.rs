//! Determinism and time travel: the same scenario twice gives the same trace hash;
//! a checked-in golden trace; the hash pinned for the wasm test to compare with;
//! a recorded run replays to the same world; seeking equals running straight.

#![cfg(not(target_arch = "wasm32"))]

use kraftscope::sim::scenario::{parse, run_scenario, RunOptions};
use kraftscope::sim::timeline::Timeline;
use kraftscope::sim::{ClusterSpec, Intervention};
use std::path::Path;

/// The fixed scenario `tests/browser_determinism.rs` runs in the browser.
pub const FIXED_SCENARIO: &str = include_str!("golden/small_election.kraft");
/// Its trace hash, natively and in wasm32.
const FIXED_TRACE_HASH: u64 = 0x3b39cf041c9304ff;

fn hash_of(text: &str) -> u64 {
    let scenario = parse(text).expect("parses");
    run_scenario(&scenario, RunOptions::default())
        .world
        .trace_hash()
}

#[test]
fn the_same_scenario_twice_gives_the_same_trace_hash() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    for name in [
        "initial_election.kraft",
        "leader_partitioned_away.kraft",
        "no_prevote_partial_partition_ping_pongs_leadership.kraft",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("file");
        assert_eq!(hash_of(&text), hash_of(&text), "{name}");
    }
    // A different seed gives a different run.
    let other = FIXED_SCENARIO.replace("seed=42", "seed=43");
    assert_ne!(hash_of(FIXED_SCENARIO), hash_of(&other));
}

#[test]
fn fixed_scenario_hash_is_pinned() {
    let h = hash_of(FIXED_SCENARIO);
    assert_eq!(h, FIXED_TRACE_HASH, "trace hash is {h:#018x}: update FIXED_TRACE_HASH here and in tests/browser_determinism.rs if the change is intended");
}

#[test]
fn golden_trace_matches() {
    let scenario = parse(FIXED_SCENARIO).expect("parses");
    let outcome = run_scenario(
        &scenario,
        RunOptions {
            keep_trace: true,
            ..RunOptions::default()
        },
    );
    assert!(outcome.ok, "{:?}", outcome.first_failure());
    let mut text = String::new();
    for e in outcome.world.trace().events() {
        e.render(&mut text);
        text.push('\n');
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/small_election.trace");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).expect("write golden");
        return;
    }
    let golden = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    if golden != text {
        let diff_at = golden
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(golden.lines().count().min(text.lines().count()));
        panic!(
            "trace differs from {} at line {}:\n  golden: {:?}\n  now:    {:?}\n(UPDATE_GOLDEN=1 rewrites it if the change is intended)",
            path.display(),
            diff_at + 1,
            golden.lines().nth(diff_at),
            text.lines().nth(diff_at)
        );
    }
}

#[test]
fn a_recorded_run_replays_to_the_same_world() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    for name in [
        "back_to_back_leader_failures.kraft",
        "single_node_committed_data_loss.kraft",
        "recovery_after_all_nodes_killed.kraft",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("file");
        let outcome = run_scenario(&parse(&text).expect("parses"), RunOptions::default());
        let replayed = outcome.run.replay(outcome.world.now_ms(), false);
        assert_eq!(replayed.trace_hash(), outcome.world.trace_hash(), "{name}");
        assert_eq!(replayed.events(), outcome.world.events(), "{name}");
    }
}

#[test]
fn seeking_equals_running_straight_and_forks_keep_the_past() {
    let spec = ClusterSpec::new(3, 2, 5, true);
    let mut tl = Timeline::with_checkpoint_period(spec.clone(), 1_000);
    for i in 1..=40u64 {
        tl.intervene(i * 250, Intervention::Append(1))
            .expect("append");
    }
    tl.intervene(10_100, Intervention::Crash(1)).expect("crash");
    tl.advance_to(15_000);
    for t in [0, 999, 1_000, 4_321, 10_100, 10_101, 12_345, 15_000] {
        let seeked = tl.seek(t);
        let straight = tl.run().replay(t, false);
        assert_eq!(seeked.trace_hash(), straight.trace_hash(), "t={t}");
        assert_eq!(seeked.now_ms(), t);
    }
    let head_hash = tl.head().trace_hash();
    // Acting in the past forks; the old branch is untouched.
    let branch = tl.intervene(3_000, Intervention::Isolate(2)).expect("fork");
    assert_eq!(branch, 1);
    assert_eq!(tl.branches().len(), 2);
    assert_eq!(tl.branches()[0].head().trace_hash(), head_hash);
    assert_eq!(tl.run().interventions.len(), 13);
    tl.advance_to(8_000);
    let a = tl.seek(7_000);
    let b = tl.run().replay(7_000, false);
    assert_eq!(a.trace_hash(), b.trace_hash());
}

/// A run is data: `(cluster, interventions)` survives JSON (the basis of a shareable
/// URL) and replays to the same world.
#[test]
fn a_run_round_trips_through_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let text =
        std::fs::read_to_string(dir.join("progress_with_reachable_majority.kraft")).expect("file");
    let outcome = run_scenario(&parse(&text).expect("parses"), RunOptions::default());
    let json = serde_json::to_string(&outcome.run).expect("serializes");
    let back: kraftscope::sim::Run = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, outcome.run);
    let replayed = back.replay(outcome.world.now_ms(), false);
    assert_eq!(replayed.trace_hash(), outcome.world.trace_hash());
}
