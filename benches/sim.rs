//! Simulator throughput and seeking (`cargo bench --bench sim`). The same workloads as
//! `kraftscope bench`: steady appends (one record every 10 ms) on 3 or 5 voters with 0
//! or 10 observers, and seeking anywhere in a 10-minute run of the 5 + 10 workload.

// criterion is a native-only dev-dependency: on wasm32 (clippy --all-targets) the bench
// is empty.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kraftscope::sim::bench::{drive, elected_world, long_timeline, WORKLOADS};

const SIM_MS: u64 = 10_000;

fn steady_appends(c: &mut Criterion) {
    let mut group = c.benchmark_group("steady_appends_10s");
    group.sample_size(10);
    for w in WORKLOADS {
        let start = elected_world(&w);
        let events = drive(&mut start.clone(), &w, SIM_MS);
        group.throughput(Throughput::Elements(events));
        group.bench_function(w.name, |b| {
            b.iter_batched(
                || start.clone(),
                |mut world| drive(&mut world, &w, SIM_MS),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn seek(c: &mut Criterion) {
    let tl = long_timeline(600_000);
    let mut group = c.benchmark_group("seek_10_minute_run");
    group.sample_size(20);
    // Just before a checkpoint: the most replay a seek can need.
    for t in [9_999u64, 299_999, 599_999] {
        group.bench_function(format!("t={t}ms"), |b| b.iter(|| tl.seek(t).now_ms()));
    }
    group.finish();
}

criterion_group!(benches, steady_appends, seek);
criterion_main!(benches);
