//! The `kraftscope` binary's version and help, run as a user would.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn kraftscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kraftscope"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn version_prints_name_and_version() {
    for flag in ["--version", "-V"] {
        let out = kraftscope(&[flag]);
        assert!(out.status.success());
        let expected = format!("kraftscope {}\n", env!("CARGO_PKG_VERSION"));
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }
}

#[test]
fn help_lists_the_options() {
    let out = kraftscope(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in [
        "kraftscope run FILE",
        "kraftscope trace FILE",
        "kraftscope fuzz --seeds N",
        "kraftscope bench",
        "--version",
    ] {
        assert!(text.contains(command), "{command} missing from:\n{text}");
    }
}

#[test]
fn unknown_argument_is_a_usage_error() {
    let out = kraftscope(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown command `--frobnicate`"));
}
