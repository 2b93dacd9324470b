"""The BM25 index, built once with bm25s at store-build time and kept in the store as plain arrays.

Rebuilding it from tokens at every start cost ~0.1 s plus importing bm25s and scipy (~0.3 s);
scoring is a few numpy additions, so query time needs neither. ``BM25Index.get_scores`` repeats
bm25s's own numpy scoring (``BM25.get_scores``) operation for operation, so its scores are
bit-identical to bm25s's (tests/test_store.py checks that).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

EMPTY_DOC = "<empty>"  # bm25s cannot index a document without tokens


class BM25Index:
    """Precomputed per-(term, chunk) BM25 scores in CSC form: column = vocabulary term."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: list[str],
                 num_docs: int) -> None:
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.num_docs = int(num_docs)
        self.vocab = {token: i for i, token in enumerate(vocab)}

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> "BM25Index":
        """Index chunk token lists with bm25s (Lucene BM25, k1=1.5, b=0.75: its defaults)."""
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index([t or [EMPTY_DOC] for t in token_lists], show_progress=False)
        if bm25.nonoccurrence_array is not None:  # other BM25 variants would need it saved too
            raise ValueError(f"BM25 method {bm25.method!r} is not supported")
        vocab = sorted(bm25.vocab_dict, key=bm25.vocab_dict.__getitem__)
        if [bm25.vocab_dict[t] for t in vocab] != list(range(len(vocab))):
            raise ValueError("bm25s vocabulary ids are not 0..n-1")
        s = bm25.scores
        return cls(s["data"], s["indices"], s["indptr"], vocab, s["num_docs"])

    def save(self, path: Path) -> None:
        """One uncompressed .npz (no pickled objects), so loading is a few memory copies."""
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        with open(path, "wb") as f:
            np.savez(f, data=self.data, indices=self.indices, indptr=self.indptr,
                     vocab=np.array(vocab, dtype=str), num_docs=np.array(self.num_docs))

    @classmethod
    def load(cls, path: Path) -> "BM25Index":
        with np.load(path, allow_pickle=False) as z:
            return cls(z["data"], z["indices"], z["indptr"], z["vocab"].tolist(), int(z["num_docs"]))

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query tokens (unknown tokens ignored), as bm25s computes it."""
        ids = np.asarray([self.vocab[t] for t in tokens if t in self.vocab], dtype=np.int32)
        if int(ids.max(initial=0)) >= len(self.indptr) - 1:
            raise ValueError("query token id outside the index")
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        scores = np.zeros(self.num_docs, dtype=np.float32)
        for start, end in zip(starts, ends):
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores
