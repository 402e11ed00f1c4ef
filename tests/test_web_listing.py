"""The corpus page lists at most LISTED releases (newest first) and says how many match, so that an index
of 80,000 releases still loads; the search narrows both the table and the delete list."""

from __future__ import annotations

from ui.corpus import LISTED, _choices, _listed_note, _rows
from ui.strings import EN, RU


def releases(n: int) -> list[dict]:
    """As Index.documents() returns them: newest first."""
    return [{"doc_id": f"kremlin-{n - i:05d}", "title": f"Встреча с губернатором № {n - i}",
             "date": f"2025-{1 + (n - i) % 12:02d}-01", "source": "Кремль", "chars": 1000} for i in range(n)]


def test_a_large_corpus_is_listed_up_to_the_limit_with_a_note():
    documents = releases(LISTED + 250)
    assert len(_rows(documents, "")) == LISTED == len(_choices(documents, ""))
    assert _rows(documents, "")[0][0] == documents[0]["doc_id"]
    assert _listed_note(documents, "", RU) == f"Показаны {LISTED} из {LISTED + 250} релизов, новые первыми: " \
                                              "уточните поиск, чтобы увидеть остальные."
    assert "из 221 релиза," in _listed_note(releases(221), "", RU)  # the genitive after «из 221»


def test_search_narrows_the_table_the_delete_list_and_the_note():
    documents = releases(LISTED + 250)
    rows = _rows(documents, "№ 44")  # 44, 144, 244, 344, 440-449
    assert {row[0] for row in rows} == {d["doc_id"] for d in documents if "№ 44" in d["title"]}
    assert [c.split(" — ")[0] for c in _choices(documents, "№ 44")] == [row[0] for row in rows]
    assert _listed_note(documents, "№ 44", RU) == ""


def test_large_counts_are_written_as_each_language_writes_them():
    documents = releases(1500)
    assert "из 1\u00a0500 релизов" in _listed_note(documents, "", RU)
    assert "of 1,500 releases" in _listed_note(documents, "", EN)


def test_a_small_corpus_needs_no_note():
    assert _listed_note(releases(3), "", RU) == ""
    assert len(_rows(releases(3), "")) == 3
