//! Share and save in the reducer: opening a link, a scenario file or a trace file
//! replaces the run, and the run is written back out as a link, a scenario or a trace.
//!
//! Whatever is opened is decoded, validated and replayed into a *new* model first; only
//! a model that loaded whole replaces the current one. A malformed link or file sets
//! [`Model::load_error`] (what is wrong, and where) and leaves the running simulation
//! exactly as it was.

use super::Model;
use crate::sim::scenario::{export, import, validate_run};
use crate::sim::Run;
use crate::ui::share;

/// Files larger than this are refused before they are read (a day-long run with the most
/// interventions a run may hold is well under it).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// How far a load runs the head between draining kept events (bounds their memory).
const LOAD_SLICE_MS: u64 = 10_000;

impl Model {
    /// A model running `run`, its head at `view_ms` or at the last intervention if that
    /// is later, viewed at `view_ms`. The head is the world [`Run::replay`] gives.
    pub fn from_run(run: &Run, view_ms: u64) -> Result<Model, String> {
        validate_run(run).map_err(|e| e.to_string())?;
        let mut m = Model::new(run.spec.clone());
        for (i, r) in run.interventions.iter().enumerate() {
            m.timeline
                .apply_recorded(r)
                .map_err(|e| format!("intervention {}: {e}", i + 1))?;
            m.drain_head_events();
        }
        let end = view_ms.max(m.head_ms());
        while m.head_ms() < end {
            let t = (m.head_ms() + LOAD_SLICE_MS).min(end);
            m.timeline.advance_to(t);
            m.drain_head_events();
        }
        m.view_ms = m.head_ms() as f64;
        if view_ms < m.head_ms() {
            m.seek(view_ms);
        }
        Ok(m)
    }

    /// Swap in a loaded model; the speed carries over (it is the viewer's, not the run's).
    fn replace_with(&mut self, loaded: Model, playing: bool) {
        let speed = self.speed;
        let revision = self.revision;
        *self = loaded;
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
    /// plays (there is nothing to look at yet).
    pub(super) fn open_link(&mut self, fragment: &str) {
        let loaded = share::decode(fragment)
            .map_err(|e| e.to_string())
            .and_then(|s| Model::from_run(&s.run, s.at_ms).map(|m| (m, s.at_ms)));
        match loaded {
            Ok((m, at_ms)) => self.replace_with(m, at_ms == 0),
            Err(e) => self.refuse("the link", e),
        }
    }

    /// A scenario file opens where its last line left the clock, paused.
    pub(super) fn import_scenario(&mut self, name: &str, text: &str) {
        if text.len() > MAX_FILE_BYTES {
            return self.refuse(name, too_large(text.len()));
        }
        let loaded = import(text)
            .map_err(|e| e.to_string())
            .and_then(|i| Model::from_run(&i.run, i.until_ms));
        match loaded {
            Ok(m) => self.replace_with(m, false),
            Err(e) => self.refuse(name, e),
        }
    }

    /// A trace file opens at its end, paused, once its run replays to its hash.
    pub(super) fn import_trace(&mut self, name: &str, text: &str) {
        if text.len() > MAX_FILE_BYTES {
            return self.refuse(name, too_large(text.len()));
        }
        let loaded = share::import_trace(text)
            .map_err(|e| e.to_string())
            .and_then(|t| Model::from_run(&t.run, t.until_ms));
        match loaded {
            Ok(m) => self.replace_with(m, false),
            Err(e) => self.refuse(name, e),
        }
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
