# Developer commands of Clientela. Run `make help` for the list.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

.PHONY: help run test bench fmt lint clean-data

help: ## List the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-11s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run: ## Start the dev database (unless DATABASE_URL is set), migrate, create the demo app's key once, serve on CLIENTELA_LISTEN (default 127.0.0.1:8080)
	@bash scripts/run.sh

test: ## Check formatting, run clippy, build, and run every test on a throwaway PostgreSQL cluster
	@bash scripts/test.sh

bench: ## Seed one million clients in a throwaway cluster, time the searches, write docs/BENCHMARKS.md (options: BENCH_ARGS="--clients 100000")
	@bash scripts/bench.sh $(BENCH_ARGS)

fmt: ## Format all Rust code
	cargo fmt --all

lint: ## Check formatting and run clippy with warnings as errors
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

clean-data: ## Stop the dev PostgreSQL cluster and delete .data/ (the dev database and the demo key)
	@bash scripts/pg.sh destroy
	rm -rf .data
