"""Both ends and the growth of one indicator, from linked figures: quoted verbatim, the difference computed
only with one unit and labelled as computed."""
from __future__ import annotations

import pytest

from assistant.figure_pairs import pair_answer
from assistant.figures_table import FiguresTable
from index.figures import Figure, Horizon
from index.clauses import Clause, ClauseTree

HORIZON = Horizon(start=2021, end=2025, previous_start=2016, previous_end=2020, long_range=2035)


def _table(*texts: str) -> tuple[FiguresTable, ClauseTree]:
    clauses = [Clause("5", "heading", "第五章", ("第五章",), "产业", "第五章", 0, 1, level=1)]
    clauses += [Clause(f"5.0.{i}", "paragraph", f"第五章 ¶{i}", ("第五章",), "", t, i, i + 1, "5")
                for i, t in enumerate(texts, start=1)]
    tree = ClauseTree(clauses)
    from index.figures import extract_figures
    return FiguresTable(extract_figures(tree, HORIZON), tree), tree


def test_growth_of_a_from_to_pair():
    table, tree = _table("一般公共预算收入由2015年的63亿元增加到2020年的83.5亿元。")
    res = pair_answer("一般公共预算收入增加了多少？", table, tree)
    assert res.mode == "computed" and [c.clause_id for c in res.citations] == ["5.0.1"]
    assert "2020年83.5亿元 − 2015年63亿元 ≈ 20.5亿元（据[1]计算，非规划原文）" in res.answer
    assert res.answer.startswith("一般公共预算收入由2015年的63亿元增加到2020年的83.5亿元[1]")
    assert res.notice


def test_result_and_target_in_two_clauses_cite_both():
    table, tree = _table("2020年,全区金融机构达到1700多家。", "到2025年,区内各级各类金融机构、金融组织达到2500家以上。")
    res = pair_answer("金融机构从现在到2025年要增加多少家？", table, tree)
    assert [c.clause_id for c in res.citations] == ["5.0.1", "5.0.2"]
    assert "2025年2500家 − 2020年1700家 ≈ 800家（据[1][2]计算" in res.answer


def test_other_words_for_the_indicator():
    table, tree = _table("将特困救助供养覆盖的未成年人年龄从16周岁延长至18周岁。")
    res = pair_answer("特困救助供养的未成年人年龄从多少岁延长到多少岁？", table, tree)
    assert res is not None and "18周岁 − 现16周岁 ≈ 2周岁" in res.answer


def test_different_units_are_not_subtracted():
    a = Figure("床位", "5", "张", "", "2020", "actual", "", "5.0.1", "s1", "床位", "p")
    b = Figure("床位", "6", "万张", "", "2025", "target", "", "5.0.2", "s2", "床位", "p")
    from assistant.figure_pairs import difference
    assert difference(a, b) is None and difference(a, a) == "0"


@pytest.mark.parametrize("question", [
    "一般公共预算收入是多少？",          # asks no change
    "养老床位增加了多少？",              # names no linked indicator
])
def test_other_questions_are_left_to_the_chain(question):
    table, tree = _table("一般公共预算收入由2015年的63亿元增加到2020年的83.5亿元。")
    assert pair_answer(question, table, tree) is None


def test_through_the_assistant(bot):
    res = bot.ask("一般公共预算收入2015到2020年增长了多少亿元？")
    assert res.outcome == "answered" and res.mode == "computed"
    assert "63亿元" in res.answer and "83.5亿元" in res.answer and "≈ 20.5亿元" in res.answer
    assert res.citations[0].clause_id == "1.1.1.1"
    plain = bot.ask("到2025年普惠性幼儿园覆盖率达到多少？")
    assert plain.mode != "computed"
