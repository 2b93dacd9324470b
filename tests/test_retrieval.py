"""Retrieval quality, gated on questions no retrieval parameter was fitted on.

The gate is the held-out fold of the residents' questions (eval/datasets/residents.jsonl, ``fold ==
"held"``): written by sessions that never saw the code, never read by ``python -m eval.fit`` before its
fit was done. Each item's gold clauses are the clauses holding its evidence; recall is at clause level.
The 70 development questions of tests/data/dev_questions.jsonl are what the fusion weights and the
dense-skip thresholds were calibrated on: their figures are kept as a regression check, not as a gate.
"""
from __future__ import annotations

from index.config import PROJECT_ROOT

import json
from pathlib import Path

import pytest

from assistant.fusion import reciprocal_rank_fusion, weighted_score_fusion

DEV = Path(__file__).parent / "data" / "dev_questions.jsonl"


@pytest.fixture(scope="module")
def dev_items() -> list[dict]:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i for i in items if i["answerable"]]


def recall(bot, items, mode: str) -> tuple[float, float]:
    r1 = r5 = 0
    for item in items:
        ids = [h.clause.clause_id for h in bot.retrieve(item["question"], k=5, mode=mode)]
        gold = set(item["clause_ids"])
        r1 += bool(ids[:1] and ids[0] in gold)
        r5 += bool(gold & set(ids))
    return r1 / len(items), r5 / len(items)


@pytest.fixture(scope="module")
def held_items(bot) -> list[dict]:
    """The held-out fold's answerable questions, follow-ups condensed as the assistant condenses them."""
    from assistant.condense import condense
    from eval.dataset import load_dataset
    from eval.fit import RESIDENTS, _gold_clauses

    out = []
    for item in load_dataset(RESIDENTS[0]):  # the first file: the gates below were measured on its held fold
        if item.fold == "held" and item.answerable:
            query = condense(item.question, item.history, bot.profile.own_names).search_text
            out.append({"question": query, "clause_ids": sorted(_gold_clauses(bot.tree, hints=item.evidence))})
    return out


# Measured on the held-out fold (38 answerable questions, 6 of them follow-ups) with the settings fitted on
# the fit fold: hybrid recall@1 = 29/38 = 0.763, recall@5 = 38/38 = 1.000 (bm25 0.605 / 0.789, dense
# 0.474 / 0.763). One question is 0.026 of the fold; the gates leave a margin of about three questions
# (recall@1 0.763 - 0.68 = 0.083, recall@5 1.000 - 0.92 = 0.080) for machine noise in the dense scores,
# not for a real loss of quality.
HELD_R1_GATE, HELD_R5_GATE = 0.68, 0.92


def recall_by_mode(bot, items, what: str, capsys) -> dict[str, tuple[float, float]]:
    """(recall@1, recall@5) of each retriever on ``items``, printed for the record."""
    figures = {mode: recall(bot, items, mode) for mode in ("bm25", "dense", "hybrid")}
    with capsys.disabled():
        print(f"\nretrieval recall on {len(items)} {what} questions (clause level):")
        for mode, (r1, r5) in figures.items():
            print(f"  {mode:7s} recall@1={r1:.3f} recall@5={r5:.3f}")
    return figures


def test_recall_on_the_held_out_fold(bot, held_items, capsys):
    assert len(held_items) >= 35 and all(item["clause_ids"] for item in held_items)
    figures = recall_by_mode(bot, held_items, "held-out", capsys)
    r1, r5 = figures["hybrid"]
    assert r5 >= HELD_R5_GATE, figures  # measured 1.000
    assert r1 >= HELD_R1_GATE, figures  # measured 0.763
    assert r5 >= max(figures["bm25"][1], figures["dense"][1]), "fusion must not lose what either retriever finds"


def test_recall_of_bm25_dense_and_fused(bot, dev_items, capsys):
    """A regression check on the calibration questions (fitted on: not evidence of quality)."""
    assert len(dev_items) >= 40
    figures = recall_by_mode(bot, dev_items, "dev", capsys)
    r1, r5 = figures["hybrid"]
    assert r5 >= 0.95, figures
    assert r1 >= 0.85, figures
    assert r5 >= max(figures["bm25"][1], figures["dense"][1]), "fusion must not lose what either retriever finds"


class TestSearch:
    def test_kindergarten_target_ranks_first(self, bot):
        hits = bot.retrieve("到2025年普惠性幼儿园覆盖率", k=3)
        assert hits[0].clause.clause_id == "10.2.2" and "普惠性幼儿园覆盖率达到85%" in hits[0].clause.text

    def test_colloquial_elderly_care_question(self, bot):
        hits = bot.retrieve("老人白天没人照顾怎么办", k=5)
        assert any("养老" in h.clause.text or "日间照料" in h.clause.text for h in hits)

    def test_hits_are_distinct_clauses_best_first(self, bot):
        hits = bot.retrieve("九大商圈", k=8)
        assert len({h.clause.clause_id for h in hits}) == len(hits) == 8
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_bad_arguments(self, bot):
        assert bot.retrieve("   ", k=5) == []
        with pytest.raises(ValueError):
            bot.retrieve("幼儿园", k=0)
        with pytest.raises(ValueError):
            bot.retrieve("幼儿园", mode="magic")


def test_search_cli_json(settings):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "assistant", "search", "到2025年普惠性幼儿园覆盖率", "-k", "3", "--json"],
                         capture_output=True, text=True, timeout=300, cwd=str(PROJECT_ROOT))
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert [set(h) >= {"clause_id", "label", "text", "score"} for h in hits] == [True] * 3
    assert hits[0]["clause_id"] == "10.2.2"


class TestFusion:
    def test_rrf_prefers_items_ranked_by_both(self):
        scores = reciprocal_rank_fusion([[1, 2, 3], [2, 3, 1]], k=60)
        assert max(scores, key=scores.get) == 2

    def test_weighted_fusion_normalises_each_retriever(self):
        scores = weighted_score_fusion([{1: 100.0, 2: 0.0}, {1: 0.80, 2: 0.90}], [0.5, 0.5])
        assert scores[1] == pytest.approx(0.5) and scores[2] == pytest.approx(0.5)

    def test_invalid_arguments(self):
        with pytest.raises(ValueError):
            reciprocal_rank_fusion([[1]], k=0)
        with pytest.raises(ValueError):
            weighted_score_fusion([{1: 1.0}], [0.5, 0.5])


@pytest.fixture
def embedded(bot, monkeypatch) -> list[list[str]]:
    """The texts each call to the query embedder was given, during one test."""
    calls: list[list[str]] = []
    real = bot.retriever.embed_queries

    def spy(queries: list[str]):
        calls.append(list(queries))
        return real(queries)

    monkeypatch.setattr(bot.retriever, "embed_queries", spy)
    return calls


class TestWhatIsEmbedded:
    """Embedding the query is the slowest step of an answer: only what BM25 cannot settle is embedded."""

    def test_plan_words_and_a_clear_best_clause_need_no_embedding(self, bot, embedded):
        res = bot.ask("到2025年普惠性幼儿园覆盖率要达到多少？")
        assert "85%" in res.answer and res.citations[0].clause_id == "10.2.2"
        assert embedded == []

    def test_everyday_words_are_embedded(self, bot, embedded):
        res = bot.ask("刚买了辆电车，小区附近没地方充电，规划里有说法吗？")
        assert "充电桩" in res.answer
        assert embedded == [["刚买了辆电车，小区附近没地方充电，规划里有说法吗？"]]

    def test_a_follow_up_embeds_its_own_words_and_with_its_topic_in_one_call(self, bot, embedded):
        history = [{"role": "user", "content": "桥西区的养老服务有什么规划？"}, {"role": "assistant", "content": "……"}]
        res = bot.ask("那医养结合呢？", history)
        assert res.background and "养老" not in res.query and not res.abstained
        assert len(embedded) == 1 and "医养结合" in embedded[0][0] and "养老" not in embedded[0][0]

    def test_a_multi_part_question_embeds_parts_never_the_whole(self, bot, embedded):
        question = "普惠性幼儿园覆盖率目标是多少？老人白天没人照顾怎么办？"
        res = bot.ask(question)
        assert "85%" in res.answer
        texts = [t for call in embedded for t in call]
        assert texts and question not in texts and all(len(t) < len(question) for t in texts)

    def test_margin_zero_always_embeds(self, bot, embedded, monkeypatch):
        monkeypatch.setattr(bot.retriever, "dense_skip_margin", 0.0)
        res = bot.ask("到2025年普惠性幼儿园覆盖率要达到多少？")
        assert "85%" in res.answer
        assert embedded == [["到2025年普惠性幼儿园覆盖率要达到多少？"]]

    def test_a_best_clause_not_far_enough_ahead_is_embedded(self, bot, embedded, monkeypatch):
        monkeypatch.setattr(bot.retriever, "dense_skip_margin", 1000.0)
        bot.ask("到2025年普惠性幼儿园覆盖率要达到多少？")
        assert len(embedded) == 1

    def test_margin_below_one_is_refused(self, bot):
        from assistant.retrieval import HybridRetriever

        r = bot.retriever
        with pytest.raises(ValueError, match="dense_skip_margin"):
            HybridRetriever(r.store, r.embeddings, r.tokenizer, dense_skip_margin=0.5)
