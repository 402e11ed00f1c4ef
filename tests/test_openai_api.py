"""The OpenAI-compatible endpoint through the official `openai` client, against a real `rag serve` subprocess."""

from __future__ import annotations

import re

import openai
import pytest

from tests.web_support import FOUNDING_DOC, FOUNDING_QUESTION

REFUSED_QUESTION = "Сколько стоит билет на концерт группы «Кино» в Бишкеке в 2031 году?"


@pytest.fixture(scope="module")
def client(api_server):
    with openai.OpenAI(base_url=f"{api_server.url}v1", api_key="unused-on-loopback", max_retries=0) as c:
        yield c


def rag_of(obj) -> dict:
    """The structured answer that travels beside OpenAI's fields."""
    return obj.model_extra["rag"]


def test_models_list_the_offline_mode_only_without_an_llm(client):
    assert [m.id for m in client.models.list()] == ["rag-extractive"]


def test_a_completion_is_the_cited_answer_followed_by_its_sources(client, api_server):
    with api_server.report_on_failure():
        reply = client.chat.completions.create(model="rag-extractive",
                                               messages=[{"role": "user", "content": FOUNDING_QUESTION}])
    content = reply.choices[0].message.content
    answer = rag_of(reply)
    assert reply.choices[0].finish_reason == "stop" and reply.model == "rag-extractive"
    assert content.startswith(answer["answer"]) and "260 млн долларов" in answer["answer"]
    assert answer["refused"] is False and answer["refusal_reason"] == "" and answer["notice"] == ""
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers == {c["n"] for c in answer["citations"]}
    cited = next(c for c in answer["citations"] if c["doc_id"] == FOUNDING_DOC)
    assert f"{cited['title']} (primeminister.kz)" in content, "the sources follow the answer: title, date, link"


def test_a_streamed_completion_sends_the_same_text_in_pieces_and_the_answer_last(client, api_server):
    whole = client.chat.completions.create(model="rag-extractive",
                                           messages=[{"role": "user", "content": FOUNDING_QUESTION}])
    with api_server.report_on_failure():
        chunks = list(client.chat.completions.create(model="rag-extractive", stream=True,
                                                     messages=[{"role": "user", "content": FOUNDING_QUESTION}]))
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(pieces) > 5, "streamed in pieces"
    assert "".join(pieces) == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert rag_of(chunks[-1])["citations"] == rag_of(whole)["citations"]
    assert all("rag" not in (c.model_extra or {}) for c in chunks[:-1])


def test_earlier_user_turns_are_the_history_of_a_follow_up(client):
    reply = client.chat.completions.create(model="rag-extractive", messages=[
        {"role": "system", "content": "ignored"},
        {"role": "user", "content": FOUNDING_QUESTION},
        {"role": "assistant", "content": "Экспорт готовы нарастить до 260 млн долларов. [1]"},
        {"role": "user", "content": [{"type": "text", "text": "А кто принял премьер-министра в Бишкеке?"}]},
    ])
    answer = rag_of(reply)
    assert not answer["refused"] and "Садыр Жапаров" in answer["answer"]
    assert FOUNDING_QUESTION in answer["search_query"]


def test_a_relative_turn_and_a_timeline_over_the_key_rate_decisions_of_corpus(client):
    follow = rag_of(client.chat.completions.create(model="rag-extractive", messages=[
        {"role": "user", "content": "Какое решение по ключевой ставке Банк России принял 14 июня 2019 года?"},
        {"role": "assistant", "content": "… снизить ключевую ставку на 25 б.п., до 7,50% годовых. [1]"},
        {"role": "user", "content": "А на следующем заседании?"}]))
    assert {c["date"] for c in follow["citations"]} == {"2019-07-26"} and "7,25%" in follow["answer"]
    reply = client.chat.completions.create(model="rag-extractive", messages=[
        {"role": "user", "content": "Как менялась ключевая ставка в 2019 году?"}])
    timeline = rag_of(reply)["timeline"]
    assert len(timeline) > 3 and all(row["value"] in row["quote"] for row in timeline)
    table = [line for line in reply.choices[0].message.content.splitlines() if line.startswith("2019-")]
    assert [line.split()[:2] for line in table] == [[row["date"], row["value"]] for row in timeline]


def test_a_refusal_says_so_in_content_and_in_the_structured_answer(client):
    for stream in (False, True):
        if stream:
            chunks = list(client.chat.completions.create(model="rag-extractive", stream=True,
                                                         messages=[{"role": "user", "content": REFUSED_QUESTION}]))
            content = "".join(c.choices[0].delta.content or "" for c in chunks)
            answer = rag_of(chunks[-1])
        else:
            reply = client.chat.completions.create(model="rag-extractive",
                                                   messages=[{"role": "user", "content": REFUSED_QUESTION}])
            content, answer = reply.choices[0].message.content, rag_of(reply)
        assert answer["refused"] is True and answer["refusal_reason"] and answer["citations"] == []
        assert content.startswith("В проиндексированных пресс-релизах нет достаточных сведений")


@pytest.mark.parametrize("request_, status, error, param", [
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": "?"}]}, 404, openai.NotFoundError, "model"),
    ({"model": "rag-llm", "messages": [{"role": "user", "content": "?"}]}, 404, openai.NotFoundError, "model"),
    ({"model": "rag-extractive", "messages": []}, 400, openai.BadRequestError, "messages"),
    ({"model": "rag-extractive", "messages": [{"role": "user", "content": "  "}]}, 400, openai.BadRequestError, "messages"),
    ({"model": "rag-extractive", "messages": [{"role": "user", "content": "?"}, {"role": "assistant", "content": "!"}]},
     400, openai.BadRequestError, "messages"),
    ({"model": "rag-extractive", "messages": [{"content": "no role"}]}, 400, openai.BadRequestError, "messages.0.role"),
])
def test_a_bad_request_gets_an_openai_error_object_and_status(client, request_, status, error, param):
    for stream in (False, True):
        with pytest.raises(error) as raised:
            client.chat.completions.create(**request_, stream=stream)
        assert raised.value.status_code == status
        body = raised.value.body
        assert body["param"] == param and body["message"] and body["type"], body
