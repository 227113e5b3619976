//! The UI's one reducer: everything the page can change goes through [`Model::reduce`]
//! as an [`Action`]. Plain Rust (no Yew, no DOM) so it is tested natively.
//!
//! The model drives a sim [`Timeline`]: at the live edge it advances the current
//! branch's head; after a seek it holds a copy of the world at the view time and
//! replays the branch's recorded interventions as that copy plays forward. Acting in
//! the past forks a branch (the timeline does that); the old branch stays selectable.
//!
//! It never decides anything about the protocol: what it shows is read from the world.
//!
//! Long jobs never block a frame: a frame advances the world in [`FRAME_SLICE_MS`]
//! slices and stops early (the view lags, then catches up) once a slice sent an admin
//! request (a large `create-topic` is a string of 10,000-partition requests, see
//! `crate::sim::world::admin`) or the frame's wall-clock budget is spent. A seek whose
//! replay does not finish at once (the same bounds) goes on in the following frames,
//! with its progress shown, instead of blocking in one call.

use crate::kraft::NodeId;
use crate::sim::trace::{FaultKind, MsgInfo};
use crate::sim::{ClusterSpec, Intervention, Timeline, TraceEvent, TraceKind, World};

use super::client_actions::admin_refusal_message;
use super::node_menu::MenuAnchor;
mod load;
pub use load::MAX_FILE_BYTES;

/// Simulated milliseconds the model may advance in one frame (keeps a frame bounded
/// even at 100x on a large cluster; the view time then lags and catches up).
pub const MAX_SIM_MS_PER_FRAME: f64 = 2_000.0;
/// Simulated milliseconds per slice of a frame's (or a seek's) advance: the frame checks
/// its bounds between slices.
pub const FRAME_SLICE_MS: u64 = 5;
/// Wall-clock milliseconds of simulation work a frame may do (with a clock, see
/// [`Model::set_clock`]); one slice may overrun it.
pub const FRAME_BUDGET_MS: f64 = 12.0;
/// Events kept per branch for the narration and the scrubber's markers.
pub const MAX_KEPT_EVENTS: usize = 20_000;
pub const MIN_SPEED: f64 = 0.01;
pub const MAX_SPEED: f64 = 100.0;

/// What is selected for the inspectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(NodeId),
    Message(u64),
}

/// Everything the page can ask of the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Play,
    Pause,
    TogglePlay,
    /// Run to the next event (and pause).
    Step,
    /// Jump back (negative) or forward by this many simulated milliseconds.
    Nudge(i64),
    SetSpeed(f64),
    Seek(u64),
    /// Run until the next election, fault or leader change (bounded), then pause.
    SkipToInteresting,
    Select(Option<Selection>),
    /// Select a node and open its menu (at a canvas point, or from the Nodes list).
    OpenMenu(MenuAnchor),
    CloseMenu,
    /// Open or close the message list (its rows are built only while it is open).
    ShowMessages(bool),
    Intervene(Intervention),
    SwitchBranch(usize),
    /// Start a fresh run with this cluster.
    Reset(ClusterSpec),
    /// Open a shared link (`#v1.…`): its run replaces this one (see `state/load.rs`).
    OpenLink(String),
    /// Open a scenario file: its name (for messages) and text.
    ImportScenario {
        name: String,
        text: String,
    },
    /// Open a trace JSON file: its name and text.
    ImportTrace {
        name: String,
        text: String,
    },
    /// Hide the message about a link or file that could not be opened.
    DismissLoadError,
    /// One animation frame: `wall_ms` of real time passed.
    Frame {
        wall_ms: f64,
    },
}

/// A marker on the timeline scrubber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    Election,
    LeaderChange,
    Fault,
    Violation,
}

/// A seek replaying in slices across frames.
struct SeekJob {
    world: World,
    from_ms: u64,
    to_ms: u64,
}

pub struct Model {
    timeline: Timeline,
    /// A seek still replaying (its world becomes `past` when it reaches the target).
    seeking: Option<SeekJob>,
    /// A link being opened over several frames (it replaces this model when whole).
    loading: Option<Box<load::LoadJob>>,
    /// The page's wall clock in ms (`performance.now`), for the frame budget; natively
    /// none, and only the deterministic bounds apply.
    clock: Option<fn() -> f64>,
    /// Per branch: notable events in time order (a fork copies its parent's prefix).
    kept: Vec<Vec<TraceEvent>>,
    /// A copy of the world at the view time, when looking at the past.
    past: Option<World>,
    /// The view time (fractional so messages glide between integer milliseconds).
    view_ms: f64,
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<Selection>,
    /// The last message that was selected, kept after it is delivered.
    pub selected_msg: Option<MsgInfo>,
    /// The last refused action, said where the user acted.
    pub error: Option<String>,
    /// The open node menu.
    pub menu: Option<MenuAnchor>,
    /// The last admin request the active controller refused (shown by the form).
    pub admin_error: Option<String>,
    pub show_messages: bool,
    /// Why the last link or file could not be opened (the run was left as it was).
    pub load_error: Option<String>,
    /// Bumped whenever something the panels show may have changed outside frames.
    pub revision: u64,
}

impl Model {
    pub fn new(spec: ClusterSpec) -> Self {
        let mut timeline = Timeline::new(spec);
        timeline.head_trace_mut().set_keep_events(true);
        Self {
            timeline,
            kept: vec![Vec::new()],
            seeking: None,
            loading: None,
            clock: None,
            past: None,
            view_ms: 0.0,
            playing: true,
            speed: 1.0,
            selected: None,
            selected_msg: None,
            error: None,
            menu: None,
            admin_error: None,
            show_messages: false,
            load_error: None,
            revision: 0,
        }
    }

    /// The default cluster: three controllers, two brokers, pre-vote on.
    pub fn default_spec(seed: u64) -> ClusterSpec {
        ClusterSpec::new(3, 2, seed, true)
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Give frames a wall clock (ms) to budget their work with.
    pub fn set_clock(&mut self, clock: fn() -> f64) {
        self.clock = Some(clock);
    }

    /// A seek in progress: (replay started at, replayed to, target), simulated ms.
    pub fn seek_progress(&self) -> Option<(u64, u64, u64)> {
        self.seeking
            .as_ref()
            .map(|j| (j.from_ms, j.world.now_ms().min(j.to_ms), j.to_ms))
    }

    /// The world at the view time.
    pub fn world(&self) -> &World {
        self.past.as_ref().unwrap_or_else(|| self.timeline.head())
    }

    pub fn view_ms(&self) -> f64 {
        self.view_ms
    }

    pub fn head_ms(&self) -> u64 {
        self.timeline.head().now_ms()
    }

    pub fn is_live(&self) -> bool {
        self.past.is_none()
    }

    /// Notable events of the current branch up to the view time.
    pub fn events(&self) -> &[TraceEvent] {
        let all = &self.kept[self.timeline.current()];
        let t = self.world().now_ms();
        &all[..all.partition_point(|e| e.at_ms <= t)]
    }

    /// Every notable event of the current branch (for the scrubber's markers).
    pub fn all_events(&self) -> &[TraceEvent] {
        &self.kept[self.timeline.current()]
    }

    pub fn reduce(&mut self, action: Action) {
        if !matches!(action, Action::Frame { .. }) {
            self.revision += 1;
        }
        // Anything that moves the view or acts on the world ends an unfinished seek
        // (the view stays where it was until a seek completes).
        if matches!(
            action,
            Action::Step
                | Action::Nudge(_)
                | Action::Seek(_)
                | Action::SkipToInteresting
                | Action::Intervene(_)
                | Action::SwitchBranch(_)
                | Action::OpenLink(_)
                | Action::ImportScenario { .. }
                | Action::ImportTrace { .. }
        ) {
            self.seeking = None;
        }
        match action {
            Action::Play => self.playing = true,
            Action::Pause => self.playing = false,
            Action::TogglePlay => self.playing = !self.playing,
            Action::Step => {
                self.playing = false;
                let next = self.world().next_event_ms();
                if let Some(t) = next {
                    self.advance_to(t);
                }
            }
            Action::Nudge(delta_ms) => {
                let now = self.world().now_ms() as i64;
                let t = (now + delta_ms).max(0) as u64;
                if delta_ms > 0 && !self.playing && t > self.head_ms() {
                    self.advance_to(t);
                } else {
                    self.start_seek(t);
                }
            }
            Action::SetSpeed(s) => {
                if s.is_finite() {
                    self.speed = s.clamp(MIN_SPEED, MAX_SPEED);
                }
            }
            Action::Seek(t) => self.start_seek(t),
            Action::SkipToInteresting => self.skip_to_interesting(),
            Action::Select(sel) => {
                self.menu = None;
                self.selected = sel;
                self.selected_msg = match sel {
                    Some(Selection::Message(id)) => self
                        .world()
                        .in_flight()
                        .find(|f| f.info.id == id)
                        .map(|f| *f.info),
                    _ => None,
                };
            }
            Action::OpenMenu(anchor) => {
                if self.world().process(anchor.node).is_some() {
                    self.reduce(Action::Select(Some(Selection::Node(anchor.node))));
                    self.menu = Some(anchor);
                }
            }
            Action::CloseMenu => self.menu = None,
            Action::ShowMessages(open) => self.show_messages = open,
            Action::Intervene(i) => {
                self.menu = None;
                self.intervene(i)
            }
            Action::SwitchBranch(b) => {
                if b < self.timeline.branches().len() {
                    self.timeline.switch_to(b);
                    self.past = None;
                    self.view_ms = self.head_ms() as f64;
                    self.timeline.head_trace_mut().set_keep_events(true);
                    self.error = None;
                }
            }
            Action::Reset(spec) => {
                // (Replacing the model also drops a link still loading.)
                let (speed, playing, clock) = (self.speed, self.playing, self.clock);
                *self = Model::new(spec);
                self.clock = clock;
                self.speed = speed;
                self.playing = playing;
            }
            Action::OpenLink(fragment) => self.open_link(&fragment),
            Action::ImportScenario { name, text } => self.import_scenario(&name, &text),
            Action::ImportTrace { name, text } => self.import_trace(&name, &text),
            Action::DismissLoadError => self.load_error = None,
            Action::Frame { wall_ms } => {
                let deadline = self.clock.map(|now| now() + FRAME_BUDGET_MS);
                if self.loading.is_some() {
                    self.continue_load(deadline);
                } else if self.seeking.is_some() {
                    self.continue_seek(deadline);
                } else if self.playing && wall_ms.is_finite() && wall_ms > 0.0 {
                    // A backgrounded tab comes back with a huge gap: never jump by it.
                    let dt = (wall_ms.min(250.0) * self.speed).min(MAX_SIM_MS_PER_FRAME);
                    let target = self.view_ms + dt;
                    let reached = self.advance_bounded(target.floor() as u64, deadline);
                    self.view_ms = if reached {
                        target.max(self.world().now_ms() as f64)
                    } else {
                        self.world().now_ms() as f64
                    };
                }
            }
        }
    }

    /// Advance the view (and, at the live edge, the head) to `t`.
    fn advance_to(&mut self, t: u64) {
        if let Some(w) = &mut self.past {
            let run = self.timeline.run();
            replay_into(w, &run.interventions, t);
            if w.now_ms() >= self.timeline.head().now_ms() {
                // Caught up with the head: continue live.
                self.past = None;
            } else {
                self.view_ms = w.now_ms() as f64;
                return;
            }
        }
        if t > self.head_ms() {
            self.timeline.advance_to(t);
            self.drain_head_events();
        }
        self.view_ms = self.head_ms() as f64;
    }

    /// Whether the frame's wall-clock budget is spent.
    fn over_budget(&self, deadline: Option<f64>) -> bool {
        match (self.clock, deadline) {
            (Some(now), Some(d)) => now() >= d,
            _ => false,
        }
    }

    /// [`Self::advance_to`] in slices of [`FRAME_SLICE_MS`], stopping before `t` once a
    /// slice sent an admin request or the budget is spent. True when `t` was reached.
    fn advance_bounded(&mut self, t: u64, deadline: Option<f64>) -> bool {
        let requests = |m: &Self| m.world().admin_requests();
        let before = requests(self);
        loop {
            let now = self.world().now_ms();
            if now >= t {
                return true;
            }
            self.advance_to((now + FRAME_SLICE_MS).min(t));
            if self.world().now_ms() >= t {
                return true;
            }
            if requests(self) != before || self.over_budget(deadline) {
                return false;
            }
        }
    }

    /// A seek from the UI: at once when its replay finishes within the bounds a frame
    /// has, else it goes on in the following frames ([`Self::seek_progress`]).
    fn start_seek(&mut self, t: u64) {
        if t >= self.head_ms() {
            self.seek(t);
            return;
        }
        let world = self.timeline.checkpoint_before(t);
        self.seeking = Some(SeekJob {
            from_ms: world.now_ms(),
            world,
            to_ms: t,
        });
        let deadline = self.clock.map(|now| now() + FRAME_BUDGET_MS);
        self.continue_seek(deadline);
    }

    /// Replay the seek's world in slices until it reaches its target (then it is the
    /// view) or a bound stops this frame's share.
    fn continue_seek(&mut self, deadline: Option<f64>) {
        let Some(mut job) = self.seeking.take() else {
            return;
        };
        let requests = job.world.admin_requests();
        loop {
            let now = job.world.now_ms();
            if now >= job.to_ms {
                self.view_ms = job.world.now_ms() as f64;
                self.past = Some(job.world);
                return;
            }
            let run = self.timeline.run();
            replay_into(
                &mut job.world,
                &run.interventions,
                (now + FRAME_SLICE_MS).min(job.to_ms),
            );
            if job.world.now_ms() < job.to_ms
                && (job.world.admin_requests() != requests || self.over_budget(deadline))
            {
                self.seeking = Some(job);
                return;
            }
        }
    }

    fn drain_head_events(&mut self) {
        let events = self.timeline.head_trace_mut().take_events();
        let kept = &mut self.kept[self.timeline.current()];
        kept.extend(events.into_iter().filter(is_notable));
        if kept.len() > MAX_KEPT_EVENTS {
            let extra = kept.len() - MAX_KEPT_EVENTS;
            kept.drain(..extra);
        }
    }

    fn seek(&mut self, t: u64) {
        if t >= self.head_ms() {
            self.past = None;
            self.view_ms = self.head_ms() as f64;
        } else {
            let w = self.timeline.seek(t);
            self.view_ms = w.now_ms() as f64;
            self.past = Some(w);
        }
    }

    fn intervene(&mut self, i: Intervention) {
        let t = self.world().now_ms();
        let before = self.timeline.current();
        let forked = !self.is_live();
        match self.timeline.intervene(t, i.clone()) {
            Ok(b) => {
                self.error = None;
                if forked || b != before {
                    // A new branch: it shares the parent's history up to t.
                    let prefix: Vec<TraceEvent> = self.kept[before]
                        .iter()
                        .take_while(|e| e.at_ms <= t)
                        .copied()
                        .collect();
                    while self.kept.len() <= b {
                        self.kept.push(Vec::new());
                    }
                    self.kept[b] = prefix;
                }
                self.past = None;
                self.timeline.head_trace_mut().set_keep_events(true);
                let seen = self.kept[b].len();
                self.drain_head_events();
                self.view_ms = self.head_ms() as f64;
                // An admin request the active controller refused comes back as a trace
                // event, not an error: say it where the user acted.
                let refused = self.kept[b][seen.min(self.kept[b].len())..]
                    .iter()
                    .find_map(|e| match e.kind {
                        TraceKind::AdminRefused { error } => Some(error),
                        _ => None,
                    });
                self.admin_error =
                    refused.map(|error| admin_refusal_message(error, Some(&i), self.world()));
            }
            Err(e) => self.error = Some(capitalise(&e.to_string())),
        }
    }

    /// Runs forward event by event until something worth seeing happens, for at most
    /// 60 s of simulated time; then pauses there.
    fn skip_to_interesting(&mut self) {
        self.playing = false;
        let start = self.world().now_ms();
        let limit = start + 60_000;
        let mut t = start;
        // Markers already known further on this branch (after a seek).
        if let Some(e) = self
            .all_events()
            .iter()
            .find(|e| e.at_ms > start && marker_kind(e).is_some())
        {
            let at = e.at_ms;
            self.seek(at);
            return;
        }
        // A long job's next request is worth seeing too, and stopping there keeps this
        // one call from running the whole job.
        let requests = self.world().admin_requests();
        while t < limit {
            t += 50;
            let n = self.kept[self.timeline.current()].len();
            self.advance_to(t);
            if self.world().admin_requests() != requests {
                return;
            }
            let kept = &self.kept[self.timeline.current()];
            if let Some(e) = kept[n.min(kept.len())..]
                .iter()
                .find(|e| marker_kind(e).is_some())
            {
                let at = e.at_ms;
                self.seek(at);
                return;
            }
        }
    }

    /// The markers of the current branch, in time order.
    pub fn markers(&self) -> Vec<(u64, MarkerKind)> {
        self.all_events()
            .iter()
            .filter_map(|e| marker_kind(e).map(|k| (e.at_ms, k)))
            .collect()
    }
}

/// Replays `interventions` recorded after `w`'s position (up to `t`) while running `w`
/// to `t`: what [`Timeline::seek`] does, continued from a world already in hand.
fn replay_into(w: &mut World, interventions: &[crate::sim::timeline::Recorded], t: u64) {
    let pos = w.position();
    for r in interventions {
        if (r.at_ms, r.steps) <= pos {
            continue;
        }
        if r.at_ms > t {
            break;
        }
        w.run_to_position(r.at_ms, r.steps);
        let _ = w.apply(&r.intervention);
    }
    w.run_until(t);
}

/// Our own sentences start with an ASCII letter; ASCII-only case mapping keeps
/// the Unicode case tables (about 20 KB) out of the page.
fn capitalise(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// Events the narration tells and the markers show (sends and deliveries are too many).
pub fn is_notable(e: &TraceEvent) -> bool {
    !matches!(
        e.kind,
        TraceKind::Sent(_)
            | TraceKind::Delivered(_)
            | TraceKind::HighWatermark { .. }
            | TraceKind::Committed { .. }
            | TraceKind::Duplicated { .. }
    )
}

pub fn marker_kind(e: &TraceEvent) -> Option<MarkerKind> {
    use crate::kraft::StateKind;
    match e.kind {
        TraceKind::StateChanged {
            to: StateKind::Leader,
            ..
        } => Some(MarkerKind::LeaderChange),
        TraceKind::StateChanged {
            to: StateKind::Candidate,
            ..
        } => Some(MarkerKind::Election),
        TraceKind::Fault(FaultKind::Net | FaultKind::Set) => None,
        TraceKind::Fault(_) => Some(MarkerKind::Fault),
        TraceKind::Violation(_) => Some(MarkerKind::Violation),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kraft::StateKind;

    fn model() -> Model {
        Model::new(ClusterSpec::new(3, 0, 7, true))
    }

    fn play_for(m: &mut Model, wall_ms: f64) {
        let mut left = wall_ms;
        while left > 0.0 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
            left -= 16.0;
        }
    }

    #[test]
    fn playing_elects_a_leader_and_narrates_it() {
        let mut m = model();
        play_for(&mut m, 4_000.0);
        assert!(m.world().leader().is_some(), "no leader after 4 s");
        assert!(m.events().iter().any(|e| matches!(
            e.kind,
            TraceKind::StateChanged {
                to: StateKind::Leader,
                ..
            }
        )));
        assert!(m
            .markers()
            .iter()
            .any(|(_, k)| *k == MarkerKind::LeaderChange));
    }

    #[test]
    fn paused_frames_do_not_advance_and_speed_is_clamped() {
        let mut m = model();
        m.reduce(Action::Pause);
        m.reduce(Action::Frame { wall_ms: 500.0 });
        assert_eq!(m.world().now_ms(), 0);
        m.reduce(Action::SetSpeed(1e9));
        assert_eq!(m.speed, MAX_SPEED);
        m.reduce(Action::SetSpeed(f64::NAN));
        assert_eq!(m.speed, MAX_SPEED);
        m.reduce(Action::SetSpeed(0.0));
        assert_eq!(m.speed, MIN_SPEED);
    }

    #[test]
    fn a_frame_advances_at_most_a_bounded_slice() {
        let mut m = model();
        m.reduce(Action::SetSpeed(100.0));
        m.reduce(Action::Frame { wall_ms: 10_000.0 });
        assert!(m.view_ms() <= MAX_SIM_MS_PER_FRAME + 1.0, "{}", m.view_ms());
    }

    #[test]
    fn step_runs_to_the_next_event_and_pauses() {
        let mut m = model();
        let next = m.world().next_event_ms().unwrap();
        m.reduce(Action::Step);
        assert!(!m.playing);
        assert_eq!(m.world().now_ms(), next);
    }

    #[test]
    fn seeking_back_and_forward_shows_earlier_and_later_states() {
        let mut m = model();
        play_for(&mut m, 3_000.0);
        let head = m.head_ms();
        m.reduce(Action::Seek(0));
        assert!(!m.is_live());
        assert_eq!(m.world().now_ms(), 0);
        assert!(m.world().leader().is_none());
        assert!(m.events().len() < m.all_events().len());
        m.reduce(Action::Seek(head));
        assert!(m.is_live());
        assert!(m.world().leader().is_some());
    }

    #[test]
    fn playing_in_the_past_catches_up_with_the_head() {
        let mut m = model();
        play_for(&mut m, 2_000.0);
        m.reduce(Action::Seek(500));
        play_for(&mut m, 2_000.0);
        assert!(m.is_live());
    }

    #[test]
    fn crashing_the_leader_elects_another_in_a_higher_epoch() {
        let mut m = model();
        play_for(&mut m, 3_000.0);
        let leader = m.world().leader().unwrap();
        let epoch = m.world().process(leader).unwrap().epoch();
        m.reduce(Action::Intervene(Intervention::Crash(leader)));
        assert!(m.error.is_none());
        play_for(&mut m, 6_000.0);
        let next = m.world().leader().expect("a new leader");
        assert_ne!(next, leader);
        assert!(m.world().process(next).unwrap().epoch() > epoch);
        assert!(m.markers().iter().any(|(_, k)| *k == MarkerKind::Fault));
    }

    #[test]
    fn acting_in_the_past_forks_and_keeps_the_old_branch() {
        let mut m = model();
        play_for(&mut m, 3_000.0);
        m.reduce(Action::Seek(1_000));
        m.reduce(Action::Intervene(Intervention::Isolate(1)));
        assert_eq!(m.timeline().branches().len(), 2);
        assert_eq!(m.timeline().current(), 1);
        assert!(m.is_live());
        assert_eq!(m.head_ms(), 1_000);
        m.reduce(Action::SwitchBranch(0));
        assert_eq!(m.timeline().current(), 0);
        assert!(m.head_ms() >= 3_000);
        m.reduce(Action::SwitchBranch(99)); // ignored
        assert_eq!(m.timeline().current(), 0);
    }

    #[test]
    fn a_refused_intervention_says_why_and_changes_nothing() {
        let mut m = model();
        m.reduce(Action::Intervene(Intervention::Restart(1)));
        assert_eq!(m.error.as_deref(), Some("Node 1 is running"));
        m.reduce(Action::Intervene(Intervention::Crash(42)));
        assert!(m.error.is_some());
        assert!(m.timeline().run().interventions.is_empty());
    }

    #[test]
    fn skip_to_interesting_stops_at_a_marker() {
        let mut m = model();
        m.reduce(Action::SkipToInteresting);
        assert!(!m.playing);
        let t = m.world().now_ms();
        assert!(m.markers().iter().any(|(at, _)| *at == t), "stopped at {t}");
    }

    /// Plays until brokers are unfenced, then asks for a topic too large for one request.
    fn creating_a_large_topic(partitions: u32) -> Model {
        let mut m = Model::new(Model::default_spec(3));
        m.reduce(Action::SetSpeed(100.0));
        play_for(&mut m, 200.0);
        m.reduce(Action::Intervene(Intervention::CreateTopic {
            name: "big".into(),
            partitions,
            replication: 2,
        }));
        assert_eq!(m.admin_error, None);
        m
    }

    fn partitions(m: &Model, topic: &str) -> usize {
        m.world()
            .process(m.world().active_controller().unwrap())
            .unwrap()
            .image()
            .topics()
            .topic_by_name(topic)
            .map_or(0, |t| t.partition_count())
    }

    /// A large create-topic is 10,000-partition requests; the progress comes from the
    /// world, and each frame sends at most one request (so its work stays bounded) even
    /// at 100x, where a frame would otherwise cover 1.6 s of simulated time.
    #[test]
    fn a_large_topic_shows_progress_and_each_frame_sends_at_most_one_request() {
        let mut m = creating_a_large_topic(45_000);
        let first = super::super::view_model::JobView::build(&m).expect("a job");
        assert_eq!(first.total, 45_000);
        assert_eq!(first.label, "Creating topic big: 0 / 45,000 partitions");
        let mut seen = vec![first.done];
        let mut requests = m.world().admin_progress().unwrap().requests;
        assert_eq!(requests, 1);
        let mut frames = 0;
        while let Some(p) = m.world().admin_progress() {
            assert!(
                p.requests <= requests + 1,
                "{} after {requests}",
                p.requests
            );
            requests = p.requests;
            seen.push(p.done as u64);
            m.reduce(Action::Frame { wall_ms: 16.0 });
            frames += 1;
            assert!(frames < 500, "the creation never ended");
        }
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert!(
            seen.contains(&9_999),
            "the first request commits 9,999: {seen:?}"
        );
        assert!(
            frames >= 5,
            "one request per frame at most: {frames} frames"
        );
        assert_eq!(partitions(&m, "big"), 45_000);
        assert_eq!(super::super::view_model::JobView::build(&m), None);
    }

    /// "Next event" during a large creation stops at its next request instead of
    /// running the whole job in one call.
    #[test]
    fn skip_to_interesting_stops_at_the_next_request_of_a_long_job() {
        let mut m = creating_a_large_topic(45_000);
        let before = m.world().admin_requests().unwrap();
        let t = m.world().now_ms();
        m.reduce(Action::SkipToInteresting);
        assert!(!m.playing);
        assert_eq!(m.world().admin_requests(), Some(before + 1));
        assert!(
            m.world().now_ms() - t <= 1_000,
            "{} ms",
            m.world().now_ms() - t
        );
    }

    /// A seek whose replay sends admin requests goes on over frames, with its progress.
    #[test]
    fn a_far_seek_replays_in_slices_with_progress() {
        let mut m = creating_a_large_topic(45_000);
        let started = m.world().now_ms();
        while m.world().admin_progress().is_some() {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        play_for(&mut m, 100.0);
        let head = m.head_ms();
        let t = started + 120;
        m.reduce(Action::Seek(t));
        let (from, now, to) = m.seek_progress().expect("a sliced seek");
        assert!(from <= started && now < to && to == t, "{from} {now} {to}");
        let job = super::super::view_model::JobView::build(&m).unwrap();
        assert!(job.label.starts_with("Seeking to "), "{}", job.label);
        assert!(m.is_live(), "the view stays until the seek completes");
        let mut frames = 0;
        while m.seek_progress().is_some() {
            m.reduce(Action::Frame { wall_ms: 16.0 });
            frames += 1;
            assert!(frames < 100);
        }
        assert!(frames >= 1);
        assert!(!m.is_live());
        assert_eq!(m.world().now_ms(), t);
        // The same world as one blocking seek gives.
        assert_eq!(
            m.world().trace_hash(),
            m.timeline().seek(t).trace_hash(),
            "sliced and blocking seeks agree"
        );
        assert_eq!(m.head_ms(), head);
        // A short seek is instant.
        m.reduce(Action::Seek(1));
        assert!(m.seek_progress().is_none());
        assert_eq!(m.world().now_ms(), 1);
    }

    #[test]
    fn nudges_seek_within_the_run() {
        let mut m = model();
        play_for(&mut m, 2_000.0);
        m.reduce(Action::Pause);
        let head = m.head_ms();
        m.reduce(Action::Nudge(-1_000));
        assert_eq!(m.world().now_ms(), head - 1_000);
        m.reduce(Action::Nudge(-1_000_000));
        assert_eq!(m.world().now_ms(), 0);
        m.reduce(Action::Nudge(100));
        assert_eq!(m.world().now_ms(), 100);
    }
}
