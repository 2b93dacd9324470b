"""Thumbs up/down on an answer: one JSON line per vote in a local file, for later review.

A vote that cannot be saved raises :class:`FeedbackError` with a message fit for the user; the
caller shows it and carries on, so a read-only disk never breaks the chat.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from assistant.types import Answer
from index.config import PROJECT_ROOT

ENV_VAR = "QIAOXI_FEEDBACK_PATH"
DEFAULT_PATH = PROJECT_ROOT / "feedback" / "feedback.jsonl"
_LOCK = threading.Lock()  # one process, many sessions: keep lines whole


class FeedbackError(RuntimeError):
    """The vote was not saved; ``str(e)`` says why, in Chinese, for the user."""


def feedback_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def make_record(question: str, ans: Answer, vote: str, now: datetime | None = None) -> dict:
    """What we keep per vote: enough to see what was asked, answered and cited."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    return {
        "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "vote": vote,
        "question": question,
        "query": ans.query,
        "answer": ans.answer,
        "abstained": ans.abstained,
        "mode": ans.mode,
        "citations": [{"clause_id": c.clause_id, "label": c.label} for c in ans.citations],
    }


def append_feedback(record: dict, path: Path | None = None) -> Path:
    """Append ``record`` as one line; raises :class:`FeedbackError` if the file is not writable."""
    path = Path(path or feedback_path())
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _LOCK, path.open("a", encoding="utf-8") as f:
            f.write(line)
    except OSError as e:
        raise FeedbackError(f"反馈未能保存：无法写入 {path}（{e.strerror or e}）。对话不受影响。") from e
    return path
