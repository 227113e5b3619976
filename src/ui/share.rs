//! Share and save: a run as a URL fragment, and a trace as a JSON file.
//!
//! The link is `#v1.<base64url>` of a compact binary form of `(spec, interventions,
//! at_ms)`: unsigned LEB128 varints, positions as deltas, interventions as a tag byte
//! and their fields. Hand-written rather than a serde format crate, to keep the bundle
//! lean and every malformed byte explainable.
//!
//! Decoding never panics and never hands the simulator something it cannot run: each
//! field is checked as it is read (node ids against the cluster, sizes and values
//! against [`crate::sim::scenario::export`]'s limits) and errors say which byte
//! (`link: byte 17: node 12 does not exist in a 5-node cluster`). Pure Rust: it knows
//! nothing of the DOM and is tested natively.

use crate::kraft::NodeId;
use crate::kraft::QuorumConfig;
use crate::sim::config::{ClusterSpec, ConfigKey};
use crate::sim::net::LinkSpec;
use crate::sim::scenario::export::{
    config_value, validate_intervention, validate_run, validate_spec, MAX_INTERVENTIONS, MAX_RUN_MS,
};
use crate::sim::timeline::{Recorded, Run};
use crate::sim::trace::InvariantId;
use crate::sim::world::Intervention;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The link format's version tag.
pub const VERSION: &str = "v1";
/// Longer fragments are refused before decoding (a run of 100 000 interventions is
/// well under this).
pub const MAX_LINK_CHARS: usize = 4_000_000;

/// A malformed link or trace file: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareError(pub String);

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShareError {}

fn link_err(message: impl fmt::Display) -> ShareError {
    ShareError(format!("link: {message}"))
}

/// A decoded link: the run and the time the sharer was looking at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub run: Run,
    pub at_ms: u64,
}

// ----- base64url (RFC 4648 §5, no padding) -----

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | ((*b as u32) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str, offset: usize) -> Result<Vec<u8>, ShareError> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for (i, ch) in text.chars().enumerate() {
        let v = match ch {
            'A'..='Z' => ch as u32 - 'A' as u32,
            'a'..='z' => ch as u32 - 'a' as u32 + 26,
            '0'..='9' => ch as u32 - '0' as u32 + 52,
            '-' => 62,
            '_' => 63,
            _ => {
                return Err(link_err(format!(
                    "character {} ({ch:?}) is not base64url (A-Z a-z 0-9 - _)",
                    offset + i + 1
                )))
            }
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err(link_err(
            "the link's length is not a whole number of bytes (truncated?)",
        ));
    }
    Ok(out)
}

// ----- the binary form -----

const TAG_CRASH: u8 = 0;
const TAG_SHUTDOWN: u8 = 1;
const TAG_RESTART: u8 = 2;
const TAG_WIPE: u8 = 3;
const TAG_ISOLATE: u8 = 4;
const TAG_SNAPSHOT: u8 = 5;
const TAG_PARTITION: u8 = 6;
const TAG_CUT: u8 = 7;
const TAG_HEAL: u8 = 8;
const TAG_NET: u8 = 9;
const TAG_APPEND: u8 = 10;
const TAG_SET: u8 = 11;
const TAG_RELAX: u8 = 12;
// The metadata layer's interventions: strings are length-prefixed UTF-8. Written by
// hand like the rest (a serde format here would link serde's decoders into the page).
const TAG_CREATE_TOPIC: u8 = 13;
const TAG_DELETE_TOPIC: u8 = 14;
const TAG_SET_TOPIC_CONFIG: u8 = 15;
const TAG_REGISTER: u8 = 16;
const TAG_CONTROLLED_SHUTDOWN: u8 = 17;
const TAG_SERVER_PROPERTIES: u8 = 18;
const TAG_FORMAT: u8 = 19;
const TAG_ELECT_LEADERS: u8 = 20;
const TAG_CREATE_PARTITIONS: u8 = 21;
/// Longest string a link may hold (a topic name, a config value, a cluster id).
const MAX_STRING_BYTES: u64 = 10_000;

struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn node(&mut self, id: NodeId) {
        self.u64(id as u64);
    }

    /// An intervention whose only field is a node.
    fn tagged_node(&mut self, tag: u8, id: NodeId) {
        self.0.push(tag);
        self.node(id);
    }

    fn opt_node(&mut self, id: Option<NodeId>) {
        self.u64(id.map_or(0, |n| n as u64));
    }

    fn key(&mut self, key: ConfigKey) {
        let i = ConfigKey::ALL.iter().position(|k| *k == key).unwrap_or(0);
        self.0.push(i as u8);
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

fn base_quorum(pre_vote: bool) -> QuorumConfig {
    QuorumConfig {
        pre_vote,
        ..QuorumConfig::default()
    }
}

fn encode_bytes(run: &Run, at_ms: u64) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    let spec = &run.spec;
    w.u64(spec.controllers as u64);
    w.u64(spec.brokers as u64);
    w.u64(spec.combined as u64);
    w.u64(spec.seed);
    w.0.push(spec.quorum.pre_vote as u8);
    let base = base_quorum(spec.quorum.pre_vote);
    let changed: Vec<ConfigKey> = ConfigKey::ALL
        .into_iter()
        .filter(|k| config_value(&spec.quorum, *k) != config_value(&base, *k))
        .collect();
    w.u64(changed.len() as u64);
    for key in changed {
        w.key(key);
        w.u64(config_value(&spec.quorum, key));
    }
    w.u64(spec.overrides.len() as u64);
    for (node, key, value) in &spec.overrides {
        w.node(*node);
        w.key(*key);
        w.u64(*value);
    }
    w.u64(spec.relaxed.len() as u64);
    for inv in &spec.relaxed {
        let i = InvariantId::ALL.iter().position(|x| x == inv).unwrap_or(0);
        w.0.push(i as u8);
    }
    w.u64(run.interventions.len() as u64);
    let (mut last_ms, mut last_steps) = (0u64, 0u64);
    for r in &run.interventions {
        w.u64(r.at_ms.wrapping_sub(last_ms));
        w.u64(r.steps.wrapping_sub(last_steps));
        (last_ms, last_steps) = (r.at_ms, r.steps);
        match &r.intervention {
            Intervention::Crash(n) => w.tagged_node(TAG_CRASH, *n),
            Intervention::Shutdown(n) => w.tagged_node(TAG_SHUTDOWN, *n),
            Intervention::Restart(n) => w.tagged_node(TAG_RESTART, *n),
            Intervention::Wipe(n) => w.tagged_node(TAG_WIPE, *n),
            Intervention::Isolate(n) => w.tagged_node(TAG_ISOLATE, *n),
            Intervention::Snapshot(n) => w.tagged_node(TAG_SNAPSHOT, *n),
            Intervention::Partition(groups) => {
                w.0.push(TAG_PARTITION);
                w.u64(groups.len() as u64);
                for g in groups {
                    w.u64(g.len() as u64);
                    for n in g {
                        w.node(*n);
                    }
                }
            }
            Intervention::Cut { from, to } => {
                w.0.push(TAG_CUT);
                w.node(*from);
                w.node(*to);
            }
            Intervention::Heal => w.0.push(TAG_HEAL),
            Intervention::Net { link, from, to } => {
                w.0.push(TAG_NET);
                w.u64(link.latency_min_ms);
                w.u64(link.latency_max_ms.wrapping_sub(link.latency_min_ms));
                w.u64(link.loss as u64);
                w.u64(link.dup as u64);
                w.opt_node(*from);
                w.opt_node(*to);
            }
            Intervention::Append(n) => {
                w.0.push(TAG_APPEND);
                w.u64(*n as u64);
            }
            Intervention::Set { key, value, node } => {
                w.0.push(TAG_SET);
                w.key(*key);
                w.u64(*value);
                w.opt_node(*node);
            }
            Intervention::Relax(inv) => {
                w.0.push(TAG_RELAX);
                let i = InvariantId::ALL.iter().position(|x| x == inv).unwrap_or(0);
                w.0.push(i as u8);
            }
            Intervention::CreateTopic {
                name,
                partitions,
                replication,
            } => {
                w.0.push(TAG_CREATE_TOPIC);
                w.str(name);
                w.u64(*partitions as u64);
                w.u64(*replication as u64);
            }
            Intervention::CreatePartitions { name, count } => {
                w.0.push(TAG_CREATE_PARTITIONS);
                w.str(name);
                w.u64(*count as u64);
            }
            Intervention::DeleteTopic(name) => {
                w.0.push(TAG_DELETE_TOPIC);
                w.str(name);
            }
            Intervention::SetTopicConfig { topic, key, value } => {
                w.0.push(TAG_SET_TOPIC_CONFIG);
                w.str(topic);
                w.str(key);
                w.str(value);
            }
            Intervention::Register(n) => w.tagged_node(TAG_REGISTER, *n),
            Intervention::ControlledShutdown(n) => w.tagged_node(TAG_CONTROLLED_SHUTDOWN, *n),
            Intervention::ServerProperties { node, entries } => {
                w.0.push(TAG_SERVER_PROPERTIES);
                w.node(*node);
                w.u64(entries.len() as u64);
                for (k, v) in entries {
                    w.str(k);
                    w.str(v);
                }
            }
            Intervention::Format { node, cluster_id } => {
                w.0.push(TAG_FORMAT);
                w.node(*node);
                w.str(cluster_id);
            }
            Intervention::ElectLeaders { partition } => {
                w.0.push(TAG_ELECT_LEADERS);
                // 0: every partition; 1: one, as topic name and partition index.
                match partition {
                    None => w.0.push(0),
                    Some((topic, p)) => {
                        w.0.push(1);
                        w.str(topic);
                        w.u64(*p as u32 as u64);
                    }
                }
            }
        }
    }
    w.u64(at_ms);
    w.0
}

/// The URL fragment (with its `#`) that reproduces `run` viewed at `at_ms`.
pub fn encode(run: &Run, at_ms: u64) -> String {
    format!("#{VERSION}.{}", base64url_encode(&encode_bytes(run, at_ms)))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn err_at(&self, at: usize, message: impl fmt::Display) -> ShareError {
        link_err(format!("byte {at}: {message}"))
    }

    fn byte(&mut self, what: &str) -> Result<u8, ShareError> {
        let b = self.bytes.get(self.pos).copied().ok_or_else(|| {
            self.err_at(
                self.pos,
                format!("the link ends where {what} should be (truncated?)"),
            )
        })?;
        self.pos += 1;
        Ok(b)
    }

    fn u64(&mut self, what: &str) -> Result<u64, ShareError> {
        let start = self.pos;
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte(what)?;
            let bits = (b & 0x7f) as u64;
            if shift == 63 && bits > 1 {
                break;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err_at(start, format!("{what} is too large")))
    }

    /// A number at most `max`.
    fn bounded(&mut self, what: &str, max: u64) -> Result<u64, ShareError> {
        let start = self.pos;
        let v = self.u64(what)?;
        if v > max {
            return Err(self.err_at(start, format!("{what} {v} is out of range (at most {max})")));
        }
        Ok(v)
    }

    fn node(&mut self, spec: &ClusterSpec) -> Result<NodeId, ShareError> {
        let start = self.pos;
        let v = self.u64("a node id")?;
        if v == 0 || v > spec.node_count() as u64 {
            return Err(self.err_at(
                start,
                format!(
                    "node {v} does not exist in a {}-node cluster",
                    spec.node_count()
                ),
            ));
        }
        Ok(v as NodeId)
    }

    fn opt_node(&mut self, spec: &ClusterSpec) -> Result<Option<NodeId>, ShareError> {
        if self.bytes.get(self.pos) == Some(&0) {
            self.pos += 1;
            Ok(None)
        } else {
            self.node(spec).map(Some)
        }
    }

    fn key(&mut self) -> Result<ConfigKey, ShareError> {
        let start = self.pos;
        let i = self.byte("a config key")?;
        ConfigKey::ALL
            .get(i as usize)
            .copied()
            .ok_or_else(|| self.err_at(start, format!("unknown config key #{i}")))
    }

    fn str(&mut self, what: &str) -> Result<String, ShareError> {
        let len = self.bounded(&format!("the length of {what}"), MAX_STRING_BYTES)? as usize;
        let start = self.pos;
        let bytes = self.bytes.get(start..start + len).ok_or_else(|| {
            self.err_at(start, format!("the link ends inside {what} (truncated?)"))
        })?;
        self.pos += len;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| self.err_at(start, format!("{what} is not UTF-8 text")))
    }

    fn invariant(&mut self) -> Result<InvariantId, ShareError> {
        let start = self.pos;
        let i = self.byte("an invariant")?;
        InvariantId::ALL
            .get(i as usize)
            .copied()
            .ok_or_else(|| self.err_at(start, format!("unknown invariant #{i}")))
    }
}

fn decode_bytes(bytes: &[u8]) -> Result<Shared, ShareError> {
    let mut r = Reader { bytes, pos: 0 };
    let controllers = r.bounded("the number of controllers", u32::MAX as u64)? as u32;
    let brokers = r.bounded("the number of brokers", u32::MAX as u64)? as u32;
    let combined = r.bounded("the number of combined nodes", u32::MAX as u64)? as u32;
    let seed = r.u64("the seed")?;
    let flag_at = r.pos;
    let pre_vote = match r.byte("the pre-vote switch")? {
        0 => false,
        1 => true,
        b => return Err(r.err_at(flag_at, format!("pre-vote switch {b} is neither 0 nor 1"))),
    };
    let mut spec = ClusterSpec::new(controllers, brokers, seed, pre_vote);
    spec.combined = combined;
    validate_spec(&spec).map_err(|e| r.err_at(0, e.message))?;
    let count = r.bounded("the number of config values", ConfigKey::ALL.len() as u64)?;
    for _ in 0..count {
        let at = r.pos;
        let key = r.key()?;
        let value = r.u64("a config value")?;
        crate::sim::scenario::export::check_config_value(key, value)
            .map_err(|e| r.err_at(at, e))?;
        key.apply(&mut spec.quorum, value);
    }
    let count = r.bounded("the number of per-node config values", 10_000)?;
    for _ in 0..count {
        let at = r.pos;
        let node = r.node(&spec)?;
        let key = r.key()?;
        let value = r.u64("a config value")?;
        crate::sim::scenario::export::check_config_value(key, value)
            .map_err(|e| r.err_at(at, e))?;
        spec.overrides.push((node, key, value));
    }
    let count = r.bounded("the number of relaxed invariants", 1_000)?;
    for _ in 0..count {
        let inv = r.invariant()?;
        spec.relaxed.push(inv);
    }
    validate_spec(&spec).map_err(|e| r.err_at(r.pos, e.message))?;
    let count = r.bounded("the number of interventions", MAX_INTERVENTIONS as u64)?;
    let mut run = Run::new(spec);
    let (mut at_ms, mut steps) = (0u64, 0u64);
    for _ in 0..count {
        let start = r.pos;
        at_ms = at_ms
            .checked_add(r.u64("a time step")?)
            .filter(|t| *t <= MAX_RUN_MS)
            .ok_or_else(|| r.err_at(start, format!("time beyond {MAX_RUN_MS}ms")))?;
        let steps_at = r.pos;
        steps = steps
            .checked_add(r.u64("a step count")?)
            .ok_or_else(|| r.err_at(steps_at, "step count too large"))?;
        let tag_at = r.pos;
        let spec = &run.spec;
        let intervention = match r.byte("an intervention")? {
            TAG_CRASH => Intervention::Crash(r.node(spec)?),
            TAG_SHUTDOWN => Intervention::Shutdown(r.node(spec)?),
            TAG_RESTART => Intervention::Restart(r.node(spec)?),
            TAG_WIPE => Intervention::Wipe(r.node(spec)?),
            TAG_ISOLATE => Intervention::Isolate(r.node(spec)?),
            TAG_SNAPSHOT => Intervention::Snapshot(r.node(spec)?),
            TAG_PARTITION => {
                let n = spec.node_count() as u64;
                let groups = r.bounded("the number of partition groups", n)?;
                let mut out = Vec::new();
                for _ in 0..groups {
                    let len = r.bounded("a partition group's size", n)?;
                    let mut g = Vec::new();
                    for _ in 0..len {
                        g.push(r.node(spec)?);
                    }
                    out.push(g);
                }
                Intervention::Partition(out)
            }
            TAG_CUT => Intervention::Cut {
                from: r.node(spec)?,
                to: r.node(spec)?,
            },
            TAG_HEAL => Intervention::Heal,
            TAG_NET => {
                let min = r.bounded("a latency", crate::sim::scenario::export::MAX_TIMER_MS)?;
                let span = r.bounded("a latency", crate::sim::scenario::export::MAX_TIMER_MS)?;
                let loss = r.bounded("a loss probability", u32::MAX as u64)? as u32;
                let dup = r.bounded("a duplication probability", u32::MAX as u64)? as u32;
                Intervention::Net {
                    link: LinkSpec {
                        latency_min_ms: min,
                        latency_max_ms: min + span,
                        loss,
                        dup,
                    },
                    from: r.opt_node(spec)?,
                    to: r.opt_node(spec)?,
                }
            }
            TAG_APPEND => {
                Intervention::Append(r.bounded("a record count", u32::MAX as u64)? as u32)
            }
            TAG_SET => {
                let key = r.key()?;
                let value = r.u64("a config value")?;
                let node = r.opt_node(spec)?;
                Intervention::Set { key, value, node }
            }
            TAG_RELAX => Intervention::Relax(r.invariant()?),
            TAG_CREATE_TOPIC => Intervention::CreateTopic {
                name: r.str("a topic name")?,
                partitions: r.bounded("a partition count", u32::MAX as u64)? as u32,
                replication: r.bounded("a replication factor", u32::MAX as u64)? as u32,
            },
            TAG_CREATE_PARTITIONS => Intervention::CreatePartitions {
                name: r.str("a topic name")?,
                count: r.bounded("a partition count", u32::MAX as u64)? as u32,
            },
            TAG_DELETE_TOPIC => Intervention::DeleteTopic(r.str("a topic name")?),
            TAG_SET_TOPIC_CONFIG => Intervention::SetTopicConfig {
                topic: r.str("a topic name")?,
                key: r.str("a config key")?,
                value: r.str("a config value")?,
            },
            TAG_REGISTER => Intervention::Register(r.node(spec)?),
            TAG_CONTROLLED_SHUTDOWN => Intervention::ControlledShutdown(r.node(spec)?),
            TAG_SERVER_PROPERTIES => {
                let node = r.node(spec)?;
                let count = r.bounded("the number of properties", 1_000)?;
                let mut entries = Vec::new();
                for _ in 0..count {
                    entries.push((r.str("a property name")?, r.str("a property value")?));
                }
                Intervention::ServerProperties { node, entries }
            }
            TAG_FORMAT => Intervention::Format {
                node: r.node(spec)?,
                cluster_id: r.str("a cluster id")?,
            },
            TAG_ELECT_LEADERS => {
                let at = r.pos;
                let partition = match r.byte("the partition switch")? {
                    0 => None,
                    1 => Some((
                        r.str("a topic name")?,
                        r.bounded("a partition index", i32::MAX as u64)? as i32,
                    )),
                    b => {
                        return Err(r.err_at(at, format!("partition switch {b} is neither 0 nor 1")))
                    }
                };
                Intervention::ElectLeaders { partition }
            }
            t => return Err(r.err_at(tag_at, format!("unknown intervention #{t}"))),
        };
        validate_intervention(spec, &intervention).map_err(|e| r.err_at(tag_at, e))?;
        run.interventions.push(Recorded {
            at_ms,
            steps,
            intervention,
        });
    }
    let view_at = r.pos;
    let view_ms = r.u64("the time viewed")?;
    if view_ms > MAX_RUN_MS {
        return Err(r.err_at(
            view_at,
            format!("time {view_ms}ms is beyond {MAX_RUN_MS}ms"),
        ));
    }
    if r.pos != bytes.len() {
        return Err(r.err_at(r.pos, "unexpected data after the run"));
    }
    // Everything was checked on the way; this is the same rule book, once more whole.
    validate_run(&run).map_err(link_err)?;
    Ok(Shared {
        run,
        at_ms: view_ms,
    })
}

/// Read a link's fragment (`#v1.…`, with or without the `#`, or a whole URL).
pub fn decode(fragment: &str) -> Result<Shared, ShareError> {
    let fragment = fragment.trim();
    let fragment = match fragment.find('#') {
        Some(i) => &fragment[i + 1..],
        None => fragment,
    };
    if fragment.len() > MAX_LINK_CHARS {
        return Err(link_err(format!(
            "{} characters is longer than any run ({MAX_LINK_CHARS})",
            fragment.len()
        )));
    }
    let Some((version, body)) = fragment.split_once('.') else {
        let shown: String = fragment.chars().take(20).collect();
        return Err(link_err(format!(
            "expected `{VERSION}.` followed by the run, found '{shown}'"
        )));
    };
    if version != VERSION {
        let shown: String = version.chars().take(20).collect();
        return Err(link_err(format!("unknown version '{shown}'")));
    }
    let bytes = base64url_decode(body, version.chars().count() + 1)?;
    decode_bytes(&bytes)
}

/// Just the run of a link.
pub fn decode_run(fragment: &str) -> Result<Run, ShareError> {
    decode(fragment).map(|s| s.run)
}

// ----- trace files -----

/// The trace file's `format` field.
pub const TRACE_FORMAT: &str = "kraftscope-trace/1";

/// A saved trace: the run (which reproduces it) and every event it produced. The run is
/// its link (`#v1.…`, which also opens in the page): reading the file back then needs no
/// serde decoder for runs, which would cost the page's bundle more than the rest of it.
#[derive(Clone, Debug, Serialize)]
pub struct TraceFile {
    pub format: &'static str,
    pub link: String,
    pub until_ms: u64,
    /// Hexadecimal: JSON numbers lose bits past 2^53.
    pub trace_hash: String,
    pub event_count: u64,
    pub events: Vec<TraceLine>,
}

/// One event of a trace file: where and when, and the line `kraftscope trace` prints for
/// it. A line rather than every field as JSON: serialising the whole event (messages,
/// metadata records) would link a serde encoder for each of those types into the page.
#[derive(Clone, Debug, Serialize)]
pub struct TraceLine {
    pub at_ms: u64,
    pub node: NodeId,
    pub epoch: i32,
    pub line: String,
}

#[derive(Deserialize)]
struct TraceFileIn {
    format: String,
    link: String,
    until_ms: u64,
    trace_hash: String,
    event_count: u64,
    #[allow(dead_code)]
    events: serde::de::IgnoredAny,
}

/// An imported trace file: its run, and what replaying the run must give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedTrace {
    pub run: Run,
    pub until_ms: u64,
    pub trace_hash: u64,
    pub event_count: u64,
}

impl ImportedTrace {
    /// What replaying the run must give.
    pub fn expected(&self) -> TraceCheck {
        TraceCheck {
            trace_hash: self.trace_hash,
            event_count: self.event_count,
        }
    }
}

/// A trace file's recorded hash and event count, which its run must replay to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceCheck {
    pub trace_hash: u64,
    pub event_count: u64,
}

impl TraceCheck {
    /// Whether `world` (the run replayed to the file's `until_ms`) gives them.
    pub fn check(&self, world: &crate::sim::World) -> Result<(), ShareError> {
        if world.trace_hash() != self.trace_hash || world.trace().count() != self.event_count {
            return Err(ShareError(format!(
                "trace: the file's trace hash {:016x} ({} events) does not match its run, which replays to {:016x} ({} events): the trace was edited or comes from another version",
                self.trace_hash,
                self.event_count,
                world.trace_hash(),
                world.trace().count()
            )));
        }
        Ok(())
    }
}

/// Replay `run` to `until_ms` and write its trace as JSON.
pub fn export_trace(run: &Run, until_ms: u64) -> String {
    let world = run.replay(until_ms, true);
    let file = TraceFile {
        format: TRACE_FORMAT,
        link: encode(run, world.now_ms()),
        until_ms: world.now_ms(),
        trace_hash: format!("{:016x}", world.trace_hash()),
        event_count: world.trace().count(),
        events: world
            .trace()
            .events()
            .iter()
            .map(|e| TraceLine {
                at_ms: e.at_ms,
                node: e.node,
                epoch: e.epoch,
                line: e.to_line(),
            })
            .collect(),
    };
    serde_json::to_string(&file).unwrap_or_default()
}

/// Read a trace file: the run must validate and replaying it must give the recorded
/// hash and event count.
pub fn import_trace(json: &str) -> Result<ImportedTrace, ShareError> {
    let trace = read_trace(json)?;
    trace
        .expected()
        .check(&trace.run.replay(trace.until_ms, false))?;
    Ok(trace)
}

/// Read a trace file and check its shape, without replaying its run: the caller replays
/// it (over several frames, for a long run) and then checks it ([`TraceCheck`]).
pub fn read_trace(json: &str) -> Result<ImportedTrace, ShareError> {
    let file: TraceFileIn = serde_json::from_str(json).map_err(|e| {
        ShareError(format!(
            "trace: line {} column {}: {}",
            e.line(),
            e.column(),
            e
        ))
    })?;
    if file.format != TRACE_FORMAT {
        return Err(ShareError(format!(
            "trace: unknown format '{}' (expected '{TRACE_FORMAT}')",
            file.format.chars().take(40).collect::<String>()
        )));
    }
    let run = decode_run(&file.link).map_err(|e| ShareError(format!("trace: {e}")))?;
    if file.until_ms > MAX_RUN_MS {
        return Err(ShareError(format!(
            "trace: until_ms {} is beyond {MAX_RUN_MS}ms",
            file.until_ms
        )));
    }
    let hash = u64::from_str_radix(&file.trace_hash, 16).map_err(|_| {
        ShareError(format!(
            "trace: trace_hash '{}' is not a hexadecimal number",
            file.trace_hash.chars().take(40).collect::<String>()
        ))
    })?;
    Ok(ImportedTrace {
        run,
        until_ms: file.until_ms,
        trace_hash: hash,
        event_count: file.event_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Run {
        let mut spec = ClusterSpec::new(5, 3, 1234567890123, false);
        spec.combined = 2;
        spec.quorum.election_timeout_ms = 1500;
        spec.overrides.push((7, ConfigKey::FetchTimeoutMs, 900));
        spec.relaxed.push(InvariantId::ALL[1]);
        let mut run = Run::new(spec);
        let mut push = |at_ms, steps, intervention| {
            run.interventions.push(Recorded {
                at_ms,
                steps,
                intervention,
            })
        };
        push(0, 0, Intervention::Isolate(3));
        push(1200, 340, Intervention::Crash(1));
        push(
            1200,
            345,
            Intervention::Partition(vec![vec![1, 2], vec![3, 8]]),
        );
        push(
            5000,
            900,
            Intervention::Net {
                link: LinkSpec::new(5, 40, 0.1, 0.02),
                from: Some(2),
                to: None,
            },
        );
        push(
            6000,
            901,
            Intervention::Set {
                key: ConfigKey::PreVote,
                value: 1,
                node: Some(4),
            },
        );
        push(7000, 999, Intervention::Append(17));
        push(7000, 999, Intervention::Relax(InvariantId::ALL[2]));
        push(8000, 1500, Intervention::Cut { from: 8, to: 1 });
        push(9000, 1600, Intervention::Heal);
        run
    }

    #[test]
    fn encode_decode_identity() {
        let run = sample();
        let link = encode(&run, 9_500);
        assert!(link.starts_with("#v1."), "{link}");
        assert!(link.len() < 160, "compact: {link}");
        let shared = decode(&link).unwrap();
        assert_eq!(
            shared,
            Shared {
                run: run.clone(),
                at_ms: 9_500
            }
        );
        // A whole URL works too.
        let url = format!("http://127.0.0.1:8080/{link}");
        assert_eq!(decode_run(&url).unwrap(), run);
    }

    #[test]
    fn metadata_interventions_round_trip() {
        let mut run = Run::new(ClusterSpec::new(3, 2, 9, true));
        let items = [
            Intervention::CreateTopic {
                name: "orders".into(),
                partitions: 3,
                replication: 2,
            },
            Intervention::SetTopicConfig {
                topic: "orders".into(),
                key: "retention.ms".into(),
                value: "60000".into(),
            },
            Intervention::ElectLeaders {
                partition: Some(("orders".into(), 2)),
            },
            Intervention::ElectLeaders { partition: None },
            Intervention::CreatePartitions {
                name: "orders".into(),
                count: 5,
            },
            Intervention::DeleteTopic("orders".into()),
            Intervention::Register(4),
            Intervention::ControlledShutdown(5),
            Intervention::ServerProperties {
                node: 4,
                entries: vec![
                    ("log.dirs".into(), "/tmp/k".into()),
                    ("x".into(), String::new()),
                ],
            },
            Intervention::Format {
                node: 2,
                cluster_id: "MkU3OEVBNTcwNTJENDM2Qk".into(),
            },
        ];
        for (i, intervention) in items.into_iter().enumerate() {
            run.interventions.push(Recorded {
                at_ms: 100 * i as u64,
                steps: 10 * i as u64,
                intervention,
            });
        }
        assert_eq!(decode_run(&encode(&run, 5)), Ok(run.clone()));
        // A string that runs past the end says so.
        let bytes = encode_bytes(&run, 5);
        let cut = format!("#v1.{}", base64url_encode(&bytes[..bytes.len() - 40]));
        let e = decode(&cut).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            decode("#v9.AAAA").unwrap_err().to_string(),
            "link: unknown version 'v9'"
        );
        assert_eq!(
            decode("#hello").unwrap_err().to_string(),
            "link: expected `v1.` followed by the run, found 'hello'"
        );
        assert_eq!(
            decode("#v1.AB!C").unwrap_err().to_string(),
            "link: character 6 ('!') is not base64url (A-Z a-z 0-9 - _)"
        );
        // 5 controllers, crash node 12.
        let mut run = Run::new(ClusterSpec::new(5, 0, 1, true));
        run.interventions.push(Recorded {
            at_ms: 10,
            steps: 2,
            intervention: Intervention::Crash(12),
        });
        let bytes = encode_bytes(&run, 0);
        let link = format!("#v1.{}", base64url_encode(&bytes));
        // The node id is the byte after the cluster (5 bytes), three counts, the
        // intervention count, two deltas and the tag: byte 12.
        assert_eq!(
            decode(&link).unwrap_err().to_string(),
            "link: byte 12: node 12 does not exist in a 5-node cluster"
        );
        let run = Run::new(ClusterSpec::new(12, 0, 1, true));
        let link = encode(&run, 0);
        assert_eq!(
            decode(&link).unwrap_err().to_string(),
            "link: byte 0: 12 controllers: expected 1 to 9"
        );
        let good = encode(&sample(), 0);
        let truncated = &good[..good.len() - 6];
        assert!(decode(truncated)
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        let mut bytes = encode_bytes(&sample(), 0);
        bytes.push(0);
        let link = format!("#v1.{}", base64url_encode(&bytes));
        assert!(decode(&link)
            .unwrap_err()
            .to_string()
            .ends_with("unexpected data after the run"));
    }

    #[test]
    fn trace_file_round_trips_and_detects_tampering() {
        let mut run = Run::new(ClusterSpec::new(3, 1, 5, true));
        run.interventions.push(Recorded {
            at_ms: 3000,
            steps: 0,
            intervention: Intervention::Append(2),
        });
        // A position the world really reaches: record it through a replay.
        let mut world = crate::sim::World::new(run.spec.clone(), false);
        world.run_until(3000);
        run.interventions[0].steps = world.position().1;
        let json = export_trace(&run, 5000);
        let imported = import_trace(&json).unwrap();
        assert_eq!(imported.run, run);
        assert_eq!(imported.trace_hash, run.replay(5000, false).trace_hash());
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v["events"].as_array().is_some_and(|e| !e.is_empty()));

        let hash = format!("{:016x}", imported.trace_hash);
        let other = format!("{:016x}", imported.trace_hash ^ 1);
        let tampered = json.replacen(&hash, &other, 1);
        assert_ne!(tampered, json);
        let e = import_trace(&tampered).unwrap_err().to_string();
        assert!(e.starts_with("trace: the file's trace hash"), "{e}");
        let e = import_trace("{\"format\": 1}").unwrap_err().to_string();
        assert!(e.starts_with("trace: line 1 column"), "{e}");
        let e = import_trace(&json.replacen(TRACE_FORMAT, "other/2", 1))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "trace: unknown format 'other/2' (expected 'kraftscope-trace/1')"
        );
    }

    // proptest is a native-only dev-dependency.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn arb_run() -> impl Strategy<Value = (Run, u64)> {
            (1u32..=9, 0u32..=50, any::<u64>(), any::<bool>())
                .prop_flat_map(|(c, b, seed, pv)| {
                    let n = c + b;
                    let node = 1..=n as NodeId;
                    let intervention = prop_oneof![
                        node.clone().prop_map(Intervention::Crash),
                        node.clone().prop_map(Intervention::Restart),
                        node.clone().prop_map(Intervention::Snapshot),
                        prop::collection::vec(
                            prop::collection::btree_set(node.clone(), 1..4),
                            1..4
                        )
                        .prop_map(|groups| {
                            // A node in one group only, no empty group.
                            let mut seen = std::collections::BTreeSet::new();
                            let groups: Vec<Vec<NodeId>> = groups
                                .into_iter()
                                .map(|g| {
                                    g.into_iter()
                                        .filter(|n| seen.insert(*n))
                                        .collect::<Vec<_>>()
                                })
                                .filter(|g| !g.is_empty())
                                .collect();
                            Intervention::Partition(groups)
                        }),
                        (node.clone(), node.clone())
                            .prop_map(|(from, to)| Intervention::Cut { from, to }),
                        Just(Intervention::Heal),
                        (
                            0u64..500,
                            0u64..500,
                            any::<u32>(),
                            any::<u32>(),
                            prop::option::of(node.clone())
                        )
                            .prop_map(|(a, d, loss, dup, from)| {
                                Intervention::Net {
                                    link: LinkSpec {
                                        latency_min_ms: a,
                                        latency_max_ms: a + d,
                                        loss,
                                        dup,
                                    },
                                    from,
                                    to: None,
                                }
                            }),
                        (1u32..=100_000).prop_map(Intervention::Append),
                        (0usize..8, 1u64..100_000, prop::option::of(node.clone())).prop_map(
                            |(k, value, node)| Intervention::Set {
                                key: ConfigKey::ALL[k],
                                value,
                                node
                            }
                        ),
                        (0usize..InvariantId::ALL.len())
                            .prop_map(|i| Intervention::Relax(InvariantId::ALL[i])),
                    ];
                    (
                        Just((c, b, seed, pv)),
                        0..=c,
                        prop::collection::vec((0u64..5_000, 0u64..100, intervention), 0..20),
                        0u64..MAX_RUN_MS,
                    )
                })
                .prop_map(|((c, b, seed, pv), combined, items, at)| {
                    let mut spec = ClusterSpec::new(c, b, seed, pv);
                    spec.combined = combined;
                    let mut run = Run::new(spec);
                    let (mut t, mut s) = (0, 0);
                    for (dt, ds, i) in items {
                        t += dt;
                        s += ds;
                        run.interventions.push(Recorded {
                            at_ms: t,
                            steps: s,
                            intervention: i,
                        });
                    }
                    (run, at)
                })
        }

        proptest! {
            #[test]
            fn arbitrary_strings_never_panic(s in ".{0,200}") {
                let _ = decode(&s);
                let _ = decode(&format!("#v1.{s}"));
            }

            #[test]
            fn arbitrary_bytes_never_panic_and_valid_ones_are_valid(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
                if let Ok(shared) = decode_bytes(&bytes) {
                    prop_assert!(validate_run(&shared.run).is_ok());
                }
            }

            #[test]
            fn encode_decode_is_identity((run, at) in arb_run()) {
                prop_assert!(validate_run(&run).is_ok(), "{:?}", validate_run(&run));
                let link = encode(&run, at);
                prop_assert_eq!(decode(&link), Ok(Shared { run, at_ms: at }));
            }
        }
    }
}
