//! One simulated Kafka process's configuration and disk: `server.properties` parsed and
//! validated with Kafka's rules and messages, the files a cluster starts with, and
//! `kafka-storage.sh format` with the startup checks of `meta.properties`.
//!
//! - [`properties`]: Java `.properties` text with line numbers.
//! - [`config`]: [`ServerConfig`], its defaults (Kafka's) and its text form.
//! - `validate`: `KafkaConfig.validateValues` for KRaft mode (private; reached through
//!   [`ServerConfig::parse`]).
//! - [`uuid`]: Kafka's base64 [`Uuid`] (cluster and directory ids).
//! - [`storage`]: [`MetaProperties`], [`format`](fn@format), [`check_startup`].
//!
//! Like `kraft` and `metadata`, this layer never reads a clock, draws a random number or does
//! I/O: file contents are strings, the disk is a [`Storage`] value, and random ids are built
//! from bytes the caller hands in. Iteration is over ordered collections only.

pub mod config;
pub mod properties;
pub mod storage;
pub mod uuid;
mod validate;

pub use config::{
    ConfigError, ConfigErrors, ConfigWarning, Endpoint, HostPort, NodeId, ProcessRoles,
    QuorumVoter, SecurityProtocol, ServerConfig,
};
pub use storage::{
    check_startup, format, BootstrapMetadata, DynamicVoter, FormatError, FormatOptions,
    InitialControllers, LogDir, MetaProperties, MetaPropertiesError, StartupError, Storage,
};
pub use uuid::{Uuid, UuidError};
