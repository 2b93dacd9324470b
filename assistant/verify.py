"""Deterministic citation check for any answer text with [n] markers.

A sentence keeps a citation only if the marker points at a clause that was retrieved
(i.e. is in the numbered context) and every number in the sentence occurs in the cited
text; otherwise it is re-cited to a retrieved clause that does support it, or removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import (
    bigrams, markers_in, normalize_markers, number_supported, numbers_in, squash, strip_markers,
)
from index.clauses import Clause

# A sentence, then any markers that trail it (LLMs write both "…85%[1]。" and "…85%。[1]").
_SEGMENT = re.compile(r"[^。；！？!?\n]+(?:[。；！？!?]+)?(?:\s*\[\d+\])*|(?:\s*\[\d+\])+")
MIN_OVERLAP = 0.25  # share of the sentence's character bigrams found in the cited clause


@dataclass
class Verification:
    text: str
    cited: list[Clause]
    kept: int = 0
    dropped: list[str] = field(default_factory=list)
    recited: int = 0
    invalid_markers: int = 0

    @property
    def ok(self) -> bool:
        """Enough survived to stand as an answer."""
        return self.kept > 0 and self.kept >= len(self.dropped)


def overlap(sentence: str, source: str) -> float:
    grams = bigrams(squash(strip_markers(sentence)))
    if not grams:
        return 0.0
    src = squash(source)
    return sum(1 for g in grams if g in src) / len(grams)


def is_framing(sentence: str) -> bool:
    """Lines such as '根据规划：' introduce an answer, and '（…）' notes comment on it; neither states a fact.
    A line or note with a figure in it states one, whatever its form, and is checked like any sentence."""
    body = strip_markers(sentence).strip()
    if numbers_in(body):
        return False
    return (body.startswith("（") and body.endswith("）")) or body.endswith(("：", ":"))


_REFERENCE = re.compile(r"第[一二三四五六七八九十百\d]+[章节条]")


def supports(sentence: str, clause: Clause) -> bool:
    """Every number and every 第…章/节 reference in the sentence is in the cited clause (or its label)."""
    body = strip_markers(sentence)
    where = squash(clause.label + clause.text)
    return (all(number_supported(n, clause.text) for n in numbers_in(body))
            and all(ref in where for ref in _REFERENCE.findall(squash(body)))
            and overlap(body, clause.text) >= MIN_OVERLAP)


def verify_answer(text: str, context: list[Clause]) -> Verification:
    """Check every sentence's markers against the numbered context (marker n → context[n-1]).

    Returns the rewritten text with markers renumbered in order of first use and the cited
    clauses in that order. Markers are first normalised (【1】, [1,2], [1、2], '…。[1]' → '[1][2]'
    before the stop), so a model's usual way of citing is read, not mistaken for figures.
    """
    text = normalize_markers(text)
    order: list[str] = []
    by_id = {c.clause_id: c for c in context}
    kept = recited = invalid = 0
    dropped: list[str] = []
    out_lines = []
    for line in text.splitlines():
        if is_framing(line):
            out_lines.append(strip_markers(line).strip())
            continue
        pieces = []
        for seg in _SEGMENT.findall(line):
            body = strip_markers(seg).strip()
            if not body:
                continue
            if is_framing(seg):
                pieces.append(body)
                continue
            valid = []
            for m in markers_in(seg):
                if 1 <= m <= len(context):
                    valid.append(context[m - 1])
                else:
                    invalid += 1
            good = [c for c in valid if supports(body, c)]
            if not good:
                best = max(context, key=lambda c: overlap(body, c.text), default=None)
                if best is not None and supports(body, best):
                    good = [best]
                    recited += 1
            if not good:
                dropped.append(body)
                continue
            marks = []
            for c in dict.fromkeys(good):
                if c.clause_id not in order:
                    order.append(c.clause_id)
                marks.append(f"[{order.index(c.clause_id) + 1}]")
            pieces.append(_attach(body, "".join(marks)))
            kept += 1
        if pieces:
            out_lines.append("".join(pieces))
    return Verification(text="\n".join(out_lines), cited=[by_id[cid] for cid in order], kept=kept, dropped=dropped,
                        recited=recited, invalid_markers=invalid)


def _attach(body: str, marks: str) -> str:
    """Put markers before the sentence's closing punctuation: '…85%[1]。'."""
    m = re.search(r"[。；！？!?]+$", body)
    if m:
        return body[:m.start()] + marks + body[m.start():]
    return body + marks
