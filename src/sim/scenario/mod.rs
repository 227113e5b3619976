//! The scenario language: one plain-text format for tests, lessons, bug reports, the
//! command line and the UI's import/export.
//!
//! ```text
//! cluster controllers=3 brokers=1 seed=7
//! run until leader within 10s
//! crash leader as old
//! run until leader != old within 10s
//! append 5
//! run until converged
//! expect no-violations
//! ```
//!
//! # Reference (version 1)
//! One command per line; `#` starts a comment; blank lines are fine. Durations take a
//! unit: `250ms`, `3s`, `2m`, `1h`. A *node* is a `node.id`, `leader` (the node in
//! Leader state with the highest epoch when the line runs; an error if none),
//! `follower` (the lowest-id voter in Follower state), or a name bound earlier by
//! `<node> as <name>`. Ids that do not exist and names never bound are errors before
//! anything runs.
//!
//! | command | meaning |
//! |---|---|
//! | `cluster controllers=<n> [brokers=<m>] [combined=<k>] [seed=<u64>] [prevote=on\|off]` | first command, once. Voters are ids 1..=n, brokers (observers) n+1..=n+m; the first k controllers also have the broker role. Defaults brokers=0 combined=0 seed=0 prevote=on (off = Kafka 3.9) |
//! | `set <name>=<value> [node=<node>]` | a quorum config for every node or one; before the cluster starts (see [`runner`]) it sets the first start, later it takes effect at the node's next restart. Names: `controller.quorum.{election.timeout,fetch.timeout,election.backoff.max,request.timeout,retry.backoff,append.linger}.ms`, `metadata.max.retention.bytes`, and the non-Kafka switches `kraftscope.fetch.max.wait.ms`, `kraftscope.prevote` (true/false), `kraftscope.prevote.after.resign` (the KAFKA-20895 fix), `kraftscope.test-only.vote-without-log-check` (a deliberately broken rule); the metadata layer's `broker.heartbeat.interval.ms` (2000), `broker.session.timeout.ms` (9000), `metadata.max.idle.interval.ms` (500), `metadata.log.max.record.bytes.between.snapshots` (8192, scaled from Kafka's 20 MiB), and the controller's preferred-leader balancing, `auto.leader.rebalance.enable` (true) and `leader.imbalance.check.interval.seconds` (300) |
//! | `net latency=<min>..<max> [loss=<p>] [dup=<p>] [from=<node>] [to=<node>]` | link behaviour for new messages (default 5..15 ms, no loss, no duplication) |
//! | `run <duration>` / `run until <condition> [within <duration>]` | advance the clock; `until` stops as soon as the condition holds and fails the line if it does not within the bound (default 60 s) |
//! | `at <time> [step <n>]` | advance to an absolute position: every event due at or before `<time>`, or with `step` exactly until the run has processed `n` queue entries (none later than `<time>`); fails if the run is already past it. Exported runs ([`export`]) use it when an intervention sits between events of one millisecond |
//! | `crash` / `shutdown` / `restart` / `wipe` / `isolate` `<node>` | hard crash (the unflushed tail is lost), graceful shutdown (5 s timeout), restart from disk, disk loss (stopped nodes only), cut from everyone |
//! | `partition <nodes> \| <nodes> [\| ...]` | groups that only talk within themselves (`1,2 \| 3,4,5`); unlisted nodes join the last group |
//! | `cut <a> -> <b>` / `cut <a> <-> <b>` / `heal` | one-way or two-way link cut; `heal` removes every partition, cut and isolation |
//! | `append <n>` | the leader appends n counter test records (dropped, and traced, if there is no leader); the metadata loader skips them |
//! | `create-topic <name> partitions=<n> replication=<r>` | CreateTopics at the active controller: TopicRecord + PartitionRecords (round-robin over unfenced brokers, ISR = replicas, leader = first); refused (and traced) without an active controller or enough unfenced brokers. Kafka caps one request at 10,000 records, so above 9,999 partitions it acts as an admin tool (`World`'s `admin` module): one CreateTopics of 9,999, then CreatePartitions of up to 10,000 more each, each sent once the previous one committed; `run until partitions <name> == <n>` waits for all of them |
//! | `create-partitions <name> count=<n>` | CreatePartitions: raise the topic's partition count to n (at most 10,000 more; the striping continues); a count not above the current one is INVALID_PARTITIONS |
//! | `delete-topic <name>` / `set-config topic:<name> <key>=<value>` | a RemoveTopicRecord / a ConfigRecord |
//! | `elect-leaders preferred [<topic>-<p>]` | ElectLeaders (PREFERRED, as `kafka-leader-election.sh --election-type preferred`) for one partition or all: each imbalanced partition whose preferred replica is in the ISR, unfenced and not shutting down gets it back as leader; ELECTION_NOT_NEEDED / PREFERRED_LEADER_NOT_AVAILABLE are refusals in the trace |
//! | `register <node>` / `controlled-shutdown <node>` | the broker registers again now / asks to shut down (WantShutDown) and stops once the controller says it may |
//! | `server-properties <id> <key>=<value>…` | edit the node's server.properties (an empty value removes the key); validated with Kafka's rules at its next start (before the cluster starts: its first) |
//! | `format <id> cluster-id=<id>` | the node's meta.properties cluster id (`kafka-storage.sh format -t`); another cluster's id is refused at start with INCONSISTENT_CLUSTER_ID |
//! | `snapshot <node>` | the node writes a snapshot of its state machine at its high watermark |
//! | `relax <Invariant>` | stop checking one invariant (disk-loss scenarios) |
//! | `expect <condition>` | a check; the file fails if any check fails or any invariant is violated |
//!
//! Conditions: `leader` (a leader a majority of voters follow in its epoch), `leader
//! <node>`, `leader != <node>`, `no-leader`, `epoch <op> <n>` (highest among live
//! voters), `state <node> <State>` (Unattached, Prospective, Candidate, Leader,
//! Follower, Resigned or Stopped), `hw <op> <n>` (the leader's), `hw <node> <op> <n>`,
//! `leo <node> <op> <n>`, `elections <op> <n>` (leaders elected so far), `converged`
//! (every live node has the leader's high watermark and the same committed data),
//! `no-violations`; metadata: `fenced <node>` / `unfenced <node>`, `topics <op> <n>`,
//! `partitions <topic> <op> <n>` (0 while the topic does not exist),
//! `partition <topic>-<p> leader <node|none>`, `partition <topic>-<p> leader != <node>`,
//! `isr <topic>-<p> == <id>,<id>…` (as sets) — all read the majority leader's committed
//! image — `broker-state <node> <STATE>` (NOT_RUNNING, STARTING, RECOVERY, RUNNING,
//! PENDING_CONTROLLED_SHUTDOWN, SHUTTING_DOWN), `metadata-lag <node> <op> <n>` (offsets
//! its image is behind its high watermark), `refused <node> [words…]` (its last start was
//! refused, with a message containing the words). `converged` also requires every live
//! node's metadata image to equal the leader's. Ops: `== != >= <= > <`.
//!
//! Errors read `line:column: expected …, found …` at the offending token.
//!
//! [`parse`](fn@parse) gives a [`Scenario`] (its `Display` writes the same file back);
//! [`Runner`] executes one against a [`crate::sim::World`], line by line. New commands
//! (the metadata layer's topics and brokers) are new [`Command`] variants: old files
//! keep their meaning.

pub mod ast;
pub mod export;
pub mod parse;
pub mod probability;
pub mod runner;

pub use ast::{
    ClusterCmd, Command, Condition, Line, NetCmd, NodeRef, Op, Scenario, StateName, Target,
    DEFAULT_WITHIN_MS,
};
pub use export::{export, import, validate_run, ImportError, Imported, RunError};
pub use parse::{parse, ParseError};
pub use runner::{run_scenario, Expectation, Outcome, RunOptions, Runner};
