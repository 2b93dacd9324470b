"""The edge: every string a user sends is cleaned and bounded here, once, before it reaches HTML, the
answering chain, a log or a file. The cleaners themselves are the Assistant's own (assistant.api), so the
chat app, the JSON API and ``bot.ask`` read a question the same way.
"""
from __future__ import annotations

from assistant.api import clean_history, clean_question, clean_text
from index.config import Settings

CLAUSE_ID_CHARS = 32  # the longest clause id is a few characters ('1.1.3.1', 'G.18'); anything longer is junk
TITLE_CHARS = 100  # a briefing title is one line
TOPIC_CHARS = 60  # a briefing topic is a few words (the Assistant cuts it further, to Settings.brief.max_topic_chars)
ACTION_CHARS = 16  # the briefing panel's actions look like 'del:3' or 'up:12'


def question(text: object, settings: Settings) -> tuple[str, str]:
    """The question as the assistant will read it, and a notice when it had to be cut."""
    return clean_question(text, settings.max_question_chars)


def history(turns: object, settings: Settings) -> list[dict]:
    """The newest ``max_history_turns`` user/assistant turns, each cleaned and bounded."""
    return clean_history(turns, settings.max_history_turns, settings.max_question_chars)


def field(text: object, max_chars: int) -> str:
    """A short user string (a clause id, a title, a search): cleaned and cut to ``max_chars``."""
    return clean_text(text, max_chars)[0]


def with_notice(notice: str, other: str) -> str:
    """The edge's notice (a cut question) first, then the answer's own."""
    return f"{notice} {other}".strip()
