//! The scenario parser: line-oriented, `#` comments, one command per line. Errors name
//! `line:column` (1-based, at the offending token) and what was expected. Node
//! references are checked against the cluster and earlier `as` bindings before
//! anything runs.

use super::ast::*;
use crate::kraft::NodeId;
use crate::metadata::broker::BrokerState;
use crate::sim::config::ConfigKey;
use crate::sim::trace::InvariantId;
use std::collections::BTreeSet;
use std::fmt;

/// Larger clusters would make the network's per-link tables too big to animate.
pub const MAX_NODES: u32 = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

const COMMANDS: &str = "cluster, set, net, run, at, crash, shutdown, restart, wipe, isolate, partition, cut, heal, append, snapshot, relax, expect, create-topic, create-partitions, delete-topic, set-config, register, controlled-shutdown, server-properties or format";
const CONDITIONS: &str =
    "a condition (leader, no-leader, epoch, state, hw, leo, elections, converged, no-violations, fenced, unfenced, broker-state, topics, partition, isr or metadata-lag)";

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    text: &'a str,
    /// 1-based column of the first character.
    col: usize,
}

/// Split a line (without its comment) into whitespace-separated tokens with columns.
fn tokenize(code: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, col)
    let mut col = 0;
    for (byte, ch) in code.char_indices() {
        col += 1;
        if ch.is_whitespace() {
            if let Some((b, c)) = start.take() {
                out.push(Tok {
                    text: &code[b..byte],
                    col: c,
                });
            }
        } else if start.is_none() {
            start = Some((byte, col));
        }
    }
    if let Some((b, c)) = start {
        out.push(Tok {
            text: &code[b..],
            col: c,
        });
    }
    out
}

fn found(tok: Option<&Tok>) -> String {
    match tok {
        Some(t) => format!("found `{}`", t.text),
        None => "found the end of the line".to_string(),
    }
}

struct Parser {
    line: usize,
    /// Column just past the code (where "end of line" errors point).
    end_col: usize,
    cluster: Option<ClusterCmd>,
    bound: BTreeSet<String>,
}

struct Cursor<'a> {
    toks: Vec<Tok<'a>>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<Tok<'a>> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
}

impl Parser {
    fn err(&self, col: usize, message: String) -> ParseError {
        ParseError {
            line: self.line,
            column: col,
            message,
        }
    }

    fn expected(&self, tok: Option<Tok>, what: &str) -> ParseError {
        let col = tok.map_or(self.end_col, |t| t.col);
        self.err(col, format!("expected {what}, {}", found(tok.as_ref())))
    }

    fn next<'a>(&self, c: &mut Cursor<'a>, what: &str) -> Result<Tok<'a>, ParseError> {
        c.bump().ok_or_else(|| self.expected(None, what))
    }

    fn end(&self, c: &Cursor) -> Result<(), ParseError> {
        match c.peek() {
            None => Ok(()),
            Some(t) => Err(self.expected(Some(t), "the end of the line")),
        }
    }

    fn check_id(&self, id: NodeId, col: usize) -> Result<(), ParseError> {
        let n = self
            .cluster
            .as_ref()
            .map_or(0, |c| c.controllers + c.brokers) as NodeId;
        if id < 1 || id > n {
            return Err(self.err(
                col,
                format!("expected a node id between 1 and {n}, found `{id}` (no such node)"),
            ));
        }
        Ok(())
    }

    fn node_target(&self, tok: Tok) -> Result<Target, ParseError> {
        let what = "a node (an id, `leader`, `follower` or a name bound with `as`)";
        match tok.text {
            "leader" => Ok(Target::Leader),
            "follower" => Ok(Target::Follower),
            t if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => {
                let id: NodeId = t.parse().map_err(|_| self.expected(Some(tok), what))?;
                self.check_id(id, tok.col)?;
                Ok(Target::Id(id))
            }
            t if is_name(t) => {
                if self.bound.contains(t) {
                    Ok(Target::Name(t.to_string()))
                } else {
                    Err(self.err(
                        tok.col,
                        format!("expected a node, found `{t}`, which no earlier `as {t}` binds"),
                    ))
                }
            }
            _ => Err(self.expected(Some(tok), what)),
        }
    }

    /// A node reference with an optional `as <name>`.
    fn node_ref(&mut self, c: &mut Cursor) -> Result<NodeRef, ParseError> {
        let tok = self.next(c, "a node")?;
        let target = self.node_target(tok)?;
        let mut bind = None;
        if c.peek().is_some_and(|t| t.text == "as") {
            c.bump();
            let name = self.next(c, "a name after `as`")?;
            if !is_name(name.text) || is_keyword(name.text) {
                return Err(self.expected(Some(name), "a name (letters, digits, `_`, `-`, starting with a letter) that is not a keyword"));
            }
            self.bound.insert(name.text.to_string());
            bind = Some(name.text.to_string());
        }
        Ok(NodeRef { target, bind })
    }

    /// A node reference given as the value of `key=`.
    fn node_value(&self, text: &str, col: usize) -> Result<NodeRef, ParseError> {
        let target = self.node_target(Tok { text, col })?;
        Ok(NodeRef { target, bind: None })
    }

    fn number<T: std::str::FromStr>(&self, tok: Tok, what: &str) -> Result<T, ParseError> {
        tok.text.parse().map_err(|_| self.expected(Some(tok), what))
    }

    fn duration(&self, tok: Tok) -> Result<u64, ParseError> {
        parse_duration(tok.text, true)
            .ok_or_else(|| self.expected(Some(tok), "a duration like 250ms, 3s or 2m"))
    }

    fn op(&self, tok: Option<Tok>) -> Result<Op, ParseError> {
        let op = match tok.map(|t| t.text) {
            Some("==") => Op::Eq,
            Some("!=") => Op::Ne,
            Some(">=") => Op::Ge,
            Some("<=") => Op::Le,
            Some(">") => Op::Gt,
            Some("<") => Op::Lt,
            _ => return Err(self.expected(tok, "a comparison (==, !=, >=, <=, > or <)")),
        };
        Ok(op)
    }

    fn op_number(&self, c: &mut Cursor) -> Result<(Op, i64), ParseError> {
        let op = self.op(c.bump())?;
        let tok = self.next(c, "a number")?;
        Ok((op, self.number(tok, "a number")?))
    }

    fn condition(&mut self, c: &mut Cursor) -> Result<Condition, ParseError> {
        let tok = c.bump();
        let cond = match tok.map(|t| t.text) {
            Some("leader") => match c.peek() {
                None => Condition::Leader,
                Some(t) if t.text == "!=" => {
                    c.bump();
                    Condition::LeaderIsNot(self.node_ref(c)?)
                }
                Some(t) if t.text == "==" => {
                    c.bump();
                    Condition::LeaderIs(self.node_ref(c)?)
                }
                Some(_) => Condition::LeaderIs(self.node_ref(c)?),
            },
            Some("no-leader") => Condition::NoLeader,
            Some("converged") => Condition::Converged,
            Some("no-violations") => Condition::NoViolations,
            Some("epoch") => {
                let (op, n) = self.op_number(c)?;
                Condition::Epoch(op, n)
            }
            Some("elections") => {
                let (op, n) = self.op_number(c)?;
                Condition::Elections(op, n)
            }
            Some("state") => {
                let node = self.node_ref(c)?;
                let st = c.bump();
                let state = StateName::ALL
                    .into_iter()
                    .find(|s| st.is_some_and(|t| t.text == s.name()))
                    .ok_or_else(|| {
                        self.expected(st, "a state (Unattached, Prospective, Candidate, Leader, Follower, Resigned or Stopped)")
                    })?;
                Condition::State(node, state)
            }
            Some("hw") => {
                if c.peek().is_some_and(|t| is_op(t.text)) {
                    let (op, n) = self.op_number(c)?;
                    Condition::Hw(op, n)
                } else {
                    let node = self.node_ref(c)?;
                    let (op, n) = self.op_number(c)?;
                    Condition::HwOf(node, op, n)
                }
            }
            Some("leo") => {
                let node = self.node_ref(c)?;
                let (op, n) = self.op_number(c)?;
                Condition::Leo(node, op, n)
            }
            Some("refused") => {
                let node = self.node_ref(c)?;
                let mut words = Vec::new();
                while let Some(t) = c.bump() {
                    words.push(t.text);
                }
                Condition::Refused(node, words.join(" "))
            }
            Some("fenced") => Condition::Fenced(self.node_ref(c)?),
            Some("unfenced") => Condition::Unfenced(self.node_ref(c)?),
            Some("broker-state") => {
                let node = self.node_ref(c)?;
                let st = c.bump();
                let state = st
                    .and_then(|t| BrokerState::from_name(t.text))
                    .ok_or_else(|| {
                        self.expected(st, "a broker state (NOT_RUNNING, STARTING, RECOVERY, RUNNING, PENDING_CONTROLLED_SHUTDOWN or SHUTTING_DOWN)")
                    })?;
                Condition::BrokerState(node, state)
            }
            Some("topics") => {
                let (op, n) = self.op_number(c)?;
                Condition::Topics(op, n)
            }
            Some("partitions") => {
                let topic = self.next(c, "a topic name")?.text.to_string();
                let (op, n) = self.op_number(c)?;
                Condition::Partitions(topic, op, n)
            }
            Some("metadata-lag") => {
                let node = self.node_ref(c)?;
                let (op, n) = self.op_number(c)?;
                Condition::MetadataLag(node, op, n)
            }
            Some("partition") => {
                let (topic, partition) = self.topic_partition(c)?;
                let kw = c.bump();
                if kw.map(|t| t.text) != Some("leader") {
                    return Err(self.expected(kw, "`leader`"));
                }
                match c.peek() {
                    Some(t) if t.text == "!=" => {
                        c.bump();
                        Condition::PartitionLeaderNot {
                            topic,
                            partition,
                            leader: self.node_ref(c)?,
                        }
                    }
                    Some(t) if t.text == "none" => {
                        c.bump();
                        Condition::PartitionLeader {
                            topic,
                            partition,
                            leader: None,
                        }
                    }
                    _ => Condition::PartitionLeader {
                        topic,
                        partition,
                        leader: Some(self.node_ref(c)?),
                    },
                }
            }
            Some("isr") => {
                let (topic, partition) = self.topic_partition(c)?;
                let op = c.bump();
                if op.map(|t| t.text) != Some("==") {
                    return Err(self.expected(op, "`==`"));
                }
                let tok = self.next(c, "broker ids like 1,2,3")?;
                let mut isr = Vec::new();
                for part in tok.text.split(',').filter(|s| !s.is_empty()) {
                    let id: NodeId = part
                        .parse()
                        .map_err(|_| self.expected(Some(tok), "broker ids like 1,2,3"))?;
                    isr.push(id);
                }
                Condition::Isr {
                    topic,
                    partition,
                    isr,
                }
            }
            _ => return Err(self.expected(tok, CONDITIONS)),
        };
        Ok(cond)
    }

    /// `<topic>-<partition>`: the partition is after the last `-`.
    fn topic_partition(&self, c: &mut Cursor) -> Result<(String, i32), ParseError> {
        let tok = self.next(c, "a partition like orders-0")?;
        match tok.text.rsplit_once('-') {
            Some((t, p)) if !t.is_empty() => match p.parse::<i32>() {
                Ok(p) if p >= 0 => Ok((t.to_string(), p)),
                _ => Err(self.expected(Some(tok), "a partition like orders-0")),
            },
            _ => Err(self.expected(Some(tok), "a partition like orders-0")),
        }
    }

    fn key_value<'a>(&self, tok: Tok<'a>, what: &str) -> Result<(&'a str, Tok<'a>), ParseError> {
        match tok.text.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((
                k,
                Tok {
                    text: v,
                    col: tok.col + k.chars().count() + 1,
                },
            )),
            _ => Err(self.expected(Some(tok), what)),
        }
    }

    fn cluster(&mut self, c: &mut Cursor) -> Result<ClusterCmd, ParseError> {
        let mut cmd = ClusterCmd {
            controllers: 0,
            brokers: 0,
            combined: 0,
            seed: 0,
            prevote: true,
        };
        let mut seen = BTreeSet::new();
        let what = "controllers=<n>, brokers=<m>, combined=<k>, seed=<u64> or prevote=on|off";
        let mut combined_col = 0;
        while let Some(tok) = c.bump() {
            let (k, v) = self.key_value(tok, what)?;
            if !seen.insert(k.to_string()) {
                return Err(self.err(tok.col, format!("`{k}` is given twice")));
            }
            match k {
                "controllers" => cmd.controllers = self.number(v, "a number of controllers")?,
                "brokers" => cmd.brokers = self.number(v, "a number of brokers")?,
                "combined" => {
                    combined_col = v.col;
                    cmd.combined = self.number(v, "a number of combined nodes")?
                }
                "seed" => cmd.seed = self.number(v, "a seed (an unsigned 64-bit integer)")?,
                "prevote" => {
                    cmd.prevote = match v.text {
                        "on" => true,
                        "off" => false,
                        _ => return Err(self.expected(Some(v), "`on` or `off`")),
                    }
                }
                _ => return Err(self.expected(Some(tok), what)),
            }
        }
        if !seen.contains("controllers") {
            return Err(self.expected(None, "controllers=<n>"));
        }
        if cmd.controllers == 0 {
            return Err(self.err(10, "expected at least one controller".to_string()));
        }
        if cmd.controllers + cmd.brokers > MAX_NODES {
            return Err(self.err(9, format!("expected at most {MAX_NODES} nodes in all")));
        }
        if cmd.combined > cmd.controllers {
            return Err(self.err(
                combined_col,
                format!("expected combined ≤ controllers ({})", cmd.controllers),
            ));
        }
        Ok(cmd)
    }

    fn set(&mut self, c: &mut Cursor) -> Result<Command, ParseError> {
        let tok = self.next(c, "<kafka.config.name>=<value>")?;
        let (k, v) = self.key_value(tok, "<kafka.config.name>=<value>")?;
        let Some(key) = ConfigKey::from_name(k) else {
            let names: Vec<&str> = ConfigKey::ALL.iter().map(|k| k.name()).collect();
            return Err(self.err(
                tok.col,
                format!("unknown config `{k}`: expected one of {}", names.join(", ")),
            ));
        };
        let value = if key.is_bool() {
            match v.text {
                "true" => 1,
                "false" => 0,
                _ => return Err(self.expected(Some(v), "`true` or `false`")),
            }
        } else {
            let n: u64 = self.number(v, "a non-negative integer")?;
            if n < key.min_value() {
                return Err(self.err(
                    v.col,
                    format!(
                        "expected a value of at least {} for {}",
                        key.min_value(),
                        key.name()
                    ),
                ));
            }
            n
        };
        let mut node = None;
        if let Some(tok) = c.bump() {
            match tok.text.split_once('=') {
                Some(("node", id)) => {
                    node = Some(self.node_value(id, tok.col + 5)?);
                }
                _ => return Err(self.expected(Some(tok), "node=<id> or the end of the line")),
            }
        }
        self.end(c)?;
        Ok(Command::Set { key, value, node })
    }

    fn probability(&self, v: Tok) -> Result<String, ParseError> {
        match super::probability::parse_probability(v.text) {
            Some(_) => Ok(v.text.to_string()),
            None => Err(self.expected(
                Some(v),
                "a probability between 0 and 1 (a decimal like 0.05, at most 15 digits)",
            )),
        }
    }

    fn net(&mut self, c: &mut Cursor) -> Result<Command, ParseError> {
        let mut latency = None;
        let mut cmd = NetCmd {
            latency_min_ms: 0,
            latency_max_ms: 0,
            loss: None,
            dup: None,
            from: None,
            to: None,
        };
        let what = "latency=<min>..<max>, loss=<p>, dup=<p>, from=<id> or to=<id>";
        while let Some(tok) = c.bump() {
            let (k, v) = self.key_value(tok, what)?;
            match k {
                "latency" => {
                    let range = v.text.split_once("..").and_then(|(a, b)| {
                        Some((parse_duration(a, false)?, parse_duration(b, false)?))
                    });
                    match range {
                        Some((a, b)) if a <= b => latency = Some((a, b)),
                        _ => {
                            return Err(self.expected(
                                Some(v),
                                "a latency range <min>..<max> like 5..40 or 5ms..1s (min ≤ max)",
                            ))
                        }
                    }
                }
                "loss" => cmd.loss = Some(self.probability(v)?),
                "dup" => cmd.dup = Some(self.probability(v)?),
                "from" => cmd.from = Some(self.node_value(v.text, v.col)?),
                "to" => cmd.to = Some(self.node_value(v.text, v.col)?),
                _ => return Err(self.expected(Some(tok), what)),
            }
        }
        let Some((a, b)) = latency else {
            return Err(self.expected(None, "latency=<min>..<max>"));
        };
        cmd.latency_min_ms = a;
        cmd.latency_max_ms = b;
        Ok(Command::Net(cmd))
    }

    fn partition(&mut self, c: &mut Cursor) -> Result<Command, ParseError> {
        // Re-split the rest of the line on ',' and '|' so `1,2|3`, `1, 2 | 3` all work.
        let mut groups: Vec<Vec<NodeRef>> = vec![Vec::new()];
        let mut last_col = self.end_col;
        let mut any = false;
        while let Some(tok) = c.bump() {
            let mut col = tok.col;
            let mut piece_start = 0;
            let text = tok.text;
            let mut pieces: Vec<(usize, &str, Option<char>)> = Vec::new();
            for (i, ch) in text.char_indices() {
                if ch == ',' || ch == '|' {
                    pieces.push((col, &text[piece_start..i], Some(ch)));
                    piece_start = i + ch.len_utf8();
                    col = tok.col + text[..piece_start].chars().count();
                }
            }
            pieces.push((col, &text[piece_start..], None));
            for (col, piece, sep) in pieces {
                if !piece.is_empty() {
                    let node = self.node_value(piece, col)?;
                    groups.last_mut().expect("a group").push(node);
                    any = true;
                }
                if sep == Some('|') {
                    if groups.last().is_some_and(|g| g.is_empty()) {
                        return Err(self.err(col, "expected a node before `|`".to_string()));
                    }
                    groups.push(Vec::new());
                    last_col = col;
                }
            }
        }
        if !any {
            return Err(self.expected(None, "groups of nodes like 1,2 | 3,4,5"));
        }
        if groups.last().is_some_and(|g| g.is_empty()) {
            return Err(self.err(last_col, "expected a node after `|`".to_string()));
        }
        Ok(Command::Partition(groups))
    }

    fn command(&mut self, c: &mut Cursor) -> Result<Command, ParseError> {
        let Some(first) = c.bump() else {
            return Ok(Command::Blank);
        };
        if self.cluster.is_none() && first.text != "cluster" {
            return Err(self.expected(
                Some(first),
                "`cluster controllers=<n> …` as the first command",
            ));
        }
        let cmd = match first.text {
            "cluster" => {
                if self.cluster.is_some() {
                    return Err(self.err(
                        first.col,
                        "expected one `cluster` line only, found a second".to_string(),
                    ));
                }
                let cmd = self.cluster(c)?;
                self.cluster = Some(cmd.clone());
                Command::Cluster(cmd)
            }
            "set" => return self.set(c),
            "net" => return self.net(c),
            "run" => {
                let tok = self.next(c, "a duration or `until`")?;
                if tok.text == "until" {
                    // The condition runs up to an optional trailing `within <duration>`.
                    let within_at = c.toks[c.pos..]
                        .iter()
                        .rposition(|t| t.text == "within")
                        .map(|i| i + c.pos);
                    let cond_end = within_at.unwrap_or(c.toks.len());
                    let mut cond_cursor = Cursor {
                        toks: c.toks[..cond_end].to_vec(),
                        pos: c.pos,
                    };
                    let condition = self.condition(&mut cond_cursor)?;
                    self.end(&cond_cursor)?;
                    c.pos = cond_end;
                    let within_ms = if within_at.is_some() {
                        c.bump();
                        let d = self.next(c, "a duration after `within`")?;
                        Some(self.duration(d)?)
                    } else {
                        None
                    };
                    Command::RunUntil {
                        condition,
                        within_ms,
                    }
                } else {
                    Command::Run(self.duration(tok)?)
                }
            }
            "at" => {
                let tok = self.next(c, "a time like 1500ms")?;
                let at_ms = self.duration(tok)?;
                let steps = match c.bump() {
                    None => None,
                    Some(t) if t.text == "step" => {
                        let n = self.next(c, "a step count")?;
                        Some(self.number(n, "a step count (a non-negative integer)")?)
                    }
                    t => return Err(self.expected(t, "`step <n>` or the end of the line")),
                };
                Command::At { at_ms, steps }
            }
            "crash" => Command::Crash(self.node_ref(c)?),
            "shutdown" => Command::Shutdown(self.node_ref(c)?),
            "restart" => Command::Restart(self.node_ref(c)?),
            "wipe" => Command::Wipe(self.node_ref(c)?),
            "isolate" => Command::Isolate(self.node_ref(c)?),
            "snapshot" => Command::Snapshot(self.node_ref(c)?),
            "partition" => return self.partition(c),
            "cut" => {
                let from = self.node_ref(c)?;
                let arrow = c.bump();
                let both_ways = match arrow.map(|t| t.text) {
                    Some("->") => false,
                    Some("<->") => true,
                    _ => return Err(self.expected(arrow, "`->` or `<->`")),
                };
                let to = self.node_ref(c)?;
                Command::Cut {
                    from,
                    to,
                    both_ways,
                }
            }
            "heal" => Command::Heal,
            "append" => {
                let tok = self.next(c, "a number of records")?;
                let n: u32 = self.number(tok, "a number of records (1 to 100000)")?;
                if n == 0 || n > 100_000 {
                    return Err(self.expected(Some(tok), "a number of records (1 to 100000)"));
                }
                Command::Append(n)
            }
            "relax" => {
                let tok = c.bump();
                let inv = tok
                    .and_then(|t| InvariantId::from_name(t.text))
                    .ok_or_else(|| {
                        let names: Vec<&str> = InvariantId::ALL.iter().map(|i| i.name()).collect();
                        self.expected(tok, &format!("an invariant ({})", names.join(", ")))
                    })?;
                Command::Relax(inv)
            }
            "expect" => Command::Expect(self.condition(c)?),
            "create-topic" => {
                let name = self.next(c, "a topic name")?.text.to_string();
                let (mut partitions, mut replication) = (1u32, 1u32);
                while let Some(tok) = c.bump() {
                    let (k, v) = self.key_value(tok, "partitions=<n> or replication=<r>")?;
                    let n: u32 = self.number(v, "a positive number")?;
                    if n == 0 || n > 2_000_000 {
                        return Err(self.expected(Some(v), "a number from 1 to 2000000"));
                    }
                    match k {
                        "partitions" => partitions = n,
                        "replication" => replication = n,
                        _ => {
                            return Err(
                                self.expected(Some(tok), "partitions=<n> or replication=<r>")
                            )
                        }
                    }
                }
                Command::CreateTopic {
                    name,
                    partitions,
                    replication,
                }
            }
            "create-partitions" => {
                let name = self.next(c, "a topic name")?.text.to_string();
                let tok = c.bump();
                let Some(tok) = tok else {
                    return Err(self.expected(None, "count=<n>"));
                };
                let (k, v) = self.key_value(tok, "count=<n>")?;
                if k != "count" {
                    return Err(self.expected(Some(tok), "count=<n>"));
                }
                let count: u32 = self.number(v, "a positive number")?;
                if count == 0 || count > 2_000_000 {
                    return Err(self.expected(Some(v), "a number from 1 to 2000000"));
                }
                Command::CreatePartitions { name, count }
            }
            "delete-topic" => Command::DeleteTopic(self.next(c, "a topic name")?.text.to_string()),
            "elect-leaders" => {
                // kafka-leader-election.sh's election types: only PREFERRED is modelled
                // (UNCLEAN needs replicas outside the ISR to hold data, which they do not here).
                let kind = self.next(c, "`preferred`")?;
                if kind.text != "preferred" {
                    return Err(self.expected(Some(kind), "`preferred`"));
                }
                let partition = match c.peek() {
                    Some(_) => Some(self.topic_partition(c)?),
                    None => None,
                };
                Command::ElectLeaders { partition }
            }
            "set-config" => {
                let res = self.next(c, "topic:<name>")?;
                let Some(topic) = res.text.strip_prefix("topic:").filter(|t| !t.is_empty()) else {
                    return Err(self.expected(Some(res), "topic:<name>"));
                };
                let kv = self.next(c, "<key>=<value>")?;
                let (k, v) = self.key_value(kv, "<key>=<value>")?;
                Command::SetTopicConfig {
                    topic: topic.to_string(),
                    key: k.to_string(),
                    value: v.text.to_string(),
                }
            }
            "register" => Command::Register(self.node_ref(c)?),
            "server-properties" | "format" => {
                let tok = self.next(c, "a node id")?;
                let node: NodeId = self.number(tok, "a node id")?;
                self.check_id(node, tok.col)?;
                let mut entries = Vec::new();
                while let Some(t) = c.bump() {
                    let (k, v) = self.key_value(t, "<key>=<value>")?;
                    entries.push((k.to_string(), v.text.to_string()));
                }
                if first.text == "format" {
                    match entries.as_slice() {
                        [(k, v)] if k == "cluster-id" && !v.is_empty() => Command::Format {
                            node,
                            cluster_id: v.clone(),
                        },
                        _ => return Err(self.expected(None, "cluster-id=<id>")),
                    }
                } else {
                    if entries.is_empty() {
                        return Err(self.expected(None, "<key>=<value>"));
                    }
                    Command::ServerProperties { node, entries }
                }
            }
            "controlled-shutdown" => Command::ControlledShutdown(self.node_ref(c)?),
            _ => return Err(self.expected(Some(first), &format!("a command ({COMMANDS})"))),
        };
        self.end(c)?;
        Ok(cmd)
    }
}

fn is_name(t: &str) -> bool {
    let mut chars = t.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_keyword(t: &str) -> bool {
    matches!(t, "leader" | "follower" | "as" | "within" | "until")
}

fn is_op(t: &str) -> bool {
    matches!(t, "==" | "!=" | ">=" | "<=" | ">" | "<")
}

/// `250ms`, `3s`, `2m`, `1h`; without a unit (only where `bare_ms`... is false the unit
/// defaults to ms for latency ranges) a bare number is milliseconds.
pub fn parse_duration(t: &str, unit_required: bool) -> Option<u64> {
    let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = t[..digits].parse().ok()?;
    let factor = match &t[digits..] {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "" if !unit_required => 1,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// Parse a scenario file.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut p = Parser {
        line: 0,
        end_col: 1,
        cluster: None,
        bound: BTreeSet::new(),
    };
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        p.line = i + 1;
        let (code, comment) = match raw.find('#') {
            Some(at) => (&raw[..at], Some(raw[at + 1..].to_string())),
            None => (raw, None),
        };
        let code = code.trim_end();
        p.end_col = code.chars().count() + 1;
        let toks = tokenize(code);
        let mut c = Cursor { toks, pos: 0 };
        let command = if c.toks.is_empty() {
            if comment.is_some() {
                Command::Comment
            } else {
                Command::Blank
            }
        } else {
            p.command(&mut c)?
        };
        lines.push(Line {
            number: i + 1,
            command,
            comment,
        });
    }
    if p.cluster.is_none() {
        return Err(ParseError {
            line: text.lines().count().max(1),
            column: 1,
            message: "expected a `cluster controllers=<n> …` line, found none".to_string(),
        });
    }
    Ok(Scenario { lines })
}
