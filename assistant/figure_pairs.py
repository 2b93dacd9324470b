"""Questions about both ends of one indicator, or how much it grows: answered from the figures table.

「一般公共预算收入增加了多少？」 needs two figures of one indicator (a result and a later result, or a
result and its target) and their difference. The plan states the two ends, never the difference: the
ends are quoted verbatim with their clauses, and the difference is shown as a calculation labelled as
computed (「83.5亿元 − 63亿元 ≈ 20.5亿元（据[1]计算，非规划原文）」), only when both ends share a unit.

Only linked rows (a shared ``pair_id``, see ``index.figures``) are used, and only for a question that
asks for a change or both ends and names the indicator; anything else is left to the normal chain.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from assistant.figures_table import FiguresTable
from assistant.text import named_share
from assistant.types import Answer, Citation
from index.clauses import ClauseTree
from index.figures import Figure
from index.lexicon import CHANGE_ASK

COMPUTED_NOTE = "差值为根据规划中两个数字推算，非规划原文。"
_MIN_KEY = 3  # a shorter indicator name (「企业」) would match too many questions


def pair_answer(question: str, table: FiguresTable, tree: ClauseTree) -> Answer | None:
    """The two ends of the indicator the question names and, with one unit, their difference; None
    when the question asks no change or names no linked indicator."""
    if not CHANGE_ASK.search(question):
        return None
    group = _group_named(question, table)
    if group is None:
        return None
    first, last = group[0], group[-1]
    clauses = list(dict.fromkeys([first.clause_id, last.clause_id]))
    mark = {cid: f"[{i}]" for i, cid in enumerate(clauses, start=1)}
    lines = [f"{first.sentence.rstrip('。')}{mark[first.clause_id]}。"]
    if last.sentence != first.sentence:
        lines.append(f"{last.sentence.rstrip('。')}{mark[last.clause_id]}。")
    marks = "".join(mark[c] for c in clauses)
    diff = difference(first, last)
    if diff is None:
        lines.append(f"两处单位不同（{first.unit}、{last.unit}），不计算差值。")
    else:
        lines.append(f"{_when(last)}{last.value}{last.unit} − {_when(first)}{first.value}{first.unit} ≈ "
                     f"{diff}{last.unit}（据{marks}计算，非规划原文）。")
    citations = [Citation(c, tree.by_id[c].label, tree.by_id[c].text) for c in clauses]
    return Answer(answer="\n".join(lines), citations=citations, query=question, mode="computed",
                  notice=COMPUTED_NOTE if diff is not None else "")


def difference(first: Figure, last: Figure) -> str | None:
    """``last − first`` as the plan's precision gives it, or None when the units differ."""
    if first.unit != last.unit:
        return None
    try:
        a, b = Decimal(first.value), Decimal(last.value)
    except InvalidOperation:
        return None
    d = b - a
    return format(d.normalize(), "f") if d == d.to_integral() else format(d, "f")


def _when(f: Figure) -> str:
    """「2020年」, 「2016-2020年间」 or nothing, so each end says which year it is."""
    if not f.year:
        return "现"
    return f"{f.year}年" if "-" not in f.year else f"{f.year}年间"


def _group_named(question: str, table: FiguresTable) -> list[Figure] | None:
    """The linked rows of the indicator the question names (the longest name found wins), oldest first."""
    groups: dict[str, list[Figure]] = {}
    for f in table.figures:
        if f.pair_id:
            groups.setdefault(f.pair_id, []).append(f)
    best, best_len = None, 0.0
    terms = question + " " + " ".join(table.topic_terms(question))
    for rows in groups.values():
        names = {r.key for r in rows} | {r.indicator for r in rows}
        hit = max((named_share(n, terms) for n in names if len(n) >= _MIN_KEY), default=0.0)
        if hit > best_len and len(rows) >= 2:
            best, best_len = rows, hit
    if best is None:
        return None
    return sorted(best, key=_order)


def _order(f: Figure) -> tuple[int, int]:
    """Oldest first: by the year (a period by its end); a row with no year is the present state."""
    if not f.year:
        return (0, 0)
    end = int(f.year.split("-")[-1])
    return (end, 0 if f.kind == "actual" else 1)


__all__ = ["pair_answer", "difference", "CHANGE_ASK"]
