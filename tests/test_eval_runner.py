"""Tests of the evaluation runner: metric functions on hand-made records, report writing,
and a smoke run against the real assistant (structure and counts only, never scores)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from eval import metrics as m
from eval.__main__ import parse_args, run
from eval.baselines import NAIVE_CHUNK_SIZE, NaivePipeline, run_baselines
from eval.dataset import EvalItem, load_dataset
from eval.metrics import CitedClause, ItemRecord
from eval.report import fmt, ratio_to, write_reports
from eval.runner import EvalRun, run_system, select_items, today

PROJECT = Path(__file__).resolve().parent.parent
REAL_DATASET = PROJECT / "eval" / "datasets" / "plan_qa.jsonl"

RECORD_KEYS = {"id", "category", "question", "answerable", "key_facts", "min_facts", "evidence",
               "answer", "abstained", "cited", "query", "retrieved_ids", "latency_ms", "error",
               "facts_found", "correct", "evidence_rank", "citation_support", "cites_evidence"}
SUMMARY_KEYS = {"n", "n_answerable", "n_correct", "accuracy", "abstention_precision",
                "abstention_recall", "false_abstentions", "invented_answers", "recall@1", "recall@3",
                "recall@5", "mrr", "citation_precision", "citation_recall", "latency_p50_ms",
                "latency_p95_ms", "errors"}


def rec(**kw) -> ItemRecord:
    """A hand-made answerable record; override any field."""
    base = dict(id="x-1", category="number", question="q", answerable=True, key_facts=["85%"],
                min_facts=1, evidence=["普惠性幼儿园覆盖率达到85%"])
    return ItemRecord(**{**base, **kw})


# -- answer accuracy ----------------------------------------------------------------


def test_fact_hits_normalise_both_sides():
    assert m.fact_hits("覆盖率达到 85% [1]。", ["85%"]) == ["85%"]
    assert m.fact_hits("覆盖率达到８５％。", ["85%"]) == ["85%"]  # full-width digits (NFKC)
    assert m.fact_hits("覆盖率达到86%。", ["85%"]) == []


def test_answer_correct_needs_min_facts():
    facts = ["金融", "商贸", "科技信息"]
    assert not m.answer_correct(True, False, "金融和科技", facts, 2)
    assert m.answer_correct(True, False, "金融、商贸", facts, 2)


def test_abstaining_is_wrong_for_answerable_even_with_facts():
    assert not m.answer_correct(True, True, "85%", ["85%"], 1)


def test_unanswerable_is_correct_iff_abstained():
    assert m.answer_correct(False, True, "规划中没有明确提到", [], 0)
    assert not m.answer_correct(False, False, "某个编造的答案", [], 0)


# -- retrieval ----------------------------------------------------------------------


def test_evidence_rank_is_first_unit_containing_evidence():
    texts = ["无关条款", "到 2025 年,普惠性幼儿园覆盖率达到 85% ,公办…", "普惠性幼儿园覆盖率达到85%"]
    assert m.evidence_rank(texts, ["普惠性幼儿园覆盖率达到85%"]) == 2
    assert m.evidence_rank(texts, ["完全不在这里的证据字符串"]) is None
    assert m.evidence_rank([], ["x"]) is None


def test_recall_and_mrr_by_hand():
    ranks = [1, 3, None, 2]
    assert m.recall_at(ranks, 1) == pytest.approx(0.25)
    assert m.recall_at(ranks, 3) == pytest.approx(0.75)
    assert m.recall_at(ranks, 5) == pytest.approx(0.75)
    assert m.mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert m.recall_at([], 5) is None and m.mean_reciprocal_rank([]) is None


# -- citations ----------------------------------------------------------------------


def test_numbers_ignore_markers_and_match_whole():
    assert m.numbers_in("到2025年达到85%[12]。") == ["2025", "85"]
    assert m.citation_supported("比例达到850家", [], ["达到85"]) is False
    assert m.citation_supported("比例达到185%", [], ["达到85%"]) is False
    assert m.citation_supported("比例达到8.5%", [], ["达到5%"]) is False
    assert m.citation_supported("比例达到 85 %", [], ["达到85%"]) is True


def test_citing_sentences_maps_markers_to_sentences():
    answer = "根据规划：\n覆盖率达到85%[1]。在园幼儿达到50%。[2]配建15所[1][2]；"
    got = m.citing_sentences(answer)
    assert got[1] == ["覆盖率达到85%。", "配建15所；"]
    assert got[2] == ["在园幼儿达到50%。", "配建15所；"]
    assert 3 not in got


def test_citation_supported_routes():
    ev = ["普惠性幼儿园覆盖率达到85%"]
    assert m.citation_supported("……普惠性幼儿园覆盖率达到 85% ……", ev, [])  # evidence route
    assert m.citation_supported("公办幼儿园在园幼儿达到50%", ev, ["占比50%。"])  # number route
    assert not m.citation_supported("公办幼儿园在园幼儿达到50%", ev, ["占比60%。"])
    # a sentence without numbers does not vacuously support a clause lacking evidence
    assert not m.citation_supported("加强教师队伍建设", ev, ["加强教师队伍建设。"])


def test_score_record_citation_fields():
    good = CitedClause("10.2.2", "¶2", "到2025年,普惠性幼儿园覆盖率达到85%。")
    wrong = CitedClause("3.1.1", "¶1", "地区生产总值达到743亿元")
    r = m.score_record(rec(answer="覆盖率达到85%[1]。生产总值达到743亿元[2]。目标是90%[2]。",
                           cited=[good, wrong]))
    assert r.correct and r.facts_found == ["85%"]
    assert r.citation_support == [True, False]  # [2] also cited for 90%, not in its text
    assert r.cites_evidence


def test_score_record_abstained_has_no_facts_or_evidence_citation():
    r = m.score_record(rec(answer="规划中没有明确提到85%", abstained=True))
    assert not r.correct and r.facts_found == [] and not r.cites_evidence
    assert m.failure_reason(r).startswith("false abstention")


def test_error_record_is_never_correct():
    r = m.score_record(rec(answer="85%", error="RuntimeError: boom"))
    assert not r.correct and m.failure_reason(r) == "error: RuntimeError: boom"


# -- aggregation --------------------------------------------------------------------


def _hand_made_run() -> list[ItemRecord]:
    ev_text = "普惠性幼儿园覆盖率达到85%"
    raw = [
        rec(id="a", answer="达到85%[1]。", cited=[CitedClause("1", "L1", ev_text)],
            retrieved_texts=[ev_text], latency_ms=10),
        rec(id="b", answer="", abstained=True, retrieved_texts=["x", ev_text], latency_ms=20),  # false abstention
        rec(id="c", category="unanswerable", answerable=False, key_facts=[], min_facts=0, evidence=[],
            abstained=True, latency_ms=30),
        rec(id="d", category="unanswerable", answerable=False, key_facts=[], min_facts=0, evidence=[],
            answer="编造[1]。", cited=[CitedClause("2", "L2", "无关")], latency_ms=40),  # invented
    ]
    return [m.score_record(r) for r in raw]


def test_summarise_overall_by_hand():
    s = m.summarise(_hand_made_run())["overall"]
    assert s["n"] == 4 and s["n_answerable"] == 2 and s["n_correct"] == 2
    assert s["accuracy"] == pytest.approx(0.5)
    assert s["abstention_precision"] == pytest.approx(0.5)  # c right, b wrong
    assert s["abstention_recall"] == pytest.approx(0.5)  # c caught, d missed
    assert s["false_abstentions"] == 1 and s["invented_answers"] == 1
    assert s["recall@1"] == pytest.approx(0.5) and s["recall@3"] == pytest.approx(1.0)
    assert s["mrr"] == pytest.approx(0.75)
    assert s["citation_precision"] == pytest.approx(0.5) and s["n_citations"] == 2
    assert s["citation_recall"] == pytest.approx(0.5)
    assert s["latency_p50_ms"] == pytest.approx(25.0)
    assert set(SUMMARY_KEYS) <= set(s)


def test_summarise_by_category_and_no_citations():
    s = m.summarise(_hand_made_run(), citations=False)
    assert list(s["by_category"]) == ["number", "unanswerable"]
    unans = s["by_category"]["unanswerable"]
    assert unans["recall@5"] is None and unans["abstention_recall"] == pytest.approx(0.5)
    assert s["overall"]["citation_precision"] is None and s["overall"]["citation_recall"] is None


def test_unknown_category_is_kept_after_known_ones():
    records = [m.score_record(rec(id="1", category="zzz")), m.score_record(rec(id="2", category="list"))]
    assert list(m.summarise(records)["by_category"]) == ["list", "zzz"]


def test_percentile_interpolates():
    assert m.percentile([40, 10, 30, 20], 50) == pytest.approx(25.0)
    assert m.percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert m.percentile([], 50) is None


def test_report_cells():
    assert fmt(None, "ratio") == "–" and fmt(0.5, "ratio") == "0.500" and fmt(3, "int") == "3"
    assert ratio_to(0.9, 0.6) == "×1.50" and ratio_to(0.9, 0) == "×–" and ratio_to(None, 1) == "×–"


# -- item selection -----------------------------------------------------------------


def _item(i: int, category: str) -> EvalItem:
    return EvalItem(id=f"{category}-{i}", category=category, question=f"q{i}", history=[],
                    answerable=category != "unanswerable", key_facts=["85%"], min_facts=1,
                    evidence=["普惠性幼儿园覆盖率达到85%"], reference_answer="r")


def test_select_items_round_robin_and_filter():
    items = [_item(i, c) for c in ("number", "list", "fact") for i in range(5)]
    picked = select_items(items, limit=4)
    assert [it.category for it in picked] == ["number", "number", "list", "fact"]
    assert len(select_items(items, limit=100)) == 15
    assert {it.category for it in select_items(items, category="list")} == {"list"}
    assert select_items(items, category="nope") == []


# -- the runner end to end with a fake assistant (fast, exit codes) -----------------


@dataclass
class _Clause:
    clause_id: str
    label: str
    text: str


class FakeBot:
    """Always answers with one fixed clause; raises on questions containing 'boom'."""

    load_seconds = 0.0

    def __init__(self, plan_path: Path) -> None:
        self.settings = SimpleNamespace(plan_path=plan_path, llm="none")
        self.clause = _Clause("1.1", "第一章 ¶1", "到2025年,普惠性幼儿园覆盖率达到85%。")

    def ask(self, question, history=None):
        if "boom" in question:
            raise RuntimeError("boom")
        return SimpleNamespace(answer="覆盖率达到85%[1]。", abstained=False, query=question,
                               citations=[self.clause])

    def retrieve(self, question, k=5, mode="hybrid"):
        return [SimpleNamespace(clause=self.clause, score=1.0)]


def _write_dataset(path: Path, questions: list[str]) -> Path:
    rows = [{"id": f"t-{i}", "category": "custom", "question": q, "history": [], "answerable": True,
             "key_facts": ["85%"], "min_facts": 1, "evidence": ["普惠性幼儿园覆盖率达到85%"],
             "reference_answer": "85%"} for i, q in enumerate(questions)]
    rows.append({"id": "t-u", "category": "unanswerable", "question": "地铁几号线？", "history": [],
                 "answerable": False, "key_facts": [], "min_facts": 0, "evidence": [],
                 "reference_answer": "没有提到"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_low_score_exits_zero_and_crash_exits_nonzero(tmp_path, capsys):
    plan = tmp_path / "plan.txt"
    plan.write_text("到2025年,普惠性幼儿园覆盖率达到85%。\n", encoding="utf-8")
    ok = _write_dataset(tmp_path / "ok.jsonl", ["覆盖率？"])
    assert run(parse_args(["--dataset", str(ok), "--out", str(tmp_path / "r1")]), bot=FakeBot(plan)) == 0
    out = capsys.readouterr().out
    assert "failures: 1 of 2" in out and "t-u [unanswerable]" in out  # the invented answer is listed

    bad = _write_dataset(tmp_path / "bad.jsonl", ["覆盖率？", "boom"])
    assert run(parse_args(["--dataset", str(bad), "--out", str(tmp_path / "r2")]), bot=FakeBot(plan)) == 1
    report = json.loads(next((tmp_path / "r2").glob("*.json")).read_text(encoding="utf-8"))
    assert report["system"]["summary"]["overall"]["errors"] == 1


def test_unreadable_dataset_exits_two(tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    assert run(parse_args(["--dataset", str(broken), "--out", str(tmp_path)]), bot=object()) == 2


# -- naive baseline with a fake embedding model -------------------------------------


class CharEmbeddings:
    """Bag of characters hashed into 64 dims: enough to make similar text similar."""

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(64, dtype=np.float32)
        for ch in text:
            v[ord(ch) % 64] += 1.0
        return v.tolist()

    def embed_documents(self, texts):
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


def test_naive_pipeline_chunks_and_searches():
    paragraphs = ["教育" * 150, "幼儿园覆盖率达到85%。" * 30, "交通道路" * 120]
    pipe = NaivePipeline("\n\n".join(paragraphs), CharEmbeddings())
    assert len(pipe.chunks) >= 3 and all(len(c) <= NAIVE_CHUNK_SIZE for c in pipe.chunks)
    top_id, top_text = pipe.search("幼儿园覆盖率", k=2)[0]
    assert "幼儿园" in top_text and pipe.chunks[top_id] == top_text


# -- smoke run against the real assistant -------------------------------------------


@pytest.fixture(scope="session")
def bot():
    from assistant import Assistant

    return Assistant.load(log_fn=lambda msg: None)


def test_smoke_run_real_system(bot, tmp_path, capsys):
    args = parse_args(["--limit", "8", "--config", "smoke", "--out", str(tmp_path)])
    assert run(args, bot=bot) == 0
    out = capsys.readouterr().out

    json_path, md_path = tmp_path / f"{today()}-smoke.json", tmp_path / f"{today()}-smoke.md"
    assert json_path.is_file() and md_path.is_file()
    report = json.loads(json_path.read_text(encoding="utf-8"))
    assert {"config", "dataset", "started", "settings", "environment", "dataset_warnings",
            "system", "baselines"} <= set(report)
    assert report["config"] == "smoke" and report["baselines"] == {}

    expected = select_items(load_dataset(REAL_DATASET), limit=8)
    records = report["system"]["records"]
    assert [r["id"] for r in records] == [it.id for it in expected]
    assert all(RECORD_KEYS <= set(r) for r in records)
    summary = report["system"]["summary"]
    assert summary["overall"]["n"] == 8 and SUMMARY_KEYS <= set(summary["overall"])
    assert set(summary["by_category"]) == {it.category for it in expected}
    assert sum(g["n"] for g in summary["by_category"].values()) == 8
    n_wrong = 8 - summary["overall"]["n_correct"]
    assert summary["overall"]["n_correct"] == sum(r["correct"] for r in records)
    assert f"failures: {n_wrong} of 8" in out and "overall" in out
    assert md_path.read_text(encoding="utf-8").count("\n### ") == n_wrong


def test_retriever_and_naive_baselines_on_real_system(bot, tmp_path):
    items = select_items(load_dataset(REAL_DATASET), limit=4)
    small_plan = tmp_path / "plan.txt"  # the naive index over a slice keeps this test fast
    small_plan.write_text(Path(bot.settings.plan_path).read_text(encoding="utf-8")[:3000], encoding="utf-8")
    system = run_system(bot, items)
    baselines = run_baselines(bot, items, system, small_plan)
    assert [b.name for b in baselines] == ["bm25-only", "dense-only", "naive-langchain"]
    for b in baselines:
        assert [r.id for r in b.records] == [it.id for it in items]
        assert all(len(r.retrieved_ids) <= 5 for r in b.records)
        assert b.summary["overall"]["citation_precision"] is None
    assert not any(r.abstained for r in baselines[2].records)  # the naive pipeline never abstains
    run_ = EvalRun(config="cmp", dataset="d", started="t", settings={}, system=system, baselines=baselines)
    json_path, md_path = write_reports(run_, tmp_path / "out", "2000-01-01")
    assert set(json.loads(json_path.read_text(encoding="utf-8"))["baselines"]) == {
        "bm25-only", "dense-only", "naive-langchain"}
    assert "## Comparison with baselines" in md_path.read_text(encoding="utf-8")
