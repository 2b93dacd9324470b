"""The plan assistant's public API (see DESIGN.md). Heavy modules load on first use."""
from __future__ import annotations

from assistant.types import Answer, Citation

__all__ = ["Assistant", "Answer", "Citation", "Hit"]


def __getattr__(name: str):
    if name == "Assistant":
        from assistant.api import Assistant

        return Assistant
    if name == "Hit":  # what bot.retrieve() returns: .clause_id .label .text .score (and .clause)
        from assistant.retrieval import Hit

        return Hit
    raise AttributeError(name)
