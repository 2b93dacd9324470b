"""Hybrid clause retrieval: BM25 over jieba tokens and exact-inner-product FAISS, fused.

Usage::

    from index.config import get_settings
    from index.store import load_store
    from assistant.retrieval import HybridRetriever
    retriever = HybridRetriever.from_store(load_store(get_settings()))
    hits = retriever.search("到2025年普惠性幼儿园覆盖率", k=3)
    hits[0].clause.clause_id   # '10.2.2'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.fusion import reciprocal_rank_fusion, weighted_score_fusion
from index.clauses import Clause
from index.config import Settings
from index.embeddings import make_embeddings
from index.store import Store, tokenizer_for
from index.thesaurus import Thesaurus

MODES = ("hybrid", "bm25", "dense")


@dataclass
class Hit:
    """One retrieved clause with the evidence of why (best chunk, per-retriever scores)."""

    clause: Clause
    score: float
    chunk_text: str
    bm25: float = 0.0
    dense: float = 0.0
    bm25_rank: int | None = None
    dense_rank: int | None = None
    for_part: bool = False  # found for one part of a multi-part question, not for the whole

    def to_dict(self) -> dict:
        return {"clause_id": self.clause.clause_id, "label": self.clause.label,
                "text": self.clause.text, "score": round(float(self.score), 6),
                "bm25": round(float(self.bm25), 4), "dense": round(float(self.dense), 4)}


class HybridRetriever:
    """Finds the clauses that answer a question, in a resident's words or a civil servant's."""

    def __init__(self, store: Store, embeddings, tokenizer, fusion: str = "weighted", rrf_k: int = 60,
                 candidates: int = 30, dense_weight: float = 0.3, thesaurus: Thesaurus | None = None,
                 dense_skip_margin: float = 0.0) -> None:
        if fusion not in ("rrf", "weighted"):
            raise ValueError(f"fusion must be 'rrf' or 'weighted', not {fusion!r}")
        if not 0.0 <= dense_weight <= 1.0:
            raise ValueError("dense_weight must be in [0, 1]")
        if candidates < 1:
            raise ValueError("candidates must be positive")
        if dense_skip_margin != 0.0 and dense_skip_margin < 1.0:
            raise ValueError("dense_skip_margin must be 0 (always embed) or at least 1")
        self.store = store
        self.embeddings = embeddings
        self.tokenizer = tokenizer
        self.fusion = fusion
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.candidates = candidates
        self.thesaurus = thesaurus
        self.dense_skip_margin = dense_skip_margin
        self.chunks = store.chunks
        self._bm25 = store.bm25  # built with the store, not at every start
        self._chunk_clause = [c.clause_id for c in self.chunks]

    @classmethod
    def from_store(cls, store: Store, settings: Settings | None = None) -> "HybridRetriever":
        settings = settings or Settings()
        emb = make_embeddings(settings.embedding_backend, settings.embedding_model,
                              settings.st_query_prefix, settings.st_passage_prefix)
        thesaurus = Thesaurus.load() if settings.query_expansion else None
        return cls(store, emb, tokenizer_for(store), settings.fusion, settings.rrf_k,
                   settings.candidates, settings.dense_weight, thesaurus, settings.dense_skip_margin)

    # -- single retrievers (chunk level) -----------------------------------
    def bm25_scores(self, query: str) -> dict[int, float]:
        tokens = self.tokenizer.tokenize(query, query=True)
        if self.thesaurus is not None:  # the plan's words for the everyday ones the question uses
            for term in self.thesaurus.expand(query):
                tokens += self.tokenizer.tokenize(term, query=True)
        if not tokens:
            return {}
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores)[: self.candidates]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def lexically_decisive(self, query: str, bm25: dict[int, float]) -> bool:
        """True when BM25 alone can be trusted: the question uses the plan's own words (no everyday
        word the thesaurus had to translate) and its best clause clearly outscores the next one.
        Skipping the embedding then saves most of a question's time; eval/README.md has the cost."""
        if not self.dense_skip_margin or (self.thesaurus is not None and self.thesaurus.expand(query)):
            return False
        top = sorted((s for s, _ in self._per_clause(bm25).values()), reverse=True)[:2] + [0.0]
        return top[0] > 0 and top[0] >= self.dense_skip_margin * top[1]

    def dense_scores(self, query: str, vector: np.ndarray | None = None) -> dict[int, float]:
        vec = (self.embeddings.embed_query_array(query) if vector is None else vector).reshape(1, -1)
        sims, ids = self.store.index.search(np.ascontiguousarray(vec, dtype=np.float32),
                                            min(self.candidates, len(self.chunks)))
        return {int(i): float(s) for i, s in zip(ids[0], sims[0]) if i >= 0}

    def embed_queries(self, queries: list[str]) -> dict[str, np.ndarray]:
        """Query vectors by (stripped) text, all in one engine call; the answerer reuses them."""
        todo = list(dict.fromkeys(q.strip() for q in queries if q and q.strip()))
        if len(todo) == 1:
            return {todo[0]: self.embeddings.embed_query_array(todo[0])}
        return dict(zip(todo, self.embeddings.embed_queries_array(todo))) if todo else {}

    # -- clause level ------------------------------------------------------
    def search(self, query: str, k: int = 5, mode: str = "hybrid", vector: np.ndarray | None = None,
               bm25: dict[int, float] | None = None) -> list[Hit]:
        """The k best clauses (best chunk per clause), best first. ``vector`` and ``bm25`` (chunk scores)
        are the query's, when the caller has them already."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if k < 1:
            raise ValueError("k must be positive")
        query = (query or "").strip()
        if not query:
            return []
        bm = (self.bm25_scores(query) if bm25 is None else bm25) if mode in ("hybrid", "bm25") else {}
        dn = self.dense_scores(query, vector) if mode in ("hybrid", "dense") else {}
        bm_clause, dn_clause = self._per_clause(bm), self._per_clause(dn)
        if mode == "bm25":
            fused = {c: s for c, (s, _) in bm_clause.items()}
        elif mode == "dense":
            fused = {c: s for c, (s, _) in dn_clause.items()}
        else:
            fused = self._fuse(bm_clause, dn_clause)
        bm_rank = _ranks(bm_clause)
        dn_rank = _ranks(dn_clause)
        ordered = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        hits = []
        for cid, score in ordered:
            chunk_id = (dn_clause.get(cid) or bm_clause.get(cid))[1]
            hits.append(Hit(clause=self.store.tree.by_id[cid], score=score,
                            chunk_text=self.chunks[chunk_id].text,
                            bm25=bm_clause.get(cid, (0.0, 0))[0], dense=dn_clause.get(cid, (0.0, 0))[0],
                            bm25_rank=bm_rank.get(cid), dense_rank=dn_rank.get(cid)))
        return hits

    def _per_clause(self, chunk_scores: dict[int, float]) -> dict[str, tuple[float, int]]:
        best: dict[str, tuple[float, int]] = {}
        for chunk_id, s in chunk_scores.items():
            cid = self._chunk_clause[chunk_id]
            if cid not in best or s > best[cid][0]:
                best[cid] = (s, chunk_id)
        return best

    def _fuse(self, bm: dict[str, tuple[float, int]], dn: dict[str, tuple[float, int]]) -> dict[str, float]:
        ids = sorted(set(bm) | set(dn))
        index = {cid: i for i, cid in enumerate(ids)}
        if self.fusion == "rrf":
            rankings = [[index[c] for c, _ in sorted(m.items(), key=lambda kv: -kv[1][0])] for m in (bm, dn)]
            scores = reciprocal_rank_fusion(rankings, k=self.rrf_k)
        else:
            scores = weighted_score_fusion([{index[c]: s for c, (s, _) in m.items()} for m in (bm, dn)],
                                           [1.0 - self.dense_weight, self.dense_weight])
        return {ids[i]: s for i, s in scores.items()}


def _ranks(per_clause: dict[str, tuple[float, int]]) -> dict[str, int]:
    order = sorted(per_clause.items(), key=lambda kv: -kv[1][0])
    return {cid: r for r, (cid, _) in enumerate(order, start=1)}
