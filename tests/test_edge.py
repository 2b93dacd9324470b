"""The one cleaner every edge uses (assistant.api.clean_question via webapp.edge): what it removes, what it keeps."""
from __future__ import annotations

import pytest

from assistant.api import clean_history, clean_question, clean_text, strip_list_numbering

BARE = "普惠性幼儿园覆盖率是多少？"


@pytest.mark.parametrize("prefix", ["1、", "2.", "3．", "4) ", "5）", "6：", "问题3：", "问题 12:", "Q4: ", "(2) ", "（二）",
                                    "三、", "①", "  1、 "])
def test_leading_list_numbering_is_stripped(prefix):
    assert clean_question(prefix + BARE, 1000) == (BARE, "")


@pytest.mark.parametrize("q", ["2025年普惠性幼儿园覆盖率是多少？", "3.5万人就业怎么安排？", "10.2.2说了什么？", "十四五期间教育目标",
                               "一刻钟便民生活圈有几个？", "1、", "5G基站建多少个？"])
def test_questions_that_only_start_with_a_number_are_kept(q):
    assert clean_question(q, 1000)[0] == q


def test_numbering_answers_like_the_bare_question(bot):
    bare = bot.ask(BARE)
    for prefix in ("1、", "问题3：", "(2) "):
        res = bot.ask(prefix + BARE)
        assert res.answer == bare.answer and res.citations == bare.citations and "85%" in res.answer


def test_lone_surrogates_and_controls_are_removed():
    q, notice = clean_question("\ud800幼儿园\x00\u2028覆盖率\udfff", 1000)
    assert q == "幼儿园 覆盖率" and notice == ""
    q.encode("utf-8")  # strict: encodable


def test_cut_after_numbering_with_notice():
    q, notice = clean_question("1、" + "问" * 1200, 1000)
    assert q == "问" * 1000 and "问题过长" in notice


def test_history_keeps_the_newest_turns_cleaned():
    history = [{"role": "user", "content": f"1、问题{i}\ud800"} for i in range(50)] + [{"role": "assistant", "content": "1、答"}]
    out = clean_history(history, 4, 1000)
    assert [t["content"] for t in out] == ["问题47", "问题48", "问题49", "1、答"]  # an answer's own numbering stays


def test_strip_is_idempotent():
    assert strip_list_numbering(strip_list_numbering("1、" + BARE)) == BARE


# -- boundaries mutation testing found unchecked (docs/testing.md) ---------------------------------------
def test_none_and_non_strings_are_cleaned_not_crashed():
    assert clean_text(None, 10) == ("", "") and clean_question(None, 10) == ("", "")
    assert clean_text(12345, 10) == ("12345", "")


def test_a_question_of_exactly_the_limit_is_not_cut():
    assert clean_question("问" * 10, 10) == ("问" * 10, "")
    assert clean_text("问" * 10, 10) == ("问" * 10, "")
    q, notice = clean_question("问" * 11, 10)
    assert q == "问" * 10 and "10" in notice


def test_numbering_does_not_count_against_a_short_limit():
    assert clean_question("1、问问问问问", 5) == ("问问问问问", "")
    assert clean_question("问题12：" + "问" * 5, 5) == ("问" * 5, "")


def test_only_the_first_numbering_is_stripped():
    assert strip_list_numbering("1、2、普惠性幼儿园") == "2、普惠性幼儿园"


def test_a_zero_turn_limit_keeps_no_history():
    assert clean_history([{"role": "user", "content": "普惠性幼儿园有什么规划？"}], 0, 1000) == []
