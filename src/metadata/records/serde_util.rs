//! Small serde helpers for Kafka's JSON conventions: tagged fields are printed only when they
//! differ from their default (`JsonConverterGenerator` checks `nonDefault` before writing them),
//! and nullable arrays print as `null`.

use serde::{Deserialize, Deserializer};

pub(crate) fn is_zero_i8(value: &i8) -> bool {
    *value == 0
}

pub(crate) fn is_minus_one_i8(value: &i8) -> bool {
    *value == -1
}

pub(crate) fn minus_one_i8() -> i8 {
    -1
}

pub(crate) fn minus_one_i32() -> i32 {
    -1
}

pub(crate) fn minus_one_i64() -> i64 {
    -1
}

pub(crate) fn default_true() -> bool {
    true
}

/// Reads a `[]int32` that older schema versions declared nullable: `null` becomes empty.
pub(crate) fn null_as_empty<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<i32>, D::Error> {
    Ok(Option::<Vec<i32>>::deserialize(deserializer)?.unwrap_or_default())
}
