# Trackside. The quick start is two commands: `make demo` and `make test`.
# Both install what is missing first (scripts/deps.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help demo test soak bench deps kafka-up kafka-down registry-up registry-down build release lint fmt fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

demo: ## install what is missing, start Kafka, the simulator and the server; print the URL
	@bash scripts/deps.sh --no-browser
	cargo build --release --locked
	@bash scripts/demo.sh

test: ## install what is missing, start Kafka, run every test (unit, integration, browser)
	@bash scripts/deps.sh
	@bash scripts/test.sh

soak: ## the long fault tests: 10 broker crashes of 30 s each, a viewer stalled for 60 s (about 10 minutes)
	@bash scripts/deps.sh --no-browser
	@bash scripts/soak.sh

bench: ## benchmarks against baselines measured in the same run (QUICK=1: a few minutes; BENCH_ONLY=replay,replay_50ch,overview,export,latency,memory,browser,replay_page,decode); writes target/bench/results.json
	@bash scripts/deps.sh
	@bash scripts/kafka.sh up
	TRACKSIDE_TEST_BROKERS=$$(bash scripts/kafka.sh bootstrap) QUICK=$(QUICK) BENCH_ONLY=$(BENCH_ONLY) cargo bench --locked --bench suite

deps: ## install missing system packages, npm packages and Kafka
	@bash scripts/deps.sh

kafka-up: ## start the local Kafka broker (127.0.0.1:9092)
	@bash scripts/kafka.sh up

kafka-down: ## stop the local Kafka broker
	@bash scripts/kafka.sh down

registry-up: ## start the local schema registry (Apicurio, in memory, 127.0.0.1:8081)
	@bash scripts/registry.sh up

registry-down: ## stop the local schema registry
	@bash scripts/registry.sh down

# The build embeds uPlot from node_modules (build.rs says so when it is missing).
NPM_PACKAGES := node_modules/.package-lock.json
$(NPM_PACKAGES): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

build: $(NPM_PACKAGES) ## debug build
	cargo build --locked

release: $(NPM_PACKAGES) ## optimised build
	cargo build --release --locked

lint: ## formatting and clippy, as CI runs them; the deployment files' checks (scripts/lint-deploy.sh)
	@bash scripts/deps.sh --lint
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings
	cargo clippy --all-targets --locked --features failpoints -- -D warnings
	bash scripts/lint-deploy.sh

fuzz: $(NPM_PACKAGES) ## property tests of the decoder, the wire-format decoder, the mapping, the game datagram decoders and the WebSocket parser with 1,000,000 inputs each (make test runs 256)
	PROPTEST_CASES=1000000 cargo test --release --locked --lib properties

fmt: ## format the code
	cargo fmt --all

clean: ## remove build output (keeps Kafka, the registry and the checkers in ~/.cache/trackside, the broker's data in .cache)
	cargo clean
