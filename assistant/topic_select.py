"""Which clauses and sentences of the plan belong to a topic typed in everyday words (养老, 体育, 商贸).

A briefing on a topic must hold everything the plan says about it and nothing else. Selection is by
meaning and by the plan's own structure, never by a word list per topic:

1. hybrid retrieval (BM25 with the thesaurus's plan terms, dense chunks, dense sentences, hypothetical
   questions) ranks the clauses for the topic; a clause is kept when its fused score is a large enough
   share of the best clause's and one of its sentences or questions is close enough in meaning;
2. a heading whose title names the topic (a section 「推进教育均衡发展」 for 教育) pulls in every paragraph
   below it, and a paragraph whose own title names the topic is taken whole;
3. inside any other kept clause only the sentences on the topic stay: those naming it (or a plan term
   the thesaurus gives for it) and those close to it in meaning, by an absolute and a relative cut;
4. the review of the previous period (``review``: its paragraphs) gives its closest sentence to the topic
   when retrieval kept that paragraph: each of its paragraphs sums up a whole field in a sentence or two,
   so that sentence trails the plan's dedicated ones and the cut of 3 would drop the topic's current state.

Every number is in :class:`index.config.BriefParams`.

>>> sel = select_topic("养老", bot.retriever, bot.settings.brief)      # doctest: +SKIP
>>> [p.clause_id for p in sel.picks][:3]                              # doctest: +SKIP
['1.1.8.1', '5.4.2.1', '5.4.2.3']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.retrieval import HybridRetriever
from index.chunker import clause_sentences
from index.clauses import Clause, ClauseTree
from index.config import BriefParams

# Where a compound topic splits into its parts: 「交通与停车」 is about 交通 and about 停车.
_TOPIC_SEP = re.compile(r"[\s,，、;；/与和及]+")
_MIN_TERM = 2  # a one-character piece (「与」 left over, 「房」) names nothing on its own


@dataclass(frozen=True)
class Pick:
    """One clause on the topic and the sentences of it that are (all of them when ``whole``)."""

    clause: Clause
    sentences: tuple[str, ...]
    whole: bool
    score: float  # the fused retrieval score relative to the best clause (1.0 for the best)

    @property
    def clause_id(self) -> str:
        return self.clause.clause_id


@dataclass(frozen=True)
class Selection:
    """The topic's clauses in plan order, the terms that name it, and whether anything was found."""

    topic: str
    terms: tuple[str, ...]
    picks: tuple[Pick, ...]

    @property
    def clause_ids(self) -> list[str]:
        return [p.clause_id for p in self.picks]


def topic_terms(topic: str, retriever: HybridRetriever) -> tuple[str, ...]:
    """The topic, its parts (「交通与停车」→ 交通, 停车) and the plan terms the thesaurus gives for them."""
    parts = [p for p in _TOPIC_SEP.split(topic) if len(p) >= _MIN_TERM]
    extra = retriever.thesaurus.expand(topic) if retriever.thesaurus is not None else []
    return tuple(dict.fromkeys([topic, *parts, *extra]))


def select_topic(topic: str, retriever: HybridRetriever, params: BriefParams,
                 vector: np.ndarray | None = None, review: frozenset[str] = frozenset()) -> Selection:
    """The clauses and sentences of the plan on ``topic`` (already cleaned), in plan order; ``review`` holds
    the clause ids of the paragraphs that look back on the previous period (step 4; none: no such step)."""
    tree: ClauseTree = retriever.store.tree
    terms = topic_terms(topic, retriever)
    # A topic of several words (文化旅游 → 文化, 旅游) is named by a sentence that uses all of them.
    words = tuple(w for w in retriever.tokenizer.words(topic, query=True) if len(w) >= _MIN_TERM)
    words = words if len(words) > 1 else ()

    def names(sentence: str) -> bool:
        return any(t in sentence for t in terms) or bool(words) and all(w in sentence for w in words)

    if vector is None:
        vector = retriever.embed_queries([topic])[topic]
    query = " ".join(dict.fromkeys([topic, *terms]))
    first = retriever.search(query, k=1, vector=vector)
    if not first or first[0].score <= 0:
        return Selection(topic, terms, ())
    # Paragraphs below a heading naming the topic, kept only where retrieval agrees that the section
    # is about it (「优化创新生态环境」 names 生态环境 in another sense).
    sections = _titled_on_topic(tree, terms)
    whole = set().union(*sections.values())
    # The topic as the plan itself treats it: the short topic's vector moved toward its own section's
    # sentences (the titled section, else the best clause), so '城市更新' also finds 老旧小区改造.
    meaning = _toward_core(retriever, vector, whole or {first[0].clause_id}, params.core_weight)
    hits = retriever.search(query, k=params.candidates, vector=meaning)
    # Relative to the best paragraph: a glossary entry named exactly like the topic (「“1+4+N”社区治理」)
    # outscores every paragraph and would set the bar where no paragraph reaches it.
    best = max((h.score for h in hits if h.clause.kind != "glossary"), default=hits[0].score)
    scored = {h.clause_id: h.score / best for h in hits
              if h.score / best >= params.relative_cutoff and max(h.sentence, h.question) >= params.min_cosine}
    whole = set().union(*(below for below in sections.values()
                          if len(below & scored.keys()) >= params.section_share * len(below)))

    sentence_cos = _sentence_cosines(retriever, meaning)
    top = max(sentence_cos.values(), default=0.0)
    review_best = max(((sentence_cos.get(s, 0.0), cid, s) for cid in review if cid in tree.by_id
                       for s in clause_sentences(tree.by_id[cid].text)), default=None)
    picks = []
    for clause in tree.clauses:
        cid = clause.clause_id
        if clause.kind not in ("paragraph", "glossary") or (cid not in scored and cid not in whole):
            continue
        sentences = [s for s in clause_sentences(clause.text) if s.strip("。；;") != clause.title]
        if cid in whole:
            kept = sentences
        else:
            cos = {s: sentence_cos.get(s, 0.0) for s in sentences}
            # A clause retrieval ranks near the best speaks of the topic at least in its closest sentence.
            own_best = max(cos.values(), default=0.0) if scored.get(cid, 0.0) >= params.strong_clause else 2.0
            kept = [s for s in sentences
                    if cos[s] >= top - params.sentence_margin
                    or cos[s] >= top - params.named_margin and (names(s) or cos[s] >= own_best)
                    or review_best is not None and (cid, s) == review_best[1:]]
        if kept:
            picks.append(Pick(clause, tuple(kept), cid in whole, scored.get(cid, 0.0)))
    return Selection(topic, terms, tuple(picks))


def _toward_core(retriever: HybridRetriever, vector: np.ndarray, core: set[str], weight: float) -> np.ndarray:
    """The topic's vector plus ``weight`` times the mean of its core clauses' sentence vectors, normalised."""
    row = {s: i for i, s in enumerate(retriever.store.sentences)}
    tree = retriever.store.tree
    idx = [row[s] for cid in sorted(core) for s in clause_sentences(tree.by_id[cid].text) if s in row]
    if not idx or weight <= 0:
        return vector
    centre = retriever.store.sentence_vectors[idx].mean(axis=0)
    moved = vector + weight * centre / np.linalg.norm(centre)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


def _titled_on_topic(tree: ClauseTree, terms: tuple[str, ...]) -> dict[str, set[str]]:
    """Clauses whose title names the topic → the paragraphs they make wholly on it: a paragraph itself,
    or every paragraph below a section or subsection heading (a chapter's title is a slogan spanning
    many topics)."""
    out: dict[str, set[str]] = {}
    for c in tree.clauses:
        if not c.title or not any(t in c.title for t in terms):
            continue
        if c.kind == "paragraph":
            out[c.clause_id] = {c.clause_id}
        elif c.kind == "heading" and c.level >= 2:
            prefix = c.clause_id + "."
            out[c.clause_id] = {d.clause_id for d in tree.clauses
                                if d.kind == "paragraph" and d.clause_id.startswith(prefix)}
    return out


def _sentence_cosines(retriever: HybridRetriever, vector: np.ndarray) -> dict[str, float]:
    """Every sentence of the plan (as the store embedded it) → its cosine with the topic."""
    store = retriever.store
    sims = store.sentence_vectors @ vector
    return dict(zip(store.sentences, sims.tolist()))


__all__ = ["Pick", "Selection", "select_topic", "topic_terms"]
