//! Share and save in the reducer: opening a link, a scenario file or a trace file
//! replaces the run, and the run is written back out as a link, a scenario or a trace.
//!
//! Whatever is opened is decoded, validated and replayed into a *new* model first; only
//! a model that loaded whole replaces the current one. A malformed link or file sets
//! [`Model::load_error`] (what is wrong, and where) and leaves the running simulation
//! exactly as it was.

use super::{Model, FRAME_BUDGET_MS};
use crate::sim::scenario::{export, import, validate_run};
use crate::sim::Run;
use crate::ui::share;

/// Files larger than this are refused before they are read (a day-long run with the most
/// interventions a run may hold is well under it).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// How far a load runs the head at a time: between draining kept events (bounds their
/// memory) and checking the frame budget. Small, because one simulated second can hold
/// a 10,000-partition request.
const LOAD_SLICE_MS: u64 = 50;

impl Model {
    /// A model running `run`, its head at `view_ms` or at the last intervention if that
    /// is later, viewed at `view_ms`. The head is the world [`Run::replay`] gives.
    pub fn from_run(run: &Run, view_ms: u64) -> Result<Model, String> {
        let mut job = LoadJob::new(run.clone(), view_ms, false, "the run")?;
        while !job.step(None, None)? {}
        Ok(*job.model)
    }

    /// Swap in a loaded model; the speed carries over (it is the viewer's, not the run's).
    fn replace_with(&mut self, loaded: Model, playing: bool) {
        let (speed, revision, clock) = (self.speed, self.revision, self.clock);
        *self = loaded;
        self.clock = clock;
        self.speed = speed;
        self.playing = playing;
        self.revision = revision;
    }

    fn refuse(&mut self, what: &str, why: impl std::fmt::Display) {
        self.load_error = Some(format!(
            "Could not open {what}: {why}. The run shown is unchanged."
        ));
    }

    /// A link opens at the moment it was shared, paused there; a link to the very start
    /// plays (there is nothing to look at yet). A run that takes longer than a frame to
    /// replay (a link into a 2,000,000-partition creation) loads over the following
    /// frames with its progress shown ([`Model::load_progress`]); the run on screen stays
    /// as it is until the new one is whole. Scenario and trace files load the same way.
    pub(super) fn open_link(&mut self, fragment: &str) {
        self.loading = None;
        let job = share::decode(fragment)
            .map_err(|e| e.to_string())
            .and_then(|s| LoadJob::new(s.run, s.at_ms, s.at_ms == 0, "the link"));
        self.start_load("the link", job);
    }

    fn start_load(&mut self, what: &str, job: Result<LoadJob, String>) {
        match job {
            Ok(job) => {
                self.loading = Some(Box::new(job));
                let deadline = self.clock.map(|now| now() + FRAME_BUDGET_MS);
                self.continue_load(deadline);
            }
            Err(e) => self.refuse(what, e),
        }
    }

    /// Replay the run being opened until it is whole (then it replaces this model) or
    /// this frame's budget is spent.
    pub(super) fn continue_load(&mut self, deadline: Option<f64>) {
        let Some(mut job) = self.loading.take() else {
            return;
        };
        let whole = job
            .step(self.clock, deadline)
            .and_then(|whole| match job.trace {
                // A trace file's run must replay to the file's trace.
                Some(expected) if whole => expected
                    .check(job.model.timeline.head())
                    .map(|()| true)
                    .map_err(|e| e.to_string()),
                _ => Ok(whole),
            });
        match whole {
            Ok(true) => {
                let playing = job.playing;
                self.replace_with(*job.model, playing);
            }
            Ok(false) => self.loading = Some(job),
            Err(e) => self.refuse(&job.what, e),
        }
    }

    /// A run being opened: (simulated ms replayed, ms to replay).
    pub fn load_progress(&self) -> Option<(u64, u64)> {
        self.loading
            .as_ref()
            .map(|j| (j.model.head_ms().min(j.end_ms), j.end_ms))
    }

    /// What is being opened: "the link", or the file's name.
    pub fn loading_what(&self) -> Option<&str> {
        self.loading.as_ref().map(|j| j.what.as_str())
    }

    /// A scenario file opens where its last line left the clock, paused.
    pub(super) fn import_scenario(&mut self, name: &str, text: &str) {
        self.loading = None;
        if text.len() > MAX_FILE_BYTES {
            return self.refuse(name, too_large(text.len()));
        }
        let job = import(text)
            .map_err(|e| e.to_string())
            .and_then(|i| LoadJob::new(i.run, i.until_ms, false, name));
        self.start_load(name, job);
    }

    /// A trace file opens at its end, paused, once its run replays to its hash (the
    /// replay that loads it is the one that checks it).
    pub(super) fn import_trace(&mut self, name: &str, text: &str) {
        self.loading = None;
        if text.len() > MAX_FILE_BYTES {
            return self.refuse(name, too_large(text.len()));
        }
        let job = share::read_trace(text)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                let expected = t.expected();
                let mut job = LoadJob::new(t.run, t.until_ms, false, name)?;
                job.trace = Some(expected);
                Ok(job)
            });
        self.start_load(name, job);
    }

    /// The link (`#v1.…`) that reopens this branch's run at the view time.
    pub fn link(&self) -> String {
        share::encode(self.timeline.run(), self.world().now_ms())
    }

    /// This branch's run as a scenario file, up to its head.
    pub fn export_scenario(&self) -> Result<String, String> {
        export(self.timeline.run(), self.head_ms())
            .map(|s| s.to_string())
            .map_err(|e| format!("Could not export the run: {e}"))
    }

    /// This branch's trace, up to its head, as JSON.
    pub fn export_trace(&self) -> String {
        share::export_trace(self.timeline.run(), self.head_ms())
    }
}

fn too_large(bytes: usize) -> String {
    format!(
        "the file is {} MB, more than the {} MB a run can need",
        bytes.div_ceil(1024 * 1024),
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// A run being replayed into a new model, a slice at a time.
pub(super) struct LoadJob {
    run: Run,
    model: Box<Model>,
    /// The next of `run.interventions` to apply.
    next: usize,
    /// Where the head ends: the view time, or the last intervention if that is later.
    end_ms: u64,
    view_ms: u64,
    /// Whether the loaded model plays.
    playing: bool,
    /// What is being opened, for its progress and its errors.
    what: String,
    /// For a trace file: what the replay must give.
    trace: Option<share::TraceCheck>,
}

impl LoadJob {
    fn new(run: Run, view_ms: u64, playing: bool, what: &str) -> Result<LoadJob, String> {
        validate_run(&run).map_err(|e| e.to_string())?;
        let last = run.interventions.last().map_or(0, |r| r.at_ms);
        Ok(LoadJob {
            model: Box::new(Model::new(run.spec.clone())),
            next: 0,
            end_ms: view_ms.max(last),
            view_ms,
            playing,
            what: what.to_string(),
            trace: None,
            run,
        })
    }

    /// Replay in slices of at most [`LOAD_SLICE_MS`] (applying each intervention at its
    /// recorded position) until the run is whole (`Ok(true)`) or, with a clock, the
    /// deadline passes (`Ok(false)`). Without a clock it always finishes.
    fn step(&mut self, clock: Option<fn() -> f64>, deadline: Option<f64>) -> Result<bool, String> {
        let m = &mut self.model;
        loop {
            let head = m.head_ms();
            if let Some(r) = self.run.interventions.get(self.next) {
                // apply_recorded runs the last millisecond itself, up to the step.
                let before = r.at_ms.saturating_sub(1);
                if head < before {
                    m.timeline.advance_to((head + LOAD_SLICE_MS).min(before));
                } else {
                    m.timeline
                        .apply_recorded(r)
                        .map_err(|e| format!("intervention {}: {e}", self.next + 1))?;
                    self.next += 1;
                }
            } else if head < self.end_ms {
                m.timeline
                    .advance_to((head + LOAD_SLICE_MS).min(self.end_ms));
            } else {
                m.view_ms = m.head_ms() as f64;
                if self.view_ms < m.head_ms() {
                    m.seek(self.view_ms);
                }
                return Ok(true);
            }
            // Draining bounds the kept events' memory on long runs.
            m.drain_head_events();
            if let (Some(now), Some(d)) = (clock, deadline) {
                if now() >= d {
                    return Ok(false);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Action;
    use super::*;
    use crate::sim::{ClusterSpec, Intervention};

    fn play_for(m: &mut Model, wall_ms: f64) {
        let mut left = wall_ms;
        while left > 0.0 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
            left -= 16.0;
        }
    }

    /// A run with a crash, a restart and appends, paused a while after.
    fn acted() -> Model {
        let mut m = Model::new(ClusterSpec::new(3, 2, 11, true));
        play_for(&mut m, 3_000.0);
        let leader = m.world().leader().expect("a leader after 3 s");
        m.reduce(Action::Intervene(Intervention::Crash(leader)));
        play_for(&mut m, 2_000.0);
        m.reduce(Action::Intervene(Intervention::Append(5)));
        m.reduce(Action::Intervene(Intervention::Restart(leader)));
        play_for(&mut m, 1_000.0);
        m.reduce(Action::Pause);
        assert!(m.error.is_none(), "{:?}", m.error);
        m
    }

    /// Everything a viewer could compare between two pages.
    fn state_of(m: &Model) -> (u64, u64, u64, Option<i32>, usize) {
        let w = m.world();
        (
            w.now_ms(),
            w.trace_hash(),
            m.head_ms(),
            w.leader(),
            m.all_events().len(),
        )
    }

    /// A clock that moves 100 ms per reading: every budget check finds the frame spent.
    fn slow_clock() -> f64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NOW: AtomicU64 = AtomicU64::new(0);
        NOW.fetch_add(100, Ordering::Relaxed) as f64
    }

    /// With a page clock a long link opens over frames: its progress shows and grows,
    /// the run on screen is untouched meanwhile, and the result is the blocking load's.
    #[test]
    fn a_link_opens_over_frames_with_progress_and_the_run_shown_untouched() {
        let a = acted();
        let link = a.link();
        let mut b = Model::new(Model::default_spec(1));
        b.set_clock(slow_clock);
        play_for(&mut b, 500.0);
        let shown = state_of(&b);
        b.reduce(Action::OpenLink(link.clone()));
        let (mut done, total) = b.load_progress().expect("a sliced load");
        assert_eq!(total, a.world().now_ms().max(a.head_ms()));
        let job = crate::ui::view_model::JobView::build(&b).unwrap();
        assert!(job.label.starts_with("Opening the link"), "{}", job.label);
        assert_eq!(crate::ui::url::UrlSync::default().next(&b, 0.0), None);
        let mut frames = 0;
        while let Some((now, _)) = b.load_progress() {
            assert!(now >= done, "progress only grows");
            done = now;
            assert_eq!(state_of(&b).1, shown.1, "the run shown is untouched");
            b.reduce(Action::Frame { wall_ms: 16.0 });
            frames += 1;
            assert!(frames < 10_000);
        }
        assert!(frames > 1, "it took {frames} frames");
        assert_eq!(b.load_error, None);
        assert_eq!(state_of(&b), state_of(&a));
        assert_eq!(
            state_of(&b),
            state_of(&Model::from_run(a.timeline().run(), a.world().now_ms()).unwrap())
        );
        // The page's clock carries over to the loaded model.
        assert!(b.clock.is_some());
    }

    #[test]
    fn a_link_reopens_the_same_run_at_the_same_moment() {
        let a = acted();
        let link = a.link();
        assert!(link.starts_with("#v1."), "{link}");
        let mut b = Model::new(Model::default_spec(1));
        b.reduce(Action::OpenLink(link.clone()));
        assert_eq!(b.load_error, None);
        assert_eq!(state_of(&b), state_of(&a));
        assert_eq!(b.timeline().run(), a.timeline().run());
        assert!(!b.playing, "a link opens paused at its moment");
        // The reopened run links to itself.
        assert_eq!(b.link(), link);
        // And it is the run a plain replay gives.
        let replayed = a.timeline().run().replay(a.head_ms(), false);
        assert_eq!(b.world().trace_hash(), replayed.trace_hash());
    }

    #[test]
    fn a_link_to_the_past_opens_there_with_the_whole_run() {
        let mut a = acted();
        let head = a.head_ms();
        a.reduce(Action::Seek(2_500));
        let mut b = Model::new(Model::default_spec(1));
        b.reduce(Action::OpenLink(a.link()));
        assert_eq!(b.world().now_ms(), 2_500);
        assert!(!b.is_live());
        assert_eq!(b.world().trace_hash(), a.world().trace_hash());
        // The head is the last intervention's time (the link does not carry the head).
        assert!(
            b.head_ms() <= head && b.head_ms() >= 5_000,
            "{}",
            b.head_ms()
        );
    }

    #[test]
    fn a_link_at_the_start_plays() {
        let a = Model::new(ClusterSpec::new(5, 2, 3, true));
        let mut b = Model::new(Model::default_spec(1));
        b.reduce(Action::Pause);
        b.reduce(Action::OpenLink(a.link()));
        assert!(b.playing);
        assert_eq!(b.world().processes().len(), 7);
    }

    #[test]
    fn a_malformed_link_says_what_is_wrong_and_changes_nothing() {
        let mut m = acted();
        let before = state_of(&m);
        let run = m.timeline().run().clone();
        for (link, says) in [
            ("#v1.AB!C", "character 6 ('!') is not base64url"),
            ("#v7.AAAA", "unknown version 'v7'"),
            ("#nonsense", "expected `v1.` followed by the run"),
        ] {
            m.reduce(Action::OpenLink(link.into()));
            let e = m.load_error.clone().expect("an error");
            assert!(e.starts_with("Could not open the link: link: "), "{e}");
            assert!(e.contains(says), "{e}");
            assert!(e.ends_with("The run shown is unchanged."), "{e}");
            assert_eq!(state_of(&m), before);
            assert_eq!(m.timeline().run(), &run);
        }
        m.reduce(Action::DismissLoadError);
        assert_eq!(m.load_error, None);
    }

    #[test]
    fn a_link_whose_intervention_cannot_apply_is_refused_whole() {
        // Restarting a running node: valid in shape, refused when replayed.
        let mut run = Run::new(ClusterSpec::new(3, 0, 1, true));
        run.interventions.push(crate::sim::timeline::Recorded {
            at_ms: 100,
            steps: 0,
            intervention: Intervention::Restart(2),
        });
        let mut m = acted();
        let before = state_of(&m);
        m.reduce(Action::OpenLink(share::encode(&run, 0)));
        let e = m.load_error.clone().unwrap();
        assert!(e.contains("intervention 1: "), "{e}");
        assert_eq!(state_of(&m), before);
    }

    #[test]
    fn an_exported_scenario_imports_to_the_same_run() {
        let a = acted();
        let text = a.export_scenario().unwrap();
        assert!(text.contains("cluster controllers=3 brokers=2"), "{text}");
        let mut b = Model::new(Model::default_spec(1));
        b.reduce(Action::ImportScenario {
            name: "run.kraft".into(),
            text,
        });
        assert_eq!(b.load_error, None);
        assert_eq!(b.head_ms(), a.head_ms());
        assert_eq!(b.world().trace_hash(), a.timeline().head().trace_hash());
        assert!(!b.playing);
    }

    #[test]
    fn a_malformed_scenario_names_its_line_and_column_and_changes_nothing() {
        let mut m = acted();
        let before = state_of(&m);
        m.reduce(Action::ImportScenario {
            name: "bad.kraft".into(),
            text: "cluster controllers=3\nrun 1s\nfrobnicate node=2\n".into(),
        });
        let e = m.load_error.clone().unwrap();
        assert!(e.starts_with("Could not open bad.kraft: 3:1: "), "{e}");
        assert_eq!(state_of(&m), before);
        m.reduce(Action::ImportScenario {
            name: "big.kraft".into(),
            text: "#".repeat(MAX_FILE_BYTES + 1),
        });
        assert!(m.load_error.clone().unwrap().contains("MB"));
        assert_eq!(state_of(&m), before);
    }

    #[test]
    fn an_exported_trace_imports_and_a_tampered_one_is_refused() {
        let a = acted();
        let json = a.export_trace();
        let mut b = Model::new(Model::default_spec(1));
        b.reduce(Action::ImportTrace {
            name: "t.json".into(),
            text: json.clone(),
        });
        assert_eq!(b.load_error, None);
        assert_eq!(b.world().trace_hash(), a.timeline().head().trace_hash());

        let before = state_of(&b);
        b.reduce(Action::ImportTrace {
            name: "t.json".into(),
            text: json[..json.len() / 2].to_string(),
        });
        let e = b.load_error.clone().unwrap();
        assert!(
            e.starts_with("Could not open t.json: trace: line 1 column "),
            "{e}"
        );
        assert_eq!(state_of(&b), before);
    }

    /// A scenario or trace file whose replay is long opens over frames like a link: its
    /// name is in the progress label, the run on screen is untouched until the new one
    /// is whole, and the result is the blocking load's.
    #[test]
    fn files_open_over_frames_with_progress_and_the_run_shown_untouched() {
        let a = acted();
        for (name, text, trace) in [
            ("run.kraft", a.export_scenario().unwrap(), false),
            ("t.json", a.export_trace(), true),
        ] {
            let mut b = Model::new(Model::default_spec(1));
            b.set_clock(slow_clock);
            play_for(&mut b, 500.0);
            let shown = state_of(&b);
            let action = if trace {
                Action::ImportTrace {
                    name: name.into(),
                    text,
                }
            } else {
                Action::ImportScenario {
                    name: name.into(),
                    text,
                }
            };
            b.reduce(action);
            assert!(b.load_progress().is_some(), "{name}: a sliced load");
            let job = crate::ui::view_model::JobView::build(&b).unwrap();
            assert!(
                job.label
                    .starts_with(&format!("Opening {name}: replaying ")),
                "{}",
                job.label
            );
            let mut frames = 0;
            while b.load_progress().is_some() {
                assert_eq!(
                    state_of(&b).1,
                    shown.1,
                    "{name}: the run shown is untouched"
                );
                b.reduce(Action::Frame { wall_ms: 16.0 });
                frames += 1;
                assert!(frames < 10_000);
            }
            assert!(frames > 1, "{name}: it took {frames} frames");
            assert_eq!(b.load_error, None, "{name}");
            assert_eq!(b.head_ms(), a.head_ms(), "{name}");
            assert_eq!(
                b.world().trace_hash(),
                a.timeline().head().trace_hash(),
                "{name}"
            );
            assert!(!b.playing, "{name}: a file opens paused");
        }
    }

    /// A trace whose recorded hash does not match its run is refused once the replay
    /// that loads it is done, and the run shown stays as it was.
    #[test]
    fn a_trace_that_does_not_match_its_run_is_refused_after_its_replay() {
        let a = acted();
        let json = a.export_trace();
        let hash = format!("{:016x}", a.timeline().head().trace_hash());
        let tampered = json.replacen(
            &hash,
            &format!("{:016x}", a.timeline().head().trace_hash() ^ 1),
            1,
        );
        assert_ne!(tampered, json);
        let mut b = Model::new(Model::default_spec(1));
        b.set_clock(slow_clock);
        play_for(&mut b, 500.0);
        b.reduce(Action::Pause);
        let before = state_of(&b);
        b.reduce(Action::ImportTrace {
            name: "t.json".into(),
            text: tampered,
        });
        let mut frames = 0;
        while b.load_progress().is_some() {
            b.reduce(Action::Frame { wall_ms: 16.0 });
            frames += 1;
            assert!(frames < 10_000);
        }
        let e = b.load_error.clone().expect("refused");
        assert!(
            e.starts_with("Could not open t.json: trace: the file's trace hash "),
            "{e}"
        );
        assert!(e.ends_with("The run shown is unchanged."), "{e}");
        assert_eq!(state_of(&b), before);
    }

    #[test]
    fn reset_starts_the_new_cluster_and_links_to_it() {
        let mut m = acted();
        let mut spec = ClusterSpec::new(5, 2, 9, true);
        spec.combined = 1;
        m.reduce(Action::Reset(spec.clone()));
        assert_eq!(m.world().processes().len(), 7);
        assert_eq!(share::decode_run(&m.link()).unwrap(), Run::new(spec));
    }
}
