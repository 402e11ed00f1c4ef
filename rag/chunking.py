"""Sentence-aware chunks for Russian text.

A chunk is a verbatim slice of the document text (so quotes cut from it are verbatim too), made of
whole sentences (razdel), about `chunk_chars` long, overlapping by the last sentence of the previous chunk.
Title and date travel with every chunk in `Chunk`, and the title is part of what is embedded and searched.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.documents import Document
from rag.text import Span, sentences


@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    ordinal: int
    text: str
    start: int
    end: int
    title: str
    date: str
    source: str
    url: str

    @property
    def search_text(self) -> str:
        return f"{self.title}\n{self.text}"


def chunk_document(doc: Document, chunk_chars: int) -> list[Chunk]:
    if len(doc.text) <= chunk_chars:
        # One chunk whatever the sentences (most news leads): splitting them would change nothing.
        groups = [[Span(0, len(doc.text), doc.text)]]
    else:
        groups = _pack(_pieces(doc.text, chunk_chars), chunk_chars)
    return [
        Chunk(
            id=f"{doc.id}#{ordinal}",
            doc_id=doc.id,
            ordinal=ordinal,
            text=doc.text[group[0].start : group[-1].end],
            start=group[0].start,
            end=group[-1].end,
            title=doc.title,
            date=doc.date,
            source=doc.source,
            url=doc.url,
        )
        for ordinal, group in enumerate(groups)
    ]


def _pieces(text: str, chunk_chars: int) -> list[Span]:
    """Sentences, with any sentence longer than a chunk cut at spaces (transcripts have run-on ones)."""
    result: list[Span] = []
    for sentence in sentences(text):
        start = sentence.start
        while sentence.end - start > chunk_chars:
            cut = text.rfind(" ", start + chunk_chars // 2, start + chunk_chars)
            cut = cut if cut > start else start + chunk_chars
            result.append(Span(start, cut, text[start:cut]))
            start = cut + 1 if text[cut : cut + 1] == " " else cut
        if start < sentence.end:
            result.append(Span(start, sentence.end, text[start : sentence.end]))
    return result


def _pack(pieces: list[Span], chunk_chars: int) -> list[list[Span]]:
    groups: list[list[Span]] = []
    current: list[Span] = []
    for piece in pieces:
        if current and piece.end - current[0].start > chunk_chars:
            groups.append(current)
            overlap = current[-1]
            current = [overlap] if overlap.end - overlap.start <= chunk_chars // 3 else []
        current.append(piece)
    if current and (not groups or current[-1] is not groups[-1][-1]):
        groups.append(current)
    return groups
