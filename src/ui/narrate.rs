//! Trace events told in plain language for the Events panel and the screen-reader
//! live region ("Controller 2's fetch timer ran out; it asks for pre-votes in epoch 4").

use crate::kraft::{NodeId, StateKind};
use crate::sim::trace::{DropReason, FaultKind, StartRefusal, WORLD};
use crate::sim::{ClusterSpec, TraceEvent, TraceKind};

/// "Controller 2", "Broker 5" or "Node 1 (combined)".
pub fn node_name(spec: &ClusterSpec, id: NodeId) -> String {
    if id == WORLD {
        return "The network".into();
    }
    let r = spec.roles(id);
    match (r.controller, r.broker) {
        (true, true) => format!("Controller {id} (combined)"),
        (true, false) => format!("Controller {id}"),
        _ => format!("Broker {id}"),
    }
}

/// One sentence for an event.
pub fn narrate(spec: &ClusterSpec, e: &TraceEvent) -> String {
    let who = node_name(spec, e.node);
    let epoch = e.epoch;
    match e.kind {
        TraceKind::StateChanged { from, to, leader } => {
            use StateKind::*;
            match (from, to) {
                (Follower, Prospective) => format!(
                    "{who}'s fetch timer ran out; it asks for pre-votes in epoch {epoch}"
                ),
                (_, Prospective) => format!(
                    "{who}'s election timer ran out; it asks for pre-votes in epoch {epoch}"
                ),
                (Prospective, Candidate) => format!(
                    "{who} won the pre-vote; it votes for itself and asks for votes in epoch {epoch}"
                ),
                (_, Candidate) => {
                    format!("{who} becomes a candidate and asks for votes in epoch {epoch}")
                }
                (_, Leader) => format!(
                    "{who} won the election: leader of epoch {epoch}; it sends BeginQuorumEpoch"
                ),
                (Leader, Resigned) => {
                    format!("{who} resigns as leader of epoch {epoch} (EndQuorumEpoch)")
                }
                (_, Follower) => match leader {
                    Some(l) => format!(
                        "{who} follows {} in epoch {epoch} and fetches from it",
                        node_name(spec, l).to_ascii_lowercase()
                    ),
                    None => format!("{who} is a follower in epoch {epoch}"),
                },
                (_, Unattached) => {
                    format!("{who} knows no leader in epoch {epoch} (unattached)")
                }
                (f, t) => format!("{who}: {f} → {t} in epoch {epoch}"),
            }
        }
        TraceKind::Sent(m) => format!("{who} sends {} to node {}", m.api.name(), m.to),
        TraceKind::Delivered(m) => {
            format!("{who} receives {} from node {}", m.api.name(), m.from)
        }
        TraceKind::Dropped { msg, reason } => format!(
            "{} from node {} to node {} was dropped ({})",
            msg.api.name(),
            msg.from,
            msg.to,
            match reason {
                DropReason::Cut => "the link is cut",
                DropReason::Loss => "random loss",
                DropReason::ReceiverDown => "the receiver is down",
            }
        ),
        TraceKind::Duplicated { msg, .. } => {
            format!("The network duplicated {} #{}", msg.api.name(), msg.id)
        }
        TraceKind::Appended {
            base_offset,
            records,
        } => format!(
            "{who} appends {records} record{} at offset {base_offset} (epoch {epoch})",
            plural(records as u64)
        ),
        TraceKind::AppendRefused { records } => format!(
            "No leader could take {records} record{}: they were refused",
            plural(records as u64)
        ),
        TraceKind::HighWatermark { hw } => format!("{who}'s high watermark is now {hw}"),
        TraceKind::Truncated { from_end, to_end } => format!(
            "{who} truncates its log from {from_end} to {to_end}: those entries diverged from the leader's"
        ),
        TraceKind::Committed { up_to } => format!("{who} applies records up to offset {up_to}"),
        TraceKind::SnapshotCreated { offset, epoch } => {
            format!("{who} writes a snapshot ending at offset {offset} (epoch {epoch})")
        }
        TraceKind::SnapshotFetchStarted { offset, epoch } => format!(
            "{who} is behind the leader's log start: it fetches snapshot {offset}-{epoch}"
        ),
        TraceKind::SnapshotInstalled { offset, epoch } => {
            format!("{who} installed snapshot {offset}-{epoch}")
        }
        TraceKind::SnapshotLoaded { offset } => {
            format!("{who} loads its snapshot ending at {offset}")
        }
        TraceKind::LogStartAdvanced { offset } => {
            format!("{who} deletes log segments before offset {offset}")
        }
        TraceKind::Fault(kind) => match kind {
            FaultKind::Crash => format!("{who} crashed (unflushed writes are lost)"),
            FaultKind::Shutdown => format!("{who} begins a graceful shutdown"),
            FaultKind::Restart => format!("{who} restarts from its disk"),
            FaultKind::Wipe => format!("{who}'s disk was wiped"),
            FaultKind::Isolate => format!("{who} is cut off from every other node"),
            FaultKind::Partition => "The network is partitioned".into(),
            FaultKind::Cut => format!("A link from {} is cut", who.to_ascii_lowercase()),
            FaultKind::Heal => "The network heals: every link works again".into(),
            FaultKind::Net => "The network's latency or loss changed".into(),
            FaultKind::Set => format!("{who}: a setting changed (takes effect at restart)"),
            FaultKind::Admin => "An admin request reaches the cluster".into(),
        },
        TraceKind::Started { incarnation } => {
            format!("{who} starts (run {incarnation})")
        }
        TraceKind::ShutdownComplete { timed_out } => {
            if timed_out {
                format!("{who} stopped: its shutdown timed out")
            } else {
                format!("{who} finished shutting down")
            }
        }
        TraceKind::Violation(inv) => format!("Safety violated: {inv} (at {who})"),
        TraceKind::ControllerActivated { after_election_ms } => format!(
            "{who} is now the active controller: it serves from its in-memory image and writes \
             {after_election_ms} ms after its election (no reload)"
        ),
        TraceKind::ControllerRenounced => format!("{who} is no longer the active controller"),
        TraceKind::BrokerStateChanged { from, to } => {
            format!("{who}: broker state {from} → {to}")
        }
        TraceKind::AdminRefused { error } => {
            format!("An admin request at {} was refused: {error}", who.to_ascii_lowercase())
        }
        TraceKind::StartRefused { reason } => match reason {
            StartRefusal::InvalidConfig => {
                format!("{who} refuses to start: its server.properties is invalid")
            }
            StartRefusal::InconsistentClusterId => format!(
                "{who} refuses to start: its meta.properties names another cluster \
                 (INCONSISTENT_CLUSTER_ID)"
            ),
        },
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetch_timeout_reads_like_the_issue_says() {
        let spec = ClusterSpec::new(3, 2, 1, true);
        let e = TraceEvent {
            at_ms: 10,
            node: 2,
            epoch: 4,
            kind: TraceKind::StateChanged {
                from: StateKind::Follower,
                to: StateKind::Prospective,
                leader: Some(1),
            },
        };
        assert_eq!(
            narrate(&spec, &e),
            "Controller 2's fetch timer ran out; it asks for pre-votes in epoch 4"
        );
        assert_eq!(node_name(&spec, 5), "Broker 5");
        assert_eq!(node_name(&spec, 0), "The network");
    }
}
