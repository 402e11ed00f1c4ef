"""The bundled embedding computed with numpy gives the vectors sentence-transformers gives for the same folder."""

from __future__ import annotations

import json

import numpy as np

from rag.embeddings import FEW_TEXTS, StaticVectors, builtin_model_path
from rag.evaluation.command import documents
from tests.conftest import CORPUS


def test_numpy_vectors_equal_sentence_transformers_to_1e_6(cache_dir):
    from sentence_transformers import SentenceTransformer

    folder = builtin_model_path(cache_dir)
    texts = [json.loads(line)["text"] for line in (CORPUS / "releases.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    texts += [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))]
    texts += ["", "   ", "xyzzy плюмбус", "Ключевая ставка — 16%!", "Ёлка и ёж", "ОРЕНБУРГ паводок 2024", "a " * 5000]
    expected = SentenceTransformer(str(folder), device="cpu").encode(
        texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    got = StaticVectors(folder).encode(texts, batch_size=3)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-6
    assert not got[-7].any() and not got[-6].any() and not got[-5].any() and abs(np.linalg.norm(got[-4]) - 1) < 1e-6


def test_a_few_texts_get_the_tokenizers_own_ids_from_the_sorted_vocabulary(cache_dir, tmp_path):
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(builtin_model_path(cache_dir), folder, ignore=shutil.ignore_patterns("vocabulary"))
    texts = [doc.text for doc in documents([CORPUS.parents[2] / "corpus", CORPUS], 2**24)]
    texts += ["", "   ", "xyzzy плюмбус", "Ёлка naïve ﬁ café за́мок", "a\x00b", "ОРЕНБУРГ-2024 г.", "ы" * 400]
    looked_up = StaticVectors(folder)
    assert not (folder / "vocabulary").exists()
    by_lookup = looked_up.encode(texts[:FEW_TEXTS])
    assert looked_up._tokenizer is None and (folder / "vocabulary").exists()  # the tokenizer was never parsed
    tokenized = StaticVectors(folder)
    assert all(np.array_equal(a, b) for a, b in zip(looked_up._looked_up_ids(texts), tokenized._tokenizer_ids(texts)))
    assert np.array_equal(by_lookup, tokenized.encode(texts)[:FEW_TEXTS]) and tokenized._tokenizer is not None
