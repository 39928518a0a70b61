#!/usr/bin/env bash
# Runs the benchmarks. It builds release binaries and starts a throwaway
# PostgreSQL cluster with normal durability, deleted on exit, also after a
# failure or Ctrl-C. Then `clientela-bench run` seeds one million clients, times
# the searches, sends webhook sales next to a pgbench replay of their
# statements, measures members-app logins, and writes docs/BENCHMARKS.md.
#
# Arguments are passed to `clientela-bench run`, for example
#   scripts/bench.sh --clients 100000 --samples 20 --output /tmp/bench.md
# (`make bench BENCH_ARGS="--clients 100000"` does the same through make).

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"

TEMP_CLUSTER_DIR=""

stop_temp_cluster() {
    if [[ -n "$TEMP_CLUSTER_DIR" ]]; then
        bash "$REPO_ROOT/scripts/pg.sh" temp-stop "$TEMP_CLUSTER_DIR" || true
        TEMP_CLUSTER_DIR=""
    fi
}

trap stop_temp_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf '==> cargo build --release -p clientela -p clientela-bench\n' >&2
cargo build --release -p clientela -p clientela-bench
target_dir="${CARGO_TARGET_DIR:-target}"

pg_bin="$(bash "$REPO_ROOT/scripts/pg.sh" bin-dir)"
temp_cluster="$(bash "$REPO_ROOT/scripts/pg.sh" temp-start --durable)"
TEMP_CLUSTER_DIR="${temp_cluster%% *}"
database_url="${temp_cluster#* }"

"$target_dir/release/clientela-bench" run \
    --database-url "$database_url" \
    --clientela-bin "$target_dir/release/clientela" \
    --psql "$pg_bin/psql" \
    --pgbench "$pg_bin/pgbench" \
    --postgres-log "$TEMP_CLUSTER_DIR/postgres.log" \
    "$@"
