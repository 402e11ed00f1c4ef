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


def _program(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    return found[-1] if found else shutil.which(name)


def _unavailable(reason: str) -> None:
    """Skips on a machine without it; fails in CI, whose .ci/run installs it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run should have installed it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    """Yields the URL of a running server's `postgres` database (user `rag`, trust authentication)."""
    try:
        import psycopg
    except ImportError:
        _unavailable("needs psycopg (pip install -e '.[test]')")
    initdb, postgres = _program("initdb"), _program("postgres")
    if initdb is None or postgres is None:
        _unavailable("needs PostgreSQL's initdb and postgres (apt-get install postgresql)")
    user = "postgres" if os.geteuid() == 0 else None
    data = Path(tempfile.mkdtemp(prefix="rag-test-pg-"))
    if user:
        owner = pwd.getpwnam(user)
        os.chown(data, owner.pw_uid, owner.pw_gid)
    subprocess.run([initdb, "-D", str(data), "-U", "rag", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   user=user, check=True, capture_output=True)
    port = free_port()
    log = (data / "server.log").open("wb")
    # fsync off: the tests kill clients, never this server, and it is thrown away afterwards.
    server = subprocess.Popen([postgres, "-D", str(data), "-p", str(port), "-c", "listen_addresses=127.0.0.1",
                               "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=200"],
                              user=user, stdout=log, stderr=subprocess.STDOUT)
    url = f"postgresql://rag@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(url, connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"postgres did not start:\n{(data / 'server.log').read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown: ends whatever sessions are left
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def database_url(postgres_server) -> str:
    """A new, empty database on the test server: one store."""
    import psycopg

    name = f"store_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres_server.rsplit("/", 1)[0] + "/" + name
