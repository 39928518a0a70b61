#!/usr/bin/env bash
# Runs every check of the workspace: formatting, clippy with warnings as errors, a
# build of the clientela binary, and every test against a throwaway PostgreSQL
# cluster that is deleted on exit, also after a failure or Ctrl-C.
#
# TEST_DATABASE_URL is always set to the throwaway cluster, whatever it was before.
# CLIENTELA_BIN is set to the freshly built binary unless it is already set.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"

TEMP_CLUSTER_DIR=""

step() {
    printf '\n==> %s\n' "$*" >&2
}

# Stops the throwaway cluster. After a successful run it stays quiet, so the test
# runner's summary remains the last line of the output.
stop_temp_cluster() {
    local status=$?
    if [[ -z "$TEMP_CLUSTER_DIR" ]]; then
        return
    fi
    if ((status == 0)); then
        bash "$REPO_ROOT/scripts/pg.sh" temp-stop "$TEMP_CLUSTER_DIR" 2>/dev/null || true
    else
        bash "$REPO_ROOT/scripts/pg.sh" temp-stop "$TEMP_CLUSTER_DIR" || true
    fi
    TEMP_CLUSTER_DIR=""
}

trap stop_temp_cluster EXIT
# Turning signals into a plain exit makes the EXIT trap run for them too.
trap 'exit 130' INT
trap 'exit 143' TERM

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build -p clientela"
cargo build -p clientela
target_dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
export CLIENTELA_BIN="${CLIENTELA_BIN:-$target_dir/debug/clientela}"

step "starting a throwaway PostgreSQL cluster"
temp_cluster="$(bash "$REPO_ROOT/scripts/pg.sh" temp-start)"
TEMP_CLUSTER_DIR="${temp_cluster%% *}"
export TEST_DATABASE_URL="${temp_cluster#* }"
printf 'TEST_DATABASE_URL=%s\n' "$TEST_DATABASE_URL" >&2

if cargo nextest --version >/dev/null 2>&1; then
    # cargo-nextest does not run doc tests, so cargo test runs them first, which
    # also keeps the test runner's summary the last thing printed.
    step "cargo test --workspace --doc"
    cargo test --workspace --doc

    step "cargo nextest run --workspace"
    cargo nextest run --workspace
else
    step "cargo test --workspace (cargo-nextest is not installed)"
    cargo test --workspace
fi
