"""Messages about bad input in English (CLI, API, logs) and Russian (the web chat's default language).

Raising `InputError("key", **params)` keeps the message's meaning apart from its wording, so each interface
shows it in its own language; `str()` of the error is the English text.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "no_such_path": {"en": "no such file or folder", "ru": "нет такого файла или папки"},
    "unknown_extension": {"en": "unknown extension {suffix}; supported: {supported}",
                          "ru": "неизвестное расширение {suffix}; поддерживаются: {supported}"},
    "empty_file": {"en": "file is empty", "ru": "файл пуст"},
    "file_too_big": {"en": "file is {size}, over the limit of {limit} (RAG_MAX_FILE_MB)",
                     "ru": "файл занимает {size}, больше предела {limit} (RAG_MAX_FILE_MB)"},
    "line_too_big": {"en": "line is {size}, over the limit of {limit} (RAG_MAX_FILE_MB)",
                     "ru": "строка занимает {size}, больше предела {limit} (RAG_MAX_FILE_MB)"},
    "binary": {"en": "binary file (NUL or other control bytes), not text",
               "ru": "двоичный файл (NUL-байты или другие управляющие символы), а не текст"},
    "binary_line": {"en": "line holds binary data (NUL or other control bytes), not text",
                    "ru": "в строке двоичные данные (NUL-байты или другие управляющие символы), а не текст"},
    "no_text": {"en": "file has no text", "ru": "в файле нет текста"},
    "encoding": {"en": "neither UTF-8 nor Windows-1251 text", "ru": "текст ни в UTF-8, ни в Windows-1251"},
    "broken_json": {"en": "broken JSON ({error} at column {column})", "ru": "испорченный JSON ({error}, столбец {column})"},
    "not_an_object": {"en": "a line must be a JSON object", "ru": "строка должна быть JSON-объектом"},
    "missing_text": {"en": "missing or empty field 'text'", "ru": "нет поля 'text' или оно пустое"},
    "missing_id": {"en": "missing field 'id'", "ru": "нет поля 'id'"},
    "bad_id": {"en": "field 'id' {id!r} has characters other than letters, digits and . : @ / - _",
               "ru": "в поле 'id' {id!r} есть символы кроме букв, цифр и . : @ / - _"},
    "bad_date": {"en": "date {value!r} is not YYYY-MM-DD", "ru": "дата {value!r} не в формате ГГГГ-ММ-ДД"},
    "bad_date_field": {"en": "field 'date': date {value!r} is not YYYY-MM-DD",
                       "ru": "поле 'date': дата {value!r} не в формате ГГГГ-ММ-ДД"},
    "bad_date_filter": {"en": "date filter {value!r} is not YYYY-MM-DD",
                        "ru": "фильтр даты {value!r} не в формате ГГГГ-ММ-ДД"},
    "field_too_long": {"en": "field '{field}' is {length} characters long; the limit is {limit}",
                       "ru": "поле '{field}' длиной {length} символов; предел — {limit}"},
    "yaml_alias": {"en": "front matter uses YAML anchors or aliases (&name, *name); write every value out",
                   "ru": "во front matter есть якоря или ссылки YAML (&имя, *имя); запишите каждое значение полностью"},
    "broken_front_matter": {"en": "broken front matter: {error}", "ru": "испорченный заголовок front matter: {error}"},
    "no_body": {"en": "no text after the front matter", "ru": "после front matter нет текста"},
    "no_main_text": {"en": "no main text found in the HTML page (navigation or boilerplate only)",
                     "ru": "на HTML-странице не найден основной текст (только навигация и служебные блоки)"},
    "empty_question": {"en": "question is empty", "ru": "вопрос пуст"},
    "question_too_long": {"en": "question is {length} characters long; the limit is {limit}",
                          "ru": "вопрос длиной {length} символов; предел — {limit}"},
    "unknown_mode": {"en": "unknown answer mode {mode!r}; available: {available}",
                     "ru": "неизвестный режим ответа {mode!r}; доступны: {available}"},
    "llm_not_configured": {"en": "unknown answer mode 'llm'; available: {available} (configure an LLM with "
                                 "RAG_LLM_BASE_URL and RAG_LLM_MODEL)",
                           "ru": "режим 'llm' недоступен; доступны: {available} (задайте RAG_LLM_BASE_URL и "
                                 "RAG_LLM_MODEL)"},
    "unreadable": {"en": "cannot be read: {error}", "ru": "не читается: {error}"},
    "url_scheme": {"en": "only http and https addresses are fetched, not {scheme}",
                   "ru": "загружаются только адреса http и https, а не {scheme}"},
    "bad_url": {"en": "not a web address (no host)", "ru": "это не веб-адрес (нет имени сервера)"},
    "url_private": {"en": "refused: {host} resolves to {address}, a loopback, private or reserved address "
                          "(set RAG_FETCH_ALLOW_PRIVATE=1 to allow such addresses)",
                    "ru": "отказано: {host} указывает на {address} — локальный, частный или зарезервированный адрес "
                          "(RAG_FETCH_ALLOW_PRIVATE=1 разрешает такие адреса)"},
    "http_status": {"en": "the server answered HTTP {status} {reason}", "ru": "сервер ответил HTTP {status} {reason}"},
    "too_many_redirects": {"en": "more than {limit} redirects", "ru": "больше {limit} перенаправлений"},
    "content_type": {"en": "content type {content_type} is not a web page or feed (HTML, XML, RSS, Atom or text)",
                     "ru": "тип содержимого {content_type} — не веб-страница и не лента (HTML, XML, RSS, Atom, текст)"},
    "fetch_timeout": {"en": "no complete answer within {seconds} s (RAG_FETCH_TIMEOUT_S)",
                      "ru": "нет полного ответа за {seconds} с (RAG_FETCH_TIMEOUT_S)"},
    "fetch_failed": {"en": "cannot be fetched: {error}", "ru": "не загружается: {error}"},
    "page_too_big": {"en": "page is {size}, over the limit of {limit} (RAG_MAX_FILE_MB)",
                     "ru": "страница занимает {size}, больше предела {limit} (RAG_MAX_FILE_MB)"},
    "empty_page": {"en": "the page is empty", "ru": "страница пуста"},
    "binary_page": {"en": "binary content (NUL or other control bytes), not a web page",
                    "ru": "двоичные данные (NUL-байты или другие управляющие символы), а не веб-страница"},
    "not_a_feed": {"en": "not an RSS or Atom feed ({error})", "ru": "это не лента RSS или Atom ({error})"},
    "feed_item_no_link": {"en": "item {number} ({title!r}) has no link",
                          "ru": "у элемента {number} ({title!r}) нет ссылки"},
    "no_such_feed": {"en": "{url} is not a followed feed", "ru": "лента {url} не отслеживается"},
    "no_such_document": {"en": "no release {id!r} in the index", "ru": "релиза {id!r} нет в индексе"},
    "no_such_version": {"en": "release {id!r} has no version {version} (it has 1 to {last})",
                        "ru": "у релиза {id!r} нет версии {version} (есть с 1 по {last})"},
    "already_current": {"en": "version {version} of {id!r} is the current one",
                        "ru": "версия {version} релиза {id!r} и так текущая"},
    "id_twice": {"en": "id {id!r} appears twice with different content; kept the first",
                 "ru": "id {id!r} встречается дважды с разным содержанием; оставлен первый"},
}


class InputError(ValueError):
    def __init__(self, key: str, **params: object):
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def __reduce__(self):
        return _rebuild, (self.key, self.params)

    def text(self, language: str = "en") -> str:
        templates = MESSAGES[self.key]
        return templates.get(language, templates["en"]).format(**self.params)


def _rebuild(key: str, params: dict) -> InputError:
    return InputError(key, **params)


def localised(error: Exception, language: str) -> str:
    """An error's message in `language` when it has one, else as it stands."""
    return error.text(language) if isinstance(error, InputError) else str(error)
