"""Pure scoring functions for the evaluation runner.

Nothing here imports the assistant: the scorer must not share code (and bugs)
with the system it scores.  Every comparison goes through
:func:`eval.dataset.normalise` (NFKC, whitespace removed) on both sides, so a
key fact written ``85%`` matches the plan's ``达到 85% ``.

A run produces one :class:`ItemRecord` per question; :func:`score_record`
fills in the derived fields and :func:`summarise` aggregates them per
category and overall.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from assistant.text import MARKER
from eval.dataset import CATEGORIES, normalise

__all__ = [
    "CitedClause",
    "ItemRecord",
    "fact_hits",
    "answer_correct",
    "evidence_rank",
    "recall_at",
    "mean_reciprocal_rank",
    "numbers_in",
    "citing_sentences",
    "citation_supported",
    "score_record",
    "abstention_counts",
    "percentile",
    "summarise",
    "failure_reason",
    "RECALL_KS",
]

RECALL_KS: tuple[int, ...] = (1, 3, 5)

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# One sentence and the markers that trail it: "…85%[1]。" and "…85%。[1]" both work.
_SENTENCE = re.compile(r"[^。；！？!?\n]+[。；！？!?]*(?:\s*\[\d+\])*")


@dataclass(frozen=True)
class CitedClause:
    """A clause the answer cites (``[n]`` → ``cited[n-1]``), with its verbatim text."""

    clause_id: str
    label: str
    text: str


@dataclass
class ItemRecord:
    """Everything observed for one question, raw fields first, derived fields after.

    Raw fields are filled by the runner (or a baseline); derived fields by
    :func:`score_record`.  ``evidence_rank`` is 1-based, ``None`` when no
    retrieved unit contains evidence (or the item is unanswerable).
    """

    id: str
    category: str
    question: str
    answerable: bool
    key_facts: list[str]
    min_facts: int
    evidence: list[str]
    answer: str = ""
    abstained: bool = False
    out_of_scope: bool = False  # the friendly "not what I cover" reply
    shows_plan_text: bool = False  # citations or related clauses shown
    cited: list[CitedClause] = field(default_factory=list)
    query: str = ""
    retrieved_ids: list[str] = field(default_factory=list)
    retrieved_texts: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    error: str = ""
    history_turns: int = 0
    # -- derived -----------------------------------------------------------
    facts_found: list[str] = field(default_factory=list)
    correct: bool = False
    evidence_rank: int | None = None
    citation_support: list[bool] = field(default_factory=list)
    cites_evidence: bool = False


# -- answer accuracy ------------------------------------------------------------


def fact_hits(answer: str, key_facts: Sequence[str]) -> list[str]:
    """The key facts that occur in the answer, both sides normalised."""
    norm = normalise(MARKER.sub("", answer))
    return [f for f in key_facts if normalise(f) and normalise(f) in norm]


def answer_correct(answerable: bool, abstained: bool, answer: str,
                   key_facts: Sequence[str], min_facts: int, off_topic: bool = False,
                   out_of_scope: bool = False, shows_plan_text: bool = False) -> bool:
    """Answerable: ≥ min_facts key facts present and no abstention; off-topic: the out-of-scope
    reply with no plan text (no citations, no related clauses); else: abstained."""
    if off_topic:
        return abstained and out_of_scope and not shows_plan_text
    if not answerable:
        return abstained
    if abstained:
        return False
    return len(fact_hits(answer, key_facts)) >= max(min_facts, 1)


# -- retrieval ------------------------------------------------------------------


def contains_evidence(text: str, evidence: Sequence[str]) -> bool:
    """True when the unit's normalised text contains any normalised evidence string."""
    norm = normalise(text)
    return any(normalise(e) and normalise(e) in norm for e in evidence)


def evidence_rank(texts: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved unit containing evidence, or None."""
    for rank, text in enumerate(texts, start=1):
        if contains_evidence(text, evidence):
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of items whose evidence rank is within k (None for no items)."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank, 0 for a miss (None for no items)."""
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r) / len(ranks)


# -- citations ------------------------------------------------------------------


def numbers_in(text: str) -> list[str]:
    """Every number in the text after NFKC, markers removed: '达到85%[1]' → ['85']."""
    return _NUMBER.findall(normalise(MARKER.sub("", text)))


def _number_in(number: str, text: str) -> bool:
    """Whole-number containment: 85 is not supported by 850 or 8.5."""
    pattern = rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)"
    return re.search(pattern, normalise(text)) is not None


def citing_sentences(answer: str) -> dict[int, list[str]]:
    """Marker number → the answer sentences (markers stripped) that carry it."""
    out: dict[int, list[str]] = {}
    for sentence in _SENTENCE.findall(answer):
        body = MARKER.sub("", sentence).strip()
        for m in dict.fromkeys(int(x) for x in MARKER.findall(sentence)):
            out.setdefault(m, []).append(body)
    return out


def citation_supported(clause_text: str, evidence: Sequence[str], sentences: Sequence[str]) -> bool:
    """A citation is good if the clause holds evidence, or backs every number it is cited for.

    The number route needs at least one citing sentence with a number: a sentence
    without numbers would otherwise support any clause vacuously.
    """
    if contains_evidence(clause_text, evidence):
        return True
    numeric = [s for s in sentences if numbers_in(s)]
    return bool(numeric) and all(_number_in(n, clause_text) for s in numeric for n in numbers_in(s))


# -- one item ---------------------------------------------------------------------


def score_record(rec: ItemRecord) -> ItemRecord:
    """Fill the derived fields of a record (returns a new record)."""
    facts = fact_hits(rec.answer, rec.key_facts) if not rec.abstained else []
    sentences = citing_sentences(rec.answer)
    support = [citation_supported(c.text, rec.evidence, sentences.get(i, []))
               for i, c in enumerate(rec.cited, start=1)]
    return replace(
        rec,
        facts_found=facts,
        correct=not rec.error and answer_correct(rec.answerable, rec.abstained, rec.answer,
                                                 rec.key_facts, rec.min_facts,
                                                 off_topic=rec.category == "off_topic",
                                                 out_of_scope=rec.out_of_scope,
                                                 shows_plan_text=rec.shows_plan_text),
        evidence_rank=evidence_rank(rec.retrieved_texts, rec.evidence) if rec.answerable else None,
        citation_support=support,
        cites_evidence=rec.answerable and any(contains_evidence(c.text, rec.evidence) for c in rec.cited),
    )


def failure_reason(rec: ItemRecord) -> str:
    """A short diagnosis of a wrong item, so failure lists can be read at a glance."""
    if rec.error:
        return f"error: {rec.error}"
    if not rec.answerable:
        return "invented answer (should abstain)"
    where = f"evidence@{rec.evidence_rank}" if rec.evidence_rank else "evidence not retrieved"
    if rec.abstained:
        return f"false abstention ({where})"
    return f"facts {len(rec.facts_found)}/{rec.min_facts} needed ({where})"


# -- aggregation ------------------------------------------------------------------


def abstention_counts(records: Iterable[ItemRecord]) -> dict[str, int]:
    """Confusion counts with 'abstained' as the positive class."""
    c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for r in records:
        if r.abstained:
            c["tp" if not r.answerable else "fp"] += 1
        else:
            c["fn" if not r.answerable else "tn"] += 1
    return c


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _group_summary(records: list[ItemRecord], citations: bool) -> dict:
    """All figures for one group of scored records."""
    answerable = [r for r in records if r.answerable]
    ranks = [r.evidence_rank for r in answerable]
    ab = abstention_counts(records)
    support = [s for r in records for s in r.citation_support]
    latencies = [r.latency_ms for r in records if not r.error]
    out = {
        "n": len(records),
        "n_answerable": len(answerable),
        "n_correct": sum(r.correct for r in records),
        "accuracy": _ratio(sum(r.correct for r in records), len(records)),
        "abstention_precision": _ratio(ab["tp"], ab["tp"] + ab["fp"]),
        "abstention_recall": _ratio(ab["tp"], ab["tp"] + ab["fn"]),
        "false_abstentions": ab["fp"],
        "invented_answers": ab["fn"],
        **{f"recall@{k}": recall_at(ranks, k) for k in RECALL_KS},
        "mrr": mean_reciprocal_rank(ranks),
        "citation_precision": _ratio(sum(support), len(support)) if citations else None,
        "citation_recall": _ratio(sum(r.cites_evidence for r in answerable), len(answerable))
        if citations else None,
        "n_citations": len(support) if citations else None,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "errors": sum(1 for r in records if r.error),
    }
    return out


def category_order(records: Iterable[ItemRecord]) -> list[str]:
    """Known categories in the dataset's canonical order, then any others as met."""
    seen = list(dict.fromkeys(r.category for r in records))
    return [c for c in CATEGORIES if c in seen] + [c for c in seen if c not in CATEGORIES]


def summarise(records: Sequence[ItemRecord], citations: bool = True) -> dict:
    """``{"overall": {...}, "by_category": {cat: {...}}}`` over scored records.

    ``citations=False`` for baselines that cite nothing, so their citation
    figures read as absent instead of zero.
    """
    records = list(records)
    return {
        "overall": _group_summary(records, citations),
        "by_category": {c: _group_summary([r for r in records if r.category == c], citations)
                        for c in category_order(records)},
    }
