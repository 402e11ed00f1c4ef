"""Chunks: verbatim slices made of whole sentences, overlapping by one, long sentences cut at spaces."""

from __future__ import annotations

import pytest

from conftest import CORPUS
from rag.chunking import chunk_document
from rag.documents import Document, load_path
from rag.text import sentences

SENTENCES = [
    "Совет директоров Банка России принял решение повысить ключевую ставку на 100 базисных пунктов.",
    "Устойчивый рост внутреннего спроса усиливает инфляционное давление.",
    "Ослабление рубля с начала года вносит вклад в ускорение инфляции.",
    "Годовая инфляция в июне составила 3,3%.",
    "Т.е. текущий рост цен заметно ускорился, отмечает регулятор.",
    "По прогнозу Банка России, с учётом проводимой политики инфляция вернётся к 4% в 2024 году.",
    "Кредитная активность остаётся высокой, особенно в ипотеке.",
    "Следующее заседание, на котором будет рассматриваться вопрос об уровне ключевой ставки, пройдёт 15 сентября.",
    "Пресс-служба Банка России сообщила, что всё решение принято единогласно.",
    "Ещё одно заседание запланировано на 27 октября.",
]
NORMAL_TEXT = " ".join(SENTENCES[:5]) + "\n\n" + " ".join(SENTENCES[5:])


def doc(text: str, **meta) -> Document:
    return Document(id=meta.pop("id", "test-doc"), title=meta.pop("title", "Заголовок с ёлкой"), text=text,
                    date=meta.pop("date", "2023-07-21"), source=meta.pop("source", "Банк России"),
                    url=meta.pop("url", "https://example.test/r"))


def test_razdel_splits_the_fixture_into_its_sentences():
    found = [s.text for s in sentences(NORMAL_TEXT)]
    assert found == SENTENCES  # "Т.е." does not end a sentence


@pytest.mark.parametrize("chunk_chars", [150, 250, 400])
def test_chunks_are_verbatim_slices(chunk_chars):
    document = doc(NORMAL_TEXT)
    chunks = chunk_document(document, chunk_chars)
    assert len(chunks) >= 2
    for ordinal, chunk in enumerate(chunks):
        assert document.text[chunk.start:chunk.end] == chunk.text
        assert chunk.ordinal == ordinal
        assert chunk.id == f"test-doc#{ordinal}"
        assert chunk.doc_id == "test-doc"


@pytest.mark.parametrize("chunk_chars", [150, 250, 400])
def test_chunks_start_and_end_on_sentence_boundaries(chunk_chars):
    document = doc(NORMAL_TEXT)
    starts = {s.start for s in sentences(document.text)}
    ends = {s.end for s in sentences(document.text)}
    chunks = chunk_document(document, chunk_chars)
    for chunk in chunks:
        assert chunk.start in starts, chunk.text
        assert chunk.end in ends, chunk.text
        assert chunk.text[-1] == "."
    # together they cover the whole text: between two chunks there is at most whitespace
    assert chunks[0].start == 0
    assert chunks[-1].end == len(document.text)
    assert all(document.text[a.end:b.start].strip() == "" for a, b in zip(chunks, chunks[1:]))


def test_consecutive_chunks_overlap_by_one_sentence():
    document = doc(NORMAL_TEXT)
    chunks = chunk_document(document, 250)
    assert len(chunks) >= 3
    by_start = {s.start: s for s in sentences(document.text)}
    for previous, following in zip(chunks, chunks[1:]):
        assert following.start < previous.end
        shared = by_start[following.start]
        assert shared.end == previous.end  # exactly the last sentence of the previous chunk
        assert previous.text.endswith(shared.text)
        assert following.text.startswith(shared.text)


def test_chunks_stay_about_chunk_chars_long():
    chunk_chars = 250
    chunks = chunk_document(doc(NORMAL_TEXT), chunk_chars)
    # a chunk may grow by the carried sentence (at most a third of chunk_chars)
    assert all(len(c.text) <= chunk_chars + chunk_chars // 3 + 1 for c in chunks)
    assert len(chunks) == len({c.text for c in chunks})


def test_short_document_is_one_chunk():
    text = " ".join(SENTENCES[:2])
    [chunk] = chunk_document(doc(text), 800)
    assert (chunk.text, chunk.start, chunk.end, chunk.id) == (text, 0, len(text), "test-doc#0")


def test_very_long_sentence_is_cut_at_spaces():
    words = [f"слово{n}" for n in range(400)]
    long_sentence = "Участники совещания перечислили " + " ".join(words) + " и многое другое."
    text = "Вступление короткое. " + long_sentence + " Заключение тоже короткое."
    document = doc(text)
    chunk_chars = 200
    chunks = chunk_document(document, chunk_chars)
    assert len(chunks) >= len(long_sentence) // chunk_chars
    for chunk in chunks:
        assert document.text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text) <= chunk_chars + chunk_chars // 3 + 1
        # cut at a space: never inside a word
        assert chunk.start == 0 or text[chunk.start - 1] == " "
        assert chunk.end == len(text) or text[chunk.end] == " "
        assert not chunk.text.startswith(" ") and not chunk.text.endswith(" ")
    # nothing of the sentence is lost
    covered = "".join(text[c.start:c.end] + " " for c in chunks)
    for word in words:
        assert f"{word} " in covered


def test_a_sentence_without_spaces_is_cut_hard():
    text = "Код: " + "А" * 1000 + "."
    chunks = chunk_document(doc(text), 300)
    assert len(chunks) >= 3
    assert all(len(c.text) <= 300 for c in chunks)
    assert "".join(c.text for c in chunks).replace("Код: ", "Код:") == text.replace("Код: ", "Код:")


def test_title_date_source_url_travel_with_every_chunk():
    document = doc(NORMAL_TEXT, id="cbr-1", title="Ключевая ставка: решение", date="2023-07-21",
                   source="Банк России", url="https://www.cbr.example/1")
    chunks = chunk_document(document, 150)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert (chunk.title, chunk.date, chunk.source, chunk.url) == (
            "Ключевая ставка: решение", "2023-07-21", "Банк России", "https://www.cbr.example/1")
        assert chunk.search_text == f"Ключевая ставка: решение\n{chunk.text}"


def test_fixture_documents_chunk_verbatim():
    for path in sorted(CORPUS.iterdir()):
        for document in load_path(path, CORPUS, 2**20):
            assert isinstance(document, Document), document
            chunks = chunk_document(document, 300)
            assert chunks, document.id
            for chunk in chunks:
                assert document.text[chunk.start:chunk.end] == chunk.text
            assert chunks[0].start == 0 and chunks[-1].end == len(document.text)
