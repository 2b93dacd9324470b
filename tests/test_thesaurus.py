"""The everyday-words thesaurus: valid against the plan, matched longest-first, and used by the chain."""
from __future__ import annotations

import pytest

from assistant.text import squash
from index.thesaurus import Thesaurus


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return Thesaurus.load()


class TestThesaurus:
    def test_every_plan_term_is_the_plans_own_wording(self, thesaurus, plan_text):
        plan = squash(plan_text)
        missing = sorted({t for terms in thesaurus.entries.values() for t in terms if squash(t) not in plan})
        assert not missing, f"terms not in the plan: {missing[:10]}"
        assert len(thesaurus.entries) >= 200

    def test_longest_word_wins_where_words_overlap(self):
        th = Thesaurus({"老人": ("养老服务",), "老人白天没人照顾": ("日间照料",), "电车": ("充电桩",)})
        found = th.matches("家里老人白天没人照顾，还想买电车")
        assert [(m.word, m.start) for m in found] == [("老人白天没人照顾", 2), ("电车", 14)]
        assert th.expand("家里老人白天没人照顾，老人还想买电车") == ["日间照料", "养老服务", "充电桩"]
        assert th.expand("与此无关") == []

    def test_malformed_file_names_the_line(self, tmp_path):
        bad = tmp_path / "t.tsv"
        bad.write_text("# topic\n电车\t充电桩\n没有制表符的行\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"t\.tsv:3"):
            Thesaurus.load(bad)
        with pytest.raises(ValueError):
            Thesaurus({"车": ("充电桩",)})


def test_a_residents_words_reach_the_plans_terms(bot):
    res = bot.ask("刚买了辆电车，小区附近没地方充电，区里有打算多装点吗？")
    assert not res.abstained
    assert "充电桩" in squash(res.answer)
    assert any("充电桩" in c.text for c in res.citations)


def test_expansion_can_be_switched_off(settings):
    from assistant.retrieval import HybridRetriever
    from index.store import load_store

    off = HybridRetriever.from_store(load_store(settings), settings.model_copy(update={"query_expansion": False}))
    assert off.thesaurus is None
