"""The Gradio web chat. It only calls the core (`rag.Assistant`); rendering lives in `ui.render`."""

from __future__ import annotations

import gc
import html
import importlib.util
import os
import sys
from pathlib import Path

import gradio as gr

from rag.api.security import api_key, is_loopback
from rag.answer_process import AnswerProcess
from rag.assistant import Answers, Assistant
from rag.documents import normalise_date
from rag.messages import localised
from rag.settings import Settings
from ui import render
from ui.corpus import _listing, _shorten, corpus_controls
from ui.render import answer_html
from ui.strings import LANGUAGES, Strings
from ui.throttle import LoginThrottle
from ui.timeline import timeline_frame, timeline_html

ASSETS = Path(__file__).parent / "assets"
# Gradio recomputes the summary its monitoring dashboard shows (a pandas DataFrame of up to 10,000 past events)
# after every event; the dashboard is never enabled here, so that summary is never recomputed.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))
# Gradio imports matplotlib around every event to set its backend. Where it is not installed, each try searches
# every sys.path entry on the server's event loop: marked missing once, the import fails at once.
if importlib.util.find_spec("matplotlib") is None:
    sys.modules["matplotlib"] = None


def build_app(assistant: Assistant, strings: Strings, answers: Answers | None = None) -> gr.Blocks:
    """`answers`: what answers the /ask API (the assistant, or rag/answer_process.py); the page asks the assistant."""
    with gr.Blocks(title=strings.title) as app:
        gr.Markdown(f"## {strings.title}\n{strings.intro}")
        with gr.Tabs():
            with gr.Tab(strings.chat_tab, id="chat"):
                chatbot, sources, stats = chat_controls(assistant, strings, answers or assistant)
            with gr.Tab(strings.corpus_tab, id="corpus"):
                table, doomed, search, listed = corpus_controls(assistant, strings)

        def refresh(query: str):
            """What depends on the corpus is read again on every page load: it changes while the app runs."""
            documents = assistant.documents()
            return (gr.update(examples=example_questions(documents, strings)),
                    gr.update(choices=sorted({d["source"] for d in documents if d["source"]})),
                    _stats(assistant, strings), *_listing(documents, query, strings))

        app.load(refresh, search, [chatbot, sources, stats, table, doomed, listed], api_visibility="private")
    return app


def chat_controls(assistant: Assistant, strings: Strings, answers: Answers):
    with gr.Row():
        with gr.Column(scale=3):
            # Messages are HTML made by ui.render with release text escaped: rendered as markdown (or LaTeX),
            # a release's ![](http://…) or blank line would become live markup again.
            chatbot = gr.Chatbot(
                height=560, elem_id="chat", label=strings.chat_tab, show_label=False,
                placeholder=f"**{strings.empty_chat}**", examples=example_questions(assistant.documents(), strings),
                feedback_options=None, buttons=["copy"], render_markdown=False, latex_delimiters=[],
            )
            with gr.Row():
                question = gr.Textbox(placeholder=strings.placeholder, show_label=False, scale=5, autofocus=True,
                                      elem_id="question")
                ask = gr.Button(strings.ask, variant="primary", scale=1, elem_id="ask")
            new_chat = gr.Button(strings.new_chat, size="sm", elem_id="new-chat")
            # "How did X change": the last answer's timeline as a chart, its table and passages beneath.
            with gr.Column(visible=False, elem_id="timeline") as timeline:
                date, value, release, _ = strings.timeline_columns
                chart = gr.LinePlot(x=date, y=value, tooltip=[date, value, release], label=strings.timeline,
                                    height=280, elem_id="timeline-chart", buttons=[])
                table = gr.HTML(elem_id="timeline-table")
        with gr.Column(scale=1, min_width=240):
            with gr.Accordion(strings.filters, open=True):
                date_from = gr.Textbox(label=strings.date_from, placeholder=strings.date_hint, elem_id="date-from")
                date_to = gr.Textbox(label=strings.date_to, placeholder=strings.date_hint, elem_id="date-to")
                sources = gr.Dropdown(assistant.sources(), multiselect=True, label=strings.sources_filter,
                                      elem_id="sources")
                mode = gr.Radio([(strings.modes.get(m, m), m) for m in assistant.answerers],
                                value=assistant.settings.default_mode, label=strings.mode, elem_id="mode")
            stats = gr.Markdown(_stats(assistant, strings), elem_id="stats")

    hidden = (gr.update(visible=False), gr.skip(), gr.skip())

    def respond(message: str, history: list, start: str, end: str, chosen: list, answer_mode: str):
        message = (message or "").strip()
        if not message:
            yield history, "", *hidden
            return
        earlier = asked(history)
        history = [*history, {"role": "user", "content": render.text(message)}, {"role": "assistant", "content": ""}]
        bad = [value for value in (start, end) if value and not _is_date(value)]
        if bad:
            history[-1] = {"role": "assistant", "content": f"⚠️ {render.text(strings.bad_date.format(value=bad[0]))}"}
            yield history, message, *hidden
            return
        yield history, "", *hidden
        text = ""
        try:
            for event in assistant.ask_stream(message, earlier, mode=answer_mode, date_from=start or None,
                                              date_to=end or None, sources=chosen or ()):
                if isinstance(event, str):
                    text += event
                    history[-1] = {"role": "assistant", "content": render.text(text)}
                    yield history, "", *hidden
                else:
                    answer = event.to_dict()
                    passages = assistant.passages([c["chunk_id"] for c in answer["citations"]]
                                                  + [row["chunk_id"] for row in answer["timeline"]])
                    history[-1] = {"role": "assistant", "content": answer_html(answer, passages, strings)}
                    yield history, "", *shown(answer["timeline"], passages)
        except ValueError as exc:
            history[-1] = {"role": "assistant", "content": f"⚠️ {render.text(localised(exc, strings.language))}"}
            yield history, "", *hidden

    def shown(rows: list[dict], passages: dict[str, str]) -> tuple:
        if not rows:
            return hidden
        return gr.update(visible=True), timeline_frame(rows, strings), timeline_html(rows, passages, strings)

    def pick(evt: gr.SelectData) -> str:
        return evt.value["text"]

    inputs = [question, chatbot, date_from, date_to, sources, mode]
    outputs = [chatbot, question, timeline, chart, table]
    ask.click(respond, inputs, outputs, api_visibility="private")
    question.submit(respond, inputs, outputs, api_visibility="private")
    chatbot.example_select(pick, None, question, api_visibility="private").then(
        respond, inputs, outputs, api_visibility="private")
    new_chat.click(lambda: ([], "", *hidden), None, outputs, api_visibility="private")
    gr.on([ask.click, question.submit], lambda: _stats(assistant, strings), None, stats, api_visibility="private")

    def ask_api(question: str, history: list[str] | None = None, mode: str | None = None,
                date_from: str | None = None, date_to: str | None = None) -> dict:
        """Answer a question with citations; `history` lists earlier questions, oldest first."""
        try:
            return answers.ask(question, history or [], mode=mode or None, date_from=date_from or None,
                                 date_to=date_to or None).to_dict()
        except ValueError as exc:
            raise gr.Error(localised(exc, strings.language)) from None

    gr.api(ask_api, api_name="ask")
    return chatbot, sources, stats


def example_questions(documents: list[dict], strings: Strings, limit: int = 3) -> list[dict]:
    return [{"text": strings.example.format(title=_shorten(d["title"], 90))} for d in documents[:limit]]


def asked(history: list) -> list[str]:
    """The user's earlier questions as typed: the chat holds them HTML-escaped."""
    return [html.unescape(_plain(m.get("content"))) for m in history if m.get("role") == "user"]


def _plain(content: object) -> str:
    """Message content as Gradio sends it back: a string or a list of blocks [{"type": "text", "text": ...}]."""
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return content if isinstance(content, str) else ""


def _stats(assistant: Assistant, strings: Strings) -> str:
    stats = assistant.stats()
    return strings.indexed(stats["documents"], stats["chunks"])


def _is_date(value: str) -> bool:
    try:
        normalise_date(value)
        return True
    except ValueError:
        return False


def login(settings: Settings, host: str) -> tuple[str, str] | None:
    """The login the server requires; refuses an address beyond loopback without one, and a blank login."""
    username, password = settings.ui_username, settings.ui_password
    if username is None and password is None:
        if not is_loopback(host):
            raise RuntimeError(
                f"refusing to serve on {host} without a login: set RAG_UI_USERNAME and RAG_UI_PASSWORD "
                "(or keep the default 127.0.0.1)"
            )
        return None
    for name, value in (("RAG_UI_USERNAME", username), ("RAG_UI_PASSWORD", password)):
        if not (value or "").strip():
            raise RuntimeError(f"refusing to start: {name} is blank; a login needs both RAG_UI_USERNAME and "
                               "RAG_UI_PASSWORD, neither blank")
    return username, password


def serve(assistant: Assistant, settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """The page, the APIs and MCP on one port; refuses an exposed address without its login and API key."""
    import uvicorn

    from rag.api.server import api_app

    host = host or settings.ui_host
    auth, key = login(settings, host), api_key(settings, host)
    answers = AnswerProcess(assistant, settings.ui_concurrency_limit) if settings.answer_process else assistant
    try:
        # What is built before serving lives as long as the server: built without the garbage collector, then
        # frozen out of its full passes, which would otherwise stop every thread for tenths of a second while it
        # answers.
        gc.disable()
        app = api_app(assistant, key, host, answers)
        mount(app, assistant, settings, auth, answers)
        gc.freeze()
        gc.enable()
        uvicorn.run(app, host=host, port=port or settings.ui_port, log_level="warning")
    finally:
        if isinstance(answers, AnswerProcess):
            answers.close()


def mount(app, assistant: Assistant, settings: Settings, auth: tuple[str, str] | None,
          answers: Answers | None = None) -> None:
    """The web chat at / of a FastAPI app whose own routes (/v1, /api, /mcp, /docs) come first."""
    strings = LANGUAGES[settings.ui_language]
    blocks = build_app(assistant, strings, answers)
    blocks.queue(default_concurrency_limit=settings.ui_concurrency_limit)
    # What `launch(state_session_capacity=…)` sets; mount_gradio_app takes no such argument.
    blocks.state_session_capacity = settings.ui_sessions
    if auth:
        app.add_middleware(LoginThrottle, message=strings.login_throttled)
    gr.mount_gradio_app(
        app, blocks, path="/", auth=auth, max_file_size=f"{int(settings.max_file_mb)}mb",
        css_paths=[ASSETS / "chat.css"], head=_head(), footer_links=["api"],
    )


def _head() -> str:
    return f"<script>{(ASSETS / 'citations.js').read_text(encoding='utf-8')}</script>"
