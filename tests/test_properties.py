"""Property tests (Hypothesis): the edge cleaners, the parser's losslessness and the HTML escaper hold for
any input, not only for the examples written by hand. Example counts are modest so the suite stays fast;
a failing example is printed, and Hypothesis keeps it in .hypothesis/ (ignored) to try first next time."""
from __future__ import annotations

import html
import unicodedata

from hypothesis import HealthCheck, given, settings, strategies as st

from assistant.api import clean_history, clean_question, clean_text
from webapp.render import esc
from index.parser import parse_plan
from tests.test_parser import assert_lossless

# The isolation fixtures of conftest are function scoped but hold nothing an example could change.
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MAX_CHARS = 50

# Any text, with what users and clients actually send mixed in: lone surrogates (valid in a JSON string,
# invalid UTF-8), controls, zero-width and line-separator characters, list numbering, markup.
AWKWARD = ["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u200b", "\ufeff", "\u202e",
           "\r\n", "\t", "1、", "问题3：", "（二）", "①", "<script>", "普惠性幼儿园", " ", "e\u0301"]
any_text = st.lists(st.one_of(st.text(), st.sampled_from(AWKWARD)), max_size=12).map("".join)
json_like = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | any_text,
                         lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
                         max_leaves=12)
turn = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", 5, None]),
                              "content": st.one_of(any_text, json_like)})
history_like = st.one_of(json_like, st.lists(st.one_of(turn, json_like), max_size=30))


def assert_safe(text: str, max_chars: int, cut: bool = False) -> None:
    """Bounded, encodable as strict UTF-8, no control character, no line break, trimmed (a cut may end in
    the space where it fell)."""
    assert isinstance(text, str) and len(text) <= max_chars
    text.encode("utf-8")  # raises on a lone surrogate
    assert not [c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    assert text == (text.lstrip() if cut else text.strip())


@PROPERTY
@given(any_text | json_like)
def test_clean_text_is_safe_bounded_and_idempotent(value):
    text, notice = clean_text(value, MAX_CHARS)
    assert_safe(text, MAX_CHARS, cut=bool(notice))
    assert isinstance(notice, str) and (not notice or len(text) == MAX_CHARS)
    assert clean_text(text, MAX_CHARS)[0] == (text.rstrip() if notice else text)  # a cut may end in a space


@PROPERTY
@given(any_text | json_like)
def test_clean_question_is_safe_and_bounded(value):
    question, notice = clean_question(value, MAX_CHARS)
    assert_safe(question, MAX_CHARS, cut=bool(notice))
    if notice:
        assert len(question) == MAX_CHARS and str(MAX_CHARS) in notice


@PROPERTY
@given(history_like, st.integers(min_value=0, max_value=6))
def test_clean_history_keeps_only_bounded_user_and_assistant_turns(value, max_turns):
    out = clean_history(value, max_turns, MAX_CHARS)
    assert isinstance(out, list) and len(out) <= max_turns
    for t in out:
        assert set(t) == {"role", "content"} and t["role"] in ("user", "assistant")
        assert t["content"] and assert_safe(t["content"], MAX_CHARS, cut=len(t["content"]) == MAX_CHARS) is None


@PROPERTY
@given(st.lists(turn, min_size=1, max_size=30), st.integers(min_value=1, max_value=6))
def test_clean_history_keeps_the_newest_turns_in_order(turns, max_turns):
    """What survives is the newest usable turns, in their order (compared through the cleaner itself)."""
    usable = [t for t in turns if t["role"] in ("user", "assistant") and isinstance(t["content"], str)
              and clean_history([t], 1, MAX_CHARS)]
    expected = [clean_history([t], 1, MAX_CHARS)[0] for t in usable][-max_turns:]
    assert clean_history(turns, max_turns, MAX_CHARS) == expected


# -- the parser: any text assembled from plan-like lines is parsed without losing a character --------------
# Plan-like: an optional preface, chapters numbered in order, each with paragraphs, sections 一、二、…
# and subsections （一）（二）…, then an optional glossary of numbered entries (the layout parse_plan reads;
# a second preface or a chapter inside the glossary is a malformed plan, which it rejects by design).
def cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones or not tens else "")


words = st.text(alphabet=st.sampled_from(list("规划建设推进发展教育医疗养老幼儿园覆盖率达到完善服务体系年")), min_size=1, max_size=12)
sentence = st.builds(lambda w, n, p: f"{w}{n}{p}", words, st.sampled_from(["", "85%", "2025 年", "3 所", "6.5亿元"]),
                     st.sampled_from(["。", "，", "；", "", "！"]))
paragraph = st.builds(lambda s, sp: sp + s + sp.strip("\n"), st.lists(sentence, min_size=1, max_size=4).map("".join),
                      st.sampled_from(["", "", " ", "\t", "　"]))
paragraphs = st.lists(paragraph, max_size=3)
subsection = st.tuples(words, paragraphs, st.sampled_from(["（{}）{}", "({}) {}", "（{}） {}"]))
section = st.tuples(words, paragraphs, st.lists(subsection, max_size=3))
chapter = st.tuples(words, paragraphs, st.lists(section, max_size=3))


def assemble(preface: list[str] | None, chapters: list, glossary: list[tuple[str, str]], blank: str) -> str:
    lines = ["示范区国民经济和社会发展规划纲要"]
    if preface is not None:
        lines += ["前言", *preface]
    for i, (title, paras, sections) in enumerate(chapters, start=1):
        lines += [f"第{cn(i)}章 {title}", *paras]
        for j, (s_title, s_paras, subs) in enumerate(sections, start=1):
            lines += [f"{cn(j)}、{s_title}", *s_paras]
            for k, (sub_title, sub_paras, layout) in enumerate(subs, start=1):
                lines += [layout.format(cn(k), sub_title), *sub_paras]
    if glossary:
        lines += ["名词解释", *(f"{n} .“{t}”: 即{d}。" for n, (t, d) in enumerate(glossary, start=1))]
    return blank.join(lines) + "\n"


plan_like = st.builds(assemble, st.none() | paragraphs, st.lists(chapter, min_size=1, max_size=4),
                      st.lists(st.tuples(words, words), max_size=3), st.sampled_from(["\n", "\n\n", "\n \n"]))


@PROPERTY
@given(plan_like)
def test_the_parser_is_lossless_on_plan_like_text(text):
    tree = parse_plan(text)
    assert_lossless(text, tree)
    ids = [c.clause_id for c in tree.clauses]
    assert len(ids) == len(set(ids))  # every clause is citable by one id
    assert parse_plan(text).clauses == tree.clauses  # the same text, the same tree


# -- the HTML escaper -----------------------------------------------------------------------------------
@PROPERTY
@given(any_text | st.none() | st.integers())
def test_esc_leaves_no_markup_and_loses_nothing(value):
    out = esc(value)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert html.unescape(out) == ("" if value is None else str(value))
