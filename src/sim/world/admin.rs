//! The admin tool behind `create-topic`: what an operator scripts against Kafka 4.x to
//! make a topic larger than one request may create.
//!
//! Kafka's controller refuses a CreateTopics of more than 10,000 partitions and any user
//! operation of more than 10,000 records (see `crate::metadata::controller`), so a topic of
//! N partitions is made by one CreateTopics of at most [`FIRST_REQUEST_PARTITIONS`] (9,999:
//! its TopicRecord is the 10,000th record) and then CreatePartitions requests that raise
//! the count by up to [`PARTITIONS_PER_REQUEST`] each. Each request is sent once the
//! previous one is answered, that is once the active controller's committed image shows
//! its partitions: every request is its own controller operation, its own log batch, at
//! its own virtual time, and the page can show the committed count as progress.
//!
//! Simplifications (documented here because the trace cannot say them):
//! - The tool lives in the world (a [`World`] field, so checkpoints, seeks and forks carry
//!   it) and talks to the active controller directly, like every admin intervention here:
//!   no client network hop, so the next request goes out at the virtual time the previous
//!   one committed.
//! - An answer lost to a controller failover is NOT_CONTROLLER to the tool, which asks the
//!   next active controller again from what that controller's image holds (Kafka's admin
//!   client retries NOT_CONTROLLER the same way). Any other refusal ends the job (it is
//!   traced like every refused admin request), as does deleting the topic.
//! - One job at a time: a new large `create-topic` replaces an unfinished one.

use super::{Intervention, World};
use crate::kraft::{Epoch, NodeId};
use crate::metadata::controller::{MAX_PARTITIONS_PER_BATCH, MAX_RECORDS_PER_USER_OP};

/// Partitions in the first request: a CreateTopics writes its TopicRecord plus one
/// PartitionRecord per partition, within `MAX_RECORDS_PER_USER_OP`.
pub const FIRST_REQUEST_PARTITIONS: u32 = MAX_RECORDS_PER_USER_OP as u32 - 1;
/// Partitions each CreatePartitions adds (it writes only PartitionRecords).
pub const PARTITIONS_PER_REQUEST: u32 = MAX_RECORDS_PER_USER_OP as u32;
const _: () = assert!(FIRST_REQUEST_PARTITIONS <= MAX_PARTITIONS_PER_BATCH);

/// A topic being created in several requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct AdminJob {
    topic: String,
    target: u32,
    replication: u32,
    /// The request waiting for its answer.
    awaiting: Option<Awaiting>,
    requests: u32,
    /// Partitions the active controller had committed when last looked at.
    done: u32,
}

/// A request taken by controller `node` in `epoch`: answered once the committed image
/// holds `count` partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Awaiting {
    node: NodeId,
    epoch: Epoch,
    count: u32,
}

/// How far a multi-request topic creation has got (read from the simulation: the active
/// controller's committed image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminProgress {
    pub topic: String,
    /// Partitions committed so far.
    pub done: u32,
    pub target: u32,
    /// Requests sent so far (CreateTopics, then CreatePartitions).
    pub requests: u32,
}

impl World {
    /// The creation in progress, if a `create-topic` needs several requests.
    pub fn admin_progress(&self) -> Option<AdminProgress> {
        self.admin_job.as_deref().map(|j| AdminProgress {
            topic: j.topic.clone(),
            done: j.done,
            target: j.target,
            requests: j.requests,
        })
    }

    /// Requests the creation in progress has sent (cheap: for a per-slice check).
    pub fn admin_requests(&self) -> Option<u32> {
        self.admin_job.as_deref().map(|j| j.requests)
    }

    /// `create-topic`: one CreateTopics when it fits in one request, else the job.
    pub(super) fn create_topic_tool(&mut self, name: &str, partitions: u32, replication: u32) {
        if partitions <= FIRST_REQUEST_PARTITIONS {
            self.admin(&Intervention::CreateTopic {
                name: name.to_string(),
                partitions,
                replication,
            });
            return;
        }
        self.admin_job = Some(Box::new(AdminJob {
            topic: name.to_string(),
            target: partitions,
            replication,
            awaiting: None,
            requests: 0,
            done: 0,
        }));
        if self.active_controller().is_none() {
            // Refused like any admin request without a controller: the tool gives up.
            self.admin_job = None;
            self.admin(&Intervention::CreateTopic {
                name: name.to_string(),
                partitions: FIRST_REQUEST_PARTITIONS,
                replication,
            });
            return;
        }
        self.maybe_continue_admin_job();
    }

    /// A deleted topic ends its creation.
    pub(super) fn admin_topic_deleted(&mut self, name: &str) {
        if self.admin_job.as_ref().is_some_and(|j| j.topic == name) {
            self.admin_job = None;
        }
    }

    /// Runs after every event: once the request in flight is answered (or lost with its
    /// controller), send the next one.
    pub(super) fn maybe_continue_admin_job(&mut self) {
        let Some(job) = self.admin_job.as_deref() else {
            return;
        };
        let Some(active) = self.active_controller() else {
            return;
        };
        let p = &self.procs[active as usize - 1];
        let epoch = p.epoch();
        let committed = p
            .image()
            .topics()
            .topic_by_name(&job.topic)
            .map_or(0, |t| t.partition_count() as u32);
        let waiting = job
            .awaiting
            .is_some_and(|a| a.node == active && a.epoch == epoch && committed < a.count);
        let job = self.admin_job.as_deref_mut().expect("job");
        job.done = committed.min(job.target);
        if committed >= job.target {
            self.admin_job = None;
            return;
        }
        if waiting {
            return;
        }
        // The working image: committed records plus this controller's own writes.
        let Some(working) = p.controller.as_ref().and_then(|c| c.image()).map(|i| {
            i.topics()
                .topic_by_name(&job.topic)
                .map(|t| t.partition_count() as u32)
        }) else {
            return;
        };
        let (request, count) = match working {
            None => {
                let n = job.target.min(FIRST_REQUEST_PARTITIONS);
                let request = Intervention::CreateTopic {
                    name: job.topic.clone(),
                    partitions: n,
                    replication: job.replication,
                };
                (Some(request), n)
            }
            Some(w) if w >= job.target => (None, job.target),
            Some(w) => {
                let n = job.target.min(w.saturating_add(PARTITIONS_PER_REQUEST));
                let request = Intervention::CreatePartitions {
                    name: job.topic.clone(),
                    count: n,
                };
                (Some(request), n)
            }
        };
        job.awaiting = Some(Awaiting {
            node: active,
            epoch,
            count,
        });
        if let Some(request) = request {
            job.requests += 1;
            if !self.admin(&request) {
                self.admin_job = None;
            }
        }
    }
}
