"""The typed state the answering chain passes from step to step (condense → retrieve → answer → verify).

Each step returns a new state with ``dataclasses.replace``; nothing travels as text to be parsed back,
so the earlier topic of a follow-up is the ``background`` field, never part of the query.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assistant.extractive import Draft
    from assistant.retrieval import Hit
    from assistant.scope import ScopeDecision


@dataclass(frozen=True)
class ChainState:
    question: str  # the cleaned, bounded question as the user asked it
    history: tuple[dict, ...] = ()  # cleaned user/assistant turns, newest last
    notice: str = ""  # what the user should be told besides the answer (a cut question, a failed LLM)
    query: str = ""  # the standalone question (a follow-up rewritten)
    background: str = ""  # the earlier topic a follow-up leans on ('' for a standalone question)
    earlier: frozenset[str] = frozenset()  # the plan's sentences a follow-up's earlier answer was drawn from
    hits: tuple["Hit", ...] = ()
    vectors: Mapping[str, np.ndarray] = field(default_factory=dict)  # query embeddings by text
    scope: "ScopeDecision | None" = None
    draft: "Draft | None" = None
    mode: str = "extractive"  # or "llm" when the LLM's answer passed the citation check
