//! `ConfigurationsImage`: dynamic configs by resource, from ConfigRecords.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use imbl::OrdMap;

use crate::metadata::records::{ConfigRecord, ConfigResourceType};

/// A config resource (`org.apache.kafka.common.config.ConfigResource`): a type and a name;
/// the empty name is the cluster-wide default for the type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigResource {
    pub resource_type: ConfigResourceType,
    pub name: String,
}

impl ConfigResource {
    pub fn new(resource_type: ConfigResourceType, name: impl Into<String>) -> Self {
        ConfigResource {
            resource_type,
            name: name.into(),
        }
    }

    /// A topic's configs.
    pub fn topic(name: impl Into<String>) -> Self {
        ConfigResource::new(ConfigResourceType::Topic, name)
    }

    /// Whether this is a type's default (empty name).
    pub fn is_default(&self) -> bool {
        self.name.is_empty()
    }

    /// Parses the metadata shell's node name (`TOPIC:foo`, or `BROKER` for the default).
    pub fn from_shell_name(text: &str) -> Option<Self> {
        let (type_name, name) = match text.split_once(':') {
            Some((t, n)) => (t, n),
            None => (text, ""),
        };
        let resource_type = ConfigResourceType::ALL
            .into_iter()
            .find(|t| t.name() == type_name)?;
        Some(ConfigResource::new(resource_type, name))
    }
}

impl fmt::Display for ConfigResource {
    /// The metadata shell's node name (`ConfigurationsImageNode`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_default() {
            f.write_str(self.resource_type.name())
        } else {
            write!(f, "{}:{}", self.resource_type.name(), self.name)
        }
    }
}

/// Config keys and values of every resource that has any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigsImage {
    resources: OrdMap<ConfigResource, Arc<BTreeMap<String, String>>>,
}

impl ConfigsImage {
    /// Whether both are the same map (O(1); `true` implies equality).
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &ConfigsImage) -> bool {
        self.resources.ptr_eq(&other.resources)
    }

    /// The configs of one resource (empty if none are set).
    pub fn configs(&self, resource: &ConfigResource) -> Option<&BTreeMap<String, String>> {
        self.resources.get(resource).map(|c| &**c)
    }

    /// One config value.
    pub fn config(&self, resource: &ConfigResource, key: &str) -> Option<&str> {
        self.configs(resource)?.get(key).map(String::as_str)
    }

    /// Every resource with configs, in (type, name) order.
    pub fn resources(
        &self,
    ) -> impl Iterator<Item = (&ConfigResource, &BTreeMap<String, String>)> + '_ {
        self.resources.iter().map(|(r, c)| (r, &**c))
    }

    // ---- replay (MetadataDelta only) ----

    /// Sets or (value `null`) deletes one key; a resource left with no keys disappears.
    pub(crate) fn replay(&mut self, record: &ConfigRecord) -> ConfigResource {
        let resource = ConfigResource::new(
            ConfigResourceType::from_id(record.resource_type),
            record.resource_name.clone(),
        );
        let mut configs = self.resources.get(&resource).cloned().unwrap_or_default();
        let map = Arc::make_mut(&mut configs);
        match &record.value {
            Some(value) => {
                map.insert(record.name.clone(), value.clone());
            }
            None => {
                map.remove(&record.name);
            }
        }
        if map.is_empty() {
            self.resources.remove(&resource);
        } else {
            self.resources.insert(resource.clone(), configs);
        }
        resource
    }

    /// Drops every config of a resource (RemoveTopicRecord drops the topic's).
    pub(crate) fn remove_resource(&mut self, resource: &ConfigResource) -> bool {
        self.resources.remove(resource).is_some()
    }
}
