"""A real PostgreSQL server for the tests: a throwaway cluster (initdb) on a free loopback port, one database a test.

Debian's `postgresql` package puts its programs in /usr/lib/postgresql/VERSION/bin (.ci/run installs it);
without it, or without psycopg, the tests that need it skip saying so (and fail in CI). PostgreSQL refuses to run as root, so
as root the cluster belongs to the package's `postgres` user.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.servers import free_port

_databases = itertools.count(1)


def postgres_program(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    return found[-1] if found else shutil.which(name)


def _unavailable(reason: str) -> None:
    """Skips on a machine without it; fails in CI, whose .ci/run installs it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run should have installed it")
    pytest.skip(reason)


class Cluster:
    """A throwaway cluster in a temporary folder, served on a free loopback port (only, no Unix socket)."""

    def __init__(self, initdb: str, postgres: str):
        self.postgres = postgres
        self.user = "postgres" if os.geteuid() == 0 else None
        self.data = Path(tempfile.mkdtemp(prefix="rag-test-pg-"))
        if self.user:
            owner = pwd.getpwnam(self.user)
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
        subprocess.run([initdb, "-D", str(self.data), "-U", "rag", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       user=self.user, check=True, capture_output=True)
        self.port = free_port()
        self.url = f"postgresql://rag@127.0.0.1:{self.port}/postgres"
        self.server: subprocess.Popen | None = None

    def start(self) -> None:
        import psycopg

        log = self.data / "server.log"
        with log.open("ab") as out:
            # fsync off: the tests kill clients and stop this server cleanly, and it is thrown away afterwards.
            self.server = subprocess.Popen(
                [self.postgres, "-D", str(self.data), "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                 "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=200"],
                user=self.user, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"postgres did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)

    def stop(self) -> None:
        """Fast shutdown: every session ends, as when the server restarts."""
        self.server.send_signal(signal.SIGINT)
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def postgres_server():
    """A running cluster; its `url` names the `postgres` database (user `rag`, trust authentication)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("needs psycopg (pip install -e '.[test]')")
    initdb, postgres = postgres_program("initdb"), postgres_program("postgres")
    if initdb is None or postgres is None:
        _unavailable("needs PostgreSQL's initdb and postgres (apt-get install postgresql)")
    cluster = Cluster(initdb, postgres)
    try:
        cluster.start()
        yield cluster
    finally:
        if cluster.server is not None:
            cluster.stop()
        shutil.rmtree(cluster.data, ignore_errors=True)


@pytest.fixture
def database_url(postgres_server) -> str:
    """A new, empty database on the test server: one store."""
    import psycopg

    name = f"store_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres_server.url.rsplit("/", 1)[0] + "/" + name
