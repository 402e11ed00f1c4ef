"""The web chat's words, in Russian (default) and English (RAG_UI_LANGUAGE=en)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Strings:
    language: str
    title: str
    intro: str
    chat_tab: str
    corpus_tab: str
    placeholder: str
    ask: str
    new_chat: str
    empty_chat: str
    filters: str
    date_from: str
    date_to: str
    date_hint: str
    sources_filter: str
    mode: str
    sources: str
    open_source: str
    closest: str
    example: str
    upload: str
    upload_button: str
    upload_columns: tuple[str, str, str]
    search: str
    documents_columns: tuple[str, str, str, str, str]
    delete_choice: str
    delete_button: str
    deleted: str
    indexed: Callable[[int, int], str]
    bad_date: str
    nothing_uploaded: str
    status_ok: str
    status_failed: str
    upload_heading: str
    documents_heading: str
    modes: dict
    not_found: str
    replaced: str
    duplicate_of: str
    near_duplicate_of: str
    address: str
    address_button: str
    nothing_addressed: str
    feed_followed: str
    page_read: str
    not_modified: str
    item_added: str
    item_updated: str
    item_unchanged: str
    item_duplicate: str
    listed: Callable[[int, int], str]
    login_throttled: str
    timeline: str
    timeline_columns: tuple[str, str, str, str]


def _thousands(n: int, separator: str) -> str:
    """79 491 in Russian (a no-break space), 79,491 in English."""
    return f"{n:,}".replace(",", separator)


def russian_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


RU = Strings(
    language="ru",
    title="Пресс-релизы: ответы со ссылками на источники",
    intro="Задайте вопрос по-русски (или по-казахски, по-английски). Ответ составляется из фраз проиндексированных "
          "пресс-релизов; после каждой фразы стоит ссылка [n] — нажмите на неё, чтобы увидеть цитату в тексте релиза.",
    chat_tab="Чат",
    corpus_tab="Корпус",
    placeholder="Ваш вопрос, например: «Куда прибыл премьер-министр Казахстана?»",
    ask="Спросить",
    new_chat="Новый разговор",
    empty_chat="Здесь появятся ответы. Можно начать с примера:",
    filters="Фильтры",
    date_from="С даты",
    date_to="По дату",
    date_hint="ГГГГ-ММ-ДД",
    sources_filter="Источники",
    mode="Режим ответа",
    sources="Источники",
    open_source="открыть источник ↗",
    closest="Ближайшие документы:",
    example="О чём сообщается в релизе «{title}»?",
    upload="Файлы (.txt, .md, .html, .jsonl), можно несколько; или адрес страницы или ленты ниже",
    upload_button="Добавить в индекс",
    upload_columns=("Файл", "Результат", "Подробности"),
    search="Поиск по названию или id",
    documents_columns=("id", "Название", "Дата", "Источник", "Символов"),
    delete_choice="Релиз для удаления",
    delete_button="Удалить из индекса",
    deleted="Удалено: {doc_id}",
    indexed=lambda documents, chunks: (f"В индексе: {documents} {russian_plural(documents, 'релиз', 'релиза', 'релизов')}, "
                                       f"{chunks} {russian_plural(chunks, 'фрагмент', 'фрагмента', 'фрагментов')}"),
    bad_date="Дата должна быть в формате ГГГГ-ММ-ДД: {value!r}",
    nothing_uploaded="Выберите файлы для загрузки.",
    status_ok="добавлено {added}, обновлено {updated}, без изменений {unchanged}, дубликатов {duplicate}",
    status_failed="ошибка",
    upload_heading="Добавить релизы",
    documents_heading="Проиндексированные релизы",
    modes={"extractive": "Цитаты из релизов (без LLM)", "llm": "LLM"},
    not_found="Такого релиза нет в индексе: {doc_id}",
    replaced="заменяет сохранённый релиз {doc_id}; прежняя версия {version} сохранена "
             "(вернуть: rag restore {doc_id} --version {version})",
    duplicate_of="тот же текст уже есть",
    near_duplicate_of="почти тот же текст уже есть: {doc_id} (сходство {similarity:.2f}); не добавлен",
    address="Адрес страницы или ленты RSS/Atom",
    address_button="Добавить по адресу",
    nothing_addressed="Введите адрес страницы или ленты (http:// или https://).",
    feed_followed="лента отслеживается",
    page_read="страница",
    not_modified="без изменений с прошлого раза",
    item_added="добавлен",
    item_updated="обновлён",
    item_unchanged="без изменений",
    item_duplicate="дубликат",
    listed=lambda shown, total: (f"Показаны {shown} из {_thousands(total, chr(0xA0))} "
                                 f"{russian_plural(total, 'релиза', 'релизов', 'релизов')}, новые первыми: "
                                 "уточните поиск, чтобы увидеть остальные."),
    login_throttled="Слишком много неудачных попыток входа; повторите через {seconds} с.",
    timeline="Как менялось значение по релизам",
    timeline_columns=("Дата", "Значение", "Релиз", "Цитата"),
)

EN = Strings(
    language="en",
    title="Press releases: answers with sources",
    intro="Ask a question (Russian, Kazakh or English). The answer is built from sentences of the indexed press "
          "releases, each followed by a citation [n]: click it to see the quote in the release.",
    chat_tab="Chat",
    corpus_tab="Corpus",
    placeholder="Your question, e.g. “Куда прибыл премьер-министр Казахстана?”",
    ask="Ask",
    new_chat="New conversation",
    empty_chat="Answers will appear here. Try an example:",
    filters="Filters",
    date_from="From date",
    date_to="To date",
    date_hint="YYYY-MM-DD",
    sources_filter="Sources",
    mode="Answer mode",
    sources="Sources",
    open_source="open source ↗",
    closest="Closest documents:",
    example="What does the release “{title}” say?",
    upload="Files (.txt, .md, .html, .jsonl), several at once; or the address of a page or a feed below",
    upload_button="Add to the index",
    upload_columns=("File", "Result", "Details"),
    search="Search by title or id",
    documents_columns=("id", "Title", "Date", "Source", "Characters"),
    delete_choice="Release to delete",
    delete_button="Delete from the index",
    deleted="Deleted: {doc_id}",
    indexed=lambda documents, chunks: f"Indexed: {documents} releases, {chunks} passages",
    bad_date="A date must be YYYY-MM-DD: {value!r}",
    nothing_uploaded="Choose files to upload.",
    status_ok="added {added}, updated {updated}, unchanged {unchanged}, duplicates {duplicate}",
    status_failed="failed",
    upload_heading="Add releases",
    documents_heading="Indexed releases",
    modes={"extractive": "Quotes from releases (no LLM)", "llm": "LLM"},
    not_found="No such release in the index: {doc_id}",
    replaced="replaces the stored release {doc_id}; its earlier version {version} is kept "
             "(to bring it back: rag restore {doc_id} --version {version})",
    duplicate_of="the same text is already there",
    near_duplicate_of="nearly the same text is already there: {doc_id} (similarity {similarity:.2f}); not added",
    address="Address of a page or an RSS/Atom feed",
    address_button="Add by address",
    nothing_addressed="Enter the address of a page or a feed (http:// or https://).",
    feed_followed="feed followed",
    page_read="page",
    not_modified="unchanged since the last time",
    item_added="added",
    item_updated="updated",
    item_unchanged="unchanged",
    item_duplicate="duplicate",
    listed=lambda shown, total: (f"Showing {shown} of {_thousands(total, ',')} releases, newest first: "
                                 "narrow the search to see the rest."),
    login_throttled="Too many failed logins; try again in {seconds} s.",
    timeline="How the value changed, release by release",
    timeline_columns=("Date", "Value", "Release", "Quote"),
)

LANGUAGES = {"ru": RU, "en": EN}
