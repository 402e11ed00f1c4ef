"""Starting `rag serve` as a real subprocess on a free loopback port, for the web tests and evals/bench_web.py.

Not a test module: the web tests and evals/bench_web.py import it as `tests.web_support`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.servers import free_port  # noqa: F401 (the web tests import it from here)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SCREENSHOTS = ROOT / "test-output" / "web"

# Read at import time, before tests/conftest.py's session fixture clears every RAG_* variable.
SHARED_CACHE = os.environ.get("RAG_CACHE_DIR")

OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SKIP_BROWSER = "needs Debian chromium (apt-get install chromium) and playwright"

def corpus_releases() -> int:
    """How many releases the shipped corpus holds (the web tests' servers index it all)."""
    from rag.evaluation.command import documents

    return len(documents([CORPUS], 2**30))


FOUNDING_DOC = "bektenov-bishkek"
FOUNDING_TITLE = "Олжас Бектенов с рабочим визитом посетил Бишкек"
# An invented release that the web tests upload, ask about and delete.
BRIDGE_TITLE = "В Петропавловске открыт новый мост через Ишим"
BRIDGE_FILE = "most-ishim-petropavlovsk.md"
BRIDGE_DOC = "most-ishim-petropavlovsk"
BRIDGE_QUESTION = "Какова длина нового моста через Ишим в Петропавловске?"
BRIDGE_TEXT = textwrap.dedent(f"""\
    ---
    title: {BRIDGE_TITLE}
    date: 2025-11-20
    ---
    В Петропавловске торжественно открыт новый автомобильный мост через реку Ишим. Длина моста составляет 1 250 метров, по нему проходят четыре полосы движения.

    Строительство моста заняло два года. Новая переправа соединила центр города с микрорайоном Рабочий посёлок и разгрузила старый мост.
    """)
FOUNDING_QUESTION = "На какую сумму Казахстан готов нарастить экспорт в Кыргызстан?"


def browser_available() -> bool:
    import importlib.util

    return Path(CHROMIUM).exists() and importlib.util.find_spec("playwright") is not None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def server_env(cache_dir: Path | str, workdir: Path, **extra: str) -> dict[str, str]:
    """The developer's environment without any RAG_* variable, offline, with its own Gradio upload folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(OFFLINE)
    env["RAG_CACHE_DIR"] = str(cache_dir)
    env["GRADIO_TEMP_DIR"] = str(workdir / "gradio-uploads")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def serve_command(index_dir: Path, port: int, *extra: str, ingest: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "rag.cli", "serve", "--index", str(index_dir), "--port", str(port)]
    if ingest:
        cmd += ["--ingest", "corpus/"]
    return cmd + list(extra)


class Server:
    """`rag serve` in a subprocess; stderr goes to a file so a failure can show it."""

    def __init__(self, workdir: Path, cache_dir: Path | str, index_dir: Path | None = None, ingest: bool = True,
                 port: int | None = None, extra_args: tuple[str, ...] = (), **env: str):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.index_dir = index_dir or self.workdir / "index"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.command = serve_command(self.index_dir, self.port, *extra_args, ingest=ingest)
        self.env = server_env(cache_dir, self.workdir, **env)
        self.stderr_path = self.workdir / f"serve-{self.port}.stderr"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> "Server":
        self._stderr = open(self.stderr_path, "w", encoding="utf-8")
        self.started_at = time.perf_counter()
        # cwd is the project root so that `--ingest corpus/` means the shipped corpus, as in `make run`.
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=self._stderr, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds from start until GET / answers 200; raises with the server's output otherwise."""
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rag serve exited with {self.process.returncode} before answering:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - self.started_at
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"rag serve did not answer 200 on {self.url} within {timeout:.0f} s:\n{self.output()}")

    def output(self, tail: int = 6000) -> str:
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return text[-tail:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        with contextlib.suppress(Exception):
            self._stderr.close()

    @contextlib.contextmanager
    def report_on_failure(self):
        """Prints the server's output (pytest shows it with the failure) when the block raises."""
        try:
            yield self
        except BaseException:
            print(f"---- rag serve output ({' '.join(self.command)}) ----\n{self.output()}", file=sys.stderr)
            raise


@contextlib.contextmanager
def running_server(workdir: Path, cache_dir: Path | str, timeout: float = 90.0, **kwargs):
    """A started, ready server that is always stopped afterwards."""
    server = Server(workdir, cache_dir, **kwargs).start()
    try:
        server.wait_ready(timeout)
        yield server
    finally:
        server.close()


def module_server(tmp_path_factory, name: str):
    """For a module-scoped fixture: a server over corpus/ that reports its output when it fails to start."""
    yield from running(Server(tmp_path_factory.mktemp(name), cache_dir_for(tmp_path_factory)))


def running(server: "Server"):
    """Starts the server, waits for its page (showing its output if it never comes), yields it, stops it."""
    server.start()
    try:
        with server.report_on_failure():
            server.wait_ready(90)
        yield server
    finally:
        server.close()


def cache_dir_for(tmp_path_factory) -> Path:
    """$RAG_CACHE_DIR (so the built embedding model is shared) or one per pytest run."""
    if SHARED_CACHE:
        return Path(SHARED_CACHE)
    path = tmp_path_factory.getbasetemp() / "web-rag-cache"
    path.mkdir(exist_ok=True)
    return path
