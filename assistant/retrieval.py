"""Hybrid clause retrieval: four ranked lists of clauses, fused with fitted weights.

- BM25 over jieba words and character bigrams (the plan's own words);
- dense chunks: exact inner product over the chunks' passage vectors (FAISS);
- dense sentences: the best of a clause's sentences by cosine with the question;
- hypothetical questions: the best of the questions a resident would ask that the clause answers,
  matched question to question (data/plans/<plan>/questions.jsonl, embedded at build time).
The last two carry a resident's everyday words to the plan's clauses by meaning, not by shared words.

Usage::

    from index.config import get_settings
    from index.store import load_store
    from assistant.retrieval import HybridRetriever
    retriever = HybridRetriever.from_store(load_store(get_settings()))
    hits = retriever.search("普惠性幼儿园覆盖率", k=3)
    hits[0].clause.clause_id   # '10.2.2'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.fusion import reciprocal_rank_fusion, weighted_score_fusion
from assistant.text import idf_table
from index.chunker import clause_sentences
from index.clauses import Clause
from index.config import Settings
from index.store import Store, tokenizer_for
from index.thesaurus import Thesaurus

MODES = ("hybrid", "bm25", "dense")
LISTS = ("bm25", "dense", "sentence", "question")  # the ranked lists hybrid search fuses, in weight order


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
    sentence: float = 0.0  # best cosine of one of the clause's sentences with the question
    question: float = 0.0  # best cosine of one of the clause's hypothetical questions with the question

    # The public contract (DESIGN.md): a hit reads like the clause it found.
    @property
    def clause_id(self) -> str:
        return self.clause.clause_id

    @property
    def label(self) -> str:
        return self.clause.label

    @property
    def text(self) -> str:
        return self.clause.text

    def to_dict(self) -> dict:
        return {"clause_id": self.clause.clause_id, "label": self.clause.label,
                "text": self.clause.text, "score": round(float(self.score), 6),
                "bm25": round(float(self.bm25), 4), "dense": round(float(self.dense), 4)}


class HybridRetriever:
    """Finds the clauses that answer a question, in a resident's words or a civil servant's."""

    def __init__(self, store: Store, embeddings, tokenizer, fusion: str = "weighted", rrf_k: int = 60,
                 candidates: int = 30, weights: tuple[float, ...] = (0.8, 0.2, 0.0, 0.0),
                 thesaurus: Thesaurus | None = None, dense_skip_margin: float = 0.0,
                 dense_skip_coverage: float = 1.0, scope_neighbours: int = 10) -> None:
        if fusion not in ("rrf", "weighted"):
            raise ValueError(f"fusion must be 'rrf' or 'weighted', not {fusion!r}")
        if len(weights) != len(LISTS) or any(w < 0 for w in weights) or not sum(weights):
            raise ValueError(f"weights: one non-negative weight for each of {LISTS}, not all zero")
        if not 0.0 <= dense_skip_coverage <= 1.0:
            raise ValueError("dense_skip_coverage must be in [0, 1]")
        if candidates < 1:
            raise ValueError("candidates must be positive")
        if scope_neighbours < 1:
            raise ValueError("scope_neighbours must be positive")
        if dense_skip_margin != 0.0 and dense_skip_margin < 1.0:
            raise ValueError("dense_skip_margin must be 0 (always embed) or at least 1")
        self.store = store
        self.embeddings = embeddings
        self.tokenizer = tokenizer
        self.fusion = fusion
        self.rrf_k = rrf_k
        self.weights = tuple(float(w) for w in weights)
        self.candidates = candidates
        self.thesaurus = thesaurus
        self.dense_skip_margin = dense_skip_margin
        self.dense_skip_coverage = dense_skip_coverage
        self.chunks = store.chunks
        self._bm25 = store.bm25  # built with the store, not at every start
        self._chunk_clause = [c.clause_id for c in self.chunks]
        # Each clause's BM25 terms (over its chunks) and the terms' idf, for the term-coverage checks;
        # the answerer weighs a question's words with the same idf.
        self._clause_terms: dict[str, set[str]] = {}
        for cid, toks in zip(self._chunk_clause, store.tokens):
            self._clause_terms.setdefault(cid, set()).update(toks)
        self.idf = idf_table(store.tokens)
        self._unknown_idf = max(self.idf.values(), default=1.0)  # a term the plan never uses
        # Sentence rows and hypothetical-question rows → the clauses they belong to.
        # (as index arrays, so that a question's best sentence and question per clause is one numpy call)
        row = {s: i for i, s in enumerate(store.sentences)}
        self._clause_ids = [c.clause_id for c in store.tree.clauses]
        clause_index = {cid: i for i, cid in enumerate(self._clause_ids)}
        pairs = [(row[s], clause_index[c.clause_id]) for c in store.tree.clauses
                 for s in dict.fromkeys(clause_sentences(c.text)) if s in row]
        self._sentence_row_idx = np.array([r for r, _ in pairs], dtype=np.int64)
        self._sentence_clause_idx = np.array([c for _, c in pairs], dtype=np.int64)
        # The questions written for a whole clause rank clauses and feed the scope model; those written for one
        # sentence's figure (a "sentence" field) are the answerer's (ExtractiveAnswerer.figure_match) and
        # would otherwise pull every figure sentence's clause up for any question asking how many.
        clause_rows = [i for i, q in enumerate(store.questions) if not q.get("sentence")]
        self._clause_question_vectors = store.question_vectors[clause_rows]
        self._question_clause = [store.questions[i]["clause_id"] for i in clause_rows]
        self._question_clause_idx = np.array([clause_index[c] for c in self._question_clause], dtype=np.int64)
        self.scope_neighbours = scope_neighbours
        self._scope_rows, self._scope_centre = _centred(np.concatenate([self._clause_question_vectors,
                                                                        store.out_of_scope_vectors]))
        self._scope_in_plan = np.r_[np.ones(len(self._clause_question_vectors)),
                                    np.zeros(len(store.out_of_scope_vectors))]

    @classmethod
    def from_store(cls, store: Store, settings: Settings | None = None, embeddings=None) -> "HybridRetriever":
        """The retriever of a loaded store; ``embeddings`` shares a model already loaded (another plan's)."""
        settings = settings or Settings()
        from index.embeddings import make_embeddings

        emb = embeddings or make_embeddings(settings.embedding_backend, settings.embedding_model,
                                            settings.st_query_prefix, settings.st_passage_prefix)
        thesaurus = Thesaurus.load() if settings.query_expansion else None
        return cls(store, emb, tokenizer_for(store), settings.fusion, settings.rrf_k,
                   settings.candidates, settings.fusion_weights, thesaurus, settings.dense_skip_margin,
                   settings.dense_skip_coverage, settings.scope_neighbours)

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
        word the thesaurus had to translate), its best clause clearly outscores the next one, and that
        clause holds (idf-weighted) nearly all of the question's terms. The last condition keeps a
        question that shares one word with the plan in another sense ('锻炼身体' and '挂职锻炼') on the
        meaning path. Skipping the embedding saves most of a question's time; eval/README.md has the cost."""
        if not self.dense_skip_margin or (self.thesaurus is not None and self.thesaurus.expand(query)):
            return False
        per_clause = self._per_clause(bm25)
        ranked = sorted(per_clause.items(), key=lambda kv: -kv[1][0])[:2]
        top = [s for _, (s, _) in ranked] + [0.0, 0.0]
        if not (top[0] > 0 and top[0] >= self.dense_skip_margin * top[1]):
            return False
        return self.term_coverage(query, ranked[0][0]) >= self.dense_skip_coverage

    def term_coverage(self, query: str, clause_id: str) -> float:
        """idf-weighted share of the query's BM25 terms that occur in the clause's chunks."""
        terms = set(self.tokenizer.tokenize(query, query=True))
        if not terms:
            return 0.0
        have = self._clause_terms.get(clause_id, set())
        weight = {t: self.idf.get(t, self._unknown_idf) for t in terms}
        return sum(w for t, w in weight.items() if t in have) / sum(weight.values())

    def scope_features(self, text: str, vector: np.ndarray, bm25: dict[int, float]) -> dict[str, float]:
        """What the scope model (assistant.scope.FEATURES) reads of a question, from its own words."""
        sims = self._clause_question_vectors @ vector if len(self._question_clause) else np.zeros(1)
        dense = self.dense_scores(text, vector)
        best_bm25 = max(self._per_clause(bm25).items(), key=lambda kv: kv[1][0], default=None)
        words = [w for w in self.tokenizer.words(text, query=True) if len(w) >= 2]
        off = self.store.out_of_scope_vectors
        return {"question_cos": float(sims.max()),
                "neighbour_vote": self.neighbour_vote(vector),
                "out_of_scope_cos": float((off @ vector).max()) if len(off) else 0.0,
                "sentence_cos": float((self.store.sentence_vectors @ vector).max()),
                "dense_cos": max(dense.values(), default=0.0),
                "bm25_coverage": self.term_coverage(text, best_bm25[0]) if best_bm25 else 0.0,
                "known_words": sum(w in self.idf for w in words) / len(words) if words else 0.0}

    def neighbour_vote(self, vector: np.ndarray) -> float:
        """Share of the plan's hypothetical questions among the question's ``scope_neighbours`` nearest
        questions (the plan's and the ones no plan answers). Cosines are taken after subtracting the
        questions' mean vector: e5 puts every short Chinese question at cosine 0.85–0.9 with every other,
        so the single best match barely separates a resident's question from the weather; centred, the
        neighbours do (eval/README.md)."""
        if not len(self._scope_rows):
            return 0.0
        centred = vector - self._scope_centre
        sims = self._scope_rows @ (centred / (np.linalg.norm(centred) or 1.0))
        k = min(self.scope_neighbours, len(sims))
        return float(self._scope_in_plan[np.argpartition(-sims, k - 1)[:k]].mean())

    def meaning_scores(self, vector: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
        """Per clause: the best sentence cosine and the best hypothetical-question cosine."""
        return (self._best_per_clause(self.store.sentence_vectors[self._sentence_row_idx] @ vector,
                                      self._sentence_clause_idx),
                self._best_per_clause(self._clause_question_vectors @ vector, self._question_clause_idx))

    def _best_per_clause(self, sims: np.ndarray, clause_idx: np.ndarray) -> dict[str, float]:
        if not len(sims):
            return {}
        best = np.full(len(self._clause_ids), -np.inf, dtype=np.float32)
        np.maximum.at(best, clause_idx, sims.astype(np.float32))
        found = np.flatnonzero(best > -np.inf)
        return dict(zip((self._clause_ids[i] for i in found), best[found].tolist()))

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
        if mode in ("hybrid", "dense") and vector is None:
            vector = self.embeddings.embed_query_array(query)
        dn = self.dense_scores(query, vector) if mode in ("hybrid", "dense") else {}
        bm_clause, dn_clause = self._per_clause(bm), self._per_clause(dn)
        sent, ques = self.meaning_scores(vector) if mode == "hybrid" else ({}, {})
        if mode == "bm25":
            fused = {c: s for c, (s, _) in bm_clause.items()}
        elif mode == "dense":
            fused = {c: s for c, (s, _) in dn_clause.items()}
        else:
            fused = self.fuse(self._ranked_lists(bm_clause, dn_clause, sent, ques))
        bm_rank = _ranks(bm_clause)
        dn_rank = _ranks(dn_clause)
        ordered = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        hits = []
        for cid, score in ordered:
            best = dn_clause.get(cid) or bm_clause.get(cid)
            clause = self.store.tree.by_id[cid]
            hits.append(Hit(clause=clause, score=score,
                            chunk_text=self.chunks[best[1]].text if best else clause.text,
                            bm25=bm_clause.get(cid, (0.0, 0))[0], dense=dn_clause.get(cid, (0.0, 0))[0],
                            bm25_rank=bm_rank.get(cid), dense_rank=dn_rank.get(cid),
                            sentence=sent.get(cid, 0.0), question=ques.get(cid, 0.0)))
        return hits

    def _per_clause(self, chunk_scores: dict[int, float]) -> dict[str, tuple[float, int]]:
        best: dict[str, tuple[float, int]] = {}
        for chunk_id, s in chunk_scores.items():
            cid = self._chunk_clause[chunk_id]
            if cid not in best or s > best[cid][0]:
                best[cid] = (s, chunk_id)
        return best

    def ranked_lists(self, query: str, vector: np.ndarray) -> list[dict[str, float]]:
        """The four lists' clause scores (in ``LISTS`` order) that hybrid search fuses: what
        ``python -m eval.fit`` fits the weights on."""
        return self._ranked_lists(self._per_clause(self.bm25_scores(query)),
                                  self._per_clause(self.dense_scores(query, vector)), *self.meaning_scores(vector))

    def _ranked_lists(self, bm: dict[str, tuple[float, int]], dn: dict[str, tuple[float, int]],
                      sent: dict[str, float], ques: dict[str, float]) -> list[dict[str, float]]:
        # (each meaning list brings as many candidates as the chunk lists do)
        return [{c: s for c, (s, _) in bm.items()}, {c: s for c, (s, _) in dn.items()},
                _top(sent, self.candidates), _top(ques, self.candidates)]

    def fuse(self, lists: list[dict[str, float]], weights: tuple[float, ...] | None = None) -> dict[str, float]:
        """Clause scores of the four lists (in ``LISTS`` order) fused with ``weights`` (the settings'
        when not given)."""
        weights = self.weights if weights is None else weights
        ids = sorted(set().union(*lists))
        index = {cid: i for i, cid in enumerate(ids)}
        if self.fusion == "rrf":
            rankings = [[index[c] for c, _ in sorted(m.items(), key=lambda kv: -kv[1])] for m in lists]
            scores = reciprocal_rank_fusion(rankings, k=self.rrf_k, weights=weights)
        else:
            scores = weighted_score_fusion([{index[c]: s for c, s in m.items()} for m in lists], weights)
        return {ids[i]: s for i, s in scores.items()}


def _top(scores: dict[str, float], n: int) -> dict[str, float]:
    """The n best of a clause → score map."""
    return dict(sorted(scores.items(), key=lambda kv: -kv[1])[:n])


def _ranks(per_clause: dict[str, tuple[float, int]]) -> dict[str, int]:
    order = sorted(per_clause.items(), key=lambda kv: -kv[1][0])
    return {cid: r for r, (cid, _) in enumerate(order, start=1)}


def _centred(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` minus their mean, each scaled to unit length, and that mean."""
    if not len(rows):
        return rows, np.zeros(rows.shape[1:], dtype=np.float32)
    centre = rows.mean(axis=0)
    out = rows - centre
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float32), centre.astype(np.float32)
