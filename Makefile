# KRaftScope: `make serve` and `make test` are all a fresh Debian machine needs (rustup,
# Node 20 and npm given). Each target first installs what is missing, checking before
# installing so a warm run spends no time on setup. Versions are pinned: trunk and
# wasm-bindgen-cli must match Trunk.toml and Cargo.lock, or trunk tries to download them.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# The steps share target/ and dist/, so they must run one after another.
.NOTPARALLEL:
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# trunk's update check cannot reach its registry API from here and only adds noise.
export TRUNK_SKIP_VERSION_CHECK := true

TRUNK_VERSION := 0.21.14
WASM_BINDGEN_VERSION := 0.2.130
WASM := --target wasm32-unknown-unknown

# Prints a step banner with the time, so a log shows where a run spent its time.
step = @echo "==> $(1)  [$$(date +%T)]"

.PHONY: help serve test bench bench-sim setup browser lint test-native test-wasm build e2e

help:
	@echo "make serve   build and serve the app on http://127.0.0.1:8080 (live reload)"
	@echo "make test    lint, native tests, browser tests, release build, end-to-end tests"
	@echo "make bench   run the criterion benchmarks"
	@echo "make bench-sim   simulated events/s and seek times (kraftscope bench, PGO build)"

serve: setup
	trunk serve --offline

test: setup browser lint test-native test-wasm build e2e
	@echo "==> make test: all steps passed  [$$(date +%T)]"

bench: setup
	cargo bench --benches

# The simulator's own benchmark on a profile-guided build of the CLI (scripts/build-cli-pgo
# says why and how it trains); `kraftscope bench` prints events/s per workload and seeks.
bench-sim: setup
	bin=$$(scripts/build-cli-pgo) && "$$bin" bench

# --- setup: idempotent; each line skips when the exact version is already there ---

setup: node_modules/.package-lock.json
	$(call step,setup)
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
	@[ "$$(trunk --version 2>/dev/null)" = "trunk $(TRUNK_VERSION)" ] \
	  || cargo install --locked --force trunk@$(TRUNK_VERSION)
	@# No --locked: its lockfile pins a webpki-roots release the registry does not serve.
	@# --force: cargo skips a package its records call installed even when the binary is
	@# gone (wasm-bindgen deleted, wasm2es6js left), and the browser tests then fail.
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
	  || cargo install --force wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@# trunk runs cargo with --offline, which needs every crate already downloaded.
	@cargo fetch --quiet

# playwright-core (no browser download) and binaryen (the only wasm-opt that reads
# today's wasm), exactly as package-lock.json pins them.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium and its chromedriver; the tests name /usr/bin/chromium directly.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	else \
	  echo "make test needs Chromium and ChromeDriver from Debian. Install them with:" >&2; \
	  echo "    sudo apt-get install -y chromium chromium-driver" >&2; \
	  exit 1; \
	fi

# --- the test steps, in the order `make test` runs them ---

# Both targets lint every target. Test and bench code that needs a native-only
# dev-dependency (proptest, tokio, criterion, yew's ssr) is cfg'd out on wasm32.
lint:
	$(call step,cargo fmt --check)
	cargo fmt --check
	$(call step,clippy native)
	cargo clippy --all-targets -- -D warnings
	$(call step,clippy wasm32)
	cargo clippy $(WASM) --all-targets -- -D warnings

# Unit, SSR and CLI tests; benches run once each in test mode to prove they still work.
test-native:
	$(call step,cargo test)
	cargo test
	$(call step,cargo test --benches)
	cargo test --benches

# tests/browser_*.rs in headless Chromium via wasm-bindgen-test-runner (.cargo/config.toml).
test-wasm:
	$(call step,wasm-bindgen-test in headless Chromium)
	cargo test $(WASM) --test 'browser_*'

build:
	$(call step,trunk build --release)
	trunk build --release --offline

# Serves dist/ on a free loopback port (port 0: parallel runs never collide), runs
# e2e/*.test.mjs against it, and stops the server however the tests end.
e2e:
	$(call step,end-to-end tests and bundle size)
	@# The tests merge their figures into bench.json; start it empty so none is stale.
	@mkdir -p target/e2e && rm -f target/e2e/bench.json
	@python3 -u -m http.server 0 --bind 127.0.0.1 --directory dist \
	  >target/e2e/server.log 2>&1 & server=$$!; \
	trap 'kill $$server 2>/dev/null || true' EXIT; \
	port=; for _ in $$(seq 50); do \
	  port=$$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' target/e2e/server.log); \
	  [ -n "$$port" ] && break; sleep 0.1; \
	done; \
	[ -n "$$port" ] || { cat target/e2e/server.log; echo "e2e: static server did not start" >&2; exit 1; }; \
	E2E_URL=http://127.0.0.1:$$port/ node --test e2e/
