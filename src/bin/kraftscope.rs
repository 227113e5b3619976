//! The `kraftscope` command line: run, trace and fuzz scenario files, and benchmark the
//! simulator.
//!
//! ```text
//! kraftscope run FILE [--seed N] [--json]    exit 0 ok, 1 an expectation or invariant failed, 2 bad file
//! kraftscope trace FILE [--seed N]           one line per event
//! kraftscope fuzz --seeds N [--start S] [--controllers A..B] [--brokers A..B] [--out DIR]
//! kraftscope bench [--quick] [--only steady|seek]   simulated events per second, seek time
//! kraftscope describe FILE [--replication] [--node N]   kafka-metadata-quorum.sh describe
//! kraftscope shell FILE --node N PATH        kafka-metadata-shell.sh ls/cat of a node's image
//! kraftscope dump-log FILE --node N          kafka-dump-log.sh of a node's metadata log
//! ```

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main(std::env::args().skip(1).collect()));
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use kraftscope::sim::bench;
    use kraftscope::sim::fuzz::{fuzz_one, FuzzConfig, FuzzResult};
    use kraftscope::sim::report::outcome_json;
    use kraftscope::sim::scenario::{parse, run_scenario, RunOptions};
    use std::io::Write;
    use std::time::Instant;

    const HELP: &str = "\
kraftscope — Apache Kafka's KRaft consensus in a deterministic simulator

USAGE:
    kraftscope run FILE [--seed N] [--json]
        Run a scenario file. Exit 0 when every `expect` holds and no invariant was
        violated, 1 otherwise (naming the failing line), 2 when the file does not parse.
    kraftscope trace FILE [--seed N]
        Run a scenario and print one line per event.
    kraftscope fuzz --seeds N [--start S] [--controllers A..B] [--brokers A..B] [--out DIR]
        Swarm-fuzz N seeds (each draws its own fault mix), a safety phase then a
        liveness phase. On failure: exit 1 and write a scenario file reproducing it.
    kraftscope bench [--quick] [--only steady|seek]
        Simulated events per second on fixed workloads, and seeking in a 10-minute run.
    kraftscope describe FILE [--replication] [--node N]
        Run a scenario, then print `kafka-metadata-quorum.sh describe --status` (or
        `--replication`) at its end, as the active controller answers it (--node N
        names the node the tool connects to; it must be running).
    kraftscope shell FILE --node N PATH
        Run a scenario, then `ls` (a directory) or `cat` (a file) PATH in node N's
        metadata image, e.g. /image/topics/byName/orders/0.
    kraftscope dump-log FILE --node N
        Run a scenario, then print node N's metadata log as kafka-dump-log.sh
        --cluster-metadata-decoder does (JSON records with batch headers).
    kraftscope --help | --version
";

    fn usage_error(msg: &str) -> i32 {
        eprintln!("error: {msg}\n\n{HELP}");
        2
    }

    struct Args {
        positional: Vec<String>,
        flags: Vec<(String, Option<String>)>,
    }

    fn split_args(args: &[String], valued: &[&str]) -> Result<Args, String> {
        let mut positional = Vec::new();
        let mut flags = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                if let Some((k, v)) = name.split_once('=') {
                    flags.push((k.to_string(), Some(v.to_string())));
                } else if valued.contains(&name) {
                    let v = it.next().ok_or(format!("--{name} needs a value"))?;
                    flags.push((name.to_string(), Some(v.clone())));
                } else {
                    flags.push((name.to_string(), None));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Args { positional, flags })
    }

    impl Args {
        fn get(&self, name: &str) -> Option<&str> {
            self.flags
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.as_deref())
        }

        fn has(&self, name: &str) -> bool {
            self.flags.iter().any(|(k, _)| k == name)
        }

        fn check_known(&self, known: &[&str]) -> Result<(), String> {
            match self
                .flags
                .iter()
                .find(|(k, _)| !known.contains(&k.as_str()))
            {
                Some((k, _)) => Err(format!("unknown option --{k}")),
                None => Ok(()),
            }
        }

        fn u64(&self, name: &str) -> Result<Option<u64>, String> {
            self.get(name)
                .map(|v| {
                    v.parse()
                        .map_err(|_| format!("--{name} expects a number, got `{v}`"))
                })
                .transpose()
        }

        fn range(&self, name: &str) -> Result<Option<(u32, u32)>, String> {
            self.get(name)
                .map(|v| {
                    let parsed = match v.split_once("..") {
                        Some((a, b)) => a.parse().ok().zip(b.parse().ok()),
                        None => v.parse().ok().map(|n| (n, n)),
                    };
                    match parsed {
                        Some((a, b)) if a <= b => Ok((a, b)),
                        _ => Err(format!("--{name} expects A..B, got `{v}`")),
                    }
                })
                .transpose()
        }
    }

    pub fn main(args: Vec<String>) -> i32 {
        let Some(cmd) = args.first() else {
            print!("{HELP}");
            return 2;
        };
        let rest = &args[1..];
        match cmd.as_str() {
            "--help" | "-h" | "help" => {
                print!("{HELP}");
                0
            }
            "--version" | "-V" => {
                println!("kraftscope {}", env!("CARGO_PKG_VERSION"));
                0
            }
            "run" => run(rest, false),
            "trace" => run(rest, true),
            "fuzz" => fuzz(rest),
            "bench" => bench_cmd(rest),
            "describe" | "shell" | "dump-log" => view(cmd, rest),
            other => usage_error(&format!("unknown command `{other}`")),
        }
    }

    /// `describe`, `shell` and `dump-log`: a view of the world at a scenario's end.
    fn view(cmd: &str, rest: &[String]) -> i32 {
        let args = match split_args(rest, &["node", "seed"]) {
            Ok(a) => a,
            Err(e) => return usage_error(&e),
        };
        let known: &[&str] = match cmd {
            "describe" => &["node", "seed", "replication", "status"],
            _ => &["node", "seed"],
        };
        if let Err(e) = args.check_known(known) {
            return usage_error(&e);
        }
        let (file, path) = match (cmd, args.positional.as_slice()) {
            ("shell", [file, path]) => (file, Some(path.as_str())),
            ("shell", _) => return usage_error("expected a scenario FILE and a PATH"),
            (_, [file]) => (file, None),
            _ => return usage_error("expected one scenario FILE"),
        };
        let (seed, node) = match (args.u64("seed"), args.u64("node")) {
            (Ok(s), Ok(n)) => (s, n),
            (Err(e), _) | (_, Err(e)) => return usage_error(&e),
        };
        if cmd != "describe" && node.is_none() {
            return usage_error("expected --node N");
        }
        let scenario = match load_scenario(file) {
            Ok(s) => s,
            Err(code) => return code,
        };
        let outcome = run_scenario(
            &scenario,
            RunOptions {
                seed,
                keep_trace: false,
            },
        );
        let world = &outcome.world;
        let node = node.map(|n| n as i32);
        if let Some(n) = node {
            match world.process(n) {
                None => {
                    eprintln!("error: node {n} does not exist");
                    return 1;
                }
                Some(p) if cmd == "describe" && !p.alive() => {
                    eprintln!("error: node {n} is not running");
                    return 1;
                }
                _ => {}
            }
        }
        let result = match (cmd, path) {
            ("describe", _) if args.has("replication") => world.describe_replication(),
            ("describe", _) => world.describe_status(),
            ("shell", Some(path)) => {
                let n = node.expect("checked");
                match world.shell_ls(n, path) {
                    Ok(children) if world.shell_cat(n, path).is_err() => {
                        Ok(children.iter().map(|c| format!("{c}\n")).collect())
                    }
                    _ => world.shell_cat(n, path).map(|t| format!("{t}\n")),
                }
            }
            _ => world.dump_log(node.expect("checked")),
        };
        match result {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        }
    }

    fn run(rest: &[String], trace: bool) -> i32 {
        let args = match split_args(rest, &["seed"]) {
            Ok(a) => a,
            Err(e) => return usage_error(&e),
        };
        let known: &[&str] = if trace { &["seed"] } else { &["seed", "json"] };
        if let Err(e) = args.check_known(known) {
            return usage_error(&e);
        }
        let [file] = args.positional.as_slice() else {
            return usage_error("expected one scenario FILE");
        };
        let seed = match args.u64("seed") {
            Ok(s) => s,
            Err(e) => return usage_error(&e),
        };
        let scenario = match load_scenario(file) {
            Ok(s) => s,
            Err(code) => return code,
        };
        let outcome = run_scenario(
            &scenario,
            RunOptions {
                seed,
                keep_trace: trace,
            },
        );
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        if trace {
            let mut line = String::new();
            for e in outcome.world.trace().events() {
                line.clear();
                e.render(&mut line);
                let _ = writeln!(out, "{line}");
            }
        } else if args.has("json") {
            let _ = writeln!(out, "{}", outcome_json(&outcome));
        } else {
            for e in &outcome.expectations {
                let mark = if e.ok { "ok  " } else { "FAIL" };
                let _ = writeln!(out, "{mark} {file}:{}: {} — {}", e.line, e.text, e.detail);
            }
            for v in outcome.world.violations() {
                let _ = writeln!(
                    out,
                    "VIOLATION {} at {}ms on n{} ({}): {}",
                    v.invariant, v.at_ms, v.node, v.event, v.detail
                );
            }
            let _ = writeln!(
                out,
                "{} at {}ms, trace hash {:016x}",
                if outcome.ok { "ok" } else { "FAILED" },
                outcome.world.now_ms(),
                outcome.world.trace_hash()
            );
        }
        let _ = out.flush();
        if outcome.ok {
            0
        } else {
            if let Some(e) = outcome.first_failure() {
                eprintln!("{file}:{}: `{}` failed: {}", e.line, e.text, e.detail);
            } else if let Some(v) = outcome.world.violations().first() {
                eprintln!(
                    "{file}: invariant {} violated at {}ms: {}",
                    v.invariant, v.at_ms, v.detail
                );
            }
            1
        }
    }

    fn fuzz(rest: &[String]) -> i32 {
        let args = match split_args(rest, &["seeds", "start", "controllers", "brokers", "out"]) {
            Ok(a) => a,
            Err(e) => return usage_error(&e),
        };
        if let Err(e) = args.check_known(&[
            "seeds",
            "start",
            "controllers",
            "brokers",
            "out",
            "keep-going",
        ]) {
            return usage_error(&e);
        }
        let parsed = (|| -> Result<_, String> {
            let seeds = args.u64("seeds")?.ok_or("--seeds N is required")?;
            let start = args.u64("start")?.unwrap_or(0);
            let mut cfg = FuzzConfig::default();
            if let Some(r) = args.range("controllers")? {
                if r.0 == 0 {
                    return Err("--controllers must be at least 1".into());
                }
                cfg.controllers = r;
            }
            if let Some(r) = args.range("brokers")? {
                cfg.brokers = r;
            }
            if cfg.controllers.1 + cfg.brokers.1 > 64 {
                return Err("at most 64 nodes".into());
            }
            Ok((seeds, start, cfg))
        })();
        let (seeds, start, cfg) = match parsed {
            Ok(p) => p,
            Err(e) => return usage_error(&e),
        };
        let out_dir = args.get("out").unwrap_or(".").to_string();
        let keep_going = args.has("keep-going");
        let t0 = Instant::now();
        let mut failed: Vec<FuzzResult> = Vec::new();
        let mut events = 0u64;
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        for (i, seed) in (start..start.saturating_add(seeds)).enumerate() {
            let r = fuzz_one(seed, &cfg);
            events += r.events;
            let done = i as u64 + 1;
            if tty || done == seeds || done.is_multiple_of(100) {
                let width = 30;
                let filled = (done * width / seeds.max(1)) as usize;
                eprint!(
                    "\r[{}{}] {done}/{seeds} seeds, {} failed, {:.1}s{}",
                    "#".repeat(filled),
                    "-".repeat(width as usize - filled),
                    failed.len() + usize::from(!r.ok),
                    t0.elapsed().as_secs_f64(),
                    if tty { "" } else { "\n" }
                );
            }
            if !r.ok {
                failed.push(r);
                if !keep_going {
                    break;
                }
            }
        }
        eprintln!();
        eprintln!(
            "{} seeds in {:.1}s ({} simulated events)",
            seeds,
            t0.elapsed().as_secs_f64(),
            events
        );
        if failed.is_empty() {
            println!("ok: {seeds} seeds from {start}, no failure");
            return 0;
        }
        let _ = std::fs::create_dir_all(&out_dir);
        for r in &failed {
            let path = format!("{out_dir}/fuzz-seed-{}.kraft", r.seed);
            let mut text = r.scenario.to_string();
            text.insert_str(
                0,
                &format!(
                    "# Reproduces a kraftscope fuzz failure: {}\n",
                    r.failure.as_deref().unwrap_or("?")
                ),
            );
            match std::fs::write(&path, text) {
                Ok(()) => {
                    println!(
                        "FAILED seed {}: {}\n  invariant(s): {}\n  reproduce: kraftscope run {path}",
                        r.seed,
                        r.failure.as_deref().unwrap_or("?"),
                        if r.invariants.is_empty() { "none (liveness)".to_string() } else { r.invariants.join(", ") },
                    );
                }
                Err(e) => println!(
                    "FAILED seed {}: {} (cannot write {path}: {e})",
                    r.seed,
                    r.failure.as_deref().unwrap_or("?")
                ),
            }
        }
        1
    }

    fn bench_cmd(rest: &[String]) -> i32 {
        let args = match split_args(rest, &["only"]) {
            Ok(a) => a,
            Err(e) => return usage_error(&e),
        };
        if let Err(e) = args.check_known(&["quick", "only"]) {
            return usage_error(&e);
        }
        let quick = args.has("quick");
        let only = args.get("only").unwrap_or("");
        let sim_ms = if quick { 20_000 } else { 120_000 };
        let measure_s = if quick { 1.0 } else { 5.0 };
        if only != "seek" {
            println!(
                "simulated events per second on one thread; an event is a message delivery, a timer or an append (steady appends of one record every 10 ms, {} s simulated per round, rounds repeated for {measure_s} s; the median round, then the slowest and fastest):",
                sim_ms / 1000
            );
            for w in bench::WORKLOADS {
                let r = bench::steady(&w, sim_ms, measure_s);
                let secs = r.cpu_s.unwrap_or(r.wall_s);
                let rates = &r.round_rates;
                println!(
                    "  {:<24} {:>6.2} M events/s median of {} rounds ({:.2}..{:.2}); {:>5.2} M trace events/s overall: {} events in {:.3}s {} ({:.3}s wall)",
                    w.name,
                    r.median_rate() / 1e6,
                    rates.len(),
                    rates.first().copied().unwrap_or(0.0) / 1e6,
                    rates.last().copied().unwrap_or(0.0) / 1e6,
                    r.trace_events as f64 / secs / 1e6,
                    r.events,
                    secs,
                    if r.cpu_s.is_some() { "on-CPU" } else { "wall" },
                    r.wall_s
                );
            }
        }
        if only == "steady" {
            return 0;
        }
        let run_ms = if quick { 120_000 } else { 600_000 };
        let s = bench::seek(run_ms, if quick { 5 } else { 20 });
        println!(
            "seek in a {}-minute run (5 voters + 10 observers, checkpoints every 10 s): median {:.2} ms, max {:.2} ms over {} seeks (building the timeline took {:.2}s)",
            run_ms / 60_000,
            s.median_ms,
            s.max_ms,
            s.seeks,
            s.build_s
        );
        0
    }

    /// Reads and parses a scenario file; on failure prints the error (`FILE:line:col: …`)
    /// and gives exit code 2.
    fn load_scenario(file: &str) -> Result<kraftscope::sim::Scenario, i32> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            eprintln!("error: cannot read {file}: {e}");
            2
        })?;
        parse(&text).map_err(|e| {
            eprintln!("{file}:{e}");
            2
        })
    }
}
