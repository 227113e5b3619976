//! Executing a scenario: the cluster starts at the first command that needs it; each
//! intervention is recorded in a [`Run`] (so the result can be replayed, seeked and
//! shared); `expect` and `run until` lines become [`Expectation`]s.
//!
//! Semantics worth knowing:
//! - `set` changes a node's configuration for its next start: lines before the cluster
//!   starts configure the initial start. The cluster starts (at time 0) at the first
//!   command that needs it: anything but `set`, `relax` and network set-up (`net`,
//!   `cut`, `partition`, `isolate`, `heal`), which wait for it.
//! - `append n` with no leader (or a leader that refuses, e.g. while resigning) drops
//!   the records and says so in the trace, as a client would see its write fail.
//! - `snapshot <node>` writes a snapshot at the node's state machine position if it is
//!   at or below its high watermark and new; otherwise nothing happens.
//! - A `run until` that is not reached, or an intervention that cannot apply (e.g.
//!   `restart` of a running node), fails its line and ends the run.

use super::ast::*;
use crate::kraft::{NodeId, StateKind};
use crate::sim::config::ClusterSpec;
use crate::sim::net::LinkSpec;
use crate::sim::timeline::Run;
use crate::sim::world::{Intervention, World};
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Replaces the `cluster` line's seed.
    pub seed: Option<u64>,
    /// Keep every trace event (for `kraftscope trace` and the golden tests).
    pub keep_trace: bool,
}

/// The result of one `expect` or `run until` line (or a line that could not run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expectation {
    pub line: usize,
    pub text: String,
    pub ok: bool,
    pub detail: String,
}

/// The outcome of a whole scenario.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub world: World,
    pub run: Run,
    pub expectations: Vec<Expectation>,
    /// Every expectation held and no invariant was violated.
    pub ok: bool,
}

impl Outcome {
    /// The first failing line, if any.
    pub fn first_failure(&self) -> Option<&Expectation> {
        self.expectations.iter().find(|e| !e.ok)
    }
}

/// Runs scenario lines one at a time (the fuzzer drives it line by line too).
pub struct Runner {
    options: RunOptions,
    spec: Option<ClusterSpec>,
    world: Option<World>,
    run: Option<Run>,
    bindings: BTreeMap<String, NodeId>,
    /// Network interventions given before the cluster started.
    pending: Vec<Intervention>,
    pub expectations: Vec<Expectation>,
    /// Set once a line failed in a way that ends the run.
    pub stopped: bool,
}

fn resolve(
    world: &World,
    bindings: &BTreeMap<String, NodeId>,
    r: &NodeRef,
) -> Result<NodeId, String> {
    match &r.target {
        Target::Id(id) => Ok(*id),
        Target::Leader => world
            .leader()
            .ok_or_else(|| "there is no leader".to_string()),
        Target::Follower => world
            .processes()
            .iter()
            .find(|p| p.voter && p.state_kind() == Some(StateKind::Follower))
            .map(|p| p.id)
            .ok_or_else(|| "no voter is a follower".to_string()),
        Target::Name(n) => bindings
            .get(n)
            .copied()
            .ok_or_else(|| format!("`{n}` is not bound")),
    }
}

/// The leader a majority of voters follow in its epoch.
fn majority_leader(world: &World) -> Option<NodeId> {
    let leader = world.leader()?;
    let epoch = world.process(leader)?.epoch();
    let voters = world.processes().iter().filter(|p| p.voter).count();
    let following = world
        .processes()
        .iter()
        .filter(|p| {
            p.voter
                && p.raft
                    .as_ref()
                    .is_some_and(|r| r.epoch() == epoch && r.leader_id() == Some(leader))
        })
        .count();
    (following > voters / 2).then_some(leader)
}

/// Every live node has the leader's HW, and its state machine holds exactly the
/// committed data up to it.
fn converged(world: &World) -> Result<(), String> {
    let leader = majority_leader(world).ok_or("no leader a majority follows")?;
    let hw = world
        .process(leader)
        .and_then(|p| p.high_watermark())
        .ok_or("the leader has no high watermark yet")?;
    let chain = world.committed_chain_at(hw);
    for p in world.processes().iter().filter(|p| p.alive()) {
        let node_hw = p.high_watermark();
        if node_hw != Some(hw) {
            return Err(format!("n{} has hw {:?}, the leader {hw}", p.id, node_hw));
        }
        if p.app.next_offset != hw || Some(p.app.chain_hash) != chain {
            return Err(format!(
                "n{}'s state machine is at offset {} (leader hw {hw}) or holds other data",
                p.id, p.app.next_offset
            ));
        }
    }
    // Every loader at the same offset holds the same metadata image (KIP-631).
    let images = world.processes().iter().filter(|p| p.alive());
    let leader_image = &world.process(leader).expect("leader").app.image;
    for p in images {
        if &p.app.image != leader_image {
            return Err(format!(
                "n{}'s metadata image differs from the leader's at offset {hw}",
                p.id
            ));
        }
    }
    Ok(())
}

/// The metadata image conditions read: the majority leader's committed image, or
/// without one the most advanced live node's.
fn view_image(world: &World) -> Option<&crate::metadata::MetadataImage> {
    if let Some(l) = majority_leader(world) {
        return world.process(l).map(|p| &p.app.image);
    }
    world
        .processes()
        .iter()
        .filter(|p| p.alive())
        .max_by_key(|p| (p.app.next_offset, std::cmp::Reverse(p.id)))
        .map(|p| &p.app.image)
}

fn partition_of<'a>(
    world: &'a World,
    topic: &str,
    partition: i32,
) -> Result<&'a crate::metadata::PartitionRegistration, String> {
    let image = view_image(world).ok_or("no live node")?;
    image
        .topics()
        .topic_by_name(topic)
        .and_then(|t| t.partition(partition))
        .ok_or_else(|| format!("no partition {topic}-{partition}"))
}

fn leader_text(leader: i32) -> String {
    if leader < 0 {
        "none".to_string()
    } else {
        leader.to_string()
    }
}

/// Evaluate a condition; `detail` says what was seen when asked for.
pub fn evaluate(
    world: &World,
    bindings: &BTreeMap<String, NodeId>,
    cond: &Condition,
    want_detail: bool,
) -> (bool, String) {
    let node = |r: &NodeRef| resolve(world, bindings, r);
    let cmp = |what: String, op: Op, actual: i64, n: i64| {
        let ok = op.eval(actual, n);
        let detail = if want_detail {
            format!("{what} is {actual}")
        } else {
            String::new()
        };
        (ok, detail)
    };
    match cond {
        Condition::Leader => match majority_leader(world) {
            Some(l) => (true, format!("n{l} leads")),
            None => (false, describe_leader(world)),
        },
        Condition::LeaderIs(r) | Condition::LeaderIsNot(r) => {
            let want = match node(r) {
                Ok(id) => id,
                Err(e) => return (false, e),
            };
            match majority_leader(world) {
                Some(l) => {
                    let ok = (l == want) == matches!(cond, Condition::LeaderIs(_));
                    (ok, format!("n{l} leads"))
                }
                None => (false, describe_leader(world)),
            }
        }
        Condition::NoLeader => match world.leader() {
            None => (true, "no leader".into()),
            Some(l) => (false, format!("n{l} is leader")),
        },
        Condition::Epoch(op, n) => {
            let e = world
                .processes()
                .iter()
                .filter(|p| p.voter && p.alive())
                .map(|p| p.epoch())
                .max()
                .unwrap_or(0);
            cmp("the highest epoch".into(), *op, e as i64, *n)
        }
        Condition::State(r, s) => {
            let id = match node(r) {
                Ok(id) => id,
                Err(e) => return (false, e),
            };
            let actual = match world.process(id).and_then(|p| p.state_kind()) {
                Some(k) => StateName::Raft(k),
                None => StateName::Stopped,
            };
            (actual == *s, format!("n{id} is {}", actual.name()))
        }
        Condition::Hw(op, n) => match world.leader().and_then(|l| world.process(l)) {
            Some(p) => cmp(
                format!("the leader n{}'s high watermark", p.id),
                *op,
                p.high_watermark().unwrap_or(-1),
                *n,
            ),
            None => (false, "there is no leader".into()),
        },
        Condition::HwOf(r, op, n) => match node(r) {
            Ok(id) => {
                let hw = world
                    .process(id)
                    .and_then(|p| p.high_watermark())
                    .unwrap_or(-1);
                cmp(format!("n{id}'s high watermark"), *op, hw, *n)
            }
            Err(e) => (false, e),
        },
        Condition::Leo(r, op, n) => match node(r) {
            Ok(id) => {
                let leo = world.process(id).map_or(0, |p| p.log_end_offset());
                cmp(format!("n{id}'s log end offset"), *op, leo, *n)
            }
            Err(e) => (false, e),
        },
        Condition::Elections(op, n) => cmp(
            "the number of elections".into(),
            *op,
            world.elections().len() as i64,
            *n,
        ),
        Condition::Converged => match converged(world) {
            Ok(()) => (true, "converged".into()),
            Err(e) => (false, e),
        },
        Condition::NoViolations => match world.violations().first() {
            None => (true, "no violations".into()),
            Some(v) => (
                false,
                format!(
                    "{} violation(s); first: {} at {}ms on n{}: {}",
                    world.violation_count(),
                    v.invariant,
                    v.at_ms,
                    v.node,
                    v.detail
                ),
            ),
        },
        Condition::Refused(r, words) => match node(r).ok().and_then(|id| world.process(id)) {
            Some(p) => match &p.start_error {
                Some(e) => (
                    e.contains(words.as_str()),
                    format!("n{} refused: {e}", p.id),
                ),
                None => (false, format!("n{} was not refused", p.id)),
            },
            None => (false, format!("{r} is not bound")),
        },
        Condition::Fenced(r) | Condition::Unfenced(r) => {
            let Some(id) = node(r).ok() else {
                return (false, format!("{r} is not bound"));
            };
            let want_fenced = matches!(cond, Condition::Fenced(_));
            match view_image(world).and_then(|i| i.cluster().broker(id)) {
                Some(b) => (
                    b.fenced == want_fenced,
                    format!(
                        "broker {id} is {}",
                        if b.fenced { "fenced" } else { "unfenced" }
                    ),
                ),
                None => (false, format!("broker {id} is not registered")),
            }
        }
        Condition::BrokerState(r, want) => match node(r).ok().and_then(|id| world.process(id)) {
            Some(p) => match p.broker_state() {
                Some(s) => (s == *want, format!("n{} is {s}", p.id)),
                None => (false, format!("n{} is not a broker", p.id)),
            },
            None => (false, format!("{r} is not bound")),
        },
        Condition::Topics(op, n) => {
            let count = view_image(world).map_or(0, |i| i.topics().topic_count() as i64);
            cmp("topics".into(), *op, count, *n)
        }
        Condition::Partitions(topic, op, n) => {
            let count = view_image(world)
                .and_then(|i| i.topics().topic_by_name(topic))
                .map_or(0, |t| t.partition_count() as i64);
            cmp(format!("partitions {topic}"), *op, count, *n)
        }
        Condition::PartitionLeader {
            topic,
            partition,
            leader,
        } => match partition_of(world, topic, *partition) {
            Ok(p) => {
                let want = match leader {
                    Some(r) => match node(r).ok() {
                        Some(id) => id,
                        None => return (false, format!("{r} is not bound")),
                    },
                    None => -1,
                };
                (
                    p.leader() == want,
                    format!("{topic}-{partition} leader is {}", leader_text(p.leader())),
                )
            }
            Err(e) => (false, e),
        },
        Condition::PartitionLeaderNot {
            topic,
            partition,
            leader,
        } => match (partition_of(world, topic, *partition), node(leader).ok()) {
            (Ok(p), Some(id)) => (
                p.leader() != id,
                format!("{topic}-{partition} leader is {}", leader_text(p.leader())),
            ),
            (Err(e), _) => (false, e),
            (_, None) => (false, format!("{leader} is not bound")),
        },
        Condition::Isr {
            topic,
            partition,
            isr,
        } => match partition_of(world, topic, *partition) {
            Ok(p) => {
                let have: BTreeSet<i32> = p.isr().iter().copied().collect();
                let want: BTreeSet<i32> = isr.iter().copied().collect();
                (
                    have == want,
                    format!("{topic}-{partition} isr is {:?}", have),
                )
            }
            Err(e) => (false, e),
        },
        Condition::MetadataLag(r, op, n) => match node(r).ok().and_then(|id| world.process(id)) {
            Some(p) => cmp(
                format!("n{}'s metadata lag", p.id),
                *op,
                p.metadata_lag(),
                *n,
            ),
            None => (false, format!("{r} is not bound")),
        },
    }
}

fn describe_leader(world: &World) -> String {
    match world.leader() {
        Some(l) => format!("n{l} is leader but no majority follows it"),
        None => "there is no leader".to_string(),
    }
}

impl Runner {
    pub fn new(options: RunOptions) -> Self {
        Self {
            options,
            spec: None,
            world: None,
            run: None,
            bindings: BTreeMap::new(),
            pending: Vec::new(),
            expectations: Vec::new(),
            stopped: false,
        }
    }

    pub fn world(&self) -> Option<&World> {
        self.world.as_ref()
    }

    pub fn run_record(&self) -> Option<&Run> {
        self.run.as_ref()
    }

    fn started(&mut self) -> (&mut World, &mut Run) {
        if self.world.is_none() {
            let spec = self.spec.clone().expect("the parser puts `cluster` first");
            let mut world = World::new(spec.clone(), self.options.keep_trace);
            let mut run = Run::new(spec);
            for intervention in std::mem::take(&mut self.pending) {
                // Checked against the cluster by the parser: they apply.
                let _ = run.apply(&mut world, intervention);
            }
            self.world = Some(world);
            self.run = Some(run);
        }
        (
            self.world.as_mut().expect("started"),
            self.run.as_mut().expect("started"),
        )
    }

    fn fail(&mut self, line: usize, text: String, detail: String) {
        self.expectations.push(Expectation {
            line,
            text,
            ok: false,
            detail,
        });
        self.stopped = true;
    }

    fn bind(&mut self, r: &NodeRef, id: NodeId) {
        if let Some(name) = &r.bind {
            self.bindings.insert(name.clone(), id);
        }
    }

    fn node(&mut self, r: &NodeRef) -> Result<NodeId, String> {
        if let (Target::Id(id), None) = (&r.target, &r.bind) {
            return Ok(*id);
        }
        self.started();
        let world = self.world.as_ref().expect("started");
        let id = resolve(world, &self.bindings, r)?;
        self.bind(r, id);
        Ok(id)
    }

    fn intervene(&mut self, intervention: Intervention) -> Result<(), String> {
        // Network set-up before the cluster starts waits for it, so that `set` lines
        // after it still configure the first start. The world starts at time 0 either
        // way: nothing differs but the order of lines a file may use.
        let network = matches!(
            intervention,
            Intervention::Net { .. }
                | Intervention::Cut { .. }
                | Intervention::Partition(_)
                | Intervention::Isolate(_)
                | Intervention::Heal
        );
        if self.world.is_none() && network {
            self.pending.push(intervention);
            return Ok(());
        }
        let (world, run) = self.started();
        run.apply(world, intervention).map_err(|e| e.to_string())
    }

    /// Execute one line. Does nothing once the run has stopped.
    pub fn exec(&mut self, line: &Line) {
        if self.stopped {
            return;
        }
        if let Err(detail) = self.exec_command(line.number, &line.command) {
            self.fail(line.number, line.command.to_string(), detail);
        }
    }

    fn exec_command(&mut self, number: usize, command: &Command) -> Result<(), String> {
        match command {
            Command::Blank | Command::Comment => {}
            Command::Cluster(c) => {
                let mut spec = ClusterSpec::new(
                    c.controllers,
                    c.brokers,
                    self.options.seed.unwrap_or(c.seed),
                    c.prevote,
                );
                spec.combined = c.combined;
                self.spec = Some(spec);
            }
            Command::Set { key, value, node } if self.world.is_none() => {
                let spec = self.spec.as_mut().expect("cluster first");
                match node {
                    None => spec.set_default(*key, *value),
                    Some(NodeRef {
                        target: Target::Id(id),
                        ..
                    }) => spec.overrides.push((*id, *key, *value)),
                    Some(r) => {
                        let id = self.node(r)?;
                        return self.intervene(Intervention::Set {
                            key: *key,
                            value: *value,
                            node: Some(id),
                        });
                    }
                }
            }
            Command::Set { key, value, node } => {
                let node = match node {
                    Some(r) => Some(self.node(r)?),
                    None => None,
                };
                self.intervene(Intervention::Set {
                    key: *key,
                    value: *value,
                    node,
                })?;
            }
            Command::Relax(inv) if self.world.is_none() => {
                self.spec
                    .as_mut()
                    .expect("cluster first")
                    .relaxed
                    .push(*inv);
            }
            Command::Relax(inv) => self.intervene(Intervention::Relax(*inv))?,
            Command::Net(n) => {
                let from = match &n.from {
                    Some(r) => Some(self.node(r)?),
                    None => None,
                };
                let to = match &n.to {
                    Some(r) => Some(self.node(r)?),
                    None => None,
                };
                let p = |s: &Option<String>| {
                    s.as_deref()
                        .and_then(super::probability::parse_probability)
                        .unwrap_or(0.0)
                };
                let link = LinkSpec::new(n.latency_min_ms, n.latency_max_ms, p(&n.loss), p(&n.dup));
                self.intervene(Intervention::Net { link, from, to })?;
            }
            Command::Run(ms) => {
                let (world, _) = self.started();
                let t = world.now_ms() + ms;
                world.run_until(t);
            }
            Command::At { at_ms, steps } => {
                let (world, _) = self.started();
                let (now_ms, now_steps) = world.position();
                let past = match steps {
                    Some(s) => (now_ms, now_steps) > (*at_ms, *s),
                    None => now_ms > *at_ms,
                };
                if past {
                    return Err(format!(
                        "the run is already at {now_ms}ms step {now_steps}, past this position"
                    ));
                }
                match steps {
                    Some(s) => {
                        world.run_to_position(*at_ms, *s);
                        let (_, reached) = world.position();
                        if reached != *s {
                            return Err(format!(
                                "only {reached} steps happen by {at_ms}ms in this run, not {s}"
                            ));
                        }
                    }
                    None => world.run_until(*at_ms),
                }
            }
            Command::RunUntil {
                condition,
                within_ms,
            } => {
                let within = within_ms.unwrap_or(DEFAULT_WITHIN_MS);
                self.started();
                let world = self.world.as_mut().expect("started");
                let deadline = world.now_ms() + within;
                let start = world.now_ms();
                let bindings = &self.bindings;
                let mut reached = evaluate(world, bindings, condition, false).0;
                while !reached && world.next_event_ms().is_some_and(|t| t <= deadline) {
                    world.step();
                    reached = evaluate(world, bindings, condition, false).0;
                }
                if !reached {
                    world.run_until(deadline);
                    reached = evaluate(world, bindings, condition, false).0;
                }
                let (_, detail) = evaluate(world, bindings, condition, true);
                let text = command.to_string();
                if reached {
                    let took = world.now_ms() - start;
                    self.expectations.push(Expectation {
                        line: number,
                        text,
                        ok: true,
                        detail: format!("reached after {took}ms: {detail}"),
                    });
                } else {
                    return Err(format!(
                        "not reached within {}: {detail}",
                        format_duration(within)
                    ));
                }
            }
            Command::Crash(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Crash(id))?;
            }
            Command::Shutdown(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Shutdown(id))?;
            }
            Command::Restart(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Restart(id))?;
            }
            Command::Wipe(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Wipe(id))?;
            }
            Command::Isolate(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Isolate(id))?;
            }
            Command::Snapshot(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Snapshot(id))?;
            }
            Command::Partition(groups) => {
                let mut ids = Vec::new();
                for g in groups {
                    let mut ids_g = Vec::new();
                    for r in g {
                        ids_g.push(self.node(r)?);
                    }
                    ids.push(ids_g);
                }
                self.intervene(Intervention::Partition(ids))?;
            }
            Command::Cut {
                from,
                to,
                both_ways,
            } => {
                let a = self.node(from)?;
                let b = self.node(to)?;
                self.intervene(Intervention::Cut { from: a, to: b })?;
                if *both_ways {
                    self.intervene(Intervention::Cut { from: b, to: a })?;
                }
            }
            Command::Heal => self.intervene(Intervention::Heal)?,
            Command::Append(n) => self.intervene(Intervention::Append(*n))?,
            Command::CreateTopic {
                name,
                partitions,
                replication,
            } => self.intervene(Intervention::CreateTopic {
                name: name.clone(),
                partitions: *partitions,
                replication: *replication,
            })?,
            Command::ElectLeaders { partition } => self.intervene(Intervention::ElectLeaders {
                partition: partition.clone(),
            })?,
            Command::CreatePartitions { name, count } => {
                self.intervene(Intervention::CreatePartitions {
                    name: name.clone(),
                    count: *count,
                })?
            }
            Command::DeleteTopic(name) => {
                self.intervene(Intervention::DeleteTopic(name.clone()))?
            }
            Command::SetTopicConfig { topic, key, value } => {
                self.intervene(Intervention::SetTopicConfig {
                    topic: topic.clone(),
                    key: key.clone(),
                    value: value.clone(),
                })?
            }
            Command::Register(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::Register(id))?;
            }
            Command::ControlledShutdown(r) => {
                let id = self.node(r)?;
                self.intervene(Intervention::ControlledShutdown(id))?;
            }
            Command::ServerProperties { node, entries } if self.world.is_none() => {
                let spec = self.spec.as_mut().expect("cluster first");
                for (k, v) in entries {
                    spec.server_properties.push((*node, k.clone(), v.clone()));
                }
            }
            Command::ServerProperties { node, entries } => {
                self.intervene(Intervention::ServerProperties {
                    node: *node,
                    entries: entries.clone(),
                })?
            }
            Command::Format { node, cluster_id } if self.world.is_none() => {
                let spec = self.spec.as_mut().expect("cluster first");
                spec.formats.push((*node, cluster_id.clone()));
            }
            Command::Format { node, cluster_id } => self.intervene(Intervention::Format {
                node: *node,
                cluster_id: cluster_id.clone(),
            })?,
            Command::Expect(condition) => {
                self.started();
                let world = self.world.as_ref().expect("started");
                let (ok, detail) = evaluate(world, &self.bindings, condition, true);
                // Bind names a condition's references carry (`expect leader as x`).
                self.expectations.push(Expectation {
                    line: number,
                    text: command.to_string(),
                    ok,
                    detail,
                });
            }
        }
        Ok(())
    }

    /// Finish: the outcome, with the world as the last line left it.
    pub fn finish(mut self) -> Outcome {
        self.started();
        let world = self.world.expect("started");
        let run = self.run.expect("started");
        let ok = self.expectations.iter().all(|e| e.ok) && world.violation_count() == 0;
        Outcome {
            world,
            run,
            expectations: self.expectations,
            ok,
        }
    }
}

/// Run a parsed scenario from start to end.
pub fn run_scenario(scenario: &Scenario, options: RunOptions) -> Outcome {
    let mut runner = Runner::new(options);
    for line in &scenario.lines {
        runner.exec(line);
    }
    runner.finish()
}
