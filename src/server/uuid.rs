//! Kafka's `Uuid` (`org.apache.kafka.common.Uuid`): 16 bytes written as 22 characters of
//! URL-safe base64 without padding, the form `kafka-storage.sh random-uuid` prints and
//! `meta.properties` stores (`cluster.id`, `directory.id`).
//!
//! Parsing reproduces `Uuid.fromString` on top of Java's URL base64 decoder, error messages
//! included, because a user who types a bad cluster id should read what Kafka would say.
//!
//! This module never draws randomness: "random" ids are built from bytes the caller supplies
//! (the simulator's seeded RNG).

use std::fmt;

/// A Kafka UUID: the big-endian bytes of its most and least significant longs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uuid([u8; 16]);

/// Why a string is not a Kafka UUID, in the words of `Uuid.fromString`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UuidError(pub String);

const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Uuid {
    /// `Uuid.ZERO_UUID`: reserved, means "no id".
    pub const ZERO: Uuid = Uuid([0; 16]);
    /// `Uuid.ONE_UUID`: reserved (the metadata topic's id).
    pub const ONE: Uuid = Uuid([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    pub const fn from_bytes(bytes: [u8; 16]) -> Uuid {
        Uuid(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Whether Kafka reserves this id (`Uuid.RESERVED`: zero and one).
    pub fn is_reserved(&self) -> bool {
        *self == Uuid::ZERO || *self == Uuid::ONE
    }

    /// What `Uuid.randomUuid()` (and so `kafka-storage.sh random-uuid`) would make of these
    /// random bytes: a version-4, IETF-variant UUID, as `java.util.UUID.randomUUID` sets those
    /// bits. `None` when Kafka would draw again: a reserved id, or one whose text starts with
    /// `-` (it would read as a command-line flag).
    pub fn random_from_bytes(mut bytes: [u8; 16]) -> Option<Uuid> {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let uuid = Uuid(bytes);
        (!uuid.is_reserved() && !uuid.to_string().starts_with('-')).then_some(uuid)
    }

    /// `Uuid.fromString`: URL-safe base64, 16 bytes once decoded.
    pub fn parse(text: &str) -> Result<Uuid, UuidError> {
        if text.chars().count() > 24 {
            let prefix: String = text.chars().take(24).collect();
            return Err(UuidError(format!(
                "Input string with prefix `{prefix}` is too long to be decoded as a base64 UUID"
            )));
        }
        let bytes = java_url_base64_decode(text).map_err(UuidError)?;
        let array: [u8; 16] = bytes.as_slice().try_into().map_err(|_| {
            UuidError(format!(
                "Input string `{text}` decoded as {} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
                bytes.len()
            ))
        })?;
        Ok(Uuid(array))
    }
}

impl fmt::Display for Uuid {
    /// `Base64.getUrlEncoder().withoutPadding()` of the 16 bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(22);
        for chunk in self.0.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
            for sextet in sextets.iter().take(chunk.len() + 1) {
                out.push(URL_ALPHABET[*sextet as usize] as char);
            }
        }
        f.write_str(&out)
    }
}

fn sextet_of(byte: u8) -> Option<u32> {
    URL_ALPHABET
        .iter()
        .position(|&c| c == byte)
        .map(|index| index as u32)
}

/// `Base64.getUrlDecoder().decode(String)`, with Java's error messages. Java first turns the
/// string into ISO-8859-1 bytes, so any other character becomes `?`.
fn java_url_base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    if src.len() == 1 {
        return Err("Input byte[] should at least have 2 bytes for base64 bytes".to_string());
    }
    let mut out = Vec::with_capacity(src.len() * 3 / 4);
    let mut bits: u32 = 0;
    let mut shift: i32 = 18;
    let mut position = 0;
    while position < src.len() {
        let byte = src[position];
        position += 1;
        if byte == b'=' {
            // "xx=" must be followed by a second '='; '=' at a unit's start is wrong too.
            let missing_second_pad = shift == 6 && (position == src.len() || src[position] != b'=');
            if shift == 6 && !missing_second_pad {
                position += 1;
            }
            if missing_second_pad || shift == 18 {
                return Err("Input byte array has wrong 4-byte ending unit".to_string());
            }
            break;
        }
        let Some(sextet) = sextet_of(byte) else {
            // Java prints the signed byte in hex.
            let shown = if byte >= 0x80 {
                format!("-{:x}", 256 - u32::from(byte))
            } else {
                format!("{byte:x}")
            };
            return Err(format!("Illegal base64 character {shown}"));
        };
        bits |= sextet << shift;
        shift -= 6;
        if shift < 0 {
            out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
            shift = 18;
            bits = 0;
        }
    }
    match shift {
        6 => out.push((bits >> 16) as u8),
        0 => out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8]),
        12 => return Err("Last unit does not have enough valid bits".to_string()),
        _ => {}
    }
    if position < src.len() {
        return Err(format!(
            "Input byte array has incorrect ending byte at {position}"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kafka_and_parses_back() {
        // Kafka's own example ids (StorageToolTest / docs) decode and re-encode unchanged.
        for text in [
            "XcZZOzUqS4yHOjhMQB6JLQ",
            "MkU3OEVBNTcwNTJENDM2Qg",
            "K90IZ-0DRNazJ49kCZ1EMQ",
        ] {
            assert_eq!(Uuid::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Uuid::ZERO.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(Uuid::ONE.to_string(), "AAAAAAAAAAAAAAAAAAAAAQ");
    }

    #[test]
    fn renders_known_bytes() {
        let uuid = Uuid::from_bytes([
            0x5d, 0xc6, 0x59, 0x3b, 0x35, 0x2a, 0x4b, 0x8c, 0x87, 0x3a, 0x38, 0x4c, 0x40, 0x1e,
            0x89, 0x2d,
        ]);
        assert_eq!(uuid.to_string(), "XcZZOzUqS4yHOjhMQB6JLQ");
    }

    #[test]
    fn random_from_bytes_sets_version_4_and_refuses_what_kafka_redraws() {
        let uuid = Uuid::random_from_bytes([0xff; 16]).unwrap();
        let bytes = uuid.as_bytes();
        assert_eq!((bytes[6], bytes[8]), (0x4f, 0xbf));
        assert_eq!(uuid.to_string(), "________T_-__________w");
        // 0xfb.. renders as "-..." (a flag on a command line), so Kafka draws again.
        assert_eq!(Uuid::random_from_bytes([0xfb; 16]), None);
        assert_eq!(
            Uuid::random_from_bytes([0; 16]).map(|u| u.is_reserved()),
            Some(false)
        );
    }

    #[test]
    fn parse_errors_match_kafka() {
        let cases = [
            (
                "invalid",
                "Input string `invalid` decoded as 5 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
            ),
            (
                "",
                "Input string `` decoded as 0 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID",
            ),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "Input string with prefix `abcdefghijklmnopqrstuvwx` is too long to be decoded as a base64 UUID",
            ),
            ("my.cluster", "Illegal base64 character 2e"),
            ("abcde", "Last unit does not have enough valid bits"),
            ("a", "Input byte[] should at least have 2 bytes for base64 bytes"),
            ("ab=c", "Input byte array has wrong 4-byte ending unit"),
            ("abc=d", "Input byte array has incorrect ending byte at 4"),
        ];
        for (input, message) in cases {
            assert_eq!(
                Uuid::parse(input),
                Err(UuidError(message.to_string())),
                "input {input:?}"
            );
        }
    }
}
