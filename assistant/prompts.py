"""Prompt templates live as files in prompts/; this loads them as LangChain templates."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def _read(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def answer_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([("system", _read("answer_system.txt")),
                                             ("human", _read("answer_user.txt"))])


@lru_cache(maxsize=None)
def condense_prompt() -> PromptTemplate:
    return PromptTemplate.from_template(_read("condense.txt"))
