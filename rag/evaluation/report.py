"""The HTML report of an evaluation run: per suite, ours beside the naive pipeline, metrics by kind as bar
charts, the failed questions, and, given an earlier run, what changed. Self-contained (inline SVG)."""

from __future__ import annotations

import html
from pathlib import Path

from rag.evaluation.runner import METRICS

CHART_METRICS = ("hit@5", "mrr@5", "fact_recall", "citation_precision", "refusal_rate", "false_refusals",
                 "timeline_values")
COLOURS = {"ours": "#2563eb", "naive": "#f59e0b", "before": "#9ca3af", "now": "#2563eb"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #1f2937; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.up { color: #15803d; } td.down { color: #b91c1c; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2em; }
.chart h4 { margin: 0.2em 0; font-size: 0.9em; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: middle; }
details { margin: 0.5em 0 1.5em; }
"""


def write_report(results: dict, out: Path, previous: dict | None = None) -> Path:
    parts = [f"<h1>Evaluation report</h1><p>{html.escape(results.get('meta', {}).get('started', ''))} · "
             f"{html.escape(_meta_line(results.get('meta', {})))}</p>"]
    for suite, runs in results["suites"].items():
        parts.append(_suite_section(suite, runs, (previous or {}).get("suites", {}).get(suite)))
    page = f"<!doctype html><meta charset='utf-8'><title>Evaluation report</title><style>{STYLE}</style>{''.join(parts)}"
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _meta_line(meta: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in meta.items() if k != "started")


def _suite_section(suite: str, runs: dict, before: dict | None) -> str:
    names = list(runs)
    rows = "".join(
        f"<tr><td>{m}</td>" + "".join(f"<td>{_fmt(runs[n]['summary'].get(m))}</td>" for n in names) + "</tr>"
        for m in METRICS
    )
    parts = [
        f"<h2>Suite: {html.escape(suite)} ({runs[names[0]]['summary']['cases']} questions)</h2>",
        f"<table><tr><th>metric</th>{''.join(f'<th>{html.escape(n)}</th>' for n in names)}</tr>{rows}</table>",
        "<h3>By kind</h3>", _legend(names),
        "<div class='charts'>" + "".join(_kind_chart(runs, names, m) for m in CHART_METRICS) + "</div>",
    ]
    if before and "ours" in before and "ours" in runs:
        parts += ["<h3>Against the earlier run (ours)</h3>", compare_table_html(before["ours"], runs["ours"]),
                  _legend(["before", "now"]), "<div class='charts'>" + "".join(
                      _kind_chart({"before": before["ours"], "now": runs["ours"]}, ["before", "now"], m)
                      for m in CHART_METRICS) + "</div>"]
    if "ours" in runs:
        parts.append(_failures(runs["ours"]["failures"]))
    return "".join(parts)


def compare_table_html(before: dict, now: dict) -> str:
    rows = []
    for metric in METRICS:
        a, b = before["summary"].get(metric), now["summary"].get(metric)
        delta = None if a is None or b is None else round(b - a, 4)
        lower_is_better = metric.startswith(("false", "latency"))
        better = delta is not None and delta != 0 and ((delta > 0) != lower_is_better)
        css = "" if not delta else ("up" if better else "down")
        rows.append(f"<tr><td>{metric}</td><td>{_fmt(a)}</td><td>{_fmt(b)}</td>"
                    f"<td class='{css}'>{'' if delta is None else f'{delta:+.4g}'}</td></tr>")
    return f"<table><tr><th>metric</th><th>before</th><th>now</th><th>change</th></tr>{''.join(rows)}</table>"


def _kind_chart(runs: dict, names: list[str], metric: str, width: int = 340, bar: int = 9) -> str:
    kinds = sorted({k for n in names for k, s in runs[n]["by_kind"].items() if s.get(metric) is not None})
    if not kinds:
        return ""
    label_width, scale = 90, width - 90 - 40
    group = bar * len(names) + 6
    height = group * len(kinds) + 10
    shapes = []
    for i, kind in enumerate(kinds):
        y0 = 5 + i * group
        shapes.append(f"<text x='0' y='{y0 + group / 2}' font-size='11' dominant-baseline='middle'>{kind}</text>")
        for j, name in enumerate(names):
            value = runs[name]["by_kind"].get(kind, {}).get(metric)
            if value is None:
                continue
            y = y0 + j * bar
            shapes.append(f"<rect x='{label_width}' y='{y}' width='{max(1, value * scale):.1f}' height='{bar - 1}' "
                          f"fill='{COLOURS.get(name, '#6b7280')}'><title>{name} {kind}: {value}</title></rect>")
            shapes.append(f"<text x='{label_width + value * scale + 3:.1f}' y='{y + bar / 2}' font-size='9' "
                          f"dominant-baseline='middle'>{value:.2f}</text>")
    return (f"<div class='chart'><h4>{metric}</h4><svg width='{width}' height='{height}' "
            f"xmlns='http://www.w3.org/2000/svg'>{''.join(shapes)}</svg></div>")


def _legend(names: list[str]) -> str:
    return "<p class='legend'>" + "".join(
        f"<span><i style='background:{COLOURS.get(n, '#6b7280')}'></i>{html.escape(n)}</span>" for n in names) + "</p>"


def _failures(failures: list[dict]) -> str:
    if not failures:
        return "<p>No failed questions.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(f['id'])}</td><td>{html.escape(f['kind'])}</td><td>{html.escape(f['question'])}</td>"
        f"<td>{html.escape(f['why'])}</td><td>{html.escape(f['answer'])}</td></tr>"
        for f in failures
    )
    return (f"<details><summary>{len(failures)} failed questions (ours)</summary><table><tr><th>id</th><th>kind</th>"
            f"<th>question</th><th>why</th><th>answer (start)</th></tr>{rows}</table></details>")


def _fmt(value) -> str:
    return "–" if value is None else f"{value:g}"
