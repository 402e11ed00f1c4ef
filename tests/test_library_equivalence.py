"""Code that does a library's work with numpy, to keep the library off the start-up or out of the ingest loop,
gives the library's own values: bm25s's BM25 scores (rag/store/lexical.py), datasketch's MinHash signatures
and LSH candidates (rag/store/near.py). Measured on the releases shipped in corpus/ and the test fixtures."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from rag.evaluation.command import documents
from rag.store.lexical import LexicalIndex
from rag.store.near import BAND_SHAPES, NUM_PERM, SEED, Bands, shingles, signature, similarity
from rag.text import terms

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = [doc.text for doc in documents([CORPUS, Path(__file__).parent / "fixtures" / "corpus"], 2**24)]
    assert len(found) > 300
    return found + ["", "одно слово", "раз два три четыре пять шесть раз два три четыре пять шесть"]


def datasketch_signature(text: str) -> LeanMinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    minhash.update_batch(list(shingles(text)))
    return LeanMinHash(minhash)


def edited(text: str) -> str:
    """The text without its first sentence and with one word changed: a near duplicate or a miss."""
    words = text.split(". ", 1)[-1].split()
    return " ".join(words[:3] + ["изменено"] + words[4:])


def test_signatures_are_datasketchs(texts):
    for text in texts + [edited(t) for t in texts[:50]]:
        ours, theirs = signature(text), datasketch_signature(text)
        assert ours.dtype == np.uint32 and np.array_equal(ours, theirs.hashvalues)


def test_bands_find_the_candidates_datasketchs_lsh_finds(texts):
    for threshold, shape in BAND_SHAPES.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        assert (lsh.b, lsh.r) == shape
    bands, lsh = Bands(0.6), MinHashLSH(threshold=0.6, num_perm=NUM_PERM)
    for number, text in enumerate(texts):
        bands.insert(str(number), signature(text))
        lsh.insert(str(number), datasketch_signature(text))
    bands.remove("3")
    lsh.remove("3")
    found_any = 0
    for text in texts[:80] + [edited(t) for t in texts[:80]]:
        ours = bands.query(signature(text))
        assert ours == set(lsh.query(datasketch_signature(text)))
        found_any += bool(ours)
    assert found_any > 80 and "3" not in set().union(*(bands.query(signature(t)) for t in texts[:5]))
    a, b = texts[10], edited(texts[10])
    assert similarity(signature(a), signature(b)) == datasketch_signature(a).jaccard(datasketch_signature(b))


def test_lexical_scores_are_bm25s_scores(texts, tmp_path):
    rows = [(f"d{n}#0", f"d{n}", "2024-01-01", "", " ".join(terms(text))) for n, text in enumerate(texts)]
    LexicalIndex.build(rows, generation=1).save(tmp_path / "lexical")
    index = LexicalIndex.load(tmp_path / "lexical")
    reference = bm25s.BM25.load(str(tmp_path / "lexical" / "bm25"))
    mask = np.arange(len(rows)) % 3 != 0
    for question in ["ключевая ставка Банка России", "Путин провёл телефонный разговор с Трампом",
                     "Бектенов Бишкек экспорт экспорт"]:
        ids = [index.vocab[t] for t in terms(question) if t in index.vocab]
        for weights in (None, mask.astype(np.float32)):
            assert np.array_equal(index.chunk_scores.get(ids, weights), reference.get_scores(ids, weight_mask=weights))
        assert index.search(terms(question), 5)[0][1] > 0
