"""The topic briefing (专题简报): everything the plan says on one topic, as a structured, cited document.

A civil servant asked for 「养老方面规划讲了什么」 wants, on one page: what the previous period achieved,
the figures and targets side by side, the measures in the plan's order, the terms the glossary defines,
and the clauses to cite. :func:`compose` builds that from a :class:`~assistant.topic_select.Selection`
(which clauses and sentences are on the topic) and the figures table, with no word of the plan's text
changed: every line is a verbatim sentence, every figure is written as the clause writes it, and each
carries the number of its clause in the reference list.

>>> brief = bot.brief("养老")                       # doctest: +SKIP
>>> brief.sections[0].title, brief.references[0].clause_id   # doctest: +SKIP
('一、现状与成效', '1.1.8.1')
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.figures_table import KIND_LABELS
from assistant.topic_select import Selection
from assistant.types import Citation
from index.clauses import ClauseTree
from index.figures import Figure, Horizon, retrospective_sections
from index.parser import cn_to_int

# The sections of a briefing, in order (the figures table is section 二, between the two line lists).
REVIEW, FIGURES, TASKS, GLOSSARY = "一、现状与成效", "二、目标与指标", "三、重点任务", "四、相关名词"
REFERENCES = "参考条款"
FIGURE_COLUMNS = ("指标", "数值", "年份/时期", "类型", "出处")
_QUOTED = re.compile(r"“([^”]+)”")
_GLOSSARY_NUMBER = re.compile(r"^\d+\s*[.．、]\s*")
_CN_DIGITS = "〇零一二两三四五六七八九十百千"


class TopicError(ValueError):
    """A topic that cannot be briefed: empty, or nothing in the plan is about it (the message says which)."""


@dataclass(frozen=True)
class BriefLine:
    """One cited line: a verbatim sentence (or glossary entry) and its number in the reference list."""

    text: str
    ref: int
    clause_id: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FigureLine:
    """One row of the figures table; ``amount`` is the number and unit exactly as the clause writes them."""

    indicator: str
    amount: str
    comparator: str
    year: str
    kind: str
    ref: int
    clause_id: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict:
        return {"indicator": self.indicator, "amount": self.amount, "comparator": self.comparator,
                "year": self.year, "kind": self.kind, "ref": self.ref, "clause_id": self.clause_id}


@dataclass(frozen=True)
class BriefSection:
    title: str
    lines: tuple[BriefLine, ...] = ()


@dataclass(frozen=True)
class TopicBrief:
    """A topic's briefing: ``review`` (一), ``figures`` (二, a table), ``tasks`` (三), ``glossary`` (四)
    and ``references``: every cited clause, ``references[n-1]`` being marker [n] of any line.

    Frozen so the app can keep it in a session and the exporters cannot change what was cited."""

    topic: str
    terms: tuple[str, ...]
    review: tuple[BriefLine, ...]
    figures: tuple[FigureLine, ...]
    tasks: tuple[BriefLine, ...]
    glossary: tuple[BriefLine, ...]
    references: tuple[Citation, ...]

    @property
    def sections(self) -> tuple[BriefSection, ...]:
        """The line sections in order (the figures, a table, are :attr:`figures`)."""
        return (BriefSection(REVIEW, self.review), BriefSection(TASKS, self.tasks),
                BriefSection(GLOSSARY, self.glossary))

    @property
    def clause_ids(self) -> list[str]:
        return [c.clause_id for c in self.references]

    def to_dict(self) -> dict:
        return {"topic": self.topic, "terms": list(self.terms),
                "review": [x.to_dict() for x in self.review], "figures": [x.to_dict() for x in self.figures],
                "tasks": [x.to_dict() for x in self.tasks], "glossary": [x.to_dict() for x in self.glossary],
                "references": [c.to_dict() for c in self.references]}


class _Refs:
    """Numbers clauses in order of first citation."""

    def __init__(self, tree: ClauseTree) -> None:
        self.tree = tree
        self.number: dict[str, int] = {}

    def of(self, clause_id: str) -> int:
        return self.number.setdefault(clause_id, len(self.number) + 1)

    def citations(self) -> tuple[Citation, ...]:
        out = []
        for cid in self.number:  # dicts keep insertion order: the numbering order
            c = self.tree.by_id[cid]
            out.append(Citation(clause_id=c.clause_id, label=c.label, text=c.text))
        return tuple(out)


def compose(selection: Selection, tree: ClauseTree, figures: list[Figure], horizon: Horizon) -> TopicBrief:
    """The briefing of a selection: review lines from the sections that look back on the previous
    period, the figures of the selected sentences, the other sentences as tasks in plan order
    (each once), and the glossary entries on the topic or named in what was selected."""
    # The chapter that looks back (a section of it reviews the previous period) is the current state as
    # a whole: its results and the challenges it names beside them.
    past = {_chapter(s) for s in retrospective_sections(tree, horizon)}
    refs = _Refs(tree)
    picks = [p for p in selection.picks if p.clause.kind == "paragraph"]
    in_review = [p for p in picks if _chapter(p.clause_id) in past]
    forward = [p for p in picks if _chapter(p.clause_id) not in past]

    review = _lines(in_review, refs)
    kept = {(p.clause_id, s) for p in picks for s in p.sentences}
    rows = _figure_rows(figures, kept, tree, refs)
    tasks = _lines(forward, refs, seen={x.text for x in review})
    chosen_text = "".join(s for p in picks for s in p.sentences)
    glossary = _glossary(tree, selection, chosen_text, refs)
    return TopicBrief(selection.topic, selection.terms, tuple(review), tuple(rows), tuple(tasks),
                      tuple(glossary), refs.citations())


def _chapter(clause_id: str) -> str:
    return clause_id.split(".")[0]


def _lines(picks, refs: _Refs, seen: set[str] | None = None) -> list[BriefLine]:
    """One line per sentence, in plan order, each sentence once (the plan repeats a few verbatim)."""
    seen = set() if seen is None else set(seen)
    out = []
    for p in picks:
        for s in p.sentences:
            key = re.sub(r"[\s,，。;；:：]", "", s)
            if key in seen:
                continue
            seen.add(key)
            out.append(BriefLine(s, refs.of(p.clause_id), p.clause_id))
    return out


def _figure_rows(figures: list[Figure], kept: set[tuple[str, str]], tree: ClauseTree, refs: _Refs) -> list[FigureLine]:
    """Rows whose sentence was selected, with the amount as the clause writes it; a row whose amount
    cannot be found verbatim is left out rather than shown in other characters than the plan's."""
    by_clause: dict[str, list[str]] = {}
    for cid, s in kept:
        by_clause.setdefault(cid, []).append(s)
    out, seen = [], set()
    for f in figures:
        sentences = by_clause.get(f.clause_id, [])
        if not any(f.sentence.strip() in s or s in f.sentence for s in sentences):
            continue
        amount = verbatim_amount(f, tree.by_id[f.clause_id].text)
        key = (f.clause_id, f.indicator, amount, f.year)
        if amount is None or key in seen:
            continue
        seen.add(key)
        out.append(FigureLine(f.indicator, amount, f.comparator, f.year, f.kind, refs.of(f.clause_id), f.clause_id))
    return out


def verbatim_amount(figure: Figure, clause_text: str) -> str | None:
    """The figure's number and unit as the clause writes them (「85%」, 「五个」 for 5 个), or None."""
    plain = f"{figure.value}{figure.unit}"
    if plain in clause_text:
        return plain
    for m in re.finditer(rf"([{_CN_DIGITS}]+){re.escape(figure.unit)}", clause_text):
        try:
            if str(cn_to_int(m.group(1))) == figure.value:
                return m.group(0)
        except ValueError:
            continue
    return None


def _glossary(tree: ClauseTree, selection: Selection, chosen_text: str, refs: _Refs) -> list[BriefLine]:
    """Glossary entries the topic's search found, and those whose term the selected sentences use."""
    picked = {p.clause_id for p in selection.picks if p.clause.kind == "glossary"}
    out = []
    for c in tree.clauses:
        if c.kind != "glossary":
            continue
        names = _QUOTED.findall(c.title) or [c.title]
        if c.clause_id in picked or any(n and n in chosen_text for n in names):
            out.append(BriefLine(_GLOSSARY_NUMBER.sub("", c.text.replace("\n", "")), refs.of(c.clause_id), c.clause_id))
    return out


__all__ = ["BriefLine", "BriefSection", "FigureLine", "TopicBrief", "TopicError", "compose", "verbatim_amount",
           "REVIEW", "FIGURES", "TASKS", "GLOSSARY", "REFERENCES", "FIGURE_COLUMNS"]
