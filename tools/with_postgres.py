"""Run a command against a throw-away PostgreSQL server started from the machine's binaries.

    python -m tools.with_postgres -- pytest

initdb into a temporary folder, start on a free loopback port, create a database, run the
command with ``KREDO_TEST_DATABASE_URL`` set, and stop and delete the server afterwards, even
when the command fails or is interrupted. PostgreSQL refuses to run as root, so under root the
server runs as the ``postgres`` system user (created when missing).
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_USER = "postgres"


def postgres_bin() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        sys.exit("with_postgres: no PostgreSQL binaries in /usr/lib/postgresql/*/bin")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVER_USER], check=True)
    return ["runuser", "-u", SERVER_USER, "--"]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the SQLAlchemy URL of a fresh database on a fresh server."""
    bin_dir = postgres_bin()
    prefix = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="kredo-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if prefix:
        shutil.chown(root, SERVER_USER)
        shutil.chown(sockets, SERVER_USER)
    port = free_port()
    quiet = subprocess.DEVNULL
    try:
        subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "kredo", "-A", "trust",
             "-E", "UTF8", "--locale", "C.UTF-8"],
            check=True, stdout=quiet,
        )  # fmt: skip
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
             "-l", str(root / "server.log"), "start"],
            check=True, stdout=quiet,
        )  # fmt: skip
        try:
            subprocess.run(
                [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "kredo",
                 "kredo_test"],
                check=True,
            )  # fmt: skip
            yield f"postgresql+psycopg://kredo@127.0.0.1:{port}/kredo_test"
        finally:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                check=False, stdout=quiet,
            )  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit("usage: python -m tools.with_postgres -- COMMAND [ARGS...]")
    # A CI runner's SIGTERM must still stop the server: turn it into a normal exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with postgres_server() as url:
        print(f"with_postgres: server ready in {time.monotonic() - started:.1f}s", flush=True)
        return subprocess.run(argv, env={**os.environ, "KREDO_TEST_DATABASE_URL": url}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
