#!/bin/sh
# Make sure the PostgreSQL 15 server binaries are installed (idempotent; Debian/Ubuntu).
# The tests start their own throwaway server from these binaries.
set -eu
BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
if [ -x "$BINDIR/initdb" ] && [ -x "$BINDIR/pg_ctl" ]; then
    echo "postgresql: $BINDIR"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y postgresql-15
test -x "$BINDIR/initdb"
echo "postgresql: installed in $BINDIR"
