//! The scenario language's syntax tree. `Display` writes it back as text the parser
//! reads again (the UI exports runs this way), comments and blank lines included.
//!
//! New commands (the metadata layer's `create-topic`, `register`, …) and conditions
//! are new enum variants: old files keep their meaning.

use crate::kraft::{NodeId, StateKind};
use crate::metadata::broker::BrokerState;
use crate::sim::config::ConfigKey;
use crate::sim::trace::InvariantId;
use std::fmt;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scenario {
    pub lines: Vec<Line>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the source (0 for generated lines).
    pub number: usize,
    pub command: Command,
    /// A `# comment` after the command, without the `#`.
    pub comment: Option<String>,
}

/// Who a node reference names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Id(NodeId),
    /// The node in Leader state with the highest epoch when the line runs.
    Leader,
    /// The lowest-id voter in Follower state when the line runs.
    Follower,
    /// A name bound earlier with `as <name>`.
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRef {
    pub target: Target,
    /// `… as <name>`: bind the resolved node to a name.
    pub bind: Option<String>,
}

impl NodeRef {
    pub fn id(id: NodeId) -> Self {
        Self {
            target: Target::Id(id),
            bind: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl Op {
    pub fn eval(self, a: i64, b: i64) -> bool {
        match self {
            Op::Eq => a == b,
            Op::Ne => a != b,
            Op::Ge => a >= b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Lt => a < b,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
        }
    }
}

/// A node's state in conditions: a KRaft state, or `Stopped`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateName {
    Raft(StateKind),
    Stopped,
}

impl StateName {
    pub const ALL: [StateName; 7] = [
        StateName::Raft(StateKind::Unattached),
        StateName::Raft(StateKind::Prospective),
        StateName::Raft(StateKind::Candidate),
        StateName::Raft(StateKind::Leader),
        StateName::Raft(StateKind::Follower),
        StateName::Raft(StateKind::Resigned),
        StateName::Stopped,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StateName::Raft(k) => k.name(),
            StateName::Stopped => "Stopped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// A leader that a majority of voters follow in its epoch.
    Leader,
    LeaderIs(NodeRef),
    LeaderIsNot(NodeRef),
    NoLeader,
    /// Highest epoch among live voters.
    Epoch(Op, i64),
    State(NodeRef, StateName),
    /// The leader's high watermark.
    Hw(Op, i64),
    HwOf(NodeRef, Op, i64),
    Leo(NodeRef, Op, i64),
    /// Leaders elected so far.
    Elections(Op, i64),
    /// Every live node has the leader's high watermark and the same committed data.
    Converged,
    NoViolations,
    /// `fenced <id>`: the active controller's image has the broker fenced.
    Fenced(NodeRef),
    /// `unfenced <id>`.
    Unfenced(NodeRef),
    /// `broker-state <id> <STATE>`.
    BrokerState(NodeRef, BrokerState),
    /// `topics <op> <n>` in the active controller's image.
    Topics(Op, i64),
    /// `partitions <topic> <op> <n>`: the topic's partition count (0 if it does not exist).
    Partitions(String, Op, i64),
    /// `partition <topic>-<p> leader <id|none>` (`None` = no leader).
    PartitionLeader {
        topic: String,
        partition: i32,
        leader: Option<NodeRef>,
    },
    /// `partition <topic>-<p> leader != <id>`.
    PartitionLeaderNot {
        topic: String,
        partition: i32,
        leader: NodeRef,
    },
    /// `isr <topic>-<p> == <id>,<id>…` (compared as sets).
    Isr {
        topic: String,
        partition: i32,
        isr: Vec<NodeId>,
    },
    /// `metadata-lag <id> <op> <n>`: offsets the node's image is behind its HW.
    MetadataLag(NodeRef, Op, i64),
    /// `refused <id> <word>…`: the node's last start was refused and its message
    /// contains these words (in order, space-separated).
    Refused(NodeRef, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterCmd {
    pub controllers: u32,
    pub brokers: u32,
    pub combined: u32,
    pub seed: u64,
    pub prevote: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetCmd {
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
    /// Probabilities as written (kept as text so the file round-trips exactly).
    pub loss: Option<String>,
    pub dup: Option<String>,
    pub from: Option<NodeRef>,
    pub to: Option<NodeRef>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Blank,
    Comment,
    Cluster(ClusterCmd),
    Set {
        key: ConfigKey,
        value: u64,
        node: Option<NodeRef>,
    },
    Net(NetCmd),
    Run(u64),
    /// `at <duration> [step <n>]`: advance to an absolute position of the run — every
    /// event due at or before the time, or (with `step`) exactly until `n` queue
    /// entries have been processed in all. Exported runs use it where several things
    /// happen within one millisecond, so that replay is exact.
    At {
        at_ms: u64,
        steps: Option<u64>,
    },
    RunUntil {
        condition: Condition,
        within_ms: Option<u64>,
    },
    Crash(NodeRef),
    Shutdown(NodeRef),
    Restart(NodeRef),
    Wipe(NodeRef),
    Isolate(NodeRef),
    Partition(Vec<Vec<NodeRef>>),
    Cut {
        from: NodeRef,
        to: NodeRef,
        both_ways: bool,
    },
    Heal,
    Append(u32),
    Snapshot(NodeRef),
    Relax(InvariantId),
    Expect(Condition),
    CreateTopic {
        name: String,
        partitions: u32,
        replication: u32,
    },
    /// `create-partitions <name> count=<n>`.
    CreatePartitions {
        name: String,
        count: u32,
    },
    DeleteTopic(String),
    /// `elect-leaders preferred [<topic>-<p>]`.
    ElectLeaders {
        partition: Option<(String, i32)>,
    },
    SetTopicConfig {
        topic: String,
        key: String,
        value: String,
    },
    Register(NodeRef),
    ControlledShutdown(NodeRef),
    /// `server-properties <id> <key>=<value>…` (an empty value removes the key).
    ServerProperties {
        node: NodeId,
        entries: Vec<(String, String)>,
    },
    /// `format <id> cluster-id=<id>`.
    Format {
        node: NodeId,
        cluster_id: String,
    },
}

/// `run until` gives up after this long by default.
pub const DEFAULT_WITHIN_MS: u64 = 60_000;

pub fn format_duration(ms: u64) -> String {
    if ms > 0 && ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms > 0 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Id(id) => write!(f, "{id}")?,
            Target::Leader => f.write_str("leader")?,
            Target::Follower => f.write_str("follower")?,
            Target::Name(n) => f.write_str(n)?,
        }
        if let Some(b) = &self.bind {
            write!(f, " as {b}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Leader => f.write_str("leader"),
            Condition::LeaderIs(n) => write!(f, "leader {n}"),
            Condition::LeaderIsNot(n) => write!(f, "leader != {n}"),
            Condition::NoLeader => f.write_str("no-leader"),
            Condition::Epoch(op, n) => write!(f, "epoch {} {n}", op.symbol()),
            Condition::State(node, s) => write!(f, "state {node} {}", s.name()),
            Condition::Hw(op, n) => write!(f, "hw {} {n}", op.symbol()),
            Condition::HwOf(node, op, n) => write!(f, "hw {node} {} {n}", op.symbol()),
            Condition::Leo(node, op, n) => write!(f, "leo {node} {} {n}", op.symbol()),
            Condition::Elections(op, n) => write!(f, "elections {} {n}", op.symbol()),
            Condition::Converged => f.write_str("converged"),
            Condition::NoViolations => f.write_str("no-violations"),
            Condition::Fenced(n) => write!(f, "fenced {n}"),
            Condition::Unfenced(n) => write!(f, "unfenced {n}"),
            Condition::BrokerState(n, s) => write!(f, "broker-state {n} {}", s.name()),
            Condition::Topics(op, n) => write!(f, "topics {} {n}", op.symbol()),
            Condition::Partitions(topic, op, n) => {
                write!(f, "partitions {topic} {} {n}", op.symbol())
            }
            Condition::PartitionLeader {
                topic,
                partition,
                leader,
            } => match leader {
                Some(l) => write!(f, "partition {topic}-{partition} leader {l}"),
                None => write!(f, "partition {topic}-{partition} leader none"),
            },
            Condition::PartitionLeaderNot {
                topic,
                partition,
                leader,
            } => write!(f, "partition {topic}-{partition} leader != {leader}"),
            Condition::Isr {
                topic,
                partition,
                isr,
            } => {
                let ids: Vec<String> = isr.iter().map(|i| i.to_string()).collect();
                write!(f, "isr {topic}-{partition} == {}", ids.join(","))
            }
            Condition::Refused(n, words) => {
                if words.is_empty() {
                    write!(f, "refused {n}")
                } else {
                    write!(f, "refused {n} {words}")
                }
            }
            Condition::MetadataLag(n, op, v) => {
                write!(f, "metadata-lag {n} {} {v}", op.symbol())
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Blank | Command::Comment => Ok(()),
            Command::Cluster(c) => {
                write!(f, "cluster controllers={}", c.controllers)?;
                if c.brokers != 0 {
                    write!(f, " brokers={}", c.brokers)?;
                }
                if c.combined != 0 {
                    write!(f, " combined={}", c.combined)?;
                }
                if c.seed != 0 {
                    write!(f, " seed={}", c.seed)?;
                }
                if !c.prevote {
                    f.write_str(" prevote=off")?;
                }
                Ok(())
            }
            Command::Set { key, value, node } => {
                write!(f, "set {}={}", key.name(), key.format_value(*value))?;
                if let Some(n) = node {
                    write!(f, " node={n}")?;
                }
                Ok(())
            }
            Command::Net(n) => {
                write!(
                    f,
                    "net latency={}..{}",
                    format_duration(n.latency_min_ms),
                    format_duration(n.latency_max_ms)
                )?;
                if let Some(l) = &n.loss {
                    write!(f, " loss={l}")?;
                }
                if let Some(d) = &n.dup {
                    write!(f, " dup={d}")?;
                }
                if let Some(x) = &n.from {
                    write!(f, " from={x}")?;
                }
                if let Some(x) = &n.to {
                    write!(f, " to={x}")?;
                }
                Ok(())
            }
            Command::Run(ms) => write!(f, "run {}", format_duration(*ms)),
            Command::At { at_ms, steps } => {
                write!(f, "at {}", format_duration(*at_ms))?;
                if let Some(n) = steps {
                    write!(f, " step {n}")?;
                }
                Ok(())
            }
            Command::RunUntil {
                condition,
                within_ms,
            } => {
                write!(f, "run until {condition}")?;
                if let Some(w) = within_ms {
                    write!(f, " within {}", format_duration(*w))?;
                }
                Ok(())
            }
            Command::Crash(n) => write!(f, "crash {n}"),
            Command::Shutdown(n) => write!(f, "shutdown {n}"),
            Command::Restart(n) => write!(f, "restart {n}"),
            Command::Wipe(n) => write!(f, "wipe {n}"),
            Command::Isolate(n) => write!(f, "isolate {n}"),
            Command::Partition(groups) => {
                f.write_str("partition")?;
                for (i, g) in groups.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { " | " })?;
                    for (j, n) in g.iter().enumerate() {
                        if j > 0 {
                            f.write_str(",")?;
                        }
                        write!(f, "{n}")?;
                    }
                }
                Ok(())
            }
            Command::Cut {
                from,
                to,
                both_ways,
            } => write!(
                f,
                "cut {from} {} {to}",
                if *both_ways { "<->" } else { "->" }
            ),
            Command::Heal => f.write_str("heal"),
            Command::Append(n) => write!(f, "append {n}"),
            Command::Snapshot(n) => write!(f, "snapshot {n}"),
            Command::Relax(i) => write!(f, "relax {i}"),
            Command::Expect(c) => write!(f, "expect {c}"),
            Command::CreateTopic {
                name,
                partitions,
                replication,
            } => write!(
                f,
                "create-topic {name} partitions={partitions} replication={replication}"
            ),
            Command::CreatePartitions { name, count } => {
                write!(f, "create-partitions {name} count={count}")
            }
            Command::DeleteTopic(name) => write!(f, "delete-topic {name}"),
            Command::ElectLeaders { partition } => match partition {
                Some((topic, p)) => write!(f, "elect-leaders preferred {topic}-{p}"),
                None => f.write_str("elect-leaders preferred"),
            },
            Command::SetTopicConfig { topic, key, value } => {
                write!(f, "set-config topic:{topic} {key}={value}")
            }
            Command::Register(n) => write!(f, "register {n}"),
            Command::ControlledShutdown(n) => write!(f, "controlled-shutdown {n}"),
            Command::ServerProperties { node, entries } => {
                write!(f, "server-properties {node}")?;
                for (k, v) in entries {
                    write!(f, " {k}={v}")?;
                }
                Ok(())
            }
            Command::Format { node, cluster_id } => {
                write!(f, "format {node} cluster-id={cluster_id}")
            }
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.command.to_string();
        match &self.comment {
            Some(c) if body.is_empty() => write!(f, "#{c}"),
            Some(c) => write!(f, "{body}  #{c}"),
            None => f.write_str(&body),
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

impl Scenario {
    /// Append a generated line (number 0).
    pub fn push(&mut self, command: Command) {
        self.lines.push(Line {
            number: 0,
            command,
            comment: None,
        });
    }

    /// Renumber lines 1.. as they will appear when written out.
    pub fn renumber(&mut self) {
        for (i, l) in self.lines.iter_mut().enumerate() {
            l.number = i + 1;
        }
    }
}
