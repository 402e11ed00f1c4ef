"""natasha's news models (segmenter, morphology tagger, NER tagger), loaded in a third of natasha's own time.

natasha's `NewsEmbedding()`, `NewsMorphTagger(...)` and `NewsNERTagger(...)` build three dicts of the same
250k words (navec's, and one in each model pack) and precompute navec's similarity tables: 0.3 s of every
start. Tagging reads none of the tables and only the packs' word -> id maps, so here the packs' words come from
a sorted copy kept in the cache (rag/vocabulary.py, made once from the pack), navec's quantised vectors are read
as they are stored, and the rest is slovnet's own loading. The taggers are natasha's classes and tag the same
(tests/test_question_model.py). Written against natasha 1.6.0, slovnet 0.6.0 and navec 0.10.0, which
pyproject.toml pins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from natasha import NewsMorphTagger, NewsNERTagger, Segmenter
from natasha.data import NEWS_EMBEDDING, NEWS_MORPH, NEWS_NER
from navec.meta import Meta
from navec.tar import Tar
from slovnet import NER as SlovnetNER, Morph as SlovnetMorph
from slovnet.const import SHAPE, TAG, WORD
from slovnet.exec.encoders import TagEncoder
from slovnet.exec.infer import MorphInfer, NERInfer, TagDecoder
from slovnet.exec.model import Morph as MorphModel, NER as NERModel
from slovnet.exec.pack import Pack
from slovnet.vocab import PAD, UNK

from rag.vocabulary import SortedVocabulary

BATCH_SIZE = 8  # slovnet's default


def load(cache_dir: Path | None) -> tuple[Segmenter, NewsMorphTagger, NewsNERTagger]:
    """`cache_dir`: where the packs' vocabularies are kept (None: made in memory, each time)."""
    navec = _Navec.load(NEWS_EMBEDDING)
    morph = _tagger(NewsMorphTagger, SlovnetMorph, MorphModel, MorphInfer, NEWS_MORPH, navec, cache_dir)
    ner = _tagger(NewsNERTagger, SlovnetNER, NERModel, NERInfer, NEWS_NER, navec, cache_dir)
    return Segmenter(), morph, ner


@dataclass(frozen=True)
class _Quantised:
    indexes: np.ndarray
    codes: np.ndarray


@dataclass(frozen=True)
class _Navec:
    """What slovnet takes from a navec embedding: its id and its quantised vectors (navec's `PQ` format: four
    uint32 counts, then the uint8 indexes, then the float32 codes)."""
    meta: Meta
    pq: _Quantised

    @classmethod
    def load(cls, path: str) -> "_Navec":
        with Tar(path) as tar:
            meta = Meta.from_file(tar.load("meta.json"))
            Meta.check_protocol(meta.protocol)
            data = tar.load("pq.bin").read()
        vectors, _, parts, centroids = (int(n) for n in np.frombuffer(data[:16], np.uint32))
        indexes = np.frombuffer(data[16 : 16 + vectors * parts], np.uint8).reshape(vectors, parts)
        codes = np.frombuffer(data[16 + vectors * parts :], np.float32).reshape(parts, centroids, -1)
        return cls(meta, _Quantised(indexes, codes))


class _Words:
    """slovnet's words vocabulary as its encoder uses it (`encode`, `pad_id`), over the sorted copy."""

    def __init__(self, vocabulary: SortedVocabulary, unk_id: int, pad_id: int):
        self.vocabulary = vocabulary
        self.unk_id = unk_id
        self.pad_id = pad_id
        self._known: dict[str, int] = {}

    def encode(self, word: str) -> int:
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = int(self.vocabulary.lookup([word], missing=self.unk_id)[0])
        return found


def _tagger(natasha_class, slovnet_class, model_class, infer_class, path: str, navec: _Navec,
            cache_dir: Path | None):
    """slovnet's `Morph.load` / `NER.load` with the words vocabulary from the sorted copy, then natasha's tagger
    around it, given navec's vectors (what natasha's constructor does)."""
    with Pack(path) as pack:
        pack.load_meta().check_protocol()
        model = pack.load_model(model_class)
        arrays = dict(pack.load_arrays(model.weights))
        shapes, tags = pack.load_vocab(SHAPE), pack.load_vocab(TAG)
    words = _words(path, cache_dir)
    infer = infer_class(model.inject_arrays(arrays), TagEncoder(words, shapes, BATCH_SIZE), TagDecoder(tags))
    tagger = natasha_class.__new__(natasha_class)
    slovnet_class.__init__(tagger, infer, BATCH_SIZE)
    return tagger.navec(navec)


def _words(path: str, cache_dir: Path | None) -> _Words:
    def pairs():
        with Pack(path) as pack:
            return [(word, number) for number, word in enumerate(pack.load_vocab(WORD).items)]

    if cache_dir is None:
        vocabulary = SortedVocabulary.of(pairs())
    else:
        stat = os.stat(path)  # a pack of another natasha version is another file
        folder = cache_dir / "natasha-words" / f"{Path(path).stem}-{stat.st_size}-{stat.st_mtime_ns}"
        vocabulary = SortedVocabulary.cached(folder, pairs)
    special = {w: int(i) for w, i in zip([UNK, PAD], vocabulary.lookup([UNK, PAD], missing=-1)) if i >= 0}
    return _Words(vocabulary, special.get(UNK), special.get(PAD))
