"""The evidence model: does a sentence that lacks a figure, date or person question's own words answer it
in meaning? A logistic regression fitted by ``python -m eval.fit`` on the fit fold, shipped as a file."""
from __future__ import annotations

import json

import pytest

from assistant.extractive import EVIDENCE_FEATURES
from assistant.scope import FEATURES, ScopeModel
from index.config import get_settings

# A resident's words for the plan's 「一般公共预算收入」: none of them is in the sentence that answers.
EVERYDAY_FIGURE = "十三五那几年全区一年财政能收上来多少钱？"


@pytest.fixture
def words_only(bot, monkeypatch):
    """No figure question matched by meaning (ExtractiveAnswerer.figure_match, tested in test_figure_match)."""
    monkeypatch.setattr(bot.extractive, "figure_match", lambda ask: "")
    return bot


@pytest.fixture
def without_model(words_only, monkeypatch):
    """The same engine deciding by the question's words alone (no evidence model, no figure match)."""
    monkeypatch.setattr(words_only.extractive, "evidence_model", None)
    return words_only


class TestShippedModel:
    def test_it_loads_with_this_code_s_features_and_says_what_it_was_fitted_on(self):
        model = ScopeModel.load(get_settings().evidence_model_path, EVIDENCE_FEATURES)
        assert model.features == EVIDENCE_FEATURES and 0 < model.threshold < 1
        assert "held-out fold" in model.fitted_on and "questions right" in model.fitted_on

    def test_read_as_the_scope_model_it_is_refused_naming_both_feature_lists(self):
        with pytest.raises(ValueError, match="sentence_cos.*question_cos"):
            ScopeModel.load(get_settings().evidence_model_path, FEATURES)

    def test_the_sentence_s_closeness_to_the_question_weighs_for_it(self):
        raw = json.loads(open(get_settings().evidence_model_path, encoding="utf-8").read())
        assert raw["coef"][EVIDENCE_FEATURES.index("sentence_cos")] > 0


class TestAnswers:
    def test_everyday_words_for_a_figure_are_answered_from_the_sentence_that_means_them(self, bot):
        res = bot.ask(EVERYDAY_FIGURE)
        assert not res.abstained and "83.5亿元" in res.answer
        assert any("83.5" in bot.tree.by_id[c.clause_id].text for c in res.citations)

    def test_without_the_model_the_question_s_own_words_decide_and_it_abstains(self, without_model):
        res = without_model.ask(EVERYDAY_FIGURE)
        assert res.abstained and res.reason == "规划中没有给出这一数字"

    @pytest.mark.parametrize("question", ["公办幼儿园一个月学费多少钱？", "到2030年全区财政收入要达到多少？"])
    def test_a_figure_the_plan_does_not_give_still_abstains(self, bot, question):
        assert bot.ask(question).abstained


def test_collecting_for_the_fit_records_every_sentence_and_decides_by_words(words_only, monkeypatch):
    """What ``python -m eval.fit`` reads: with a log set, each sentence the words turned down is recorded
    with its features and ranking score, and the answer is the words-only one."""
    bot = words_only
    monkeypatch.setattr(bot.extractive, "evidence_log", [])
    res = bot.ask(EVERYDAY_FIGURE)
    log = bot.extractive.evidence_log
    assert res.abstained and log
    assert all(set(features) == set(EVIDENCE_FEATURES) and isinstance(score, float)
               for _, _, score, features in log)
    assert any("83.5亿元" in sentence for _, sentence, _, _ in log)
