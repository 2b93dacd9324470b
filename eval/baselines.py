"""Baselines measured in the same process, on the same questions, as the assistant.

- ``bm25-only`` / ``dense-only``: the assistant's own retrievers without fusion
  (``bot.retrieve(mode=...)``), queried with the same condensed query the system
  used; the "answer" is the top clause's text.  They isolate what fusion adds.
- ``naive-langchain``: what a user would build in an afternoon:
  ``RecursiveCharacterTextSplitter(500, 50)`` over the raw plan text, the same
  embedding model, an exact inner-product FAISS index, answer = top chunk,
  never abstains, no conversation handling (it sees the raw question).  Its
  retrieval unit is a 500-character chunk, coarser than a clause, which makes
  its recall@k easier to reach than the system's.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from eval.dataset import EvalItem
from eval.metrics import ItemRecord, score_record, summarise
from eval.runner import RETRIEVAL_K, SystemRun, base_record

NAIVE_CHUNK_SIZE = 500
NAIVE_CHUNK_OVERLAP = 50
NAIVE_SEPARATORS = ["\n\n", "\n", "。", "；", "，", ""]

NOTES = {
    "bm25": "the system's BM25 retriever alone (clause level); answer = top clause text",
    "dense": "the system's dense retriever alone (clause level); answer = top clause text",
    "naive": (f"RecursiveCharacterTextSplitter({NAIVE_CHUNK_SIZE}, {NAIVE_CHUNK_OVERLAP}) + same "
              "embeddings + faiss.IndexFlatIP; answer = top chunk, never abstains, raw question; "
              f"retrieval unit = {NAIVE_CHUNK_SIZE}-char chunk (coarser than a clause)"),
}


def _top_answer_record(item: EvalItem, query: str, ids: list[str], texts: list[str],
                       latency_ms: float) -> ItemRecord:
    """Record for an 'answer = top retrieved unit' baseline; no hit means it abstained."""
    rec = base_record(item)
    rec.query = query
    rec.retrieved_ids, rec.retrieved_texts = ids, texts
    rec.answer = texts[0] if texts else ""
    rec.abstained = not texts
    rec.shows_plan_text = bool(texts)
    rec.latency_ms = latency_ms
    return score_record(rec)


def run_retriever_baseline(bot: Any, items: Sequence[EvalItem], mode: str,
                           queries: dict[str, str]) -> SystemRun:
    """One of the system's single retrievers; ``queries`` maps item id → condensed query."""
    records = []
    for item in items:
        query = queries.get(item.id) or item.question
        t0 = time.perf_counter()
        hits = bot.retrieve(query, k=RETRIEVAL_K, mode=mode)
        ms = (time.perf_counter() - t0) * 1000
        records.append(_top_answer_record(item, query, [h.clause.clause_id for h in hits],
                                          [h.clause.text for h in hits], ms))
    return SystemRun(name=f"{mode}-only", records=records, summary=summarise(records, citations=False),
                     load_seconds=0.0, notes=NOTES[mode])


class NaivePipeline:
    """Split → embed → FAISS flat inner product: the pipeline from LangChain tutorials."""

    def __init__(self, plan_text: str, embeddings: Any) -> None:
        import faiss
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=NAIVE_CHUNK_SIZE,
                                                  chunk_overlap=NAIVE_CHUNK_OVERLAP,
                                                  separators=NAIVE_SEPARATORS)
        self.chunks: list[str] = splitter.split_text(plan_text)
        self.embeddings = embeddings
        vectors = _as_matrix(_embed_documents(embeddings, self.chunks))
        faiss.normalize_L2(vectors)
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)
        self.build_seconds = time.perf_counter() - t0

    def search(self, question: str, k: int = RETRIEVAL_K) -> list[tuple[int, str]]:
        """The k most similar chunks as (chunk number, text), best first."""
        import faiss

        vec = _as_matrix(_embed_query(self.embeddings, question))
        faiss.normalize_L2(vec)
        _, ids = self.index.search(vec, min(k, len(self.chunks)))
        return [(int(i), self.chunks[int(i)]) for i in ids[0] if i >= 0]


def _embed_documents(embeddings: Any, texts: list[str]) -> Any:
    """Use the fast array method when the project's embeddings have it, else plain LangChain."""
    if hasattr(embeddings, "embed_documents_array"):
        return embeddings.embed_documents_array(texts)
    return embeddings.embed_documents(texts)


def _embed_query(embeddings: Any, text: str) -> Any:
    if hasattr(embeddings, "embed_query_array"):
        return embeddings.embed_query_array(text)
    return embeddings.embed_query(text)


def _as_matrix(vectors: Any) -> np.ndarray:
    """A C-contiguous float32 2-D array, as faiss requires."""
    arr = np.asarray(vectors, dtype=np.float32)
    return np.ascontiguousarray(arr.reshape(1, -1) if arr.ndim == 1 else arr)


def run_naive_baseline(bot: Any, items: Sequence[EvalItem], plan_path: str | Path | Sequence[Path]) -> SystemRun:
    """Build the naive pipeline over the raw text of the plan (or of every plan, one after the other)
    and ask it every raw question."""
    paths = [plan_path] if isinstance(plan_path, (str, Path)) else list(plan_path)
    text = "\n".join(Path(p).read_text(encoding="utf-8") for p in paths)
    pipeline = NaivePipeline(text, bot.retriever.embeddings)
    records = []
    for item in items:
        t0 = time.perf_counter()
        found = pipeline.search(item.question)
        ms = (time.perf_counter() - t0) * 1000
        records.append(_top_answer_record(item, item.question, [f"chunk-{i}" for i, _ in found],
                                          [t for _, t in found], ms))
    notes = f"{NOTES['naive']}; {len(pipeline.chunks)} chunks"
    return SystemRun(name="naive-langchain", records=records, summary=summarise(records, citations=False),
                     load_seconds=pipeline.build_seconds, notes=notes)


def run_baselines(bot: Any, items: Sequence[EvalItem], system: SystemRun,
                  plan_path: str | Path | Sequence[Path]) -> list[SystemRun]:
    """All three baselines, on the same items the system was asked."""
    queries = {r.id: r.query for r in system.records}
    return [run_retriever_baseline(bot, items, "bm25", queries),
            run_retriever_baseline(bot, items, "dense", queries),
            run_naive_baseline(bot, items, plan_path)]
