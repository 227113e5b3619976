//! The simulated network: per-link latency ranges, random loss and duplication, and the
//! faults that block links (partitions into groups, one-way cuts, isolation).
//!
//! Default: every link takes 5..=15 ms, with no loss and no duplication. Small enough to
//! keep elections and replication quick, wide enough that messages visibly fly and
//! that jitter reorders them.
//!
//! A link's random draws come from its own stream (see [`super::rng`]). A message is
//! dropped when its link is blocked at send time *or* at delivery time (packets in
//! flight die when a partition starts), and when its receiver is down then.

use super::rng::{below, chance, scale_probability, stream, STREAM_LINK};
use crate::kraft::NodeId;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LATENCY_MIN_MS: u64 = 5;
pub const DEFAULT_LATENCY_MAX_MS: u64 = 15;

/// What one directed link does to messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSpec {
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
    /// Loss probability as a fraction of 2^32.
    pub loss: u32,
    /// Duplication probability as a fraction of 2^32.
    pub dup: u32,
}

impl Default for LinkSpec {
    fn default() -> Self {
        Self {
            latency_min_ms: DEFAULT_LATENCY_MIN_MS,
            latency_max_ms: DEFAULT_LATENCY_MAX_MS,
            loss: 0,
            dup: 0,
        }
    }
}

impl LinkSpec {
    pub fn new(latency_min_ms: u64, latency_max_ms: u64, loss: f64, dup: f64) -> Self {
        Self {
            latency_min_ms,
            latency_max_ms: latency_max_ms.max(latency_min_ms),
            loss: scale_probability(loss),
            dup: scale_probability(dup),
        }
    }
}

/// What happens to one message sent on a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Blocked,
    Lost,
    /// Delivered after the latency; with a second copy after its own latency.
    Deliver {
        latency_ms: u64,
        duplicate_latency_ms: Option<u64>,
    },
}

/// One directed link: what a send reads and draws from, together (one index, one
/// bounds check per send).
#[derive(Clone, Debug)]
struct Link {
    spec: LinkSpec,
    /// Whether a cut, a partition or an isolation blocks it, derived from
    /// [`Network`]'s `cut`, `group` and `isolated` whenever one changes (rarely) so
    /// that a send or a delivery reads one entry.
    blocked: bool,
    rng: Xoshiro256PlusPlus,
}

#[derive(Clone, Debug)]
pub struct Network {
    /// Node ids are `1..size`; index 0 is unused.
    size: usize,
    /// By `from * size + to`.
    links: Vec<Link>,
    /// One-way cuts (from, to).
    cut: Vec<bool>,
    /// Partition group of each node (all 0 when healed).
    group: Vec<u32>,
    isolated: Vec<bool>,
}

impl Network {
    pub fn new(seed: u64, max_node_id: NodeId) -> Self {
        let size = max_node_id as usize + 1;
        let mut links = Vec::with_capacity(size * size);
        for from in 0..size {
            for to in 0..size {
                links.push(Link {
                    spec: LinkSpec::default(),
                    blocked: false,
                    rng: stream(seed, STREAM_LINK, from as u64, to as u64),
                });
            }
        }
        Self {
            size,
            links,
            cut: vec![false; size * size],
            group: vec![0; size],
            isolated: vec![false; size],
        }
    }

    fn update_blocked(&mut self) {
        let size = self.size;
        for f in 0..size {
            for t in 0..size {
                self.links[f * size + t].blocked = self.cut[f * size + t]
                    || self.isolated[f]
                    || self.isolated[t]
                    || self.group[f] != self.group[t];
            }
        }
    }

    #[inline]
    fn idx(&self, from: NodeId, to: NodeId) -> Option<usize> {
        let (f, t) = (from as usize, to as usize);
        (from > 0 && to > 0 && f < self.size && t < self.size).then_some(f * self.size + t)
    }

    /// Whether a message from `from` to `to` would be dropped by a cut right now.
    #[inline]
    pub fn is_blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.idx(from, to).is_none_or(|i| self.links[i].blocked)
    }

    /// Decide the fate of one message (draws from the link's own stream).
    #[inline(always)]
    pub fn route(&mut self, from: NodeId, to: NodeId) -> Fate {
        let Some(i) = self.idx(from, to) else {
            return Fate::Blocked;
        };
        let Link { spec, blocked, rng } = &mut self.links[i];
        if *blocked {
            return Fate::Blocked;
        }
        let spec = *spec;
        if chance(rng, spec.loss) {
            return Fate::Lost;
        }
        let span = spec.latency_max_ms - spec.latency_min_ms + 1;
        let latency_ms = spec.latency_min_ms + below(rng, span);
        let duplicate_latency_ms =
            chance(rng, spec.dup).then(|| spec.latency_min_ms + below(rng, span));
        Fate::Deliver {
            latency_ms,
            duplicate_latency_ms,
        }
    }

    /// Set the spec of the links matching `from`/`to` (`None` = every node).
    pub fn set_links(&mut self, spec: LinkSpec, from: Option<NodeId>, to: Option<NodeId>) {
        for f in 1..self.size {
            for t in 1..self.size {
                if from.is_none_or(|x| x as usize == f) && to.is_none_or(|x| x as usize == t) {
                    self.links[f * self.size + t].spec = spec;
                }
            }
        }
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> Option<LinkSpec> {
        self.idx(from, to).map(|i| self.links[i].spec)
    }

    /// `partition A | B | ...`: each group talks only within itself; nodes not listed
    /// join the last group. Replaces any earlier partition.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let last = groups.len().saturating_sub(1) as u32;
        for g in self.group.iter_mut() {
            *g = last;
        }
        for (i, group) in groups.iter().enumerate() {
            for &n in group {
                if (n as usize) < self.size && n > 0 {
                    self.group[n as usize] = i as u32;
                }
            }
        }
        self.update_blocked();
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        if let Some(i) = self.idx(from, to) {
            self.cut[i] = true;
            self.links[i].blocked = true;
        }
    }

    pub fn isolate(&mut self, node: NodeId) {
        if node > 0 && (node as usize) < self.size {
            self.isolated[node as usize] = true;
            self.update_blocked();
        }
    }

    /// Remove every partition, cut and isolation (link latencies and loss stay).
    pub fn heal(&mut self) {
        self.cut.iter_mut().for_each(|c| *c = false);
        self.group.iter_mut().for_each(|g| *g = 0);
        self.isolated.iter_mut().for_each(|i| *i = false);
        self.links.iter_mut().for_each(|l| l.blocked = false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_cuts_and_isolation_block_links() {
        let mut n = Network::new(1, 5);
        assert!(!n.is_blocked(1, 2));
        n.partition(&[vec![1, 2]]);
        // A single group: nothing blocked.
        assert!(!n.is_blocked(1, 5));
        n.partition(&[vec![1, 2], vec![3]]);
        assert!(n.is_blocked(1, 3));
        assert!(!n.is_blocked(3, 5), "unlisted nodes join the last group");
        assert!(!n.is_blocked(1, 2));
        n.heal();
        n.cut(1, 2);
        assert!(n.is_blocked(1, 2));
        assert!(!n.is_blocked(2, 1));
        n.heal();
        n.isolate(4);
        assert!(n.is_blocked(4, 1) && n.is_blocked(1, 4));
        assert!(!n.is_blocked(1, 2));
    }

    #[test]
    fn latency_stays_in_range() {
        let mut n = Network::new(3, 3);
        n.set_links(LinkSpec::new(10, 20, 0.0, 1.0), None, None);
        for _ in 0..100 {
            match n.route(1, 2) {
                Fate::Deliver {
                    latency_ms,
                    duplicate_latency_ms: Some(d),
                } => {
                    assert!((10..=20).contains(&latency_ms));
                    assert!((10..=20).contains(&d));
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
