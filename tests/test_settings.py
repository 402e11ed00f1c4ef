"""Settings: RAG_* environment variables, a TOML file, their priority, and a clear error for a missing file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.settings import BUILTIN_EMBEDDING, Settings


@pytest.fixture
def toml_file(tmp_path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        'index_dir = "/srv/rag/index"\n'
        "chunk_chars = 400\n"
        "top_k = 7\n"
        "min_evidence = 0.55\n"
        'chroma_collection = "from_file"\n',
        encoding="utf-8",
    )
    return path


def test_defaults_without_env_or_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.embedding_model == BUILTIN_EMBEDDING
    assert (settings.chunk_chars, settings.top_k, settings.chroma_host) == (800, 14, None)


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RAG_CHUNK_CHARS", "500")
    monkeypatch.setenv("RAG_MIN_EVIDENCE", "0.25")
    monkeypatch.setenv("RAG_CHROMA_HOST", "chroma.local")
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "some/model")
    settings = Settings()
    assert settings.index_dir == tmp_path / "idx"
    assert settings.cache_dir == tmp_path / "cache"
    assert settings.chunk_chars == 500
    assert settings.min_evidence == 0.25
    assert settings.chroma_host == "chroma.local"
    assert settings.embedding_model == "some/model"


def test_settings_file_named_by_env_is_read(monkeypatch, toml_file):
    monkeypatch.setenv("RAG_SETTINGS_FILE", str(toml_file))
    settings = Settings()
    assert settings.index_dir == Path("/srv/rag/index")
    assert (settings.chunk_chars, settings.top_k, settings.min_evidence) == (400, 7, 0.55)
    assert settings.chroma_collection == "from_file"


def test_environment_beats_the_file(monkeypatch, toml_file):
    monkeypatch.setenv("RAG_SETTINGS_FILE", str(toml_file))
    monkeypatch.setenv("RAG_TOP_K", "3")
    monkeypatch.setenv("RAG_CHROMA_COLLECTION", "from_env")
    settings = Settings()
    assert settings.top_k == 3
    assert settings.chroma_collection == "from_env"
    assert settings.chunk_chars == 400  # not in the environment: still from the file


def test_explicit_arguments_beat_environment_and_file(monkeypatch, toml_file):
    monkeypatch.setenv("RAG_SETTINGS_FILE", str(toml_file))
    monkeypatch.setenv("RAG_TOP_K", "3")
    settings = Settings(top_k=12, chunk_chars=900)
    assert (settings.top_k, settings.chunk_chars) == (12, 900)


def test_local_rag_toml_is_read_when_present(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rag.toml").write_text("top_k = 4\n", encoding="utf-8")
    assert Settings().top_k == 4


def test_missing_settings_file_is_a_clear_error(monkeypatch, tmp_path):
    missing = tmp_path / "nope.toml"
    monkeypatch.setenv("RAG_SETTINGS_FILE", str(missing))
    with pytest.raises(FileNotFoundError) as raised:
        Settings()
    assert str(missing) in str(raised.value)
    assert "RAG_SETTINGS_FILE" in str(raised.value)


def test_invalid_value_is_rejected(monkeypatch):
    monkeypatch.setenv("RAG_CHUNK_CHARS", "many")
    with pytest.raises(ValueError, match="chunk_chars"):
        Settings()


def test_unknown_answer_mode_is_rejected(monkeypatch):
    monkeypatch.setenv("RAG_MODE", "generative")
    with pytest.raises(ValueError, match="mode"):
        Settings()
