#!/usr/bin/env bash
# Runs Clientela locally: starts the dev PostgreSQL cluster (unless DATABASE_URL is
# set), builds the binary, applies migrations, makes sure a "demo" app with an API
# key exists, prints that key with a first curl command, and serves HTTP.
#
# Environment: DATABASE_URL (use this database instead of the dev cluster),
# CLIENTELA_LISTEN (listen address, default 127.0.0.1:8080), PGPORT (dev cluster
# port). The demo key is kept in .data/demo-api-key (mode 600), next to a SHA-256
# hash of the URL of the database it belongs to (the URL may contain a password),
# so a key is created again when the database changes.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly REPO_ROOT="$PWD"
readonly KEY_FILE="$REPO_ROOT/.data/demo-api-key"
readonly KEY_DATABASE_FILE="$REPO_ROOT/.data/demo-api-key.database"
readonly DEMO_SLUG=demo

log() {
    printf 'run: %s\n' "$*" >&2
}

if [[ -z "${DATABASE_URL:-}" ]]; then
    DATABASE_URL="$(bash "$REPO_ROOT/scripts/pg.sh" start)"
fi
export DATABASE_URL

log "building the clientela binary"
cargo build -p clientela
readonly BIN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/debug/clientela"

log "applying migrations"
"$BIN" migrate

# Prints a new API key of the demo app on stdout, creating the app on first use.
# When the app already exists, the error of `apps create` is shown only if
# `keys create` fails too.
create_demo_key() {
    local key create_errors
    create_errors="$(mktemp)"
    if key="$("$BIN" apps create "$DEMO_SLUG" --name "Demo" 2>"$create_errors")"; then
        cat "$create_errors" >&2
        rm -f "$create_errors"
        printf '%s\n' "$key"
        return
    fi
    log "could not create the demo app (it may already exist in this database); creating a new API key for it"
    if ! "$BIN" keys create "$DEMO_SLUG"; then
        log "clientela apps create $DEMO_SLUG printed:"
        cat "$create_errors" >&2
        rm -f "$create_errors"
        return 1
    fi
    rm -f "$create_errors"
}

# Prints the SHA-256 of stdin in hex; macOS has shasum but no sha256sum.
sha256_hex() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    else
        shasum -a 256 | cut -d' ' -f1
    fi
}

database_hash="$(printf '%s' "$DATABASE_URL" | sha256_hex)"
mkdir -p "$REPO_ROOT/.data"
if [[ -s "$KEY_FILE" && "$(cat "$KEY_DATABASE_FILE" 2>/dev/null)" == "$database_hash" ]]; then
    first_start=false
else
    first_start=true
    new_key="$(create_demo_key)"
    [[ -n "$new_key" ]] || {
        log "error: clientela printed no API key for the demo app"
        exit 1
    }
    (
        umask 077
        printf '%s\n' "$new_key" >"$KEY_FILE"
        printf '%s\n' "$database_hash" >"$KEY_DATABASE_FILE"
    )
    chmod 600 "$KEY_FILE" "$KEY_DATABASE_FILE"
fi
api_key="$(cat "$KEY_FILE")"

listen="${CLIENTELA_LISTEN:-127.0.0.1:8080}"
# A wildcard listen address is reachable on loopback, which is what curl needs.
base_url="http://${listen/0.0.0.0/127.0.0.1}"
base_url="${base_url/\[::\]/[::1]}"

if [[ "$first_start" == true ]]; then
    heading="Created the demo app. Its admin API key (saved in .data/demo-api-key):"
else
    heading="Admin API key of the demo app (from .data/demo-api-key):"
fi
cat >&2 <<EOF

============================================================================
 $heading

   $api_key

 Try it once the server below says "listening":

   curl -s -H "Authorization: Bearer $api_key" \\
        -H 'Content-Type: application/json' \\
        -d '{"name":"Ana Souza","email":"ana.souza@example.com"}' \\
        $base_url/api/v1/clients

   curl -s -H "Authorization: Bearer $api_key" '$base_url/api/v1/clients?q=ana'
============================================================================

EOF

log "starting clientela serve on $listen (Ctrl-C stops it; the dev cluster keeps running, 'make clean-data' stops and deletes it)"
exec "$BIN" serve --listen "$listen"
