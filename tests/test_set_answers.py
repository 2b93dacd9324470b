"""A list question that names a set the plan defines is answered with the set's members, each cited."""
from __future__ import annotations

import re

import pytest

from assistant.set_answers import set_answer
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
