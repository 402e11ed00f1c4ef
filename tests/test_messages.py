"""Bad-input messages: English for the CLI and API, Russian for the web chat, the same meaning in both."""

from __future__ import annotations

import pytest

from rag.documents import LoadError, load_path
from rag.messages import MESSAGES, InputError, localised


def test_every_message_has_english_and_russian_with_the_same_fields():
    for key, templates in MESSAGES.items():
        assert set(templates) == {"en", "ru"}, key
        fields = [sorted(part.split("}")[0].split("!")[0] for part in text.split("{")[1:]) for text in templates.values()]
        assert fields[0] == fields[1], key


def test_an_input_error_reads_in_english_and_russian():
    error = InputError("bad_id", id="a b")
    assert isinstance(error, ValueError)
    assert str(error) == "field 'id' 'a b' has characters other than letters, digits and . : @ / - _"
    assert error.text("ru") == "в поле 'id' 'a b' есть символы кроме букв, цифр и . : @ / - _"
    assert localised(error, "ru") == error.text("ru")
    assert localised(RuntimeError("plain"), "ru") == "plain"


@pytest.mark.parametrize("content, english, russian", [
    (b"", "file is empty", "файл пуст"),
    (b"\x00\x01binary", "binary file (NUL or other control bytes), not text",
     "двоичный файл (NUL-байты или другие управляющие символы), а не текст"),
    ('{"id": "x", "text": ""}\n'.encode(), "missing or empty field 'text'", "нет поля 'text' или оно пустое"),
])
def test_a_bad_file_is_named_with_its_reason_in_both_languages(tmp_path, content, english, russian):
    path = tmp_path / ("release.jsonl" if content.startswith(b"{") else "release.txt")
    path.write_bytes(content)
    [error] = list(load_path(path, tmp_path, 2**20))
    assert isinstance(error, LoadError)
    assert error.where.startswith(str(path))
    assert error.reason == english and error.problem.text("ru") == russian


def test_an_input_error_survives_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(InputError("bad_id", id="a b")))
    assert error.key == "bad_id" and error.text("ru") == InputError("bad_id", id="a b").text("ru")


def test_a_question_too_long_is_refused_with_its_length(tmp_path, settings, embedder):
    from rag.assistant import MAX_QUESTION_CHARS, Assistant

    with Assistant(settings=settings, index_dir=tmp_path / "index", embedder=embedder) as assistant:
        with pytest.raises(InputError) as caught:
            assistant.ask("Где? " * MAX_QUESTION_CHARS)
    assert caught.value.key == "question_too_long"
    assert f"предел — {MAX_QUESTION_CHARS}" in caught.value.text("ru")
