//! One seed, many independent streams: every node incarnation and every link draws from
//! its own generator, derived from the run seed with splitmix64, so adding a message on
//! one link never shifts the random choices of another.

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// splitmix64: one step of the generator Java's `SplittableRandom` uses, as a pure
/// function of the state.
#[inline]
pub fn splitmix64(state: u64) -> u64 {
    super::hash::mix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// Stream identifiers (the domain separation of derived seeds).
pub const STREAM_NODE: u64 = 1;
pub const STREAM_LINK: u64 = 2;
pub const STREAM_FUZZ: u64 = 3;

/// Seed of a derived stream: `(run seed, domain, a, b)` → a well-mixed u64.
pub fn derive_seed(seed: u64, domain: u64, a: u64, b: u64) -> u64 {
    let mut s = splitmix64(seed ^ 0x6b72_6166_7473_636f); // "kraftsco"
    s = splitmix64(s ^ domain);
    s = splitmix64(s ^ a);
    splitmix64(s ^ b)
}

pub fn stream(seed: u64, domain: u64, a: u64, b: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, domain, a, b))
}

/// Uniform in `[0, bound)` without modulo bias worth speaking of (Lemire).
#[inline]
pub fn below(rng: &mut impl Rng, bound: u64) -> u64 {
    if bound == 0 {
        return 0;
    }
    ((rng.next_u64() as u128 * bound as u128) >> 64) as u64
}

/// `true` with probability `p_scaled / 2^32`.
#[inline]
pub fn chance(rng: &mut impl Rng, p_scaled: u32) -> bool {
    p_scaled != 0 && ((rng.next_u64() >> 32) as u32) < p_scaled
}

/// A probability in [0, 1] as a fraction of 2^32 (integer maths keeps wasm and native
/// bit-identical).
pub fn scale_probability(p: f64) -> u32 {
    if p.is_nan() || p <= 0.0 {
        0
    } else if p >= 1.0 {
        u32::MAX
    } else {
        (p * 4_294_967_296.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_streams_differ_and_repeat() {
        assert_eq!(
            derive_seed(1, STREAM_NODE, 2, 0),
            derive_seed(1, STREAM_NODE, 2, 0)
        );
        assert_ne!(
            derive_seed(1, STREAM_NODE, 2, 0),
            derive_seed(1, STREAM_NODE, 3, 0)
        );
        assert_ne!(
            derive_seed(1, STREAM_NODE, 2, 0),
            derive_seed(1, STREAM_LINK, 2, 0)
        );
        assert_ne!(
            derive_seed(1, STREAM_NODE, 2, 0),
            derive_seed(2, STREAM_NODE, 2, 0)
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = stream(9, STREAM_FUZZ, 0, 0);
        for bound in 1..50 {
            assert!(below(&mut r, bound) < bound);
        }
    }
}
