"""The one cleaner every edge uses (assistant.api.clean_question via webapp.edge): what it removes, what it keeps;
and the HTML escaping every string goes through before the page shows it (webapp.render)."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from assistant.api import clean_history, clean_question, clean_text, strip_list_numbering
from assistant.types import Citation
from webapp.render import esc, linked_answer, pending_html, user_html

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


# -- HTML: what a user typed or a model wrote is shown as text, never run -------------------------------------
class Shown(HTMLParser):
    """What a browser makes of an HTML fragment: its text (a <br> as a line break), its elements, their classes
    and its links as (href, title). Tag names are read as a browser reads them, case-insensitively."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.classes, self.links = "", [], [], []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.classes += (attrs.get("class") or "").split()
        if tag == "br":
            self.text += "\n"
        if tag == "a":
            self.links.append((attrs.get("href"), attrs.get("title")))

    def handle_data(self, data):
        self.text += data


HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', '" onmouseover="alert(1)',
           "' onfocus='alert(1)' x='", "&lt;b&gt;是转义过的标签", "普惠性幼儿园 & 托育", "**粗体** [链接](javascript:alert(1))"]
HOSTILE_IDS = ["script", "img-onerror", "double-quote", "single-quote", "entity", "ampersand", "markdown"]


@pytest.mark.parametrize("typed", HOSTILE, ids=HOSTILE_IDS)
def test_a_typed_question_is_shown_exactly_as_typed(typed):
    page = Shown(user_html(typed))
    assert page.text == typed and page.tags == ["div"] and page.classes == ["qx-q"]


@pytest.mark.parametrize("typed", [*HOSTILE, None, 2025], ids=[*HOSTILE_IDS, "none", "number"])
def test_escaped_text_stays_inside_its_attribute(typed):
    """A citation's label goes into a title="…" attribute: a quote in it must not end the attribute."""
    page = Shown(f'<a href="#qx-open-1" title="{esc(typed)}">[1]</a>')
    assert page.links == [("#qx-open-1", "" if typed is None else str(typed))] and page.tags == ["a"]


def test_a_streaming_answer_is_shown_line_by_line_as_text():
    partial = "根据规划：\n到2025年,普惠性幼儿园覆盖率达到85%[1]。<script>x</script>"
    page = Shown(pending_html(partial))
    assert page.text == partial and set(page.tags) == {"div", "br"} and page.links == []


def test_before_the_first_words_arrive_the_answer_says_it_is_searching():
    page = Shown(pending_html(""))
    assert page.text == "正在检索规划条款…" and "qx-wait" in page.classes


KG_CITE = Citation("10.2.2", '第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」', "…")
CARE_CITE = Citation("5.4.2.3", '第五章 "四、大力培育发展新兴产业" (二)康养休闲产业 ¶3', "…")  # a label with quotes


def test_valid_markers_link_to_their_clause_and_the_rest_stays_text():
    answer = "根据规划：\n\n普惠性幼儿园覆盖率达到85%[1]，构建医养结合联盟[2]。<b>[3]</b>[0]"
    page = Shown(linked_answer(answer, [KG_CITE, CARE_CITE]))
    assert page.links == [("#qx-open-10.2.2", KG_CITE.label), ("#qx-open-5.4.2.3", CARE_CITE.label)]
    assert page.text == answer.replace("\n\n", "\n")  # an empty line is dropped; [3] and [0] cite nothing
