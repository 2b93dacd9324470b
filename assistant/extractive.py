"""The offline answerer: verbatim sentences of the retrieved clauses, each with its marker.

Whether the plan answers is decided by evidence, not by lists of known questions:
- a question that asks for a figure, a date or a person is answered only by a sentence that
  holds one (a number in the asked unit, a year, …), names the asked subject, matches any
  year the question gives, and speaks of the same period (a past result is no target);
- any other question is answered when the retrieved clauses cover its subject well enough.

Sentences are ranked by the question's words (idf-weighted, with everyday words standing for
the plan terms the thesaurus gives them) and by meaning (cosine of the question's and the
sentence's embeddings, both computed once: the question's by retrieval, the sentences' at build).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from assistant.question import Ask, QuestionReader
from assistant.retrieval import Hit
from assistant.scope import ScopeModel
from assistant.text import MARKER, NOT_IN_PLAN, amounts_in, bigrams, nfkc, numbers_in, squash
from index.chunker import clause_sentences
from index.clauses import Clause, ClauseTree
from index.config import AnswerParams
from index.figures import Horizon, retrospective_clauses
from index.lexicon import (DETAIL_EVIDENCE, DETAIL_LABEL, DURATION_S, FUTURE_S, HOW_LONG, LEAD_WHEN, ORDINAL_S, PAST_S,
                           PER_S, REFERS_BACK, SAME_UNIT, WHEN_S, YEAR)
from index.profile import PlanProfile
from index.thesaurus import Thesaurus

_ENUM = re.compile(r"[、]")
_NUMBERING = re.compile(r"^(?:第[一二三四五六七八九十百]+章|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")


@dataclass
class Sentence:
    text: str
    clause: Clause
    rank: int
    score: float = 0.0
    meaning: float = 0.0  # the question's best cosine with one of the clause's hypothetical questions
    about: str = ""  # what the conversation already said it is about (a sentence the earlier answer came from)


@dataclass
class Draft:
    """An answer before verification: text with markers over ``context`` (1-based)."""

    text: str
    context: list[Clause]
    abstained: bool = False
    reason: str = ""
    related: list[Clause] = field(default_factory=list)
    support: float = 0.0


def term_present(term: str, text: str, words: frozenset[str] | None = None) -> bool:
    """The term, or at least half of its character bigrams, occurs in text ('公办园' ~ '公办幼儿园').

    A two-character term must be one of the text's ``words`` when they are given, so that
    '区长' is not found inside '小区长效'.
    """
    if len(term) < 3:
        return term in words if words is not None else term in text
    if term in text:
        return True
    grams = [term[i:i + 2] for i in range(len(term) - 1)]
    return sum(g in text for g in grams) * 2 >= len(grams)


# What an answer's wording is compared by (sources_of): its characters without spaces and punctuation.
_PAIR_TEXT = re.compile(r"[^\w.%]|_")

# What the evidence model reads (ExtractiveAnswerer.evidence_features), in the order its file stores them.
EVIDENCE_FEATURES = ("clause_question_cos", "sentence_cos", "indicator_cos", "indicator_margin", "coverage",
                     "known_coverage", "rank_weight")


class ExtractiveAnswerer:
    """Compose an answer from the plan's own sentences; abstain when they do not answer.

    >>> draft = answerer.answer("到Y年普惠性幼儿园覆盖率要达到多少？", hits)   # doctest: +SKIP
    >>> draft.text
    '根据规划：\\n到Y年,普惠性幼儿园覆盖率达到85%,公办幼儿园在园幼儿达到50%[1]。'
    """

    def __init__(self, tree: ClauseTree, tokenizer, idf: dict[str, float], *,
                 params: AnswerParams = AnswerParams(), thesaurus: Thesaurus | None = None,
                 sentences: list[str] | None = None, sentence_vectors: np.ndarray | None = None,
                 meaning_weight: float = 0.0, meaning_gate: float = 1.0, profile: PlanProfile,
                 evidence_model: ScopeModel | None = None, indicator_vectors: np.ndarray | None = None,
                 sentence_indicators: list[list[int]] | None = None, questions: list[dict] | None = None,
                 question_vectors: np.ndarray | None = None) -> None:
        if not 0 < meaning_gate <= 1:
            raise ValueError("meaning_gate must be in (0, 1] (1: literal words only)")
        # An open question is about its best clauses, in whatever words, when one of their hypothetical
        # questions is at least this close to it (a figure, date or person question: the evidence model).
        self.meaning_gate = meaning_gate
        # Whether a sentence lacking a figure question's words answers it all the same (EVIDENCE_FEATURES);
        # the fitting script sets ``evidence_log`` to a list to collect every such case instead.
        self.evidence_model = evidence_model
        self.evidence_log: list | None = None
        self.tree = tree
        self.meaning_weight = meaning_weight if sentence_vectors is not None else 0.0
        self._sentence_vectors = sentence_vectors
        self._sentence_row = {s: i for i, s in enumerate(sentences or [])}
        # What each sentence's figures measure (index/indicators.py), by sentence row, and their vectors.
        self._indicator_vectors = indicator_vectors
        self._sentence_indicators = sentence_indicators or []
        # The questions written for one sentence's figure (questions.jsonl's "sentence" rows) and their vectors:
        # a resident's figure question is matched to them question to question (figure_match).
        figure_rows = [i for i, q in enumerate(questions or []) if q.get("sentence")]
        self._figure_sentences = list(dict.fromkeys(questions[i]["sentence"] for i in figure_rows))
        self._figure_clause = {questions[i]["sentence"]: questions[i]["clause_id"] for i in figure_rows}
        self._figure_vectors = (question_vectors[figure_rows] if figure_rows and question_vectors is not None
                                else None)
        where = {s: n for n, s in enumerate(self._figure_sentences)}
        self._figure_owner = np.array([where[questions[i]["sentence"]] for i in figure_rows], dtype=np.int64)
        self._figure_match = lru_cache(maxsize=64)(self._figure_match_of)
        # Every question with the sentence row it speaks for (_own_question_rows), and per question vector the
        # best cosine of each sentence's own questions (the sentence question term of _score).
        self._own_vectors, self._own_rows = self._own_question_rows(questions or [], question_vectors)
        self._own_best = lru_cache(maxsize=64)(self._own_best_of)
        # A question's cosine with every indicator, once per question vector (keyed by its bytes: arrays are
        # not hashable), not once per sentence the evidence model weighs.
        self._indicator_sims = lru_cache(maxsize=64)(
            lambda key: self._indicator_vectors @ np.frombuffer(key, dtype=np.float32))
        self.tagged = tokenizer.tagged  # text -> [(word, part of speech)]
        self._words = lru_cache(maxsize=4096)(lambda text: frozenset(tokenizer.words(text)))
        # A sentence (with its clause's title and path) as compared: squashed text and its words.
        self._scope = lru_cache(maxsize=8192)(lambda text: (sq := squash(text).lower(), self._words(sq)))
        # A clause's sentences and squashed text, split and normalised once, not at every question.
        self._sentences_of = lru_cache(maxsize=1024)(clause_sentences)
        self._sentence_pairs: list[tuple[str, set[str]]] | None = None  # for sources_of, on first use
        self._squashed = lru_cache(maxsize=1024)(squash)
        self.idf = idf
        # A word the plan never uses weighs more than its rarest word: when a question asks about
        # something the plan does not name, that is strong evidence the plan does not answer it.
        self.default_idf = params.unknown_word_idf * max(idf.values(), default=1.0)
        self.params = params  # thresholds, sizes and ranking bonuses (index/config.py documents each)
        self._plan_text = squash("".join(c.text for c in tree.clauses))
        self.reader = QuestionReader(tokenizer.tagged, thesaurus, self._plan_text, profile)
        # What dates a sentence as a target or a result: the lexicon's words and the profile's periods and years.
        self.future_s = re.compile(f"{FUTURE_S}|{re.escape(profile.period.name)}")
        self.past_s = re.compile(f"{PAST_S}|{re.escape(profile.previous_period.name)}|(?:{profile.past_years})年")
        # A date outweighs the words: 「到Y年,…建成…」 is a target though 建成 often tells a result.
        self.future_dated = re.compile(f"(?:{profile.future_date.pattern})年?")
        self.past_dated = re.compile(f"{re.escape(profile.previous_period.name)}|(?:{profile.past_years})年")
        # The sections that look back on the previous period (found by the plan's structure): a sentence there
        # without date or period words speaks of results; elsewhere in a plan, of what is to be done.
        self.looks_back = retrospective_clauses(tree, Horizon.of(profile))

    def ask_of(self, question: str) -> Ask:
        return self.reader.ask_of(question)

    def sources_of(self, answer: str) -> frozenset[str]:
        """The sentences an earlier answer was drawn from: those that hold at least ``earlier_overlap`` of the
        answer's character pairs (an answer retold in other words around the plan's figure: 「规划说建设了
        5处星级游园」) or that the answer holds as much of (a verbatim quote among others). The history a
        client sends is text: its citation markers are not to be trusted, its words are."""
        said = bigrams(_PAIR_TEXT.sub("", MARKER.sub("", nfkc(answer))))
        if not said:
            return frozenset()
        if self._sentence_pairs is None:
            self._sentence_pairs = [(s, pairs) for c in self.tree.clauses if c.kind in ("paragraph", "glossary")
                                    for s in self._sentences_of(c.text)
                                    if (pairs := bigrams(_PAIR_TEXT.sub("", nfkc(s))))]
        share = self.params.earlier_overlap
        return frozenset(s for s, pairs in self._sentence_pairs
                         if len(said & pairs) >= share * min(len(said), len(pairs)))

    def split_parts(self, question: str) -> list[Ask]:
        return self.reader.split_parts(question)

    # -- evidence ------------------------------------------------------------------
    def _weight(self, token: str) -> float:
        return self.idf.get(token, self.default_idf)

    def _union_words(self, texts: list[str]) -> frozenset[str]:
        """Words of several texts, each tokenised once and cached (clause texts recur across questions)."""
        return frozenset().union(*(self._words(t.lower()) for t in texts))

    def subject_coverage(self, terms: list[str], text: str, words: frozenset[str] | None = None,
                         aliases: dict[str, tuple[str, ...]] | None = None) -> float:
        """idf-weighted share of the subject terms present (leniently) in ``text``; a term with
        ``aliases`` is present when it or one of them is."""
        if not terms:
            return 1.0
        if words is None:
            s, words = self._scope(text)
        else:
            s = squash(text).lower()
        aliases = aliases or {}
        total = sum(self._weight(t) for t in terms)
        return sum(self._weight(t) for t in terms
                   if any(term_present(a, s, words) for a in (t, *aliases.get(t, ())))) / total

    def coverage(self, ask: Ask, text: str, words: frozenset[str] | None = None) -> float:
        return self.subject_coverage(ask.subject, text, words, ask.aliases)

    def _answers(self, ask: Ask, sent: Sentence) -> bool:
        """Can this sentence answer the question? Years and numbers the question names must be in
        its clause; a specific question (figure, date, person) needs far more of the sentence itself."""
        s = squash(sent.text)
        clause_text = self._squashed(sent.clause.text)
        scope = s if ask.specific else clause_text
        if any(y not in scope for y in ask.years):
            return False
        if any(not re.search(rf"(?<!\d){n}(?!\d)", scope) for n in ask.numbers):
            return False
        if not ask.specific:
            return True
        context = _in_context(s, sent.clause) + sent.about
        covered = self.coverage(ask, context)
        if (covered < self.params.min_subject and not self._states_more(ask, sent)
                and sent.text != self.figure_match(ask) and not self._means(ask, sent, context, covered)):
            return False
        if any(n not in clause_text for n in ask.names):
            return False  # a figure for a neighbouring district is not in a clause about the whole plan area
        if ask.period and not self._same_period(ask.period, s, clause_text, sent.clause.clause_id):
            return False
        return self._holds_kind(ask, sent)

    @staticmethod
    def _states_more(ask: Ask, sent: Sentence) -> bool:
        """Does a follow-up ask a figure or a date of a sentence its earlier answer came from (``about``)?
        「那公家开的能占多少？」 after 「普惠性幼儿园覆盖率达到85%」 asks the figure beside it (「…,公办幼儿园在园幼儿
        达到50%」), 「那多会儿弄完？」 when that is done, in words of its own: the conversation, not the words, makes
        that sentence the subject. A figure asked needs a second figure there (the first was the earlier answer);
        whether it holds the kind asked is checked as for any sentence (_holds_kind)."""
        if not sent.about:
            return False
        if ask.quantity:
            return len([n for n in amounts_in(squash(sent.text)) if not YEAR.fullmatch(n)]) >= 2
        return ask.time

    def _holds_kind(self, ask: Ask, sent: Sentence) -> bool:
        """Does the sentence hold the kind of evidence the ask wants: a figure (in the asked unit, per
        person when asked per person), a date or duration, an ordinal, a person's name, a finer detail?"""
        s = squash(sent.text)
        if ask.quantity:
            nums = [n for n in amounts_in(s) if not YEAR.fullmatch(n)]
            if not nums:
                return False
            unit = SAME_UNIT.get(ask.unit, re.escape(ask.unit)) if ask.unit else None
            if unit and not re.search(rf"\d(?:\.\d+)?[多余]?[十百千万亿]*[多余]?(?:{unit})", s):
                return False
            if ask.per and not PER_S.search(s):
                return False  # a total paid out (「发放资金N万元」) is not what each one gets
        when = DURATION_S if HOW_LONG.search(ask.text) else WHEN_S
        if ask.time and not when.search(s) and not (when is WHEN_S and self._dated_lead(sent)):
            return False
        if ask.ordinal and not ORDINAL_S.search(s):
            return False
        if ask.who and not self._names_person(ask, sent.text):
            return False
        if ask.detail and not DETAIL_EVIDENCE[ask.detail].search(s):
            return False  # a phone number, a clock time, a day, a route, an address, the papers to bring
        return True

    def evidence_features(self, ask: Ask, sent: Sentence, context: str, covered: float) -> dict[str, float] | None:
        """What the evidence model reads of a sentence that lacks the question's words: ``context`` is the
        sentence as its subject is judged (_in_context) and ``covered`` the share of the subject it holds
        (None without the question's vector: then only the words decide)."""
        row = self._sentence_row.get(sent.text)
        if ask.vector is None or row is None or self._sentence_vectors is None:
            return None
        known = [t for t in ask.subject if t in self.idf or any(a in self.idf for a in ask.aliases.get(t, ()))]
        sentence_cos = float(self._sentence_vectors[row] @ ask.vector)
        # A figure question is about what is measured: the sentence's indicators against all the plan's. A date,
        # person or detail question has no indicator to match: the sentence stands for itself, at no margin.
        indicator_cos, margin = sentence_cos, 0.0
        if ask.quantity and self._indicator_vectors is not None and len(self._indicator_vectors):
            measured = self._sentence_indicators[row] if row < len(self._sentence_indicators) else []
            sims = self._indicator_sims(np.asarray(ask.vector, dtype=np.float32).tobytes())
            indicator_cos = float(sims[measured].max()) if measured else 0.0
            margin = indicator_cos - float(sims.max())
        return {"clause_question_cos": float(sent.meaning),
                "sentence_cos": sentence_cos,
                # how close the question is to what the sentence's figures measure (0 when it states none),
                # and how far that is from the closest of everything the plan measures (0: it is the closest)
                "indicator_cos": indicator_cos,
                "indicator_margin": margin,
                "coverage": covered,
                "known_coverage": self.subject_coverage(known, context, aliases=ask.aliases) if known else 0.0,
                "rank_weight": 1.0 / (1 + sent.rank)}

    def figure_match(self, ask: Ask) -> str:
        """The sentence whose figure a figure question asks for, matched by meaning to the questions written
        for each figure sentence: the sentence owning the closest one, when it is close enough
        (figure_question_min_cosine) and leads every other sentence's closest (figure_question_min_lead);
        else ''. Only for a question with words of its own: one whose subject the plan names in its own words
        (「高新技术企业」) is answered by a sentence holding them, and one with no subject borrows the earlier
        topic's. Whether the sentence holds the asked unit, year and period is still checked (_answers)."""
        if not ask.quantity or ask.vector is None or self._figure_vectors is None:
            return ""
        if all(t in self.idf for t in ask.subject):
            return ""  # asked in the plan's own words (or with none): those words, not a neighbour's meaning, judge
        return self._figure_match(np.asarray(ask.vector, dtype=np.float32).tobytes())

    def _own_question_rows(self, questions: list[dict], vectors: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray]:
        """The questions that speak for one sentence, and that sentence's row: a figure question's own sentence,
        a clause's question the clause sentence closest to it in meaning (a clause's questions were written for
        the whole clause; each asks, in the end, what one of its sentences says)."""
        if vectors is None or self._sentence_vectors is None or not len(questions):
            return None, np.zeros(0, dtype=np.int64)
        kept, rows = [], []
        for i, q in enumerate(questions):
            if q.get("sentence"):
                row = self._sentence_row.get(q["sentence"])
            else:
                clause = self.tree.by_id.get(q["clause_id"])
                own = [self._sentence_row[t] for t in dict.fromkeys(clause_sentences(clause.text))
                       if t in self._sentence_row] if clause is not None else []
                row = own[int(np.argmax(self._sentence_vectors[own] @ vectors[i]))] if own else None
            if row is not None:
                kept.append(i)
                rows.append(row)
        return vectors[kept], np.array(rows, dtype=np.int64)

    def _own_best_of(self, key: bytes) -> np.ndarray:
        """Per sentence row, its own questions' best cosine with the question vector ``key`` (−inf: none)."""
        best = np.full(len(self._sentence_vectors), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._own_rows, (self._own_vectors @ np.frombuffer(key, dtype=np.float32)).astype(np.float32))
        return best

    def _figure_match_of(self, key: bytes) -> str:
        sims = self._figure_vectors @ np.frombuffer(key, dtype=np.float32)
        best = np.full(len(self._figure_sentences), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._figure_owner, sims.astype(np.float32))
        top = np.argsort(-best)[:2]
        first, second = best[top[0]], (best[top[1]] if len(top) > 1 else -np.inf)
        if first < self.params.figure_question_min_cosine or first - second < self.params.figure_question_min_lead:
            return ""
        return self._figure_sentences[int(top[0])]

    def _means(self, ask: Ask, sent: Sentence, context: str, covered: float) -> bool:
        """Does the sentence answer the question in meaning, though it lacks the question's words? The
        evidence model decides (a logistic regression fitted by ``python -m eval.fit``); with none, no."""
        if self.evidence_model is None and self.evidence_log is None:
            return False
        features = self.evidence_features(ask, sent, context, covered)
        if features is None:
            return False
        if self.evidence_log is not None:  # collecting what the model is fitted on: decide by words
            self.evidence_log.append((ask.text, sent.text, sent.score, features))
            return False
        return self.evidence_model.probability(features) >= self.evidence_model.threshold

    def _names_person(self, ask: Ask, sentence: str) -> bool:
        """A 'who' question needs a person's name in the answer, and when it asks who holds a role
        ('书记'), a name next to that role: a name beside another title (「总书记」) does not say who holds it."""
        words = [(w, flag) for w, flag in self.tagged(sentence) if w.strip() and not re.fullmatch(r"\W+", w)]
        roles = set(ask.subject) | {a for t in ask.subject for a in ask.aliases.get(t, ())}
        for i, (_, flag) in enumerate(words):
            if not flag.startswith("nr"):
                continue
            beside = {words[j][0] for j in (i - 1, i + 1) if 0 <= j < len(words)}
            if not roles or beside & roles:
                return True
        return False

    def _same_period(self, period: str, sentence: str, clause: str, clause_id: str = "") -> bool:
        """Does the sentence speak of the asked period? Its dates decide, else its period words; a sentence
        without either takes its clause's, and without those its section's (``clause_id``): results in a
        section that looks back, what is to be done anywhere else in a plan."""
        future, past = bool(self.future_dated.search(sentence)), bool(self.past_dated.search(sentence))
        if future == past:  # no date, or dates of both: the words tell
            future, past = bool(self.future_s.search(sentence)), bool(self.past_s.search(sentence))
        if not (future or past):
            future, past = bool(self.future_s.search(clause)), bool(self.past_s.search(clause))
        if not (future or past) and clause_id:
            past = clause_id in self.looks_back
            future = not past
        if period == "future":
            return not (past and not future)
        return not (future and not past)

    def _dated_lead(self, sent: Sentence) -> str:
        """The clause's opening sentence when it dates the whole clause, else ''."""
        first = self._sentences_of(sent.clause.text)[0]
        return first if first != sent.text and LEAD_WHEN.match(squash(first)) else ""

    def _score(self, ask: Ask, sent: Sentence) -> float:
        s = squash(sent.text)
        # Retrieval rank counts for more when the question is open: its words are a poor guide then.
        score = self.coverage(ask, _in_context(s, sent.clause)) + \
            (self.params.rank_bonus_specific if ask.specific else self.params.rank_bonus_open) / (1 + sent.rank)
        if ask.quantity and any(not YEAR.fullmatch(n) for n in amounts_in(s)):
            score += self.params.number_bonus
        if ask.listing:
            score += (min(len(_ENUM.findall(s)), 5) * self.params.enumeration_bonus
                      + (self.params.list_head_bonus if ask.head and ask.head in s else 0.0))
        row = self._sentence_row.get(sent.text)
        if self.meaning_weight and ask.vector is not None and row is not None:
            # Meaning, where words fail ('网课' ~ '信息化'); e5 cosines sit around 0.8.
            score += self.meaning_weight * (float(self._sentence_vectors[row] @ ask.vector) - self.params.mean_cosine)
        weight = self.params.sentence_question_weight
        # (not for a list: its answer is the sentence that enumerates, which the enumeration bonus finds)
        if weight and not ask.listing and ask.vector is not None and row is not None and self._own_vectors is not None:
            own = float(self._own_best(np.asarray(ask.vector, dtype=np.float32).tobytes())[row])
            score += weight * (max(own, self.params.sentence_question_floor) - self.params.sentence_question_floor)
        return score

    def _pool(self, hits: list[Hit], about: str = "", earlier: frozenset[str] = frozenset()) -> list[Sentence]:
        """The sentences that compete for the answer; those in ``earlier`` are said to be ``about`` that."""
        # The whole question's best clauses, and every clause found for one of its parts.
        pooled = [(rank, h) for rank, h in enumerate(hits) if rank < self.params.pool_clauses or h.for_part]
        return [Sentence(text=s, clause=h.clause, rank=rank, meaning=h.question, about=about if s in earlier else "")
                for rank, h in pooled for s in self._sentences_of(h.clause.text)]

    # -- answer --------------------------------------------------------------------
    def answer(self, question: str, hits: list[Hit], background: str = "",
               vectors: Mapping[str, np.ndarray] | None = None, meaning_judged: bool = False,
               earlier: frozenset[str] = frozenset()) -> Draft:
        """``background`` is the earlier conversation's topic; it names the subject when the question does not.
        ``earlier``: the sentences the earlier answer was drawn from (:meth:`sources_of`), for a follow-up.
        ``vectors``: query embeddings retrieval already made, by query text (the first is the whole query's).
        ``meaning_judged``: the scope model has judged by meaning that the plan covers the question; then a
        word the plan never uses is no sign that the retrieved clauses are off topic (see _off_topic)."""
        if not hits:
            return Draft(text="", context=[], abstained=True, reason="没有检索到相关条款")
        context = [h.clause for h in hits]
        asks = self.split_parts(question)
        whole = self.ask_of(question)
        if vectors:
            by_text = {squash(q): v for q, v in vectors.items()}
            fallback = next(iter(vectors.values()))
            # a part that BM25 settled alone has no vector of its own: no meaning term then
            asks = [replace(a, vector=by_text.get(squash(a.query), fallback if len(asks) == 1 else None))
                    for a in asks]
        topic = self.ask_of(background) if background else None
        gate = whole
        if topic and not whole.subject:
            whole = gate = replace(whole, subject=topic.subject, aliases=topic.aliases)
            asks = [a if a.subject else replace(a, subject=whole.subject, aliases=whole.aliases) for a in asks]
        elif topic and REFERS_BACK.search(question):
            # '剩下的那些井…': what 那些 points at is the earlier topic, so it counts as this question's too
            gate = replace(whole, subject=whole.subject + tuple(t for t in topic.subject if t not in whole.subject),
                           aliases={**topic.aliases, **whole.aliases})
            if len(asks) == 1 and not asks[0].specific:
                # and an open question ('那些井是怎么管的？') is answered by sentences about it; a figure
                # asked of it must still name what the question itself names
                asks = [replace(asks[0], subject=gate.subject, aliases=gate.aliases)]
        related = [h.clause for h in hits[:self.params.related_clauses]]
        off = self._off_topic(gate, hits, meaning_judged) or self._unknown_name(whole)
        if off:
            return Draft(text="", context=context, abstained=True, reason=off, related=related)
        if len(asks) == 1 and (whole.define or whole.quoted):
            draft = self._glossary(whole, hits, context)
            if draft:
                return draft
        if len(asks) == 1 and whole.listing and not whole.specific:
            draft = self._list(whole, hits, context)
            if draft:
                return draft
        # The sentences the earlier answer was drawn from are, by the conversation, about the earlier topic: one
        # of them answers a follow-up's borrowed subject (「那栽了几万棵树？」 after 「公园绿地建得咋样？」) though its
        # own words name it otherwise. Only whether it may answer changes, not how it ranks.
        pool = self._pool(hits, about=squash(background), earlier=earlier)
        # A figure asked in words of its own may be stated in a clause retrieval ranked low: its sentence joins.
        for ask in asks:
            matched = self.figure_match(ask)
            if matched and all(s.text != matched for s in pool):
                clause = self.tree.by_id[self._figure_clause[matched]]
                if clause not in context:
                    context.append(clause)
                pool.append(Sentence(text=matched, clause=clause, rank=len(hits)))
        chosen: list[Sentence] = []
        missing: list[Ask] = []
        for ask in asks:
            if ask.specific and any(self._answers(ask, s) for s in chosen):
                continue  # a sentence already chosen answers this part too
            candidates = [s for s in pool if s not in chosen]
            # One part of several: a figure or date needs one sentence, a list or a measure may take two.
            limit = (1 if ask.specific else 2) if len(asks) > 1 else self.params.max_sentences
            picked = self._pick(ask, candidates, limit=limit)
            if not picked:
                missing.append(ask)
            for s in picked:
                lead = self._dated_lead(s) if ask.time and not WHEN_S.search(s.text) else ""
                if lead and all(c.text != lead for c in chosen):
                    chosen.append(Sentence(text=lead, clause=s.clause, rank=s.rank, score=s.score))
                if s not in chosen:
                    chosen.append(s)
        specific_answered = any(a.specific and all(a is not m for m in missing) for a in asks)
        unmet = [m for m in missing if m.specific and not any(self._holds_kind(m, s) for s in chosen)]
        if not chosen or (unmet and not specific_answered):
            # The figure, date or detail asked is in no sentence found: what the plan says near the question's
            # other, open words (「…每月收多少？以后还收不收？」) would stand in for it, so the plan does not answer.
            reason = _reason(next((m for m in missing if m.specific), missing[0]) if missing else whole)
            return Draft(text="", context=context, abstained=True, reason=reason, related=related)
        lines = [_with_marker(s.text, context.index(s.clause) + 1) for s in chosen]
        text = "根据规划：\n" + "".join(lines)
        if missing and len(asks) > 1:
            text += f"\n（{NOT_IN_PLAN}：" + "；".join(re.sub(r"呢?[?？]*$", "", m.text) for m in missing) + "）"
        return Draft(text=text, context=context, support=max(s.score for s in chosen))

    def _pick(self, ask: Ask, pool: list[Sentence], limit: int) -> list[Sentence]:
        for s in pool:
            s.score = self._score(ask, s)
        ranked = sorted(pool, key=lambda s: -s.score)
        if ask.specific or ask.years or ask.numbers:
            ranked = [s for s in ranked if self._answers(ask, s)]
        elif ask.period:
            # An open ask of one period (「前几年搞成啥样了」) is answered by what the plan says of that
            # period when it says anything: a target does not tell what was achieved, nor a result what is planned.
            ranked = [s for s in ranked if self._same_period(ask.period, squash(s.text), self._squashed(s.clause.text),
                                                              s.clause.clause_id)] or ranked
        if not ranked:
            return []
        best = ranked[0]
        chosen = [best]
        # Items of a list often stand one per sentence, each naming what was asked for ('…楼宇群;').
        items = ask.listing and not ask.specific and ask.head and ask.head in best.text
        for s in ranked[1:]:
            if items and s.clause is best.clause and ask.head in s.text:
                if len(chosen) < self.params.max_list_sentences:
                    chosen.append(s)
                continue
            if len(chosen) >= limit:
                if items:
                    continue
                break
            near = s.score >= self.params.near_share * best.score
            # An open question is best served by more of the one clause that answers it.
            same_clause = (not ask.specific and s.clause is best.clause
                           and s.score >= self.params.same_clause_share * best.score)
            if (near or same_clause) and _adds_facts(s, chosen):
                chosen.append(s)
        order = {id(s): i for i, s in enumerate(pool)}
        return sorted(chosen, key=lambda s: order[id(s)])

    def _off_topic(self, ask: Ask, hits: list[Hit], meaning_judged: bool = False) -> str:
        """Why the retrieved clauses are not about the question at all, or ''. With the question judged in
        scope by meaning, only the words the plan uses count: a resident's own word is in no clause whether
        or not the plan speaks of what it means."""
        best = hits[:self.params.topic_clauses]
        if not ask.subject or any(h.question >= self.meaning_gate for h in best):
            return ""  # no subject to check, or the clauses answer questions that mean the same
        texts = [squash("".join(h.clause.path) + h.clause.title + h.clause.text) for h in best]
        joined, words = "".join(texts), self._union_words(texts)
        if any(term_present(a, joined, words) for terms in ask.aliases.values() for a in terms):
            return ""  # an everyday word of the question names what these clauses are about
        terms = (tuple(t for t in ask.subject if term_present(t, self._plan_text)) if meaning_judged
                 else ask.subject)
        if terms and self.subject_coverage(terms, joined, words, ask.aliases) < self.params.min_topic:
            absent = [t for t in ask.subject if t not in self._plan_text]
            named = f"「{'、'.join(absent[:3])}」" if absent else "这一问题"
            return f"{NOT_IN_PLAN}{named}"
        return ""

    def _unknown_name(self, ask: Ask) -> str:
        """A figure, date or person asked about a place, person or body the plan never names
        ('上海', '农村居民') has no answer here, however close the retrieved sentences look."""
        if not ask.specific:
            return ""
        names = [w for w in ask.names if w not in self._plan_text]
        return f"规划中没有提到「{'、'.join(names[:3])}」" if names else ""

    def _glossary(self, ask: Ask, hits: list[Hit], context: list[Clause]) -> Draft | None:
        for i, hit in enumerate(hits):  # the quoted term must be the entry's own: safe to look far
            c = hit.clause
            if c.kind != "glossary":
                continue
            term = squash(re.sub(r"[“”\"]", "", c.title))
            asked = [squash(re.sub(r"[“”\"]", "", q)) for q in ask.quoted] or [ask.text]
            if any(a and (a in term or term in a) for a in asked):
                body = re.sub(r"^\d+\s*[.．、]\s*", "", c.text)
                return Draft(text=f"{body}[{i + 1}]", context=context, support=1.0)
        return None

    def _list(self, ask: Ask, hits: list[Hit], context: list[Clause]) -> Draft | None:
        """Items of a list: the lead titles of sibling paragraphs, or the sub-headings of a section."""
        best = None
        for hit in hits[:self.params.list_clauses]:
            c = hit.clause
            own = self.coverage(ask, c.title) if c.title else 0.0
            for parent_id in _ancestors(c):
                parent = self.tree.get(parent_id)
                items = self._list_items(parent) if parent else []
                if len(items) < self.params.list_min_items:
                    continue
                heading = _NUMBERING.sub("", squash(parent.text))
                # The question names the section ('实施城市更新行动包括哪几个方面') or covers its heading.
                match = (1.0 if len(heading) >= self.params.list_heading_chars and heading in ask.text
                         else self.coverage(ask, parent.text))
                if match >= self.params.list_heading_share and match >= own and (best is None or match > best[0]):
                    best = (match, parent, items)
        if best is None:
            return None
        _, parent, items = best
        ctx = list(context)
        parts = []
        for item in items:
            if item not in ctx:
                ctx.append(item)
            title = item.title if item.kind == "paragraph" else item.text
            parts.append(f"{title}[{ctx.index(item) + 1}]")
        return Draft(text=f"规划在{parent.label}中提出：\n" + "；\n".join(parts) + "。", context=ctx,
                     support=best[0])

    def _list_items(self, parent: Clause) -> list[Clause]:
        children = self.tree.children(parent.clause_id)
        titled = [c for c in children if c.kind == "paragraph" and c.title]
        if len(titled) >= self.params.list_min_items:
            return titled
        return [c for c in children if c.kind == "heading"]


def _in_context(sentence: str, clause: Clause) -> str:
    """A sentence as its subject is judged: with its clause's title and heading path."""
    return sentence + clause.title + "".join(clause.path)


def _reason(ask: Ask) -> str:
    if ask.detail:
        return f"规划中没有给出{DETAIL_LABEL[ask.detail]}"
    if ask.years:
        return f"规划中没有给出{ask.years[0]}年的相应内容"
    if ask.quantity:
        return "规划中没有给出这一数字"
    if ask.time:
        return "规划中没有给出具体时间"
    if ask.who:
        return "规划中没有提到相关人员"
    return "检索到的条款不能回答这一问题"


def _adds_facts(s: Sentence, chosen: list[Sentence]) -> bool:
    have = set().union(*(set(numbers_in(c.text)) for c in chosen))
    mine = set(numbers_in(s.text))
    return bool(mine - have) or not mine


def _ancestors(c: Clause) -> list[str]:
    out, parts = [], c.clause_id.split(".")
    if c.parent_id:
        out.append(c.parent_id)
    for i in range(len(parts) - 1, 0, -1):
        pid = ".".join(parts[:i])
        if pid not in out and not pid.endswith(".0"):
            out.append(pid)
    return out


def _with_marker(sentence: str, n: int) -> str:
    m = re.search(r"[。；;！？!?]+$", sentence)
    if m:
        return sentence[:m.start()] + f"[{n}]" + "。"
    return sentence + f"[{n}]。"
