//! A reader and writer for Java `.properties` text, the format of Kafka's `server.properties`
//! and `meta.properties`, that remembers the line each entry starts on.
//!
//! Reading follows `java.util.Properties.load`, which is what Kafka uses
//! (`Utils.loadProps`):
//! - a line whose first non-blank character is `#` or `!` is a comment;
//! - the key ends at the first unescaped `=`, `:` or blank; blanks around the separator are
//!   skipped, and the value is the rest of the line (Java keeps trailing blanks; Kafka's
//!   `ConfigDef` trims them when it reads a typed value, and so do we in `config.rs`);
//! - a line ending in an odd number of backslashes continues on the next line, whose leading
//!   blanks are dropped;
//! - escapes: `\t`, `\n`, `\r`, `\f`, `\uXXXX`, and `\x` for any other `x`;
//! - a key given twice keeps its last value, silently in Java. We keep every occurrence so the
//!   caller can warn about it.
//!
//! This module only turns text into entries and back. It knows nothing of Kafka's keys, and it
//! must never read a file: the text is handed in.

use std::fmt;

/// One `key=value` entry, with the 1-based line where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub line: usize,
    pub key: String,
    pub value: String,
}

/// The entries of a properties text, in the order they appear (duplicates included).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties {
    entries: Vec<Property>,
}

/// The only thing Java's loader refuses: a broken `\uXXXX` escape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: Malformed \\uxxxx encoding.")]
pub struct PropertiesError {
    pub line: usize,
}

impl Properties {
    /// Parses properties text the way `java.util.Properties.load` does.
    pub fn parse(text: &str) -> Result<Properties, PropertiesError> {
        let lines = split_natural_lines(text);
        let mut entries = Vec::new();
        let mut index = 0;
        while index < lines.len() {
            let start_line = index + 1;
            let first = lines[index].trim_start_matches(is_blank);
            index += 1;
            if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
                continue;
            }
            // Join continuation lines: an odd number of trailing backslashes escapes the
            // line break itself.
            let mut logical = String::from(first);
            while ends_with_odd_backslashes(&logical) {
                logical.pop();
                if index >= lines.len() {
                    break;
                }
                logical.push_str(lines[index].trim_start_matches(is_blank));
                index += 1;
            }
            let (raw_key, raw_value) = split_key_value(&logical);
            entries.push(Property {
                line: start_line,
                key: unescape(raw_key, start_line)?,
                value: unescape(raw_value, start_line)?,
            });
        }
        Ok(Properties { entries })
    }

    /// Every entry in file order, duplicates included.
    pub fn entries(&self) -> &[Property] {
        &self.entries
    }

    /// The entry Java would keep for `key`: the last one.
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.entries.iter().rev().find(|entry| entry.key == key)
    }

    /// The line of the entry Java would keep for `key`.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.get(key).map(|entry| entry.line)
    }

    /// Keys given more than once, each with every line it appears on, in key order.
    pub fn duplicates(&self) -> Vec<(String, Vec<usize>)> {
        let mut lines_by_key: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for entry in &self.entries {
            lines_by_key.entry(&entry.key).or_default().push(entry.line);
        }
        lines_by_key
            .into_iter()
            .filter(|(_, lines)| lines.len() > 1)
            .map(|(key, lines)| (key.to_string(), lines))
            .collect()
    }
}

/// Java's "white space" for properties: space, tab and form feed.
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{c}'
}

/// Splits on `\n`, `\r` and `\r\n`, as `Properties.LineReader` does.
fn split_natural_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if i + 1 < bytes.len() && bytes[i + 1] == b'\n' {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Splits a logical line into its raw (still escaped) key and value.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = line.len();
    let mut separator: Option<char> = None;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if c == '=' || c == ':' || is_blank(c) {
            key_end = i;
            separator = Some(c);
            break;
        }
    }
    let key = &line[..key_end];
    let mut rest = &line[key_end..];
    if let Some(sep) = separator {
        rest = &rest[sep.len_utf8()..];
        if is_blank(sep) {
            // "key   = value": blanks, then at most one '=' or ':', then blanks.
            rest = rest.trim_start_matches(is_blank);
            if let Some(stripped) = rest.strip_prefix(['=', ':']) {
                rest = stripped;
            }
        }
        rest = rest.trim_start_matches(is_blank);
    }
    (key, rest)
}

fn unescape(raw: &str, line: usize) -> Result<String, PropertiesError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .ok_or(PropertiesError { line })?;
                // A lone surrogate cannot be a Rust char; Java would keep it as a broken
                // UTF-16 unit. Substitute U+FFFD rather than refuse the whole file.
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

/// Escapes a key for writing, as `Properties.store` does for the characters that matter.
pub fn escape_key(key: &str) -> String {
    escape(key, true)
}

/// Escapes a value for writing: a leading blank, backslashes and line breaks.
pub fn escape_value(value: &str) -> String {
    escape(value, false)
}

fn escape(text: &str, is_key: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            ' ' if is_key || i == 0 => out.push_str("\\ "),
            '=' | ':' | '#' | '!' if is_key => {
                out.push('\\');
                out.push(c);
            }
            '#' | '!' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Renders `key=value` with both sides escaped.
pub fn render_entry(key: &str, value: &str) -> String {
    format!("{}={}", escape_key(key), escape_value(value))
}

impl fmt::Display for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            writeln!(f, "{}", render_entry(&entry.key, &entry.value))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: usize, key: &str, value: &str) -> Property {
        Property {
            line,
            key: key.to_string(),
            value: value.to_string(),
        }
    }

    #[test]
    fn reads_separators_comments_and_blank_lines_with_their_line_numbers() {
        let text = "# a comment\n! another\n\nnode.id=1\n  process.roles : broker\nlisteners PLAINTEXT://:9092\nempty=\nbare\n";
        let props = Properties::parse(text).unwrap();
        assert_eq!(
            props.entries(),
            &[
                entry(4, "node.id", "1"),
                entry(5, "process.roles", "broker"),
                entry(6, "listeners", "PLAINTEXT://:9092"),
                entry(7, "empty", ""),
                entry(8, "bare", ""),
            ]
        );
    }

    #[test]
    fn keeps_trailing_blanks_in_values_as_java_does() {
        let props = Properties::parse("node.id = 1  \n").unwrap();
        assert_eq!(props.entries(), &[entry(1, "node.id", "1  ")]);
    }

    #[test]
    fn joins_continuation_lines_and_reports_the_first_line() {
        let text = "a=1\ncontroller.quorum.voters=1@node1:9093,\\\n    2@node2:9093,\\\n    3@node3:9093\nb=2\n";
        let props = Properties::parse(text).unwrap();
        assert_eq!(
            props.entries(),
            &[
                entry(1, "a", "1"),
                entry(
                    2,
                    "controller.quorum.voters",
                    "1@node1:9093,2@node2:9093,3@node3:9093"
                ),
                entry(5, "b", "2"),
            ]
        );
    }

    #[test]
    fn an_even_number_of_backslashes_does_not_continue_the_line() {
        let props = Properties::parse("dir=C:\\\\\nnext=1\n").unwrap();
        assert_eq!(
            props.entries(),
            &[entry(1, "dir", "C:\\"), entry(2, "next", "1")]
        );
    }

    #[test]
    fn unescapes_keys_and_values() {
        let props = Properties::parse("my\\ key\\=x=tab\\there \\u0041\\:\n").unwrap();
        assert_eq!(props.entries(), &[entry(1, "my key=x", "tab\there A:")]);
    }

    #[test]
    fn refuses_a_malformed_unicode_escape_like_java() {
        assert_eq!(
            Properties::parse("ok=1\nbad=\\u12G4\n"),
            Err(PropertiesError { line: 2 })
        );
        assert_eq!(
            PropertiesError { line: 2 }.to_string(),
            "line 2: Malformed \\uxxxx encoding."
        );
    }

    #[test]
    fn handles_crlf_and_cr_line_endings() {
        let props = Properties::parse("a=1\r\nb=2\rc=3").unwrap();
        assert_eq!(
            props.entries(),
            &[entry(1, "a", "1"), entry(2, "b", "2"), entry(3, "c", "3")]
        );
    }

    #[test]
    fn the_last_duplicate_wins_and_duplicates_are_listed() {
        let props = Properties::parse("node.id=1\nx=0\nnode.id=2\n").unwrap();
        assert_eq!(props.get("node.id"), Some(&entry(3, "node.id", "2")));
        assert_eq!(
            props.duplicates(),
            vec![("node.id".to_string(), vec![1, 3])]
        );
    }

    #[test]
    fn written_entries_read_back_unchanged() {
        let tricky = [
            ("plain.key", "value"),
            ("key with space", " leading blank"),
            ("k=v:x", "#not a comment"),
            ("path", "C:\\logs\\kafka"),
            ("multi", "line1\nline2"),
        ];
        let text: String = tricky
            .iter()
            .map(|(k, v)| render_entry(k, v) + "\n")
            .collect();
        let props = Properties::parse(&text).unwrap();
        let read: Vec<(String, String)> = props
            .entries()
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        let expected: Vec<(String, String)> = tricky
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(read, expected);
    }
}
