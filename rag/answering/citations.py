"""Checking an LLM's answer, sentence by sentence, against the passages it was given.

Every sentence must cite: an uncited sentence is dropped (it is where injected or invented text would
go). Markers that point at no passage are removed; a cited sentence that none of its passages supports
is dropped (its numbers and names must all occur in the passage, and enough of its content stems must);
the markers left are renumbered 1..k in order of first use, and each citation quotes the passage's
sentence closest to the claim, verbatim.

`CitationChecker` takes the reply as it streams and gives back each sentence once it is complete and
checked, so that nothing unchecked is ever shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.answering.base import Citation
from rag.retrieval import Passage
from rag.text import detect_language, sentences, stem_head, terms, words
from rag.translate import to_russian

MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
MIN_SUPPORT = 0.4
# A capitalised word that does not start the sentence: a name, which the passage must hold too.
NAME = re.compile(r"(?<=[^.!?\s]\s)[А-ЯЁ][а-яё]+")


@dataclass
class Checked:
    text: str
    citations: list[Citation]
    dropped: list[str] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    invalid_markers: int = 0


class CitationChecker:
    def __init__(self, passages: list[Passage]):
        self.passages = passages
        self.buffer = ""
        self.kept: list[str] = []
        self.order: dict[int, int] = {}
        self.quotes: dict[int, str] = {}
        self.dropped: list[str] = []
        self.uncited: list[str] = []
        self.invalid = 0

    def feed(self, piece: str) -> list[str]:
        """The sentences completed by this piece that passed the check (a sentence is complete once the
        next one has begun)."""
        self.buffer += piece
        spans = sentences(self.buffer)
        if len(spans) < 2:
            return []
        done, self.buffer = self.buffer[: spans[-1].start], self.buffer[spans[-1].start :]
        return [kept for span in sentences(done) if (kept := self._check(span.text))]

    def finish(self) -> tuple[list[str], Checked]:
        """The last sentences, and the whole checked answer."""
        last = [kept for span in sentences(self.buffer) if (kept := self._check(span.text))]
        self.buffer = ""
        citations = [
            Citation(new, p.doc_id, p.title, p.date, p.source, p.url, self.quotes[old], p.chunk_id)
            for old, new in sorted(self.order.items(), key=lambda item: item[1])
            for p in [self.passages[old - 1]]
        ]
        return last, Checked(" ".join(self.kept), citations, self.dropped, self.uncited, self.invalid)

    def _check(self, sentence: str) -> str:
        cited = [int(n) for group in MARKERS.findall(sentence) for n in re.split(r"[,;]\s*", group)]
        claim = MARKERS.sub("", sentence).strip()
        if not claim:
            return ""
        if not cited:
            self.uncited.append(claim)
            return ""
        valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(self.passages)]
        self.invalid += len(cited) - len(valid)
        supporting = [n for n in valid if supports(self.passages[n - 1], claim)]
        if not supporting:
            self.dropped.append(claim)
            return ""
        for n in supporting:
            self.order.setdefault(n, len(self.order) + 1)
            self.quotes.setdefault(n, closest_sentence(self.passages[n - 1], claim))
        kept = _attach(claim, "".join(f"[{self.order[n]}]" for n in supporting))
        self.kept.append(kept)
        return kept


def check_citations(answer: str, passages: list[Passage]) -> Checked:
    checker = CitationChecker(passages)
    checker.feed(answer.strip())
    return checker.finish()[1]


def supports(passage: Passage, claim: str) -> bool:
    """Whether the passage holds the claim's numbers, names and enough of its stems (an English claim is
    read in the Russian words of the glossary, as an English question is searched)."""
    if detect_language(claim) == "en":
        claim = to_russian(claim)
    source = passage.title + " " + passage.text
    passage_words = set(words(source))
    if any(w not in passage_words for w in words(claim) if w[0].isdigit()):
        return False
    present = set(terms(source))
    for name in NAME.findall(claim):
        if not any(term.startswith(stem_head(stem)) for stem in terms(name) for term in present):
            return False
    claim_terms = set(terms(claim))
    if not claim_terms:
        return True
    return len(claim_terms & present) / len(claim_terms) >= MIN_SUPPORT


def closest_sentence(passage: Passage, claim: str) -> str:
    claim_terms = set(terms(claim))
    candidates = sentences(passage.text) or []
    if not candidates:
        return passage.text
    return max(candidates, key=lambda s: len(claim_terms & set(terms(s.text)))).text


def _attach(claim: str, markers: str) -> str:
    """Markers go before the sentence's final punctuation: «… 16% [1].»"""
    if claim[-1] in ".!?…":
        return f"{claim[:-1]} {markers}{claim[-1]}"
    return f"{claim} {markers}"
