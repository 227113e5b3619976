//! Time travel. A run is `(cluster, [(position, intervention)])`: replaying it gives the
//! same world, event for event. A [`Timeline`] keeps checkpoints of the world every
//! `checkpoint_every_ms` of simulated time, so seeking to any time restores the
//! nearest earlier checkpoint and replays at most that much. Acting in the past forks a
//! new branch that shares the older checkpoints.

use super::config::ClusterSpec;
use super::world::{Intervention, InterventionError, World};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Default checkpoint period: 10 s of simulated time.
pub const CHECKPOINT_EVERY_MS: u64 = 10_000;

/// An intervention and where in the run it happened: at `at_ms`, after `steps` queue
/// entries had been processed (several events can share a millisecond).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub at_ms: u64,
    pub steps: u64,
    pub intervention: Intervention,
}

/// Everything needed to reproduce a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub spec: ClusterSpec,
    pub interventions: Vec<Recorded>,
}

impl Run {
    pub fn new(spec: ClusterSpec) -> Self {
        Self {
            spec,
            interventions: Vec::new(),
        }
    }

    /// Record an intervention applied to `world` now (and apply it).
    pub fn apply(
        &mut self,
        world: &mut World,
        intervention: Intervention,
    ) -> Result<(), InterventionError> {
        let (at_ms, steps) = world.position();
        world.apply(&intervention)?;
        self.interventions.push(Recorded {
            at_ms,
            steps,
            intervention,
        });
        Ok(())
    }

    /// Replay the run up to `until_ms` (every intervention at or before it applied).
    pub fn replay(&self, until_ms: u64, keep_trace: bool) -> World {
        let mut world = World::new(self.spec.clone(), keep_trace);
        replay_interventions(&mut world, &self.interventions, until_ms);
        world.run_until(until_ms);
        world
    }
}

/// Apply `interventions` (in order) whose time is at or before `until_ms`, each at its
/// recorded position; returns how many were applied.
fn replay_interventions(world: &mut World, interventions: &[Recorded], until_ms: u64) -> usize {
    let mut applied = 0;
    for r in interventions {
        if r.at_ms > until_ms {
            break;
        }
        world.run_to_position(r.at_ms, r.steps);
        // An intervention that failed when recorded is never recorded, so this succeeds.
        let _ = world.apply(&r.intervention);
        applied += 1;
    }
    applied
}

#[derive(Clone, Debug)]
struct Checkpoint {
    world: Arc<World>,
    /// Interventions of the branch already applied in `world`.
    applied: usize,
}

/// One line of history.
#[derive(Clone, Debug)]
pub struct Branch {
    pub run: Run,
    /// The branch this one forked from, and when.
    pub parent: Option<(usize, u64)>,
    checkpoints: Vec<Checkpoint>,
    head: World,
}

impl Branch {
    pub fn head(&self) -> &World {
        &self.head
    }
}

#[derive(Clone, Debug)]
pub struct Timeline {
    branches: Vec<Branch>,
    current: usize,
    checkpoint_every_ms: u64,
}

impl Timeline {
    pub fn new(spec: ClusterSpec) -> Self {
        Self::with_checkpoint_period(spec, CHECKPOINT_EVERY_MS)
    }

    pub fn with_checkpoint_period(spec: ClusterSpec, checkpoint_every_ms: u64) -> Self {
        let head = World::new(spec.clone(), false);
        let checkpoints = vec![Checkpoint {
            world: Arc::new(head.checkpoint()),
            applied: 0,
        }];
        Self {
            branches: vec![Branch {
                run: Run::new(spec),
                parent: None,
                checkpoints,
                head,
            }],
            current: 0,
            checkpoint_every_ms: checkpoint_every_ms.max(1),
        }
    }

    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    pub fn current(&self) -> usize {
        self.current
    }

    pub fn switch_to(&mut self, branch: usize) {
        if branch < self.branches.len() {
            self.current = branch;
        }
    }

    /// The newest world of the current branch.
    pub fn head(&self) -> &World {
        &self.branches[self.current].head
    }

    pub fn run(&self) -> &Run {
        &self.branches[self.current].run
    }

    /// The current head's trace, so a view can keep and drain its events as it runs
    /// (checkpoints never keep events, so this costs nothing in a seek).
    pub fn head_trace_mut(&mut self) -> &mut super::trace::Trace {
        self.branches[self.current].head.trace_mut()
    }

    /// Run the current branch's head forward to `t_ms`, checkpointing on the way.
    pub fn advance_to(&mut self, t_ms: u64) {
        let every = self.checkpoint_every_ms;
        let b = &mut self.branches[self.current];
        while b.head.now_ms() < t_ms {
            let next_cp = (b.head.now_ms() / every + 1) * every;
            let stop = next_cp.min(t_ms);
            b.head.run_until(stop);
            if stop == next_cp {
                b.checkpoints.push(Checkpoint {
                    world: Arc::new(b.head.checkpoint()),
                    applied: b.run.interventions.len(),
                });
            }
        }
    }

    /// The world of the current branch at `t_ms` (at most the head's time): the nearest
    /// checkpoint at or before it, replayed.
    pub fn seek(&self, t_ms: u64) -> World {
        let b = &self.branches[self.current];
        let t_ms = t_ms.min(b.head.now_ms());
        let cp = self.checkpoint_at_or_before(t_ms);
        let mut world = (*cp.world).clone();
        replay_interventions(&mut world, &b.run.interventions[cp.applied..], t_ms);
        world.run_until(t_ms);
        world
    }

    /// A copy of the current branch's nearest checkpoint at or before `t_ms`: where a
    /// seek starts replaying (a caller that replays in slices continues from it with the
    /// branch's recorded interventions).
    pub fn checkpoint_before(&self, t_ms: u64) -> World {
        (*self.checkpoint_at_or_before(t_ms).world).clone()
    }

    fn checkpoint_at_or_before(&self, t_ms: u64) -> &Checkpoint {
        let b = &self.branches[self.current];
        let i = b
            .checkpoints
            .partition_point(|c| c.world.now_ms() <= t_ms)
            .saturating_sub(1);
        &b.checkpoints[i]
    }

    /// Re-apply a recorded intervention at its exact position `(at_ms, steps)`, at or
    /// after the head's: how a shared or imported run is loaded, checkpoints and all, so
    /// the head is the world [`Run::replay`] gives. Refused (nothing applied) when the
    /// position lies behind the head or the run never reaches it.
    pub fn apply_recorded(&mut self, r: &Recorded) -> Result<(), String> {
        let (head_ms, head_steps) = self.head().position();
        if (r.at_ms, r.steps) < (head_ms, head_steps) {
            return Err(format!(
                "position {}ms step {} is before the previous one ({head_ms}ms step {head_steps})",
                r.at_ms, r.steps
            ));
        }
        // Checkpoints hold whole milliseconds; the last one stops short of `at_ms`, whose
        // events run only up to `steps`.
        self.advance_to(r.at_ms.saturating_sub(1));
        let b = &mut self.branches[self.current];
        b.head.run_to_position(r.at_ms, r.steps);
        if b.head.position() != (r.at_ms, r.steps) {
            return Err(format!(
                "position {}ms step {} is never reached (the run has {} steps by then)",
                r.at_ms,
                r.steps,
                b.head.position().1
            ));
        }
        b.run
            .apply(&mut b.head, r.intervention.clone())
            .map_err(|e| e.to_string())
    }

    /// Act at `t_ms`. At the head this extends the current branch; in the past it forks
    /// a new branch (which becomes current) holding the history up to `t_ms` and the
    /// new intervention. Returns the branch acted on.
    pub fn intervene(
        &mut self,
        t_ms: u64,
        intervention: Intervention,
    ) -> Result<usize, InterventionError> {
        let b = &mut self.branches[self.current];
        if t_ms >= b.head.now_ms() {
            let t = t_ms;
            let cur = self.current;
            self.advance_to(t);
            let b = &mut self.branches[cur];
            b.run.apply(&mut b.head, intervention)?;
            return Ok(cur);
        }
        let mut world = self.seek(t_ms);
        let b = &self.branches[self.current];
        let kept: Vec<Recorded> = b
            .run
            .interventions
            .iter()
            .take_while(|r| r.at_ms <= t_ms)
            .cloned()
            .collect();
        let checkpoints: Vec<Checkpoint> = b
            .checkpoints
            .iter()
            .filter(|c| c.world.now_ms() <= t_ms && c.applied <= kept.len())
            .cloned()
            .collect();
        let mut run = Run {
            spec: b.run.spec.clone(),
            interventions: kept,
        };
        run.apply(&mut world, intervention)?;
        self.branches.push(Branch {
            run,
            parent: Some((self.current, t_ms)),
            checkpoints,
            head: world,
        });
        self.current = self.branches.len() - 1;
        Ok(self.current)
    }
}
