//! Kafka's `Uuid`: 16 bytes, printed as 22 characters of URL-safe base64 without padding
//! (`org.apache.kafka.common.Uuid#toString`), e.g. `AAAAAAAAAAAAAAAAAAAAAQ`.
//!
//! Topic ids and incarnation ids are always *given* to this module (the controller derives
//! them deterministically); nothing here generates one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 128-bit Kafka id, held as Kafka holds it: most and least significant longs. Two words
/// compare in two instructions (no memcmp) and align to 8 bytes (a `u128` would align
/// every struct holding an id to 16). Ordered as its big-endian bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid {
    most_significant: u64,
    least_significant: u64,
}

/// Why a string is not a Kafka `Uuid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Uuid {text:?}: expected 22 characters of URL-safe base64")]
pub struct ParseUuidError {
    /// The rejected text.
    pub text: String,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Uuid {
    /// `Uuid.ZERO_UUID`: Kafka's "no id" value.
    pub const ZERO: Uuid = Uuid::from_u128(0);
    /// `Uuid.METADATA_TOPIC_ID` (`AAAAAAAAAAAAAAAAAAAAAQ`), the id of `__cluster_metadata`.
    pub const METADATA_TOPIC_ID: Uuid = Uuid::from_u128(1);

    /// The id whose most and least significant longs are the high and low halves of `value`.
    pub const fn from_u128(value: u128) -> Uuid {
        Uuid {
            most_significant: (value >> 64) as u64,
            least_significant: value as u64,
        }
    }

    /// The id as one number (most significant long in the high half).
    pub const fn as_u128(self) -> u128 {
        ((self.most_significant as u128) << 64) | self.least_significant as u128
    }

    /// The 16 bytes as Kafka writes them (big-endian).
    pub const fn to_bytes(self) -> [u8; 16] {
        self.as_u128().to_be_bytes()
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 16 bytes = 5 groups of 3 bytes (20 chars) + 1 byte (2 chars), no padding.
        let mut out = [0u8; 22];
        let mut o = 0;
        for chunk in self.to_bytes().chunks(3) {
            let b0 = chunk[0] as u32;
            let b1 = chunk.get(1).copied().unwrap_or(0) as u32;
            let b2 = chunk.get(2).copied().unwrap_or(0) as u32;
            let n = (b0 << 16) | (b1 << 8) | b2;
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out[o] = ALPHABET[((n >> (18 - 6 * i)) & 63) as usize];
                o += 1;
            }
        }
        // Every byte of `out` comes from ALPHABET, which is ASCII.
        f.write_str(std::str::from_utf8(&out).expect("base64 alphabet is ASCII"))
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl FromStr for Uuid {
    type Err = ParseUuidError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseUuidError {
            text: text.to_string(),
        };
        let bytes = text.as_bytes();
        if bytes.len() != 22 {
            return Err(error());
        }
        let mut sextets = [0u32; 22];
        for (slot, &c) in sextets.iter_mut().zip(bytes) {
            *slot = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' => 62,
                b'_' => 63,
                _ => return Err(error()),
            } as u32;
        }
        // The last character carries 2 meaningful bits; the 4 padding bits must be zero
        // or the text would not round-trip.
        if sextets[21] & 0xF != 0 {
            return Err(error());
        }
        let mut out = [0u8; 16];
        for group in 0..5 {
            let s = &sextets[group * 4..group * 4 + 4];
            let n = (s[0] << 18) | (s[1] << 12) | (s[2] << 6) | s[3];
            out[group * 3] = (n >> 16) as u8;
            out[group * 3 + 1] = (n >> 8) as u8;
            out[group * 3 + 2] = n as u8;
        }
        out[15] = ((sextets[20] << 2) | (sextets[21] >> 4)) as u8;
        Ok(Uuid::from_u128(u128::from_be_bytes(out)))
    }
}

impl Serialize for Uuid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Uuid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_constants_print_as_kafka_prints_them() {
        assert_eq!(Uuid::ZERO.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(
            Uuid::METADATA_TOPIC_ID.to_string(),
            "AAAAAAAAAAAAAAAAAAAAAQ"
        );
        assert_eq!(
            Uuid::from_u128(u128::MAX).to_string(),
            "_____________________w"
        );
    }

    #[test]
    fn round_trips_through_text() {
        for value in [
            0u128,
            1,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
            u128::MAX,
        ] {
            let id = Uuid::from_u128(value);
            assert_eq!(id.to_string().parse::<Uuid>(), Ok(id));
        }
    }

    #[test]
    fn rejects_text_that_is_not_a_uuid() {
        for bad in [
            "",
            "AAAA",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAAAAAAAB",
        ] {
            assert!(bad.parse::<Uuid>().is_err(), "{bad}");
        }
    }

    #[test]
    fn serializes_as_a_json_string() {
        let id = Uuid::METADATA_TOPIC_ID;
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"AAAAAAAAAAAAAAAAAAAAAQ\""
        );
        assert_eq!(
            serde_json::from_str::<Uuid>("\"AAAAAAAAAAAAAAAAAAAAAQ\"").unwrap(),
            id
        );
    }
}
