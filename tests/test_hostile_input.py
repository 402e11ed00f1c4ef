"""Input that costs more than its size: YAML aliases, over-long metadata, binary files without NUL in their
first 8 KB, and JSONL lines far over the limit are refused with a reason naming the file (and line and
field), nothing of it is stored, and what was stored before stays; a history is cut to its last turns."""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path

import pytest

from rag.assistant import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, _questions
from rag.documents import FIELD_LIMITS, Document, LoadError, load_path
from rag.reading import looks_binary
from tests.ingest_support import assistant, doc_ids, small_chunks  # noqa: F401 (fixtures)

MB = 2**20

# 443 bytes that a SafeLoader expands to 9**9 "lol"s: title becomes a multi-million-character string.
BILLION_LAUGHS = """---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
title: *i
---
Текст релиза о смехе.
"""


def load(path: Path, max_bytes: int = 20 * MB) -> list[Document | LoadError]:
    return list(load_path(path, path.parent, max_bytes))


def only_error(path: Path, max_bytes: int = 20 * MB) -> LoadError:
    items = load(path, max_bytes)
    assert len(items) == 1 and isinstance(items[0], LoadError), items
    return items[0]


def noise(size: int, seed: int = 1) -> bytes:
    """Random bytes with every NUL taken out, as a compressed image or archive without one would be."""
    return bytes(b for b in random.Random(seed).randbytes(size) if b)


def jsonl_line(**record) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


# YAML anchors and aliases

def test_billion_laughs_front_matter_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "laughs.md"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert path.stat().st_size < 500
    error = only_error(path)
    assert error.where == str(path)
    assert error.problem.key == "yaml_alias"
    assert "anchors or aliases" in error.reason and "якоря" in error.problem.text("ru")


def test_a_single_anchor_is_refused_and_plain_front_matter_still_loads(tmp_path):
    (tmp_path / "anchor.md").write_text("---\ntitle: &t Заголовок\nsource: *t\n---\nТекст.\n", encoding="utf-8")
    assert only_error(tmp_path / "anchor.md").problem.key == "yaml_alias"
    (tmp_path / "plain.md").write_text("---\ntitle: Заголовок & «кавычки» *звёздочки*\ndate: 2024-03-14\n---\n"
                                       "Текст.\n", encoding="utf-8")
    [document] = load(tmp_path / "plain.md")
    assert (document.title, document.date) == ("Заголовок & «кавычки» *звёздочки*", "2024-03-14")


def test_horizontal_rules_in_a_body_without_front_matter_are_not_front_matter(tmp_path):
    (tmp_path / "rules.md").write_text("# Заголовок\n\n---\ntitle: не метаданные\n---\nТекст.\n", encoding="utf-8")
    [document] = load(tmp_path / "rules.md")
    assert document.title == "Заголовок" and "title: не метаданные" in document.text


# Metadata length

@pytest.mark.parametrize("field", sorted(FIELD_LIMITS))
def test_a_jsonl_field_over_its_limit_is_refused_naming_file_line_and_field(tmp_path, field):
    limit = FIELD_LIMITS[field]
    record = {"id": "ok", "text": "Текст релиза.", field: "1" * (limit + 1)}
    path = tmp_path / "fields.jsonl"
    path.write_bytes(jsonl_line(id="before", text="Первый.") + jsonl_line(**record)
                     + jsonl_line(id="after", text="Последний."))
    items = load(path)
    assert [i.id for i in items if isinstance(i, Document)] == ["before", "after"]
    [error] = [i for i in items if isinstance(i, LoadError)]
    assert error.where == f"{path}:2"
    assert error.reason == f"field '{field}' is {limit + 1} characters long; the limit is {limit}"
    assert error.problem.text("ru") == f"поле '{field}' длиной {limit + 1} символов; предел — {limit}"


def test_fields_at_their_limit_load(tmp_path):
    record = {name: "1" * limit for name, limit in FIELD_LIMITS.items() if name != "date"}
    path = tmp_path / "limits.jsonl"
    path.write_bytes(jsonl_line(**record, text="Текст."))
    [document] = load(path)
    assert len(document.title) == FIELD_LIMITS["title"] and len(document.id) == FIELD_LIMITS["id"]


def test_an_overlong_id_is_not_repeated_in_the_message(tmp_path):
    path = tmp_path / "id.jsonl"
    path.write_bytes(jsonl_line(id="x" * 100_000, text="Текст."))
    [error] = load(path)
    assert len(error.reason) < 100 and "field 'id'" in error.reason


def test_an_overlong_front_matter_title_names_the_file_and_field(tmp_path):
    path = tmp_path / "long-title.md"
    path.write_text(f"---\ntitle: {'Очень ' * 400}\n---\nТекст.\n", encoding="utf-8")
    error = only_error(path)
    assert error.where == str(path) and error.reason.startswith("field 'title' is ")


def test_a_long_heading_becomes_a_title_cut_to_the_limit(tmp_path):
    path = tmp_path / "heading.md"
    path.write_text(f"# {'Заголовок ' * 500}\n\nТекст.\n", encoding="utf-8")
    [document] = load(path)
    assert document.title.startswith("Заголовок Заголовок") and len(document.title) <= FIELD_LIMITS["title"]


# Binary files without NUL in their first 8 KB

@pytest.mark.parametrize("name", ["noise.txt", "noise.md", "noise.html"])
def test_random_bytes_without_nul_are_binary(tmp_path, name):
    data = noise(20_000)
    assert b"\x00" not in data
    (tmp_path / name).write_bytes(data)
    error = only_error(tmp_path / name)
    assert error.where == str(tmp_path / name) and error.problem.key == "binary"


def test_a_png_without_nul_is_binary(tmp_path):
    (tmp_path / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + noise(4_000, seed=2))
    assert only_error(tmp_path / "picture.txt").problem.key == "binary"


def test_a_nul_after_the_first_8_kb_is_binary(tmp_path):
    text = ("Правительство утвердило программу. " * 400).encode()
    assert len(text) > 8192
    (tmp_path / "late-nul.txt").write_bytes(text + b"\x00\x01\x02")
    assert only_error(tmp_path / "late-nul.txt").problem.key == "binary"


def test_text_with_tabs_form_feeds_and_a_stray_control_byte_is_text(tmp_path):
    text = "Раздел 1.\tИтоги года.\f\n" + "Правительство утвердило программу развития. " * 50 + "\x1a"
    for encoding in ("utf-8", "cp1251"):
        path = tmp_path / f"text-{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        [document] = load(path)
        assert document.title == "Раздел 1.\tИтоги года.", encoding
    assert not looks_binary(text.encode("utf-8")) and looks_binary(noise(1_000))


def test_a_binary_jsonl_line_is_refused_and_the_others_load(tmp_path):
    good = jsonl_line(id="good", text="Текст релиза. " * 700)  # the binary line starts after the first 8 KB
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(good + noise(3_000, seed=3).replace(b"\n", b" ") + b"\n" + jsonl_line(id="after", text="Ещё."))
    items = load(path)
    assert [i.id for i in items if isinstance(i, Document)] == ["good", "after"]
    [error] = [i for i in items if isinstance(i, LoadError)]
    assert error.where == f"{path}:2" and error.problem.key == "binary_line"


def test_a_jsonl_file_that_opens_with_binary_is_one_error(tmp_path):
    (tmp_path / "dump.jsonl").write_bytes(noise(50_000, seed=4))
    assert only_error(tmp_path / "dump.jsonl").problem.key == "binary"


# A JSONL line far over the limit

def test_a_huge_jsonl_line_is_skipped_without_being_held_and_the_next_lines_load(tmp_path):
    max_bytes = 64 * 1024
    huge = jsonl_line(id="huge", text="Очень длинный релиз. " * 150_000)
    assert len(huge) > 5 * MB
    path = tmp_path / "huge.jsonl"
    path.write_bytes(jsonl_line(id="first", text="Первый.") + huge + jsonl_line(id="next", text="Следующий.")
                     + b'{"id": "last", "text": "\xd0\x9f\xd0\xbe\xd1\x81\xd0\xbb\xd0\xb5\xd0\xb4\xd0\xbd\xd0\xb8\xd0\xb9."}')
    tracemalloc.start()
    try:
        items = load(path, max_bytes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.id for i in items if isinstance(i, Document)] == ["first", "next", "last"]
    [error] = [i for i in items if isinstance(i, LoadError)]
    assert error.where == f"{path}:2"
    assert error.reason == f"line is {(len(huge) - 1) / MB:.1f} MB, over the limit of 65,536 bytes (RAG_MAX_FILE_MB)"
    assert peak < MB, f"peak {peak:,} bytes while reading a {len(huge):,}-byte line"


def test_a_last_line_over_the_limit_without_a_newline_is_refused(tmp_path):
    path = tmp_path / "tail.jsonl"
    path.write_bytes(jsonl_line(id="first", text="Первый.") + b'{"id": "tail", "text": "' + b"a" * 2000 + b'"}')
    items = load(path, 1000)
    assert isinstance(items[0], Document) and isinstance(items[1], LoadError) and len(items) == 2
    assert items[1].where == f"{path}:2" and items[1].problem.key == "line_too_big"


# Through the index: a refused file stores nothing and loses nothing

def test_a_refused_replacement_keeps_the_stored_release(assistant, tmp_path):  # noqa: F811
    release = tmp_path / "release.md"
    release.write_text("---\ntitle: Первая версия\n---\nПравительство утвердило программу.\n", encoding="utf-8")
    assert assistant.ingest([release]).counts()["added"] == 1
    for hostile in (BILLION_LAUGHS.encode(), noise(10_000, seed=5),
                    f"---\ntitle: {'x' * 5000}\n---\nТекст.\n".encode()):
        release.write_bytes(hostile)
        summary = assistant.ingest([release])
        assert summary.counts() == {"added": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "failed": 1}
        assert summary.failed[0].where == str(release)
        assert doc_ids(assistant) == ["release"]
        assert [d["title"] for d in assistant.documents()] == ["Первая версия"]


# Conversation history

def test_history_keeps_the_last_turns_each_cut_to_the_question_limit():
    pasted = "Куда прибыл премьер-министр? " + "x" * 4 * MB
    history = [f"Вопрос {n}?" for n in range(100)] + [{"role": "assistant", "content": "ответ"},
                                                       {"role": "user", "content": [{"type": "text", "text": pasted}]}]
    assert _questions(history) == [f"Вопрос {n}?" for n in range(91, 100)] + [pasted[:MAX_QUESTION_CHARS]]
    assert len(_questions([{"q": "y" * MB}] * 1000)) == MAX_HISTORY_TURNS


def test_a_4_mb_history_item_reaches_retrieval_cut_to_the_limit(assistant, corpus_dir):  # noqa: F811
    assistant.ingest([corpus_dir])
    pasted = "Сколько жилых домов подтоплено в Оренбургской области? " + "вставка " * 600_000
    assert len(pasted) > 4 * MB
    answer = assistant.ask("А сколько человек оттуда эвакуировали?", history=[{"q": pasted}])
    assert answer.search_query == f"{pasted[:MAX_QUESTION_CHARS]} А сколько человек оттуда эвакуировали?"
    assert answer.retrieved[0]["doc_id"] == "mchs-floods-2024-04-08"
