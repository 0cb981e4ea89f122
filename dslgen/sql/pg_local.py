"""A throwaway local PostgreSQL server for tests and benchmarks.

Private data dir in a temp folder, loopback only, a free port, trust auth, C locale (so text
sorts by code point, as Python does). PostgreSQL refuses to run as root, so under root the
server runs as an unprivileged user (created once with useradd if missing).
"""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVER_USER = "dslgen-test"


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: $PG_BINDIR, else the newest /usr/lib/postgresql/*/bin."""
    candidates = [os.environ["PG_BINDIR"]] if os.environ.get("PG_BINDIR") else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """None when not root (the server runs as us); else an unprivileged account."""
    if os.geteuid() != 0:
        return None
    if subprocess.run(["id", "-u", SERVER_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
                       check=True, capture_output=True)
    return SERVER_USER


class LocalPostgres:
    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL binaries not found (run scripts/ensure_postgres.sh)")
        self.user = _server_user()
        self.dir = Path(tempfile.mkdtemp(prefix="dslgen-pg-"))
        self.port = _free_port()
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        done = subprocess.run(cmd, user=self.user, capture_output=True, text=True, cwd=self.dir)
        if done.returncode != 0:
            log = (self.dir / "server.log")
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}\n{tail}")

    def start(self) -> "LocalPostgres":
        if self.user:
            shutil.chown(self.dir, self.user)
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--locale=C",
                  "--encoding=UTF8", "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "server.log"), "-w", "start")
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "LocalPostgres":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_shared: LocalPostgres | None = None
_users = 0


def acquire() -> LocalPostgres:
    """One server per process, shared by every test module that needs it."""
    global _shared, _users
    if _shared is None:
        _shared = LocalPostgres().start()
        atexit.register(_stop_leftover)  # an interrupted test run still stops its server
    _users += 1
    return _shared


def _stop_leftover() -> None:
    if _shared is not None:
        _shared.stop()


def release() -> None:
    global _shared, _users
    _users -= 1
    if _users <= 0 and _shared is not None:
        _shared.stop()
        _shared = None
