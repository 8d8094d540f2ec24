#!/usr/bin/env bash
# Install (when missing) and start the services EMP's tests need, then print the env exports.
#
# Idempotent: already installed / already running is fine. Runs as root (CI and dev machines are
# root); with sudo available it works for a normal user too. There is no systemd, so the
# PostgreSQL cluster is started with pg_ctlcluster.
#
# What it sets up:
#   * PostgreSQL (Debian `postgresql` + `postgresql-contrib`) on 127.0.0.1:5432, role `emp`
#     (password `emp`, CREATEDB), database `emp_test`.
#   * TimescaleDB only if a Debian package exists for the installed PostgreSQL major version;
#     otherwise it says so and carries on (plain PostgreSQL is a supported flavour).
#   * Prometheus (for `promtool`) when `promtool` is missing.
#
# Usage: eval "$(scripts/setup-services.sh)"   # logs go to stderr, the exports to stdout
set -euo pipefail

log() { printf 'setup-services: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        log "must run as root (or with sudo available)"; exit 1
    fi
fi

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=emp
PG_PASSWORD=emp
PG_DB=emp_test
export DEBIAN_FRONTEND=noninteractive

APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        $SUDO apt-get update -qq >&2
        APT_UPDATED=1
    fi
}

# Package installed (dpkg status "install ok installed")?
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Candidate version of a package in the apt lists, empty when none. Runs in a subshell ($(...)),
# so it never updates the lists itself: `ensure_apt_lists` does that once in the main shell.
apt_candidate() {
    local cand
    cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [ "$cand" = "(none)" ]; then cand=""; fi
    printf '%s' "$cand"
}

# A fresh container has no package lists at all; look-ups need them.
ensure_apt_lists() {
    if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then apt_update_once; fi
}

install_pkgs() {
    local missing=()
    for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
    if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
    ensure_apt_lists
    # Only refresh the lists when a package is unknown to them.
    for p in "${missing[@]}"; do
        if [ -z "$(apt_candidate "$p")" ]; then apt_update_once; break; fi
    done
    log "apt-get install ${missing[*]}"
    if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
        # A stale list can point at versions the mirror no longer has: refresh once and retry.
        apt_update_once
        $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
install_pkgs postgresql postgresql-contrib

PG_MAJOR="$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1}')"
if [ -z "$PG_MAJOR" ]; then
    # Package installed but no cluster (e.g. create_main_cluster disabled): create one.
    PG_MAJOR="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    log "creating cluster $PG_MAJOR/main"
    $SUDO pg_createcluster "$PG_MAJOR" main --port "$PG_PORT" >&2
fi
PG_CLUSTER="$(pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1==v {print $2; exit}')"
log "PostgreSQL $PG_MAJOR cluster '$PG_CLUSTER'"

# TimescaleDB: only from a Debian package for this major version (no third-party repositories).
TSDB_PKG=""
ensure_apt_lists
for cand in "timescaledb-2-postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-timescaledb" "timescaledb-postgresql-$PG_MAJOR"; do
    if have_pkg "$cand" || [ -n "$(apt_candidate "$cand")" ]; then TSDB_PKG="$cand"; break; fi
done
CONF_DIR="/etc/postgresql/$PG_MAJOR/$PG_CLUSTER"
NEED_RESTART=0
if [ -n "$TSDB_PKG" ]; then
    install_pkgs "$TSDB_PKG"
    if ! grep -Eq "^[[:space:]]*shared_preload_libraries[[:space:]]*=.*timescaledb" "$CONF_DIR/postgresql.conf"; then
        log "enabling timescaledb in shared_preload_libraries"
        printf "\n# added by EMP scripts/setup-services.sh\nshared_preload_libraries = 'timescaledb'\n" \
            | $SUDO tee -a "$CONF_DIR/postgresql.conf" >/dev/null
        NEED_RESTART=1
    fi
    log "TimescaleDB: package $TSDB_PKG installed"
else
    log "TimescaleDB: no Debian package for PostgreSQL $PG_MAJOR; skipping (plain PostgreSQL is supported)"
fi

# Listen on 127.0.0.1:5432 (the Debian default port; make sure nothing moved it).
PORT_NOW="$(pg_lsclusters -h | awk -v v="$PG_MAJOR" -v c="$PG_CLUSTER" '$1==v && $2==c {print $3}')"
if [ "$PORT_NOW" != "$PG_PORT" ]; then
    log "moving cluster from port $PORT_NOW to $PG_PORT"
    $SUDO pg_conftool "$PG_MAJOR" "$PG_CLUSTER" set port "$PG_PORT" >&2
    NEED_RESTART=1
fi

STATUS="$(pg_lsclusters -h | awk -v v="$PG_MAJOR" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}')"
if [ "$STATUS" = "online" ]; then
    if [ "$NEED_RESTART" -eq 1 ]; then
        log "restarting cluster"
        $SUDO pg_ctlcluster "$PG_MAJOR" "$PG_CLUSTER" restart >&2
    else
        log "cluster already running"
    fi
else
    log "starting cluster"
    $SUDO pg_ctlcluster "$PG_MAJOR" "$PG_CLUSTER" start >&2
fi

# Wait for the server to accept connections (a cold start can take a few seconds).
for _ in $(seq 1 60); do
    if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then break; fi
    sleep 0.5
done
pg_isready -h "$PG_HOST" -p "$PG_PORT" >&2

# Run psql as the postgres superuser (peer auth over the Unix socket).
if [ -n "$SUDO" ]; then psql_su() { sudo -u postgres psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAtX "$@"; }
else psql_su() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAtX "$@"; }
fi

if [ "$(psql_su -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
    log "creating role $PG_USER"
    psql_su -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB"
else
    # Keep the documented credentials even if someone changed them.
    psql_su -c "ALTER ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB"
fi
if [ "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    log "creating database $PG_DB"
    psql_su -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
fi
if [ -n "$TSDB_PKG" ]; then
    # CREATE EXTENSION needs superuser; the tests' per-test databases are created from template1,
    # so installing it there makes it available to them as well.
    for db in template1 "$PG_DB"; do
        psql_su -d "$db" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" \
            || log "could not create extension timescaledb in $db (continuing with plain PostgreSQL)"
    done
fi

# Verify the documented URL works with password auth over TCP.
PGPASSWORD="$PG_PASSWORD" psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -qAtX -c 'SELECT 1' >/dev/null
log "PostgreSQL ready at $PG_HOST:$PG_PORT (database $PG_DB, role $PG_USER)"

# ---------------------------------------------------------------------------------------------
# promtool (Prometheus)
# ---------------------------------------------------------------------------------------------
if ! command -v promtool >/dev/null 2>&1; then
    install_pkgs prometheus
    # The Debian package starts a daemon via init scripts on some setups; the tests only need
    # the promtool binary, so a running prometheus is left as the package left it.
fi
command -v promtool >/dev/null 2>&1 && log "promtool: $(command -v promtool)"

# ---------------------------------------------------------------------------------------------
cat <<EXPORTS
export EMP_TEST_PG_URL=postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB
EXPORTS
