"""Shared fixtures: one embedding model for the whole run, the fixture corpus, and indexes in tmp dirs.

Everything is real: the bundled navec embedding, an embedded Chroma store and the SQLite manifest,
all under pytest's tmp dirs. The embedding model is built once per run into a session cache dir
(or into $RAG_CACHE_DIR when it is set, so CI can keep it between runs).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Offline before any Hugging Face library is imported (the CLI sets the same defaults).
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_name, _value)

# Read before the session fixture below clears every RAG_* variable of the developer's shell.
SHARED_CACHE = os.environ.get("RAG_CACHE_DIR")

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"

# Written at test time in Windows-1251 (the legacy encoding of Russian files); note the "Её".
CP1251_NAME = "kazan-samovars.txt"
CP1251_TEXT = (
    "В Казани открылась выставка старинных самоваров\n\n"
    "Национальный музей Республики Татарстан представил более 300 самоваров XVIII–XX веков. "
    "Её подготовили вместе с тульскими краеведами. "
    "Выставка продлится до 30 декабря, вход для школьников бесплатный."
)

# What the fixture corpus (plus the cp1251 file) holds: id -> (title, date, source).
EXPECTED = {
    "cbr-2023-07-21": ("Банк России повысил ключевую ставку до 8,50% годовых", "2023-07-21", "Банк России"),
    "gov-wheat-2024-03-14": ("В Правительстве обсудили экспорт пшеницы", "2024-03-14", "Правительство России"),
    "mchs-floods-2024-04-08": (
        "Паводок в Оренбургской области: подтоплены тысячи жилых домов", "2024-04-08", "МЧС России"),
    "cbr-2023-09-15": ("Банк России повысил ключевую ставку до 13,00% годовых", "2023-09-15", "Банк России"),
    "novosibirsk-school": ("В Новосибирске открылась новая школа на 1100 мест", "", ""),
    "vostochny-launch": ("С космодрома Восточный запущен метеоспутник «Метеор-М» № 2-4", "2024-02-29", "Роскосмос"),
    "kazan-samovars": ("В Казани открылась выставка старинных самоваров", "", ""),
}
CORPUS_FILES = 5  # releases.jsonl, .md, .txt, .html, and the cp1251 .txt


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "crash: kills real `rag ingest` processes (~3 min); runs in `make test`, deselect with -m 'not crash'")


def write_cp1251(path: Path) -> Path:
    path.write_bytes(CP1251_TEXT.encode("cp1251"))
    return path


def copy_corpus(target: Path) -> Path:
    """A private copy of the fixture corpus plus the cp1251 file, so tests may change it."""
    shutil.copytree(CORPUS, target)
    write_cp1251(target / CP1251_NAME)
    return target


@pytest.fixture(scope="session", autouse=True)
def clean_environment(tmp_path_factory):
    """No RAG_* variable or ./rag.toml of the developer's shell leaks into the tests."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("RAG_"):
                patch.delenv(name)
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        yield


@pytest.fixture(scope="session")
def cache_dir(clean_environment, tmp_path_factory) -> Path:
    return Path(SHARED_CACHE) if SHARED_CACHE else tmp_path_factory.mktemp("rag-cache")


@pytest.fixture(scope="session")
def settings(cache_dir):
    from rag.settings import Settings

    return Settings(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def embedder(settings):
    from rag.embeddings import Embedder

    return Embedder(settings)


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    return copy_corpus(tmp_path / "corpus")


@pytest.fixture
def open_assistant(settings, embedder, tmp_path):
    """Opens Assistants on tmp_path/index (or another dir) with the shared embedder; closes them after."""
    from rag.assistant import Assistant

    opened = []

    def open_(index_dir: Path | None = None, settings=settings, embedder=embedder, **kwargs):
        assistant = Assistant(settings=settings, index_dir=index_dir or tmp_path / "index", embedder=embedder, **kwargs)
        opened.append(assistant)
        return assistant

    yield open_
    for assistant in opened:
        assistant.close()


@pytest.fixture(scope="session")
def api_server(tmp_path_factory):
    """One `rag serve` over corpus/ on loopback for the API tests (OpenAI-compatible, REST, MCP over HTTP)."""
    from tests.web_support import module_server

    yield from module_server(tmp_path_factory, "api")
