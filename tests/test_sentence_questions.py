"""A sentence's own questions (ExtractiveAnswerer._own_question_rows, the sentence question term of _score):
each hypothetical question of a clause speaks for the clause's sentence closest to it, a figure question for
its own sentence, and a resident's question is matched to them question to question when sentences compete."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.extractive import Sentence
from index.chunker import clause_sentences

# A small-business owner's words for 「优化创业环境,落实社保费减免、创业担保贷款支持等配套政策措施」: the clause
# on jobs has a dozen sentences, and by the question's words and its cosine with each sentence alone another
# one (on 中小微企业 and 融资) leads.
OWN_SHOP_LOAN = "自己当老板开个小店，能申请到贷款吗？"
LOAN_SENTENCE = "创业担保贷款"


def _ask(bot, question: str):
    vector = bot.retriever.embeddings.embed_queries_array([question], progress=lambda d, t: None)[0]
    return replace(bot.extractive.ask_of(question), vector=vector)


@pytest.fixture
def weight(bot, monkeypatch):
    """Sets the sentence question weight for one test (the settings' value is restored afterwards)."""
    def set_weight(value: float) -> None:
        params = bot.extractive.params.model_copy(update={"sentence_question_weight": value})
        monkeypatch.setattr(bot.extractive, "params", params)
    return set_weight


class TestOwnQuestionRows:
    def test_a_clause_question_speaks_for_the_closest_sentence_of_its_own_clause(self, bot):
        ex = bot.extractive
        clause = next(c for c in bot.tree.clauses if LOAN_SENTENCE in c.text)
        question = "开店缺钱能贷到款吗？"
        vectors = bot.retriever.embeddings.embed_queries_array([question], progress=lambda d, t: None)
        own_vectors, rows = ex._own_question_rows([{"clause_id": clause.clause_id, "question": question}], vectors)
        assert own_vectors.shape == (1, vectors.shape[1]) and len(rows) == 1
        spoken_for = bot.retriever.store.sentences[int(rows[0])]
        assert spoken_for in clause_sentences(clause.text)
        assert LOAN_SENTENCE in spoken_for

    def test_a_figure_question_speaks_for_its_own_sentence(self, bot):
        ex = bot.extractive
        sentence = next(s for s in bot.retriever.store.sentences if "46067元" in s)
        clause = next(c for c in bot.tree.clauses if sentence in c.text)
        vectors = bot.retriever.embeddings.embed_queries_array(["城里人一年到手多少？"], progress=lambda d, t: None)
        _, rows = ex._own_question_rows([{"clause_id": clause.clause_id, "question": "城里人一年到手多少？",
                                          "sentence": sentence}], vectors)
        assert bot.retriever.store.sentences[int(rows[0])] == sentence

    def test_every_question_of_the_store_speaks_for_one_sentence(self, bot):
        ex = bot.extractive
        assert len(ex._own_rows) == len(ex._own_vectors) > 0
        assert 0 <= ex._own_rows.min() and ex._own_rows.max() < len(bot.retriever.store.sentences)


class TestSentenceQuestionTerm:
    def test_the_answer_holds_the_sentence_its_own_questions_point_to(self, bot, weight):
        weight(bot.settings.answer.sentence_question_weight)
        res = bot.ask(OWN_SHOP_LOAN)
        assert not res.abstained and LOAN_SENTENCE in res.answer
        assert any(LOAN_SENTENCE in c.text for c in res.citations)

    def test_without_the_term_the_same_question_misses_it(self, bot, weight):
        weight(0.0)
        res = bot.ask(OWN_SHOP_LOAN)
        assert LOAN_SENTENCE not in res.answer

    def test_the_term_rises_with_the_closest_own_question_above_the_floor(self, bot, weight):
        ask = _ask(bot, OWN_SHOP_LOAN)
        clause = next(c for c in bot.tree.clauses if LOAN_SENTENCE in c.text)
        sentence = Sentence(text=next(s for s in clause_sentences(clause.text) if LOAN_SENTENCE in s), clause=clause, rank=0)
        weight(0.0)
        without = bot.extractive._score(ask, sentence)
        weight(8.0)
        with_term = bot.extractive._score(ask, sentence)
        row = bot.extractive._sentence_row[sentence.text]
        own = float(bot.extractive._own_best(np.asarray(ask.vector, dtype=np.float32).tobytes())[row])
        floor = bot.extractive.params.sentence_question_floor
        assert own > floor
        assert with_term - without == pytest.approx(8.0 * (own - floor), abs=1e-5)

    def test_a_list_question_is_ranked_without_it(self, bot, weight):
        ask = _ask(bot, "区里要发展哪几种新型金融业态？")
        assert ask.listing
        clause = next(c for c in bot.tree.clauses if "普惠金融" in c.text)
        sentence = Sentence(text=next(s for s in clause_sentences(clause.text) if "普惠金融" in s), clause=clause, rank=0)
        weight(0.0)
        without = bot.extractive._score(ask, sentence)
        weight(8.0)
        assert bot.extractive._score(ask, sentence) == without
