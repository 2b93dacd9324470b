"""Thumbs up/down on an answer: one JSON line per vote in a local file, for later review.

A vote that cannot be saved raises :class:`FeedbackError` with a message fit for the user; the
caller shows it and carries on, so a read-only disk never breaks the chat.

The log stays readable and bounded whoever writes to it: every field is cleaned and capped, each line is
ASCII JSON (``ensure_ascii``: the Unicode line and paragraph separators and NEL are escaped, so no line-splitting character is
ever written raw), one ``write`` per line under an exclusive lock shared by threads *and* processes
(``flock`` on a lock file beside the log), and past ``feedback_max_bytes`` the file is rotated to
``.1`` … ``.N`` (``feedback_backups``).
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from assistant.types import Answer
from index.config import PROJECT_ROOT, get_settings

try:  # POSIX: an advisory lock every writing process honours
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads of one process are still serialised
    fcntl = None

ENV_VAR = "QIAOXI_FEEDBACK_PATH"
DEFAULT_PATH = PROJECT_ROOT / "feedback" / "feedback.jsonl"
_LOCK = threading.Lock()  # one process, many sessions: keep lines whole
# Field caps: a vote is for review, not an archive; a question is at most the assistant's own limit.
QUESTION_CHARS = 1000
ANSWER_CHARS = 4000
LABEL_CHARS = 200
CLAUSE_ID_CHARS = 32
MAX_CITATIONS = 20
SHORT_CHARS = 32  # mode, vote


class FeedbackError(RuntimeError):
    """The vote was not saved; ``str(e)`` says why, in Chinese, for the user."""


def feedback_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def _clip(text: object, max_chars: int) -> str:
    from assistant.api import clean_text  # the edge's cleaner (imported late: it pulls in the answering chain)

    return clean_text(text, max_chars)[0]


def make_record(question: str, ans: Answer, vote: str, now: datetime | None = None) -> dict:
    """What we keep per vote: enough to see what was asked, answered and cited, every field capped."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    return {
        "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "vote": vote,
        "question": _clip(question, QUESTION_CHARS),
        "query": _clip(ans.query, QUESTION_CHARS),
        "answer": _clip_keep_lines(ans.answer, ANSWER_CHARS),
        "abstained": bool(ans.abstained),
        "mode": _clip(ans.mode, SHORT_CHARS),
        "citations": [{"clause_id": _clip(c.clause_id, CLAUSE_ID_CHARS), "label": _clip(c.label, LABEL_CHARS)}
                      for c in ans.citations[:MAX_CITATIONS]],
    }


def _clip_keep_lines(text: object, max_chars: int) -> str:
    """An answer keeps its line breaks (they are part of it); JSON escapes them as \\n."""
    return "\n".join(_clip(line, max_chars) for line in str(text or "").splitlines())[:max_chars]


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """This process's threads, then every process, one at a time."""
    with _LOCK:
        if fcntl is None:
            yield
            return
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _rotate(path: Path, backups: int) -> None:
    """feedback.jsonl → .1 → .2 … → .N (the oldest dropped); called under the lock."""
    if backups <= 0:
        path.unlink(missing_ok=True)
        return
    oldest = path.with_name(f"{path.name}.{backups}")
    oldest.unlink(missing_ok=True)
    for i in range(backups - 1, 0, -1):
        src = path.with_name(f"{path.name}.{i}")
        if src.exists():
            src.replace(path.with_name(f"{path.name}.{i + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))


def append_feedback(record: dict, path: Path | None = None, max_bytes: int | None = None,
                    backups: int | None = None) -> Path:
    """Append ``record`` as one line; raises :class:`FeedbackError` if the file is not writable.
    ``max_bytes`` and ``backups`` default to the settings (QIAOXI_FEEDBACK_MAX_BYTES, _BACKUPS)."""
    path = Path(path or feedback_path())
    if max_bytes is None or backups is None:
        settings = get_settings()
        max_bytes = settings.feedback_max_bytes if max_bytes is None else max_bytes
        backups = settings.feedback_backups if backups is None else backups
    line = (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(path):
            if max_bytes > 0 and path.is_file() and path.stat().st_size + len(line) > max_bytes \
                    and path.stat().st_size > 0:
                _rotate(path, backups)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)  # one write of the whole line, appended atomically
            finally:
                os.close(fd)
    except OSError as e:
        raise FeedbackError(f"反馈未能保存：无法写入 {path}（{e.strerror or e}）。对话不受影响。") from e
    return path
