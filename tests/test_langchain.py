"""`rag.langchain` through LangChain's own standard retriever tests, and the answer chain as a Runnable."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.langchain import PressReleaseRetriever, answer_chain
from tests.conftest import EXPECTED, copy_corpus

BUILT: dict = {}
METADATA = {"doc_id", "chunk_id", "title", "date", "source", "url", "score"}


@pytest.fixture(scope="module", autouse=True)
def index(tmp_path_factory, cache_dir):
    """The fixture corpus indexed once; RAG_CACHE_DIR so that retrievers made by the standard tests find the
    embedding model this run built."""
    from rag.assistant import Assistant

    folder = tmp_path_factory.mktemp("langchain")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_CACHE_DIR", str(cache_dir))
        with Assistant(index_dir=folder / "index") as assistant:
            assistant.ingest([copy_corpus(folder / "corpus")])
        BUILT["index_dir"] = folder / "index"
        yield BUILT["index_dir"]


class TestPressReleaseRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[PressReleaseRetriever]:
        return PressReleaseRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"index_dir": BUILT["index_dir"], "k": 3}

    @property
    def retriever_query_example(self) -> str:
        return "ключевая ставка Банка России"


def test_documents_carry_their_release_and_rank(index):
    retriever = PressReleaseRetriever(index_dir=index, k=4)
    found = retriever.invoke("Какой спутник запустили с космодрома Восточный?")
    assert len(found) == 4 and all(isinstance(d, Document) for d in found)
    top = found[0]
    assert METADATA <= top.metadata.keys() and top.metadata["doc_id"] == "vostochny-launch"
    assert (top.metadata["title"], top.metadata["date"], top.metadata["source"]) == EXPECTED["vostochny-launch"]
    assert top.id == top.metadata["chunk_id"] and "Метеор-М" in top.page_content
    scores = [d.metadata["score"] for d in found]
    assert scores == sorted(scores, reverse=True)
    assert len(retriever.invoke("ключевая ставка", k=2)) == 2


def test_filters_narrow_the_passages(index):
    retriever = PressReleaseRetriever(index_dir=index, k=5, sources=["Банк России"])
    assert {d.metadata["source"] for d in retriever.invoke("ключевая ставка")} == {"Банк России"}


def test_answer_chain_is_a_runnable_from_question_and_history_to_the_answer(index):
    chain = answer_chain(index_dir=index)
    first = chain.invoke({"question": "До какого уровня Банк России повысил ключевую ставку в сентябре 2023 года?"})
    assert first["refused"] is False and "13,00%" in first["answer"] and first["citations"]
    follow, alone = chain.batch([
        {"question": "А в июле?", "history": [first["question"]]},
        {"question": "А в июле?"},
    ])
    assert "8,50%" in follow["answer"], follow
    assert follow["search_query"] != alone["search_query"]
