"""The plan assistant's public API (see DESIGN.md). Heavy modules load on first use."""
from __future__ import annotations

from assistant.types import Answer, Citation

__all__ = ["Assistant", "Answer", "Citation"]


def __getattr__(name: str):
    if name == "Assistant":
        from assistant.api import Assistant

        return Assistant
    raise AttributeError(name)
