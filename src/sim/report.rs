//! The machine-readable summary of a scenario run (`kraftscope run --json`).

use super::scenario::Outcome;
use super::trace::Api;
use serde_json::{json, Map, Value};

/// One JSON object: seed, end time, verdict, trace hash, nodes, elections, message
/// counts, violations and expectations.
pub fn outcome_json(outcome: &Outcome) -> Value {
    let world = &outcome.world;
    let nodes: Vec<Value> = world
        .processes()
        .iter()
        .map(|p| {
            let log = p.log();
            let snapshot = log
                .latest_snapshot_id()
                .map(|s| json!({"end_offset": s.offset, "epoch": s.epoch}));
            let (state, epoch, leader_id, voted_id, hw) = match &p.raft {
                Some(r) => (
                    Value::from(r.state_kind().name()),
                    r.epoch(),
                    r.leader_id(),
                    r.voted_id(),
                    r.high_watermark(),
                ),
                None => (
                    Value::from("Stopped"),
                    p.epoch(),
                    p.disk.quorum_state.and_then(|q| q.leader_id),
                    p.disk.quorum_state.and_then(|q| q.voted_id),
                    None,
                ),
            };
            json!({
                "id": p.id,
                "roles": p.roles.names(),
                "voter": p.voter,
                "alive": p.alive(),
                "state": state,
                "epoch": epoch,
                "leader_id": leader_id,
                "voted_id": voted_id,
                "log_start_offset": log.log_start_offset(),
                "log_end_offset": log.end_offset(),
                "high_watermark": hw,
                "snapshot": snapshot,
            })
        })
        .collect();
    let mut sent = Map::new();
    for api in Api::ALL {
        let n = world.messages().sent[api as usize];
        if n > 0 {
            sent.insert(api.name().to_string(), Value::from(n));
        }
    }
    json!({
        "seed": world.spec().seed,
        "end_ms": world.now_ms(),
        "ok": outcome.ok,
        "trace_hash": format!("{:016x}", world.trace_hash()),
        "nodes": nodes,
        "elections": world.elections().iter().map(|e| json!({
            "epoch": e.epoch, "leader_id": e.leader_id, "at_ms": e.at_ms
        })).collect::<Vec<_>>(),
        "messages": {
            "sent": sent,
            "dropped": world.messages().dropped,
            "duplicated": world.messages().duplicated,
        },
        "violations": world.violations().iter().map(|v| json!({
            "invariant": v.invariant.name(), "at_ms": v.at_ms, "node": v.node,
            "event": v.event, "detail": v.detail
        })).collect::<Vec<_>>(),
        "expectations": outcome.expectations.iter().map(|e| json!({
            "line": e.line, "text": e.text, "ok": e.ok, "detail": e.detail
        })).collect::<Vec<_>>(),
    })
}
