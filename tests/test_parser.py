"""The clause tree: lossless, stable ids, citable labels, on the real plan and a synthetic one."""
from __future__ import annotations

import re

import pytest

from index.layout import Line, is_page_number
from index.parser import cn_to_int, normalise_spaces, parse_plan

SYNTHETIC = """示范县国民经济和社会发展
第十四个五年规划纲要
前言
本规划是全县的行动纲领。规划期为 2021 — 2025 年。
第一章 总体要求
坚持稳中求进。
一、发展目标
到 2025 年，城镇化率达到 65% 。
（一）经济目标
地区生产总值年均增长 6% 左右。
（二）民生目标
加强托育服务。新建托育机构 3 所，提升服务质量。完善养老服务。建设养老院 2 所，扩大床位供给。改善居住条件。改造老旧小区 10 个，加装电梯。
二、重点任务
推进教育发展。新建学校 4 所，扩大学位。
提升医疗水平。新建医院 1 所，完善急救体系。
第二章 保障措施
加强组织领导。
名词解释
1 .“三个一”: 即一张图、一张表、一套机制。
2 .“两个提升”: 即提升服务、提升效率。
"""


def _no_space(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _content(text: str) -> str:
    """A clause's characters without spaces and without page-number lines (「— 3 —」), which the parser keeps
    in the span of the clause before them but out of its text."""
    return _no_space("".join(l for l in text.splitlines() if not is_page_number(Line(0, 0, l), bare=True)))


def assert_lossless(source: str, tree) -> None:
    spans = sorted((c.start, c.end) for c in tree.clauses)
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        assert e1 <= s2, "clauses overlap"
    covered = [False] * len(source)
    for s, e in spans:
        for i in range(s, e):
            covered[i] = True
    missing = [i for i, ch in enumerate(source) if not ch.isspace() and not covered[i]]
    assert not missing, f"characters in no clause, first at {missing[:1]}: {source[missing[0]:missing[0] + 20]!r}"
    assert "".join(_no_space(source[s:e]) for s, e in spans) == _no_space(source)
    for c in tree.clauses:
        assert _content(c.text) == _content(source[c.start:c.end]), c.clause_id


class TestRealPlan:
    def test_lossless(self, plan_text, tree):
        assert_lossless(plan_text, tree)

    def test_counts(self, tree):
        chapters = [c for c in tree.clauses if c.kind == "heading" and c.level == 1 and c.clause_id.isdigit()]
        assert [c.clause_id for c in chapters] == ["0"] + [str(i) for i in range(1, 17)]
        assert tree.get("0").text == "前言"
        assert [c.clause_id for c in tree.clauses if c.kind == "glossary"] == [f"G.{i}" for i in range(1, 26)]

    def test_ids_are_stable(self, plan_text, tree):
        again = parse_plan(plan_text)
        assert [(c.clause_id, c.text) for c in again.clauses] == [(c.clause_id, c.text) for c in tree.clauses]

    def test_kindergarten_clause_label_and_text(self, tree):
        c = tree.get("10.2.2")
        assert c.label == "第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」"
        assert c.title == "推进学前教育普及普惠发展"
        assert "普惠性幼儿园覆盖率达到85%" in c.text
        assert c.path == ("第十章 保障和改善民生,开启全民生活新品质", "二、推进教育均衡发展")

    def test_inline_lead_phrases_split(self, tree):
        titles = [c.title for c in tree.children("10.5")]
        assert titles == ["", "提升青年思想修养", "服务青年现实需求", "推进青少年权益保障",
                          "营造青年友好环境", "支持青年参与国际交往"]

    def test_subsections_and_glossary(self, tree):
        assert tree.get("1.1.1").text.startswith("(一)综合实力持续增强")
        assert tree.get("1.1.1.1").parent_id == "1.1.1"
        g = tree.get("G.18")
        assert g.label.startswith("名词解释 18.") and "100%围挡" in g.text

    def test_stray_spaces_normalised(self, tree):
        text = "".join(c.text for c in tree.clauses)
        assert "2025 年" not in text and "二〇三五" in text and "85% " not in text


class TestSyntheticPlan:
    @pytest.fixture(scope="class")
    def synthetic(self):
        return parse_plan(SYNTHETIC)

    def test_lossless(self, synthetic):
        assert_lossless(SYNTHETIC, synthetic)

    def test_structure(self, synthetic):
        ids = [c.clause_id for c in synthetic.clauses]
        assert ids[:3] == ["T", "0", "0.1"]
        assert "1.0.1" in ids and "1.1" in ids and "1.1.0.1" in ids
        assert synthetic.get("1.1.1").text == "（一）经济目标"  # full-width brackets
        assert synthetic.get("1.1.1.1").text == "地区生产总值年均增长6%左右。"
        assert [c.title for c in synthetic.children("1.1.2")] == ["加强托育服务", "完善养老服务", "改善居住条件"]
        assert synthetic.get("1.2.2").label == "第一章 二、重点任务 ¶2「提升医疗水平」"
        assert synthetic.get("G.2").title == "“两个提升”"

    def test_empty_source_is_an_error(self):
        with pytest.raises(ValueError):
            parse_plan("   \n ")


def test_cn_numerals():
    assert [cn_to_int(s) for s in ("一", "十", "十六", "二十三", "一百零五")] == [1, 10, 16, 23, 105]
    with pytest.raises(ValueError):
        cn_to_int("X")


def test_normalise_spaces():
    assert normalise_spaces("到 2025 年，达到 85% 。") == "到2025年，达到85%。"
    assert normalise_spaces("二 〇 三五年") == "二〇三五年"
    assert normalise_spaces("5G 网络 and AI model") == "5G网络and AI model"
