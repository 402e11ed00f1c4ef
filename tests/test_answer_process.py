"""The second process that answers `rag serve`'s API questions (rag/answer_process.py), a real process on a real
index: its answers are the serving process's, it answers them (its CPU time grows, not the caller's), it sees
what the serving process writes as soon as the write returns, its errors are the caller's, and when it dies the
serving process answers until another is ready; killing the server leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from rag import answer_process
from rag.answer_process import AnswerProcess
from rag.messages import InputError
from tests.test_concurrent_questions import QUESTIONS, without_timings
from tests.web_support import BRIDGE_FILE, BRIDGE_QUESTION, BRIDGE_TEXT, FOUNDING_QUESTION, Server, cache_dir_for

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes' CPU time in /proc")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until(condition, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def assistant(open_assistant, corpus_dir):
    assistant = open_assistant()
    assistant.ingest([corpus_dir])
    return assistant


@pytest.fixture
def answers(assistant):
    started = AnswerProcess(assistant, connections=2)
    yield started
    started.close()


def test_the_second_process_answers_as_the_serving_one_would(assistant):
    here = {q: without_timings(assistant.ask(q)) for q in QUESTIONS}
    answers = AnswerProcess(assistant, connections=2)
    try:
        assert not answers.ready  # it takes seconds to start: answered here meanwhile
        assert without_timings(answers.ask(QUESTIONS[0])) == here[QUESTIONS[0]]
        wait_until(lambda: answers.ready)
        before, mine = cpu_seconds(answers.process.pid), time.process_time()
        for _ in range(5):
            assert all(without_timings(answers.ask(q, mode="extractive")) == here[q] for q in QUESTIONS)
        assert cpu_seconds(answers.process.pid) - before > 2 * (time.process_time() - mine)
        with pytest.raises(InputError) as raised:
            answers.ask("   ")
        assert raised.value.key == "empty_question"
        with pytest.raises(ValueError, match="2023-13-45"):
            answers.ask(QUESTIONS[0], date_from="2023-13-45")
    finally:
        answers.close()


def upload_bridge(assistant, folder: Path) -> None:
    folder.mkdir()
    (folder / BRIDGE_FILE).write_text(BRIDGE_TEXT, encoding="utf-8")
    assistant.ingest([folder])


def test_a_reader_that_has_not_caught_up_with_a_write_says_so_and_catches_up(assistant, open_assistant, tmp_path):
    reader = open_assistant(assistant.index.dir)  # another reader of the index, as the second process is
    assert reader.caught_up() and reader.ask(BRIDGE_QUESTION).refused
    upload_bridge(assistant, tmp_path / "upload")
    assert not reader.caught_up()  # its lexical index is being rebuilt
    wait_until(reader.caught_up)
    assert reader.ask(BRIDGE_QUESTION).citations[0]["doc_id"] == Path(BRIDGE_FILE).stem


def test_a_question_asked_once_a_write_returned_sees_it(assistant, answers, tmp_path):
    wait_until(lambda: answers.ready)
    assert answers.ask(BRIDGE_QUESTION).refused
    upload_bridge(assistant, tmp_path / "upload")
    answer = answers.ask(BRIDGE_QUESTION)
    assert not answer.refused and "1 250 метров" in answer.answer
    assistant.remove([Path(BRIDGE_FILE).stem])
    assert answers.ask(BRIDGE_QUESTION).refused


def test_when_the_second_process_dies_the_serving_one_answers_until_another_is_ready(assistant, answers,
                                                                                      monkeypatch):
    monkeypatch.setattr(answer_process, "RESTART_AFTER_S", 1.0)
    wait_until(lambda: answers.ready)
    expected = without_timings(assistant.ask(QUESTIONS[1]))
    first = answers.process
    os.kill(first.pid, signal.SIGKILL)
    first.join(10)
    assert without_timings(answers.ask(QUESTIONS[1])) == expected  # its connection broke: answered here
    assert not answers.ready and without_timings(answers.ask(QUESTIONS[1])) == expected
    wait_until(lambda: answers.ready)
    assert answers.process.pid != first.pid and answers.process.is_alive()
    before = cpu_seconds(answers.process.pid)
    assert all(without_timings(answers.ask(QUESTIONS[1])) == expected for _ in range(10))
    assert cpu_seconds(answers.process.pid) > before
    answers.close()
    assert not answers.process.is_alive()


def answer_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_a_killed_server_leaves_no_answer_process_behind(tmp_path_factory, tmp_path):
    server = Server(tmp_path / "web", cache_dir_for(tmp_path_factory)).start()
    try:
        with server.report_on_failure():
            server.wait_ready(240)
            request = urllib.request.Request(f"{server.url}api/ask", json.dumps({"question": FOUNDING_QUESTION}).encode(),
                                             {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                assert "260 млн долларов" in json.loads(response.read())["answer"]
            children = answer_children(server.process.pid)
            assert len(children) == 1
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
            wait_until(lambda: not Path(f"/proc/{children[0]}").exists()
                       or Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z", 20)
    finally:
        server.close()


def test_a_second_process_that_cannot_start_says_why_and_is_not_started_again(assistant, monkeypatch, tmp_path,
                                                                             capfd):
    monkeypatch.setattr(answer_process, "RESTART_AFTER_S", 0.1)
    expected = without_timings(assistant.ask(QUESTIONS[3]))
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the second process looks for its models")
    assistant.settings = assistant.settings.model_copy(update={"cache_dir": not_a_folder})  # what it is given
    answers = AnswerProcess(assistant, connections=2)
    try:
        first = answers.process
        first.join(60)
        assert first.exitcode not in (None, 0)
        time.sleep(1)
        assert answers.process is first and not answers.ready
        assert without_timings(answers.ask(QUESTIONS[3])) == expected
        assert "NotADirectoryError" in capfd.readouterr().err
    finally:
        answers.close()
