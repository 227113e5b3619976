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
    pub trace_events: u64,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// On-CPU seconds of this thread (`thread_cpu_ns`), which a
    /// machine shared with other jobs does not inflate; `None` elsewhere.
    pub cpu_s: Option<f64>,
    /// Events per second of each round (on-CPU time where known, else wall), sorted.
    pub round_rates: Vec<f64>,
}

impl SteadyResult {
    /// The median round's events per second. A shared VM's speed swings by a third
    /// from one moment to the next; the median round is steadier than the total.
    pub fn median_rate(&self) -> f64 {
        median(&self.round_rates)
    }
}

/// The middle of sorted `xs` (the mean of the two middle ones for an even count).
pub fn median(xs: &[f64]) -> f64 {
    match xs.len() {
        0 => 0.0,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// Nanoseconds this thread has spent on a CPU, where the OS tells.
///
/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, which adds the running slice to the
/// scheduler's account. Not `/proc/thread-self/schedstat`, which this module read
/// before: the kernel updates that figure only at a scheduler tick or a context switch
/// (every 4 ms at `HZ=250`), so a 30 ms round came out as 28, 32 or 36 ms and the
/// round rates fell on a few discrete values.
#[cfg(unix)]
pub fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

#[cfg(all(not(unix), not(target_arch = "wasm32")))]
pub fn thread_cpu_ns() -> Option<u64> {
    None
}

/// Steady appends on `w`, `sim_ms` simulated per round, rounds repeated on fresh copies of
/// one elected world until `measure_s` seconds of measured time.
#[cfg(not(target_arch = "wasm32"))]
pub fn steady(w: &Workload, sim_ms: u64, measure_s: f64) -> SteadyResult {
    let world = elected_world(w);
    let mut events = 0;
    let mut trace_events = 0;
    let mut wall_s = 0.0;
    let mut cpu_ns = Some(0u64);
    let mut round_rates = Vec::new();
    // At least one round, however small the budget.
    loop {
        let mut copy = world.clone();
        let traced = copy.trace().count();
        let cpu0 = thread_cpu_ns();
        let t = std::time::Instant::now();
        let n = drive(&mut copy, w, sim_ms);
        let round_wall_s = t.elapsed().as_secs_f64();
        let round_cpu_ns = match (cpu0, thread_cpu_ns()) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        events += n;
        wall_s += round_wall_s;
        cpu_ns = cpu_ns.zip(round_cpu_ns).map(|(acc, r)| acc + r);
        let round_s = round_cpu_ns.map_or(round_wall_s, |ns| ns as f64 / 1e9);
        round_rates.push(n as f64 / round_s.max(1e-9));
        trace_events += copy.trace().count() - traced;
        if wall_s >= measure_s {
            break;
        }
    }
    round_rates.sort_by(|a, b| a.total_cmp(b));
    SteadyResult {
        events,
        trace_events,
        wall_s,
        cpu_s: cpu_ns.map(|ns| ns as f64 / 1e9),
        round_rates,
    }
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
        median_ms: median(&times),
        max_ms: *times.last().unwrap_or(&0.0),
        seeks,
        build_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn the_cpu_clock_moves_by_far_less_than_a_scheduler_tick() {
        // Spin until the clock moves and look at the step: a clock kept at the
        // scheduler's tick (as `/proc/thread-self/schedstat` is) steps by ~1-10 ms,
        // a full tick every time after the first.
        // CPU time, not wall: being preempted while spinning does not lengthen a step.
        let mut largest = 0;
        for _ in 0..5 {
            let start = thread_cpu_ns().expect("a unix thread has a CPU clock");
            let step = loop {
                let now = thread_cpu_ns().unwrap();
                if now != start {
                    break now - start;
                }
            };
            largest = largest.max(step);
        }
        assert!(largest < 500_000, "the CPU clock stepped by {largest} ns");
    }

    #[test]
    fn median_is_the_middle_or_the_mean_of_the_two_middles() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0]), 3.0);
        assert_eq!(median(&[1.0, 2.0, 10.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), 3.0);
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_steady_round_counts_its_events_and_rates_every_round() {
        let w = WORKLOADS[0];
        let r = steady(&w, 200, 0.0);
        // A zero budget still measures one round.
        assert_eq!(r.round_rates.len(), 1);
        // 200 ms of appends every 10 ms on an elected 3-voter cluster: at least the 20
        // appends and a Fetch and its response per follower per batch.
        assert!(r.events >= 20 + 2 * 2, "{} events", r.events);
        assert!(r.round_rates[0] > 0.0);
    }
}
