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
//! [`parse`](fn@parse) gives a [`Scenario`] (its `Display` writes the same file back);
//! [`Runner`] executes one against a [`crate::sim::World`], line by line.

pub mod ast;
pub mod parse;
pub mod runner;

pub use ast::{
    ClusterCmd, Command, Condition, Line, NetCmd, NodeRef, Op, Scenario, StateName, Target,
    DEFAULT_WITHIN_MS,
};
pub use parse::{parse, ParseError};
pub use runner::{run_scenario, Expectation, Outcome, RunOptions, Runner};
