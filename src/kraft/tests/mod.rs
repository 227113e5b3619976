//! Tests of the consensus core: one module per handler or rule, each test citing the
//! KIP section it checks and asserting the whole list of actions a handler emitted;
//! oracle tests against naive versions; and three-voter runs on an in-memory harness.

mod batch_list;
mod fetch;
mod harness;
// proptest is a native-only dev-dependency.
#[cfg(not(target_arch = "wasm32"))]
mod oracle;
mod quorum_epoch;
mod scenarios;
mod snapshot;
mod startup;
mod vote;

mod support;
