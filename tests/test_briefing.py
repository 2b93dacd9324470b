"""The briefing draft model and its Markdown / .docx exports (pure functions, no app needed)."""
from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from docx import Document

from assistant.briefing import (
    BriefingItem,
    add_item,
    default_source,
    md_escape,
    move_item,
    references,
    remove_item,
    renumber,
    to_docx,
    to_markdown,
    write_exports,
)
from assistant.types import Answer, Citation

# What the exports name when given no source: the configured plan's profile.
PLAN_TITLE, DEFAULT_TITLE = default_source().plan_title, default_source().default_title

KIDS = Citation("10.2.2", "第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」",
                "到2025年,普惠性幼儿园覆盖率达到85%,公办幼儿园在园幼儿达到50%。")
CARE = Citation("5.4.2.3", "第五章 四、大力培育发展新兴产业 (二)康养休闲产业 ¶3「有效促进康养结合」",
                "构建医养结合联盟,建设医养综合体。")
NOW = datetime(2025, 3, 1, 9, 30)


def item(question: str, answer: str, *cites: Citation) -> BriefingItem:
    return BriefingItem(question=question, answer=answer, citations=tuple(cites))


@pytest.fixture
def draft():
    d = ()
    d, _ = add_item(d, item("医养结合呢？", "构建医养结合联盟[1]。", CARE))
    d, _ = add_item(d, item("到2025年普惠性幼儿园覆盖率要达到多少？",
                            "根据规划：\n普惠性幼儿园覆盖率达到85%[1]。医养综合体[2]。", KIDS, CARE))
    return d


def test_from_answer_keeps_citations_in_marker_order():
    ans = Answer(answer="达到85%[1]。", citations=[KIDS], query="q")
    it = BriefingItem.from_answer("问", ans)
    assert it.citations == (KIDS,) and it.answer == "达到85%[1]。" and it.query == "q"


def test_add_ignores_duplicates(draft):
    same, added = add_item(draft, draft[0])
    assert not added and same == draft


def test_move_and_remove_are_pure_and_clamped(draft):
    moved = move_item(draft, 1, -1)
    assert [i.question for i in moved] == [draft[1].question, draft[0].question]
    assert move_item(draft, 0, -5) == draft          # already first
    assert move_item(draft, 1, +3) == draft          # already last
    assert move_item(draft, 7, 1) == draft           # no such item
    assert remove_item(draft, 0) == (draft[1],)
    assert remove_item(draft, 9) == draft
    assert len(draft) == 2                           # the original is untouched


def test_references_are_unique_in_first_citation_order(draft):
    assert [c.clause_id for c in references(draft)] == ["5.4.2.3", "10.2.2"]
    assert [c.clause_id for c in references(move_item(draft, 1, -1))] == ["10.2.2", "5.4.2.3"]


def test_renumber_maps_local_markers_to_briefing_numbers(draft):
    refs = references(draft)
    assert renumber(draft[1], refs) == "根据规划：\n普惠性幼儿园覆盖率达到85%[2]。医养综合体[1]。"
    assert renumber(item("q", "无效标记[9]。", KIDS), refs) == "无效标记[9]。"


def test_markdown_has_items_and_numbered_reference_list(draft):
    md = to_markdown(draft, "教育与养老", now=NOW)
    assert md.startswith("# 教育与养老\n")
    assert PLAN_TITLE in md and "2025-03-01 09:30" in md
    assert "## 1. 医养结合呢？" in md and "## 2. 到2025年普惠性幼儿园覆盖率要达到多少？" in md
    assert "达到85%[2]" in md
    refs = md.split("## 参考条款", 1)[1]
    assert f"[1] {CARE.label}（条款 5.4.2.3）" in refs
    assert f"[2] {KIDS.label}（条款 10.2.2）" in refs


def test_markdown_escapes_user_text():
    d = (item("<script>alert(1)</script>", "见[1]。<img src=x onerror=alert(1)>", KIDS),)
    md = to_markdown(d, "<b>标题</b>", now=NOW)
    assert re.search(r"(?<!\\)<", md) is None  # every "<" is escaped
    assert r"\<script\>" in md and "见[1]。" in md
    assert "[1](" not in to_markdown((item("q", "[1](javascript:alert(1))", KIDS),))


def test_empty_draft_exports_cleanly():
    md = to_markdown((), "", now=NOW)
    assert md.startswith(f"# {md_escape(DEFAULT_TITLE)}") and "参考条款" not in md
    assert Document(io.BytesIO(to_docx(()))).paragraphs


def test_docx_content(draft):
    doc = Document(io.BytesIO(to_docx(draft, "教育与养老", now=NOW)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "教育与养老"
    assert "1. 医养结合呢？" in texts and "参考条款" in texts
    assert f"[2] {KIDS.label}（条款 10.2.2）" in texts
    body = next(p for p in doc.paragraphs if "85%" in p.text)
    marker = next(r for r in body.runs if r.text == "[2]")
    assert marker.font.superscript
    assert doc.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


def test_docx_survives_control_characters():
    d = (item("问\x01题\x0b", "答\x00案[1]。", KIDS),)
    texts = [p.text for p in Document(io.BytesIO(to_docx(d))).paragraphs]
    assert "1. 问题" in texts


def test_write_exports_makes_two_real_files(draft, tmp_path):
    md, docx = write_exports(draft, "简报", tmp_path, now=NOW)
    assert md.suffix == ".md" and docx.suffix == ".docx" and md.parent == docx.parent
    assert md.read_text(encoding="utf-8").startswith("# 简报")
    assert docx.stat().st_size > 1000 and docx.read_bytes()[:2] == b"PK"
    again, _ = write_exports(draft, "简报", tmp_path, now=NOW)
    assert again != md  # a fresh folder per export
