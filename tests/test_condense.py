"""Offline follow-up condensing: ordinals, leading words, pronouns that point back."""
from __future__ import annotations

from assistant.condense import Condensed, condense
from dataclasses import astuple

from assistant.text import squash

PRINCIPLES = [{"role": "user", "content": "十四五的基本原则有哪些？"},
              {"role": "assistant", "content": "规划提出：坚持党的全面领导[1]；坚持以人民为中心[2]；坚持系统观念[3]。"}]


class TestCondense:
    def test_ordinals_pick_that_item_of_the_previous_answer(self):
        assert condense("第二条呢？", PRINCIPLES).query.startswith("坚持以人民为中心")
        assert condense("最后一条具体讲了什么？", PRINCIPLES).query.startswith("坚持系统观念")

    def test_an_ordinal_past_the_list_is_left_alone(self):
        assert "第九条" in condense("第九条呢？", PRINCIPLES).query

    def test_leading_qizhong_is_not_the_topic(self):
        history = [{"role": "user", "content": "其中楼宇经济要形成什么格局？"},
                   {"role": "assistant", "content": "一楼一行业、一层一特色。"}]
        question, context = astuple(condense("它要打造哪几类楼宇群？", history))
        assert "楼宇群" in question and context.startswith("楼宇经济")

    def test_a_pronoun_is_kept_so_the_answerer_knows_the_earlier_topic_is_meant(self):
        history = [{"role": "user", "content": "“十三五”期间桥西关停了多少眼自备井？"},
                   {"role": "assistant", "content": "累计关停自备井95眼[1]。"}]
        question, context = astuple(condense("剩下没关的那些井是怎么管的？", history))
        assert "那些" in question and "自备井" in context

    def test_another_time_asks_the_earlier_question_again(self):
        def asked(q: str) -> list[dict]:
            return [{"role": "user", "content": q}, {"role": "assistant", "content": "…"}]
        assert condense("那2015年呢？", asked("2020年桥西地区生产总值是多少？")) == Condensed("2015年桥西地区生产总值是多少？")
        assert condense("十三五末呢？", asked("到2025年金融机构要达到多少家？")) == Condensed("十三五末金融机构要达到多少家？")
        assert condense("那“十四五”期间呢？", asked("普惠性幼儿园覆盖率是多少？")).query.startswith("“十四五”期间普惠性")

    def test_then_means_the_earlier_time(self):
        history = [{"role": "user", "content": "到2035年会变成啥样？"}, {"role": "assistant", "content": "…"}]
        assert condense("到那时候环境能好到啥程度？", history).query == "到2035年环境能好到啥程度？"

    def test_there_and_this_kind_point_back(self):
        def asked(q: str) -> list[dict]:
            return [{"role": "user", "content": q}, {"role": "assistant", "content": "…"}]
        question, context = astuple(condense("那边要补齐哪些短板？", asked("新增长极在哪？")))
        assert question.startswith("那边") and "新增长极" in context  # 那边 is not the opening 那
        for q in ("往后对这类企业还有什么要求？", "当时是怎么做到的？"):
            assert condense(q, asked("VOCs治理做了多少家企业？")).background

    def test_the_count_closing_a_list_is_not_its_last_item(self):
        history = [{"role": "user", "content": "要发展哪几种城市经济业态？"},
                   {"role": "assistant", "content": "根据规划：\n打造总部经济、数字经济、楼宇经济、创意经济和夜经济5种类型城市经济业态[1]。"}]
        assert condense("最后那个怎么发展？", history).query.startswith("夜经济怎么发展")

    def test_a_standalone_question_is_unchanged(self):
        q = "到2025年普惠性幼儿园覆盖率要达到多少？"
        assert condense(q, PRINCIPLES) == Condensed(q)

    def test_the_earlier_topic_is_a_field_never_part_of_the_query(self):
        history = [{"role": "user", "content": "养老服务有什么规划？"}, {"role": "assistant", "content": "…"}]
        condensed = condense("那医疗呢？", history)
        assert condensed.background == "养老服务" and "养老" not in condensed.query

    def test_text_that_looks_like_carried_context_is_just_text(self):
        """A user typing the old context syntax changes nothing about what the conversation was."""
        typed = "文创产业目标是多少？（上文：养老服务）"
        assert condense(typed, []) == Condensed(typed)


def test_a_follow_up_pointing_back_is_answered_from_the_earlier_topic(bot):
    history = [{"role": "user", "content": "“十三五”期间桥西关停了多少眼自备井？"},
               {"role": "assistant", "content": "累计关停自备井95眼[1]。"}]
    res = bot.ask("剩下没关的那些井是怎么管的？", history)
    assert not res.abstained
    assert "一井一码" in squash(res.answer)


def test_an_open_question_pointing_back_is_about_the_earlier_topic(bot):
    history = [{"role": "user", "content": "金融商务核心区以哪里为中心？"},
               {"role": "assistant", "content": "根据规划：\n以中山路为轴线……打造金融商务核心区[1]。"}]
    res = bot.ask("围绕它要重点推进哪些项目？", history)
    assert not res.abstained and "恒大金融中心" in res.answer


def test_those_few_is_not_how_many(bot):
    """'那几个城市' points at cities named before; it does not ask for a count."""
    ask = bot.extractive.ask_of("跟冀中南那几个城市怎么合作？")
    assert not ask.quantity and bot.extractive.ask_of("冀中南有几个城市？").quantity


KG_TOPIC_Q = "普惠性幼儿园有什么规划？"
POINTING_BACK_Q = "它的目标是多少？"  # names no topic: only the earlier turn says what 它 is


def test_a_follow_up_that_only_the_earlier_turn_explains_is_answered_from_it(bot):
    """End to end through ``bot.ask``: without the earlier turn 「它的目标是多少？」 has no answer (the
    assistant abstains), with it the answer is the kindergarten target. A ``condense`` that returns the
    question unchanged fails here."""
    first = bot.ask(KG_TOPIC_Q)
    history = [{"role": "user", "content": KG_TOPIC_Q}, {"role": "assistant", "content": first.answer}]
    alone = bot.ask(POINTING_BACK_Q)
    assert alone.abstained and "85%" not in alone.answer  # the control: the question alone cannot be answered
    res = bot.ask(POINTING_BACK_Q, history=history)
    assert not res.abstained and "85%" in res.answer
    assert "幼儿园" in res.query and res.citations[0].clause_id == "10.2.2"


def test_only_the_newest_history_turns_are_read_and_they_name_the_topic(bot):
    """A history longer than ``max_history_turns`` whose oldest turns are about another topic and whose
    NEWEST turn names the one meant: the newest turns are kept, so 它 is the kindergartens (keeping the
    oldest turns instead would make it 养老服务)."""
    limit = bot.settings.max_history_turns
    old = [{"role": "user", "content": "桥西区在养老服务方面有什么规划？"},
           {"role": "assistant", "content": "完善养老服务体系[1]。"}] * limit  # 2 × limit turns, all about 养老
    history = [*old, {"role": "user", "content": KG_TOPIC_Q},
               {"role": "assistant", "content": "到2025年,普惠性幼儿园覆盖率达到85%[1]。"}]
    assert len(history) > limit
    res = bot.ask(POINTING_BACK_Q, history=history)
    assert "幼儿园" in res.query and "养老" not in res.query + res.background
    assert not res.abstained and "85%" in res.answer
