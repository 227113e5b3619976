//! Swarm fuzzing (TigerBeetle's VOPR, Groce et al.'s swarm testing): each seed draws its
//! own cluster and fault mix — which fault kinds are on at all, their rates, pre-vote
//! on or off — then runs a safety phase of random faults and appends with every
//! invariant checked after every event, then heals everything, restarts what is
//! stopped and requires a leader and convergence within a bound (liveness).
//!
//! The fuzzer drives the scenario runner line by line, choosing each next command from
//! the seed's generator and the world's state, so a failing case *is* a scenario file:
//! written out, `kraftscope run` replays it exactly.

use super::rng::{below, stream, STREAM_FUZZ};
use super::scenario::ast::*;
use super::scenario::{RunOptions, Runner};
use crate::kraft::NodeId;
use crate::sim::config::ConfigKey;
use rand_core::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// What a fuzz campaign may draw from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzConfig {
    /// Inclusive range of voters.
    pub controllers: (u32, u32),
    /// Inclusive range of observers.
    pub brokers: (u32, u32),
    /// Inclusive range of safety-phase actions.
    pub safety_actions: (u32, u32),
    /// Liveness bound for each of "a leader" and "converged".
    pub liveness_within_ms: u64,
    /// Switch on the deliberately broken vote rule (tests that the checkers can fail).
    pub broken_vote_rule: bool,
}

impl Default for FuzzConfig {
    fn default() -> Self {
        Self {
            controllers: (1, 5),
            brokers: (0, 3),
            safety_actions: (5, 40),
            liveness_within_ms: 30_000,
            broken_vote_rule: false,
        }
    }
}

/// The fault kinds a seed may switch on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultMix {
    pub crash: bool,
    pub shutdown: bool,
    pub partition: bool,
    pub isolate: bool,
    pub cut: bool,
    pub loss: bool,
    pub dup: bool,
    pub jitter: bool,
    pub snapshot: bool,
}

impl FaultMix {
    fn draw(rng: &mut Xoshiro256PlusPlus) -> Self {
        let mut coin = || rng.next_u64() & 1 == 1;
        Self {
            crash: coin(),
            shutdown: coin(),
            partition: coin(),
            isolate: coin(),
            cut: coin(),
            loss: coin(),
            dup: coin(),
            jitter: coin(),
            snapshot: coin(),
        }
    }

    pub fn describe(&self) -> String {
        let mut on = Vec::new();
        for (name, enabled) in [
            ("crash", self.crash),
            ("shutdown", self.shutdown),
            ("partition", self.partition),
            ("isolate", self.isolate),
            ("cut", self.cut),
            ("loss", self.loss),
            ("dup", self.dup),
            ("jitter", self.jitter),
            ("snapshot", self.snapshot),
        ] {
            if enabled {
                on.push(name);
            }
        }
        if on.is_empty() {
            "none".to_string()
        } else {
            on.join(",")
        }
    }
}

/// One seed's result.
#[derive(Clone, Debug)]
pub struct FuzzResult {
    pub seed: u64,
    pub ok: bool,
    /// The scenario that was run (write it out to reproduce a failure).
    pub scenario: Scenario,
    /// Why it failed: the first failing line or violation.
    pub failure: Option<String>,
    /// Names of the violated invariants (sorted, deduplicated).
    pub invariants: Vec<String>,
    pub events: u64,
    pub sim_ms: u64,
}

struct Gen {
    rng: Xoshiro256PlusPlus,
    runner: Runner,
    scenario: Scenario,
}

impl Gen {
    fn exec(&mut self, command: Command) {
        self.scenario.push(command);
        self.scenario.renumber();
        let line = self.scenario.lines.last().expect("pushed").clone();
        self.runner.exec(&line);
    }

    fn comment(&mut self, text: String) {
        self.scenario.lines.push(Line {
            number: 0,
            command: Command::Comment,
            comment: Some(format!(" {text}")),
        });
    }

    fn below(&mut self, n: u64) -> u64 {
        below(&mut self.rng, n)
    }

    fn range(&mut self, (lo, hi): (u32, u32)) -> u32 {
        lo + self.below((hi.saturating_sub(lo) + 1) as u64) as u32
    }

    fn nodes(&self, alive: bool) -> Vec<NodeId> {
        self.runner
            .world()
            .map(|w| {
                w.processes()
                    .iter()
                    .filter(|p| p.alive() == alive)
                    .map(|p| p.id)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn pick(&mut self, from: &[NodeId]) -> Option<NodeId> {
        (!from.is_empty()).then(|| from[self.below(from.len() as u64) as usize])
    }

    /// A run of 10 ms to ~4 s, skewed short.
    fn run_some(&mut self) {
        let ms = match self.below(4) {
            0 => 10 + self.below(90),
            1 => 100 + self.below(400),
            2 => 500 + self.below(1500),
            _ => 1000 + self.below(3000),
        };
        self.exec(Command::Run(ms));
    }
}

fn probability(rng_value: u64, max_percent: u64) -> String {
    let pct = rng_value % (max_percent + 1);
    format!("{}", pct as f64 / 100.0)
}

/// Run one seed.
pub fn fuzz_one(seed: u64, cfg: &FuzzConfig) -> FuzzResult {
    let mut rng = stream(seed, STREAM_FUZZ, 0, 0);
    let controllers = cfg.controllers.0
        + below(
            &mut rng,
            (cfg.controllers.1.saturating_sub(cfg.controllers.0) + 1) as u64,
        ) as u32;
    let brokers = cfg.brokers.0
        + below(
            &mut rng,
            (cfg.brokers.1.saturating_sub(cfg.brokers.0) + 1) as u64,
        ) as u32;
    let prevote = rng.next_u64() & 3 != 0;
    let mix = FaultMix::draw(&mut rng);
    let mut g = Gen {
        rng,
        runner: Runner::new(RunOptions::default()),
        scenario: Scenario::default(),
    };
    g.comment(format!(
        "kraftscope fuzz seed {seed}: faults {}",
        mix.describe()
    ));
    g.exec(Command::Cluster(ClusterCmd {
        controllers: controllers.max(1),
        brokers,
        combined: 0,
        seed,
        prevote,
    }));
    if cfg.broken_vote_rule {
        g.exec(Command::Set {
            key: ConfigKey::TestOnlyVoteWithoutLogCheck,
            value: 1,
            node: None,
        });
    }
    if mix.snapshot {
        // Clean the log behind every snapshot so lagging nodes catch up by snapshot.
        g.exec(Command::Set {
            key: ConfigKey::MetadataMaxRetentionBytes,
            value: 0,
            node: None,
        });
    }
    if brokers > 0 {
        // Preferred-leader balancing within the run's minutes, not Kafka's 5.
        let interval_s = 1 + g.below(10);
        g.exec(Command::Set {
            key: ConfigKey::LeaderImbalanceCheckIntervalSeconds,
            value: interval_s,
            node: None,
        });
    }
    g.comment("safety phase".to_string());
    let actions = g.range(cfg.safety_actions);
    for _ in 0..actions {
        if g.runner.stopped {
            break;
        }
        g.run_some();
        let choice = g.below(16);
        let alive = g.nodes(true);
        let stopped = g.nodes(false);
        let all: Vec<NodeId> = (1..=(controllers + brokers) as NodeId).collect();
        let command = match choice {
            0 | 1 => Some(Command::Append(1 + g.below(5) as u32)),
            2 if mix.crash => g.pick(&alive).map(|n| Command::Crash(NodeRef::id(n))),
            3 if mix.crash || mix.shutdown => {
                g.pick(&stopped).map(|n| Command::Restart(NodeRef::id(n)))
            }
            4 if mix.shutdown => g.pick(&alive).map(|n| Command::Shutdown(NodeRef::id(n))),
            5 if mix.partition => {
                let mut nodes = all.clone();
                // Fisher–Yates with the seed's generator.
                for i in (1..nodes.len()).rev() {
                    let j = g.below(i as u64 + 1) as usize;
                    nodes.swap(i, j);
                }
                let groups = 2 + g.below(2) as usize;
                let mut parts: Vec<Vec<NodeRef>> = vec![Vec::new(); groups];
                for (i, n) in nodes.into_iter().enumerate() {
                    parts[i % groups].push(NodeRef::id(n));
                }
                parts.retain(|p| !p.is_empty());
                Some(Command::Partition(parts))
            }
            6 if mix.isolate => g.pick(&all).map(|n| Command::Isolate(NodeRef::id(n))),
            7 if mix.cut && all.len() > 1 => {
                let a = g.pick(&all).expect("nodes");
                let others: Vec<NodeId> = all.iter().copied().filter(|n| *n != a).collect();
                let b = g.pick(&others).expect("nodes");
                let both_ways = g.below(2) == 0;
                Some(Command::Cut {
                    from: NodeRef::id(a),
                    to: NodeRef::id(b),
                    both_ways,
                })
            }
            8 if mix.partition || mix.isolate || mix.cut => Some(Command::Heal),
            9 if mix.loss || mix.dup || mix.jitter => {
                let min = 1 + g.below(10);
                let max = if mix.jitter {
                    min + g.below(300)
                } else {
                    min + 10
                };
                let loss_draw = g.rng.next_u64();
                let dup_draw = g.rng.next_u64();
                Some(Command::Net(NetCmd {
                    latency_min_ms: min,
                    latency_max_ms: max,
                    loss: mix.loss.then(|| probability(loss_draw, 20)),
                    dup: mix.dup.then(|| probability(dup_draw, 20)),
                    from: None,
                    to: None,
                }))
            }
            10 | 11 if mix.snapshot => g.pick(&alive).map(|n| Command::Snapshot(NodeRef::id(n))),
            // The metadata layer: topics at the active controller, broker lifecycle.
            12 | 13 => {
                let k = g.below(4);
                let partitions = 1 + g.below(4) as u32;
                let replication = 1 + g.below(3) as u32;
                Some(Command::CreateTopic {
                    name: format!("t{k}"),
                    partitions,
                    replication,
                })
            }
            14 => match g.below(3) {
                0 => Some(Command::ElectLeaders {
                    partition: Some((format!("t{}", g.below(4)), g.below(4) as i32)),
                }),
                1 => Some(Command::ElectLeaders { partition: None }),
                _ => Some(Command::DeleteTopic(format!("t{}", g.below(4)))),
            },
            15 if brokers > 0 => {
                let broker_ids: Vec<NodeId> = alive
                    .iter()
                    .copied()
                    .filter(|n| *n > controllers as NodeId)
                    .collect();
                match g.below(2) {
                    0 => g
                        .pick(&broker_ids)
                        .map(|n| Command::ControlledShutdown(NodeRef::id(n))),
                    _ => g
                        .pick(&broker_ids)
                        .map(|n| Command::Register(NodeRef::id(n))),
                }
            }
            _ => None,
        };
        if let Some(c) = command {
            g.exec(c);
        }
    }
    g.comment("liveness phase: heal everything, restart what is stopped".to_string());
    g.exec(Command::Heal);
    g.exec(Command::Net(NetCmd {
        latency_min_ms: 5,
        latency_max_ms: 15,
        loss: None,
        dup: None,
        from: None,
        to: None,
    }));
    // Let graceful shutdowns in progress finish (their timeout is 5 s).
    g.exec(Command::Run(6_000));
    for n in g.nodes(false) {
        g.exec(Command::Restart(NodeRef::id(n)));
    }
    let within = Some(cfg.liveness_within_ms);
    g.exec(Command::RunUntil {
        condition: Condition::Leader,
        within_ms: within,
    });
    g.exec(Command::Append(3));
    // Let the append reach the log (linger) so convergence covers it.
    g.exec(Command::Run(500));
    g.exec(Command::RunUntil {
        condition: Condition::Converged,
        within_ms: within,
    });
    g.exec(Command::Expect(Condition::NoViolations));
    let Gen {
        runner,
        mut scenario,
        ..
    } = g;
    scenario.renumber();
    let outcome = runner.finish();
    let mut invariants: Vec<String> = outcome
        .world
        .violations()
        .iter()
        .map(|v| v.invariant.name().to_string())
        .collect();
    invariants.sort();
    invariants.dedup();
    let failure = if let Some(v) = outcome.world.violations().first() {
        Some(format!(
            "{} violated at {}ms on n{} ({}): {}",
            v.invariant, v.at_ms, v.node, v.event, v.detail
        ))
    } else {
        outcome
            .first_failure()
            .map(|e| format!("line {} `{}`: {}", e.line, e.text, e.detail))
    };
    FuzzResult {
        seed,
        ok: outcome.ok,
        scenario,
        failure,
        invariants,
        events: outcome.world.events(),
        sim_ms: outcome.world.now_ms(),
    }
}
