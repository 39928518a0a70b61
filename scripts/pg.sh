#!/usr/bin/env bash
# Runs the project-private PostgreSQL clusters of Clientela.
#
#   scripts/pg.sh start              start (creating it on first use) the dev cluster
#                                    and print its DATABASE_URL on stdout
#   scripts/pg.sh stop               stop the dev cluster
#   scripts/pg.sh status             tell whether the dev cluster runs; print its URL
#                                    on stdout when it does (exit 0), exit 3 when not
#   scripts/pg.sh destroy            stop the dev cluster and delete its data
#   scripts/pg.sh temp-start [--durable]
#                                    create and start a throwaway cluster on a free
#                                    port and print "DIR URL" on stdout; without
#                                    --durable it runs with fsync, synchronous_commit
#                                    and full_page_writes off, for speed
#   scripts/pg.sh temp-stop DIR      stop a throwaway cluster and delete DIR
#   scripts/pg.sh bin-dir            print the folder of the PostgreSQL binaries
#
# The dev cluster lives in .data/pg of the repository, or, when this runs as root
# and the PostgreSQL user cannot enter the repository, in
# /var/tmp/clientela-pg-<hash of the repository path> with .data/pg linking to it.
# Every cluster listens on 127.0.0.1 only, has no Unix socket, and trusts every
# loopback connection, so it suits a development machine and nothing more.
#
# Environment: PGPORT (dev cluster port, default 54329), CLIENTELA_PG_BIN (folder
# of initdb and pg_ctl, overrides the search). Messages go to stderr.

set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly DEV_CLUSTER_LINK="$REPO_ROOT/.data/pg"
readonly DEFAULT_DEV_PORT=54329
readonly START_TIMEOUT_SECONDS=60

# The OS user that owns and runs the clusters: the current user, or a non-root
# user when this runs as root, because initdb and postgres refuse to run as root.
PG_OS_USER=""
PG_BIN=""
# Set to true to skip initdb's final fsync, for clusters whose data is thrown away.
INITDB_NO_SYNC=false
# Folder of a throwaway cluster that temp-start deletes if it does not finish.
UNFINISHED_TEMP_DIR=""

log() {
    printf 'pg.sh: %s\n' "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

is_root() {
    [[ "$(id -u)" == 0 ]]
}

# Runs a command as PG_OS_USER, from / so that a working directory the user may
# not enter does not matter.
run_as_pg_user() {
    if ! is_root; then
        "$@"
        return
    fi
    if command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        local quoted
        quoted="$(printf '%q ' "$@")"
        (cd / && su -s /bin/sh "$PG_OS_USER" -c "$quoted")
    fi
}

# Prints the newest /usr/lib/postgresql/<version>/bin that has initdb, if any.
newest_debian_bin_dir() {
    local dir best="" best_version=0 version
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] || continue
        version="$(basename "$(dirname "$dir")")"
        version="${version%%.*}"
        [[ "$version" =~ ^[0-9]+$ ]] || continue
        if ((version > best_version)); then
            best="$dir"
            best_version="$version"
        fi
    done
    [[ -n "$best" ]] && printf '%s\n' "$best"
}

install_postgres_with_apt() {
    log "PostgreSQL server binaries not found; installing postgresql and postgresql-contrib with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || die "apt-get update failed"
    apt-get install -y --no-install-recommends postgresql postgresql-contrib >&2 ||
        die "apt-get install postgresql postgresql-contrib failed"
}

explain_how_to_install() {
    cat >&2 <<'EOF'
pg.sh: error: PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found.
Install PostgreSQL 15 or newer with its contrib extensions (pg_trgm, unaccent):
  Debian/Ubuntu:  sudo apt-get install postgresql postgresql-contrib
                  (run as root, this script installs them itself)
  macOS:          brew install postgresql@15
                  and put "$(brew --prefix postgresql@15)/bin" on PATH
  Elsewhere:      put the folder that contains initdb and pg_ctl on PATH,
                  or set CLIENTELA_PG_BIN to it.
EOF
    exit 1
}

# Sets PG_BIN. A data folder made by an older major version is started with that
# version's binaries when they are still installed.
find_postgres_binaries() {
    local wanted_version="${1:-}"
    if [[ -n "${CLIENTELA_PG_BIN:-}" ]]; then
        [[ -x "$CLIENTELA_PG_BIN/initdb" ]] || die "CLIENTELA_PG_BIN=$CLIENTELA_PG_BIN contains no initdb"
        PG_BIN="$CLIENTELA_PG_BIN"
        return
    fi
    if [[ -n "$wanted_version" && -x "/usr/lib/postgresql/$wanted_version/bin/pg_ctl" ]]; then
        PG_BIN="/usr/lib/postgresql/$wanted_version/bin"
        return
    fi
    PG_BIN="$(newest_debian_bin_dir || true)"
    if [[ -z "$PG_BIN" ]] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v initdb)")"
    fi
    if [[ -z "$PG_BIN" ]]; then
        if is_root && command -v apt-get >/dev/null 2>&1; then
            install_postgres_with_apt
            PG_BIN="$(newest_debian_bin_dir || true)"
            [[ -n "$PG_BIN" ]] || die "apt-get installed PostgreSQL but no /usr/lib/postgresql/*/bin/initdb exists"
        else
            explain_how_to_install
        fi
    fi
}

# Prints the folder of the extension control files of the binaries in PG_BIN.
extension_dir() {
    local share=""
    if [[ -x "$PG_BIN/pg_config" ]]; then
        share="$("$PG_BIN/pg_config" --sharedir 2>/dev/null || true)"
    fi
    if [[ -z "$share" ]]; then
        local version
        version="$(basename "$(dirname "$PG_BIN")")"
        share="/usr/share/postgresql/$version"
    fi
    printf '%s/extension\n' "$share"
}

require_contrib_extensions() {
    local dir missing=()
    dir="$(extension_dir)"
    for extension in pg_trgm unaccent; do
        [[ -f "$dir/$extension.control" ]] || missing+=("$extension")
    done
    ((${#missing[@]} == 0)) && return
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "extensions ${missing[*]} not found in $dir; installing postgresql-contrib"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >&2 || die "apt-get update failed"
        apt-get install -y --no-install-recommends postgresql-contrib >&2 ||
            die "apt-get install postgresql-contrib failed"
        for extension in "${missing[@]}"; do
            [[ -f "$dir/$extension.control" ]] ||
                die "extension $extension is still missing from $dir after installing postgresql-contrib"
        done
        return
    fi
    die "the PostgreSQL extensions ${missing[*]} are missing from $dir; install the contrib package (Debian/Ubuntu: postgresql-contrib; Homebrew's postgresql@15 includes them)"
}

# Sets PG_OS_USER, creating the system user clientela-pg when running as root on a
# machine without a postgres user.
choose_os_user() {
    if ! is_root; then
        PG_OS_USER="$(id -un)"
        return
    fi
    if id -u postgres >/dev/null 2>&1; then
        PG_OS_USER=postgres
        return
    fi
    PG_OS_USER=clientela-pg
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
        log "creating system user $PG_OS_USER to run PostgreSQL, which refuses to run as root"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER" ||
            die "useradd $PG_OS_USER failed"
    fi
}

# Prints the locale for initdb: C.UTF-8 when the system has it, so that lower()
# and pg_trgm treat accented letters as letters.
initdb_locale() {
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        printf 'C.UTF-8\n'
    elif locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
        printf 'en_US.UTF-8\n'
    fi
}

# Creates a cluster in DATA_DIR (which must not exist yet or be empty) and appends
# the settings shared by every cluster, plus any extra "name = value" lines given.
init_cluster() {
    local data_dir="$1"
    shift
    local locale_args=(--encoding=UTF8)
    local locale
    locale="$(initdb_locale)"
    [[ -n "$locale" ]] && locale_args+=("--locale=$locale")
    [[ "$INITDB_NO_SYNC" == true ]] && locale_args+=(--no-sync)

    log "initialising a PostgreSQL cluster in $data_dir ($("$PG_BIN/postgres" --version))"
    if ! run_as_pg_user "$PG_BIN/initdb" --pgdata="$data_dir" --username=postgres \
        --auth-host=trust --auth-local=trust "${locale_args[@]}" >"$data_dir.initdb.log" 2>&1; then
        cat "$data_dir.initdb.log" >&2
        die "initdb failed for $data_dir"
    fi
    rm -f "$data_dir.initdb.log"

    {
        printf '\n# Added by scripts/pg.sh: loopback only, no Unix socket.\n'
        printf "listen_addresses = '127.0.0.1'\n"
        printf "unix_socket_directories = ''\n"
        printf "max_connections = 200\n"
        printf '%s\n' "$@"
    } | run_as_pg_user tee -a "$data_dir/postgresql.conf" >/dev/null
}

# Starts the cluster of DATA_DIR on PORT, logging to LOG_FILE. Returns non-zero
# when the server did not start, and the caller then shows the log.
start_server() {
    local data_dir="$1" port="$2" log_file="$3"
    run_as_pg_user "$PG_BIN/pg_ctl" --pgdata="$data_dir" --log="$log_file" \
        --wait --timeout="$START_TIMEOUT_SECONDS" --options="-p $port" start >/dev/null 2>&1
}

show_log_tail() {
    local log_file="$1"
    log "last lines of $log_file:"
    tail -n 30 "$log_file" >&2 2>/dev/null || log "(no log was written)"
}

is_running() {
    local data_dir="$1"
    [[ -f "$data_dir/PG_VERSION" ]] || return 1
    run_as_pg_user "$PG_BIN/pg_ctl" --pgdata="$data_dir" status >/dev/null 2>&1
}

# Waits until the server accepts TCP connections on PORT, as a check on top of
# pg_ctl's wait, which reads the server's status file rather than connecting.
wait_until_ready() {
    local port="$1"
    local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
    while ((SECONDS < deadline)); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

database_url() {
    printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$1"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a port in 20000..59999 on which nothing listens at the moment.
pick_free_port() {
    local attempt port
    for attempt in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" || {
            printf '%s\n' "$port"
            return 0
        }
    done
    die "found no free TCP port on 127.0.0.1 after 50 attempts"
}

# --- dev cluster -----------------------------------------------------------

# Prints the folder that contains the dev cluster's data/ and postgres.log,
# following the .data/pg link when there is one.
dev_container() {
    if [[ -L "$DEV_CLUSTER_LINK" ]]; then
        readlink "$DEV_CLUSTER_LINK"
    else
        printf '%s\n' "$DEV_CLUSTER_LINK"
    fi
}

# Prints the folder outside the repository used when PG_OS_USER cannot enter it.
redirect_container() {
    local hash
    hash="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
    printf '/var/tmp/clientela-pg-%s\n' "$hash"
}

# Creates the dev cluster's container folder, owned by PG_OS_USER, in .data/pg or,
# when PG_OS_USER cannot write there, in /var/tmp with .data/pg linking to it.
prepare_dev_container() {
    mkdir -p "$REPO_ROOT/.data"
    if [[ -e "$DEV_CLUSTER_LINK" || -L "$DEV_CLUSTER_LINK" ]]; then
        return
    fi
    mkdir -p "$DEV_CLUSTER_LINK"
    if ! is_root; then
        return
    fi
    chown "$PG_OS_USER" "$DEV_CLUSTER_LINK"
    if run_as_pg_user test -w "$DEV_CLUSTER_LINK"; then
        return
    fi

    local container
    container="$(redirect_container)"
    log "user $PG_OS_USER cannot enter $REPO_ROOT; keeping the dev cluster in $container (linked from .data/pg)"
    rmdir "$DEV_CLUSTER_LINK"
    mkdir -p "$container"
    chown "$PG_OS_USER" "$container"
    chmod 700 "$container"
    ln -s "$container" "$DEV_CLUSTER_LINK"
}

dev_port_file() {
    printf '%s/port\n' "$(dev_container)"
}

command_start() {
    local data_version=""
    local container
    container="$(dev_container)"
    [[ -f "$container/data/PG_VERSION" ]] && data_version="$(cat "$container/data/PG_VERSION")"
    find_postgres_binaries "$data_version"
    require_contrib_extensions
    choose_os_user

    local port="${PGPORT:-$DEFAULT_DEV_PORT}"
    [[ "$port" =~ ^[0-9]+$ ]] || die "PGPORT must be a port number, got '$port'"

    prepare_dev_container
    container="$(dev_container)"
    local data_dir="$container/data"
    local log_file="$container/postgres.log"

    if [[ -f "$data_dir/PG_VERSION" ]]; then
        local binaries_version
        binaries_version="$("$PG_BIN/postgres" --version | grep -oE '[0-9]+' | head -n 1)"
        if [[ "$(cat "$data_dir/PG_VERSION")" != "$binaries_version" ]]; then
            die "the dev cluster in $data_dir was made by PostgreSQL $(cat "$data_dir/PG_VERSION") but only version $binaries_version is installed; run 'make clean-data' to start over"
        fi
    else
        init_cluster "$data_dir"
    fi

    if is_running "$data_dir"; then
        local running_port
        running_port="$(cat "$(dev_port_file)" 2>/dev/null || printf '%s' "$port")"
        log "dev cluster already running on 127.0.0.1:$running_port"
        database_url "$running_port"
        return
    fi

    if port_in_use "$port"; then
        die "port $port on 127.0.0.1 is taken by another program; set PGPORT to a free port"
    fi
    log "starting the dev cluster on 127.0.0.1:$port (data: $data_dir)"
    if ! start_server "$data_dir" "$port" "$log_file" || ! wait_until_ready "$port"; then
        show_log_tail "$log_file"
        die "the dev cluster did not start"
    fi
    printf '%s\n' "$port" | run_as_pg_user tee "$(dev_port_file)" >/dev/null
    database_url "$port"
}

command_stop() {
    local container data_dir
    container="$(dev_container)"
    data_dir="$container/data"
    if [[ ! -f "$data_dir/PG_VERSION" ]]; then
        log "no dev cluster in $DEV_CLUSTER_LINK; nothing to stop"
        return
    fi
    find_postgres_binaries "$(cat "$data_dir/PG_VERSION")"
    choose_os_user
    if ! is_running "$data_dir"; then
        log "dev cluster is not running"
        return
    fi
    run_as_pg_user "$PG_BIN/pg_ctl" --pgdata="$data_dir" --mode=fast --wait stop >/dev/null ||
        die "pg_ctl stop failed for $data_dir"
    log "dev cluster stopped"
}

command_status() {
    local container data_dir
    container="$(dev_container)"
    data_dir="$container/data"
    if [[ ! -f "$data_dir/PG_VERSION" ]]; then
        log "no dev cluster yet; 'scripts/pg.sh start' creates it in $DEV_CLUSTER_LINK"
        exit 3
    fi
    find_postgres_binaries "$(cat "$data_dir/PG_VERSION")"
    choose_os_user
    if ! is_running "$data_dir"; then
        log "dev cluster in $data_dir is stopped"
        exit 3
    fi
    local port
    port="$(cat "$(dev_port_file)" 2>/dev/null || printf '%s' "${PGPORT:-$DEFAULT_DEV_PORT}")"
    log "dev cluster is running on 127.0.0.1:$port (data: $data_dir)"
    database_url "$port"
}

command_destroy() {
    command_stop
    local container
    container="$(dev_container)"
    if [[ -L "$DEV_CLUSTER_LINK" ]]; then
        rm -rf "$container"
        rm -f "$DEV_CLUSTER_LINK"
    else
        rm -rf "$DEV_CLUSTER_LINK"
    fi
    log "dev cluster data deleted"
}

# --- throwaway clusters ----------------------------------------------------

# Stops and deletes the cluster of a temp-start that failed or was interrupted, so
# that no server or folder is left behind.
remove_unfinished_temp_cluster() {
    [[ -n "$UNFINISHED_TEMP_DIR" ]] || return 0
    if [[ -f "$UNFINISHED_TEMP_DIR/data/postmaster.pid" ]]; then
        run_as_pg_user "$PG_BIN/pg_ctl" --pgdata="$UNFINISHED_TEMP_DIR/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
    rm -rf "$UNFINISHED_TEMP_DIR"
    UNFINISHED_TEMP_DIR=""
}

command_temp_start() {
    local durable=false
    case "${1:-}" in
        "") ;;
        --durable) durable=true ;;
        *) die "temp-start accepts only --durable, got '$1'" ;;
    esac
    find_postgres_binaries
    require_contrib_extensions
    choose_os_user

    local temp_dir
    temp_dir="$(mktemp -d "${TMPDIR:-/tmp}/clientela-pg.XXXXXX")"
    UNFINISHED_TEMP_DIR="$temp_dir"
    trap remove_unfinished_temp_cluster EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    chmod 755 "$temp_dir"
    is_root && chown "$PG_OS_USER" "$temp_dir"

    local settings=()
    if [[ "$durable" == false ]]; then
        # Test data is thrown away, so crash safety buys nothing here.
        settings+=("fsync = off" "synchronous_commit = off" "full_page_writes = off")
        INITDB_NO_SYNC=true
    fi
    init_cluster "$temp_dir/data" ${settings[@]+"${settings[@]}"}

    local attempt port
    for attempt in 1 2 3 4 5; do
        port="$(pick_free_port)"
        if start_server "$temp_dir/data" "$port" "$temp_dir/postgres.log" && wait_until_ready "$port"; then
            log "throwaway cluster running on 127.0.0.1:$port (data: $temp_dir/data)"
            UNFINISHED_TEMP_DIR=""
            printf '%s %s\n' "$temp_dir" "$(database_url "$port")"
            return
        fi
        # Another program may have taken the port between the check and the start.
        if ! grep -qiE 'could not bind|address already in use' "$temp_dir/postgres.log" 2>/dev/null; then
            break
        fi
        log "port $port was taken; trying another"
    done
    show_log_tail "$temp_dir/postgres.log"
    die "the throwaway cluster did not start"
}

command_temp_stop() {
    local temp_dir="${1:-}"
    [[ -n "$temp_dir" ]] || die "temp-stop needs the folder printed by temp-start"
    # Guard against deleting anything that temp-start did not create.
    case "$(basename "$temp_dir")" in
        clientela-pg.*) ;;
        *) die "not deleting $temp_dir: it is not a folder made by temp-start (clientela-pg.*)" ;;
    esac
    if [[ ! -d "$temp_dir" ]]; then
        log "$temp_dir does not exist; nothing to stop"
        return
    fi
    if [[ -f "$temp_dir/data/PG_VERSION" ]]; then
        find_postgres_binaries "$(cat "$temp_dir/data/PG_VERSION")"
        choose_os_user
        if is_running "$temp_dir/data"; then
            run_as_pg_user "$PG_BIN/pg_ctl" --pgdata="$temp_dir/data" --mode=immediate --wait stop >/dev/null 2>&1 ||
                log "pg_ctl stop failed for $temp_dir/data; deleting it anyway"
        fi
    fi
    rm -rf "$temp_dir"
    log "throwaway cluster in $temp_dir stopped and deleted"
}

usage() {
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" >&2
}

main() {
    local command="${1:-}"
    shift || true
    case "$command" in
        start) command_start "$@" ;;
        stop) command_stop "$@" ;;
        status) command_status "$@" ;;
        destroy) command_destroy "$@" ;;
        temp-start) command_temp_start "$@" ;;
        temp-stop) command_temp_stop "$@" ;;
        bin-dir)
            find_postgres_binaries
            printf '%s\n' "$PG_BIN"
            ;;
        -h | --help | help) usage ;;
        *)
            usage
            exit 2
            ;;
    esac
}

main "$@"
