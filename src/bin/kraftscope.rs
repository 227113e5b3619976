//! The `kraftscope` command line. For now it knows only its version and its help;
//! `run`, `trace`, `fuzz` and `bench` arrive with the simulator.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run(std::env::args().skip(1))
}

// `cargo build --target wasm32-unknown-unknown` builds every bin, and a page has no
// command line, so the web build gets an empty one.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::process::ExitCode;

    const USAGE: &str = "\
Usage: kraftscope [OPTIONS]

Options:
  -h, --help     Print this help
  -V, --version  Print the version";

    pub fn run(mut args: impl Iterator<Item = String>) -> ExitCode {
        match args.next().as_deref() {
            Some("-V" | "--version") => println!("kraftscope {}", env!("CARGO_PKG_VERSION")),
            None | Some("-h" | "--help") => {
                println!(
                    "kraftscope {}: {}\n",
                    env!("CARGO_PKG_VERSION"),
                    env!("CARGO_PKG_DESCRIPTION")
                );
                println!("{USAGE}");
            }
            Some(other) => {
                eprintln!("error: unexpected argument '{other}'\n\n{USAGE}");
                return ExitCode::from(2); // the usual exit code for a usage error
            }
        }
        ExitCode::SUCCESS
    }
}
