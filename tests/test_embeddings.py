"""The bundled embedding computed with numpy gives the vectors sentence-transformers gives for the same folder."""

from __future__ import annotations

import json

import numpy as np

from rag.embeddings import StaticVectors, builtin_model_path
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
