//! What the panels show, as plain comparable data, built from the model at most ~10
//! times a second (never per frame). Components render it; nothing here is Yew.
//!
//! Every value is read from the world (node accessors, `describe_quorum`, the log),
//! never recomputed.

use std::rc::Rc;

use crate::kraft::{NodeId, StateKind};
use crate::sim::{InvariantId, TraceKind, World};

use super::client_actions::ClientData;
use super::message_list::MessageList;
use super::metadata_panel::MetadataView;
use super::narrate::{narrate, node_name};
use super::node_menu::NodeMenuView;
use super::scene::state_letter;
use super::state::{marker_kind, MarkerKind, Model, Selection};

/// Events listed in the Events panel (newest first).
pub const EVENTS_SHOWN: usize = 150;
/// Batches drawn per log row (the newest).
pub const BATCHES_SHOWN: usize = 40;

#[derive(Clone, Debug, PartialEq)]
pub struct PanelData {
    pub time_ms: u64,
    pub head_ms: u64,
    pub live: bool,
    pub playing: bool,
    pub speed: f64,
    pub branch: usize,
    /// Per branch: a label ("main", "fork of 1 at 12.3 s").
    pub branches: Vec<String>,
    pub error: Option<String>,
    /// Why the last link or file could not be opened.
    pub load_error: Option<String>,
    pub leader: Option<(NodeId, i32)>,
    // Sections are shared so a component whose section did not change skips its
    // render (props compare equal).
    pub nodes: Rc<Vec<NodeRow>>,
    pub node: Option<NodeDetail>,
    pub message: Option<MessageView>,
    pub logs: Rc<Vec<LogRow>>,
    pub events: Rc<Vec<EventRow>>,
    pub safety: Rc<Vec<SafetyRow>>,
    pub markers: Vec<(u64, MarkerKind)>,
    pub pre_vote: bool,
    pub in_flight: usize,
    /// The selected node's metadata image.
    pub metadata: Option<MetadataView>,
    pub menu: Option<NodeMenuView>,
    pub client: Rc<ClientData>,
    pub messages: Rc<MessageList>,
    /// A long job in progress (a seek replaying, a topic created request by request).
    pub job: Option<JobView>,
}

/// A long job's progress, read from the model and the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct JobView {
    /// What it is and how far it got, in words ("Creating topic big: 130,000 /
    /// 2,000,000 partitions").
    pub label: String,
    pub done: u64,
    pub total: u64,
}

impl JobView {
    /// A link or file opening, else a seek in progress, else the world's multi-request topic
    /// creation.
    pub fn build(m: &Model) -> Option<JobView> {
        if let Some((done, total)) = m.load_progress() {
            let total = total.max(1);
            return Some(JobView {
                label: format!(
                    "Opening {}: replaying {} of {}",
                    m.loading_what().unwrap_or("the link"),
                    format_ms(done),
                    format_ms(total)
                ),
                done,
                total,
            });
        }
        if let Some((from, now, to)) = m.seek_progress() {
            let total = to.saturating_sub(from).max(1);
            let done = now.saturating_sub(from);
            return Some(JobView {
                label: format!(
                    "Seeking to {}: replaying from the checkpoint at {} ({}%)",
                    format_ms(to),
                    format_ms(from),
                    done * 100 / total
                ),
                done,
                total,
            });
        }
        let p = m.world().admin_progress()?;
        Some(JobView {
            label: format!(
                "Creating topic {}: {} / {} partitions",
                p.topic,
                thousands(p.done as u64),
                thousands(p.target as u64)
            ),
            done: p.done as u64,
            total: p.target as u64,
        })
    }
}

/// `2000000` as `2,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    pub id: NodeId,
    pub name: String,
    pub letter: &'static str,
    pub state: String,
    pub epoch: i32,
    pub alive: bool,
    pub selected: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeDetail {
    pub id: NodeId,
    pub name: String,
    pub alive: bool,
    pub fields: Vec<(&'static str, String)>,
    /// On the leader: DescribeQuorum's replication table.
    pub replication: Vec<ReplicaRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaRow {
    pub id: NodeId,
    pub kind: &'static str,
    pub log_end_offset: i64,
    pub lag: i64,
    pub last_fetch: String,
    pub last_caught_up: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    pub id: u64,
    pub title: String,
    pub in_flight: bool,
    pub fields: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogRow {
    pub id: NodeId,
    pub name: String,
    pub start: i64,
    pub end: i64,
    pub hw: Option<i64>,
    pub snapshot_end: Option<i64>,
    /// The newest batches: (base offset, end offset, epoch, control batch).
    pub batches: Vec<(i64, i64, i32, bool)>,
    pub alive: bool,
    /// A truncation after a diverging epoch in the last moments: (new end, old end,
    /// when), so the Logs panel can show the removed tail fading away.
    pub truncated: Option<(i64, i64, u64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub at_ms: u64,
    pub text: String,
    pub marker: Option<MarkerKind>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SafetyRow {
    pub name: &'static str,
    pub relaxed: bool,
    /// The first violation: when, and what.
    pub violation: Option<(u64, String)>,
}

pub fn format_ms(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

impl PanelData {
    pub fn build(m: &Model) -> PanelData {
        let w = m.world();
        let spec = w.spec();
        let selected_node = match m.selected {
            Some(Selection::Node(id)) => Some(id),
            _ => None,
        };
        let nodes: Vec<NodeRow> = w
            .processes()
            .iter()
            .map(|p| NodeRow {
                id: p.id,
                name: node_name(spec, p.id),
                letter: state_letter(p.state_kind()),
                state: p
                    .state_kind()
                    .map_or("stopped".into(), |s| s.name().to_string()),
                epoch: p.epoch(),
                alive: p.alive(),
                selected: selected_node == Some(p.id),
            })
            .collect();
        let events: Vec<EventRow> = m
            .events()
            .iter()
            .rev()
            .filter(|e| !matches!(e.kind, TraceKind::Dropped { .. }) || e.node != 0)
            .take(EVENTS_SHOWN)
            .map(|e| EventRow {
                at_ms: e.at_ms,
                text: narrate(spec, e),
                marker: marker_kind(e),
            })
            .collect();
        let branches = m
            .timeline()
            .branches()
            .iter()
            .enumerate()
            .map(|(i, b)| match b.parent {
                None => format!("Branch {}: the original run", i + 1),
                Some((p, t)) => format!(
                    "Branch {}: forked from {} at {}",
                    i + 1,
                    p + 1,
                    format_ms(t)
                ),
            })
            .collect();
        let messages = MessageList::build(
            w,
            m.show_messages,
            match m.selected {
                Some(Selection::Message(id)) => Some(id),
                _ => None,
            },
        );
        PanelData {
            time_ms: w.now_ms(),
            head_ms: m.head_ms(),
            live: m.is_live(),
            playing: m.playing,
            speed: m.speed,
            branch: m.timeline().current(),
            branches,
            error: m.error.clone(),
            load_error: m.load_error.clone(),
            leader: w
                .leader()
                .map(|l| (l, w.process(l).map_or(0, |p| p.epoch()))),
            nodes: Rc::new(nodes),
            node: selected_node.and_then(|id| node_detail(w, id)),
            message: match m.selected {
                Some(Selection::Message(id)) => message_view(m, id),
                _ => None,
            },
            logs: Rc::new(
                w.processes()
                    .iter()
                    .map(|p| {
                        let mut row = log_row(w, p.id);
                        row.truncated = recent_truncation(m, p.id);
                        row
                    })
                    .collect(),
            ),
            events: Rc::new(events),
            safety: Rc::new(safety(w)),
            markers: m.markers(),
            pre_vote: pre_vote_on(w),
            in_flight: messages.total,
            metadata: selected_node.and_then(|id| MetadataView::build(w, id)),
            menu: m.menu.and_then(|a| NodeMenuView::build(w, a)),
            client: Rc::new(ClientData::build(w, m.admin_error.clone())),
            messages: Rc::new(messages),
            job: JobView::build(m),
        }
    }

    /// The newest narration line (for the screen-reader live region).
    pub fn latest(&self) -> Option<&str> {
        self.events.first().map(|e| e.text.as_str())
    }
}

fn pre_vote_on(w: &World) -> bool {
    w.processes()
        .iter()
        .find(|p| p.voter)
        .is_some_and(|p| p.quorum.pre_vote)
}

fn opt(v: Option<impl ToString>) -> String {
    v.map_or("—".into(), |v| v.to_string())
}

fn node_detail(w: &World, id: NodeId) -> Option<NodeDetail> {
    let p = w.process(id)?;
    let now = w.now_ms();
    let mut fields: Vec<(&'static str, String)> = vec![
        (
            "Role",
            match (p.roles.controller, p.roles.broker) {
                (true, true) => "controller + broker (voter)".into(),
                (true, false) => "controller (voter)".into(),
                _ => "broker (observer)".into(),
            },
        ),
        (
            "State",
            p.state_kind()
                .map_or("stopped".into(), |s| s.name().to_string()),
        ),
        ("Epoch", p.epoch().to_string()),
    ];
    let log = p.log();
    match &p.raft {
        Some(r) => {
            fields.push(("Leader", opt(r.leader_id())));
            fields.push(("Voted for", opt(r.voted_id())));
            fields.push(("High watermark", opt(r.high_watermark())));
        }
        None => {
            let q = p.disk.quorum_state.unwrap_or_default();
            fields.push(("Leader (on disk)", opt(q.leader_id)));
            fields.push(("Voted for (on disk)", opt(q.voted_id)));
        }
    }
    fields.push(("Log start offset", log.log_start_offset().to_string()));
    fields.push(("Log end offset", log.end_offset().to_string()));
    fields.push(("Flushed offset", log.flushed_offset().to_string()));
    fields.push((
        "Latest snapshot",
        opt(log
            .latest_snapshot_id()
            .map(|s| format!("{}-{}", s.offset, s.epoch))),
    ));
    fields.push(("Incarnation", p.incarnation.to_string()));
    let mut replication = Vec::new();
    if let Some(r) = &p.raft {
        use crate::kraft::EpochState as S;
        let timer = match r.state() {
            S::Follower(f) => Some(("Fetch timer", f.fetch_deadline_ms)),
            S::Unattached(u) => u.election_deadline_ms.map(|d| ("Election timer", d)),
            S::Prospective(s) => Some(("Election timer", s.election_deadline_ms)),
            S::Candidate(s) => Some(("Election timer", s.election_deadline_ms)),
            S::Resigned(s) => Some(("Election timer", s.election_deadline_ms)),
            S::Leader(l) => Some((
                "Check-quorum timer",
                now + l.time_until_check_quorum_expires(now),
            )),
        };
        if let Some((name, deadline)) = timer {
            fields.push((name, format!("{} ms left", deadline.saturating_sub(now))));
        }
        if let S::Prospective(s) = r.state() {
            fields.push((
                "Pre-votes granted",
                format!(
                    "{} of {} needed",
                    s.election.granted_count(),
                    s.election.majority_size()
                ),
            ));
        }
        if let S::Candidate(s) = r.state() {
            fields.push((
                "Votes granted",
                format!(
                    "{} of {} needed",
                    s.election.granted_count(),
                    s.election.majority_size()
                ),
            ));
        }
        if r.state_kind() == StateKind::Leader {
            let d = r.describe_quorum();
            let leo = log.end_offset();
            let row = |kind: &'static str, rd: &crate::kraft::ReplicaDescription| ReplicaRow {
                id: rd.replica_id,
                kind,
                log_end_offset: rd.log_end_offset,
                lag: if rd.log_end_offset < 0 {
                    leo
                } else {
                    leo - rd.log_end_offset
                },
                last_fetch: ago(now, rd.last_fetch_timestamp),
                last_caught_up: ago(now, rd.last_caught_up_timestamp),
            };
            replication.extend(d.current_voters.iter().map(|rd| row("voter", rd)));
            replication.extend(d.observers.iter().map(|rd| row("observer", rd)));
        }
    }
    Some(NodeDetail {
        id,
        name: node_name(w.spec(), id),
        alive: p.alive(),
        fields,
        replication,
    })
}

fn ago(now: u64, t: i64) -> String {
    if t < 0 {
        "never".into()
    } else {
        format!("{} ms ago", now as i64 - t)
    }
}

fn message_view(m: &Model, id: u64) -> Option<MessageView> {
    let w = m.world();
    if let Some(f) = w.in_flight().find(|f| f.info.id == id) {
        let mut fields = vec![
            ("from".to_string(), node_name(w.spec(), f.info.from)),
            ("to".to_string(), node_name(w.spec(), f.info.to)),
            ("sent".to_string(), format_ms(f.sent_at_ms)),
            ("due".to_string(), format_ms(f.deliver_at_ms)),
        ];
        match f.payload {
            crate::sim::FlightPayload::Raft(envelope) => {
                fields.push((
                    "correlationId".to_string(),
                    envelope.correlation_id.to_string(),
                ));
                fields.extend(message_fields(&envelope.message));
            }
            // Broker RPCs show the fields the trace keeps (Kafka's names).
            crate::sim::FlightPayload::Controller(_) => {
                let detail = super::message_list::key_fields(&f.info.detail);
                if !detail.is_empty() {
                    fields.push(("fields".to_string(), detail));
                }
            }
        }
        return Some(MessageView {
            id,
            title: format!("{} #{}", f.info.api.name(), id),
            in_flight: true,
            fields,
        });
    }
    let info = m.selected_msg?;
    Some(MessageView {
        id,
        title: format!("{} #{}", info.api.name(), id),
        in_flight: false,
        fields: vec![
            ("from".into(), node_name(w.spec(), info.from)),
            ("to".into(), node_name(w.spec(), info.to)),
        ],
    })
}

/// A message's fields with Kafka's (camelCase) names, from its serialised form; record
/// lists are summarised.
pub fn message_fields<T: serde::Serialize>(message: &T) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(message) else {
        return Vec::new();
    };
    map.into_iter()
        .filter(|(k, _)| k != "api")
        .map(|(k, v)| {
            let text = match &v {
                serde_json::Value::Array(a) if k == "records" => {
                    format!("{} batch{}", a.len(), if a.len() == 1 { "" } else { "es" })
                }
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "null".into(),
                other => {
                    let s = other.to_string();
                    if s.len() > 160 {
                        format!("{}…", s.chars().take(160).collect::<String>())
                    } else {
                        s
                    }
                }
            };
            (k, text)
        })
        .collect()
}

fn log_row(w: &World, id: NodeId) -> LogRow {
    let p = w.process(id).expect("id from the process list");
    let log = p.log();
    let n = log.batch_count();
    let from = n.saturating_sub(BATCHES_SHOWN);
    LogRow {
        id,
        name: node_name(w.spec(), id),
        start: log.log_start_offset(),
        end: log.end_offset(),
        hw: p.high_watermark(),
        snapshot_end: log.latest_snapshot_id().map(|s| s.offset),
        batches: log
            .batches_from(from)
            .map(|b| (b.base_offset, b.end_offset(), b.epoch, b.is_control()))
            .collect(),
        alive: p.alive(),
        truncated: None,
    }
}

/// Simulated milliseconds (at 1×) a truncation stays in the Logs panel.
pub const TRUNCATION_SHOWN_MS: f64 = 1_500.0;

/// The node's latest truncation, if it happened within the last moments of view time.
fn recent_truncation(m: &Model, id: NodeId) -> Option<(i64, i64, u64)> {
    let window_ms = TRUNCATION_SHOWN_MS * m.speed.max(1.0);
    let now = m.world().now_ms() as f64;
    m.events()
        .iter()
        .rev()
        .take_while(|e| now - (e.at_ms as f64) <= window_ms)
        .find_map(|e| match e.kind {
            TraceKind::Truncated { from_end, to_end } if e.node == id => {
                Some((to_end, from_end, e.at_ms))
            }
            _ => None,
        })
}

fn safety(w: &World) -> Vec<SafetyRow> {
    let relaxed = w.relaxed();
    InvariantId::ALL
        .iter()
        .map(|&inv| SafetyRow {
            name: inv.name(),
            relaxed: relaxed & inv.bit() != 0,
            violation: w
                .violations()
                .iter()
                .find(|v| v.invariant == inv)
                .map(|v| (v.at_ms, format!("node {}: {}", v.node, v.detail))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterSpec;
    use crate::ui::state::Action;

    fn running() -> Model {
        let mut m = Model::new(ClusterSpec::new(3, 1, 7, true));
        for _ in 0..250 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        m
    }

    #[test]
    fn a_truncation_after_a_diverging_epoch_shows_in_the_logs_for_a_moment() {
        use crate::sim::Intervention;
        let mut m = running();
        let old = m.world().leader().expect("a leader");
        // The isolated leader writes records no one else will have.
        m.reduce(Action::Intervene(Intervention::Isolate(old)));
        m.reduce(Action::Intervene(Intervention::Append(5)));
        let mut frames = 0;
        while m.world().leader().is_none_or(|l| l == old) && frames < 2_000 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
            frames += 1;
        }
        m.reduce(Action::Intervene(Intervention::Append(3)));
        m.reduce(Action::Intervene(Intervention::Heal));
        let mut seen = None;
        for _ in 0..600 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
            let p = PanelData::build(&m);
            let row = p.logs.iter().find(|l| l.id == old).unwrap();
            if let Some(t) = row.truncated {
                seen = Some(t);
                break;
            }
        }
        let (to_end, from_end, at) = seen.expect("the old leader truncated its tail");
        assert!(to_end < from_end, "{to_end} < {from_end}");
        // It is shown only for a moment.
        for _ in 0..200 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        let p = PanelData::build(&m);
        let row = p.logs.iter().find(|l| l.id == old).unwrap();
        assert!(row.truncated.is_none_or(|t| t.2 != at));
    }

    #[test]
    fn the_leader_shows_its_replication_table() {
        let mut m = running();
        let leader = m.world().leader().expect("a leader");
        m.reduce(Action::Select(Some(Selection::Node(leader))));
        let p = PanelData::build(&m);
        let d = p.node.expect("node detail");
        assert_eq!(d.id, leader);
        assert!(d.fields.iter().any(|(k, v)| *k == "State" && v == "Leader"));
        assert_eq!(
            d.replication.iter().filter(|r| r.kind == "voter").count(),
            3
        );
        assert!(p.nodes.iter().any(|n| n.selected && n.letter == "L"));
        assert_eq!(p.leader.map(|l| l.0), Some(leader));
    }

    #[test]
    fn events_are_newest_first_and_safety_is_green() {
        let m = running();
        let p = PanelData::build(&m);
        assert!(!p.events.is_empty());
        assert!(p.events.windows(2).all(|w| w[0].at_ms >= w[1].at_ms));
        assert_eq!(p.safety.len(), InvariantId::ALL.len());
        assert!(p.safety.iter().all(|s| s.violation.is_none()));
        assert!(p.latest().is_some());
    }

    #[test]
    fn a_selected_message_shows_kafka_field_names() {
        let mut m = running();
        let raft = |m: &Model| {
            m.world()
                .in_flight()
                .find(|f| matches!(f.payload, crate::sim::FlightPayload::Raft(_)))
                .map(|f| f.info.id)
        };
        while raft(&m).is_none() {
            m.reduce(Action::Step);
        }
        let id = raft(&m).expect("in flight");
        m.reduce(Action::Select(Some(Selection::Message(id))));
        let v = PanelData::build(&m).message.expect("message view");
        assert!(v.in_flight);
        let names: Vec<&str> = v.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert!(
            names.iter().any(|n| [
                "fetchOffset",
                "highWatermark",
                "leaderEpoch",
                "replicaEpoch",
                "voteGranted",
                "errorCode"
            ]
            .contains(n)),
            "{names:?}"
        );
    }

    #[test]
    fn broker_rpcs_in_flight_are_listed_and_inspected_like_raft_ones() {
        use crate::sim::trace::Api;
        let mut m = running();
        let heartbeat = |m: &Model| {
            m.world()
                .in_flight()
                .find(|f| f.info.api == Api::BrokerHeartbeat)
                .map(|f| (f.info.id, f.info.from, f.sent_at_ms, f.deliver_at_ms))
        };
        let mut steps = 0;
        while heartbeat(&m).is_none() && steps < 20_000 {
            m.reduce(Action::Step);
            steps += 1;
        }
        let (id, from, sent, due) = heartbeat(&m).expect("a BrokerHeartbeat in flight");
        assert_eq!(from, 4, "broker 4 heartbeats");
        assert!(sent <= m.world().now_ms() && m.world().now_ms() <= due);
        m.reduce(Action::Select(Some(Selection::Message(id))));
        let v = PanelData::build(&m).message.expect("message view");
        assert!(v.in_flight);
        assert_eq!(v.title, format!("BrokerHeartbeat #{id}"));
        let fields: std::collections::BTreeMap<&str, &str> = v
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(fields.get("from"), Some(&"Broker 4"), "{fields:?}");
        assert!(
            fields.get("fields").is_some_and(|f| f.contains("Offset")),
            "{fields:?}"
        );
    }

    #[test]
    fn logs_show_every_node_with_the_high_watermark() {
        let m = running();
        let p = PanelData::build(&m);
        assert_eq!(p.logs.len(), 4);
        let leader = p.leader.unwrap().0;
        let row = p.logs.iter().find(|r| r.id == leader).unwrap();
        assert!(row.hw.is_some() && !row.batches.is_empty());
    }
}
