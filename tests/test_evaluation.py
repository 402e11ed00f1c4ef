"""Evaluation: each metric on small hand-checked cases, suites, gates, comparison, report, the LLM judge,
and a whole `rag eval` run over the fixture corpus."""

from __future__ import annotations

import json

import pytest

from rag.evaluation import command, metrics, runner
from rag.evaluation.command import check_gates, compare_text, parse_gates
from rag.evaluation.report import write_report
from rag.evaluation.suites import Case, load_suite
from rag.settings import Settings
from tests.scripted_llm import Reply, ScriptedLLM


def answer(docs: list[str], text: str = "", cited: list[str] = (), refused: bool = False, ms: float = 10.0) -> dict:
    return {"retrieved": [{"doc_id": d, "chunk_id": f"{d}#0", "score": 1.0} for d in docs], "answer": text,
            "citations": [{"n": i + 1, "doc_id": d, "quote": ""} for i, d in enumerate(cited)],
            "refused": refused, "timings_ms": {"total": ms}}


def test_ranked_documents_keep_the_first_passage_of_each():
    assert metrics.ranked_documents(answer(["a", "b", "a", "c"])["retrieved"]) == ["a", "b", "c"]


@pytest.mark.parametrize("docs, hit1, hit5, rr", [
    (["g", "x"], 1.0, 1.0, 1.0),
    (["x", "y", "g"], 0.0, 1.0, 1 / 3),
    (["a", "b", "c", "d", "e", "g"], 0.0, 0.0, 0.0),
])
def test_hit_and_reciprocal_rank(docs, hit1, hit5, rr):
    assert metrics.hit_at(docs, ("g",), 1) == hit1
    assert metrics.hit_at(docs, ("g",), 5) == hit5
    assert metrics.reciprocal_rank(docs, ("g",), 5) == pytest.approx(rr)


def test_gold_recall_counts_every_gold_document():
    assert metrics.gold_recall(["a", "x", "b"], ("a", "b", "c"), 5) == pytest.approx(2 / 3)
    assert metrics.gold_recall(["x"] * 5 + ["a"], ("a",), 5) == 0.0


def test_fact_recall_normalises_case_yo_and_spaces():
    text = "Ставка — 8,50%  годовых; Её  объявил   Совет директоров."
    assert metrics.fact_recall(text, ("8,50% годовых", "ее объявил", "17%")) == pytest.approx(2 / 3)
    assert metrics.fact_recall(text, ()) == 0.0


def test_fact_recall_matches_whole_tokens_only():
    text = "В 2025 году ставка составила 8,50%, а товарооборот — 1,5 млрд долларов."
    assert metrics.fact_recall(text, ("25",)) == 0.0
    assert metrics.fact_recall(text, ("8,5",)) == 0.0
    assert metrics.fact_recall(text, ("5 млрд",)) == 0.0
    assert metrics.fact_recall(text, ("2025", "8,50%", "1,5 млрд долларов")) == 1.0
    assert metrics.fact_recall("Подписали договор.", ("договор", "дог")) == 0.5


def test_percentiles_are_nearest_rank():
    rows = [{"id": str(i), "kind": "factoid", "refused": False, "latency_ms": float(i)} for i in range(1, 11)]
    summary = metrics.summarise(rows)
    assert summary["latency_p50_ms"] == 5 and summary["latency_p95_ms"] == 10


def test_a_refusal_scores_no_fact_even_when_the_closest_titles_name_it():
    case = Case("1", "factoid", "q", ("g",), ("8,50%",))
    refusal = answer(["g"], "Нет сведений. Ближайшие: — Ставка 8,50% годовых", refused=True)
    assert metrics.score_case(case, refusal)["fact_recall"] == 0.0
    assert metrics.score_case(case, answer(["g"], "Ставка 8,50% годовых", ["g"]))["fact_recall"] == 1.0


def test_citation_precision_and_no_citation():
    assert metrics.citation_precision([{"doc_id": "g"}, {"doc_id": "x"}], ("g",)) == 0.5
    assert metrics.citation_precision([], ("g",)) is None


def test_summary_by_hand():
    cases = [Case("1", "factoid", "q", ("g",), ("8,50%",)), Case("2", "multi_doc", "q", ("a", "b"), ("x",)),
             Case("3", "unanswerable", "q", (), ()), Case("4", "unanswerable", "q", (), ())]
    answers = [answer(["g"], "до 8,50%", ["g"], ms=10), answer(["x", "a"], "нет", ["x"], ms=20),
               answer(["g"], "…", refused=True, ms=30), answer(["g"], "что-то", ["g"], ms=40)]
    summary = metrics.summarise([metrics.score_case(c, a) for c, a in zip(cases, answers)])
    assert summary["hit@1"] == 0.5 and summary["hit@5"] == 1.0 and summary["mrr@5"] == 0.75
    assert summary["multi_doc_recall@5"] == 0.5 and summary["fact_recall"] == 0.5
    assert summary["citation_precision"] == 0.5 and summary["cited_answers"] == 2
    assert summary["refusal_rate"] == 0.5 and summary["false_refusals"] == 0.0
    assert summary["latency_p50_ms"] == 20 and summary["latency_p95_ms"] == 40
    assert summary["llm_judged_faithfulness"] is None


def test_failures_say_why():
    rows = runner.run(lambda c: answer(["x"], "нет"), [Case("1", "factoid", "q", ("g",), ("f",)),
                                                        Case("2", "unanswerable", "q", (), ())])
    assert [(f["id"], f["why"]) for f in rows["failures"]] == [
        ("1", "no gold document in the top 5"), ("2", "answered a question the corpus cannot answer")]
    assert set(rows["by_kind"]) == {"factoid", "unanswerable"}


def test_suite_errors_name_the_line(tmp_path):
    suite = tmp_path / "s.jsonl"
    suite.write_text('{"id": "1", "kind": "factoid", "question": "q"}\n{"id": "2", "kind": "trivia", '
                     '"question": "q"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"s.jsonl:2: kind 'trivia'"):
        load_suite(suite)


def test_a_suites_history_may_be_questions_or_chat_messages_and_a_bad_turn_names_the_line(tmp_path):
    suite = tmp_path / "s.jsonl"
    rows = [{"id": "1", "kind": "followup", "question": "А в марте?", "history": ["Что решили в феврале?"]},
            {"id": "2", "kind": "followup", "question": "А в марте?", "history": [{"q": "Что решили в феврале?"}]},
            {"id": "3", "kind": "followup", "question": "А в марте?",
             "history": [{"role": "user", "content": "Что решили в феврале?"}, {"role": "assistant", "content": "Снизили."}]}]
    suite.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert [c.history for c in load_suite(suite)] == [("Что решили в феврале?",)] * 3
    suite.write_text(json.dumps({"id": "1", "kind": "followup", "question": "q", "history": [{"text": "?"}]}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"s.jsonl:1: each history turn is"):
        load_suite(suite)


def test_gates_parse_and_fail_below_the_floor():
    gates = parse_gates(["hit@5=0.9", "dev.mrr@5=0.8"])
    assert gates == [(None, "hit@5", 0.9), ("dev", "mrr@5", 0.8)]
    results = {"suites": {"dev": {"ours": {"summary": {"hit@5": 0.95, "mrr@5": 0.7}}},
                          "founding": {"ours": {"summary": {"hit@5": 0.85, "mrr@5": 0.1}}}}}
    assert check_gates(results, gates) == ["dev: mrr@5 = 0.7 < 0.8", "founding: hit@5 = 0.85 < 0.9"]
    with pytest.raises(ValueError, match="unknown metric"):
        parse_gates(["hits=1"])


def test_ceiling_gates_fail_above_the_cap():
    caps = parse_gates(["dev.false_refusals=0.1"], "--max")
    results = {"suites": {"dev": {"ours": {"summary": {"false_refusals": 0.15}}},
                          "founding": {"ours": {"summary": {"false_refusals": 0.5}}}}}
    assert check_gates(results, caps, ceiling=True) == ["dev: false_refusals = 0.15 > 0.1"]
    results["suites"]["dev"]["ours"]["summary"]["false_refusals"] = 0.05
    assert check_gates(results, caps, ceiling=True) == []


def test_compare_shows_the_change_and_the_report_shows_both_runs(tmp_path):
    def results(hit: float) -> dict:
        summary = metrics.summarise([metrics.score_case(Case("1", "factoid", "q", ("g",), ()),
                                                        answer(["g"] if hit else ["x"]))])
        run = {"summary": summary, "by_kind": {"factoid": summary}, "failures": [], "rows": []}
        return {"meta": {"started": "now"}, "suites": {"dev": {"ours": run, "naive": run}}}

    before, now = results(0.0), results(1.0)
    assert "hit@5                            0           1     +1.0000" in compare_text(before, now)
    page = write_report(now, tmp_path, before).read_text(encoding="utf-8")
    assert "Suite: dev" in page and "Against the earlier run" in page and "<svg" in page
    assert "<td class='up'>+1</td>" in page


@pytest.fixture
def llm():
    server = ScriptedLLM().start()
    yield server
    server.stop()


def test_the_judge_scores_answers_and_survives_garbage(settings, llm):
    from rag.evaluation.judge import Judge
    from rag.llm_backend import chat_model

    judge = Judge(chat_model(settings.model_copy(update={"llm_base_url": llm.url, "llm_model": "j",
                                                         "llm_max_retries": 0})), settings)
    cited = answer(["g"], "Ставка 8,50% [1].", ["g"])
    llm.say('Оценка: {"faithfulness": 0.5, "relevance": 1.7}', Reply(garbage=True), "не JSON")
    assert judge("Какая ставка?", cited) == {"faithfulness": 0.5, "relevance": 1.0}
    assert judge("Какая ставка?", cited) == {}
    assert judge("Какая ставка?", cited) == {}
    assert judge("Какая ставка?", answer(["g"], refused=True)) == {} and len(llm.requests) == 3
    judged = runner.run(lambda c: cited, [Case("1", "factoid", "q", ("g",), ())],
                        judge=lambda q, a: {"faithfulness": 0.25, "relevance": 0.75})
    assert judged["summary"]["llm_judged_faithfulness"] == 0.25
    assert judged["summary"]["llm_judged_relevance"] == 0.75


def test_rag_eval_runs_a_suite_end_to_end(tmp_path, corpus_dir, cache_dir, monkeypatch, capsys):
    from rag.cli import main

    suite = tmp_path / "fixture.jsonl"
    suite.write_text(json.dumps({"id": "k1", "kind": "date", "question": "До какого уровня Банк России повысил "
                                 "ключевую ставку в сентябре 2023 года?", "gold_doc_ids": ["cbr-2023-09-15"],
                                 "answer_facts": ["13,00%"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "fixture.corpus.txt").write_text(f"{corpus_dir}\n", encoding="utf-8")
    monkeypatch.setenv("RAG_CACHE_DIR", str(cache_dir))
    out = tmp_path / "run"
    assert main(["eval", str(suite), "--out", str(out), "--min", "hit@5=1.0"]) == 0
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["suites"]["fixture"]["ours"]["summary"]["hit@1"] == 1.0
    assert "naive" in saved["suites"]["fixture"] and (out / "report.html").exists()
    assert main(["eval", str(suite), "--no-baseline", "--out", str(out), "--min", "refusal_rate=0.5"]) == 1
    assert "FAILED GATE fixture: refusal_rate = None < 0.5" in capsys.readouterr().err


def test_eval_index_cache_is_keyed_by_the_code_that_builds_the_index(tmp_path, monkeypatch):
    package = tmp_path / "rag"
    (package / "store").mkdir(parents=True)
    for name in command.INDEX_CODE:
        if name.endswith(".py"):
            (package / name).write_text("# v1\n", encoding="utf-8")
    (package / "store" / "index.py").write_text("# v1\n", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(command.rag, "__file__", str(package / "__init__.py"))
    settings = Settings(cache_dir=tmp_path / "cache")
    corpus = [tmp_path / "corpus"]
    before = command._work_dir(settings, corpus)
    assert command._work_dir(settings, corpus) == before
    (package / "chunking.py").write_text("# v2: another way to cut sentences\n", encoding="utf-8")
    after_chunking = command._work_dir(settings, corpus)
    (package / "store" / "index.py").write_text("# v2\n", encoding="utf-8")
    assert len({before, after_chunking, command._work_dir(settings, corpus)}) == 3
    assert command._work_dir(settings.model_copy(update={"chunk_chars": 300}), corpus) != command._work_dir(
        settings, corpus)


def test_gold_quote_recall_counts_the_answering_sentence_among_the_quotes():
    gold = "Премия составляет пять миллионов рублей."
    case = Case("1", "factoid", "q", ("g",), ("пять миллионов рублей",), gold_quote=gold)
    near = answer(["g"], "…", ["g"])
    near["citations"][0]["quote"] = "С 2019 года размер каждой премии составляет пять миллионов рублей."
    other = answer(["g"], "…", ["g"])
    other["citations"][0]["quote"] = "Премии вручаются молодым учёным."
    rows = [metrics.score_case(case, near), metrics.score_case(case, other)]
    assert [r["gold_quote"] for r in rows] == [1.0, 0.0]
    assert metrics.summarise(rows)["gold_quote_recall"] == 0.5
    assert metrics.summarise([metrics.score_case(Case("2", "factoid", "q", ("g",), ()), near)])[
        "gold_quote_recall"] is None


@pytest.mark.parametrize("listed, gold, right", [
    ("20,00%", "20%", True), ("7,5 процента", "7,50%", True), ("9,25%", "9,5%", False),
    ("", "", True), ("8%", "", False), ("", "8%", False),
])
def test_timeline_values_are_compared_as_numbers(listed, gold, right):
    assert metrics.same_value(listed, gold) is right


def test_timeline_coverage_and_values_by_hand():
    gold = ({"date": "2022-02-11", "doc_id": "a", "value": "9,5%"}, {"date": "2022-02-28", "doc_id": "b", "value": "20%"},
            {"date": "2022-03-18", "doc_id": "c", "value": "20%"}, {"date": "2022-04-08", "doc_id": "d", "value": ""})
    listed = [{"doc_id": "a", "value": "9,50%"}, {"doc_id": "b", "value": "17%"}, {"doc_id": "d", "value": ""},
              {"doc_id": "x", "value": "1%"}]
    assert metrics.timeline_scores(listed, gold) == (0.75, 0.5)
    case = Case("t", "temporal", "q", ("a", "b", "c", "d"), (), temporal="change", gold_timeline=gold)
    row = metrics.score_case(case, {**answer(["a"], "…", ["a"]), "timeline": listed})
    assert (row["timeline_coverage"], row["timeline_values"]) == (0.75, 0.5)
    assert metrics.score_case(case, answer(["a"]))["timeline_coverage"] == 0.0  # an answer without a timeline


def test_temporal_questions_are_reported_by_what_they_ask(tmp_path):
    suite = tmp_path / "t.jsonl"
    lines = [{"id": "1", "kind": "temporal", "temporal": "next", "question": "А на следующем заседании?",
              "gold_doc_ids": ["g"], "history": [{"q": "Что решили 1 марта?"}]},
             {"id": "2", "kind": "temporal", "temporal": "change", "question": "Как менялась ставка?",
              "gold_doc_ids": ["g"], "gold_timeline": [{"date": "2022-01-01", "doc_id": "g", "value": "8%"}]},
             {"id": "3", "kind": "factoid", "question": "Кто?", "gold_doc_ids": ["g"]}]
    suite.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    cases = load_suite(suite)
    assert [c.temporal for c in cases] == ["next", "change", ""] and cases[1].gold_timeline[0]["value"] == "8%"
    result = runner.run(lambda c: {**answer(["g"], "8%", ["g"]), "timeline": [{"doc_id": "g", "value": "8,0%"}]}, cases)
    assert set(result["by_kind"]) == {"factoid", "temporal", "temporal:change", "temporal:next"}
    assert result["by_kind"]["temporal:change"]["timeline_values"] == 1.0
    assert result["summary"]["timeline_coverage"] == 1.0 and result["by_kind"]["factoid"]["timeline_values"] is None
    assert "timeline_values" in runner.table({"ours": result}) and parse_gates(["timeline_values=0.9"])


@pytest.mark.parametrize("row, message", [
    ({"temporal": "someday"}, "temporal 'someday' is not one of"),
    ({"temporal": "change", "gold_timeline": [{"date": "2022-01-01", "value": "8%"}]}, "each gold_timeline row needs"),
])
def test_temporal_suite_errors_name_the_line(tmp_path, row, message):
    suite = tmp_path / "t.jsonl"
    suite.write_text(json.dumps({"id": "1", "kind": "temporal", "question": "q", **row}), encoding="utf-8")
    with pytest.raises(ValueError, match=f"t.jsonl:1: {message}"):
        load_suite(suite)
