"""Series from titles (rag/series.py): same source, same title shape, the same names; in date order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.evaluation.command import documents
from rag.series import Catalogue, after, before, within

KEYRATE = Path(__file__).parent / "fixtures" / "keyrate"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    rows = [{"doc_id": d.id, "title": d.title, "date": d.date, "source": d.source, "url": d.url}
            for d in documents([KEYRATE], 2**20)]
    return Catalogue(rows)


def ids(releases) -> list[str]:
    return [r.doc_id for r in releases]


def test_key_rate_decisions_are_one_series_whatever_their_title_says(catalogue):
    series = catalogue.series("keyrate-2031-09-19")  # «О ключевой ставке Банка России», among «… принял решение …»
    assert ids(series) == ["keyrate-2031-02-14", "keyrate-2031-03-28", "keyrate-2031-05-16", "keyrate-2031-06-27",
                           "keyrate-2031-08-08", "keyrate-2031-09-19", "keyrate-2031-10-31"]
    assert catalogue.series("keyrate-2031-02-14") == series


def test_calls_with_one_leader_are_a_series_apart_from_other_leaders_and_other_kinds(catalogue):
    assert ids(catalogue.series("call-larsen-2031-06-05")) == ["call-larsen-2031-03-03", "call-larsen-2031-06-05"]
    assert ids(catalogue.series("call-ostrom-2031-04-10")) == ["call-ostrom-2031-04-10"]  # another leader
    assert ids(catalogue.series("meeting-larsen-2031-07-01")) == ["meeting-larsen-2031-07-01"]  # a meeting, not a call
    assert ids(catalogue.series("school-2031-09-01")) == ["school-2031-09-01"]


def test_another_source_an_undated_release_and_an_unknown_id_are_no_part_of_a_series():
    rows = [{"doc_id": "a", "title": "Телефонный разговор с Президентом Арнеи Яном Ковалем", "date": "2031-01-05",
             "source": "Президент России", "url": ""},
            {"doc_id": "b", "title": "Телефонный разговор с Президентом Арнеи Яном Ковалем", "date": "2031-02-05",
             "source": "Правительство", "url": ""},
            {"doc_id": "c", "title": "Телефонный разговор с Президентом Арнеи Яном Ковалем", "date": "",
             "source": "Президент России", "url": ""},
            {"doc_id": "d", "title": "Телефонный разговор с Президентом Арнеи Яном Ковалем", "date": "2031-03-05",
             "source": "Президент России", "url": ""}]
    catalogue = Catalogue(rows)
    assert ids(catalogue.series("a")) == ["a", "d"]
    assert catalogue.series("c") == [] and catalogue.series("zzz") == []
    assert catalogue.names("a") == {"президент", "арн", "ян", "ковал"}  # not «телефонный разговор»


def test_order_helpers(catalogue):
    series = catalogue.series("keyrate-2031-06-27")
    june = catalogue.releases["keyrate-2031-06-27"]
    assert ids(after(series, june))[0] == "keyrate-2031-08-08" and ids(before(series, june))[-1] == "keyrate-2031-05-16"
    assert ids(within(series, 20310501, 20310731)) == ["keyrate-2031-05-16", "keyrate-2031-06-27"]



def test_a_series_is_the_same_in_every_process():
    # set order changes with each process's hash seed; which releases a capped series looks at must not
    rows = [{"doc_id": f"r{n}", "title": title, "date": f"2031-0{n + 1}-01", "source": "Президент России", "url": ""}
            for n, title in enumerate(["Телефонный разговор с Президентом Арнеи Яном Ковалем",
                                       "Телефонный разговор с Президентом Арнеи Петром Литом",
                                       "Телефонный разговор с Премьером Бетии Яном Ковалем",
                                       "Встреча с Президентом Гелии Яном Ромом",
                                       "Встреча с Премьером Арнеи Петром Ковалем"])]
    script = ("import sys, json; from rag.series import Catalogue; c = Catalogue(json.loads(sys.argv[1])); "
              "print([c._candidates(r) for r in sorted(c.releases)])")
    root = Path(__file__).resolve().parents[1]
    runs = {subprocess.run([sys.executable, "-c", script, json.dumps(rows)], cwd=root, check=True,
                           capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(1, 9)}
    assert len(runs) == 1
