//! Per-destination connection state (`RequestManager`): at most one request in flight to
//! each node, a request timeout, and a retry backoff after a failure. Responses that do
//! not match the in-flight correlation id are stale and ignored.

use super::types::{NodeId, TimeMs};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connection {
    AwaitingResponse {
        correlation_id: i32,
        sent_ms: TimeMs,
    },
    BackingOff {
        failed_ms: TimeMs,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestManager {
    /// `controller.quorum.voters` (or bootstrap servers): where discovery fetches go.
    bootstrap_servers: Vec<NodeId>,
    request_timeout_ms: u64,
    retry_backoff_ms: u64,
    /// At most one entry per node, in insertion order (a handful of voters: a vector
    /// beats a map on the per-request path).
    connections: Vec<(NodeId, Connection)>,
}

impl RequestManager {
    pub fn new(
        bootstrap_servers: &[NodeId],
        request_timeout_ms: u64,
        retry_backoff_ms: u64,
    ) -> Self {
        Self {
            bootstrap_servers: bootstrap_servers.to_vec(),
            request_timeout_ms,
            retry_backoff_ms,
            connections: Vec::new(),
        }
    }

    pub fn bootstrap_servers(&self) -> &[NodeId] {
        &self.bootstrap_servers
    }

    fn has_timed_out(&self, c: Connection, now_ms: TimeMs) -> bool {
        matches!(c, Connection::AwaitingResponse { sent_ms, .. } if now_ms >= sent_ms + self.request_timeout_ms)
    }

    pub fn is_backing_off(&self, node: NodeId, now_ms: TimeMs) -> bool {
        matches!(self.get(node), Some(Connection::BackingOff { failed_ms }) if now_ms < failed_ms + self.retry_backoff_ms)
    }

    pub fn has_request_timed_out(&self, node: NodeId, now_ms: TimeMs) -> bool {
        self.get(node)
            .is_some_and(|c| self.has_timed_out(*c, now_ms))
    }

    fn is_inflight(&self, c: Connection, now_ms: TimeMs) -> bool {
        matches!(c, Connection::AwaitingResponse { .. }) && !self.has_timed_out(c, now_ms)
    }

    /// Neither backing off nor awaiting a response that has not timed out.
    pub fn is_ready(&self, node: NodeId, now_ms: TimeMs) -> bool {
        self.wait_before_request(node, now_ms).is_none()
    }

    pub fn has_any_inflight_request(&self, now_ms: TimeMs) -> bool {
        // Each entry is its node's only one: no lookup by node needed.
        self.connections
            .iter()
            .any(|(_, c)| self.is_inflight(*c, now_ms))
    }

    /// `request.timeout.ms`: what [`Self::remaining_request_time_ms`] answers right
    /// after [`Self::on_request_sent`].
    pub fn request_timeout_ms(&self) -> u64 {
        self.request_timeout_ms
    }

    pub fn remaining_request_time_ms(&self, node: NodeId, now_ms: TimeMs) -> u64 {
        match self.get(node) {
            Some(Connection::AwaitingResponse { sent_ms, .. }) => {
                (sent_ms + self.request_timeout_ms).saturating_sub(now_ms)
            }
            _ => 0,
        }
    }

    pub fn remaining_backoff_ms(&self, node: NodeId, now_ms: TimeMs) -> u64 {
        match self.get(node) {
            Some(Connection::BackingOff { failed_ms }) => {
                (failed_ms + self.retry_backoff_ms).saturating_sub(now_ms)
            }
            _ => 0,
        }
    }

    /// How long before a request to `node` may be sent: `None` when it may be sent now,
    /// else the rest of its retry backoff, or of its in-flight request's timeout. One
    /// lookup answers what `is_backing_off`, `is_ready` and the remaining time would
    /// (every request the node sends asks this first).
    #[inline]
    pub fn wait_before_request(&self, node: NodeId, now_ms: TimeMs) -> Option<u64> {
        match self.get(node) {
            Some(Connection::BackingOff { failed_ms }) => {
                let until = failed_ms + self.retry_backoff_ms;
                (now_ms < until).then(|| until - now_ms)
            }
            Some(Connection::AwaitingResponse { sent_ms, .. }) => {
                let until = sent_ms + self.request_timeout_ms;
                (now_ms < until).then(|| until - now_ms)
            }
            None => None,
        }
    }

    pub fn on_request_sent(&mut self, node: NodeId, correlation_id: i32, now_ms: TimeMs) {
        self.set(
            node,
            Connection::AwaitingResponse {
                correlation_id,
                sent_ms: now_ms,
            },
        );
    }

    pub fn is_response_expected(&self, node: NodeId, correlation_id: i32) -> bool {
        matches!(self.get(node), Some(Connection::AwaitingResponse { correlation_id: c, .. }) if *c == correlation_id)
    }

    /// After handling an expected response: success frees the connection, failure backs
    /// it off for `retry.backoff.ms`.
    pub fn on_response_result(
        &mut self,
        node: NodeId,
        correlation_id: i32,
        success: bool,
        now_ms: TimeMs,
    ) {
        // One lookup for `is_response_expected` and the `reset` or `set` that follows.
        let Some(i) = self.connections.iter().position(|(n, c)| {
            *n == node
                && matches!(c, Connection::AwaitingResponse { correlation_id: c, .. } if *c == correlation_id)
        }) else {
            return;
        };
        if success {
            self.connections.remove(i);
        } else {
            self.connections[i].1 = Connection::BackingOff { failed_ms: now_ms };
        }
    }

    pub fn reset(&mut self, node: NodeId) {
        // At most one entry per node: remove it where it is (order kept).
        if let Some(i) = self.connections.iter().position(|(n, _)| *n == node) {
            self.connections.remove(i);
        }
    }

    fn get(&self, node: NodeId) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|(n, _)| *n == node)
            .map(|(_, c)| c)
    }

    fn set(&mut self, node: NodeId, connection: Connection) {
        match self.connections.iter_mut().find(|(n, _)| *n == node) {
            Some((_, c)) => *c = connection,
            None => self.connections.push((node, connection)),
        }
    }

    pub fn reset_all(&mut self) {
        self.connections.clear();
    }

    /// `findReadyBootstrapServer`: a random ready bootstrap server, starting the scan at
    /// `start_index`, but only when nothing at all is in flight.
    pub fn find_ready_bootstrap_server(
        &self,
        now_ms: TimeMs,
        start_index: usize,
    ) -> Option<NodeId> {
        if self.has_any_inflight_request(now_ms) || self.bootstrap_servers.is_empty() {
            return None;
        }
        let n = self.bootstrap_servers.len();
        (0..n)
            .map(|i| self.bootstrap_servers[(start_index + i) % n])
            .find(|node| self.is_ready(*node, now_ms))
    }

    /// `backoffBeforeAvailableBootstrapServer`: how long until some bootstrap server can
    /// take a request. While any request is in flight no discovery fetch is sent, so the
    /// answer is the time until that request times out (a response wakes the node
    /// earlier); Kafka's loop would otherwise poll again at once.
    pub fn backoff_before_available_bootstrap_server(&self, now_ms: TimeMs) -> u64 {
        if self.has_any_inflight_request(now_ms) {
            return self
                .connections
                .iter()
                .filter(|(_, c)| self.is_inflight(*c, now_ms))
                .map(|(n, _)| self.remaining_request_time_ms(*n, now_ms))
                .min()
                .unwrap_or(0);
        }
        let mut min = self.retry_backoff_ms;
        for node in &self.bootstrap_servers {
            if self.is_ready(*node, now_ms) {
                return 0;
            }
            min = min.min(self.remaining_backoff_ms(*node, now_ms));
        }
        min
    }
}
