"""Every setting of the product, typed, read from RAG_* environment variables and an optional TOML file.

Priority: explicit arguments > environment > settings file > defaults. The file is
`$RAG_SETTINGS_FILE` if set, else `./rag.toml` when it exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

BUILTIN_EMBEDDING = "navec-news-sif"


def _settings_file() -> Path | None:
    explicit = os.environ.get("RAG_SETTINGS_FILE")
    if explicit:
        return Path(explicit)
    local = Path("rag.toml")
    return local if local.exists() else None


def _user_dir(env: str, fallback: str) -> Path:
    return Path(os.environ.get(env) or Path.home() / fallback) / "rag"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    index_dir: Path = Field(default_factory=lambda: _user_dir("XDG_DATA_HOME", ".local/share") / "index")
    cache_dir: Path = Field(default_factory=lambda: _user_dir("XDG_CACHE_HOME", ".cache"))

    embedding_model: str = Field(
        BUILTIN_EMBEDDING,
        description="'navec-news-sif' (bundled, offline) or any sentence-transformers model name or path",
    )
    embedding_batch_size: int = 256
    embedding_cache_mb: float = Field(
        64.0, ge=0, description="vectors of the words and sentences the offline answerer embedded, kept for the "
                                "next answers (its words recur in every answer); 0 keeps none")

    chroma_host: str | None = Field(None, description="Chroma server host; unset means embedded Chroma in index_dir")
    chroma_port: int = 8000
    chroma_collection: str = "press_releases"
    database_url: SecretStr | None = Field(
        None, description="PostgreSQL database (postgresql://user:password@host/db) holding the manifest and the "
                          "writer lock, for servers on several hosts sharing one store; needs chroma_host. Unset "
                          "means SQLite in index_dir")
    writer_wait_s: float = Field(
        3600.0, gt=0, description="how long a write (ingest, remove, sync) waits for another process writing to the "
                                  "same index before it gives up")

    chunk_chars: int = Field(800, description="target chunk length in characters")
    max_file_mb: float = Field(20.0, description="largest file, JSONL line or fetched page")
    near_duplicate_threshold: float = Field(
        0.6, ge=0.0, le=1.0, description="estimated Jaccard similarity of 5-word shingles at which a new release is "
                                         "a near duplicate of a stored one (measured: bench/near_duplicates.py)")

    fetch_allow_private: bool = Field(
        False, description="fetch addresses that resolve to loopback, link-local, private or reserved ranges "
                           "(off: a served chat must not become a proxy into its own network)")
    fetch_timeout_s: float = Field(20.0, gt=0, description="longest wait for one fetched page or feed, redirects included")
    sync_every_minutes: float | None = Field(None, gt=0, description="`rag serve` syncs the followed feeds this often")

    candidates: int = Field(60, description="hits taken from each retriever before fusion")
    top_k: int = Field(14, description="passages returned by retrieval")
    passages_per_document: int = Field(
        6, description="at most this many of the returned passages from one release (a detail deep in a long "
                       "transcript needs several of its passages; more would crowd the other releases out)")
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    document_weight: float = Field(2.0, description="weight of whole-document BM25 rank added to each passage")
    document_lead_weight: float = Field(
        2.0, description="bonus of the best BM25 document by its lead over the second (1 - second/best score)")
    date_boost: float = Field(1.2, description="score multiplier for passages inside a date range named in the question")

    answer_sentences: int = 3
    answer_passages: int = Field(7, description="eligible passages whose sentences the offline answerer weighs")
    min_evidence: float = Field(0.30, description="refuse when the evidence (see answering/extractive.py) is below this")

    mode: Literal["extractive", "llm"] | None = Field(
        None, description="default answer mode; unset means 'llm' when an LLM is configured, else 'extractive'")

    llm_provider: Literal["openai", "ollama"] = Field(
        "openai", description="'openai': any OpenAI-compatible server (vLLM, llama.cpp, LM Studio, Ollama's /v1, "
                              "hosted APIs); 'ollama': Ollama's native API")
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_temperature: float = 0.1
    llm_max_tokens: int = 400
    llm_timeout_s: float = 60.0
    llm_max_retries: int = Field(2, description="retries with backoff on connection errors, timeouts, 429 and 5xx")
    llm_stop: list[str] = Field(default_factory=list)
    llm_context_tokens: int = Field(3000, description="token budget for the passages put in the prompt")
    llm_rewrite_followups: bool = True
    prompts_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parents[1] / "prompts")

    ui_language: Literal["ru", "en"] = "ru"
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    ui_concurrency_limit: int = Field(
        4, ge=1, description="questions the web chat answers at once; more wait in Gradio's queue (evals/bench_load.py)")
    ui_sessions: int = Field(
        1000, ge=1, description="web chat sessions Gradio keeps, the least recently used dropped first: every call of "
                                "its HTTP API without a session hash is one (~85 kB with this page, and each second "
                                "Gradio walks them all); a page whose session was dropped is given a new one")
    answer_process: bool = Field(
        True, description="`rag serve` answers the APIs' offline questions (REST /api/ask, the web chat's /ask API, "
                          "MCP) in a second process on the same index, ui_concurrency_limit at once; off: in the "
                          "serving process (rag/answer_process.py)")
    ui_username: str | None = Field(None, description="login required when the web chat listens beyond loopback")
    ui_password: str | None = None
    api_key: SecretStr | None = Field(
        None, description="bearer key every API (/v1, /api, /mcp) requires when `rag serve` listens beyond loopback")

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def default_mode(self) -> str:
        return self.mode or ("llm" if self.llm_configured else "extractive")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _settings_file()
        if path is not None:
            if not path.exists():
                raise FileNotFoundError(f"settings file {path} (from RAG_SETTINGS_FILE) does not exist")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)
