"""ui/render.py: the HTML of answers in the web chat, without a browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ui.app import asked
from ui.render import answer_html, external_link, highlight, line, text
from ui.strings import EN, RU
from ui.timeline import timeline_frame, timeline_html

PASSAGE = "Премьер-министр прибыл в Бишкек. Подписано пять документов. Следующее заседание пройдёт в Астане."


class Tree(HTMLParser):
    """Just enough structure: every element with its attributes, its text and the element it sits in."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "parent": self.stack[-1] if self.stack else None}
        self.elements.append(element)
        self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def find(self, tag: str, cls: str | None = None) -> list[dict]:
        return [e for e in self.elements
                if e["tag"] == tag and (cls is None or cls in e["attrs"].get("class", "").split())]


def inside(element: dict, ancestor: dict) -> bool:
    while element is not None:
        if element is ancestor:
            return True
        element = element["parent"]
    return False


def citation(n: int, doc_id: str = "kz-premier-bishkek", quote: str = "Подписано пять документов.", **extra) -> dict:
    return {"n": n, "doc_id": doc_id, "title": extra.pop("title", "Премьер-министр Казахстана в Бишкеке"),
            "date": extra.pop("date", "2025-10-17"), "source": extra.pop("source", "Пресс-релиз"),
            "url": extra.pop("url", ""), "quote": quote, "chunk_id": extra.pop("chunk_id", f"{doc_id}#0"), **extra}


def answer(text: str, citations: list[dict], **extra) -> dict:
    return {"id": None, "question": "?", "answer": text, "refused": False, "citations": citations,
            "retrieved": [], "timings_ms": {}, "mode": "extractive", "search_query": "?", "closest": [],
            "notice": "", **extra}


# highlight()

def test_highlight_wraps_the_quote_in_mark_inside_the_passage():
    out = highlight(PASSAGE, "Подписано пять документов.")
    assert out == ("Премьер-министр прибыл в Бишкек. <mark>Подписано пять документов.</mark> "
                   "Следующее заседание пройдёт в Астане.")


def test_highlight_escapes_html_around_and_inside_the_quote():
    passage = 'Вход <b>свободный</b> & "бесплатный". <script>alert(1)</script> Конец.'
    out = highlight(passage, "<script>alert(1)</script>")
    assert "<script>" not in out and "<b>" not in out
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in out
    assert out.startswith("Вход &lt;b&gt;свободный&lt;/b&gt; &amp; ")
    assert out.count("<mark>") == 1


def test_highlight_of_a_quote_missing_from_the_passage_shows_the_quote_marked():
    assert highlight("Другой текст.", "Цитата <i>x</i>") == "<mark>Цитата &lt;i&gt;x&lt;/i&gt;</mark>"


def test_highlight_without_a_quote_is_the_escaped_passage():
    assert highlight("a < b", "") == "a &lt; b"


# answer_html()

def test_every_marker_links_to_an_existing_source_id():
    cited = [citation(1, quote="Премьер-министр прибыл в Бишкек."), citation(2),
             citation(3, doc_id="other", quote="Другое.", title="Другой релиз", chunk_id="other#0")]
    text = "Премьер-министр прибыл в Бишкек. [1] Подписано пять документов. [2] Другое. [3] И снова [1]."
    tree = Tree(answer_html(answer(text, cited), {"kz-premier-bishkek#0": PASSAGE}, RU))
    links = tree.find("a", "cite")
    ids = {d["attrs"]["id"] for d in tree.find("details", "source")}
    assert [link["text"] for link in links] == ["[1]", "[2]", "[3]", "[1]"]
    assert len(ids) == 3
    for link in links:
        href = link["attrs"]["href"]
        assert href.startswith("#") and href[1:] in ids
        n = link["text"].strip("[]")
        source = next(d for d in tree.find("details", "source") if d["attrs"]["id"] == href[1:])
        assert source["text"].lstrip().startswith(f"[{n}]")
    # the passage is shown with the quote marked
    marks = [m["text"] for m in tree.find("mark")]
    assert "Подписано пять документов." in marks and "Премьер-министр прибыл в Бишкек." in marks


def test_two_answers_in_one_chat_do_not_share_source_ids():
    one = Tree(answer_html(answer("A. [1]", [citation(1)]), {}, RU))
    two = Tree(answer_html(answer("A. [1]", [citation(1)]), {}, RU))
    assert one.find("details")[0]["attrs"]["id"] != two.find("details")[0]["attrs"]["id"]


def test_a_marker_without_a_citation_stays_plain_text():
    out = answer_html(answer("Фраза. [1] Лишний [7].", [citation(1)]), {}, RU)
    assert "[7]" in out and out.count('class="cite"') == 1


def test_document_text_is_escaped_everywhere():
    evil = "<script>alert('x')</script>"
    cited = [citation(1, quote=f"Цитата {evil}", title=f"Релиз {evil}", source=f"Источник {evil}",
                      chunk_id="c#0")]
    passages = {"c#0": f"До. Цитата {evil} После."}
    out = answer_html(answer(f"Цитата {evil} [1]", cited, notice=f"Заметка {evil}"), passages, RU)
    assert "<script" not in out.lower()
    assert "&lt;script&gt;" in out
    tree = Tree(out)
    assert not tree.find("script")
    assert tree.find("a", "cite")[0]["attrs"]["title"].startswith("Релиз <script>")  # escaped attribute, same text


def test_only_http_urls_become_links():
    safe = citation(1, url="https://www.gov.kz/x?a=1&b=\"2\"", chunk_id="a#0", doc_id="a")
    unsafe = citation(2, url="javascript:alert(1)", chunk_id="b#0", doc_id="b", title="Другой")
    tree = Tree(answer_html(answer("A. [1] B. [2]", [safe, unsafe]), {}, RU))
    links = [a for a in tree.find("a") if "cite" not in a["attrs"].get("class", "")]
    assert [a["attrs"]["href"] for a in links] == ['https://www.gov.kz/x?a=1&b="2"']
    assert links[0]["attrs"]["rel"] == "noopener noreferrer" and links[0]["attrs"]["target"] == "_blank"


def test_citations_of_one_release_are_grouped_under_one_title():
    cited = [citation(1, quote="Премьер-министр прибыл в Бишкек."), citation(2),
             citation(3, doc_id="cbr", title="Банк России повысил ставку", quote="Ставка 8,5%.", chunk_id="cbr#0"),
             citation(4, quote="Следующее заседание пройдёт в Астане.", chunk_id="kz-premier-bishkek#1")]
    tree = Tree(answer_html(answer("A [1] B [2] C [3] D [4]", cited), {}, RU))
    releases = tree.find("div", "release")
    titles = [" ".join(t["text"].split()) for t in tree.find("div", "release-title")]
    assert len(releases) == 2
    assert titles[0].startswith("Премьер-министр Казахстана в Бишкеке") and titles[1].startswith("Банк России")
    sources = tree.find("details", "source")
    assert [d["attrs"]["id"].rsplit("-", 1)[1] for d in sources if inside(d, releases[0])] == ["1", "2", "4"]
    assert [d["attrs"]["id"].rsplit("-", 1)[1] for d in sources if inside(d, releases[1])] == ["3"]
    assert tree.find("div", "sources")[0]["text"].startswith(RU.sources)


def test_a_refused_answer_shows_the_closest_documents_and_no_citations():
    closest = [{"doc_id": "a", "title": "Релиз <один>", "date": "2025-01-02", "url": "https://example.org/a"},
               {"doc_id": "b", "title": "Релиз два", "date": "", "url": ""}]
    refused = answer("В проиндексированных пресс-релизах нет достаточных сведений.\nБлижайшие документы:\n— Релиз",
                     [], refused=True, closest=closest)
    out = answer_html(refused, {}, RU)
    tree = Tree(out)
    box = tree.find("div", "refusal")
    assert len(box) == 1
    assert "нет достаточных сведений" in box[0]["text"] and RU.closest in box[0]["text"]
    assert "Ближайшие документы:\n" not in out, "the plain-text list of the core is replaced by the HTML one"
    items = [" ".join(li["text"].split()) for li in tree.find("li")]
    assert items == ["Релиз <один> 2025-01-02", "Релиз два"]
    assert [a["attrs"]["href"] for a in tree.find("a")] == ["https://example.org/a"]
    assert not tree.find("a", "cite") and not tree.find("details")


def test_a_refusal_without_closest_documents_has_no_empty_list():
    out = answer_html(answer("Not enough.", [], refused=True), {}, EN)
    assert "<ul>" not in out and EN.closest not in out and "Not enough." in out


def test_release_meta_and_notice():
    cited = [citation(1, url="https://gov.kz/r")]
    out = answer_html(answer("A [1]", cited, notice="Ответ собран из цитат."), {}, RU)
    tree = Tree(out)
    assert tree.find("p", "notice")[0]["text"] == "Ответ собран из цитат."
    meta = tree.find("span", "meta")[0]["text"]
    assert meta == "2025-10-17 · Пресс-релиз"
    assert re.search(r'href="https://gov\.kz/r" target="_blank" rel="noopener noreferrer"', out)


# Release text is untrusted: markdown and HTML in it show as their characters

HOSTILE_TITLE = ("Релиз ![](http://127.0.0.1:9/t.png) <img src=http://127.0.0.1:9/i.png>\n\n"
                 "[ссылка](http://127.0.0.1:9/l) <http://127.0.0.1:9/a> http://127.0.0.1:9/b <script>alert(1)</script>")
HOSTILE_QUOTE = "Длина 1 250 метров ![](http://127.0.0.1:9/q.png) <iframe src=\"http://127.0.0.1:9/f\"></iframe>."


def test_text_escapes_markup_and_both_quotes():
    assert text("""<a href='x' title="y">&amp;</a>""") == "&lt;a href=&#x27;x&#x27; title=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;"


def test_line_turns_line_breaks_and_blank_lines_into_single_spaces():
    assert line("Заголовок\n\n  второй\tабзац\r\n<b>") == "Заголовок второй абзац &lt;b&gt;"


def test_external_link_is_made_only_for_http_and_https_addresses():
    assert external_link("https://gov.kz/a?b=1&c=\"2\"", "x") == (
        '<a href="https://gov.kz/a?b=1&amp;c=&quot;2&quot;" target="_blank" rel="noopener noreferrer">x</a>')
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                "vbscript:x", "//127.0.0.1:9/x", "http://", "http://a b/", "http://x/\njavascript:alert(1)",
                "ftp://x/", "", " https://gov.kz/"):
        assert external_link(url, "x") == "", url


def test_a_hostile_release_renders_as_its_literal_text():
    cited = [citation(1, title=HOSTILE_TITLE, source="![](http://127.0.0.1:9/s.png)", quote=HOSTILE_QUOTE,
                      url="javascript:alert(1)", chunk_id="h#0")]
    passage = f"До. {HOSTILE_QUOTE} <svg onload=alert(2)></svg> [клик](javascript:alert(3))"
    out = answer_html(answer(f"{HOSTILE_QUOTE} [1]", cited), {"h#0": passage}, RU)
    tree = Tree(out)
    assert {e["tag"] for e in tree.elements} <= {"p", "div", "a", "sup", "b", "span", "details", "summary",
                                                 "blockquote", "mark"}
    assert [a["attrs"]["href"] for a in tree.find("a")] == [f"#{tree.find('details')[0]['attrs']['id']}"]
    one_line = " ".join(HOSTILE_TITLE.split())
    assert tree.find("div", "release-title")[0]["text"].startswith(one_line)
    assert "![](http://127.0.0.1:9/s.png)" in tree.find("span", "meta")[0]["text"]
    tip = tree.find("a", "cite")[0]["attrs"]["title"]
    assert tip.startswith(one_line) and HOSTILE_QUOTE in tip and "\n" not in tip
    assert tree.find("div", "answer")[0]["text"].startswith(HOSTILE_QUOTE)
    assert "[клик](javascript:alert(3))" in tree.find("blockquote")[0]["text"]


def test_a_hostile_closest_document_of_a_refusal_is_literal_and_unlinked():
    closest = [{"doc_id": "h", "title": HOSTILE_TITLE, "date": "", "url": "javascript:alert(1)"}]
    tree = Tree(answer_html(answer("Нет сведений.", [], refused=True, closest=closest), {}, RU))
    assert not tree.find("a") and not tree.find("img") and not tree.find("script")
    assert tree.find("li")[0]["text"].strip() == " ".join(HOSTILE_TITLE.split())


def test_the_chat_gives_the_core_earlier_questions_as_typed():
    typed = ["Что такое <b>ставка</b> & «ключевая»?", "А ![](http://127.0.0.1:9/x.png)?"]
    history = [{"role": "user", "content": text(typed[0])}, {"role": "assistant", "content": "<div>…</div>"},
               {"role": "user", "content": [{"type": "text", "text": text(typed[1])}]}]
    assert asked(history) == typed


def timeline_row(date: str, value: str, quote: str, label: str = "О ключевой ставке Банка России") -> dict:
    return {"date": date, "value": value, "label": label, "doc_id": f"r-{date}", "chunk_id": f"r-{date}#0", "quote": quote}


def test_the_timeline_table_lists_every_row_and_each_row_opens_its_passage():
    evil = "<img src=x onerror=alert(1)>"
    rows = [timeline_row("2031-02-14", "9,00%", "Ставка сохранена на уровне 9,00%."),
            timeline_row("2031-09-19", "", "", label=f"Перенос заседания {evil}"),
            timeline_row("2031-10-31", "9,50%", f"Ставка снижена до 9,50% {evil}.")]
    passages = {"r-2031-02-14#0": "До. Ставка сохранена на уровне 9,00%. После.", "r-2031-09-19#0": f"Перенос {evil}."}
    out = timeline_html(rows, passages, RU)
    assert "<img" not in out and "&lt;img" in out
    tree = Tree(out)
    assert [r["text"].split("[")[0] for r in tree.find("tr")][1:] == [
        "2031-02-149,00%О ключевой ставке Банка России", f"2031-09-19–Перенос заседания {evil}",
        "2031-10-319,50%О ключевой ставке Банка России"]
    ids = [d["attrs"]["id"] for d in tree.find("details", "source")]
    assert [link["attrs"]["href"][1:] for link in tree.find("a", "cite")] == ids and len(ids) == 3
    assert [m["text"] for m in tree.find("mark")] == ["Ставка сохранена на уровне 9,00%.", f"Ставка снижена до 9,50% {evil}."]
    assert timeline_html(rows, passages, RU) != out  # ids of another answer's table differ


def test_the_chart_has_a_point_for_each_row_that_gives_a_number():
    rows = [timeline_row("2031-02-14", "9,00%", "…"), timeline_row("2031-09-19", "", ""),
            timeline_row("2031-10-31", "9,50%", "…", label="Снижение\nставки")]
    frame = timeline_frame(rows, EN)
    assert list(frame.columns) == list(EN.timeline_columns[:3])
    assert frame["Value"].tolist() == [9.0, 9.5] and frame["Release"].tolist()[1] == "Снижение ставки"
    assert [d.isoformat()[:10] for d in frame["Date"]] == ["2031-02-14", "2031-10-31"]
