"""Checking an LLM's citations against the passages it was given.

Markers that point at no passage are removed; a cited sentence that none of its passages supports is
dropped (its numbers must all occur in the passage and enough of its content stems must); the markers
left are renumbered 1..k in order of first use, and each citation quotes the passage's sentence closest
to the claim, verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.answering.base import Citation
from rag.retrieval import Passage
from rag.text import sentences, terms, words

MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
MIN_SUPPORT = 0.4


@dataclass
class Checked:
    text: str
    citations: list[Citation]
    dropped: list[str] = field(default_factory=list)
    invalid_markers: int = 0


def check_citations(answer: str, passages: list[Passage]) -> Checked:
    kept: list[str] = []
    order: dict[int, int] = {}
    quotes: dict[int, str] = {}
    dropped: list[str] = []
    invalid = 0
    for sentence in sentences(answer.strip()):
        cited = [int(n) for group in MARKERS.findall(sentence.text) for n in re.split(r"[,;]\s*", group)]
        claim = MARKERS.sub("", sentence.text).strip()
        if not cited:
            kept.append(claim)
            continue
        valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
        invalid += len(cited) - len(valid)
        supporting = [n for n in valid if supports(passages[n - 1], claim)]
        if valid and not supporting:
            dropped.append(claim)
            continue
        for n in supporting:
            order.setdefault(n, len(order) + 1)
            quotes.setdefault(n, closest_sentence(passages[n - 1], claim))
        markers = "".join(f"[{order[n]}]" for n in supporting)
        kept.append(_attach(claim, markers))
    citations = [
        Citation(new, p.doc_id, p.title, p.date, p.source, p.url, quotes[old], p.chunk_id)
        for old, new in sorted(order.items(), key=lambda item: item[1])
        for p in [passages[old - 1]]
    ]
    return Checked(" ".join(k for k in kept if k), citations, dropped, invalid)


def supports(passage: Passage, claim: str) -> bool:
    passage_words = set(words(passage.title + " " + passage.text))
    if any(w not in passage_words for w in words(claim) if w[0].isdigit()):
        return False
    claim_terms = set(terms(claim))
    if not claim_terms:
        return True
    present = set(terms(passage.title + " " + passage.text))
    return len(claim_terms & present) / len(claim_terms) >= MIN_SUPPORT


def closest_sentence(passage: Passage, claim: str) -> str:
    claim_terms = set(terms(claim))
    candidates = sentences(passage.text) or []
    if not candidates:
        return passage.text
    return max(candidates, key=lambda s: len(claim_terms & set(terms(s.text)))).text


def _attach(claim: str, markers: str) -> str:
    """Markers go before the sentence's final punctuation: «… 16% [1].»"""
    if not markers:
        return claim
    if claim and claim[-1] in ".!?…":
        return f"{claim[:-1]} {markers}{claim[-1]}"
    return f"{claim} {markers}"
