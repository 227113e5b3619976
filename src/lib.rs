//! KRaftScope: Apache Kafka's KRaft consensus and cluster metadata log, run for real
//! inside a browser page (or natively, in tests and the command line).
//!
//! Layers point one way (see `../shared/DESIGN.md`):
//! `kraft` → `metadata` → `server` → `sim` → `ui`. Nothing below `ui` knows Yew,
//! the DOM or wasm; nothing in `kraft`, `metadata` or `server` reads a clock, draws a
//! random number or does I/O.

pub mod kraft;
pub mod metadata;
pub mod ordered;
pub mod server;
pub mod sim;
pub mod ui;

pub use ui::App;
