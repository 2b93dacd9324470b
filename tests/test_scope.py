"""Out of scope, in scope but not in the plan, answerable: the three outcomes and the model behind the first."""
from __future__ import annotations

import json
import math
import re

import pytest

from assistant.extractive import ExtractiveAnswerer, term_present
from assistant.retrieval import Hit
from assistant.scope import FEATURES, MODEL_VERSION, ScopeModel
from assistant.text import idf_table
from index.chunker import chunk_clauses
from index.config import PROJECT_ROOT
from index.profile import PlanProfile
from index.store import plan_stopwords
from index.thesaurus import Thesaurus
from index.tokenize import PlanTokenizer, plan_terms

SCOPE_DEV = PROJECT_ROOT / "tests" / "data" / "dev_scope.jsonl"
# The held-out fold was never used to fit the model (eval/fit.py fits on the fit fold only). The issue
# asks for precision and recall >= 0.95 on it; the model measured 0.963 / 0.951 when it was fitted.
HELD_MIN_PRECISION = 0.95
HELD_MIN_RECALL = 0.95


def one_feature_model(mean: float = 0.0, scale: float = 1.0, weight: float = 1.0, intercept: float = 0.0) -> dict:
    """Parameters of a model that reads only question_cos (the other features weigh nothing)."""
    n = len(FEATURES)
    return dict(mean=(mean,) + (0.0,) * (n - 1), scale=(scale,) + (1.0,) * (n - 1),
                coef=(weight,) + (0.0,) * (n - 1), intercept=intercept)


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
        with pytest.raises(ValueError, match=r"^scope model: one mean, scale and weight per feature$"):
            ScopeModel(mean=(0.0,), scale=(1.0,), coef=(1.0,), intercept=0.0)
        with pytest.raises(ValueError, match=r"^scope model: scales must be positive and the threshold in \(0, 1\)$"):
            ScopeModel(mean=(0.0,) * len(FEATURES), scale=(0.0,) * len(FEATURES), coef=(1.0,) * len(FEATURES),
                       intercept=0.0)

    @pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5, -0.2])
    def test_a_threshold_that_would_decline_everything_or_nothing_is_refused(self, threshold):
        with pytest.raises(ValueError, match=r"threshold in \(0, 1\)"):
            ScopeModel(**one_feature_model(), threshold=threshold)

    @pytest.mark.parametrize("change", [{"version": 1}, {"features": list(FEATURES[:-1])}, {"features": None}],
                             ids=["older-version", "other-features", "no-features"])
    def test_a_model_file_this_code_cannot_read_says_what_it_holds(self, tmp_path, change):
        """A model fitted by another version of eval.fit is refused, naming its version and features."""
        path = tmp_path / "model.json"
        ScopeModel(**one_feature_model()).save(path)
        raw = {k: v for k, v in {**json.loads(path.read_text(encoding="utf-8")), **change}.items() if v is not None}
        path.write_text(json.dumps(raw), encoding="utf-8")
        said = (f"{path}: model version {raw['version']} with features {raw.get('features')}; "
                f"this code reads version {MODEL_VERSION} with {FEATURES}")
        with pytest.raises(ValueError, match=f"^{re.escape(said)}$"):
            ScopeModel.load(path)

    def test_every_fitted_number_survives_the_file(self, tmp_path):
        model = ScopeModel(**one_feature_model(), threshold=0.37, fitted_on="fit fold: 5-fold CV P 0.95（留出集 0.96）")
        model.save(tmp_path / "m.json")
        assert ScopeModel.load(tmp_path / "m.json") == model
        raw = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
        del raw["fitted_on"]  # a file written before the field existed
        (tmp_path / "old.json").write_text(json.dumps(raw), encoding="utf-8")
        assert ScopeModel.load(tmp_path / "old.json").fitted_on == ""

    def test_the_probability_is_a_logistic_regression_over_standardised_features(self):
        """question_cos one scale above its mean, weight 2, intercept -1: z = -1 + 2·1 = 1."""
        model = ScopeModel(**one_feature_model(mean=0.5, scale=0.25, weight=2.0, intercept=-1.0))
        features = {f: 0.0 for f in FEATURES} | {"question_cos": 0.75}
        assert model.probability(features) == pytest.approx(1 / (1 + math.exp(-1)))
        features["question_cos"] = -1e6  # far outside anything seen: a probability, not an overflow
        assert model.probability(features) == pytest.approx(0.0, abs=1e-12)

    def test_a_question_exactly_at_the_threshold_is_answered_not_declined(self):
        model = ScopeModel(**one_feature_model(), threshold=0.5)
        at_mean = {f: 0.0 for f in FEATURES}  # z = 0: probability 0.5
        assert model.decide(at_mean).in_scope
        assert not model.decide(at_mean | {"question_cos": -0.1}).in_scope


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


@pytest.mark.parametrize("follow_up", ["那公办的呢？", "那后来又花了多少？", "那一共要花多少？"])
def test_a_follow_up_without_a_topic_of_its_own_stays_with_the_earlier_one(bot, follow_up):
    """No word in it names a thing (by its part of speech): it asks on about the earlier topic."""
    history = [{"role": "user", "content": "到2025年普惠性幼儿园覆盖率要达到多少？"},
               {"role": "assistant", "content": "根据规划：到2025年,普惠性幼儿园覆盖率达到85%[1]。"}]
    res = bot.ask(follow_up, history)
    assert res.outcome != "out_of_scope"


@pytest.mark.parametrize("question, in_plan", [
    ("孩子上幼儿园以后是不是能便宜点、近一点？", True),  # everyday words, a topic the plan covers
    ("老人腿脚不好，家门口能不能有吃饭看病的地方？", True),
    ("明天要不要带伞？", False),
    ("今晚的球赛几点开始？", False),
])
def test_the_neighbour_vote_tells_a_residents_question_from_one_no_plan_answers(bot, question, in_plan):
    """Most of the nearest questions, after centring, are the plan's own hypothetical ones for a question
    on its topics, and questions no plan answers for the weather or sport."""
    vote = bot.retriever.neighbour_vote(bot.retriever.embed_queries([question])[question])
    assert (vote > 0.5) is in_plan, vote


def test_in_scope_but_absent_shows_related_clauses(bot):
    res = bot.ask("桥西区2030年的地区生产总值是多少？")
    assert res.outcome == "not_in_plan" and res.abstained and res.related


# -- in scope but not in the plan: the offline answerer's evidence, without the store -----------------------------
@pytest.fixture(scope="module")
def plan_words(settings, tree) -> tuple[PlanTokenizer, dict[str, float]]:
    """The plan's tokenizer and idf as the store holds them, made from the plan text (nothing embedded)."""
    tokenizer = PlanTokenizer(plan_terms(tree), stopwords=plan_stopwords(settings.plan_path))
    return tokenizer, idf_table([tokenizer.tokenize(c.context) for c in chunk_clauses(tree, settings.chunk_max_chars)])


def answerer_of(settings, tree, plan_words, meaning_gate: float | None = None) -> ExtractiveAnswerer:
    """The app's offline answerer, without sentence vectors: it decides by the plan's words, as the app does
    for these questions (each case below was checked to give the app's own answer)."""
    tokenizer, idf = plan_words
    return ExtractiveAnswerer(tree, tokenizer, idf, thesaurus=Thesaurus.load(), params=settings.answer,
                              meaning_gate=settings.meaning_gate if meaning_gate is None else meaning_gate,
                              profile=PlanProfile.load(settings.plan_path))


@pytest.fixture(scope="module")
def answerer(settings, tree, plan_words) -> ExtractiveAnswerer:
    return answerer_of(settings, tree, plan_words)


def hits_of(tree, clause_ids, question_cos: float = 0.0) -> list[Hit]:
    return [Hit(clause=tree.get(cid), score=1.0 / (rank + 1), chunk_text=tree.get(cid).text, question=question_cos)
            for rank, cid in enumerate(clause_ids)]


KG_HITS = ["10.2.2", "1.1.8.1", "10.2.3", "10.4.5", "10.2.5", "10.3.4", "2.4.1.1", "10.6.1"]
# question → the clauses the app retrieves for it (bot.retrieve, k=8, in order) → why it abstains
ABSTAINS = {
    "year-not-in-plan": ("桥西区2030年的地区生产总值是多少？",
                         ["1.1.1.1", "2.4.2.9", "1.1.9.3", "1.2.1.2", "1.2.2.2", "6.0.1", "1.2.2.1", "1.2.1.4"],
                         "规划中没有给出2030年的相应内容"),
    "past-year": ("2019年城乡养老保险参保率是多少？",
                  ["1.1.8.1", "10.4.1", "10.4.2", "10.4.4", "10.4.6", "2.4.2.7", "10.1.2", "9.3.4.1"],
                  "规划中没有给出2019年的相应内容"),
    "place-not-in-plan": ("上海的普惠性幼儿园覆盖率是多少？",
                          ["10.2.2", "1.1.8.1", "10.2.3", "10.4.5", "10.0.1", "10.3.4", "15.2.1", "10.6.1"],
                          "规划中没有提到「上海」"),
    "group-not-in-plan": ("农村居民人均可支配收入是多少？",
                          ["2.4.2.9", "1.1.1.1", "2.4.2.7", "10.4.4", "13.1.1", "1.2.1.2", "1.1.8.1", "10.1.4"],
                          "规划中没有提到「农村居民」"),
    "no-such-figure": ("桥西区有几家三甲医院？",
                       ["1.1.8.1", "10.3.2", "1.1.9.3", "1.2.1.4", "5.1.3", "10.3.3", "1.2.2.2", "2.4.2.9"],
                       "规划中没有给出这一数字"),
    "a-target-is-no-past-result": ("十三五期间普惠性幼儿园覆盖率达到多少？",
                                   ["10.2.2", "1.1.8.1", "10.2.3", "10.2.5", "1.1.7.1", "10.4.5", "1.0.1", "10.3.4"],
                                   "规划中没有给出这一数字"),
    "no-date": ("老旧小区加装电梯什么时候完成？",
                ["9.2.1.1", "1.1.5.1", "1.1.8.1", "9.2.2.1", "9.2.3.1", "9.1.1", "9.2.1", "10.4.3"], "规划中没有给出具体时间"),
    "no-person": ("社区养老服务中心由谁来运营？",
                  ["10.4.6", "1.1.8.1", "9.3.4.1", "G.11", "G.4", "5.4.2.3", "10.3.3", "7.4.3"], "规划中没有提到相关人员"),
    "a-figure-the-plan-does-not-give": ("普惠性幼儿园覆盖率会达到90%吗？", KG_HITS, "检索到的条款不能回答这一问题"),
    "off-topic": ("明天天气怎么样？",
                  ["2.4.2.9", "1.1.6.1", "12.1.1", "2.4.2.6", "12.3.1", "1.1.9.3", "12.0.1", "2.4.2.8"],
                  "规划中没有明确提到「天气」"),
    "off-topic-in-plan-words": ("区长是谁？",  # 区长 is no word of the plan (only inside 小区长效)
                                ["2.2.1", "2.2.9", "2.2.10", "1.1.3.1", "2.2.5", "2.2.2", "2.2.3", "1.1.9.3"],
                                "规划中没有明确提到这一问题"),
    "at-most-three-words-named": ("明天的天气、气温、湿度和风力怎么样？",
                                  ["2.4.2.9", "1.1.6.1", "2.4.2.6", "1.2.2.2", "8.3.1", "12.1.1", "1.1.9.3", "15.2.1"],
                                  "规划中没有明确提到「天气、气温、湿度」"),
    "at-most-three-places-named": ("上海、广州、深圳和杭州的普惠性幼儿园覆盖率是多少？",
                                   ["10.2.2", "1.1.8.1", "10.2.3", "15.2.1", "10.4.5", "10.3.4", "10.0.1", "10.6.1"],
                                   "规划中没有提到「上海、广州、深圳」"),
    "neighbouring-district": ("长安区的普惠性幼儿园覆盖率是多少？",  # 长安区 is in the plan, not in this clause
                              ["10.2.2", "1.1.8.1", "14.4.1", "10.0.1", "10.2.3", "10.2.7", "2.2.9", "15.2.1"],
                              "规划中没有给出这一数字"),
    "a-past-result-is-no-target": ("十四五期间城乡养老保险参保率要达到多少？",  # 93% was 十三五's result
                                   ["1.1.8.1", "10.4.1", "10.4.2", "16.0.1", "0.1", "2.4.2.9", "2.4.2.7", "10.4.4"],
                                   "规划中没有给出这一数字"),
    "a-total-is-no-yearly-figure": ("十四五期间每年新增城镇就业多少人？",
                                    ["1.1.8.1", "10.1.2", "10.1.3", "1.1.7.1", "10.1.1", "G.14", "2.4.2.9", "10.1.4"],
                                    "规划中没有给出这一数字"),
    "no-number-at-all": ("新增多少个停车位？",
                         ["9.2.2.1", "7.5.2", "1.1.7.1", "1.1.8.1", "G.5", "1.1.5.1", "9.1.1", "1.1.6.1"],
                         "规划中没有给出这一数字"),
    "no-rank": ("桥西区GDP在全市排第几？",
                ["2.4.2.9", "1.1.1.1", "1.1.9.3", "1.1.2.1", "1.2.1.4", "1.2.1.2", "1.2.2.2", "6.0.1"],
                "检索到的条款不能回答这一问题"),
}
ANSWERS = {
    "target": ("到2025年公办幼儿园在园幼儿要达到多少？",
               ["10.2.2", "1.1.8.1", "10.2.5", "0.2", "5.1.3", "2.4.1.1", "10.4.5", "10.2.4"], "50%"),
    "short-name": ("公办园在园幼儿比例要达到多少？",  # 公办园 is 公办幼儿园 in fewer words
                   ["10.2.2", "1.1.8.1", "10.4.5", "10.3.4", "10.5.3", "5.4.2.2", "9.1.1", "10.6.2"], "50%"),
    "period-target": ("十四五期间普惠性幼儿园覆盖率要达到多少？", KG_HITS, "85%"),
    "past-result": ("城乡养老保险参保率是多少？",
                    ["1.1.8.1", "10.4.1", "10.4.2", "10.4.4", "2.4.2.7", "10.1.2", "10.4.6", "10.4.5"], "93%"),
    "date": ("普惠性幼儿园覆盖率什么时候达到85%？", KG_HITS, "到2025年"),
    "open-question": ("普惠性幼儿园有什么规划？", ["10.2.2", "1.1.8.1", "10.0.1", "10.4.5"], "普惠"),
    "words-inside-other-words": ("老旧小区长效管理机制怎么建？",
                                 ["9.2.1.1", "15.4.1", "G.6", "1.1.5.1", "9.2.2.1", "9.0.1", "9.2.3.1", "1.1.8.1"],
                                 "长效管理机制"),
    "rank": ("5G基站数量在全市排第几？",
             ["1.1.2.1", "7.4.2", "9.3.2.1", "1.1.7.1", "1.2.1.4", "6.3.1", "4.4.1", "5.3.2"], "位居全市第一"),
    "how-long": ("高新技术企业连续多久位居全市第一？",
                 ["1.1.2.1", "4.1.3", "1.1.1.1", "4.1.4", "1.1.3.1", "2.4.2.2", "10.2.4", "7.4.2"],
                 "高新技术企业增量和总量连续三年位居全市第一"),
    "a-count-in-another-unit": ("商务楼宇有多少个？",  # 个 asked, 座 answered
                                ["6.3.1", "1.1.4.1", "5.1.3", "7.4.1", "7.3.2", "6.1.1", "5.2.3", "1.2.1.4"], "195座"),
    "plan-target": ("十四五期间要改造多少个老旧小区？",
                    ["9.2.1.1", "1.1.5.1", "1.1.8.1", "9.2.2.1", "10.4.3", "15.4.1", "1.1.7.1", "9.2.3.1"], "337个"),
    "past-result-in-a-review-clause": ("十三五期间建了多少所学校？",
                                       ["1.1.8.1", "10.2.3", "1.0.1", "10.2.4", "10.2.5", "10.2.7", "1.1.4.1", "5.3.2"],
                                       "4所学校"),
    "everyday-word": ("托儿所有什么规划？",  # the thesaurus: 托儿所 → 婴幼儿照护服务
                      ["10.4.5", "2.2.1", "16.4.2", "10.3.4", "16.4.1", "0.2", "7.1.1", "16.4.4"], "婴幼儿照护服务"),
    "everyday-word-2": ("网课有什么规划？",
                        ["10.2.5", "10.2.3", "6.2.1", "10.2.4", "1.1.8.1", "G.12", "10.2.7", "G.23"], "教育信息化"),
    "open-question-with-a-year": ("2025年普惠性幼儿园有什么目标？",
                                  ["10.2.2", "1.1.8.1", "2.4.1.1", "10.2.3", "0.2", "10.2.5", "10.2.4", "10.0.1"],
                                  "幼儿园"),
    "no-subject-but-the-plan": ("十四五有什么规划？",
                                ["0.1", "16.0.1", "0.2", "16.4.5", "2.4.2.1", "8.2.1", "1.2.0.1", "1.2.2.2"],
                                "“十四五”时期"),
}


@pytest.mark.parametrize("question, clause_ids, reason", ABSTAINS.values(), ids=ABSTAINS.keys())
def test_a_question_the_retrieved_clauses_do_not_answer_abstains_and_says_why(answerer, tree, question, clause_ids,
                                                                              reason):
    draft = answerer.answer(question, hits_of(tree, clause_ids))
    assert draft.abstained and draft.text == "" and draft.reason == reason
    assert [c.clause_id for c in draft.related] == clause_ids[:3]  # shown as related, never as an answer


@pytest.mark.parametrize("question, clause_ids, fact", ANSWERS.values(), ids=ANSWERS.keys())
def test_a_question_the_retrieved_clauses_answer_is_answered_from_them(answerer, tree, question, clause_ids, fact):
    draft = answerer.answer(question, hits_of(tree, clause_ids))
    assert not draft.abstained and fact in draft.text and draft.text.startswith("根据规划：")


def test_a_plan_period_question_is_not_answered_with_the_previous_periods_result(answerer, tree):
    """337 老旧小区 are the 十四五 plan's; the 294 renovated under 十三五 (clause 1.1.5.1, retrieved second) are no
    answer to how many 十四五 will renovate."""
    draft = answerer.answer("十四五期间要改造多少个老旧小区？", hits_of(tree, ANSWERS["plan-target"][1]))
    assert "337个老旧小区" in draft.text and "294" not in draft.text


def test_only_the_best_three_clauses_decide_whether_the_question_is_on_topic(answerer, tree):
    """The kindergarten clause fourth does not make strategy clauses an answer to a kindergarten question."""
    draft = answerer.answer("普惠性幼儿园有什么规划？", hits_of(tree, ["2.2.1", "2.2.9", "2.2.10", "10.2.2"]))
    assert draft.abstained and draft.reason == "规划中没有明确提到这一问题"


def test_judged_in_scope_only_words_the_plan_uses_can_show_the_clauses_off_topic(answerer, tree):
    """Once the scope model has judged by meaning that the plan covers a question, a resident's own words (in
    no clause, whatever the plan says) cannot show the clauses off topic; the plan's words still can. Without
    that judgement (no scope model) every word counts, as before."""
    hits = hits_of(tree, ["2.2.1", "2.2.9", "2.2.10"])
    assert "猫咪" not in answerer._plan_text and "狗狗" not in answerer._plan_text
    question = "俺家猫咪和狗狗有什么规划？"
    assert answerer.answer(question, hits).reason == "规划中没有明确提到「猫咪、狗狗」"
    assert answerer.answer(question, hits, meaning_judged=True).reason != "规划中没有明确提到「猫咪、狗狗」"
    assert answerer.answer("普惠性幼儿园有什么规划？", hits, meaning_judged=True).reason == "规划中没有明确提到这一问题"


def test_clauses_whose_questions_mean_the_same_are_on_topic_whatever_their_words(settings, tree, plan_words):
    """With the meaning gate on (Settings.meaning_gate < 1), a clause one of whose hypothetical questions is that
    close to the question is about it: 「普惠性幼儿园有什么规划？」 is not declined as off topic then."""
    gated = answerer_of(settings, tree, plan_words, meaning_gate=0.9)
    off = ["2.2.1", "2.2.9", "2.2.10"]
    assert gated.answer("普惠性幼儿园有什么规划？", hits_of(tree, off, question_cos=0.89)).reason == "规划中没有明确提到这一问题"
    assert not gated.answer("普惠性幼儿园有什么规划？", hits_of(tree, off, question_cos=0.9)).abstained
    # only the best three count: a fourth clause that close does not make the three about the question
    fourth = hits_of(tree, off) + hits_of(tree, ["2.2.5"], question_cos=0.95)
    assert gated.answer("普惠性幼儿园有什么规划？", fourth).reason == "规划中没有明确提到这一问题"


@pytest.mark.parametrize("term, text, words, present", [
    ("公办园", "公办幼儿园在园幼儿达到50%", None, True),  # half its character pairs (公办) are there
    ("养老服务", "完善养老体系", None, False),  # one pair in three
    ("医养结合", "构建医养结合联盟", None, True),
    ("健康管理数字中心", "建设区域性健康管理数字中心", None, True),
    ("健康数字中心", "建设区域性健康管理数字中心", None, True),  # 4 of 5 pairs
    ("康养数据", "康养休闲基地的数据", None, True),  # 2 of 3 pairs (康养, 数据)
    ("社区服务站", "建设社区卫生服务中心", None, True),  # exactly half: 社区, 服务 of four pairs
    ("社区照料中心", "建设社区卫生服务中心", None, False),  # 社区, 中心: two of five pairs
    ("区长", "建立老旧小区长效管理机制", frozenset({"老旧", "小区", "长效", "管理", "机制"}), False),
    ("区长", "建立老旧小区长效管理机制", None, True),  # without the text's words, a substring is enough
    ("小区", "建立老旧小区长效管理机制", frozenset({"老旧", "小区", "长效", "管理", "机制"}), True),
    ("养老", "完善养老服务体系", frozenset({"完善", "养老", "服务", "体系"}), True),
], ids=["short-name", "one-pair-in-three", "whole", "long-whole", "four-of-five", "two-of-three", "two-of-four",
        "two-of-five", "two-chars-not-a-word", "two-chars-substring", "two-chars-word", "two-chars-word-2"])
def test_a_subject_term_is_present_when_it_or_half_its_character_pairs_are(term, text, words, present):
    assert term_present(term, text, words) is present
