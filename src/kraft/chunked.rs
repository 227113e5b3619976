//! `ChunkedVec`: a vector whose clone is cheap. Full chunks of `CHUNK` items are frozen
//! behind `Arc`s and shared by every clone; only the open tail is copied. The simulator
//! clones the whole world at every timeline checkpoint, and a world holds each node's
//! log: with plain vectors a 10-minute run's checkpoints cost hundreds of megabytes.

use std::collections::VecDeque;
use std::sync::Arc;

const CHUNK: usize = 128;

#[derive(Debug)]
pub struct ChunkedVec<T> {
    /// Frozen chunks of exactly `CHUNK` items.
    sealed: VecDeque<Arc<[T]>>,
    tail: Vec<T>,
    /// Items dropped from the front of the first chunk (or of the tail when no chunk
    /// is sealed).
    front: usize,
    /// `sealed.len() * CHUNK + tail.len() - front`, kept: the log's batch count is
    /// asked for several times on every simulated event (by the node and by the
    /// invariant checkers), and a load is cheaper than that arithmetic.
    len: usize,
}

impl<T: Clone> Clone for ChunkedVec<T> {
    fn clone(&self) -> Self {
        Self {
            sealed: self.sealed.clone(),
            tail: self.tail.clone(),
            front: self.front,
            len: self.len,
        }
    }
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        Self {
            sealed: VecDeque::new(),
            tail: Vec::new(),
            front: 0,
            len: 0,
        }
    }
}

impl<T: Clone> ChunkedVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        let j = i + self.front;
        let sealed_len = self.sealed.len() * CHUNK;
        if j < sealed_len {
            Some(&self.sealed[j / CHUNK][j % CHUNK])
        } else {
            self.tail.get(j - sealed_len)
        }
    }

    /// The last item, without index arithmetic: the end of the open tail (which, in a
    /// non-empty vector, `front` never covers), or (an empty tail after a chunk was
    /// sealed) the end of the newest sealed chunk.
    #[inline]
    pub fn last(&self) -> Option<&T> {
        if self.len == 0 {
            return None;
        }
        match self.tail.last() {
            Some(item) => Some(item),
            None => self.sealed.back().and_then(|chunk| chunk.last()),
        }
    }

    /// The item `k` places before the last (`get_back(0)` is the last). The newest
    /// items are the ones asked for on every step (the log's newest batches), and they
    /// sit in the open tail: read them there without the chunk arithmetic of `get`.
    #[inline]
    pub fn get_back(&self, k: usize) -> Option<&T> {
        let tail = self.open_tail();
        if k < tail.len() {
            tail.get(tail.len() - 1 - k)
        } else {
            self.len().checked_sub(k + 1).and_then(|i| self.get(i))
        }
    }

    /// The items of the open tail (the newest, after the sealed chunks) as a slice.
    #[inline]
    pub fn open_tail(&self) -> &[T] {
        if self.sealed.is_empty() {
            // Only the tail holds items: those after `front`.
            self.tail.get(self.front..).unwrap_or_default()
        } else {
            &self.tail
        }
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn push(&mut self, item: T) {
        self.len += 1;
        self.tail.push(item);
        if self.tail.len() == CHUNK {
            // The next tail starts at full size: it fills to exactly `CHUNK` anyway.
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.sealed.push_back(Arc::from(full));
        }
    }

    /// Keep the first `n` items.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        self.len = n;
        let j = n + self.front;
        let sealed_len = self.sealed.len() * CHUNK;
        if j >= sealed_len {
            self.tail.truncate(j - sealed_len);
        } else {
            let (k, r) = (j / CHUNK, j % CHUNK);
            self.tail = self.sealed[k][..r].to_vec();
            self.sealed.truncate(k);
        }
        if self.sealed.is_empty() && self.front > self.tail.len() {
            self.tail.clear();
            self.front = 0;
        }
    }

    /// Drop the first `n` items.
    pub fn drain_front(&mut self, n: usize) {
        let n = n.min(self.len());
        self.len -= n;
        self.front += n;
        while self.front >= CHUNK && !self.sealed.is_empty() {
            self.sealed.pop_front();
            self.front -= CHUNK;
        }
        if self.sealed.is_empty() && self.front > 0 {
            self.tail.drain(..self.front);
            self.front = 0;
        }
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// First index whose item fails `pred` (items satisfying it come first).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(self.get(mid).expect("in range")) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Items from index `from` on.
    pub fn iter_from(
        &self,
        from: usize,
    ) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + '_ {
        (from.min(self.len())..self.len()).map(move |i| self.get(i).expect("in range"))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + '_ {
        self.iter_from(0)
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Push(u32),
        Truncate(usize),
        DrainFront(usize),
        Clone,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => any::<u32>().prop_map(Op::Push),
            1 => (0usize..600).prop_map(Op::Truncate),
            1 => (0usize..300).prop_map(Op::DrainFront),
            1 => Just(Op::Clone),
        ]
    }

    proptest! {
        /// Behaves exactly like a `Vec` under every operation, clones included. Pushed
        /// values grow, so `partition_point` has a partitioned input to search.
        #[test]
        fn matches_a_plain_vec(ops in proptest::collection::vec(op(), 0..800)) {
            let mut c = ChunkedVec::new();
            let mut v: Vec<u32> = Vec::new();
            let mut next = 0u32;
            for op in ops {
                match op {
                    Op::Push(step) => { next += step % 4; c.push(next); v.push(next); }
                    Op::Truncate(n) => { c.truncate(n); v.truncate(n); }
                    Op::DrainFront(n) => { c.drain_front(n); v.drain(..n.min(v.len())); }
                    Op::Clone => { let d = c.clone(); c = d; }
                }
                prop_assert_eq!(c.len(), v.len());
                prop_assert_eq!(c.last(), v.last());
                prop_assert_eq!(c.iter().copied().collect::<Vec<_>>(), v.clone());
                let cut = next / 2;
                prop_assert_eq!(c.partition_point(|x| *x < cut), v.partition_point(|x| *x < cut));
            }
        }
    }
}
