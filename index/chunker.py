"""Split clauses into retrieval chunks that never cross a clause boundary."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.clauses import Clause, ClauseTree

_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")


@dataclass(frozen=True)
class Chunk:
    """A piece of one clause; ``context`` is what gets embedded and tokenised."""

    chunk_id: int
    clause_id: str
    text: str
    context: str

    def to_dict(self) -> dict:
        return asdict(self)


def split_sentences(text: str) -> list[str]:
    """Sentences ending at 。；！？ (the punctuation stays with its sentence)."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def clause_sentences(text: str) -> list[str]:
    """The sentences an answer may quote, stripped: what the answerer picks from and the store embeds."""
    return [s.strip() for s in split_sentences(text) if s.strip()]


def _pack(sentences: list[str], max_chars: int) -> list[str]:
    """Greedily pack whole sentences into pieces of at most max_chars (a longer sentence stands alone)."""
    pieces: list[str] = []
    current = ""
    for s in sentences:
        if current and len(current) + len(s) > max_chars:
            pieces.append(current)
            current = ""
        current += s
    if current:
        pieces.append(current)
    return pieces


def context_prefix(clause: Clause) -> str:
    parts = [p for p in clause.path if p]
    if clause.title:
        parts.append(clause.title)
    return " > ".join(parts)


def chunk_clauses(tree: ClauseTree, max_chars: int = 220) -> list[Chunk]:
    """Chunks for every searchable clause (paragraphs and glossary entries)."""
    if max_chars < 20:
        raise ValueError("max_chars must be at least 20")
    chunks: list[Chunk] = []
    for clause in tree.clauses:
        if clause.kind not in ("paragraph", "glossary"):
            continue
        prefix = context_prefix(clause)
        for piece in _pack(split_sentences(clause.text), max_chars):
            chunks.append(Chunk(chunk_id=len(chunks), clause_id=clause.clause_id, text=piece,
                                context=f"{prefix}\n{piece}" if prefix else piece))
    return chunks
