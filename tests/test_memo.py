"""What the offline answerer keeps between answers (rag/memo.py): the vectors of texts embedded before and the
words, stems and sentences of texts read before are those computed afresh, and what is kept stays within its
bound, in the bytes the process really holds."""

from __future__ import annotations

import gc
import sys
import tracemalloc

import numpy as np

from rag.embeddings import Embedder
from rag.evaluation.command import documents
from rag.memo import BoundedCache, remembered, strings_size
from rag.text import REMEMBER_CHARS, sentences, spans_size, terms, words
from tests.conftest import CORPUS


def corpus_texts() -> list[str]:
    """Releases of the fixtures and of the shipped corpus/ (kept with the code, as the fixtures are)."""
    return [doc.text for doc in documents([CORPUS, CORPUS.parents[2] / "corpus" / "cbr_keyrate.jsonl"], 2**24)]


def corpus_words() -> list[str]:
    """The fixtures' words, then each two words in a row: the answerer embeds words and short texts."""
    found = [words(text) for text in corpus_texts()]
    return list(dict.fromkeys([w for text in found for w in text]
                              + [f"{a} {b}" for text in found for a, b in zip(text, text[1:])]))


def held_bytes(make) -> int:
    """Bytes still allocated once `make()` returned and what it returned was dropped."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        made = make()
        del made
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_remembered_vectors_are_the_computed_ones_bit_for_bit(settings):
    embedder = Embedder(settings)
    vocabulary = corpus_words()
    sentence_texts = [s.text for text in corpus_texts() for s in sentences(text)]
    first = vocabulary[:150] + sentence_texts[:20]
    assert np.array_equal(embedder.embed_remembered(first), embedder.embed(first))
    assert len(embedder.cache) == len(set(first))
    # Kept and new texts in one call, in another order, some twice, as the answerer asks for them.
    mixed = vocabulary[100:400] + first[::-3] + sentence_texts[10:40] + vocabulary[120:130]
    got = embedder.embed_remembered(mixed)
    assert got.dtype == np.float32 and np.array_equal(got, embedder.embed(mixed))
    assert len(embedder.cache) == len(set(first) | set(mixed))
    assert embedder.embed_remembered([]).shape == (0, embedder.dimension)


def test_vector_cache_keeps_the_most_recent_texts_within_its_bound(settings):
    embedder = Embedder(settings.model_copy(update={"embedding_cache_mb": 0.1}))
    vocabulary = corpus_words()[:600]
    assert len(vocabulary) == 600
    for start in range(0, len(vocabulary), 50):
        assert np.array_equal(embedder.embed_remembered(vocabulary[start:start + 50]),
                              embedder.embed(vocabulary[start:start + 50]))
    cache = embedder.cache
    assert 0 < cache.bytes <= cache.max_bytes == int(0.1 * 2**20)
    assert 30 < len(cache) < 100  # a vector of 300 floats and its word take about 1.5 kB
    assert cache.get_many(vocabulary[-len(cache):]).keys() == set(vocabulary[-len(cache):])
    assert not cache.get_many(vocabulary[:-len(cache)])
    assert Embedder(settings.model_copy(update={"embedding_cache_mb": 0})).embed_remembered(vocabulary[:5]).shape \
        == (5, embedder.dimension)


def test_a_full_vector_cache_holds_no_more_memory_than_its_bound(settings):
    embedder = Embedder(settings.model_copy(update={"embedding_cache_mb": 0.25}))
    vocabulary = corpus_words()
    embedder.embed(vocabulary)  # the tokenizer's own memory (its ids of words met) is not the cache's

    def fill():
        for start in range(0, len(vocabulary), 400):  # batches far larger than the bound
            embedder.embed_remembered(vocabulary[start:start + 400])

    held = held_bytes(fill)
    assert len(vocabulary) > 2000 and embedder.cache.bytes <= 0.25 * 2**20
    assert held < 1.2 * 0.25 * 2**20, held  # no row kept as a view of its whole batch


def test_bounded_cache_counts_the_bytes_it_holds():
    cache: BoundedCache[str, tuple] = BoundedCache(2**20, lambda key, value: sys.getsizeof(key) + strings_size(value))

    def fill():
        for n in range(20_000):
            cache.put_many({f"слово {n}": tuple(f"часть {n} {m}" for m in range(n % 7))})

    held = held_bytes(fill)
    assert 0.9 * 2**20 < cache.bytes <= 2**20
    assert 0.8 * 2**20 < held < 1.2 * 2**20, held
    assert cache.get("слово 19999") == tuple(f"часть 19999 {m}" for m in range(19999 % 7))
    assert cache.get("слово 0") is None
    cache.put_many({"огромное": ("x" * 2**21,)})  # alone larger than the bound: not kept, nothing dropped
    assert cache.get("огромное") is None and cache.get("слово 19999") is not None


def test_remembered_text_functions_read_as_before():
    texts = corpus_texts()
    pieces = [s.text for text in texts for s in sentences(text)] + [t for t in texts if len(t) <= REMEMBER_CHARS]
    assert len(pieces) > 100
    for function in (words, terms, sentences):
        plain = function.__wrapped__
        assert [function(p) for p in pieces] == [plain(p) for p in pieces]
        assert [function(p) for p in pieces] == [plain(p) for p in pieces]  # the second time from the cache


def test_full_text_memos_hold_no_more_memory_than_their_bound():
    texts = corpus_texts()
    pieces = [s.text for text in texts for s in sentences(text)] + texts
    for function, size in ((words.__wrapped__, strings_size), (sentences.__wrapped__, spans_size)):
        read = remembered(2**19, REMEMBER_CHARS, size)(function)
        # Keys made inside, as the cache holds them too (a text read is often made for the reading).
        held = held_bytes(lambda: [read(piece + ".") for piece in pieces] and None)
        assert 0.9 * 2**19 < read.cache.bytes <= 2**19
        assert 0.8 * 2**19 < held < 1.2 * 2**19, (function.__name__, held)


def test_a_caller_changing_a_remembered_list_changes_nothing_kept():
    text = "Банк России повысил ключевую ставку до 13,00% годовых."
    first = terms(text)
    first.append("лишнее")
    again = terms(text)
    again.clear()
    assert terms(text) == terms.__wrapped__(text) == ["банк", "росс", "повыс", "ключев", "ставк", "13", "годов"]


def test_long_texts_are_read_each_time_and_not_kept():
    calls = []

    @remembered(2**20, 100)
    def split(text: str) -> list[str]:
        calls.append(text)
        return text.split()

    short, long = "одна две три", "слово " * 50
    assert split(short) == split(short) == ["одна", "две", "три"] and calls == [short]
    assert split(long) == split(long) == ["слово"] * 50 and calls == [short, long, long]
    assert len(split.cache) == 1
