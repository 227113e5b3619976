//! A partition's replicas and ISR in 16 bytes.
//!
//! With at most three replicas — every partition of a replication-factor-3 cluster — the
//! ids sit inline and the ISR is stored as positions into them (ISR ⊆ replicas is a Kafka
//! invariant; any ISR order is kept). Anything else (more replicas, or an ISR naming a
//! non-replica) is shared through an interner, so 2,000,000 partitions over a few hundred
//! brokers still hold only a few thousand lists. Replay of the common case hashes nothing
//! and touches no reference count.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// Broker ids of a replica list or an ISR, borrowed or decoded from positions.
#[derive(Clone, Copy)]
pub enum IdList<'a> {
    Inline { ids: [i32; 3], len: u8 },
    Slice(&'a [i32]),
}

impl Deref for IdList<'_> {
    type Target = [i32];

    fn deref(&self) -> &[i32] {
        match self {
            IdList::Inline { ids, len } => &ids[..*len as usize],
            IdList::Slice(ids) => ids,
        }
    }
}

impl std::fmt::Debug for IdList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for IdList<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for IdList<'_> {}

/// Replicas and ISR. Canonical — `Inline` whenever the lists fit — so derived equality is
/// equality of content.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Assignment {
    /// `meta`: bits 0–1 replica count, bits 2–3 ISR count, then 2 bits per ISR member: its
    /// position in `ids`. Unused ids are 0.
    Inline {
        ids: [i32; 3],
        meta: u16,
    },
    Shared(Arc<SharedAssignment>),
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SharedAssignment {
    replicas: Box<[i32]>,
    isr: Box<[i32]>,
}

impl Assignment {
    fn inline(replicas: &[i32], isr: &[i32]) -> Option<Assignment> {
        if replicas.len() > 3 || isr.len() > 3 {
            return None;
        }
        let mut ids = [0i32; 3];
        ids[..replicas.len()].copy_from_slice(replicas);
        let mut meta = replicas.len() as u16 | (isr.len() as u16) << 2;
        for (i, member) in isr.iter().enumerate() {
            let position = replicas.iter().position(|r| r == member)?;
            meta |= (position as u16) << (4 + 2 * i);
        }
        Some(Assignment::Inline { ids, meta })
    }

    pub(crate) fn replicas(&self) -> &[i32] {
        match self {
            Assignment::Inline { ids, meta } => &ids[..(meta & 3) as usize],
            Assignment::Shared(shared) => &shared.replicas,
        }
    }

    pub(crate) fn isr(&self) -> IdList<'_> {
        match self {
            Assignment::Inline { ids, meta } => {
                let len = (meta >> 2) & 3;
                let mut out = [0i32; 3];
                for (i, slot) in out.iter_mut().enumerate().take(len as usize) {
                    *slot = ids[((meta >> (4 + 2 * i)) & 3) as usize];
                }
                IdList::Inline {
                    ids: out,
                    len: len as u8,
                }
            }
            Assignment::Shared(shared) => IdList::Slice(&shared.isr),
        }
    }
}

/// The multiply-rotate hash of rustc's `FxHasher`: fast for short integer keys and
/// deterministic (no per-process random keys). The interner is probed, never iterated, so
/// hash order never shows.
#[derive(Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Shared assignments by key: replica count, replicas, then ISR.
type SharedTable = HashMap<Box<[i32]>, Arc<SharedAssignment>, BuildHasherDefault<FxHasher>>;

/// Shares the assignments that do not fit inline. Cloning is O(1); the first new assignment
/// after a clone copies the table (rare: new placements). Never evicted: a cluster has few
/// distinct placements.
#[derive(Clone, Default)]
pub(crate) struct AssignmentInterner {
    shared: Arc<SharedTable>,
}

impl AssignmentInterner {
    /// The canonical assignment of these lists.
    pub(crate) fn assignment(&mut self, replicas: &[i32], isr: &[i32]) -> Assignment {
        if let Some(inline) = Assignment::inline(replicas, isr) {
            return inline;
        }
        let mut key = Vec::with_capacity(1 + replicas.len() + isr.len());
        key.push(replicas.len() as i32);
        key.extend_from_slice(replicas);
        key.extend_from_slice(isr);
        if let Some(shared) = self.shared.get(key.as_slice()) {
            return Assignment::Shared(shared.clone());
        }
        let shared = Arc::new(SharedAssignment {
            replicas: replicas.into(),
            isr: isr.into(),
        });
        Arc::make_mut(&mut self.shared).insert(key.into(), shared.clone());
        Assignment::Shared(shared)
    }

    /// How many assignments are shared rather than inline.
    pub(crate) fn len(&self) -> usize {
        self.shared.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(a: &Assignment) -> (Vec<i32>, Vec<i32>) {
        (a.replicas().to_vec(), a.isr().to_vec())
    }

    #[test]
    fn small_assignments_are_inline_and_keep_isr_order() {
        let mut interner = AssignmentInterner::default();
        for (replicas, isr) in [
            (vec![1, 2, 3], vec![1, 2, 3]),
            (vec![1, 2, 3], vec![3, 1]),
            (vec![7], vec![]),
            (vec![], vec![]),
            (vec![-4, 0, 9], vec![0, 9, -4]),
        ] {
            let a = interner.assignment(&replicas, &isr);
            assert!(matches!(a, Assignment::Inline { .. }));
            assert_eq!(lists(&a), (replicas, isr));
        }
        assert_eq!(interner.len(), 0);
    }

    #[test]
    fn other_assignments_are_shared_once() {
        let mut interner = AssignmentInterner::default();
        let four = interner.assignment(&[1, 2, 3, 4], &[4, 1]);
        let again = interner.assignment(&[1, 2, 3, 4], &[4, 1]);
        let outsider = interner.assignment(&[1, 2], &[3]);
        match (&four, &again) {
            (Assignment::Shared(a), Assignment::Shared(b)) => assert!(Arc::ptr_eq(a, b)),
            _ => panic!("four replicas do not fit inline"),
        }
        assert_eq!(lists(&four), (vec![1, 2, 3, 4], vec![4, 1]));
        assert_eq!(lists(&outsider), (vec![1, 2], vec![3]));
        // The key separates replicas from ISR: [1] + [2, 3] is not [1, 2] + [3].
        let split = interner.assignment(&[1, 2, 3, 5], &[]);
        assert_ne!(lists(&split), lists(&four));
        assert_eq!(interner.len(), 3);
    }

    #[test]
    fn equal_content_has_equal_representation() {
        let mut a = AssignmentInterner::default();
        let mut b = AssignmentInterner::default();
        assert!(a.assignment(&[1, 2, 3], &[2]) == b.assignment(&[1, 2, 3], &[2]));
        assert!(a.assignment(&[1, 2, 3, 4], &[2]) == b.assignment(&[1, 2, 3, 4], &[2]));
        assert!(a.assignment(&[1, 2, 3], &[2]) != b.assignment(&[1, 2, 3], &[3]));
    }
}
