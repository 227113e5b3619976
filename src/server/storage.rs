//! A node's log directories as `kafka-storage.sh format` leaves them, and the checks a Kafka
//! node makes of them when it starts.
//!
//! - [`MetaProperties`]: the `meta.properties` file of each log directory (`version=1`,
//!   `cluster.id`, `node.id`, `directory.id`), rendered and parsed as text.
//! - [`format`](fn@format): `kafka-storage.sh format -t <cluster-id> -c server.properties [flags]`
//!   (`StorageTool.runFormatCommand` and `metadata/.../storage/Formatter.java`).
//! - [`check_startup`]: `KafkaRaftServer.initializeLogDirs` and
//!   `MetaPropertiesEnsemble.verify`, plus the cluster-id check a node meets when it joins a
//!   cluster (Kafka's `InconsistentClusterIdException` / `INCONSISTENT_CLUSTER_ID`).
//!
//! The "disk" is a [`Storage`] value the caller owns. Nothing here touches a file, a clock or
//! a random generator: where Kafka draws a random UUID, the caller passes the bytes.

use crate::ordered::ordered;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::config::{NodeId, ServerConfig, QUORUM_BOOTSTRAP_SERVERS, QUORUM_VOTERS};
use super::properties::{render_entry, Properties};
use super::uuid::Uuid;

/// The file `kafka-storage.sh format` writes into every log directory.
pub const META_PROPERTIES_NAME: &str = "meta.properties";

/// The `metadata.version` a format without `--release-version` records: Kafka 4.1's latest
/// production version. The metadata layer decides what the version means.
pub const DEFAULT_RELEASE_VERSION: &str = "4.1-IV1";

/// How many draws of caller bytes to try before giving up on a usable UUID. Kafka loops
/// forever; a caller whose bytes are never usable has a bug, and a bounded loop reports it.
const MAX_UUID_DRAWS: usize = 64;

// ---------------------------------------------------------------------------------------------
// meta.properties
// ---------------------------------------------------------------------------------------------

/// One log directory's `meta.properties` (`MetaProperties.java`, version 1: KRaft).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaProperties {
    /// Always 1 here: version 0 is ZooKeeper-era and version 2 is not written by format.
    pub version: u32,
    pub cluster_id: String,
    pub node_id: NodeId,
    pub directory_id: Option<Uuid>,
}

/// Why a `meta.properties` text cannot be read, in the words of `MetaProperties.Builder`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MetaPropertiesError(pub String);

impl MetaProperties {
    /// A version-1 file.
    pub fn new(cluster_id: impl Into<String>, node_id: NodeId, directory_id: Option<Uuid>) -> Self {
        MetaProperties {
            version: 1,
            cluster_id: cluster_id.into(),
            node_id,
            directory_id,
        }
    }

    /// The file as Kafka writes it with `Properties.store(writer, "")`: an empty comment line,
    /// then the entries. Java adds a date comment line, which a clock-free simulation cannot
    /// write; it is left out. The key order is the one real files show (Java's hash order).
    pub fn to_properties_text(&self) -> String {
        let mut lines = vec!["#".to_string()];
        lines.push(render_entry("node.id", &self.node_id.to_string()));
        if let Some(id) = self.directory_id {
            lines.push(render_entry("directory.id", &id.to_string()));
        }
        lines.push(render_entry("version", &self.version.to_string()));
        lines.push(render_entry("cluster.id", &self.cluster_id));
        lines.join("\n") + "\n"
    }

    /// Reads a `meta.properties` text (`new MetaProperties.Builder(props).build()`).
    pub fn parse(text: &str) -> Result<MetaProperties, MetaPropertiesError> {
        let props = Properties::parse(text).map_err(|e| MetaPropertiesError(e.to_string()))?;
        let get = |key: &str| props.get(key).map(|p| p.value.clone());
        let version_text = get("version").unwrap_or_else(|| "0".to_string());
        let version: i64 = version_text.trim().parse().map_err(|_| {
            MetaPropertiesError(format!(
                "Invalid meta.properties version string '{version_text}'"
            ))
        })?;
        match version {
            1 => {}
            0 | 2 => {
                return Err(MetaPropertiesError(format!(
                    "Unsupported meta.properties version {version}: KRaftScope reads the version 1 files kafka-storage.sh format writes"
                )))
            }
            other => {
                return Err(MetaPropertiesError(format!(
                    "Unknown meta.properties version number {other}"
                )))
            }
        }
        let node_text = get("node.id")
            .ok_or_else(|| MetaPropertiesError("Failed to find node.id".to_string()))?;
        let node_id: NodeId = node_text.parse().map_err(|_| {
            MetaPropertiesError("Unable to read node.id as a base-10 number.".to_string())
        })?;
        let cluster_id = get("cluster.id")
            .ok_or_else(|| MetaPropertiesError("cluster.id was not found.".to_string()))?;
        let directory_id = match get("directory.id") {
            None => None,
            Some(text) => Some(Uuid::parse(&text).map_err(|e| {
                MetaPropertiesError(format!("Unable to read directory.id as a Uuid: {e}"))
            })?),
        };
        Ok(MetaProperties {
            version: 1,
            cluster_id,
            node_id,
            directory_id,
        })
    }
}

impl fmt::Display for MetaProperties {
    /// `MetaProperties.toString()`, as Kafka logs it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MetaProperties(version={}, clusterId={}, nodeId={}",
            self.version, self.cluster_id, self.node_id
        )?;
        if let Some(id) = self.directory_id {
            write!(f, ", directoryId={id}")?;
        }
        f.write_str(")")
    }
}

/// `DirectoryId.reserved`: most significant long 0 and least significant long below 100.
/// Kafka compares the signed long, so a negative one counts as reserved too.
pub fn is_reserved_directory_id(id: &Uuid) -> bool {
    let bytes = id.as_bytes();
    let most = u64::from_be_bytes(bytes[..8].try_into().unwrap_or([0; 8]));
    let least = i64::from_be_bytes(bytes[8..].try_into().unwrap_or([0; 8]));
    most == 0 && least < 100
}

// ---------------------------------------------------------------------------------------------
// KIP-853 initial controllers
// ---------------------------------------------------------------------------------------------

/// One `--initial-controllers` entry: `id@host:port:directoryId` (`DynamicVoter.java`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DynamicVoter {
    pub node_id: NodeId,
    pub host: String,
    pub port: u16,
    pub directory_id: Uuid,
}

impl DynamicVoter {
    /// `DynamicVoter.parse`, with its messages.
    pub fn parse(input: &str) -> Result<DynamicVoter, FormatError> {
        let fail = |m: &str| Err(FormatError(m.to_string()));
        let input = input.trim();
        let Some(at) = input.find('@') else {
            return fail("No @ found in dynamic voter string.");
        };
        if at == 0 {
            return fail("Invalid @ at beginning of dynamic voter string.");
        }
        let Ok(node_id) = input[..at].parse::<NodeId>() else {
            return fail("Failed to parse node id in dynamic voter string.");
        };
        if node_id < 0 {
            return Err(FormatError(format!(
                "Invalid negative node id {node_id} in dynamic voter string."
            )));
        }
        let mut rest = &input[at + 1..];
        if rest.is_empty() {
            return fail("No hostname found after node id.");
        }
        let host;
        if let Some(bracketed) = rest.strip_prefix('[') {
            let Some(end) = bracketed.find(']') else {
                return fail("Hostname began with left bracket, but no right bracket was found.");
            };
            host = &bracketed[..end];
            rest = &bracketed[end + 1..];
        } else {
            let Some(colon) = rest.find(':') else {
                return fail("No colon following hostname could be found.");
            };
            host = &rest[..colon];
            rest = &rest[colon..];
        }
        let Some(rest) = rest.strip_prefix(':') else {
            return fail("Port section must start with a colon.");
        };
        let Some(colon) = rest.find(':') else {
            return fail("No colon following port could be found.");
        };
        let Ok(port) = rest[..colon].parse::<i64>() else {
            return fail("Failed to parse port in dynamic voter string.");
        };
        let Ok(port) = u16::try_from(port) else {
            return Err(FormatError(format!(
                "Invalid port {port} in dynamic voter string."
            )));
        };
        let Ok(directory_id) = Uuid::parse(&rest[colon + 1..]) else {
            return fail("Failed to parse directory ID in dynamic voter string.");
        };
        Ok(DynamicVoter {
            node_id,
            host: host.to_string(),
            port,
            directory_id,
        })
    }

    /// `DynamicVoters.parse`: comma-separated, at least one, no id twice; sorted by id.
    pub fn parse_list(input: &str) -> Result<Vec<DynamicVoter>, FormatError> {
        let mut voters: BTreeMap<NodeId, DynamicVoter> = BTreeMap::new();
        for entry in input.trim().split(',').filter(|s| !s.is_empty()) {
            let voter = DynamicVoter::parse(entry)?;
            let id = voter.node_id;
            if voters.insert(id, voter).is_some() {
                return Err(FormatError(format!(
                    "Node id {id} was specified more than once."
                )));
            }
        }
        if voters.is_empty() {
            return Err(FormatError("No voters given.".to_string()));
        }
        Ok(voters.into_values().collect())
    }
}

impl fmt::Display for DynamicVoter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(
                f,
                "{}@[{}]:{}:{}",
                self.node_id, self.host, self.port, self.directory_id
            )
        } else {
            write!(
                f,
                "{}@{}:{}:{}",
                self.node_id, self.host, self.port, self.directory_id
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The disk
// ---------------------------------------------------------------------------------------------

/// What format writes besides `meta.properties`: `bootstrap.checkpoint` (every directory)
/// and, for a dynamic quorum, the `00000000000000000000-0000000000.checkpoint` bootstrap
/// snapshot of the metadata directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootstrapMetadata {
    /// `metadata.version`, e.g. `4.1-IV1`.
    pub release_version: String,
    /// `kraft.version`: 1 for a dynamic quorum (KIP-853), 0 for static voters.
    pub kraft_version: u8,
}

/// One log directory. A directory absent from [`Storage`] is empty (or does not exist yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogDir {
    /// The text of `meta.properties`; `None` before formatting. Text that does not parse is
    /// what Kafka calls an error directory (it logs, and ignores the directory).
    pub meta_properties: Option<String>,
    pub bootstrap: Option<BootstrapMetadata>,
    /// The voter set of the bootstrap snapshot (KIP-853): only in the metadata directory of a
    /// node formatted with `--standalone` or `--initial-controllers`.
    pub bootstrap_voters: Option<Vec<DynamicVoter>>,
}

/// A node's disk: its log directories by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Storage {
    pub log_dirs: BTreeMap<String, LogDir>,
}

impl Storage {
    /// The `meta.properties` text of `dir`, if any.
    pub fn meta_properties_text(&self, dir: &str) -> Option<&str> {
        self.log_dirs.get(dir)?.meta_properties.as_deref()
    }
}

/// `new File(logDir, "meta.properties").toString()`.
pub fn meta_properties_path(dir: &str) -> String {
    format!("{}/{META_PROPERTIES_NAME}", dir.trim_end_matches('/'))
}

/// The directories after `MetaPropertiesEnsemble.Loader.load()`.
struct Ensemble {
    empty: BTreeSet<String>,
    errors: BTreeSet<String>,
    props: BTreeMap<String, MetaProperties>,
}

fn load_ensemble(storage: &Storage, dirs: &BTreeSet<String>) -> Ensemble {
    let mut ensemble = Ensemble {
        empty: BTreeSet::new(),
        errors: BTreeSet::new(),
        props: BTreeMap::new(),
    };
    for dir in dirs {
        match storage.meta_properties_text(dir) {
            None => {
                ensemble.empty.insert(dir.clone());
            }
            Some(text) => match MetaProperties::parse(text) {
                Ok(meta) => {
                    ensemble.props.insert(dir.clone(), meta);
                }
                Err(_) => {
                    ensemble.errors.insert(dir.clone());
                }
            },
        }
    }
    ensemble
}

/// `MetaPropertiesEnsemble.verify` without flags: every formatted directory agrees on the
/// cluster id and node id and has a usable, unique directory id.
fn verify_ensemble(
    ensemble: &Ensemble,
    mut expected_cluster_id: Option<String>,
    expected_node_id: NodeId,
) -> Result<(), String> {
    let mut seen: BTreeMap<Uuid, &str> = BTreeMap::new();
    for (dir, meta) in &ensemble.props {
        let path = meta_properties_path(dir);
        match &expected_cluster_id {
            None => expected_cluster_id = Some(meta.cluster_id.clone()),
            Some(expected) if *expected != meta.cluster_id => {
                return Err(format!(
                    "Invalid cluster.id in: {path}. Expected {expected}, but read {}",
                    meta.cluster_id
                ));
            }
            Some(_) => {}
        }
        if meta.node_id != expected_node_id {
            return Err(format!(
                "Stored node id {} doesn't match previous node id {expected_node_id} in {path}. \
                 If you moved your data, make sure your configured node id matches. \
                 If you intend to create a new node, you should remove all data in your data directories.",
                meta.node_id
            ));
        }
        if let Some(id) = meta.directory_id {
            if is_reserved_directory_id(&id) {
                // "resrved" is Kafka's spelling.
                return Err(format!("Invalid resrved directory ID {id} found in {dir}"));
            }
            if let Some(previous) = seen.insert(id, dir) {
                return Err(format!(
                    "Duplicate directory ID Optional[{id}] found. It was the ID of {previous}, but also of {dir}"
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// kafka-storage.sh format
// ---------------------------------------------------------------------------------------------

/// The KIP-853 flags of `kafka-storage.sh format` (argparse makes them mutually exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitialControllers {
    /// None of the three flags.
    NotGiven,
    /// `--standalone`: this controller alone is the initial voter set.
    Standalone,
    /// `--initial-controllers id@host:port:dirId,...`.
    List(String),
    /// `--no-initial-controllers`: the voter set will come from other controllers.
    NoInitialControllers,
}

/// The options of `kafka-storage.sh format` that KRaftScope models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// `-t` / `--cluster-id`.
    pub cluster_id: String,
    /// `-g` / `--ignore-formatted`.
    pub ignore_formatted: bool,
    pub initial_controllers: InitialControllers,
    /// `-r` / `--release-version`; [`DEFAULT_RELEASE_VERSION`] when `None`.
    pub release_version: Option<String>,
}

impl FormatOptions {
    /// `format -t <cluster_id>` and no other flag.
    pub fn new(cluster_id: impl Into<String>) -> FormatOptions {
        FormatOptions {
            cluster_id: cluster_id.into(),
            ignore_formatted: false,
            initial_controllers: InitialControllers::NotGiven,
            release_version: None,
        }
    }
}

/// Why format refused, as `kafka-storage.sh` prints it on stderr before exiting with 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// Formats `config`'s log directories in `storage`, as `kafka-storage.sh format` does, and
/// returns what it prints. `random_bytes` stands in for Kafka's random UUIDs (directory ids,
/// and the `--standalone` voter's directory id); the simulator feeds it from its seeded RNG.
/// On error, `storage` is left unchanged.
pub fn format(
    config: &ServerConfig,
    storage: &mut Storage,
    options: &FormatOptions,
    random_bytes: &mut dyn FnMut() -> [u8; 16],
) -> Result<Vec<String>, FormatError> {
    // StorageTool.buildMetadataProperties (Kafka 3.x checks the id here; 4.x's Formatter takes
    // the string as given, but a cluster id that is not a UUID is still a mistake).
    if let Err(e) = Uuid::parse(&options.cluster_id) {
        return Err(FormatError(format!(
            "Cluster ID string {} does not appear to be a valid UUID: {e}",
            options.cluster_id
        )));
    }

    let static_voters = !config.controller_quorum_voters.is_empty();
    let mut initial_voters: Option<Vec<DynamicVoter>> = None;
    match &options.initial_controllers {
        InitialControllers::List(_) | InitialControllers::Standalone if static_voters => {
            return Err(FormatError(format!(
                "You cannot specify {QUORUM_VOTERS} and format the node with --initial-controllers or --standalone. \
                 If you want to use dynamic quorum, please remove {QUORUM_VOTERS} and specify {QUORUM_BOOTSTRAP_SERVERS} instead."
            )));
        }
        InitialControllers::List(text) => initial_voters = Some(DynamicVoter::parse_list(text)?),
        InitialControllers::Standalone => {
            initial_voters = Some(vec![standalone_voter(config, random_bytes)?]);
        }
        InitialControllers::NotGiven => {
            if config.is_controller() && !static_voters {
                return Err(FormatError(format!(
                    "Because {QUORUM_VOTERS} is not set on this controller, you must specify one of the following: \
                     --standalone, --initial-controllers, or --no-initial-controllers."
                )));
            }
        }
        InitialControllers::NoInitialControllers => {}
    }
    // Kafka 4.x: a node without static voters belongs to a dynamic quorum, kraft.version 1.
    let dynamic_quorum = !static_voters;
    let bootstrap = BootstrapMetadata {
        release_version: options
            .release_version
            .clone()
            .unwrap_or_else(|| DEFAULT_RELEASE_VERSION.to_string()),
        kraft_version: u8::from(dynamic_quorum),
    };

    let directories = config.storage_directories();
    let metadata_dir = config.metadata_log_dir().to_string();
    let ensemble = load_ensemble(storage, &directories);
    verify_ensemble(&ensemble, Some(options.cluster_id.clone()), config.node_id)
        .map_err(FormatError)?;
    if !options.ignore_formatted {
        if let Some(first) = ensemble.props.keys().next() {
            return Err(FormatError(format!(
                "Log directory {first} is already formatted. Use --ignore-formatted to ignore this directory and format the others."
            )));
        }
    }
    let mut printed: Vec<String> = ensemble
        .errors
        .iter()
        .map(|dir| format!("I/O error trying to read log directory {dir}. Ignoring..."))
        .collect();
    if !ensemble.errors.is_empty() && ensemble.empty.is_empty() && ensemble.props.is_empty() {
        return Err(FormatError(
            "No available log directories to format.".to_string(),
        ));
    }
    if ensemble.empty.is_empty() {
        printed.push("All of the log directories are already formatted.".to_string());
        return Ok(printed);
    }

    // Decide every directory's contents before writing any, so an error leaves the disk as
    // it was.
    let mut used_ids: BTreeSet<_> = ordered(ensemble.props.values().filter_map(|m| m.directory_id));
    let mut writes: Vec<(String, LogDir)> = Vec::new();
    for dir in &ensemble.empty {
        let voter_dir_id = initial_voters
            .as_ref()
            .filter(|_| *dir == metadata_dir)
            .and_then(|voters| voters.iter().find(|v| v.node_id == config.node_id))
            .map(|v| v.directory_id);
        let (description, directory_id) =
            match (*dir == metadata_dir, &initial_voters, voter_dir_id) {
                (false, _, _) => ("data directory", new_directory_id(&used_ids, random_bytes)?),
                (true, None, _) => (
                    "metadata directory",
                    new_directory_id(&used_ids, random_bytes)?,
                ),
                (true, Some(_), Some(id)) => ("dynamic metadata voter directory", id),
                (true, Some(_), None) => (
                    "dynamic metadata directory",
                    new_directory_id(&used_ids, random_bytes)?,
                ),
            };
        used_ids.insert(directory_id);
        printed.push(format!(
            "Formatting {description} {dir} with metadata.version {}.",
            bootstrap.release_version
        ));
        let meta = MetaProperties::new(
            options.cluster_id.clone(),
            config.node_id,
            Some(directory_id),
        );
        let bootstrap_voters = initial_voters.clone().filter(|_| *dir == metadata_dir);
        writes.push((
            dir.clone(),
            LogDir {
                meta_properties: Some(meta.to_properties_text()),
                bootstrap: Some(bootstrap.clone()),
                bootstrap_voters,
            },
        ));
    }
    storage.log_dirs.extend(writes);
    Ok(printed)
}

/// `StorageTool.createStandaloneDynamicVoters`: this node, at its first advertised controller
/// listener (host `localhost` when the listener has none), with a fresh directory id.
fn standalone_voter(
    config: &ServerConfig,
    random_bytes: &mut dyn FnMut() -> [u8; 16],
) -> Result<DynamicVoter, FormatError> {
    if !config.is_controller() {
        return Err(FormatError(
            "You can only use --standalone on a controller.".to_string(),
        ));
    }
    let listeners = config.effective_advertised_controller_listeners();
    let Some(listener) = listeners.first() else {
        return Err(FormatError("No controller listeners found.".to_string()));
    };
    let directory_id = draw(random_bytes, Uuid::random_from_bytes)?;
    Ok(DynamicVoter {
        node_id: config.node_id,
        host: listener
            .host
            .clone()
            .unwrap_or_else(|| "localhost".to_string()),
        port: listener.port,
        directory_id,
    })
}

/// `MetaPropertiesEnsemble.Copier.generateValidDirectoryId`: not reserved, not printed with a
/// leading `-`, not already used.
fn new_directory_id(
    used: &BTreeSet<Uuid>,
    random_bytes: &mut dyn FnMut() -> [u8; 16],
) -> Result<Uuid, FormatError> {
    draw(random_bytes, |bytes| {
        let id = Uuid::from_bytes(bytes);
        let usable = !id.to_string().starts_with('-')
            && !is_reserved_directory_id(&id)
            && !used.contains(&id);
        usable.then_some(id)
    })
}

fn draw(
    random_bytes: &mut dyn FnMut() -> [u8; 16],
    accept: impl Fn([u8; 16]) -> Option<Uuid>,
) -> Result<Uuid, FormatError> {
    (0..MAX_UUID_DRAWS)
        .find_map(|_| accept(random_bytes()))
        .ok_or_else(|| {
            FormatError(format!(
                "No usable random UUID in {MAX_UUID_DRAWS} draws: the random bytes given to format look constant."
            ))
        })
}

// ---------------------------------------------------------------------------------------------
// Startup
// ---------------------------------------------------------------------------------------------

/// Why a node refuses to start with its log directories.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StartupError {
    /// Nothing formatted: `kafka-storage.sh format` was not run.
    #[error("No readable meta.properties files found.")]
    NoReadableMetaProperties,
    /// The metadata log directory's `meta.properties` cannot be read.
    #[error("Encountered I/O error in metadata log directory {dir}. Cannot continue.")]
    MetadataLogDirUnreadable { dir: String },
    /// The directories disagree with each other or with `node.id`
    /// (`MetaPropertiesEnsemble.verify`'s messages).
    #[error("{0}")]
    InconsistentDirectories(String),
    /// Formatted for another cluster than the one the node is joining. Kafka's ZooKeeper-era
    /// startup check said it this way; in KRaft the same mismatch is refused on the wire with
    /// `INCONSISTENT_CLUSTER_ID` (see [`StartupError::error_code`]).
    #[error("The Cluster ID {expected} doesn't match stored clusterId Some({stored}) in meta.properties. The broker is trying to join the wrong cluster.")]
    InconsistentClusterId { expected: String, stored: String },
}

impl StartupError {
    /// The Kafka protocol error this corresponds to, if any, with its code and message
    /// (`Errors.INCONSISTENT_CLUSTER_ID`).
    pub fn error_code(&self) -> Option<(&'static str, i16, &'static str)> {
        match self {
            StartupError::InconsistentClusterId { .. } => Some((
                "INCONSISTENT_CLUSTER_ID",
                104,
                "The clusterId in the request does not match that found on the server",
            )),
            _ => None,
        }
    }
}

/// What a node checks of its disk before it starts (`KafkaRaftServer.initializeLogDirs`,
/// verifying with `REQUIRE_AT_LEAST_ONE_VALID` and `REQUIRE_METADATA_LOG_DIR`), and, when
/// `cluster_id` is given, that the disk belongs to that cluster. Returns the metadata log
/// directory's `meta.properties` (or the first readable one, when the metadata directory is
/// still empty: Kafka would then write one there).
pub fn check_startup(
    config: &ServerConfig,
    storage: &Storage,
    cluster_id: Option<&str>,
) -> Result<MetaProperties, StartupError> {
    let mut directories: BTreeSet<_> = ordered(config.log_dirs.iter().cloned());
    let metadata_dir = config.metadata_log_dir().to_string();
    directories.insert(metadata_dir.clone());
    let ensemble = load_ensemble(storage, &directories);
    if ensemble.props.is_empty() {
        return Err(StartupError::NoReadableMetaProperties);
    }
    verify_ensemble(&ensemble, None, config.node_id)
        .map_err(StartupError::InconsistentDirectories)?;
    if ensemble.errors.contains(&metadata_dir) {
        return Err(StartupError::MetadataLogDirUnreadable { dir: metadata_dir });
    }
    let meta = ensemble
        .props
        .get(&metadata_dir)
        .or_else(|| ensemble.props.values().next())
        .cloned()
        .ok_or(StartupError::NoReadableMetaProperties)?;
    if let Some(expected) = cluster_id {
        if meta.cluster_id != expected {
            return Err(StartupError::InconsistentClusterId {
                expected: expected.to_string(),
                stored: meta.cluster_id,
            });
        }
    }
    Ok(meta)
}
