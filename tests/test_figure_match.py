"""Figure questions in a resident's words matched to the questions written for each figure sentence
(questions.jsonl's "sentence" rows; ExtractiveAnswerer.figure_match)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from index.store import QUESTIONS_FILE, load_questions

# A resident's words for 「城镇居民人均可支配收入」 (46067元): none of them is in the sentence.
EVERYDAY_INCOME = "俺想知道二〇二〇年城里人一年到手多少钱"


def _ask(bot, question: str):
    vector = bot.retriever.embeddings.embed_queries_array([question], progress=lambda d, t: None)[0]
    return replace(bot.extractive.ask_of(question), vector=vector)


class TestFigureMatch:
    def test_a_residents_figure_question_finds_the_sentence_stating_it(self, bot):
        assert "46067元" in bot.extractive.figure_match(_ask(bot, EVERYDAY_INCOME))

    def test_the_answer_quotes_that_sentence(self, bot):
        res = bot.ask(EVERYDAY_INCOME)
        assert not res.abstained and "46067元" in res.answer
        assert any("46067元" in c.text for c in res.citations)

    def test_without_the_match_the_same_question_abstains(self, bot, monkeypatch):
        strict = bot.extractive.params.model_copy(update={"figure_question_min_cosine": 1.0})
        monkeypatch.setattr(bot.extractive, "params", strict)
        bot.extractive._figure_match.cache_clear()
        try:
            assert bot.ask(EVERYDAY_INCOME).abstained
        finally:
            bot.extractive._figure_match.cache_clear()

    @pytest.mark.parametrize("question", [
        "到2025年科技型中小企业要达到多少家？",  # the plan's own words: they judge, not a neighbour's meaning
        "到2025年定的目标是多少亿？",  # no subject of its own (a follow-up borrows the earlier one's)
        "石家庄到北京的高铁票多少钱？",  # nothing the plan states
    ])
    def test_no_match_for_a_question_in_the_plans_words_without_a_subject_or_off_the_plan(self, bot, question):
        assert bot.extractive.figure_match(_ask(bot, question)) == ""

    def test_an_open_question_is_never_matched(self, bot):
        assert bot.extractive.figure_match(_ask(bot, "城里人的收入以后会怎么样？")) == ""


class TestLoadingSentenceQuestions:
    def test_a_question_keeps_its_sentence_when_it_is_one_of_the_clauses(self, tree, tmp_path):
        clause = next(c for c in tree.clauses if "46067元" in c.text)
        sentence = next(s for s in clause.text.split("。") if "46067元" in s) + "。"
        path = tmp_path / QUESTIONS_FILE
        rows = [{"clause_id": clause.clause_id, "question": "城里人一年到手多少？", "sentence": sentence},
                {"clause_id": clause.clause_id, "question": "那会儿一年挣多少？", "sentence": "不是这一条的句子。"},
                {"clause_id": clause.clause_id, "question": "这一条说的啥？"}]
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
        said: list[str] = []
        loaded = load_questions(path, tree, said.append)
        assert [q.get("sentence") for q in loaded] == [sentence, None]
        assert any("not one of clause" in m for m in said)


def test_a_year_and_its_nian_are_one_word_so_no_fragment_is_read_as_the_subject(bot):
    assert bot.extractive.ask_of("到2025年定的目标是多少亿？").subject == ()
    assert bot.extractive.ask_of("到2025年普惠性幼儿园覆盖率要达到多少？").subject == ("普惠性", "幼儿园", "覆盖率")
