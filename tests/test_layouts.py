"""The layouts Chinese plans use, parsed into lossless clause trees with exact ids, levels, parents and labels:
small plans written here for each layout, the failures that must be loud, the national outline and the
Qiaoxi plan (whose tree must not change)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from assistant.text import squash
from index.add_plan import Structure
from index.config import PROJECT_ROOT
from index.layout import normalise_heading
from index.parser import FlatPlanError, PlanLayoutError, parse_plan
from index.sources import read_plan_text
from tests.test_parser import assert_lossless

NATIONAL = PROJECT_ROOT / "data" / "plans" / "national_14th" / "plan.txt"
QIAOXI = PROJECT_ROOT / "data" / "plans" / "qiaoxi_14th" / "plan.txt"


def parse(text: str):
    """Parse and check losslessness: every non-space character in exactly one clause (start/end offsets)."""
    tree = parse_plan(text)
    assert_lossless(text, tree)
    return tree


def rows(tree, ids: list[str]) -> list[tuple]:
    return [(c.clause_id, c.kind, c.level, c.parent_id, c.label) for c in map(tree.get, ids)]


def assert_rows(tree, expected: list[tuple]) -> None:
    assert rows(tree, [r[0] for r in expected]) == expected


# -- 章 › 一、 › (一) ------------------------------------------------------------------------------
CHAPTERS = """示范县“十四五”规划
前言
本规划是全县的行动纲领。
第一章 总体要求
坚持稳中求进。
一、发展目标
（一）经济目标
地区生产总值年均增长6%左右。
二、重点任务
推进教育发展。新建学校4所。
第二章 保障措施
加强组织领导。
"""


class TestChapterLayout:
    def test_ids_levels_parents_labels(self):
        tree = parse(CHAPTERS)
        assert [c.clause_id for c in tree.clauses] == ["T", "0", "0.1", "1", "1.0.1", "1.1", "1.1.1", "1.1.1.1",
                                                       "1.2", "1.2.1", "2", "2.0.1"]
        assert_rows(tree, [
            ("0", "heading", 1, None, "前言"),
            ("0.1", "paragraph", 0, "0", "前言 ¶1"),
            ("1", "heading", 1, None, "第一章 总体要求"),
            ("1.0.1", "paragraph", 0, "1", "第一章 总体要求 ¶1"),
            ("1.1", "heading", 2, "1", "第一章 一、发展目标"),
            ("1.1.1", "heading", 3, "1.1", "第一章 一、发展目标 (一)经济目标"),
            ("1.1.1.1", "paragraph", 0, "1.1.1", "第一章 一、发展目标 (一)经济目标 ¶1"),
            ("1.2.1", "paragraph", 0, "1.2", "第一章 二、重点任务 ¶1「推进教育发展」"),
            ("2.0.1", "paragraph", 0, "2", "第二章 保障措施 ¶1"),
        ])
        assert tree.get("1.1.1.1").path == ("第一章 总体要求", "一、发展目标", "(一)经济目标")
        assert tree.get("T").text == "示范县“十四五”规划"


# -- 篇 › 章 › 节, numbered through the parts --------------------------------------------------------
PARTS = """示范省国民经济和社会发展第十四个五年规划纲要

本纲要阐明全省战略意图，是全省人民共同的行动纲领。

第一篇　总体要求 开启新征程

本篇提出总体要求。

第一章　发展环境

我省进入新发展阶段。

第一节　取得的成就

——经济实力大幅跃升。地区生产总值突破5万亿元。

——创新能力显著增强。研发投入强度达到2.5%。

第二节　面临的形势

当前，发展仍处于重要战略机遇期。前瞻布局新兴产业。培育壮大新动能，加快建设产业集群。扩大有效投资。加快建设交通网络，提升通达能力。

第二篇　创新驱动 塑造新优势

第二章　强化科技力量

第一节　建设创新平台

建设实验室体系。
"""


class TestParts:
    @pytest.fixture(scope="class")
    def tree(self):
        return parse(PARTS)

    def test_ids_levels_parents_labels(self, tree):
        assert [c.clause_id for c in tree.clauses] == ["T", "0.1", "P1", "P1.1", "1", "1.0.1", "1.1", "1.1.1", "1.1.2",
                                                       "1.2", "1.2.1", "P2", "2", "2.1", "2.1.1"]
        assert_rows(tree, [
            ("0.1", "paragraph", 0, None, "前言 ¶1"),
            ("P1", "heading", 0, None, "第一篇 总体要求 开启新征程"),
            ("P1.1", "paragraph", 0, "P1", "第一篇 总体要求 开启新征程 ¶1"),
            ("1", "heading", 1, "P1", "第一篇 第一章 发展环境"),
            ("1.1", "heading", 2, "1", "第一篇 第一章 第一节 取得的成就"),
            ("1.1.1", "paragraph", 0, "1.1", "第一篇 第一章 第一节 取得的成就 ¶1「经济实力大幅跃升」"),
            ("1.1.2", "paragraph", 0, "1.1", "第一篇 第一章 第一节 取得的成就 ¶2「创新能力显著增强」"),
            ("2", "heading", 1, "P2", "第二篇 第二章 强化科技力量"),
            ("2.1.1", "paragraph", 0, "2.1", "第二篇 第二章 第一节 建设创新平台 ¶1"),
        ])

    def test_paths_hold_the_part(self, tree):
        assert tree.get("1.1.1").path == ("第一篇 总体要求 开启新征程", "第一章 发展环境", "第一节 取得的成就")

    def test_title_is_the_short_lines_and_the_opening_paragraph_the_preface(self, tree):
        assert tree.get("T").text == "示范省国民经济和社会发展第十四个五年规划纲要"
        assert tree.get("0.1").text.startswith("本纲要阐明")

    def test_heading_titles_keep_the_space_between_phrases(self, tree):
        p1 = tree.get("P1")
        assert (p1.title, p1.text) == ("总体要求 开启新征程", "第一篇 总体要求 开启新征程")
        assert tree.get("1").title == "发展环境"  # the full-width space after 第一章 separates, it is no part of the title

    def test_blank_separated_paragraphs_are_not_cut_at_inner_short_sentences(self, tree):
        assert tree.children("1.2") == [tree.get("1.2.1")] and tree.get("1.2.1").title == ""

    def test_the_same_text_without_blank_lines_is_cut_at_inline_leads(self):
        tree = parse(PARTS.replace("\n\n", "\n"))
        assert [c.title for c in tree.children("1.2")] == ["", "前瞻布局新兴产业", "扩大有效投资"]


# -- chapters restarting in each 篇 --------------------------------------------------------------
RESTARTING = """示范市发展规划
第一篇 总体布局
第一章 发展基础
成就显著。
第二章 发展目标
目标明确。
第二篇 重点任务
第一章 产业发展
第一节 先进制造
做强制造业。
"""


class TestChaptersRestartingPerPart:
    def test_chapter_ids_are_qualified_by_the_part(self):
        tree = parse(RESTARTING)
        assert [c.clause_id for c in tree.clauses] == ["T", "P1", "P1C1", "P1C1.0.1", "P1C2", "P1C2.0.1", "P2",
                                                       "P2C1", "P2C1.1", "P2C1.1.1"]
        assert_rows(tree, [
            ("P1C2", "heading", 1, "P1", "第一篇 第二章 发展目标"),
            ("P2C1", "heading", 1, "P2", "第二篇 第一章 产业发展"),
            ("P2C1.1", "heading", 2, "P2C1", "第二篇 第一章 第一节 先进制造"),
            ("P2C1.1.1", "paragraph", 0, "P2C1.1", "第二篇 第一章 第一节 先进制造 ¶1"),
        ])


# -- 节 › 一、 › (一) › 1. › (1) ----------------------------------------------------------------------
DEEP = """示范区规划
第一章 创新发展
第一节 科技创新
一、建设平台
（一）实验室
1.材料实验室
建设新材料实验室。
（1）先进材料
布局先进材料。
2.能源实验室
建设能源实验室。
（二）中心
建设技术中心。
二、培育人才
引进人才。
第二节 产业创新
推动产业升级。
"""


class TestDeepHeadings:
    def test_each_rank_nests_one_level_down(self):
        tree = parse(DEEP)
        assert_rows(tree, [
            ("1.1", "heading", 2, "1", "第一章 第一节 科技创新"),
            ("1.1.1", "heading", 3, "1.1", "第一章 第一节 科技创新 一、建设平台"),
            ("1.1.1.1", "heading", 4, "1.1.1", "第一章 第一节 科技创新 一、建设平台 (一)实验室"),
            ("1.1.1.1.1", "heading", 5, "1.1.1.1", "第一章 第一节 科技创新 一、建设平台 (一)实验室 1.材料实验室"),
            ("1.1.1.1.1.0.1", "paragraph", 0, "1.1.1.1.1",
             "第一章 第一节 科技创新 一、建设平台 (一)实验室 1.材料实验室 ¶1"),
            ("1.1.1.1.1.1", "heading", 6, "1.1.1.1.1",
             "第一章 第一节 科技创新 一、建设平台 (一)实验室 1.材料实验室 (1)先进材料"),
            ("1.1.1.1.1.1.1", "paragraph", 0, "1.1.1.1.1.1",
             "第一章 第一节 科技创新 一、建设平台 (一)实验室 1.材料实验室 (1)先进材料 ¶1"),
            ("1.1.1.1.2.1", "paragraph", 0, "1.1.1.1.2", "第一章 第一节 科技创新 一、建设平台 (一)实验室 2.能源实验室 ¶1"),
            ("1.1.1.2", "heading", 4, "1.1.1", "第一章 第一节 科技创新 一、建设平台 (二)中心"),
            ("1.1.2.1", "paragraph", 0, "1.1.2", "第一章 第一节 科技创新 二、培育人才 ¶1"),
            ("1.2.1", "paragraph", 0, "1.2", "第一章 第二节 产业创新 ¶1"),
        ])

    def test_a_numbered_sentence_stays_a_paragraph(self):
        tree = parse("规划\n第一章 总则\n1.建设新材料实验室，布局先进材料。\n")
        assert [c.kind for c in tree.clauses] == ["title", "heading", "paragraph"]


# -- 专栏 boxes -----------------------------------------------------------------------------------
BOX_BLANK = """示范区规划

第一章 创新发展

一、建设平台

推进平台建设。

专栏1 重大科技平台
01 国家实验室
02 技术创新中心

推进平台开放共享。

二、培育人才

引进人才。
"""
BOX_RUN_ON = """示范区规划
第一章 创新发展
一、建设平台
推进平台建设。
专栏2：重大科技平台
1.国家实验室
2.技术创新中心
推进平台开放共享。
二、培育人才
引进人才。
"""


class TestBoxes:
    def test_a_blank_line_ends_a_box(self):
        tree = parse(BOX_BLANK)
        assert_rows(tree, [
            ("1.1.1", "paragraph", 0, "1.1", "第一章 一、建设平台 ¶1"),
            ("1.1.B1", "heading", 3, "1.1", "第一章 一、建设平台 专栏1 重大科技平台"),
            ("1.1.B1.1", "paragraph", 0, "1.1.B1", "第一章 一、建设平台 专栏1 重大科技平台 ¶1"),
            ("1.1.B1.2", "paragraph", 0, "1.1.B1", "第一章 一、建设平台 专栏1 重大科技平台 ¶2"),
            ("1.1.2", "paragraph", 0, "1.1", "第一章 一、建设平台 ¶2"),
            ("1.2.1", "paragraph", 0, "1.2", "第一章 二、培育人才 ¶1"),
        ])
        assert tree.get("1.1.B1.1").text == "01国家实验室" and tree.get("1.1.B1").title == "重大科技平台"

    def test_without_blank_lines_a_box_runs_to_the_next_heading_and_its_numbered_lines_are_its_list(self):
        tree = parse(BOX_RUN_ON)
        assert [c.clause_id for c in tree.children("1.1.B2")] == ["1.1.B2.1", "1.1.B2.2", "1.1.B2.3"]
        assert tree.get("1.1.B2.1").text == "1.国家实验室"
        assert tree.get("1.2").parent_id == "1"


# -- the preface -----------------------------------------------------------------------------------
class TestPreface:
    @pytest.mark.parametrize("heading", ["前言", "序言"])
    def test_with_a_heading(self, heading):
        tree = parse(f"示范县规划\n{heading}\n本规划是行动纲领。\n第一章 总则\n坚持稳中求进。\n")
        assert_rows(tree, [("0", "heading", 1, None, heading), ("0.1", "paragraph", 0, "0", f"{heading} ¶1")])
        assert tree.get("T").text == "示范县规划"

    def test_without_a_heading_the_opening_paragraphs_are_the_preface_not_the_title(self):
        tree = parse("示范县规划\n纲要\n本规划是行动纲领。\n规划期为五年。\n第一章 总则\n坚持稳中求进。\n")
        assert tree.get("T").text == "示范县规划\n纲要"
        assert_rows(tree, [("0.1", "paragraph", 0, None, "前言 ¶1"), ("0.2", "paragraph", 0, None, "前言 ¶2")])
        assert tree.get("0") is None


# -- 名词解释 and appendices --------------------------------------------------------------------------
BACK_MATTER = """示范县规划
第一章 总体要求
坚持稳中求进。
名词解释
1.“两新”：即新基建、新型城镇化。
2.“一带”：即沿海经济带，
含港口群。
附表1 主要指标
指标 | 2020年 | 2025年
地区生产总值增长 | 6% | 5.5%
附件：重大项目清单
建设示范县体育中心。
"""


class TestGlossaryAndAppendices:
    def test_entries_and_appendices(self):
        tree = parse(BACK_MATTER)
        assert_rows(tree, [
            ("G", "heading", 1, None, "名词解释"),
            ("G.1", "glossary", 0, "G", "名词解释 1.“两新”"),
            ("G.2", "glossary", 0, "G", "名词解释 2.“一带”"),
            ("A1", "heading", 1, None, "附表1 主要指标"),
            ("A1.2", "paragraph", 0, "A1", "附表1 主要指标 ¶2"),
            ("A2", "heading", 1, None, "附件 重大项目清单"),
            ("A2.1", "paragraph", 0, "A2", "附件 重大项目清单 ¶1"),
        ])
        assert tree.get("G.2").text == "2.“一带”：即沿海经济带，\n含港口群。"  # an entry over two lines
        assert tree.get("A1.1").text == "指标|2020年|2025年"


# -- what must fail loudly -------------------------------------------------------------------------
class TestLoudFailures:
    @pytest.mark.parametrize("text, line, words", [
        ("规划\n第一节 开头\n第一章 总则\n", 2, "第X节 before any 第X章"),
        ("规划\n第一篇 总论\n第一节 开头\n", 3, "第X节 outside any 第X章"),
        ("规划\n第一篇 总论\n一、开头\n", 3, "一、 heading outside any 第X章"),
        ("规划\n第一章 总则\n二、目标\n一、任务\n", 4, "numbering goes backwards"),
        ("第二章 目标\n内容。\n第一章 总则\n", 3, "numbering goes backwards"),
        ("规划\n第一章 总则\n第一节 目标\n（二）甲\n（一）乙\n", 5, "numbering goes backwards"),
        ("规划\n第一章 总则\n专栏1 甲\n内容。\n专栏1 乙\n", 5, "duplicate id 1.B1"),
        ("规划\n第一章 总则\n名词解释\n说明文字。\n", 4, "not an entry"),
        ("规划\n前言\n说明。\n序言\n", 4, "a second preface"),
    ])
    def test_the_error_names_the_line(self, text, line, words):
        with pytest.raises(PlanLayoutError) as e:
            parse_plan(text)
        assert e.value.line == line and words in str(e.value) and f"line {line}:" in str(e.value)
        assert isinstance(e.value, ValueError)

    def test_a_text_without_headings_is_reported_flat(self):
        with pytest.raises(FlatPlanError, match="flat") as e:
            parse_plan("只有一段文字。\n又一段文字。\n")
        assert e.value.line == 1

    def test_skipped_numbers_are_placed_and_noted(self):
        tree = parse("规划\n第一章 总则\n第三章 目标\n")
        assert [c.clause_id for c in tree.clauses] == ["T", "1", "3"]
        assert len(tree.notes) == 1 and "line 3" in tree.notes[0] and "skips to 3" in tree.notes[0]


class TestHeadingSpaces:
    @pytest.mark.parametrize("raw, text", [
        ("第二篇\u3000坚持创新驱动发展 全面塑造发展新优势", "第二篇 坚持创新驱动发展 全面塑造发展新优势"),
        ("第十八篇\u3000坚持“一国两制” 推进祖国统一", "第十八篇 坚持“一国两制” 推进祖国统一"),
        ("一、 到 2025 年的目标", "一、到2025年的目标"),  # stray spaces next to digits and punctuation go
        ("5G 网络 and AI model", "5G网络and AI model"),
    ])
    def test_normalise_heading(self, raw, text):
        assert normalise_heading(raw) == text


# -- boxes in a text without blank lines: what ends them ----------------------------------------------------
BOX_THEN = """示范省规划
第四章 建设创新型省份
第一节 提升科技创新能力
{before}专栏2 科技创新重大工程
1.创新平台建设工程。新建重点实验室100家以上。
2.科技型企业培育工程。科技型中小企业达到12万家。
{after}
第二节 激发人才创新活力
深化人才发展体制机制改革。
"""
PROSE = ("深化科技体制改革，完善科技评价机制，健全科技成果转化体系，推动产学研深度融合发展。"
         "加大基础研究投入，实施基础研究特区试点，鼓励高校和科研院所开展自由探索，营造良好创新生态。")


class TestBoxEnds:
    @pytest.mark.parametrize("before, after, after_id, after_parent", [
        # a heading continuing the numbering of the parent's own children (after the box's list)
        ("（一）强化战略科技力量。建设一批高水平创新平台。\n（二）加快关键核心技术攻关。实施一批重大科技项目。\n",
         "（三）加强基础研究。加大基础研究投入，实施基础研究特区试点。", "4.1.3", "4.1"),
        # a heading of a rank above the box's list (（一） over 1.), even with no sibling before the box
        ("", "（三）加强基础研究。加大基础研究投入，实施基础研究特区试点。", "4.1.3", "4.1"),
        ("", "（三）加强基础研究", "4.1.3", "4.1"),
        # a long prose paragraph of several sentences after the list
        ("推进创新平台建设。\n", PROSE, "4.1.2", "4.1"),
    ])
    def test_what_ends_a_box(self, before, after, after_id, after_parent):
        tree = parse(BOX_THEN.format(before=before, after=after))
        assert [c.clause_id for c in tree.children("4.1.B2")] == ["4.1.B2.1", "4.1.B2.2"]
        assert tree.get("4.1.B2").parent_id == "4.1"
        assert tree.get(after_id).parent_id == after_parent and tree.get(after_id).start > tree.get("4.1.B2.2").end
        assert tree.get("4.2").parent_id == "4"

    def test_a_short_line_after_the_list_stays_in_the_box(self):
        tree = parse(BOX_THEN.format(before="", after="推进平台开放共享。"))
        assert len(tree.children("4.1.B2")) == 3

    @pytest.mark.parametrize("last, in_box", [
        ("（三）生态。生态环境持续改善。", False),  # continues both lists: a heading with its text is the body's
        ("（三）生态工程", True),
    ])
    def test_list_lines_of_the_box_s_own_numbering_stay_in_it(self, last, in_box):
        """（一） items in a box after 国发-style （一）（二） headings (the box is their parent's): they do not
        continue the parent's numbering, so they are the box's list."""
        text = ("规划\n第一章 总则\n一、目标\n（一）经济。经济增长。\n（二）民生。民生改善。\n专栏1 重大工程\n"
                f"（一）交通工程\n（二）能源工程\n{last}\n")
        tree = parse(text)
        box = [c.text for c in tree.children("1.1.B1")]
        assert box[:2] == ["（一）交通工程", "（二）能源工程"] and tree.get("1.1.B1").parent_id == "1.1"
        assert (len(box) == 3) == in_box and (tree.get("1.1.3") is None) == in_box


# -- boxes whose items stand apart with blank lines --------------------------------------------------------------
BOX_SPACED = """示范市规划

第三章 构建现代产业体系

一、做强主导产业

（一）生物医药

做强创新药、现代中药。

专栏1　主导产业重点工程

（1）石药集团创新药产业园项目

（2）以岭药业智能制造基地项目

（3）中电科13所第三代半导体项目

{after}
"""


class TestBoxBlankSeparated:
    @pytest.mark.parametrize("after, after_id, after_parent", [
        ("二、改造提升传统产业\n\n推动传统产业绿色化改造。", "3.2", "3"),
        ("推动生物医药产业集群发展。", "3.1.1.2", "3.1.1"),  # a sentence after a blank line is the body's
    ])
    def test_the_box_keeps_all_its_items(self, after, after_id, after_parent):
        tree = parse(BOX_SPACED.format(after=after))
        assert [c.text for c in tree.children("3.1.1.B1")] == [
            "（1）石药集团创新药产业园项目", "（2）以岭药业智能制造基地项目", "（3）中电科13所第三代半导体项目"]
        assert tree.get(after_id).parent_id == after_parent
        assert not [c for c in tree.clauses if c.kind == "heading" and c.level > 4]
        assert not [n for n in tree.notes if "(1)" in n]

    @pytest.mark.parametrize("after, after_id, after_parent", [
        ("第二节 发展互助养老\n\n推进村级互助养老服务点建设。", "1.2.1", "1.2"),
        ("推进乡镇养老服务中心建设，完善设施布局。加强运营管理，提升服务质量。", "1.1.2", "1.1"),
    ])
    def test_titled_items_spelled_out_by_lead_lines_stay_in_the_box(self, after, after_id, after_parent):
        """「1.…工程」 (a title) with 「——」 lines under it, blank lines between: the lines are the item's,
        the next number the box's list, and only a heading or prose after the list ends the box."""
        text = ("规划\n\n第一章 网络\n\n第一节 设施\n\n建设服务设施。\n\n专栏1　设施建设工程\n\n"
                "1.敬老院改造提升工程\n\n——改造提升供养服务设施。\n\n——推进消防安全改造。\n\n"
                f"2.乡镇养老服务中心建设工程\n\n——每个乡镇至少建有1所。\n\n{after}\n")
        tree = parse(text)
        assert [c.text for c in tree.children("1.1.B1")] == [
            "1.敬老院改造提升工程", "——改造提升供养服务设施。", "——推进消防安全改造。",
            "2.乡镇养老服务中心建设工程", "——每个乡镇至少建有1所。"]
        assert not [c for c in tree.clauses if c.kind == "heading" and c.level == 3 and "工程" in c.title
                    and c.clause_id != "1.1.B1"]
        assert tree.get(after_id).parent_id == after_parent

    def test_unnumbered_rows_of_a_box_across_blank_lines(self):
        text = "规划\n\n第一章 目标\n\n专栏1 主要指标\n\n指标　2020年　2025年\n\n地区生产总值　5　6\n\n坚持稳中求进。\n"
        tree = parse(text)
        assert [c.text for c in tree.children("1.B1")] == ["指标2020年2025年", "地区生产总值56"]
        assert tree.get("1.0.1").text == "坚持稳中求进。"


# -- a heading whose title is a sentence: 「（一）发展基础。」, 「（一）加强基础研究。加大…」 ----------------------------------
SENTENCE_HEADINGS = """示范省规划
第一章 发展基础
第一节 取得的成就
总体看，成就显著。
（一）京津冀协同发展实现重大突破。北京非首都功能疏解取得积极进展，雄安新区进入大规模建设阶段。
（二）发展软件和信息服务业。
1.培育软件企业。支持本地企业开发行业应用软件。
（1）发展信息服务。建设区域数据服务中心。
（三）脱贫攻坚战取得全面胜利。
第二节 面临的形势
一、国际环境。
世界百年未有之大变局加速演进。
"""


class TestSentenceHeadings:
    @pytest.fixture(scope="class")
    def tree(self):
        return parse(SENTENCE_HEADINGS)

    def test_ids_levels_parents_labels(self, tree):
        assert_rows(tree, [
            ("1.1.0.1", "paragraph", 0, "1.1", "第一章 第一节 取得的成就 ¶1"),
            ("1.1.1", "heading", 3, "1.1", "第一章 第一节 取得的成就 (一)京津冀协同发展实现重大突破"),
            ("1.1.1.1", "paragraph", 0, "1.1.1", "第一章 第一节 取得的成就 (一)京津冀协同发展实现重大突破 ¶1"),
            ("1.1.2", "heading", 3, "1.1", "第一章 第一节 取得的成就 (二)发展软件和信息服务业"),
            # 1. and （1） with a sentence are list items of the heading above, their first sentence their lead
            ("1.1.2.1", "paragraph", 0, "1.1.2", "第一章 第一节 取得的成就 (二)发展软件和信息服务业 ¶1「培育软件企业」"),
            ("1.1.2.2", "paragraph", 0, "1.1.2", "第一章 第一节 取得的成就 (二)发展软件和信息服务业 ¶2「发展信息服务」"),
            ("1.1.3", "heading", 3, "1.1", "第一章 第一节 取得的成就 (三)脱贫攻坚战取得全面胜利"),
            ("1.2.1", "heading", 3, "1.2", "第一章 第二节 面临的形势 一、国际环境"),
            ("1.2.1.1", "paragraph", 0, "1.2.1", "第一章 第二节 面临的形势 一、国际环境 ¶1"),
        ])

    def test_the_heading_and_its_text_share_the_line(self, tree):
        head, para = tree.get("1.1.1"), tree.get("1.1.1.1")
        assert (head.title, head.text) == ("(一)京津冀协同发展实现重大突破", "（一）京津冀协同发展实现重大突破。")
        assert para.text.startswith("北京非首都功能") and para.title == ""
        assert SENTENCE_HEADINGS[head.start:head.end] == "（一）京津冀协同发展实现重大突破。"
        assert head.end == para.start and SENTENCE_HEADINGS[para.end] == "\n"

    @pytest.mark.parametrize("line", [
        "（一）到2025年，全市地区生产总值达到1000亿元。",  # a clause in the first sentence: no title
        "1.建设新材料实验室。布局先进材料。",  # Arabic numbering: a list item
        "（一）" + "很长的标题" * 7 + "。正文。",  # longer than a title
    ])
    def test_what_stays_a_paragraph(self, line):
        tree = parse(f"规划\n第一章 总则\n{line}\n")
        assert [c.kind for c in tree.clauses] == ["title", "heading"] + ["paragraph"] * (len(tree.clauses) - 2)


# -- a 国务院/ministry plan: 一、 at the top, no 篇/章 --------------------------------------------------------
ITEMS_TOP = """国务院关于印发示范规划的通知
国发〔2021〕35号

示范规划

为实施积极应对人口老龄化国家战略，制定本规划。

一、规划背景

（一）发展基础。

党中央、国务院高度重视老龄事业。

二、总体要求

（一）指导思想。

以习近平新时代中国特色社会主义思想为指导。

（二）主要任务

1.完善基本养老保险体系。尽快实现全国统筹。

2.健全服务网络

建设社区养老服务设施。
"""


class TestItemsAtTheTop:
    @pytest.fixture(scope="class")
    def tree(self):
        return parse(ITEMS_TOP)

    def test_ids_levels_parents_labels(self, tree):
        assert [c.clause_id for c in tree.clauses] == ["T", "0.1", "1", "1.1", "1.1.1", "2", "2.1", "2.1.1", "2.2",
                                                       "2.2.0.1", "2.2.2", "2.2.2.1"]
        assert_rows(tree, [
            ("0.1", "paragraph", 0, None, "前言 ¶1"),
            ("1", "heading", 1, None, "一、规划背景"),
            ("1.1", "heading", 2, "1", "一、规划背景 (一)发展基础"),
            ("1.1.1", "paragraph", 0, "1.1", "一、规划背景 (一)发展基础 ¶1"),
            ("2.2", "heading", 2, "2", "二、总体要求 (二)主要任务"),
            ("2.2.0.1", "paragraph", 0, "2.2", "二、总体要求 (二)主要任务 ¶1「完善基本养老保险体系」"),
            ("2.2.2", "heading", 3, "2.2", "二、总体要求 (二)主要任务 2.健全服务网络"),
        ])
        assert tree.get("T").text == "国务院关于印发示范规划的通知\n国发〔2021〕35号\n示范规划"
        assert tree.get("2.2.2.1").path == ("二、总体要求", "(二)主要任务", "2.健全服务网络")

    def test_check_says_the_top_level(self, tree):
        from index.add_plan import structure_report
        report = structure_report(tree)
        assert "top level: 一、 (no 篇/章 heading" in "\n".join(report)
        assert "2 chapters (一、)" in report[1]

    def test_a_chapter_plan_with_items_is_unchanged(self):
        assert parse(CHAPTERS).get("1.1").label == "第一章 一、发展目标"

    @pytest.mark.parametrize("text", ["只有一段文字。\n又一段文字。\n", "规划\n（一）总则\n坚持稳中求进。\n"])
    def test_a_text_without_chapters_or_top_items_stays_flat(self, text):
        with pytest.raises(FlatPlanError, match="flat"):
            parse_plan(text)


# -- a pasted table of contents ---------------------------------------------------------------------------
class TestTableOfContents:
    @pytest.mark.parametrize("toc, entries", [
        ("目  录\n第一章 发展基础\t1\n第二章 总体要求\t5\n", ["第一章 发展基础 1", "第二章 总体要求 5"]),
        ("目录\n前言……1\n第一章 发展基础……2\n第一节 成就……2\n第二章 总体要求……5\n",
         ["前言……1", "第一章 发展基础……2", "第一节 成就……2", "第二章 总体要求……5"]),
        ("目　录\n第一篇 总论\n第一章 发展基础\n第二章 总体要求\n", ["第一篇 总论", "第一章 发展基础", "第二章 总体要求"]),
        ("目录\n第一章 发展基础 1\n第二章 总体要求 5\n", ["第一章 发展基础 1", "第二章 总体要求 5"]),  # no 前言 listed
    ])
    def test_kept_as_one_front_matter_clause(self, toc, entries):
        body = "前言\n本规划是行动纲领。\n" if "前言" in toc or "总论" not in toc else ""
        body += "第一篇 总论\n" if "总论" in toc else ""
        text = f"示范县规划纲要\n{toc}{body}第一章 发展基础\n经济增长。\n第二章 总体要求\n坚持稳中求进。\n"
        tree = parse(text)
        toc_clause = tree.get("TOC")
        assert (toc_clause.kind, toc_clause.label, toc_clause.parent_id) == ("title", "目录", None)
        assert toc_clause.text.split("\n") == ["目录"] + entries
        assert tree.get("T").text == "示范县规划纲要"
        assert tree.get("2.0.1").text == "坚持稳中求进。"
        assert [c.clause_id for c in tree.clauses if c.kind in ("paragraph", "glossary")][-2:] == ["1.0.1", "2.0.1"]
        assert any("table of contents" in n for n in tree.notes)
        if body.startswith("前言"):
            assert tree.get("0").text == "前言" and tree.get("0.1").text == "本规划是行动纲领。"


# -- page numbers of a PDF --------------------------------------------------------------------------------
class TestPageNumbers:
    @pytest.mark.parametrize("page", ["— 1 —", "- 2 -", "－3－", "第 3 页", "第3页 共20页", "12"])
    def test_out_of_the_text_inside_the_span_before(self, page):
        text = f"示范县规划\n\n第一章 发展基础\n\n经济增长。\n\n{page}\n\n社会稳定。\n\n第二章 总体要求\n\n坚持。\n"
        tree = parse(text)
        assert [c.text for c in tree.children("1")] == ["经济增长。", "社会稳定。"]
        first = tree.get("1.0.1")
        assert text[first.start:first.end].endswith(page) and first.text == "经济增长。"
        assert len(tree.notes) == 1 and "page-number line" in tree.notes[0]

    def test_a_bare_number_in_an_appendix_or_a_box_is_content(self):
        text = "规划\n第一章 总则\n专栏1 指标\n指标\n85\n附表1 主要指标\n2025年\n60\n"
        tree = parse(text)
        assert [c.text for c in tree.children("1.B1")] == ["指标", "85"]
        assert [c.text for c in tree.children("A1")] == ["2025年", "60"] and tree.notes == ()


# -- lead phrases ----------------------------------------------------------------------------------------
class TestLeads:
    @pytest.mark.parametrize("line, lead", [
        ("——坚持党委领导、政府主导。强化政府保基本、兜底线职能。", "坚持党委领导、政府主导"),
        ("——坚持“两个毫不动摇”。毫不动摇巩固和发展公有制经济。", "坚持“两个毫不动摇”"),
        ("1.经济发展取得新成效。地区生产总值年均增长6.5%左右。", "经济发展取得新成效"),
        ("（2）发展信息服务。建设区域数据服务中心。", "发展信息服务"),
        ("坚持党委领导、政府主导。强化政府职能。", ""),  # without the dash a sentence listing with 、 is no lead
    ])
    def test_lead(self, line, lead):
        tree = parse(f"规划\n\n第一章 总则\n\n{line}\n")
        assert tree.get("1.0.1").title == lead


# -- smaller: the title block, box numbering, error messages -------------------------------------------------
class TestSmallerLayouts:
    def test_the_title_keeps_a_wide_gap_between_two_names(self):
        tree = parse("河北省养老服务体系建设规划\n河北省民政厅\u3000河北省发展和改革委员会\n石家庄市发展第十四个五年规划和二 〇 三五年"
                     "远景目标纲要\n第一章 总则\n坚持。\n")
        assert tree.get("T").text.split("\n")[1:] == ["河北省民政厅 河北省发展和改革委员会",
                                                      "石家庄市发展第十四个五年规划和二〇三五年远景目标纲要"]

    @pytest.mark.parametrize("line, cid, label", [
        ("【专栏1】重大工程", "1.B1", "第一章 专栏1 重大工程"),
        ("专栏1-1 重大工程", "1.B1-1", "第一章 专栏1-1 重大工程"),
        ("专栏三：重大工程", "1.B3", "第一章 专栏三 重大工程"),
    ])
    def test_box_numbering(self, line, cid, label):
        tree = parse(f"规划\n第一章 总则\n{line}\n1.交通工程\n")
        assert (tree.get(cid).label, tree.get(f"{cid}.1").text) == (label, "1.交通工程")

    def test_the_error_quotes_the_line_with_its_spaces(self):
        with pytest.raises(PlanLayoutError, match="「第一节 发展 基础」"):
            parse_plan("规划\n第一节\u3000发展  基础\n")

    def test_a_chapter_pasted_twice_is_a_duplicate(self):
        with pytest.raises(PlanLayoutError) as e:
            parse_plan("规划\n\n第一章 总体要求\n\n坚持。\n\n第一章 总体要求\n\n重复粘贴。\n")
        assert e.value.line == 7 and "duplicate heading" in str(e.value) and "line 3" in str(e.value)
        assert "backwards" not in str(e.value)


# -- the real plans -----------------------------------------------------------------------------
class TestNationalOutline:
    @pytest.fixture(scope="class")
    def source(self):
        return NATIONAL.read_text(encoding="utf-8")

    @pytest.fixture(scope="class")
    def tree(self, source):
        return parse_plan(source)

    def test_lossless(self, source, tree):
        assert_lossless(source, tree)

    def test_counts(self, tree):
        headings = [c for c in tree.clauses if c.kind == "heading"]
        assert [c.clause_id for c in headings if c.level == 0] == [f"P{i}" for i in range(1, 20)]
        assert [c.clause_id for c in headings if c.level == 1] == [str(i) for i in range(1, 66)]
        assert sum(c.level == 2 for c in headings) == 192 and not [c for c in headings if c.level > 2]
        assert tree.notes == ()

    def test_nothing_is_mis_nested(self, tree):
        """Each 节 belongs to the last 章 before it in the text, each 章 to the last 篇 before it."""
        last = {}
        for c in tree.clauses:
            if c.kind == "heading":
                if c.level > 0:
                    assert c.parent_id == last[c.level - 1].clause_id, c.clause_id
                    assert c.clause_id.rsplit(".", 1)[0] == c.parent_id or c.level == 1
                last[c.level] = c

    def test_title_and_preface(self, tree, source):
        assert tree.get("T").text == "新华社北京3月12日电\n中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
        preface = tree.get("0.1")
        assert preface.parent_id is None and preface.label == "前言 ¶1"
        assert source[preface.start:preface.end].startswith("中华人民共和国国民经济和社会发展第十四个五年（2021－2025年）")
        assert tree.get("0.2") is None

    @pytest.mark.parametrize("cid, parent, label", [
        ("P12", None, "第十二篇 实行高水平对外开放 开拓合作共赢新局面"),
        ("P12.1", "P12", "第十二篇 实行高水平对外开放 开拓合作共赢新局面 ¶1"),
        ("45", "P13", "第十三篇 第四十五章 实施积极应对人口老龄化国家战略"),
        ("49.2", "49", "第十四篇 第四十九章 第二节 优化社会救助和慈善制度"),
        ("49.2.1", "49.2", "第十四篇 第四十九章 第二节 优化社会救助和慈善制度 ¶1"),
        ("2.2.1", "2.2", "第一篇 第二章 第二节 必须遵循的原则 ¶1「坚持党的全面领导」"),
        ("P18", None, "第十八篇 坚持“一国两制” 推进祖国统一"),
    ])
    def test_labels(self, tree, cid, parent, label):
        c = tree.get(cid)
        assert (c.parent_id, c.label) == (parent, label)

    def test_path_and_title_spaces(self, tree):
        assert tree.get("49.2.1").path == ("第十四篇 增进民生福祉 提升共建共治共享水平", "第四十九章 健全多层次社会保障体系",
                                           "第二节 优化社会救助和慈善制度")
        assert tree.get("P2").title == "坚持创新驱动发展 全面塑造发展新优势"
        assert [c.clause_id for c in tree.children("P12")] == ["P12.1", "40", "41", "42"]


class TestQiaoxiUnchanged:
    # sha256 of the Qiaoxi tree's Clause.to_dict() list as the parser before issue 13 gave it
    # (json.dumps(..., ensure_ascii=False, sort_keys=True)): the new parser must give the very same tree.
    DIGEST = "bb2aa93a32a54af27d36c2082d609ed91390d4548c0765dc6432af0454301242"

    @pytest.fixture(scope="class")
    def tree(self):
        return parse_plan(QIAOXI.read_text(encoding="utf-8"))

    def test_the_whole_tree_is_the_earlier_one(self, tree):
        dump = json.dumps([c.to_dict() for c in tree.clauses], ensure_ascii=False, sort_keys=True)
        assert hashlib.sha256(dump.encode()).hexdigest() == self.DIGEST

    def test_counts(self, tree):
        chapters = [c for c in tree.clauses if c.kind == "heading" and c.level == 1 and c.clause_id not in ("0", "G")]
        assert len(chapters) == 16
        assert (tree.count("heading", 2), tree.count("heading", 3), tree.count("glossary")) == (62, 22, 25)
        assert tree.get("0").text == "前言" and tree.notes == ()

    @pytest.mark.parametrize("cid, label", [
        ("0.1", "前言 ¶1"),
        ("1", "第一章 站在历史发展新起点,把握未来发展新趋势"),
        ("1.1.1", "第一章 一、全面建成小康社会取得决定性成就 (一)综合实力持续增强,全面建成小康社会目标如期实现"),
        ("10.2.2", "第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」"),
        ("10.5.2", "第十章 五、促进青年高质量发展 ¶2「提升青年思想修养」"),
        ("G.18", "名词解释 18.“六个百分百”“两个全覆盖”"),
    ])
    def test_labels(self, tree, cid, label):
        assert tree.get(cid).label == label


# -- a blind batch: plans in six layouts written, with their expected structure, by a session that never read the parser --
BLIND = Path(__file__).parent / "data" / "layouts_blind"
BLIND_EXPECTED = json.loads((BLIND / "expected.json").read_text(encoding="utf-8"))
STRUCTURE_KEYS = {"parts": "part", "chapters": "level1", "sections": "level2", "subsections": "level3",
                  "level4": "level4", "boxes": "box", "glossary": "glossary", "appendices": "appendix"}


class TestBlindLayouts:
    @pytest.fixture(scope="class", params=sorted(k for k in BLIND_EXPECTED if not k.startswith("_")))
    def case(self, request):
        name = request.param
        text = read_plan_text(BLIND / name)
        tree = parse_plan(text, source_name=name)
        assert_lossless(text, tree)
        return tree, BLIND_EXPECTED[name]

    def test_counts_per_level(self, case):
        tree, expected = case
        structure = Structure(tree)
        assert {k: structure.count(key) for k, key in STRUCTURE_KEYS.items()} == {
            k: expected[k] for k in STRUCTURE_KEYS}
        assert (tree.get("TOC") is not None) == expected["has_toc"]

    def test_tricky_lines_sit_where_a_reader_puts_them(self, case):
        tree, expected = case
        for place in expected["placements"]:
            clause = tree.get(place["clause_id"])
            assert clause is not None, place
            line = squash(place["text"]).replace("(", "（").replace(")", "）")
            assert line[:10] in squash(clause.title + clause.text).replace("(", "（").replace(")", "）"), place
