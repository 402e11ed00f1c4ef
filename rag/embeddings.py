"""Sentence embeddings: the bundled offline Russian model, or any sentence-transformers model.

The bundled model is navec's Russian news word vectors (shipped inside the `natasha` package),
SIF-weighted and averaged by sentence-transformers' StaticEmbedding. It is built once into the cache.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterable

import numpy as np

from rag.memo import BoundedCache
from rag.settings import BUILTIN_EMBEDDING, Settings
from rag.vocabulary import SortedVocabulary

BUILTIN_VERSION = "v1"
SIF_A = 1e-4
UNKNOWN = "[UNK]"
# Up to this many texts at once (a question, the sentences of an answer) are tokenised by looking their words up
# in the sorted vocabulary; more (an ingest) by the tokenizer itself, in parallel, once it is loaded.
FEW_TEXTS = 512


def embedding_id(settings: Settings) -> str:
    """What an index records about its vectors; a different id means the vectors do not mix."""
    if settings.embedding_model == BUILTIN_EMBEDDING:
        return f"{BUILTIN_EMBEDDING}-{BUILTIN_VERSION}"
    return settings.embedding_model


class Embedder:
    """Turns texts into L2-normalised float32 vectors."""

    def __init__(self, settings: Settings):
        self.id = embedding_id(settings)
        self.batch_size = settings.embedding_batch_size
        if settings.embedding_model == BUILTIN_EMBEDDING:
            self.model = StaticVectors(builtin_model_path(settings.cache_dir))
        else:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(settings.embedding_model, device="cpu")
        self.dimension = int(self.model.get_embedding_dimension())
        # Of this model only: an Embedder is made for one model, and so is its cache.
        self.cache: BoundedCache[str, np.ndarray] = BoundedCache(
            int(settings.embedding_cache_mb * 2**20), lambda text, vector: sys.getsizeof(text) + sys.getsizeof(vector))

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return vectors.astype(np.float32, copy=False)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed_remembered(self, texts: list[str]) -> np.ndarray:
        """`embed`'s vectors, those of texts embedded before taken from the cache (rag/memo.py), the others
        computed in one call."""
        if not texts:
            return self.embed([])
        found = self.cache.get_many(dict.fromkeys(texts))
        if missing := [text for text in dict.fromkeys(texts) if text not in found]:
            # Copied row by row: a row kept as a view would keep its whole batch alive, beyond the bound.
            computed = {text: vector.copy() for text, vector in zip(missing, self.embed(missing))}
            self.cache.put_many(computed)
            found.update(computed)
        return np.stack([found[text] for text in texts])


class StaticVectors:
    """The saved sentence-transformers StaticEmbedding + Normalize folder, computed with numpy: the mean of the
    token vectors (an EmbeddingBag's "mean"), L2-normalised. Loading sentence-transformers would import torch,
    4 of the 5 seconds a one-question `rag ask` took; the vectors are the same (tests/test_embeddings.py)."""

    def __init__(self, folder: Path):
        self.folder = folder
        # The weights are memory-mapped at once. The 250k-word tokenizer takes 0.2 s to parse: only many texts wait
        # for it, a few have their words looked up in a sorted copy of its vocabulary (rag/vocabulary.py; the same
        # ids, tests/test_embeddings.py). Indexed as a plain array: np.memmap's own indexing costs a third more.
        self.weights = np.asarray(_safetensors_matrix(folder / "model.safetensors", "embedding.weight"))
        self._tokenizer = None
        self._vocabulary: SortedVocabulary | None = None
        self._splitter = None

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    @property
    def vocabulary(self) -> SortedVocabulary:
        if self._vocabulary is None:
            self._vocabulary = SortedVocabulary.cached(self.folder / "vocabulary", self._tokenizer_vocabulary)
        return self._vocabulary

    @property
    def splitter(self):
        """The tokenizer's normaliser and word splitting, without its vocabulary."""
        if self._splitter is None:
            self._splitter = _tokenizer({UNKNOWN: 0})
        return self._splitter

    def _tokenizer_vocabulary(self) -> Iterable[tuple[str, int]]:
        model = json.loads((self.folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]
        if model["type"] != "WordLevel" or model["unk_token"] != UNKNOWN or model["vocab"].get(UNKNOWN) != 0:
            raise ValueError(f"{self.folder}: not the word-level tokenizer this model is built with")
        return model["vocab"].items()

    def get_embedding_dimension(self) -> int:
        return self.weights.shape[1]

    def encode(self, texts: list[str], batch_size: int = 256, **_) -> np.ndarray:
        result = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        token_ids = self._tokenizer_ids if len(texts) > FEW_TEXTS or self._tokenizer is not None else self._looked_up_ids
        for start in range(0, len(texts), batch_size):
            ids, lengths = token_ids(texts[start:start + batch_size])
            firsts = np.cumsum(lengths) - lengths
            # A text of one token (the answerer embeds hundreds of single words) is that token's vector, taken
            # for all of them at once; the others are the mean of theirs.
            single = lengths == 1
            result[start + np.flatnonzero(single)] = self.weights[ids[firsts[single]]]
            for row in np.flatnonzero(lengths > 1):
                result[start + row] = self.weights[ids[firsts[row]:firsts[row] + lengths[row]]].mean(axis=0)
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        return result / np.maximum(norms, 1e-12)

    def _tokenizer_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every text's token ids one after another, and how many each text has."""
        ids = [encoding.ids for encoding in self.tokenizer.encode_batch(texts, add_special_tokens=False)]
        return (np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64),
                np.fromiter(map(len, ids), dtype=np.int64, count=len(ids)))

    def _looked_up_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """What the tokenizer's word-level model does: each word of the normalised text, or 0 (unknown)."""
        normaliser, split = self.splitter.normalizer, self.splitter.pre_tokenizer.pre_tokenize_str
        words = [[word for word, _ in split(normaliser.normalize_str(text))] for text in texts]
        ids = self.vocabulary.lookup([word for text in words for word in text], missing=0)
        return np.asarray(ids, dtype=np.int64), np.fromiter(map(len, words), dtype=np.int64, count=len(words))


def _safetensors_matrix(path: Path, name: str) -> np.ndarray:
    """One float32 tensor of a safetensors file, memory-mapped (the file is an 8-byte header length, a JSON
    header, then the raw little-endian data)."""
    with path.open("rb") as f:
        header_length = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_length))
    entry = header[name]
    if entry["dtype"] != "F32":
        raise ValueError(f"{path}: {name} is {entry['dtype']}, expected F32")
    start, end = entry["data_offsets"]
    matrix = np.memmap(path, dtype="<f4", mode="r", offset=8 + header_length + start, shape=tuple(entry["shape"]))
    if matrix.nbytes != end - start:
        raise ValueError(f"{path}: {name} holds {end - start} bytes, not {matrix.nbytes}")
    return matrix


def builtin_model_path(cache_dir: Path) -> Path:
    target = cache_dir / "models" / f"{BUILTIN_EMBEDDING}-{BUILTIN_VERSION}"
    if not (target / "modules.json").exists():
        _build_builtin(target)
    return target


def _build_builtin(target: Path) -> None:
    """Build into a temporary folder and rename, so an interrupted build never leaves half a model."""
    from navec import Navec
    import natasha
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    tar = Path(natasha.__file__).parent / "data" / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"
    navec = Navec.load(str(tar))
    weights = navec.pq.unpack().astype(np.float32)
    words = list(navec.vocab.words)
    counts = np.asarray(navec.vocab.counts, dtype=np.float64)

    # SIF: frequent words say little about a passage, so they weigh less.
    probability = counts / counts.sum()
    weights *= (SIF_A / (SIF_A + probability)).astype(np.float32)[:, None]

    vocab: dict[str, int] = {}
    keep: list[int] = []
    for index, word in enumerate(words):
        key = word.replace("ё", "е")
        if word in ("<unk>", "<pad>") or key in vocab:
            continue
        vocab[key] = len(keep)
        keep.append(index)
    matrix = np.vstack([np.zeros((1, weights.shape[1]), dtype=np.float32), weights[keep]])
    vocab = {word: index + 1 for word, index in vocab.items()}
    vocab[UNKNOWN] = 0

    model = SentenceTransformer(
        modules=[StaticEmbedding(_tokenizer(vocab), embedding_weights=matrix), Normalize()], device="cpu"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        model.save(str(staging))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _tokenizer(vocab: dict[str, int]):
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    tokenizer = Tokenizer(WordLevel(vocab=vocab, unk_token=UNKNOWN))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Lowercase(), normalizers.Replace("ё", "е")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer
