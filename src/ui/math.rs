//! The few transcendental functions the UI needs (ring layout, arrow heads, the speed
//! slider's log scale).
//!
//! Why not `f64::sin` and friends: on wasm32 they are compiled in from libm (about
//! 12 KB of code with the argument-reduction tables), while the browser already has
//! `Math`. So in the page they call `Math`; natively (SSR and unit tests) they are the
//! std versions. Only the UI uses these: nothing the simulation computes depends on
//! them, so determinism is unaffected.

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::Math;

    pub fn sin(x: f64) -> f64 {
        Math::sin(x)
    }
    pub fn cos(x: f64) -> f64 {
        Math::cos(x)
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        Math::atan2(y, x)
    }
    pub fn powf(base: f64, exp: f64) -> f64 {
        Math::pow(base, exp)
    }
    pub fn log10(x: f64) -> f64 {
        Math::log10(x)
    }
    pub fn hypot(x: f64, y: f64) -> f64 {
        // Math.hypot is variadic; for two finite values this is the same result
        // without the array the binding would build.
        (x * x + y * y).sqrt()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        y.atan2(x)
    }
    pub fn powf(base: f64, exp: f64) -> f64 {
        base.powf(exp)
    }
    pub fn log10(x: f64) -> f64 {
        x.log10()
    }
    pub fn hypot(x: f64, y: f64) -> f64 {
        x.hypot(y)
    }
}

pub use imp::{atan2, cos, hypot, log10, powf, sin};

/// `x` with `places` decimals (0..=3), for CSS lengths and percentages.
///
/// Why not `format!("{x:.2}")`: Rust's exact float formatting brings its own
/// arbitrary-precision code and tables into the page (about 8 KB) for what is here
/// a position on screen. Rounding to an integer and printing that is the same text.
pub struct Fixed(pub f64, pub u32);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scale = 10i64.pow(self.1.min(3));
        let scaled = (self.0 * scale as f64).round();
        // Off-screen or non-finite values only need to be valid CSS.
        let n = if scaled.is_finite() { scaled as i64 } else { 0 };
        let sign = if n < 0 { "-" } else { "" };
        let (int, frac) = (
            n.unsigned_abs() / scale as u64,
            n.unsigned_abs() % scale as u64,
        );
        if scale == 1 {
            write!(f, "{sign}{int}")
        } else {
            let width = self.1.min(3) as usize;
            write!(f, "{sign}{int}.{frac:0width$}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fixed;

    #[test]
    fn fixed_prints_like_rusts_float_precision() {
        for (x, places) in [
            (0.0, 2),
            (12.345, 2),
            (99.999, 2),
            (-0.26, 1),
            (7.5, 0),
            (-3.4, 0),
            (100.0, 3),
            (0.0005, 3),
        ] {
            let ours = Fixed(x, places).to_string();
            let rusts = format!("{x:.*}", places as usize);
            // Rust rounds half to even on the exact binary value; ours rounds the
            // scaled value half away from zero. They agree except on exact ties.
            let close =
                (ours.parse::<f64>().unwrap() - x).abs() <= 0.5 / 10f64.powi(places as i32) + 1e-12;
            assert!(close, "{x} with {places} places: {ours} vs {rusts}");
        }
        assert_eq!(Fixed(12.345678, 2).to_string(), "12.35");
        assert_eq!(Fixed(-0.26, 1).to_string(), "-0.3");
        assert_eq!(Fixed(7.0, 0).to_string(), "7");
        assert_eq!(Fixed(-0.004, 2).to_string(), "0.00");
        assert_eq!(Fixed(f64::NAN, 2).to_string(), "0.00");
    }
}
