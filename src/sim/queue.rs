//! The event queue: a timing wheel of one-millisecond slots over the next
//! [`WHEEL_MS`] milliseconds, with a binary heap for later events. It pops in exactly
//! (time, sequence) order, as a heap would, for less work per event: almost every
//! event (message deliveries, the next timers) lands within the wheel.
//!
//! Why the order holds: each slot is a FIFO and sequence numbers grow with every push,
//! so a slot is in sequence order; entries move from the heap into the wheel (in heap
//! order) as soon as the window reaches their time, before anything can be pushed
//! straight into that slot.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

pub const WHEEL_MS: u64 = 1024;

/// What the queue needs of an entry.
pub trait Timed: Copy {
    fn at_ms(&self) -> u64;
    fn seq(&self) -> u64;
}

#[derive(Clone, Copy, Debug)]
struct ByTime<T>(T);

impl<T: Timed> PartialEq for ByTime<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.at_ms() == other.0.at_ms() && self.0.seq() == other.0.seq()
    }
}

impl<T: Timed> Eq for ByTime<T> {}

impl<T: Timed> Ord for ByTime<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on (time, sequence).
        (other.0.at_ms(), other.0.seq()).cmp(&(self.0.at_ms(), self.0.seq()))
    }
}

impl<T: Timed> PartialOrd for ByTime<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    /// The wheel covers `[base_ms, base_ms + WHEEL_MS)`; slot `t % WHEEL_MS`.
    base_ms: u64,
    /// No wheel entry is earlier than this.
    scan_ms: u64,
    /// A fixed-size array: a slot index (`t % WHEEL_MS`) needs no bounds check.
    slots: Box<[VecDeque<T>; WHEEL_MS as usize]>,
    in_wheel: usize,
    later: BinaryHeap<ByTime<T>>,
}

impl<T: Timed> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Timed> EventQueue<T> {
    pub fn new() -> Self {
        Self {
            base_ms: 0,
            scan_ms: 0,
            slots: (0..WHEEL_MS)
                .map(|_| VecDeque::new())
                .collect::<Vec<_>>()
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("WHEEL_MS slots")),
            in_wheel: 0,
            later: BinaryHeap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.in_wheel + self.later.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add an entry; its time must not be before the last popped entry's.
    #[inline(always)]
    pub fn push(&mut self, entry: T) {
        let at = entry.at_ms().max(self.base_ms);
        if at < self.base_ms + WHEEL_MS {
            self.slots[(at % WHEEL_MS) as usize].push_back(entry);
            self.in_wheel += 1;
            self.scan_ms = self.scan_ms.min(at);
        } else {
            self.later.push(ByTime(entry));
        }
    }

    fn first_in_wheel(&self) -> Option<u64> {
        if self.in_wheel == 0 {
            return None;
        }
        let mut t = self.scan_ms;
        while self.slots[(t % WHEEL_MS) as usize].is_empty() {
            t += 1;
        }
        Some(t)
    }

    /// The time of the next entry.
    pub fn peek_ms(&self) -> Option<u64> {
        self.first_in_wheel()
            .or_else(|| self.later.peek().map(|e| e.0.at_ms()))
    }

    fn advance_base(&mut self, base_ms: u64) {
        self.base_ms = base_ms;
        self.scan_ms = base_ms;
        while let Some(e) = self.later.peek() {
            let at = e.0.at_ms();
            if at >= self.base_ms + WHEEL_MS {
                break;
            }
            let e = self.later.pop().expect("peeked").0;
            self.slots[(at.max(self.base_ms) % WHEEL_MS) as usize].push_back(e);
            self.in_wheel += 1;
        }
    }

    /// Pop the next entry if its time is at most `limit_ms`.
    pub fn pop_until(&mut self, limit_ms: u64) -> Option<T> {
        loop {
            if let Some(t) = self.first_in_wheel() {
                self.scan_ms = t;
                if t > limit_ms {
                    return None;
                }
                let e = self.slots[(t % WHEEL_MS) as usize]
                    .pop_front()
                    .expect("non-empty slot");
                self.in_wheel -= 1;
                if t > self.base_ms {
                    // Most moves of the window bring nothing in from the heap: look
                    // before calling out.
                    if self
                        .later
                        .peek()
                        .is_some_and(|e| e.0.at_ms() < t + WHEEL_MS)
                    {
                        self.advance_base(t);
                    } else {
                        self.base_ms = t;
                    }
                    self.scan_ms = t;
                }
                return Some(e);
            }
            let at = self.later.peek()?.0.at_ms();
            if at > limit_ms {
                return None;
            }
            self.advance_base(at);
            self.scan_ms = at;
        }
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.slots
            .iter()
            .flat_map(|s| s.iter())
            .chain(self.later.iter().map(|e| &e.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{below, stream};

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct E(u64, u64);

    impl Timed for E {
        fn at_ms(&self) -> u64 {
            self.0
        }
        fn seq(&self) -> u64 {
            self.1
        }
    }

    /// Oracle test: the wheel pops exactly what a sorted list would, under random
    /// pushes interleaved with pops (times never before the last pop).
    #[test]
    fn pops_in_time_then_sequence_order_like_a_heap() {
        for seed in 0..50 {
            let mut rng = stream(seed, 9, 0, 0);
            let mut q = EventQueue::new();
            let mut oracle: Vec<E> = Vec::new();
            let mut now = 0;
            let mut seq = 0;
            for _ in 0..2000 {
                if below(&mut rng, 3) > 0 {
                    let delay = match below(&mut rng, 4) {
                        0 => 0,
                        1 => below(&mut rng, 20),
                        2 => below(&mut rng, 2000),
                        _ => below(&mut rng, 100_000),
                    };
                    seq += 1;
                    let e = E(now + delay, seq);
                    q.push(e);
                    oracle.push(e);
                } else {
                    let limit = now + below(&mut rng, 3000);
                    oracle.sort();
                    let expected = oracle.first().copied().filter(|e| e.0 <= limit);
                    assert_eq!(q.peek_ms(), oracle.first().map(|e| e.0));
                    let got = q.pop_until(limit);
                    assert_eq!(got, expected, "seed {seed}");
                    if let Some(e) = got {
                        oracle.remove(0);
                        now = e.0;
                    }
                }
                assert_eq!(q.len(), oracle.len());
            }
        }
    }
}
