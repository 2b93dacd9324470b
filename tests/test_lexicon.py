"""The lexicon (index/lexicon.py) is the one place for word lists: its patterns are built from its lists,
and no other module keeps a list of its own."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from index import lexicon
from index.config import PROJECT_ROOT

# Three or more Chinese words joined by '|' in a module's source is a word list written inline.
_INLINE_LIST = re.compile(r"[\u4e00-\u9fff]+\|[\u4e00-\u9fff]+\|[\u4e00-\u9fff]+")
_CODE_DIRS = ("assistant", "index", "webapp")


def _modules() -> list[Path]:
    return sorted(p for d in _CODE_DIRS for p in (PROJECT_ROOT / d).glob("*.py") if p.name != "lexicon.py")


@pytest.mark.parametrize("module", _modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_word_list_outside_the_lexicon(module: Path) -> None:
    hits = [line.strip() for line in module.read_text(encoding="utf-8").splitlines() if _INLINE_LIST.search(line)]
    assert hits == [], f"word lists belong in index/lexicon.py: {hits}"


class TestPatterns:
    def test_alternation_is_longest_first_and_deterministic(self) -> None:
        assert lexicon.any_of(["这", "这方面", "那"]) == "这方面|这|那"
        assert lexicon.any_of(["a.b", "c"]) == r"a\.b|c"  # words are literal, not patterns

    @pytest.mark.parametrize("word", lexicon.QUESTION_WORDS)
    def test_every_question_word_asks(self, word: str) -> None:
        assert lexicon.ASKING.search(f"养老{word}")

    @pytest.mark.parametrize("question, asks_figure", [
        ("金融这块要做到多大？", True), ("管到多大岁数？", True), ("有几所？", True),
        ("听说收拾了好几百个小区，规划里咋说？", False), ("分成好几个片儿办学是啥意思？", False), ("哪几个商圈？", False),
    ])
    def test_a_figure_is_asked_by_its_question_words_not_by_an_indefinite_count(self, question, asks_figure):
        assert bool(lexicon.QUANTITY.search(question)) is asks_figure

    @pytest.mark.parametrize("word", lexicon.POINTING_BACK)
    def test_every_pointing_back_word_is_read_whole(self, word: str) -> None:
        assert lexicon.REFERS_BACK.search(f"问一下{word}的情况").group(1) == word

    @pytest.mark.parametrize("text, standard", [
        ("幼儿园啥时候建好？", "幼儿园什么时候建好？"), ("咋申请？", "怎么申请？"), ("多会儿通车？", "什么时候通车？"),
        ("上哪儿办？", "上哪里办？"), ("普惠性幼儿园覆盖率", "普惠性幼儿园覆盖率"),
    ])
    def test_everyday_question_words_read_as_the_standard_ones(self, text: str, standard: str) -> None:
        assert lexicon.standard_ask(text) == standard

    @pytest.mark.parametrize("question, unit", [
        ("新建几所学校？", "所"), ("投资多少亿元？", "亿元"), ("建多少万平方米？", "万平方米"), ("要花多少钱？", "钱"), ("粮食要保到多少亿吨？", "亿吨"),
        ("哪几个街道？", None),  # '哪几个' asks which, not how many
    ])
    def test_asked_unit(self, question: str, unit: str | None) -> None:
        m = lexicon.ASKED_UNIT.search(question)
        assert (m.group(1) if m else None) == unit

    @pytest.mark.parametrize("question, opens", [("那养老呢？", True), ("那些井怎么管？", False), ("还有呢", True),
                                                  ("养老呢", False)])
    def test_follow_up_openers(self, question: str, opens: bool) -> None:
        assert bool(lexicon.LEADING.match(question)) is opens

    def test_lists_hold_no_repeats(self) -> None:
        for name in ("QUESTION_WORDS", "COUNT_MEASURES", "UNITS", "POINTING_BACK", "FOLLOW_UP_OPENERS", "ASK_PHRASES"):
            words = getattr(lexicon, name)
            assert len(words) == len(set(words)), name

    def test_no_plan_fact_in_the_lexicon(self) -> None:
        source = (PROJECT_ROOT / "index" / "lexicon.py").read_text(encoding="utf-8")
        profile = (PROJECT_ROOT / "data" / "plans" / "qiaoxi_14th" / "profile.toml").read_text(encoding="utf-8")
        region = re.search(r'^region = "(.+)"', profile, re.M).group(1)
        assert region[-3:] not in source and "十四五" not in source and "2025" not in source
