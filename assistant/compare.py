"""Side-by-side comparison with the plan above (对照上位规划): on one topic, what the parent plan says and
what the primary plan commits to, clause beside clause, aligned by meaning.

Each plan's clauses on the topic are chosen as the topic briefing chooses them
(:func:`assistant.topic_select.select_topic`, numbers in ``Settings.brief``). Every primary clause is
then placed beside the parent clause whose on-topic sentences are closest to its own in meaning (the
e5 cosine of their closest pair of on-topic sentences), when that closeness reaches ``CompareParams.align_min``; a parent
clause nothing lines up with is shown with an empty side (the district says nothing like it), and a
primary clause close to no parent clause is shown last, on its own (the district's own measure).
Every line is a verbatim sentence with its clause cited; nothing is paraphrased.

>>> cmp = bot.compare("养老")                                   # doctest: +SKIP
>>> cmp.rows[0].upper[0].citation.plan, cmp.rows[0].local[0].citation.plan   # doctest: +SKIP
('national_14th', 'qiaoxi_14th')
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.retrieval import HybridRetriever
from assistant.topic_select import Pick, Selection
from assistant.types import Citation


class CompareError(ValueError):
    """A comparison that cannot be made: no plan above is loaded, or neither plan speaks of the topic."""


@dataclass(frozen=True)
class ComparedClause:
    """One clause on the topic: its citation (plan, id, label as cited, full text) and the sentences of
    it that are on the topic (verbatim)."""

    citation: Citation
    sentences: tuple[str, ...]

    def to_dict(self) -> dict:
        return {**self.citation.to_dict(), "sentences": list(self.sentences)}


@dataclass(frozen=True)
class ComparisonRow:
    """Parent-plan clauses and the primary plan's clauses that say the same thing (either side may be
    empty); ``similarity`` is the e5 cosine of the closest pair (0 when a side is empty)."""

    upper: tuple[ComparedClause, ...]
    local: tuple[ComparedClause, ...]
    similarity: float

    def to_dict(self) -> dict:
        return {"upper": [c.to_dict() for c in self.upper], "local": [c.to_dict() for c in self.local],
                "similarity": round(self.similarity, 4)}


@dataclass(frozen=True)
class Comparison:
    topic: str
    upper_plan: str  # the parent plan's short name
    local_plan: str  # the primary plan's short name
    rows: tuple[ComparisonRow, ...]

    @property
    def aligned(self) -> int:
        return sum(1 for r in self.rows if r.upper and r.local)

    def to_dict(self) -> dict:
        return {"topic": self.topic, "upper_plan": self.upper_plan, "local_plan": self.local_plan,
                "rows": [r.to_dict() for r in self.rows]}

    def to_markdown(self) -> str:
        """The comparison as a document to paste: one block per row, each sentence with its marker, and
        the cited clauses (with their plans) at the end."""
        refs: dict[tuple[str, str], int] = {}
        labels: list[str] = []

        def cite(c: ComparedClause) -> str:
            key = (c.citation.plan, c.citation.clause_id)
            if key not in refs:
                refs[key] = len(refs) + 1
                labels.append(c.citation.label)
            return "".join(c.sentences) + f"[{refs[key]}]"

        out = [f"# 对照上位规划：{self.topic}", "", f"左：{self.upper_plan}　右：{self.local_plan}", ""]
        for n, row in enumerate(self.rows, start=1):
            out.append(f"## {n}.")
            out += [f"- {self.upper_plan}：{cite(c)}" for c in row.upper] or [f"- {self.upper_plan}：（未见相应表述）"]
            out += [f"- {self.local_plan}：{cite(c)}" for c in row.local] or [f"- {self.local_plan}：（未见相应表述）"]
            out.append("")
        out.append("## 参考条款")
        out += [f"[{i}] {label}" for i, label in enumerate(labels, start=1)]
        return "\n".join(out) + "\n"


def align(upper: Selection, local: Selection, upper_retriever: HybridRetriever,
          local_retriever: HybridRetriever, cite_upper, cite_local, align_min: float) -> tuple[ComparisonRow, ...]:
    """The rows of a comparison: parent clauses in their plan's order, each with the primary clauses
    closest to it; then the primary clauses close to none (in their plan's order)."""
    up = [ComparedClause(cite_upper(p), p.sentences) for p in upper.picks]
    lo = [ComparedClause(cite_local(p), p.sentences) for p in local.picks]
    if not up or not lo:
        return tuple([ComparisonRow((u,), (), 0.0) for u in up] + [ComparisonRow((), (l,), 0.0) for l in lo])
    sims = _pair_max(_sentence_vectors(local.picks, local_retriever), _sentence_vectors(upper.picks, upper_retriever))
    best = sims.argmax(axis=1)
    beside: dict[int, list[int]] = {}
    alone = []
    for i, j in enumerate(best):
        (beside.setdefault(int(j), []).append(i) if sims[i, j] >= align_min else alone.append(i))
    rows = [ComparisonRow((u,), tuple(lo[i] for i in beside.get(j, [])),
                          max((float(sims[i, j]) for i in beside.get(j, [])), default=0.0))
            for j, u in enumerate(up)]
    rows += [ComparisonRow((), (lo[i],), 0.0) for i in alone]
    return tuple(rows)


def _sentence_vectors(picks: tuple[Pick, ...], retriever: HybridRetriever) -> list[np.ndarray]:
    """Each pick's on-topic sentences' vectors (rows), from the store (a sentence the store lacks, as a
    heading's, is skipped; a pick left with none gets one zero row: it is close to nothing)."""
    row = {s: i for i, s in enumerate(retriever.store.sentences)}
    vectors = retriever.store.sentence_vectors
    out = []
    for pick in picks:
        idx = [row[s] for s in pick.sentences if s in row]
        out.append(vectors[idx] if idx else np.zeros((1, vectors.shape[1]), dtype=np.float32))
    return out


def _pair_max(local: list[np.ndarray], upper: list[np.ndarray]) -> np.ndarray:
    """(local pick, upper pick) → the cosine of their closest pair of sentences: two long clauses that
    share one commitment (养老保险 in a paragraph on many things) line up on it, which their mean
    vectors, blurred by everything else they say, would miss."""
    sims = np.vstack(local) @ np.vstack(upper).T
    rows = np.cumsum([0] + [len(v) for v in local[:-1]])
    cols = np.cumsum([0] + [len(v) for v in upper[:-1]])
    return np.maximum.reduceat(np.maximum.reduceat(sims, rows, axis=0), cols, axis=1)
