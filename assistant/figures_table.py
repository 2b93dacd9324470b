"""The figures table and the named sets as the civil servants' tools see them: filtered by topic,
year and kind, and rendered as text, CSV or JSON.

Built from the clause tree and the plan's profile only (no embeddings, no store), so the command line
prints the table in well under a second; ``Assistant`` builds one lazily on first use and keeps it.

>>> table = FiguresTable.build(tree, profile)                     # doctest: +SKIP
>>> [f.value for f in table.select(topic="幼儿园", year=str(profile.period.end))]  # doctest: +SKIP
['85', '50']
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from index.profile import PlanProfile
from index.clauses import ClauseTree
from index.figures import FIELDS, KINDS, Figure, Horizon, extract_figures
from index.named_sets import NamedSet, extract_named_sets
from index.thesaurus import Thesaurus

# How each kind reads in a table a civil servant quotes from.
KIND_LABELS = {"actual": "现状", "target": "目标", "vision": "远景", "change": "增减"}
_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
TEXT_COLUMNS = ("指标", "数值", "比较", "年份/时期", "类型", "条款")


@dataclass
class FiguresTable:
    """All figures and named sets of one plan, with the look-ups the API and the CLI share."""

    figures: list[Figure]
    tree: ClauseTree
    thesaurus: Thesaurus | None = None
    _sets: list[NamedSet] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, tree: ClauseTree, profile: PlanProfile, thesaurus: Thesaurus | None = None) -> "FiguresTable":
        """The plan's years come from its profile: which figures are results, targets or the vision."""
        sets = extract_named_sets(tree)  # once: the figures leave out the sets' sizes, and the table keeps them
        return cls(extract_figures(tree, Horizon.of(profile), sets), tree, thesaurus, sets)

    @property
    def named_sets(self) -> list[NamedSet]:
        if self._sets is None:
            self._sets = extract_named_sets(self.tree)
        return self._sets

    def select(self, topic: str | None = None, year: str | None = None, kind: str | None = None) -> list[Figure]:
        """Rows about ``topic`` (its words, or the plan terms the thesaurus gives for an everyday word,
        in the indicator, the sentence or the section's label), of ``year`` (a year matches rows of that
        year and of the periods that contain it; a period 'YYYY-YYYY' matches rows inside it) and ``kind``."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        span = _span(year) if year else None
        terms = self.topic_terms(topic) if topic and topic.strip() else None
        rows = []
        for f in self.figures:
            if kind and f.kind != kind:
                continue
            if span and not _overlaps(f.year, span):
                continue
            if terms is not None:
                haystack = f"{f.indicator} {f.sentence} {f.chapter}"
                if not any(t in haystack for t in terms):
                    continue
            rows.append(f)
        return rows

    def topic_terms(self, topic: str) -> list[str]:
        """The topic's own words (split at spaces and punctuation) and the thesaurus's plan terms."""
        words = [w for w in re.split(r"[\s,，、;；/]+", topic.strip()) if w]
        extra = self.thesaurus.expand(topic) if self.thesaurus is not None else []
        return list(dict.fromkeys(words + extra))


def _span(year: str) -> tuple[int, int]:
    m = _YEAR.match(str(year).strip())
    if not m:
        raise ValueError(f"year must be like YYYY or YYYY-YYYY (a year or a period), not {year!r}")
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if a > b:
        raise ValueError(f"year range {year!r} runs backwards")
    return a, b


def _overlaps(row_year: str, span: tuple[int, int]) -> bool:
    """A row of year Y is in a period holding Y; a row of a period is in each of its years (its target may be
    reached in any year of it); a row with no year is in none."""
    if not row_year:
        return False
    a, b = _span(row_year)
    return a <= span[1] and span[0] <= b


# -- rendering ------------------------------------------------------------------------------------------
def to_json(rows: list[Figure]) -> str:
    return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2)


def to_csv(rows: list[Figure]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(FIELDS), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r.to_dict())
    return buf.getvalue()


def to_text(rows: list[Figure]) -> str:
    """One line per figure, tab-separated, with a header: readable in a terminal, pasteable into a sheet."""
    lines = ["\t".join(TEXT_COLUMNS)]
    for r in rows:
        lines.append("\t".join([r.indicator, f"{r.value}{r.unit}", r.comparator, r.year or "—",
                                KIND_LABELS.get(r.kind, r.kind), r.clause_id]))
    return "\n".join(lines)


def sets_to_text(sets: list[NamedSet]) -> str:
    return "\n".join(f"{s.name}（{s.count if s.count is not None else len(s.members)}）[{s.clause_id}]："
                     + ("、".join(s.members) if s.members else "（规划未列出成员）") for s in sets)


__all__ = ["FiguresTable", "KIND_LABELS", "to_csv", "to_json", "to_text", "sets_to_text"]
