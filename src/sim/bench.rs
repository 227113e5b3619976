//! Fixed workloads for `kraftscope bench` and `benches/sim.rs`: steady appends on 3 or 5
//! voters with 0 or 10 observers, and seeking in a long run.

use super::config::ClusterSpec;
use super::timeline::Timeline;
use super::world::{Intervention, World};

#[derive(Clone, Copy, Debug)]
pub struct Workload {
    pub name: &'static str,
    pub voters: u32,
    pub observers: u32,
    /// One append of `records` every `every_ms`.
    pub every_ms: u64,
    pub records: u32,
}

pub const WORKLOADS: [Workload; 4] = [
    Workload {
        name: "3 voters + 0 observers",
        voters: 3,
        observers: 0,
        every_ms: 10,
        records: 1,
    },
    Workload {
        name: "3 voters + 10 observers",
        voters: 3,
        observers: 10,
        every_ms: 10,
        records: 1,
    },
    Workload {
        name: "5 voters + 0 observers",
        voters: 5,
        observers: 0,
        every_ms: 10,
        records: 1,
    },
    Workload {
        name: "5 voters + 10 observers",
        voters: 5,
        observers: 10,
        every_ms: 10,
        records: 1,
    },
];

/// A world after its first election (seed 1), ready for a steady workload.
pub fn elected_world(w: &Workload) -> World {
    let mut world = World::new(ClusterSpec::new(w.voters, w.observers, 1, true), false);
    while world.leader().is_none() && world.now_ms() < 60_000 {
        world.step();
    }
    world
}

/// Drive `sim_ms` of steady appends; returns events processed.
pub fn drive(world: &mut World, w: &Workload, sim_ms: u64) -> u64 {
    let before = world.events();
    let end = world.now_ms() + sim_ms;
    while world.now_ms() < end {
        let t = world.now_ms() + w.every_ms;
        world.run_until(t);
        let _ = world.apply(&Intervention::Append(w.records));
    }
    world.events() - before
}

pub struct SteadyResult {
    pub events: u64,
    pub wall_s: f64,
}

#[cfg(not(target_arch = "wasm32"))]
pub fn steady(w: &Workload, sim_ms: u64) -> SteadyResult {
    let mut world = elected_world(w);
    let t0 = std::time::Instant::now();
    let mut events = 0;
    // Repeat on fresh copies so a short simulated span still measures long enough.
    let mut wall_s = 0.0;
    while wall_s < 1.0 {
        let mut w2 = world.clone();
        let t = std::time::Instant::now();
        events += drive(&mut w2, w, sim_ms);
        wall_s += t.elapsed().as_secs_f64();
    }
    let _ = t0;
    world = World::clone(&world);
    let _ = &world;
    SteadyResult { events, wall_s }
}

/// A timeline of `run_ms` of the 5 + 10 steady workload (one append per 10 ms).
pub fn long_timeline(run_ms: u64) -> Timeline {
    let w = WORKLOADS[3];
    let mut tl = Timeline::new(ClusterSpec::new(w.voters, w.observers, 1, true));
    let mut t = 0;
    while t < run_ms {
        t += w.every_ms;
        let _ = tl.intervene(t, Intervention::Append(w.records));
    }
    tl.advance_to(run_ms);
    tl
}

pub struct SeekResult {
    pub median_ms: f64,
    pub max_ms: f64,
    pub seeks: usize,
    pub build_s: f64,
}

#[cfg(not(target_arch = "wasm32"))]
pub fn seek(run_ms: u64, seeks: usize) -> SeekResult {
    let t0 = std::time::Instant::now();
    let tl = long_timeline(run_ms);
    let build_s = t0.elapsed().as_secs_f64();
    let mut times = Vec::new();
    for i in 0..seeks {
        // Just before a checkpoint: the worst case (almost a full period to replay).
        let t = ((i as u64 * 7919 * 1000) % run_ms) / 10_000 * 10_000 + 9_999;
        let t0 = std::time::Instant::now();
        let w = tl.seek(t.min(run_ms));
        std::hint::black_box(w.now_ms());
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    SeekResult {
        median_ms: times[times.len() / 2],
        max_ms: *times.last().unwrap_or(&0.0),
        seeks,
        build_s,
    }
}
