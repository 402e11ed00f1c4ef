"""Questions read the index together (rag/store/shared_lock.py): answers asked from many threads at once are the
answers asked one at a time, and a write still has the index alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from rag.store.shared_lock import SharedLock

QUESTIONS = [
    "Какую ключевую ставку установил Банк России в сентябре 2023 года?",
    "На сколько мест открылась новая школа в Новосибирске?",
    "Какой спутник запустили с космодрома Восточный?",
    "Сколько жилых домов подтоплено в Оренбургской области?",
    "Что обсудили в Правительстве об экспорте пшеницы?",
    "Кто выиграл чемпионат мира по шахматам?",
]


def without_timings(answer) -> dict:
    return {k: v for k, v in answer.to_dict().items() if k != "timings_ms"}


def test_answers_asked_from_many_threads_at_once_are_the_answers_asked_one_at_a_time(open_assistant, corpus_dir):
    assistant = open_assistant()
    assistant.ingest([corpus_dir])
    alone = {q: without_timings(assistant.ask(q)) for q in QUESTIONS}
    assert sum(not a["refused"] for a in alone.values()) >= 4
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda q: (q, without_timings(assistant.ask(q))), QUESTIONS * 6))
    assert all(answer == alone[q] for q, answer in together)


def test_readers_share_and_a_writer_is_alone():
    lock = SharedLock()
    events: list[str] = []
    both_reading = threading.Barrier(3, timeout=5)
    writer_waits = threading.Event()

    def reader(name: str) -> None:
        with lock.shared():
            both_reading.wait()  # two readers inside at once, or this times out
            writer_waits.wait(5)
            time.sleep(0.2)
            events.append(f"{name} done")

    def writer() -> None:
        writer_waits.set()
        with lock:
            events.append("writer in")
            with lock, lock.shared():  # re-entrant, and the writer may read
                events.append("writer reads")

    readers = [threading.Thread(target=reader, args=(n,)) for n in ("a", "b")]
    for thread in readers:
        thread.start()
    both_reading.wait()
    writing = threading.Thread(target=writer)
    writing.start()
    while not lock._writers_waiting:  # the writer waits for the readers
        time.sleep(0.01)
    late: list[int] = []

    def late_reading() -> None:
        with lock.shared():
            late.append(len(events))

    late_reader = threading.Thread(target=late_reading)
    late_reader.start()  # a writer waits: this reader comes in after it
    for thread in [*readers, writing, late_reader]:
        thread.join(5)
    assert sorted(events[:2]) == ["a done", "b done"] and events[2:] == ["writer in", "writer reads"]
    assert late == [4]
