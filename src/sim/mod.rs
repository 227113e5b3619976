//! The deterministic world the KRaft nodes live in, in the browser and in every test:
//! a virtual clock, one event queue, a seeded network with faults, crash and restart
//! with durable state, a typed trace, invariants checked after every event, the
//! scenario language, time travel ([`Timeline`]) and the swarm fuzzer.
//!
//! Nothing here reads a clock, draws from a global random generator or iterates a
//! hash map: the same `(seed, cluster, interventions)` gives the same trace, natively
//! and in wasm.

pub mod bench;
pub mod config;
pub mod fuzz;
pub mod hash;
pub mod invariants;
pub mod net;
pub mod queue;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod timeline;
pub mod trace;
pub mod types;
pub mod views;
pub mod world;

pub use config::{ClusterSpec, ConfigKey, Roles};
pub use net::LinkSpec;
pub use scenario::{parse, Command, Condition, NodeRef, ParseError, Scenario};
pub use timeline::{Run, Timeline};
pub use trace::{InvariantId, TraceEvent, TraceKind};
pub use types::{App, SimRecord, SimSnapshot, SimTypes};
pub use world::{
    AdminProgress, Flight, FlightPayload, Intervention, InterventionError, Process, Violation,
    World,
};
