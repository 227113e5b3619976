//! The browser computes the same trace hash as the native build for a fixed scenario
//! (`cargo test --target wasm32-unknown-unknown --test browser_determinism`). The hash is
//! pinned here and in `tests/sim_determinism.rs`.

#![cfg(target_arch = "wasm32")]

use kraftscope::sim::scenario::{parse, run_scenario, RunOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXED_SCENARIO: &str = include_str!("golden/small_election.kraft");
const FIXED_TRACE_HASH: u64 = 0x3b39cf041c9304ff;

#[wasm_bindgen_test]
fn fixed_scenario_has_the_native_trace_hash() {
    let scenario = parse(FIXED_SCENARIO).expect("parses");
    let outcome = run_scenario(&scenario, RunOptions::default());
    assert!(outcome.ok);
    assert_eq!(outcome.world.trace_hash(), FIXED_TRACE_HASH);
}
