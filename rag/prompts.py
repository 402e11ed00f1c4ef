"""Prompt templates from `prompts/` (files `NAME.LANG.md` with `## system` and `## user` sections)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

SECTION = re.compile(r"^## (system|user)\s*$", re.M)


@lru_cache(maxsize=32)
def load_prompt(folder: Path, name: str, language: str) -> ChatPromptTemplate:
    """The template in the question's language; Russian for languages without their own (Kazakh)."""
    path = folder / f"{name}.{language}.md"
    if not path.exists():
        path = folder / f"{name}.ru.md"
    if not path.exists():
        raise FileNotFoundError(f"prompt template {path} not found (RAG_PROMPTS_DIR={folder})")
    parts = SECTION.split(path.read_text(encoding="utf-8"))
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"}:
        raise ValueError(f"{path}: needs a '## system' and a '## user' section")
    return ChatPromptTemplate.from_messages([("system", sections["system"]), ("human", sections["user"])])
