//! Swarm fuzzing in `cargo test`: FUZZ_SEEDS seeds (default 2,000) from FUZZ_START,
//! every invariant after every event, liveness at the end. And the proof that the
//! checkers can fail: with the deliberately broken vote rule the fuzzer must find a
//! violation.

#![cfg(not(target_arch = "wasm32"))]

use kraftscope::sim::fuzz::{fuzz_one, FuzzConfig};
use std::time::Instant;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn fuzz_seeds_hold_every_invariant_and_converge() {
    let seeds = env_u64("FUZZ_SEEDS", 2_000);
    let start = env_u64("FUZZ_START", 0);
    let cfg = FuzzConfig::default();
    let t0 = Instant::now();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4) as u64;
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let cfg = &cfg;
                s.spawn(move || {
                    let mut failures = Vec::new();
                    let mut seed = start + t;
                    while seed < start + seeds {
                        let r = fuzz_one(seed, cfg);
                        if !r.ok {
                            failures.push(format!(
                                "seed {}: {}\n--- scenario ---\n{}",
                                r.seed,
                                r.failure.unwrap_or_default(),
                                r.scenario
                            ));
                        }
                        seed += threads;
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("fuzz thread"))
            .collect()
    });
    eprintln!(
        "fuzz: {seeds} seeds from {start} in {:.1}s on {threads} threads",
        t0.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {seeds} seeds failed; first:\n{}",
        failures.len(),
        failures[0]
    );
}

/// KIP-595 §Vote: a vote needs the candidate's log to be at least as up to date as the
/// voter's. Without that check a candidate missing committed records can win and
/// truncate them away; the fuzzer must notice.
#[test]
fn fuzzer_catches_votes_granted_without_the_log_check() {
    let cfg = FuzzConfig {
        broken_vote_rule: true,
        controllers: (3, 5),
        ..FuzzConfig::default()
    };
    let caught = (0..400u64).map(|seed| fuzz_one(seed, &cfg)).find(|r| {
        r.invariants.iter().any(|i| {
            matches!(
                i.as_str(),
                "LeaderCompleteness"
                    | "ConsistentCommittedData"
                    | "LogMatching"
                    | "MajorityReachedHighWatermark"
                    | "MonotonicHighWatermark"
                    | "KafkaException"
            )
        })
    });
    let r = caught.expect("the broken vote rule must be caught within 400 seeds");
    eprintln!(
        "caught at seed {}: {}",
        r.seed,
        r.failure.unwrap_or_default()
    );
}
