//! Deterministic hashing: FNV-1a 64 for the trace hash, and a 64-bit mixer for the
//! prefix chains the invariants and the test state machine keep.
//!
//! Never `std`'s `DefaultHasher` (its algorithm is unspecified and may change between
//! releases) and never anything whose result depends on the pointer width: the same
//! run must give the same `trace_hash` natively and in wasm32.

use std::hash::Hasher;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits. Byte strings are hashed byte by byte as FNV-1a specifies; integers
/// are folded a whole word at a time (xor the value, multiply by the FNV prime), which
/// keeps the trace hash cheap enough to run on every event. `usize`/`isize` are hashed
/// as 64-bit values so that 32-bit wasm and 64-bit hosts agree (derived `Hash` writes
/// enum discriminants and slice lengths through them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self(FNV_OFFSET)
    }
}

impl Fnv64 {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(FNV_PRIME);
        }
        self.0 = h;
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0 ^ i as u64).wrapping_mul(FNV_PRIME);
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.0 = (self.0 ^ i as u64).wrapping_mul(FNV_PRIME);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0 ^ i as u64).wrapping_mul(FNV_PRIME);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0 ^ i).wrapping_mul(FNV_PRIME);
    }

    #[inline]
    fn write_i32(&mut self, i: i32) {
        self.write_u64(i as u32 as u64);
    }

    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    #[inline]
    fn write_isize(&mut self, i: isize) {
        self.write_u64(i as i64 as u64);
    }
}

/// A strong 64-bit mix (splitmix64's finalizer).
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Extend a prefix chain by one value: `chain(prefix ++ [x])`.
#[inline]
pub fn chain(prev: u64, x: u64) -> u64 {
    mix64(prev.rotate_left(17) ^ x.wrapping_add(0x9e37_79b9_7f4a_7c15))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // http://www.isthe.com/chongo/src/fnv/test_fnv.c: FNV-1a 64 of "" and "a".
        let mut h = Fnv64::new();
        h.write(b"");
        assert_eq!(h.finish(), 0xcbf29ce484222325);
        let mut h = Fnv64::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
        let mut h = Fnv64::new();
        h.write(b"foobar");
        assert_eq!(h.finish(), 0x85944171f73967e8);
    }

    #[test]
    fn usize_hashes_like_u64() {
        let mut a = Fnv64::new();
        7usize.hash(&mut a);
        let mut b = Fnv64::new();
        7u64.hash(&mut b);
        assert_eq!(a.finish(), b.finish());
    }
}
