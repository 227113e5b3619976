//! Interned replica lists: a [`ReplicaSet`] is one pointer wide and shared by every partition
//! with the same list, so 2,000,000 partitions placed over a few hundred brokers hold a few
//! thousand lists, not millions.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable list of broker ids, in the order the record gave it (replicas are in
/// preferred order, so order matters). Compared and hashed by content.
#[derive(Clone)]
pub struct ReplicaSet(Arc<Box<[i32]>>);

impl ReplicaSet {
    /// A list that is not shared with any other (use the interner to share).
    pub fn new(ids: &[i32]) -> Self {
        ReplicaSet(Arc::new(ids.into()))
    }

    /// The ids.
    pub fn as_slice(&self) -> &[i32] {
        &self.0
    }
}

impl Deref for ReplicaSet {
    type Target = [i32];

    fn deref(&self) -> &[i32] {
        &self.0
    }
}

impl Borrow<[i32]> for ReplicaSet {
    fn borrow(&self) -> &[i32] {
        &self.0
    }
}

impl PartialEq for ReplicaSet {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for ReplicaSet {}

impl Hash for ReplicaSet {
    // Must hash exactly as `[i32]` does, so the interner can be probed with a plain slice.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for ReplicaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

/// The multiply-rotate hash of rustc's `FxHasher`: fast for short integer slices and
/// deterministic (no per-process random keys). The interner is probed, never iterated, so
/// the hash order never shows.
#[derive(Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.add(byte as u64);
        }
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn write_u128(&mut self, value: u128) {
        self.add(value as u64);
        self.add((value >> 64) as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;
type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Lists of up to three ids — every list of a replication-factor-3 cluster — packed with
/// their length into one integer, so the common lookup hashes and compares one word.
fn packed(ids: &[i32]) -> Option<u128> {
    if ids.len() > 3 {
        return None;
    }
    let mut key = (ids.len() as u128) << 96;
    for (i, &id) in ids.iter().enumerate() {
        key |= (id as u32 as u128) << (32 * i);
    }
    Some(key)
}

/// Hands out one shared [`ReplicaSet`] per distinct list. Cloning is O(1); the first new list
/// after a clone copies the table (new lists are rare once a cluster's placements exist).
/// Lists are never evicted: a cluster has few distinct placements and ISR subsets of them.
#[derive(Clone, Default)]
pub(crate) struct ReplicaSetInterner {
    short: Arc<FxMap<u128, ReplicaSet>>,
    long: Arc<FxSet<ReplicaSet>>,
}

impl ReplicaSetInterner {
    /// The shared list equal to `ids`.
    pub(crate) fn intern(&mut self, ids: &[i32]) -> ReplicaSet {
        match packed(ids) {
            Some(key) => {
                if let Some(set) = self.short.get(&key) {
                    return set.clone();
                }
                let set = ReplicaSet::new(ids);
                Arc::make_mut(&mut self.short).insert(key, set.clone());
                set
            }
            None => {
                if let Some(set) = self.long.get(ids) {
                    return set.clone();
                }
                let set = ReplicaSet::new(ids);
                Arc::make_mut(&mut self.long).insert(set.clone());
                set
            }
        }
    }

    /// How many distinct lists are interned.
    pub(crate) fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_lists_share_one_allocation() {
        let mut interner = ReplicaSetInterner::default();
        let a = interner.intern(&[1, 2, 3]);
        let b = interner.intern(&[1, 2, 3]);
        let c = interner.intern(&[3, 2, 1]);
        let long = interner.intern(&[1, 2, 3, 4]);
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(Arc::ptr_eq(&long.0, &interner.intern(&[1, 2, 3, 4]).0));
        assert_eq!(a, b);
        assert_ne!(a, c, "replica order is preferred-leader order and matters");
        assert_eq!(interner.len(), 3);
        // Packing keeps lengths apart: [0] is not [0, 0] and [] is not [0].
        let lists: [&[i32]; 4] = [&[], &[0], &[0, 0], &[-1]];
        for list in lists {
            assert_eq!(interner.intern(list).as_slice(), list);
        }
        assert_eq!(interner.len(), 7);
    }

    #[test]
    fn a_clone_does_not_see_lists_interned_after_it() {
        let mut first = ReplicaSetInterner::default();
        first.intern(&[1]);
        let mut second = first.clone();
        second.intern(&[2]);
        assert_eq!((first.len(), second.len()), (1, 2));
    }
}
