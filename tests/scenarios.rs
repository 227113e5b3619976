//! Every `tests/scenarios/*.kraft` file is a test: its `expect` and `run until` lines
//! must hold and no invariant may be violated.

#![cfg(not(target_arch = "wasm32"))]

use kraftscope::sim::scenario::{parse, run_scenario, RunOptions};
use std::path::Path;

fn run_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let scenario = parse(&text).map_err(|e| format!("{}:{e}", path.display()))?;
    let outcome = run_scenario(&scenario, RunOptions::default());
    if outcome.ok {
        return Ok(());
    }
    let mut report = format!("{} failed:\n", path.display());
    for e in outcome.expectations.iter().filter(|e| !e.ok) {
        report.push_str(&format!("  line {}: `{}`: {}\n", e.line, e.text, e.detail));
    }
    for v in outcome.world.violations() {
        report.push_str(&format!(
            "  violation {} at {}ms on n{} ({}): {}\n",
            v.invariant, v.at_ms, v.node, v.event, v.detail
        ));
    }
    Err(report)
}

#[test]
fn every_scenario_file_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kraft"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let failures: Vec<String> = files.iter().filter_map(|f| run_file(f).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenario files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
