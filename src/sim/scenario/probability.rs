//! Probabilities in scenario text (`loss=0.05`, `dup=0.1`): reading and writing them.
//!
//! The simulator keeps a probability as a fraction of 2^32 ([`scale_probability`]), so
//! text only has to map to that fraction the same way everywhere. Reading does not go
//! through `f64::from_str`: in the page that parser brings a 20 KB table of powers of
//! five for inputs no scenario has. A probability is `digits / 10^decimals`, and for up
//! to 15 significant digits and 22 decimals both numbers are exact doubles, so their
//! quotient is the correctly rounded value: exactly what `from_str` returns (Clinger's
//! fast path). Longer inputs are refused, with the reason.

use crate::sim::rng::scale_probability;

/// Most decimals a probability may have (10^22 is the largest exact power of ten).
pub const MAX_DECIMALS: usize = 22;
/// Most significant digits (below 2^53, so the integer is an exact double).
pub const MAX_DIGITS: usize = 15;

const POW10: [f64; MAX_DECIMALS + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `0`, `1`, `0.05`, `.5`, `1.000`: a decimal in [0, 1]. `None` for anything else,
/// including exponents, signs and more than [`MAX_DIGITS`] / [`MAX_DECIMALS`].
pub fn parse_probability(text: &str) -> Option<f64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > MAX_DECIMALS {
        return None;
    }
    let mut n: u64 = 0;
    let mut significant = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if n != 0 || b != b'0' {
            significant += 1;
        }
        if significant > MAX_DIGITS {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    let p = n as f64 / POW10[frac.len()];
    (p <= 1.0).then_some(p)
}

/// The shortest decimal that reads back ([`parse_probability`], then
/// [`scale_probability`]) as `scaled`, a fraction of 2^32.
///
/// With `d` decimals, the candidate is the decimal nearest the middle of the
/// interval `[scaled, scaled + 1) / 2^32` (integer maths, no float printing). At 12
/// decimals the candidate is at least 1.1e-10 inside the interval, far more than a
/// double's rounding error, so the loop always ends.
pub fn probability_text(scaled: u32) -> String {
    const TWO_32: u128 = 1 << 32;
    for decimals in 1..=12u32 {
        let unit = 10u128.pow(decimals);
        // round((scaled + 1/2) * 10^d / 2^32) = ((2 scaled + 1) 10^d + 2^32) / 2^33
        let c = ((2 * scaled as u128 + 1) * unit + TWO_32) / (2 * TWO_32);
        let text = decimal_text(c, unit, decimals as usize);
        if parse_probability(&text).map(scale_probability) == Some(scaled) {
            return text;
        }
    }
    unreachable!("a 12-decimal midpoint always reads back as {scaled}")
}

/// `c / unit` (unit = 10^decimals, c <= unit) without trailing zeros.
fn decimal_text(c: u128, unit: u128, decimals: usize) -> String {
    if c >= unit {
        return "1".into();
    }
    if c == 0 {
        return "0".into();
    }
    let digits = format!("{c:0decimals$}");
    format!("0.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_from_str_for_every_accepted_form() {
        for text in [
            "0",
            "1",
            "0.0",
            "1.0",
            "1.000",
            "0.05",
            "0.1",
            ".5",
            "0.",
            "0.333333",
            "0.999999999",
            "0.000000001",
            "0.123456789012345",
            "0.0000000000000000000001",
            "00.25",
        ] {
            let ours = parse_probability(text).unwrap_or_else(|| panic!("{text} refused"));
            let std: f64 = text.parse().unwrap();
            assert_eq!(ours.to_bits(), std.to_bits(), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_probability() {
        for text in [
            "",
            ".",
            "-0.1",
            "+0.1",
            "1.5",
            "2",
            "1e-3",
            "0.1.2",
            "abc",
            "0,5",
            " 0.1",
            "0.1234567890123456",        // 16 significant digits
            "0.00000000000000000000001", // 23 decimals
            "NaN",
            "inf",
        ] {
            assert_eq!(parse_probability(text), None, "{text:?}");
        }
    }

    #[test]
    fn text_reads_back_as_the_same_fraction_and_is_short() {
        for scaled in [
            0,
            1,
            2,
            7,
            429_496_729,
            429_496_730,
            1 << 31,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let text = probability_text(scaled);
            let back = parse_probability(&text).map(scale_probability);
            assert_eq!(back, Some(scaled), "{scaled} -> {text}");
        }
        let mut x: u32 = 12345;
        for _ in 0..20_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let text = probability_text(x);
            assert_eq!(
                parse_probability(&text).map(scale_probability),
                Some(x),
                "{text}"
            );
        }
        assert_eq!(probability_text(scale_probability(0.1)), "0.1");
        assert_eq!(probability_text(scale_probability(0.05)), "0.05");
        assert_eq!(probability_text(scale_probability(0.333333)), "0.333333");
        assert_eq!(probability_text(0), "0");
        assert_eq!(probability_text(u32::MAX), "1");
    }
}
