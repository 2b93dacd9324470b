"""Out of scope, in scope but not in the plan, answerable: the three outcomes and the model behind the first."""
from __future__ import annotations

import json

import pytest

from assistant.scope import FEATURES, ScopeModel
from index.config import PROJECT_ROOT

SCOPE_DEV = PROJECT_ROOT / "tests" / "data" / "dev_scope.jsonl"
# The held-out fold was never used to fit the model (eval/fit.py fits on the fit fold only). The issue
# asks for precision and recall >= 0.95 on it; the model measured 0.963 / 0.951 when it was fitted.
HELD_MIN_PRECISION = 0.95
HELD_MIN_RECALL = 0.95


class TestScopeModel:
    def test_a_model_file_of_another_version_is_refused(self, tmp_path):
        path = tmp_path / "old.json"
        path.write_text(json.dumps({"version": 0, "features": ["x"]}), encoding="utf-8")
        with pytest.raises(ValueError, match="version"):
            ScopeModel.load(path)

    def test_round_trip_and_probability_rises_with_closeness_to_the_plan(self, tmp_path):
        n = len(FEATURES)
        model = ScopeModel(mean=(0.0,) * n, scale=(1.0,) * n, coef=(1.0,) + (0.0,) * (n - 1), intercept=0.0)
        model.save(tmp_path / "m.json")
        loaded = ScopeModel.load(tmp_path / "m.json")
        low, high = ({f: 0.0 for f in FEATURES} | {"question_cos": v} for v in (-2.0, 2.0))
        assert loaded == model and loaded.probability(low) < 0.5 < loaded.probability(high)

    def test_bad_parameters_are_refused(self):
        with pytest.raises(ValueError):
            ScopeModel(mean=(0.0,), scale=(1.0,), coef=(1.0,), intercept=0.0)
        with pytest.raises(ValueError):
            ScopeModel(mean=(0.0,) * len(FEATURES), scale=(0.0,) * len(FEATURES), coef=(1.0,) * len(FEATURES),
                       intercept=0.0)


def test_held_out_precision_and_recall(bot):
    """Out of scope is the positive class: of what it declines, how much really was out (precision);
    of what was out, how much it declined (recall). Only the held-out fold, judged as the app judges."""
    rows = [json.loads(line) for line in SCOPE_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    held = [r for r in rows if r["fold"] == "held"]
    declined = {r["id"]: bot.ask(r["question"]).outcome == "out_of_scope" for r in held}
    true_pos = sum(declined[r["id"]] and not r["in_scope"] for r in held)
    precision = true_pos / max(1, sum(declined.values()))
    recall = true_pos / sum(not r["in_scope"] for r in held)
    assert precision >= HELD_MIN_PRECISION and recall >= HELD_MIN_RECALL, (precision, recall)


@pytest.mark.parametrize("question", ["明天天气怎么样？", "给我讲个笑话吧", "帮我把这句话翻译成英文：我爱你",
                                      "红烧肉怎么做才好吃？"])
def test_out_of_scope_gets_a_friendly_reply_and_no_plan_text(bot, question):
    res = bot.ask(question)
    assert res.outcome == "out_of_scope" and res.abstained
    assert res.citations == [] and res.related == []
    assert bot.profile.example_questions[0] in res.answer  # says what it can be asked instead


def test_a_follow_up_turning_to_the_weather_is_judged_on_its_own_words(bot):
    history = [{"role": "user", "content": "老人白天没人照顾，社区有日间照料吗？"},
               {"role": "assistant", "content": "根据规划：……[1]。"}]
    res = bot.ask("明天天气怎么样？", history)
    assert res.outcome == "out_of_scope" and res.related == []


def test_a_follow_up_without_a_topic_of_its_own_stays_with_the_earlier_one(bot):
    history = [{"role": "user", "content": "到2025年普惠性幼儿园覆盖率要达到多少？"},
               {"role": "assistant", "content": "根据规划：到2025年,普惠性幼儿园覆盖率达到85%[1]。"}]
    res = bot.ask("那公办的呢？", history)
    assert res.outcome != "out_of_scope"


def test_in_scope_but_absent_shows_related_clauses(bot):
    res = bot.ask("桥西区2030年的地区生产总值是多少？")
    assert res.outcome == "not_in_plan" and res.abstained and res.related
