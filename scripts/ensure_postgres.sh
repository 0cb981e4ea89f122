#!/bin/sh
# Make sure PostgreSQL server binaries are installed (idempotent; Debian/Ubuntu). The tests
# start their own throwaway server from them (dslgen/sql/pg_local.py finds the newest
# /usr/lib/postgresql/*/bin, or $PG_BINDIR). PostgreSQL 15 is the tested version; where the
# distribution has no postgresql-15 package, its default server package is used.
set -eu
found() {
    for dir in ${PG_BINDIR:-} /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}
if dir=$(found); then
    echo "postgresql: $dir"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
PKG=postgresql-15
if ! apt-cache show "$PKG" >/dev/null 2>&1; then PKG=postgresql; fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "$PKG"
dir=$(found)
echo "postgresql: installed $PKG in $dir"
