"""Loaders: every input format, encodings, ids, and errors that name the file (and line)."""

from __future__ import annotations

import json
import re
from pathlib import Path


from conftest import CORPUS, CP1251_TEXT, EXPECTED, write_cp1251
from rag.documents import Document, LoadError, iter_input_files, load_path
from rag.settings import Settings

MB = 2**20


def load(path: Path, root: Path | None = None, max_bytes: int = 20 * MB) -> list[Document | LoadError]:
    return list(load_path(path, root, max_bytes))


def only_document(path: Path, root: Path | None = None) -> Document:
    items = load(path, root)
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def only_error(path: Path, root: Path | None = None, max_bytes: int = 20 * MB) -> LoadError:
    items = load(path, root, max_bytes)
    assert len(items) == 1 and isinstance(items[0], LoadError), items
    return items[0]


def jsonl_line(**record) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


# Formats


def test_jsonl_records_keep_their_ids_and_metadata():
    docs = load(CORPUS / "releases.jsonl", CORPUS)
    assert [d.id for d in docs] == ["cbr-2023-07-21", "gov-wheat-2024-03-14", "mchs-floods-2024-04-08"]
    for doc in docs:
        assert (doc.title, doc.date, doc.source) == EXPECTED[doc.id]
        assert doc.lang == "ru"
    wheat = docs[1]
    assert wheat.url == "https://government.example/news/wheat-2024-03-14"
    assert "в объёме 24 млн тонн" in wheat.text  # ё kept in the stored text
    assert wheat.origin == f"{CORPUS / 'releases.jsonl'}:2"


def test_markdown_front_matter_gives_title_date_source_url_and_path_id():
    doc = only_document(CORPUS / "cbr-2023-09-15.md", CORPUS)
    assert doc.id == "cbr-2023-09-15"
    assert (doc.title, doc.date, doc.source) == EXPECTED["cbr-2023-09-15"]
    assert doc.url == "https://www.cbr.example/press/keypr/2023-09-15"
    assert doc.text.startswith("Совет директоров Банка России 15 сентября 2023 года")
    assert "---" not in doc.text and "title:" not in doc.text


def test_markdown_front_matter_id_wins_over_the_path(tmp_path):
    text = (CORPUS / "cbr-2023-09-15.md").read_text(encoding="utf-8")
    text = text.replace("---\ntitle:", "---\nid: cbr/keyrate-15\ntitle:", 1)
    assert "id: cbr/keyrate-15" in text
    (tmp_path / "release.md").write_text(text, encoding="utf-8")
    doc = only_document(tmp_path / "release.md", tmp_path)
    assert (doc.id, doc.date) == ("cbr/keyrate-15", "2023-09-15")


def test_text_without_front_matter_takes_its_first_line_as_title():
    doc = only_document(CORPUS / "novosibirsk-school.txt", CORPUS)
    assert doc.id == "novosibirsk-school"
    assert (doc.title, doc.date, doc.source, doc.url) == ("В Новосибирске открылась новая школа на 1100 мест", "", "", "")
    assert doc.text.endswith("в первые классы уже зачислены 240 учеников.")


def test_html_main_text_title_date_and_site_without_boilerplate():
    doc = only_document(CORPUS / "vostochny-launch.html", CORPUS)
    assert doc.id == "vostochny-launch"
    assert (doc.title, doc.date, doc.source) == EXPECTED["vostochny-launch"]
    assert doc.url == "https://roscosmos.example/news/2024-02-29-meteor"
    assert "восемнадцать малых космических аппаратов" in doc.text
    assert "Это третий пуск с космодрома Восточный в нынешнем году." in doc.text
    for boilerplate in ("Главная", "Контакты", "Поиск по сайту", "Все права защищены", "ссылкой на источник"):
        assert boilerplate not in doc.text


def test_cp1251_file_is_decoded(tmp_path):
    path = write_cp1251(tmp_path / "kazan-samovars.txt")
    assert path.read_bytes() != CP1251_TEXT.encode("utf-8")
    doc = only_document(path, tmp_path)
    assert doc.id == "kazan-samovars"
    assert doc.title == "В Казани открылась выставка старинных самоваров"
    assert doc.text == CP1251_TEXT
    assert "Её подготовили" in doc.text


def test_cp1251_jsonl_line_is_decoded(tmp_path):
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(jsonl_line(id="legacy-1", title="Самовары", text="Её подготовили краеведы.").encode("cp1251"))
    doc = only_document(path, tmp_path)
    assert (doc.id, doc.title, doc.text) == ("legacy-1", "Самовары", "Её подготовили краеведы.")


def test_utf8_bom_markdown_keeps_front_matter(tmp_path):
    source = (CORPUS / "cbr-2023-09-15.md").read_text(encoding="utf-8")
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    doc = only_document(path, tmp_path)
    assert (doc.title, doc.date, doc.source) == EXPECTED["cbr-2023-09-15"]
    assert "\ufeff" not in doc.text and "\ufeff" not in doc.title


def test_utf8_bom_jsonl_first_line_loads(tmp_path):
    path = tmp_path / "bom.jsonl"
    body = jsonl_line(id="first", text="Первый пресс-релиз.") + jsonl_line(id="second", text="Второй пресс-релиз.")
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert [d.id for d in load(path, tmp_path)] == ["first", "second"]


def test_crlf_line_ends_are_normalised(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("Заголовок релиза\r\n\r\nПервое предложение. Второе предложение.\r\n".encode("utf-8"))
    doc = only_document(path, tmp_path)
    assert doc.text == "Заголовок релиза\n\nПервое предложение. Второе предложение."
    assert doc.title == "Заголовок релиза"


# Ids


def test_path_id_is_relative_to_the_ingested_folder_without_extension(tmp_path):
    nested = tmp_path / "2024" / "march"
    nested.mkdir(parents=True)
    (nested / "report.txt").write_text("Отчёт за март\n\nТекст отчёта.", encoding="utf-8")
    (tmp_path / "top.md").write_text("# Заголовок\n\nТекст.", encoding="utf-8")
    found = {doc.id for path, root in iter_input_files([tmp_path]) for doc in load_path(path, root, MB)}
    assert found == {"2024/march/report", "top"}


def test_a_file_named_directly_gets_its_stem_as_id(tmp_path):
    nested = tmp_path / "deep" / "folder"
    nested.mkdir(parents=True)
    (nested / "single.txt").write_text("Один релиз\n\nТекст.", encoding="utf-8")
    [(path, root)] = list(iter_input_files([nested / "single.txt"]))
    assert root is None
    assert only_document(path, root).id == "single"


def test_hidden_files_are_skipped_and_order_is_sorted(tmp_path):
    for name in ("b.txt", "a.txt", ".hidden.txt"):
        (tmp_path / name).write_text("Текст.", encoding="utf-8")
    assert [p.name for p, _ in iter_input_files([tmp_path])] == ["a.txt", "b.txt"]


def test_file_name_with_a_space_still_loads(tmp_path):
    (tmp_path / "Пресс релиз.txt").write_text("Заголовок\n\nТекст пресс-релиза.", encoding="utf-8")
    doc = only_document(tmp_path / "Пресс релиз.txt", tmp_path)
    assert doc.text == "Заголовок\n\nТекст пресс-релиза."


# Errors: each names the file, and for JSONL the line


def test_empty_file_is_an_error_naming_the_file(tmp_path):
    for name in ("empty.txt", "empty.jsonl", "empty.md"):
        (tmp_path / name).write_bytes(b"")
        error = only_error(tmp_path / name, tmp_path)
        assert error.where == str(tmp_path / name)
        assert error.reason == "file is empty"


def test_whitespace_only_file_has_no_text(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    error = only_error(tmp_path / "blank.txt", tmp_path)
    assert error.where == str(tmp_path / "blank.txt")
    assert "no text" in error.reason


def test_binary_file_is_an_error(tmp_path):
    for name in ("image.txt", "dump.jsonl"):
        (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
        error = only_error(tmp_path / name, tmp_path)
        assert error.where == str(tmp_path / name)
        assert "binary" in error.reason and "NUL" in error.reason


def test_undecodable_bytes_are_an_error(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Grüße aus Köln, déjà vu.".encode("latin-1") + b"\x98\x98")
    error = only_error(tmp_path / "latin.txt", tmp_path)
    assert "neither UTF-8 nor Windows-1251" in error.reason


def test_broken_jsonl_line_names_file_and_line_and_others_still_load(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        jsonl_line(id="good-1", title="Первый", text="Первый релиз.")
        + '{"id": "broken", "text": "нет закрывающей скобки"\n'
        + "\n"
        + jsonl_line(id="good-2", title="Второй", text="Второй релиз."),
        encoding="utf-8",
    )
    items = load(path, tmp_path)
    assert [i.id for i in items if isinstance(i, Document)] == ["good-1", "good-2"]
    [error] = [i for i in items if isinstance(i, LoadError)]
    assert error.where == f"{path}:2"
    assert error.reason.startswith("broken JSON")
    assert str(error).startswith(f"{path}:2: broken JSON")


def test_jsonl_line_without_text_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "notext.jsonl"
    path.write_text(
        jsonl_line(id="ok", text="Есть текст.") + jsonl_line(id="no-text", title="Без текста")
        + jsonl_line(id="empty-text", text="   "),
        encoding="utf-8",
    )
    items = load(path, tmp_path)
    assert isinstance(items[0], Document) and items[0].id == "ok"
    assert [(e.where, e.reason) for e in items[1:]] == [
        (f"{path}:2", "missing or empty field 'text'"),
        (f"{path}:3", "missing or empty field 'text'"),
    ]


def test_jsonl_line_without_id_bad_id_bad_date_or_not_an_object(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        jsonl_line(title="Без id", text="Текст.")
        + jsonl_line(id="с пробелом", text="Текст.")
        + jsonl_line(id="bad-date", date="вчера", text="Текст.")
        + "[1, 2, 3]\n",
        encoding="utf-8",
    )
    errors = load(path, tmp_path)
    assert all(isinstance(e, LoadError) for e in errors)
    assert [e.where for e in errors] == [f"{path}:{n}" for n in (1, 2, 3, 4)]
    assert "missing field 'id'" in errors[0].reason
    assert "field 'id'" in errors[1].reason
    assert "field 'date'" in errors[2].reason
    assert "JSON object" in errors[3].reason


def test_dates_are_normalised_to_iso(tmp_path):
    path = tmp_path / "dates.jsonl"
    path.write_text(
        jsonl_line(id="iso-time", date="2024-03-14T10:30:00+03:00", text="Текст один.")
        + jsonl_line(id="dotted", date="14.03.2024", text="Текст два.")
        + jsonl_line(id="none", text="Текст три."),
        encoding="utf-8",
    )
    assert [(d.id, d.date) for d in load(path, tmp_path)] == [
        ("iso-time", "2024-03-14"), ("dotted", "2024-03-14"), ("none", "")]


def test_unknown_extension_is_an_error(tmp_path):
    path = tmp_path / "release.docx"
    path.write_text("Текст пресс-релиза.", encoding="utf-8")
    error = only_error(path, tmp_path)
    assert error.where == str(path)
    assert "unknown extension .docx" in error.reason
    assert ".jsonl" in error.reason and ".html" in error.reason


def test_missing_path_is_an_error(tmp_path):
    error = only_error(tmp_path / "nowhere.txt")
    assert error.where == str(tmp_path / "nowhere.txt")
    assert error.reason == "no such file or folder"


def test_html_without_main_text_is_an_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Пусто</title></head><body><script>var a = 1;</script></body></html>",
                    encoding="utf-8")
    error = only_error(path, tmp_path)
    assert error.where == str(path)
    assert "no main text" in error.reason


def test_file_over_the_size_limit_is_an_error(tmp_path):
    settings = Settings(max_file_mb=0.001)  # about 1 KB
    max_bytes = int(settings.max_file_mb * MB)
    path = tmp_path / "long.txt"
    path.write_text("Длинный пресс-релиз. " * 200, encoding="utf-8")
    assert path.stat().st_size > max_bytes
    error = only_error(path, tmp_path, max_bytes)
    assert error.where == str(path)
    assert "limit" in error.reason and "RAG_MAX_FILE_MB" in error.reason
    # a file under the limit loads
    (tmp_path / "short.txt").write_text("Короткий релиз.", encoding="utf-8")
    assert only_document(tmp_path / "short.txt", tmp_path).text == "Короткий релиз."


def test_jsonl_line_over_the_size_limit_names_the_line(tmp_path):
    max_bytes = int(Settings(max_file_mb=0.001).max_file_mb * MB)
    path = tmp_path / "lines.jsonl"
    path.write_text(
        jsonl_line(id="short", text="Короткий релиз.") + jsonl_line(id="long", text="Очень длинный релиз. " * 100),
        encoding="utf-8",
    )
    items = load(path, tmp_path, max_bytes)
    assert isinstance(items[0], Document) and items[0].id == "short"
    assert isinstance(items[1], LoadError) and items[1].where == f"{path}:2"
    assert "over the limit" in items[1].reason


def test_size_message_shows_the_size_above_the_limit(tmp_path):
    max_bytes = int(0.01 * MB)
    path = tmp_path / "long.txt"
    path.write_bytes(b"a" * (max_bytes + 500))
    error = only_error(path, tmp_path, max_bytes)
    size, limit = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) bytes", error.reason))
    assert size == max_bytes + 500 and limit == max_bytes, error.reason


def test_utf8_file_with_one_bad_byte_is_not_read_as_cp1251(tmp_path):
    path = tmp_path / "truncated.txt"
    path.write_bytes("Заголовок релиза\n\nПравительство сохранило квоту на зерно.".encode("utf-8") + b"\xd0")
    [item] = load(path, tmp_path)
    # either refused with a reason, or read as the UTF-8 it is
    assert isinstance(item, LoadError) or "Правительство сохранило квоту на зерно." in item.text, item


def test_a_folders_notes_are_not_releases_but_a_named_note_is_read(tmp_path):
    (tmp_path / "SOURCES.md").write_text("# Откуда релизы\n\nОписание папки.", encoding="utf-8")
    (tmp_path / "README.md").write_text("# О папке\n\nОписание.", encoding="utf-8")
    (tmp_path / "release.txt").write_text("Заголовок\nТекст релиза.", encoding="utf-8")
    assert [path.name for path, _ in iter_input_files([tmp_path])] == ["release.txt"]
    assert [path.name for path, _ in iter_input_files([tmp_path / "SOURCES.md"])] == ["SOURCES.md"]
