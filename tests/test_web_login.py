"""The web chat's login: a blank password is refused at start, and wrong passwords are throttled per client
(unit tests of the middleware with a fake clock, then a real `rag serve` on loopback)."""

from __future__ import annotations

import asyncio
import subprocess

import httpx
import pytest

from rag.settings import Settings
from tests.web_support import cache_dir_for, free_port, port_open, running_server, serve_command, server_env
from ui.app import login
from ui.strings import EN
from rag.lockout import LOCKOUT_S, MAX_FAILURES, WINDOW_S
from ui.throttle import LoginThrottle

PASSWORD = "correct horse battery staple"


# Refusing a blank login

@pytest.mark.parametrize("username, password, blank", [
    ("admin", "", "RAG_UI_PASSWORD"), ("admin", "   \t", "RAG_UI_PASSWORD"), ("admin", None, "RAG_UI_PASSWORD"),
    (" ", PASSWORD, "RAG_UI_USERNAME"), (None, PASSWORD, "RAG_UI_USERNAME"),
])
def test_a_blank_username_or_password_is_refused_on_any_address(username, password, blank):
    for host in ("127.0.0.1", "0.0.0.0"):
        with pytest.raises(RuntimeError, match=f"{blank} is blank"):
            login(Settings(ui_username=username, ui_password=password), host)


def test_a_login_is_used_when_given_and_required_beyond_loopback():
    assert login(Settings(ui_username="admin", ui_password=PASSWORD), "0.0.0.0") == ("admin", PASSWORD)
    assert login(Settings(), "127.0.0.1") is None
    with pytest.raises(RuntimeError, match="without a login"):
        login(Settings(), "0.0.0.0")


def test_serve_with_a_whitespace_password_exits_with_a_message(tmp_path_factory, tmp_path):
    port = free_port()
    env = server_env(cache_dir_for(tmp_path_factory), tmp_path, RAG_UI_USERNAME="admin", RAG_UI_PASSWORD="  ")
    done = subprocess.run(serve_command(tmp_path / "index", port, "--host", "0.0.0.0", ingest=False), env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "RAG_UI_PASSWORD is blank" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not port_open(port)


# The throttle, with a fake clock and a fake login route

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class LoginRoute:
    """Answers 200 to the right password and 400 to any other, as Gradio's /login does; counts its calls."""

    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        body = (await receive())["body"]
        status = 200 if body == f"password={PASSWORD}".encode() else 400
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def attempt(throttle: LoginThrottle, password: str, client: str = "10.0.0.1", path: str = "/login") -> tuple[int, bytes]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": f"password={password}".encode(), "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "client": (client, 50000)}
    asyncio.run(throttle(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def route():
    return LoginRoute()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def throttle(route, clock):
    return LoginThrottle(route, EN.login_throttled, clock=clock)


def test_after_the_failures_a_client_is_refused_at_once_even_with_the_right_password(throttle, route, clock):
    assert [attempt(throttle, "wrong")[0] for _ in range(MAX_FAILURES)] == [400] * MAX_FAILURES
    status, body = attempt(throttle, PASSWORD)
    assert status == 429 and route.calls == MAX_FAILURES, "refused without reaching the login route"
    assert f"try again in {int(LOCKOUT_S)} s" in body.decode()
    clock.now += LOCKOUT_S - 1
    assert attempt(throttle, PASSWORD)[0] == 429
    clock.now += 1
    assert attempt(throttle, PASSWORD)[0] == 200 and route.calls == MAX_FAILURES + 1


def test_other_clients_are_not_locked_out(throttle):
    for _ in range(MAX_FAILURES):
        attempt(throttle, "wrong", client="10.0.0.1")
    assert attempt(throttle, PASSWORD, client="10.0.0.2")[0] == 200
    assert attempt(throttle, PASSWORD, client="10.0.0.1")[0] == 429


def test_failures_spread_beyond_the_window_do_not_lock(throttle, clock):
    for _ in range(3 * MAX_FAILURES):
        assert attempt(throttle, "wrong")[0] == 400
        clock.now += WINDOW_S / (MAX_FAILURES - 1) + 0.1
    assert throttle.lockout.failures["10.0.0.1"] and len(throttle.lockout.failures["10.0.0.1"]) < MAX_FAILURES


def test_a_right_password_clears_the_count(throttle):
    for _ in range(MAX_FAILURES - 1):
        attempt(throttle, "wrong")
    assert attempt(throttle, PASSWORD)[0] == 200
    assert [attempt(throttle, "wrong")[0] for _ in range(MAX_FAILURES - 1)] == [400] * (MAX_FAILURES - 1)


def test_other_requests_pass_untouched_and_the_memory_of_old_failures_is_dropped(throttle, route, clock):
    for _ in range(MAX_FAILURES):
        attempt(throttle, "wrong")
    assert attempt(throttle, "wrong", path="/login_check")[0] == 400 and route.calls == MAX_FAILURES + 1
    clock.now += LOCKOUT_S + WINDOW_S
    attempt(throttle, "wrong", client="10.0.0.9")
    assert set(throttle.lockout.locked_until) == set() and set(throttle.lockout.failures) == {"10.0.0.9"}


# A real server

def test_the_running_server_throttles_wrong_passwords_per_client_address(tmp_path_factory, tmp_path):
    with running_server(tmp_path, cache_dir_for(tmp_path_factory), ingest=False, RAG_UI_USERNAME="admin",
                        RAG_UI_PASSWORD=PASSWORD, RAG_UI_LANGUAGE="en") as server:
        with server.report_on_failure(), httpx.Client(base_url=server.url, timeout=20) as guesser:
            statuses = [guesser.post("login", data={"username": "admin", "password": f"guess {n}"}).status_code
                        for n in range(MAX_FAILURES)]
            assert statuses == [400] * MAX_FAILURES
            refused = guesser.post("login", data={"username": "admin", "password": PASSWORD})
            assert refused.status_code == 429 and "Too many failed logins" in refused.json()["detail"]
            neighbour = httpx.Client(base_url=server.url, timeout=20,
                                     transport=httpx.HTTPTransport(local_address="127.0.0.2"))
            with neighbour:
                assert neighbour.post("login", data={"username": "admin", "password": PASSWORD}).status_code == 200
