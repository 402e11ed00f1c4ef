"""The embedded Chroma store as the retrieval sees it: nearest passages, best first, the same in every build."""

from __future__ import annotations

import numpy as np

from rag.settings import Settings
from rag.store.vectors import VectorStore


def test_passages_of_equal_score_rank_by_id_whatever_order_they_were_written(tmp_path):
    """Duplicate texts (a release's boilerplate repeated in another) have one vector: their order must not
    depend on the build, or two builds of one corpus answer differently."""
    rng = np.random.default_rng(7)
    others = rng.normal(size=(200, 8))
    duplicate = rng.normal(size=8)
    ids = [f"other#{i}" for i in range(200)] + ["b#3", "a#1", "c#0"]
    vectors = np.vstack([others, duplicate, duplicate, duplicate])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for build, order in enumerate([range(len(ids)), reversed(range(len(ids)))]):
        order = list(order)
        store = VectorStore(Settings(chroma_host=None), tmp_path / str(build), "test-embedding", 8)
        store.upsert([ids[i] for i in order], vectors[order], ["d"] * len(ids), ["2025-03-01"] * len(ids),
                     ["kremlin.ru"] * len(ids))
        hits = store.query(duplicate / np.linalg.norm(duplicate), 3)
        store.close()
        assert [chunk_id for chunk_id, _ in hits] == ["a#1", "b#3", "c#0"]
        assert all(abs(score - 1.0) < 1e-5 for _, score in hits)
