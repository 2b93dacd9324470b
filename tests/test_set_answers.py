"""A list question that names a set the plan defines is answered with the set's members, each cited."""
from __future__ import annotations

import re

import pytest

from assistant.set_answers import counted_set, partly_listed, set_answer
from assistant.text import squash
from assistant.verify import verify_answer


class TestSetAnswers:
    @pytest.mark.parametrize("question, members, cited", [
        ("桥西的九大商圈都有哪些？", ["北国商圈", "万象海悦商圈", "祥云国际"], {"7.5.2"}),
        # a set whose members are the sections below it: each member cites its own section
        ("“三带”是哪三条产业带？", ["商贸商务产业集聚带", "科技信息产业集聚带", "康养休闲产业集聚带"],
         {"7.4.1", "7.4.2", "7.4.3"}),
        ("规划的基本原则有哪几条？", ["坚持党的全面领导", "坚持系统观念"], {"2.3.1", "2.3.5"}),
    ])
    def test_members_with_their_clauses(self, bot, question, members, cited):
        res = bot.ask(question)
        assert not res.abstained and all(m in res.answer for m in members), res.answer
        assert cited <= {c.clause_id for c in res.citations}

    def test_a_member_that_is_a_set_lists_its_own_members(self, bot):
        res = bot.ask("“一横、两区、三带、九圈、一极”空间格局分别指什么？")
        line = next(ln for ln in res.answer.splitlines() if ln.startswith("- 两区"))
        assert "金融商务核心区" in line and "总部经济核心区" in line

    def test_every_line_is_cited_and_passes_the_citation_check(self, bot):
        res = bot.ask("桥西的九大商圈都有哪些？")
        lines = res.answer.splitlines()[1:]
        assert lines and all(re.search(r"\[\d+\]", ln) for ln in lines)
        checked = verify_answer(res.answer, [bot.tree.by_id[c.clause_id] for c in res.citations])
        assert checked.ok, checked
        for member_line in lines:  # each member is verbatim in the clause it cites
            member = re.sub(r"^- |\[\d+\].*$", "", member_line)
            n = int(re.search(r"\[(\d+)\]", member_line).group(1))
            assert squash(member) in squash(res.citations[n - 1].text + res.citations[n - 1].label)

    @pytest.mark.parametrize("question", [
        "普惠性幼儿园覆盖率是多少？",  # asks no list
        "九大商圈什么时候建成？",  # names a set, asks no list
        "“六个百分百”是什么？",  # a glossary set: the entry is quoted whole by the glossary answer
    ])
    def test_not_answered_from_a_set(self, bot, question):
        assert set_answer(question, bot.named_sets(), bot.tree) is None


class TestCountedSets:
    """A set asked for by the count it has and other words than its name: by meaning (and the name's kind)."""

    @pytest.mark.parametrize("question, name, members", [
        ("城市经济那五种形态都有啥？说来听听", "5种类型城市经济业态", ["总部经济", "夜经济"]),
        ("那五个新冒出来的商圈是哪些？", "五个新兴商圈", ["红旗大街", "祥云国际"]),
        ("城区要弄的三条产业集聚的带子都是哪些？", "三带", ["商贸商务产业集聚带", "康养休闲产业集聚带"]),
    ])
    def test_members_of_the_set_of_that_count_it_means(self, bot, question, name, members):
        assert set_answer(question, bot.named_sets(), bot.tree) is None  # not by its name
        assert bot._counted_set(question).name == name
        res = bot.ask(question)
        assert all(m in res.answer for m in members) and res.citations, res.answer

    @pytest.mark.parametrize("question", [
        "那两大产业各要干到多少亿？",  # a figure of each, not what they are
        "三大攻坚战包括哪几个？",  # names its set, which the plan never lists: no other set of three stands in
        "金融商务核心区里头要建哪两条街？",  # names a member of 「两区」: asks about it, not for the set
        "第三个是什么？",  # an ordinal, no count
        "党建这块抓哪四个方面？",  # no set of four of that kind
        "四大名著是哪四本？",  # not the plan's at all
    ])
    def test_no_set_stands_in(self, bot, question):
        assert bot._counted_set(question) is None

    def test_the_store_holds_every_listed_sets_vector(self, bot):
        store = bot.retriever.store
        listed = {s.description for s in bot.named_sets() if s.members}
        assert listed and set(store.set_descriptions) == listed
        assert store.set_vectors.shape == (len(store.set_descriptions), store.sentence_vectors.shape[1])

    def test_a_lone_candidate_needs_no_rival_to_lead(self):
        assert counted_set(["A"], [0.9], min_cosine=0.89, min_lead=0.02) == "A"
        assert counted_set(["A", "B"], [0.9, 0.89], min_cosine=0.89, min_lead=0.02) is None
        assert counted_set(["A", "B"], [0.8, 0.5], min_cosine=0.89, min_lead=0.02) is None
        assert counted_set([], [], min_cosine=0.0, min_lead=0.0) is None


class TestPartlyListedSets:
    """A set asked for by its count that the plan counts without naming every member: not answered with
    the sentence that counts it; the plan is said not to list the names, and that clause is shown."""

    @pytest.mark.parametrize("question, listed, clause_id", [
        ("规划里那9个教育集团分别叫什么？", 0, "1.1.8.1"),          # only counted
        ("那5处星级游园都叫什么名字？", 1, "1.1.5.1"),             # one named, then 「等5处」
        ("征迁的那24个市政公益项目都有哪些？", 3, "1.1.5.1"),
    ])
    def test_a_count_without_all_its_names(self, bot, question, listed, clause_id):
        partial = partly_listed(question, bot.tree, bot.named_sets())
        assert partial is not None and (partial.listed, partial.clause_id) == (listed, clause_id)
        res = bot.ask(question)
        assert res.abstained and res.outcome == "not_in_plan" and res.citations == []
        assert res.related[0].clause_id == clause_id and partial.reason in res.answer
        assert not re.search(r"\d", partial.reason)  # the count is the related clause's to state

    @pytest.mark.parametrize("question", [
        "桥西的九大商圈都有哪些？",                 # listed in full
        "“四种类型经济”是哪四种？",                 # the glossary entry lists it
        "科技兴区要坚持的四个面向是哪四个？",         # each member named by the set's word elsewhere
        "那24个市政公益项目什么时候完成的？",          # asks when, not what they are
        "9个教育集团一共有多少所学校？",              # asks a figure
        "规划里的教育集团有哪些？",                    # states no count
    ])
    def test_not_said_to_be_unlisted(self, bot, question):
        assert partly_listed(question, bot.tree, bot.named_sets()) is None
