//! The cluster picture as plain data: where each node and message is, in CSS pixels,
//! and what it looks like. Built from the world at the view time each frame; the
//! canvas paints it and pointer events hit-test it. No Yew, no DOM: tested natively.
//!
//! Everything shown is read from the world; the scene only places and labels it.

use std::f64::consts::{PI, TAU};

use crate::kraft::{EpochState, NodeId, StateKind};
use crate::sim::trace::{Api, MsgDetail};
use crate::sim::World;

use super::math::{cos, hypot, sin};
use super::state::Selection;

/// How a node is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeGlyph {
    pub id: NodeId,
    pub x: f64,
    pub y: f64,
    pub r: f64,
    pub voter: bool,
    /// A controller that is also a broker.
    pub combined: bool,
    /// `None` while stopped.
    pub state: Option<StateKind>,
    pub epoch: i32,
    /// Fraction of the election or fetch timer still to run (0..=1).
    pub timer_left: Option<f64>,
    /// A (pre-)candidate's granted votes and the majority it needs.
    pub votes: Option<(usize, usize)>,
    pub leader: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MsgDot {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub api: Api,
    pub label: &'static str,
    /// A FetchResponse's mark: record count, or D (diverging) / S (snapshot).
    pub mark: Option<String>,
}

/// A blocked directed link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut {
    pub from: NodeId,
    pub to: NodeId,
    /// Both directions are blocked (drawn once, without an arrow).
    pub both: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub centre: (f64, f64),
    pub inner_radius: f64,
    pub outer_radius: f64,
    pub nodes: Vec<NodeGlyph>,
    pub messages: Vec<MsgDot>,
    /// Pairs of indices into `messages`: a message and the network's duplicate of it
    /// (same envelope, sent at the same moment), drawn splitting apart.
    pub twins: Vec<(usize, usize)>,
    pub cuts: Vec<Cut>,
    pub isolated: Vec<NodeId>,
}

/// How far (px) a duplicated message's two dots move apart, each to one side.
pub const DUP_SPLIT_PX: f64 = 7.0;

pub const MSG_RADIUS: f64 = 5.0;

/// Node centres: controllers evenly on the inner ring, brokers on the outer one, each
/// ring starting at the top and going clockwise.
pub fn layout(world: &World, width: f64, height: f64) -> (Vec<(NodeId, f64, f64)>, f64, f64, f64) {
    let spec = world.spec();
    let centre = (width / 2.0, height / 2.0);
    let short = width.min(height);
    let brokers = spec.brokers;
    let (inner, outer) = if brokers == 0 {
        (short * 0.34, short * 0.34)
    } else {
        (short * 0.2, short * 0.4)
    };
    let count = spec.node_count().max(1) as f64;
    // Smaller nodes in a big cluster, so neighbours on the outer ring never overlap.
    let outer_gap = TAU * outer / (brokers.max(1) as f64);
    let inner_gap = TAU * inner / (spec.controllers.max(1) as f64);
    let node_r = (short * 0.06)
        .min(outer_gap * 0.4)
        .min(inner_gap * 0.4)
        .clamp(7.0, 34.0)
        .min(short / count.sqrt());
    let mut out = Vec::with_capacity(spec.node_count() as usize);
    let point = |radius: f64, i: u32, n: u32| {
        let a = -PI / 2.0 + TAU * i as f64 / n.max(1) as f64;
        (centre.0 + radius * cos(a), centre.1 + radius * sin(a))
    };
    for i in 0..spec.controllers {
        let (x, y) = point(inner, i, spec.controllers);
        out.push((i as NodeId + 1, x, y));
    }
    for i in 0..brokers {
        // Offset half a step so brokers do not line up behind controllers.
        let a = -PI / 2.0 + TAU * (i as f64 + 0.5) / brokers as f64;
        out.push((
            (spec.controllers + i) as NodeId + 1,
            centre.0 + outer * cos(a),
            centre.1 + outer * sin(a),
        ));
    }
    (out, node_r, inner, outer)
}

impl Scene {
    /// The world at `view_ms` (fractional: messages are placed between send and
    /// delivery) laid out in a `width` x `height` CSS-pixel area.
    pub fn build(world: &World, view_ms: f64, width: f64, height: f64) -> Scene {
        let mut scene = Scene::default();
        scene.rebuild(world, view_ms, width, height);
        scene
    }

    /// Like [`Scene::build`], reusing this scene's buffers (one per frame).
    pub fn rebuild(&mut self, world: &World, view_ms: f64, width: f64, height: f64) {
        let (pos, node_r, inner, outer) = layout(world, width, height);
        self.width = width;
        self.height = height;
        self.centre = (width / 2.0, height / 2.0);
        self.inner_radius = inner;
        self.outer_radius = outer;
        self.nodes.clear();
        let now = world.now_ms();
        for &(id, x, y) in &pos {
            let Some(p) = world.process(id) else { continue };
            let raft = p.raft.as_ref();
            let (timer_left, votes) = raft.map_or((None, None), |r| timers(r.state(), now));
            self.nodes.push(NodeGlyph {
                id,
                x,
                y,
                r: node_r,
                voter: p.voter,
                combined: p.roles.controller && p.roles.broker,
                state: p.state_kind(),
                epoch: p.epoch(),
                timer_left,
                votes,
                leader: raft.and_then(|r| r.leader_id()),
            });
        }
        let at = |id: NodeId| pos.get(id as usize - 1).map(|&(_, x, y)| (x, y));
        self.messages.clear();
        self.twins.clear();
        // A duplicate carries its original's envelope: same route, send time and
        // correlation id. Ordered map, so the pairing is deterministic.
        let mut first: std::collections::BTreeMap<(NodeId, NodeId, u64, i64), usize> =
            std::collections::BTreeMap::new();
        for f in world.in_flight() {
            let (Some(a), Some(b)) = (at(f.info.from), at(f.info.to)) else {
                continue;
            };
            let span = (f.deliver_at_ms.saturating_sub(f.sent_at_ms)).max(1) as f64;
            let k = ((view_ms - f.sent_at_ms as f64) / span).clamp(0.0, 1.0);
            let key = (f.info.from, f.info.to, f.sent_at_ms, f.twin_key());
            let i = self.messages.len();
            let twin = match first.entry(key) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(i);
                    None
                }
                std::collections::btree_map::Entry::Occupied(o) => Some(*o.get()),
            };
            let (mut x, mut y) = (a.0 + (b.0 - a.0) * k, a.1 + (b.1 - a.1) * k);
            if let Some(j) = twin {
                // Split sideways, growing over the first fifth of the trip.
                let len = hypot(b.0 - a.0, b.1 - a.1).max(1.0);
                let (nx, ny) = (-(b.1 - a.1) / len, (b.0 - a.0) / len);
                let off = DUP_SPLIT_PX * (k * 5.0).min(1.0);
                x += nx * off;
                y += ny * off;
                self.messages[j].x -= nx * off;
                self.messages[j].y -= ny * off;
                self.twins.push((j, i));
            }
            self.messages.push(MsgDot {
                id: f.info.id,
                x,
                y,
                api: f.info.api,
                label: short_label(f.info.api),
                mark: mark(&f.info.detail),
            });
        }
        self.cuts.clear();
        self.isolated.clear();
        let net = world.network();
        let n = world.spec().max_node_id();
        let mut blocked_out = vec![0 as NodeId; n as usize + 1];
        for from in 1..=n {
            for to in 1..=n {
                if from != to && net.is_blocked(from, to) {
                    blocked_out[from as usize] += 1;
                }
            }
        }
        for id in 1..=n {
            // A node cut from everyone is drawn isolated, not with n - 1 lines.
            if n > 1
                && blocked_out[id as usize] == n - 1
                && (1..=n).all(|o| o == id || net.is_blocked(o, id))
            {
                self.isolated.push(id);
            }
        }
        for from in 1..=n {
            for to in 1..=n {
                if from == to || self.isolated.contains(&from) || self.isolated.contains(&to) {
                    continue;
                }
                if net.is_blocked(from, to) {
                    let both = net.is_blocked(to, from);
                    if both && to < from {
                        continue; // drawn once, from the lower id
                    }
                    self.cuts.push(Cut { from, to, both });
                }
            }
        }
    }

    /// What is under the point: a message first (they are drawn on top), then a node.
    pub fn hit(&self, x: f64, y: f64) -> Option<Selection> {
        let d = |ax: f64, ay: f64| hypot(ax - x, ay - y);
        self.messages
            .iter()
            .rev()
            .filter(|m| d(m.x, m.y) <= MSG_RADIUS + 4.0)
            .min_by(|a, b| d(a.x, a.y).total_cmp(&d(b.x, b.y)))
            .map(|m| Selection::Message(m.id))
            .or_else(|| self.node_at(x, y).map(Selection::Node))
    }

    pub fn node_at(&self, x: f64, y: f64) -> Option<NodeId> {
        self.nodes
            .iter()
            .find(|n| hypot(n.x - x, n.y - y) <= n.r + 3.0)
            .map(|n| n.id)
    }

    pub fn node(&self, id: NodeId) -> Option<&NodeGlyph> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn message(&self, id: u64) -> Option<&MsgDot> {
        self.messages.iter().find(|m| m.id == id)
    }
}

/// The running timer (fraction left) and a candidate's tally, read from the state.
fn timers<T: crate::kraft::RaftTypes>(
    state: &EpochState<T>,
    now: u64,
) -> (Option<f64>, Option<(usize, usize)>) {
    let left = |deadline: u64, total: u64| {
        Some((deadline.saturating_sub(now) as f64 / total.max(1) as f64).clamp(0.0, 1.0))
    };
    match state {
        EpochState::Follower(f) => (left(f.fetch_deadline_ms, f.fetch_timer_ms), None),
        EpochState::Unattached(u) => (
            u.election_deadline_ms
                .and_then(|d| left(d, u.election_timeout_ms)),
            None,
        ),
        EpochState::Prospective(p) => (
            left(p.election_deadline_ms, p.election_timeout_ms),
            Some((p.election.granted_count(), p.election.majority_size())),
        ),
        EpochState::Candidate(c) => (
            left(c.election_deadline_ms, c.election_timeout_ms),
            Some((c.election.granted_count(), c.election.majority_size())),
        ),
        EpochState::Resigned(r) => (left(r.election_deadline_ms, r.election_timeout_ms), None),
        EpochState::Leader(_) => (None, None),
    }
}

/// The letter drawn inside a node: the role is never told by colour alone.
pub fn state_letter(state: Option<StateKind>) -> &'static str {
    match state {
        None => "✕",
        Some(StateKind::Leader) => "L",
        Some(StateKind::Follower) => "F",
        Some(StateKind::Candidate) => "C",
        Some(StateKind::Prospective) => "P",
        Some(StateKind::Unattached) => "U",
        Some(StateKind::Resigned) => "R",
    }
}

pub fn state_colour(state: Option<StateKind>) -> &'static str {
    match state {
        None => "#4b5563",
        Some(StateKind::Leader) => "#f59e0b",
        Some(StateKind::Follower) => "#14b8a6",
        Some(StateKind::Candidate) => "#ef4444",
        Some(StateKind::Prospective) => "#a78bfa",
        Some(StateKind::Unattached) => "#64748b",
        Some(StateKind::Resigned) => "#fb923c",
    }
}

pub fn short_label(api: Api) -> &'static str {
    match api {
        Api::PreVote => "PV",
        Api::Vote => "V",
        Api::VoteResponse => "V↩",
        Api::BeginQuorumEpoch => "BQE",
        Api::BeginQuorumEpochResponse => "BQE↩",
        Api::EndQuorumEpoch => "EQE",
        Api::EndQuorumEpochResponse => "EQE↩",
        Api::Fetch => "F",
        Api::FetchResponse => "F↩",
        Api::FetchSnapshot => "FS",
        Api::FetchSnapshotResponse => "FS↩",
        Api::DescribeQuorum => "DQ",
        Api::DescribeQuorumResponse => "DQ↩",
        Api::BrokerRegistration => "BR",
        Api::BrokerRegistrationResponse => "BR↩",
        Api::BrokerHeartbeat => "HB",
        Api::BrokerHeartbeatResponse => "HB↩",
        Api::AlterPartition => "AP",
        Api::AlterPartitionResponse => "AP↩",
    }
}

pub fn api_colour(api: Api) -> &'static str {
    match api {
        Api::PreVote | Api::Vote => "#f472b6",
        Api::VoteResponse => "#f9a8d4",
        Api::BeginQuorumEpoch | Api::BeginQuorumEpochResponse => "#fbbf24",
        Api::EndQuorumEpoch | Api::EndQuorumEpochResponse => "#fb923c",
        Api::Fetch => "#38bdf8",
        Api::FetchResponse => "#7dd3fc",
        Api::FetchSnapshot | Api::FetchSnapshotResponse => "#a3e635",
        Api::DescribeQuorum | Api::DescribeQuorumResponse => "#e5e7eb",
        Api::BrokerRegistration | Api::BrokerRegistrationResponse => "#c084fc",
        Api::BrokerHeartbeat | Api::BrokerHeartbeatResponse => "#94a3b8",
        Api::AlterPartition | Api::AlterPartitionResponse => "#2dd4bf",
    }
}

fn mark(detail: &MsgDetail) -> Option<String> {
    match *detail {
        MsgDetail::FetchResponse {
            diverging: Some(_), ..
        } => Some("D".into()),
        MsgDetail::FetchResponse {
            snapshot: Some(_), ..
        } => Some("S".into()),
        MsgDetail::FetchResponse { error: true, .. } | MsgDetail::Error => Some("!".into()),
        MsgDetail::FetchResponse { records, .. } if records > 0 => Some(records.to_string()),
        MsgDetail::VoteResponse { granted: true } => Some("✓".into()),
        MsgDetail::VoteResponse { granted: false } => Some("✗".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{ClusterSpec, Intervention};

    fn world_at(ms: u64) -> World {
        let mut w = World::new(ClusterSpec::new(3, 2, 7, true), false);
        w.run_until(ms);
        w
    }

    /// A world after `ms`, stepped on until a message is in flight.
    fn world_with_a_message(ms: u64) -> World {
        let mut w = world_at(ms);
        while w.in_flight().next().is_none() {
            assert!(w.step(), "the queue ran dry");
        }
        w
    }

    #[test]
    fn a_duplicated_message_is_drawn_as_two_dots_splitting_apart() {
        let mut w = world_at(3_000);
        w.apply(&Intervention::Net {
            link: crate::sim::LinkSpec::new(200, 400, 0.0, 1.0),
            from: None,
            to: None,
        })
        .unwrap();
        w.run_until(3_600);
        while w.in_flight().count() < 2 {
            assert!(w.step(), "the queue ran dry");
        }
        let now = w.now_ms() as f64;
        let s = Scene::build(&w, now, 800.0, 600.0);
        assert!(!s.twins.is_empty(), "every message is duplicated");
        for &(a, b) in &s.twins {
            let (a, b) = (&s.messages[a], &s.messages[b]);
            let f = |id| w.in_flight().find(|f| f.info.id == id).unwrap();
            let (fa, fb) = (f(a.id), f(b.id));
            assert_eq!(
                (fa.info.from, fa.info.to, fa.sent_at_ms),
                (fb.info.from, fb.info.to, fb.sent_at_ms)
            );
            assert_ne!(a.id, b.id);
            if now > fa.sent_at_ms as f64 {
                assert!((a.x - b.x).hypot(a.y - b.y) > 0.5, "the copies split");
            }
        }
    }

    #[test]
    fn controllers_sit_inside_brokers_and_everything_fits() {
        let w = world_at(0);
        let s = Scene::build(&w, 0.0, 800.0, 600.0);
        assert_eq!(s.nodes.len(), 5);
        let dist = |n: &NodeGlyph| (n.x - 400.0).hypot(n.y - 300.0);
        for n in &s.nodes {
            assert!(
                n.x - n.r >= 0.0 && n.x + n.r <= 800.0 && n.y - n.r >= 0.0 && n.y + n.r <= 600.0
            );
            if n.voter {
                assert!((dist(n) - s.inner_radius).abs() < 1e-6);
            } else {
                assert!((dist(n) - s.outer_radius).abs() < 1e-6);
            }
        }
        assert!(s.inner_radius < s.outer_radius);
    }

    #[test]
    fn fifty_nodes_do_not_overlap() {
        let w = World::new(ClusterSpec::new(5, 45, 1, true), false);
        let s = Scene::build(&w, 0.0, 1000.0, 700.0);
        for (i, a) in s.nodes.iter().enumerate() {
            for b in &s.nodes[i + 1..] {
                assert!(
                    (a.x - b.x).hypot(a.y - b.y) >= a.r + b.r,
                    "{} and {}",
                    a.id,
                    b.id
                );
            }
        }
    }

    #[test]
    fn clicking_a_node_or_a_message_selects_it() {
        let w = world_with_a_message(1_500);
        let t = w.now_ms() as f64;
        let s = Scene::build(&w, t, 800.0, 600.0);
        // A dot on top of a node wins (it is drawn on top): pick a node with none.
        let n = s
            .nodes
            .iter()
            .find(|n| {
                s.messages
                    .iter()
                    .all(|m| (m.x - n.x).hypot(m.y - n.y) > 12.0)
            })
            .expect("a node with no message on it");
        assert_eq!(s.hit(n.x + 1.0, n.y - 1.0), Some(Selection::Node(n.id)));
        assert_eq!(s.hit(1.0, 1.0), None);
        // Dots can sit exactly on each other (same link, same send time): the click
        // picks the topmost (last drawn) of the nearest ones.
        let m = s.messages.first().expect("messages in flight at 1.5 s");
        let on_it: Vec<u64> = s
            .messages
            .iter()
            .filter(|o| o.x == m.x && o.y == m.y)
            .map(|o| o.id)
            .collect();
        assert_eq!(
            s.hit(m.x, m.y),
            Some(Selection::Message(*on_it.last().unwrap()))
        );
    }

    #[test]
    fn messages_move_from_sender_to_receiver() {
        let w = world_with_a_message(1_500);
        let f = w.in_flight().next().expect("a message in flight");
        let (id, sent, due) = (f.info.id, f.sent_at_ms as f64, f.deliver_at_ms as f64);
        let at_send = Scene::build(&w, sent, 800.0, 600.0);
        let at_due = Scene::build(&w, due, 800.0, 600.0);
        let from = at_send.node(f.info.from).unwrap();
        let to = at_send.node(f.info.to).unwrap();
        let (a, b) = (at_send.message(id).unwrap(), at_due.message(id).unwrap());
        assert!((a.x - from.x).abs() < 1e-6 && (a.y - from.y).abs() < 1e-6);
        assert!((b.x - to.x).abs() < 1e-6 && (b.y - to.y).abs() < 1e-6);
    }

    #[test]
    fn letters_tell_every_state_apart() {
        let all = [
            None,
            Some(StateKind::Leader),
            Some(StateKind::Follower),
            Some(StateKind::Candidate),
            Some(StateKind::Prospective),
            Some(StateKind::Unattached),
            Some(StateKind::Resigned),
        ];
        let letters: std::collections::BTreeSet<_> = all.iter().map(|s| state_letter(*s)).collect();
        assert_eq!(letters.len(), all.len());
    }

    #[test]
    fn isolation_and_one_way_cuts_are_drawn() {
        let mut w = world_at(100);
        w.apply(&Intervention::Isolate(2)).unwrap();
        w.apply(&Intervention::Cut { from: 1, to: 3 }).unwrap();
        let s = Scene::build(&w, 100.0, 800.0, 600.0);
        assert_eq!(s.isolated, vec![2]);
        assert_eq!(
            s.cuts,
            vec![Cut {
                from: 1,
                to: 3,
                both: false
            }]
        );
    }

    #[test]
    fn a_candidate_shows_its_votes_and_a_follower_its_timer() {
        let mut w = World::new(ClusterSpec::new(3, 0, 7, true), false);
        let mut saw_votes = false;
        let mut saw_timer = false;
        for t in (0..4_000).step_by(5) {
            w.run_until(t);
            let s = Scene::build(&w, t as f64, 600.0, 600.0);
            for n in &s.nodes {
                if let Some((granted, needed)) = n.votes {
                    assert!(granted <= 3 && needed == 2);
                    saw_votes = true;
                }
                if n.state == Some(StateKind::Follower) {
                    let left = n.timer_left.unwrap();
                    assert!((0.0..=1.0).contains(&left));
                    saw_timer = true;
                }
            }
        }
        assert!(saw_votes && saw_timer);
    }
}
