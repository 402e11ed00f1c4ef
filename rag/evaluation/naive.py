"""The reference pipeline every report compares against: LangChain as a newcomer would wire it.

RecursiveCharacterTextSplitter (500/100) -> Chroma (langchain-chroma) -> MMR retriever, k=5, with the
same embedding model as ours. It has no answer writer of its own, so its answer is the top three
retrieved passages, each followed by its citation; it never refuses.
"""

from __future__ import annotations

import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.documents import Document

ANSWER_PASSAGES = 3


class NaivePipeline:
    name = "naive-langchain"

    def __init__(self, model_path: str, persist_dir: Path):
        self.embeddings = HuggingFaceEmbeddings(model_name=model_path, encode_kwargs={"normalize_embeddings": True})
        client = chromadb.PersistentClient(path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name="naive", embedding_function=self.embeddings, client=client,
                            collection_configuration={"hnsw": {"space": "cosine"}})
        self.retriever = self.store.as_retriever(search_type="mmr", search_kwargs={"k": 5})

    def ingest(self, documents: list[Document]) -> int:
        if self.store._collection.count() > 0:
            return 0
        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=100)
        chunks = splitter.split_documents([
            LCDocument(page_content=d.text, metadata={"doc_id": d.id, "title": d.title, "date": d.date,
                                                      "source": d.source, "url": d.url})
            for d in documents
        ])
        ids = [f"{c.metadata['doc_id']}#{i}" for i, c in enumerate(chunks)]
        for start in range(0, len(chunks), 2000):
            self.store.add_documents(chunks[start : start + 2000], ids=ids[start : start + 2000])
        return len(chunks)

    def ask(self, question: str, history: list[str] | None = None, id: str | None = None) -> dict:
        started = time.perf_counter()
        hits = self.retriever.invoke(question)
        citations = [
            {"n": n, "doc_id": h.metadata["doc_id"], "title": h.metadata["title"], "date": h.metadata["date"],
             "source": h.metadata["source"], "url": h.metadata["url"], "quote": h.page_content}
            for n, h in enumerate(hits[:ANSWER_PASSAGES], start=1)
        ]
        return {
            "id": id, "question": question, "refused": False,
            "answer": " ".join(f"{c['quote']} [{c['n']}]" for c in citations),
            "citations": citations,
            "retrieved": [{"doc_id": h.metadata["doc_id"], "chunk_id": h.id or "", "score": 0.0} for h in hits],
            "timings_ms": {"total": round((time.perf_counter() - started) * 1000, 2)},
        }
