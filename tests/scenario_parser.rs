//! The scenario parser on bad input: never a panic, always a `line:column` error at the
//! offending token; valid files round-trip through `Display`.

#![cfg(not(target_arch = "wasm32"))]

use kraftscope::sim::scenario::parse;
use proptest::prelude::*;
use std::path::Path;

fn scenario_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("read"))
        .collect();
    v.sort();
    v
}

fn check_error_position(text: &str) {
    if let Err(e) = parse(text) {
        let lines: Vec<&str> = text.lines().collect();
        assert!(e.line >= 1, "{e}");
        assert!(e.column >= 1, "{e}");
        if let Some(line) = lines.get(e.line - 1) {
            assert!(
                e.column <= line.chars().count() + 1,
                "{e} points past the end of {line:?}"
            );
        }
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("{}:{}: ", e.line, e.column)),
            "{shown}"
        );
        assert!(
            shown.contains("expected") || shown.contains("unknown"),
            "{shown}"
        );
    }
}

#[test]
fn every_scenario_file_round_trips() {
    for text in scenario_texts() {
        let a = parse(&text).expect("parses");
        let b = parse(&a.to_string()).expect("its own output parses");
        let strip = |s: &kraftscope::sim::Scenario| {
            s.lines
                .iter()
                .map(|l| (l.command.clone(), l.comment.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&a), strip(&b));
    }
}

#[test]
fn errors_name_the_offending_token() {
    let cases = [
        ("run 3s", 1, 1, "expected `cluster"),
        ("cluster controllers=3\nrun 3x", 2, 5, "expected a duration"),
        ("cluster controllers=3\ncrash 7", 2, 7, "no such node"),
        (
            "cluster controllers=3\ncrash old",
            2,
            7,
            "no earlier `as old`",
        ),
        (
            "cluster controllers=3\nset controller.quorum.bogus.ms=5",
            2,
            5,
            "unknown config `controller.quorum.bogus.ms`",
        ),
        (
            "cluster controllers=3\nexpect epoch >> 3",
            2,
            14,
            "expected a comparison",
        ),
        ("cluster controllers=3\nfly 3", 2, 1, "expected a command"),
        (
            "cluster controllers=3 prevote=maybe",
            1,
            31,
            "expected `on` or `off`",
        ),
        ("cluster controllers=3\npartition 1,2 |", 2, 15, "after `|`"),
        (
            "cluster controllers=3\nrun until leader within",
            2,
            24,
            "a duration after `within`",
        ),
        (
            "cluster controllers=3\nnet latency=9..2",
            2,
            13,
            "latency range",
        ),
    ];
    for (text, line, column, needle) in cases {
        let e = parse(text).expect_err(text);
        assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
        assert!(e.to_string().contains(needle), "{text:?}: {e}");
    }
}

fn mutate(text: &str, at: usize, op: u8, insert: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let mut out: String = chars[..at].iter().collect();
    match op % 3 {
        0 => out.push_str(insert),
        1 => {}
        _ => {
            out.push_str(insert);
            let skip = (at + 1).min(chars.len());
            out.extend(&chars[skip..]);
            return out;
        }
    }
    let skip = if op % 3 == 1 {
        (at + 1).min(chars.len())
    } else {
        at
    };
    out.extend(&chars[skip..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_error_position(&text);
    }

    #[test]
    fn arbitrary_lines_never_panic(
        lines in proptest::collection::vec("(cluster|set|net|run|crash|partition|cut|expect|append|relax)? ?[ -~]{0,40}", 0..8)
    ) {
        let text = format!("cluster controllers=3 brokers=2\n{}", lines.join("\n"));
        check_error_position(&text);
    }

    #[test]
    fn mutated_valid_files_never_panic(
        file in 0usize..64,
        at in 0usize..4000,
        op in 0u8..3,
        insert in "[ -~]{0,6}|→|é|\\t|#|\\|",
    ) {
        let texts = scenario_texts();
        let text = &texts[file % texts.len()];
        check_error_position(&mutate(text, at, op, &insert));
    }
}
