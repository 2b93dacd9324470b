"""Everyday words → the plan's own terms, so that a resident's question finds the official wording.

Residents say 「电车没地方充电」 where the plan says 「充电桩」; neither BM25 nor the small
embedding model bridges that. ``thesaurus.tsv`` (beside this file) holds one entry per line,
``everyday word<TAB>plan term plan term …``, every plan term taken verbatim from the plan; it was
written from the plan's topics, not from any test question (its last section, everyday words for each quantity
the plan states a figure for, by a helper session that read only the plan and this file).

Usage::

    th = Thesaurus.load()
    th.expand("刚买了辆电车，小区附近没地方充电")   # ['充电桩', '新能源', …]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("thesaurus.tsv")


@dataclass(frozen=True)
class Match:
    """One everyday word found in a question: where, and the plan terms it stands for."""

    word: str
    start: int
    end: int
    terms: tuple[str, ...]


class Thesaurus:
    def __init__(self, entries: dict[str, tuple[str, ...]]) -> None:
        bad = [w for w, terms in entries.items() if len(w) < 2 or not terms]
        if bad:
            raise ValueError(f"thesaurus entries need a word of 2+ characters and at least one term: {bad[:3]}")
        self.entries = dict(entries)
        # One alternation, longest word first: at each place the longest everyday word wins
        # ('老人白天没人照顾' over '老人'); one regex scan instead of a find per entry.
        words = sorted(self.entries, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

    @classmethod
    def load(cls, path: Path | str = DEFAULT_PATH) -> "Thesaurus":
        entries: dict[str, tuple[str, ...]] = {}
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            word, sep, terms = line.partition("\t")
            if not sep or not terms.split():
                raise ValueError(f"{path}:{n}: expected 'word<TAB>term term …', got {line!r}")
            entries[word.strip()] = tuple(terms.split())
        return cls(entries)

    def matches(self, text: str) -> list[Match]:
        """Everyday words in ``text``, left to right, not overlapping, the longest at each place."""
        if self._pattern is None:
            return []
        return [Match(m.group(), m.start(), m.end(), self.entries[m.group()]) for m in self._pattern.finditer(text)]

    def expand(self, text: str) -> list[str]:
        """The plan terms for every everyday word in ``text``, without repeats."""
        return list(dict.fromkeys(t for m in self.matches(text) for t in m.terms))
