"""What each sentence measures (index/indicators.py) and the evidence features read from it."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.extractive import Sentence
from index.clauses import Clause, ClauseTree
from index.figures import Horizon
from index.indicators import sentence_indicators

HORIZON = Horizon(start=2021, end=2025, previous_start=2016, previous_end=2020, long_range=2035)


def _tree(*paragraphs: str) -> ClauseTree:
    title = "一、发展商贸"
    clauses = [Clause("5", "heading", "第五章 产业", ("第五章 产业",), "产业", "第五章 产业", 0, 1, level=1),
               Clause("5.1", "heading", f"第五章 {title}", ("第五章 产业", title), title, title, 1, 2, "5", 2)]
    clauses += [Clause(f"5.1.{i}", "paragraph", f"第五章 {title} ¶{i}", ("第五章 产业", title), "", text,
                       2 + i, 3 + i, "5.1") for i, text in enumerate(paragraphs, start=1)]
    return ClauseTree(clauses)


class TestSentenceIndicators:
    @pytest.mark.parametrize("paragraph, sentence, expected", [
        ("到2025年,全区社会消费品零售总额突破550亿元。", "到2025年,全区社会消费品零售总额突破550亿元。",
         {"社会消费品零售总额"}),
        # two figures, one sentence each (both cut at ；)
        ("到2025年,金融产业增加值达到250亿元以上；文化创意产业增加值突破40亿元。", "文化创意产业增加值突破40亿元。",
         {"文化创意产业增加值"}),
        ("大力发展夜间经济,打造特色街区。", "大力发展夜间经济,打造特色街区。", set()),
    ])
    def test_a_sentence_is_mapped_to_the_indicators_of_its_figures(self, paragraph, sentence, expected):
        names, rows = sentence_indicators(_tree(paragraph), [sentence], HORIZON)
        assert {names[r] for r in rows[0]} == expected

    def test_a_sentence_the_store_does_not_hold_is_skipped_and_rows_follow_the_store_order(self):
        tree = _tree("到2025年,全区社会消费品零售总额突破550亿元。")
        names, rows = sentence_indicators(tree, ["别的句子。", "到2025年,全区社会消费品零售总额突破550亿元。"], HORIZON)
        assert rows[0] == [] and [names[r] for r in rows[1]] == ["社会消费品零售总额"]


class TestStoreIndicators:
    def test_the_store_holds_a_vector_per_indicator_and_a_row_list_per_sentence(self, bot):
        store = bot.retriever.store
        assert len(store.indicators) == len(store.indicator_vectors) > 50
        assert len(store.sentence_indicators) == len(store.sentences)
        assert np.allclose(np.linalg.norm(store.indicator_vectors, axis=1), 1.0, atol=1e-3)

    def test_a_figure_question_in_everyday_words_is_closest_to_the_indicator_the_plan_states(self, bot):
        """The evidence features: the sentence stating what the question means is closer to it, and nearer
        to the closest of everything the plan measures, than a sentence stating another figure."""
        ex = bot.extractive
        question = "全区老百姓一年逛街买东西花的钱，到时候打算整到多少？"
        ask = ex.ask_of(question)
        ask = type(ask)(**{**ask.__dict__, "vector": bot.retriever.embed_queries([question])[question]})
        clause = next(c for c in bot.tree.clauses if "社会消费品零售总额突破" in c.text)
        own = next(s for s in bot.retriever.store.sentences if "社会消费品零售总额突破" in s)
        other_clause = next(c for c in bot.tree.clauses if "城镇登记失业率" in c.text and c.kind == "paragraph")
        other = next(s for s in bot.retriever.store.sentences if "城镇登记失业率" in s and s in other_clause.text)
        right = ex.evidence_features(ask, Sentence(text=own, clause=clause, rank=0), own, 0.0)
        wrong = ex.evidence_features(ask, Sentence(text=other, clause=other_clause, rank=0), other, 0.0)
        assert ask.quantity and 0.0 >= right["indicator_margin"] > wrong["indicator_margin"]
        assert right["indicator_cos"] > wrong["indicator_cos"]
