//! [`BatchList`]: the batches one log read hands out (a Fetch response's records, a
//! commit for the state machine).
//!
//! Almost every read returns exactly one batch: a follower fetching at the leader's end
//! gets the batch just appended, and the state machine is handed the batch that just
//! committed. A `Vec` would allocate (and later free) for that one `Arc`, several
//! times per appended batch on every node; here a single batch is held inline and only
//! two or more spill into a vector. It reads as a slice of batches, compares, prints
//! and serializes exactly like the `Vec` it replaces.

use super::log::Batch;
use super::types::RaftTypes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Shared batches in log order; see the module doc.
#[derive(Clone)]
pub enum BatchList<T: RaftTypes> {
    /// Exactly one batch, without a heap allocation of its own.
    One(Arc<Batch<T>>),
    /// Any other number (an empty vector does not allocate either).
    Many(Vec<Arc<Batch<T>>>),
}

impl<T: RaftTypes> BatchList<T> {
    pub const fn new() -> Self {
        BatchList::Many(Vec::new())
    }

    // Inlined: the first push (the common one) is a store; a second spills out of line.
    #[inline]
    pub fn push(&mut self, batch: Arc<Batch<T>>) {
        match self {
            BatchList::Many(v) if v.is_empty() => *self = BatchList::One(batch),
            BatchList::Many(v) => v.push(batch),
            BatchList::One(_) => self.spill(batch),
        }
    }

    /// The second batch: move the first into a vector with it.
    #[cold]
    fn spill(&mut self, batch: Arc<Batch<T>>) {
        if let BatchList::One(first) = std::mem::take(self) {
            *self = BatchList::Many(vec![first, batch]);
        }
    }

    #[inline]
    pub fn as_slice(&self) -> &[Arc<Batch<T>>] {
        match self {
            BatchList::One(b) => std::slice::from_ref(b),
            BatchList::Many(v) => v,
        }
    }
}

impl<T: RaftTypes> Default for BatchList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: RaftTypes> Deref for BatchList<T> {
    type Target = [Arc<Batch<T>>];

    fn deref(&self) -> &Self::Target {
        self.as_slice()
    }
}

impl<T: RaftTypes> From<Vec<Arc<Batch<T>>>> for BatchList<T> {
    fn from(v: Vec<Arc<Batch<T>>>) -> Self {
        BatchList::Many(v)
    }
}

/// Equal when they hold the same batches, however they are stored.
impl<T: RaftTypes> PartialEq for BatchList<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: RaftTypes> Eq for BatchList<T> {}

/// Printed as the list of batches (as the `Vec` it replaces printed).
impl<T: RaftTypes> fmt::Debug for BatchList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl<T: RaftTypes> Serialize for BatchList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de, T: RaftTypes> Deserialize<'de> for BatchList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Arc<Batch<T>>>::deserialize(d).map(BatchList::Many)
    }
}

impl<'a, T: RaftTypes> IntoIterator for &'a BatchList<T> {
    type Item = &'a Arc<Batch<T>>;
    type IntoIter = std::slice::Iter<'a, Arc<Batch<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: RaftTypes> IntoIterator for BatchList<T> {
    type Item = Arc<Batch<T>>;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        match self {
            BatchList::One(b) => IntoIter::One(Some(b)),
            BatchList::Many(v) => IntoIter::Many(v.into_iter()),
        }
    }
}

/// The batches of a [`BatchList`], by value.
pub enum IntoIter<T: RaftTypes> {
    One(Option<Arc<Batch<T>>>),
    Many(std::vec::IntoIter<Arc<Batch<T>>>),
}

impl<T: RaftTypes> Iterator for IntoIter<T> {
    type Item = Arc<Batch<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            IntoIter::One(b) => b.take(),
            IntoIter::Many(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IntoIter::One(b) => {
                let n = usize::from(b.is_some());
                (n, Some(n))
            }
            IntoIter::Many(it) => it.size_hint(),
        }
    }
}

impl<T: RaftTypes> ExactSizeIterator for IntoIter<T> {}
