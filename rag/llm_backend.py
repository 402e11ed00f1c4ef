"""LangChain chat models chosen by settings: any OpenAI-compatible server, or Ollama's native API."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from rag.settings import Settings


class LLMNotConfigured(RuntimeError):
    pass


def chat_model(settings: Settings) -> BaseChatModel:
    if not settings.llm_configured:
        raise LLMNotConfigured("no LLM configured: set RAG_LLM_BASE_URL and RAG_LLM_MODEL (and RAG_LLM_API_KEY "
                               "if the server needs one)")
    if settings.llm_provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            base_url=settings.llm_base_url, model=settings.llm_model, temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens, stop=settings.llm_stop or None,
            client_kwargs={"timeout": settings.llm_timeout_s},
        )
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=key,
        temperature=settings.llm_temperature, timeout=settings.llm_timeout_s,
        # Retries are the answerer's, the same for every provider (rag/answering/llm.py).
        max_retries=0, stop=settings.llm_stop or None,
        # llama.cpp's server reads max_tokens and ignores max_completion_tokens, which langchain-openai sends.
        extra_body={"max_tokens": settings.llm_max_tokens},
    )
