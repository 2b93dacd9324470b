"""The public API: ``Assistant.load()``, ``ask``, ``ask_stream``, ``retrieve``.

The answering chain is LCEL: condense → retrieve → answer → verify citations, offline and
with an LLM alike (prompts and LLM clients are imported only when an LLM is configured).

>>> bot = Assistant.load()
>>> res = bot.ask(bot.profile.example_questions[0])          # questions come from the plan's profile
>>> res.outcome, res.citations[0].clause_id                   # doctest: +SKIP
('answered', '10.2.2')
"""
from __future__ import annotations

import logging
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

import numpy as np
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.compare import Comparison, CompareError, align
from assistant.condense import Condensed, condense, is_follow_up, own_topic
from assistant.extractive import EVIDENCE_FEATURES, Draft, ExtractiveAnswerer
from assistant.figure_pairs import CHANGE_ASK, pair_answer
from assistant.figures_table import FiguresTable
from assistant.set_answers import (CountedMention, counted_candidates, counted_mentions, counted_set, members_answer,
                                   partly_listed, set_answer)
from assistant.llm import LLMUnavailable, invoke_with_timeout, make_llm, stream_with_timeout
from assistant.plan_routing import Route, route
from assistant.plan_set import PlanEngines, combined, stamped
from assistant.retrieval import Hit, HybridRetriever
from assistant.scope import FEATURES, ScopeDecision, ScopeModel
from assistant.state import ChainState
from assistant.text import ABSTAIN_HEAD
from assistant.topic_brief import TopicBrief, TopicError, compose
from assistant.topic_select import select_topic
from assistant.types import Answer, Citation
from assistant.verify import verify_answer
from index.clauses import Clause
from index.config import Settings, get_settings
from index.figures import Figure, Horizon
from index.named_sets import NamedSet
from index.plans import ensure_all, load_profiles, settings_for
from index.profile import PlanProfile
from index.store import load_store

log = logging.getLogger(__name__)

ANSWER_K = 8
SCOPE_CHARS = 120  # the scope model reads a question's first characters: what it asks, not its padding
PART_K = 3
EMPTY_PROMPT = "请输入您想了解的问题。"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\N{LINE SEPARATOR}-\N{RIGHT-TO-LEFT OVERRIDE}\ufeff]")


def citation_of(clause: Clause) -> Citation:
    return Citation(clause_id=clause.clause_id, label=clause.label, text=clause.text)


_SURROGATE = re.compile(r"[\ud800-\udfff]")  # only lone halves reach a str; they cannot be encoded
# Leading list numbering a resident pastes from a list of questions: 「1、」「2.」「问题3：」「(2)」「（二）」「三、」「Q4:」「①」.
# A bare number needs its list mark (「2030年…」「3.5万…」 stay whole); at most two digits, as lists are short.
_LIST_NUMBERING = re.compile(
    r"^(?:"
    r"(?:问题|题|[Qq]|No\.?)\s*\d{1,2}\s*[、.．:：)）]?"   # 问题3： · Q4: · No.2
    r"|\d{1,2}\s*(?:[、:：)）]|[.．](?!\d))"                 # 1、 · 2. (not 2.5) · 3) · 4：
    r"|[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"  # (2) · （二）
    r"|[一二三四五六七八九十]{1,3}\s*[、.．]"                    # 三、
    r"|[\u2460-\u2473\u2776-\u277f]"                         # ① … ⑳, ❶ … ❿
    r")\s*")


def clean_text(text: object, max_chars: int) -> tuple[str, str]:
    """Any user string made safe: no control or format characters, no lone surrogates (they crash
    JSON and UTF-8 encoders), one space for any run of white space, at most ``max_chars`` characters.
    Returns the text and a notice ('' when it was not cut)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    t = _SURROGATE.sub("", text)
    t = unicodedata.normalize("NFC", _CONTROL.sub(" ", t)).strip()
    t = re.sub(r"\s+", " ", t)
    if len(t) > max_chars:
        return t[:max_chars], f"问题过长，只按前{max_chars}个字回答。"
    return t, ""


def strip_list_numbering(question: str) -> str:
    """「1、普惠性幼儿园覆盖率是多少？」 asks what 「普惠性幼儿园覆盖率是多少？」 asks: the numbering is the
    resident's list, not the question (a question that is nothing but numbering is kept as it is)."""
    rest = _LIST_NUMBERING.sub("", question, count=1)
    return rest if rest.strip() else question


def clean_question(question: object, max_chars: int) -> tuple[str, str]:
    """A safe question string and a notice ('' when nothing was changed): :func:`clean_text` and
    no leading list numbering. The one cleaner every edge uses (API, chat app, CLI, ``ask``)."""
    q, _ = clean_text(question, max_chars * 2 + 16)  # numbering is stripped before the question is bounded
    q = strip_list_numbering(q)
    if len(q) > max_chars:
        return q[:max_chars], f"问题过长，只按前{max_chars}个字回答。"
    return q, ""


def clean_history(history: object, max_turns: int, max_chars: int) -> list[dict]:
    """Only user/assistant turns with text, the most recent ``max_turns``, each bounded (the newest are
    taken first, so an absurdly long history costs no more than a short one)."""
    if not isinstance(history, (list, tuple)) or max_turns <= 0:
        return []
    out: list[dict] = []
    for turn in reversed(history):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            continue
        content = turn.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        clean = clean_question if turn["role"] == "user" else clean_text
        text = clean(content, max_chars)[0]
        if text:
            out.append({"role": turn["role"], "content": text})
            if len(out) == max_turns:
                break
    return out[::-1]


class Assistant:
    """Answers questions about the plan, citing its clauses; offline unless an LLM is configured."""

    def __init__(self, retriever: HybridRetriever, settings: Settings, llm: Runnable | None = None,
                 load_seconds: float = 0.0, cite_prefix: str = "") -> None:
        self.retriever = retriever
        self.settings = settings
        self.tree = retriever.store.tree
        self.profile = PlanProfile.load(settings.plan_path)
        self.plan_id = self.profile.id
        # In front of this plan's labels where they are cited: '' for the primary plan, 《short name》 for
        # another (its clause ids and labels repeat the primary's: 第一章 …).
        self.cite_prefix = cite_prefix
        self.llm = llm
        self.load_seconds = load_seconds
        # The scope model reads how close a question is to the plan's hypothetical questions: a plan
        # without them (none written yet) takes every question as its own, rather than none.
        self.scope_model = (_model(settings.scope_model_path, FEATURES, "every question is taken as about the plan")
                            if retriever.store.questions else None)
        # Every plan the assistant knows and their engines (this one the primary); set by ``load``:
        # an engine made directly knows only its own plan.
        self.plans = PlanEngines(self, {self.plan_id: self.profile}, load=self._load_sibling)
        self.extractive = ExtractiveAnswerer(self.tree, retriever.tokenizer,
                                             retriever.idf, thesaurus=retriever.thesaurus,
                                             sentences=retriever.store.sentences,
                                             sentence_vectors=retriever.store.sentence_vectors,
                                             meaning_weight=settings.sentence_meaning_weight,
                                             meaning_gate=settings.meaning_gate, params=settings.answer,
                                             profile=self.profile,
                                             evidence_model=_model(settings.evidence_model_path, EVIDENCE_FEATURES),
                                             indicator_vectors=retriever.store.indicator_vectors,
                                             sentence_indicators=retriever.store.sentence_indicators,
                                             questions=retriever.store.questions,
                                             question_vectors=retriever.store.question_vectors)
        self._figures_table: FiguresTable | None = None  # built on first use: most sessions never ask
        # The paragraphs that look back on the previous period: a briefing's 现状与成效 draws on them.
        self.review_paragraphs = frozenset(cid for cid in self.extractive.looks_back
                                           if self.tree.by_id[cid].kind == "paragraph")
        # The store's row of each named set's vector, by NamedSet.description (for _counted_set).
        self._set_rows = {d: i for i, d in enumerate(retriever.store.set_descriptions)}
        self.chain = self._build_chain()
        self._front = self._build_front()
        self.extractive.ask_of("预热")  # load the part-of-speech tagger now, not at the first question

    @classmethod
    def load(cls, settings: Settings | None = None, log_fn=None, **overrides) -> "Assistant":
        """Load the store (building it on first use) and the configured backends."""
        t0 = time.perf_counter()
        settings = settings or get_settings(**overrides)
        log_fn = log_fn or (lambda m: print(m, file=sys.stderr, flush=True))
        if settings.other_plans:  # every plan's store is built before the app serves (each only when stale)
            ensure_all(settings, log=log_fn, others_only=True)
        store = load_store(settings, log=log_fn)
        retriever = HybridRetriever.from_store(store, settings)
        llm = None
        if settings.llm != "none":
            llm = make_llm(settings)
        bot = cls(retriever, settings, llm=llm, load_seconds=time.perf_counter() - t0)
        if settings.other_plans:
            bot.plans = PlanEngines(bot, load_profiles(settings), load=bot._load_sibling)
        return bot

    def _load_sibling(self, plan_id: str) -> "Assistant":
        """Another plan's engine, sharing this one's embedding model and LLM (its store is built)."""
        settings = settings_for(self.settings, plan_id)
        store = load_store(settings, log=lambda m: log.info("[%s] %s", plan_id, m))
        retriever = HybridRetriever.from_store(store, settings, embeddings=self.retriever.embeddings)
        prefix = f"《{self.plans.profiles[plan_id].short_name}》"
        return type(self)(retriever, settings, llm=self.llm, cite_prefix=prefix)

    # -- retrieval -----------------------------------------------------------
    def retrieve(self, question: str, k: int = 5, mode: str = "hybrid", plan: str | None = None) -> list[Hit]:
        """The clauses that best match ``question`` in ``plan`` (default: the primary plan)."""
        q, _ = clean_question(question, self.settings.max_question_chars)
        return self.engine(plan).retriever.search(q, k=k, mode=mode)

    def engine(self, plan: str | None) -> "Assistant":
        """The engine answering from ``plan`` (this one when none is given); :class:`UnknownPlan` for a
        plan that is not loaded."""
        return self.plans.get(plan) if plan else self

    def route(self, question: str, history: list[dict] | None = None, plan: str | None = None) -> Route:
        """Which plans ``question`` is answered from (assistant/plan_routing.py); raises
        :class:`UnknownPlan` for a ``plan`` that is not loaded."""
        q, _ = clean_question(question, self.settings.max_question_chars)
        hist = clean_history(history, self.settings.max_history_turns, self.settings.max_question_chars)
        short = self.settings.answer.follow_up_max_chars
        return route(q, hist, self.plans.profiles, self.plan_id, chosen=plan,
                     is_follow_up=lambda text: is_follow_up(text, self.profile.own_names, short))

    # -- the chain -------------------------------------------------------------
    def _build_chain(self) -> Runnable:
        return (self._build_front()
                | RunnableLambda(self._answer_step, name="answer")
                | RunnableLambda(self._verify_step, name="verify"))

    def _build_front(self) -> Runnable:
        """condense → retrieve: the part of the chain ``ask_stream`` runs before it streams the LLM."""
        return (RunnableLambda(self._condense_step, name="condense")
                | RunnableLambda(self._retrieve_step, name="retrieve"))

    def _condense_step(self, state: ChainState) -> ChainState:
        # Years said in two digits (「到25年」) are read in full, in the question and the earlier questions alike.
        full = self.profile.full_years
        earlier_turns = [{**t, "content": full(t["content"])} if t.get("role") == "user" else t
                         for t in state.history]
        condensed = condense(full(state.question), earlier_turns, self.profile.own_names,
                             short=self.settings.answer.follow_up_max_chars)
        query = condensed.query
        if self.llm is not None and state.history and is_follow_up(state.question, self.profile.own_names,
                                                                     self.settings.answer.follow_up_max_chars):
            from assistant.prompts import condense_prompt

            try:  # an LLM rewrites follow-ups better; the deterministic rewrite stays as the fallback
                turns, chars = self.settings.llm_history_turns, self.settings.llm_history_chars
                history = "\n".join(f"{t['role']}: {t['content'][:chars]}" for t in state.history[-turns:])
                prompt = condense_prompt().invoke({"history": history, "question": state.question})
                rewritten = invoke_with_timeout(self.llm, prompt, self.settings.llm_timeout_s).strip()
                if 0 < len(rewritten) <= self.settings.llm_rewrite_max_chars:
                    query = rewritten.splitlines()[0]
            except Exception as e:
                log.warning("LLM condense failed: %s", e)
        earlier = frozenset()
        if condensed.background:  # a follow-up: where the earlier answer came from is about the earlier topic
            said = next((t["content"] for t in reversed(state.history) if t.get("role") == "assistant"), "")
            earlier = self.extractive.sources_of(said) if said else frozenset()
        return replace(state, query=query, background=condensed.background, earlier=earlier)

    def _retrieve_step(self, state: ChainState) -> ChainState:
        question, background = state.query, state.background
        whole = Condensed(question, background).search_text
        parts = self.extractive.split_parts(question)
        # A follow-up is also searched by its own words (the carried topic is only a second opinion);
        # each part of a multi-part question is searched too, so every part's best clauses are there.
        part_queries = [p.query for p in parts] if len(parts) > 1 else []
        queries = [whole, *([question] if background else []), *part_queries]
        lexical = {q: self.retriever.bm25_scores(q) for q in queries}
        # Embedding is the slowest step: only what BM25 cannot settle is embedded (a follow-up's own
        # words always are, as the carried topic is not in them).
        undecided = [q for q in part_queries if not self.retriever.lexically_decisive(q, lexical[q])]
        embed_question = bool(background) or (
            not part_queries and not self.retriever.lexically_decisive(whole, lexical[whole]))
        vectors = self._query_vectors(whole, question if embed_question else "", undecided,
                                      whole_from_parts=len(undecided) == len(part_queries))
        results = [self.retriever.search(q, k=ANSWER_K, mode="hybrid" if q.strip() in vectors else "bm25",
                                         vector=vectors.get(q.strip()), bm25=lexical[q]) for q in queries]
        hits = results[0]
        if background:
            best = {h.clause.clause_id: h for h in hits}
            for h in results[1]:
                if h.clause.clause_id not in best or h.score > best[h.clause.clause_id].score:
                    best[h.clause.clause_id] = h
            hits = sorted(best.values(), key=lambda h: -h.score)[:ANSWER_K]
        seen = {h.clause.clause_id for h in hits}
        for part_hits in results[1 + bool(background):]:
            for h in part_hits[:PART_K]:
                if h.clause.clause_id not in seen:
                    seen.add(h.clause.clause_id)
                    hits.append(replace(h, for_part=True))
        scope = self._scope(state, vectors, lexical[whole])
        return replace(state, hits=tuple(hits), vectors=vectors, scope=scope)

    def _scope(self, state: ChainState, vectors: dict[str, np.ndarray], bm25: dict[int, float]) -> ScopeDecision:
        """In or out of what the plan covers, judged on the question's own words: a follow-up that
        turns to the weather is not rescued by the earlier topic; one with no topic of its own
        ('还有别的吗？') is about the earlier one."""
        if self.scope_model is None:
            return ScopeDecision(True, 1.0, why="no model")
        if state.background and not (own_topic(state.question, self.profile.own_names)
                                     and self.extractive.ask_of(state.question).subject):
            # (no word that names a thing, by its part of speech: 「那后来又花了多少？」 asks on about the same)
            return ScopeDecision(True, 1.0, why="follow-up")
        # The standalone query is the question's own words (a follow-up's plus the ask it borrows),
        # never the earlier topic: its vector is the one retrieval already made. A question padded with
        # filler is judged by what it asks first.
        query = state.query.strip()
        text = query[:SCOPE_CHARS]
        own_bm25 = bm25 if not state.background and text == query else self.retriever.bm25_scores(text)
        vector = vectors.get(text) if text == query else None
        if vector is None and vectors and not state.background and text == query:
            total = np.sum(list(vectors.values()), axis=0)  # a multi-part question: its parts' sum
            vector = (total / np.linalg.norm(total)).astype(np.float32)
        if vector is None:
            if not state.background and self.retriever.lexically_decisive(text, own_bm25):
                return ScopeDecision(True, 1.0, why="lexical")  # the plan's own words, one clear clause
            vector = self.retriever.embed_queries([text])[text]
        return self.scope_model.decide(self.retriever.scope_features(text, vector, own_bm25))

    def _query_vectors(self, query: str, question: str, parts: list[str],
                       whole_from_parts: bool = True) -> dict[str, np.ndarray]:
        """Vectors by text, in one engine call: the question's own words, the given parts and, for a
        follow-up, its words with the earlier topic, side by side, one core each (the meaning lists of
        the whole search need the topic: '一共发了多少钱？' alone means nothing). A one-part question's whole
        query takes the question's vector, a multi-part one the normalised sum of its parts': the
        long text would cost more than all of them and, on the development sets, found nothing more.
        When only some parts were embedded, their sum would speak for those parts alone: the whole is
        then searched by its words (``whole_from_parts`` False) and each part by its own search."""
        with_topic = query.strip() if question.strip() and query.strip() != question.strip() else ""
        texts = [t.strip() for t in (question, *parts, with_topic) if t.strip()]
        if not texts:
            return {}
        vectors = self.retriever.embed_queries(texts)
        if with_topic or (not question.strip() and not whole_from_parts):
            return vectors
        whole = vectors[texts[0]] if question.strip() else np.sum(list(vectors.values()), axis=0)
        return {query.strip(): (whole / np.linalg.norm(whole)).astype(np.float32), **vectors}

    def _answer_step(self, state: ChainState) -> ChainState:
        state = self._extractive_step(state)
        if not self._wants_llm(state):
            return state
        try:
            text = invoke_with_timeout(self.llm, self._llm_messages(state), self.settings.llm_timeout_s)
        except Exception as e:  # any backend failure: keep the extractive answer, say so
            return self._llm_failed(state, e)
        return self._with_llm_text(state, text)

    def _extractive_step(self, state: ChainState) -> ChainState:
        """The extractive draft, always made: it is the answer offline and the fallback with an LLM."""
        if state.scope is not None and not state.scope.in_scope:
            return state
        judged = state.scope is not None and state.scope.why == "model"  # (in scope: the others returned above)
        draft = self.extractive.answer(state.query, list(state.hits), state.background, state.vectors,
                                       meaning_judged=judged, earlier=state.earlier)
        return replace(state, draft=draft, mode="extractive")

    def _wants_llm(self, state: ChainState) -> bool:
        """An LLM is asked only about an in-scope question with retrieved clauses to cite."""
        if self.llm is None or state.draft is None:
            return False
        return not (state.draft.abstained and not state.hits)

    def _llm_failed(self, state: ChainState, e: Exception) -> ChainState:
        log.warning("LLM failed: %s", e)
        return replace(state, notice=_join(state.notice, f"大模型暂不可用（{_short(e)}），以下为规划原文摘录。"))

    def _with_llm_text(self, state: ChainState, text: str) -> ChainState:
        """The LLM's whole answer, kept only if it passes the citation check (else the extractive
        draft stays, with a notice); shared by ``ask`` and ``ask_stream``."""
        context = [h.clause for h in state.hits]
        if ABSTAIN_HEAD in text and len(text) < self.settings.llm_abstain_max_chars:
            return replace(state, draft=Draft(text="", context=context, abstained=True,
                                              reason="大模型判断所检索条款不能回答",
                                              related=context[:self.settings.answer.related_clauses]),
                           mode="llm")
        check = verify_answer(text, context)
        if not check.ok:
            return replace(state, notice=_join(state.notice, "大模型的回答未通过引用核验，以下为规划原文摘录。"))
        return replace(state, draft=Draft(text=text, context=context), mode="llm")

    def _abstention(self, reason: str, related: list[Citation], **common) -> Answer:
        """「规划中没有明确提到…（why）」 with the related clauses named below it (never numbered citations)."""
        lines = [f"{ABSTAIN_HEAD}（{reason}）。" if reason else f"{ABSTAIN_HEAD}。"]
        if related:
            lines.append("相关条款（仅供参考，并非答案）：")
            lines += [f"· {self.cite_prefix}{c.label}" for c in related]
        return Answer(answer="\n".join(lines), citations=[], abstained=True, related=related, reason=reason,
                      outcome="not_in_plan", **common)

    def _llm_messages(self, state: ChainState):
        """The answer prompt: the retrieved clauses numbered [1]…[n] (the markers the check reads)."""
        from assistant.prompts import answer_prompt

        context = "\n".join(f"[{i}] {h.clause.label}\n{h.clause.text}" for i, h in enumerate(state.hits, start=1))
        question = f"{state.query}（接着前面关于「{state.background}」的对话）" if state.background else state.query
        return answer_prompt().invoke({"context": context, "question": question})

    def _verify_step(self, state: ChainState) -> Answer:
        common = dict(query=state.query, background=state.background, notice=state.notice, mode=state.mode)
        if state.scope is not None and not state.scope.in_scope:
            return Answer(answer=self._out_of_scope_reply(), abstained=True, outcome="out_of_scope",
                          reason="不在规划的范围内", **common)
        draft = state.draft
        if draft.abstained:
            related = [citation_of(c) for c in draft.related]  # (bounded where chosen: related_clauses)
            return self._abstention(draft.reason, related, **common)
        check = verify_answer(draft.text, draft.context)
        if not check.ok:  # cannot happen for verbatim extracts; guard anyway
            return Answer(answer=f"{ABSTAIN_HEAD}。", abstained=True, outcome="not_in_plan", **common)
        return Answer(answer=check.text, citations=[citation_of(c) for c in check.cited], abstained=False,
                      outcome="answered", **common)

    def _out_of_scope_reply(self) -> str:
        """Friendly, short, and free of plan text: what the assistant covers and what to ask it."""
        examples = "\n".join(f"· {q}" for q in self.profile.example_questions[:3])
        return (f"这个问题不在《{self.profile.short_name}》的范围内，我答不了。"
                f"我能回答规划里关于{self.profile.region}发展目标、民生（上学、看病、养老、就业、住房、出行）"
                f"和城市建设的内容，并注明出处。可以这样问：\n{examples}")

    # -- public ----------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, plan: str | None = None) -> Answer:
        """Answer one question, using ``history`` (user/assistant turns) for follow-ups, from the plan
        it names (or ``plan``; by default the primary plan). Raises :class:`UnknownPlan` for an unknown
        ``plan``."""
        t0 = time.perf_counter()
        q, notice = clean_question(question, self.settings.max_question_chars)
        if not q:
            return self._empty_reply()
        where = self.route(q, history, plan)
        asked = where.question or q
        parts = [(pid, self.plans.get(pid)._answer_here(asked, history, notice, t0)) for pid in where.plan_ids]
        parts = [(pid, self.plans.get(pid)._stamped(res)) for pid, res in parts]
        if len(parts) == 1:
            return parts[0][1]
        return combined([(self.plans.profiles[pid].short_name, res) for pid, res in parts])

    def _answer_here(self, q: str, history: list[dict] | None, notice: str, t0: float) -> Answer:
        """A cleaned question answered from this engine's own plan."""
        res = self.chain.invoke(self._start_state(q, history, notice))
        return self._finish(res, t0)

    def _stamped(self, res: Answer) -> Answer:
        """Its plan's id on every citation of ``res``, and the plan's name in front of their labels."""
        return stamped(res, self.plan_id, self.cite_prefix)

    def _empty_reply(self) -> Answer:
        example = self.profile.example_questions[0] if self.profile.example_questions else ""
        return Answer(answer=EMPTY_PROMPT + (f"例如：「{example}」" if example else ""), abstained=True,
                      reason="问题为空", outcome="empty")

    def _start_state(self, q: str, history: list[dict] | None, notice: str) -> ChainState:
        hist = clean_history(history, self.settings.max_history_turns, self.settings.max_question_chars)
        return ChainState(question=q, history=tuple(hist), notice=notice)

    def _finish(self, res: Answer, t0: float) -> Answer:
        """The chain's answer with the figure-pair and named-set answers applied, and its timing."""
        res = self._with_pair(res)
        res = self._with_set(res)
        res.timings = {**res.timings, "total_s": time.perf_counter() - t0}
        return res

    def _with_pair(self, res: Answer) -> Answer:
        """A question about both ends or the growth of one indicator the figures table links is answered
        from its two rows, the difference shown as a labelled calculation (assistant/figure_pairs.py)."""
        query = res.query.strip()
        if res.outcome not in ("answered", "not_in_plan") or not query or not CHANGE_ASK.search(query):
            return res
        pair = pair_answer(query, self.figures_table, self.tree)
        if pair is None:
            return res
        return replace(pair, background=res.background, notice=_join(res.notice, pair.notice))

    def _with_set(self, res: Answer) -> Answer:
        """A list question that names a set the plan defines (「九大商圈都有哪些？」) is answered with its
        members, each cited (assistant/set_answers.py), not with the sentence that names the set."""
        if res.outcome not in ("answered", "not_in_plan") or res.mode == "computed" or not res.query.strip():
            return res
        query, sets = res.query.strip(), self.figures_table.named_sets
        members = set_answer(query, sets, self.tree)
        if members is None:
            named = self._counted_set(query)
            if named is None:
                return self._with_partly_listed(res)
            members = members_answer(query, named, sets, self.tree)
        # the same citation check as every answer: a member line its clause does not support is a bug
        checked = verify_answer(members.answer, [self.tree.by_id[c.clause_id] for c in members.citations])
        if not checked.ok or checked.dropped:
            log.warning("set answer failed the citation check, kept the chain's: %s", checked.dropped)
            return res
        citations = [Citation(c.clause_id, c.label, c.text) for c in checked.cited]
        return replace(members, answer=checked.text, citations=citations, background=res.background,
                       notice=res.notice)

    def _with_partly_listed(self, res: Answer) -> Answer:
        """A question for the names of a set by its count that the plan counts without listing them all
        (「那九个教育集团都叫啥？」 where it says only 「组建9个教育集团」) is not answered by the sentence that
        counts them: the plan does not give the names, and the clause that counts them is shown as related."""
        partial = partly_listed(res.query, self.tree, self.figures_table.named_sets, lambda: self._counted_mentions)
        if partial is None:
            return res
        counted = citation_of(self.tree.by_id[partial.clause_id])
        related = [counted, *[c for c in [*res.related, *res.citations] if c.clause_id != counted.clause_id]]
        return self._abstention(partial.reason, related[:self.settings.answer.related_clauses],
                                query=res.query, background=res.background, notice=res.notice, mode=res.mode)

    @cached_property
    def _counted_mentions(self) -> tuple[CountedMention, ...]:
        """The plan's counts of things, read once, on the first question that asks names by a count."""
        return counted_mentions(self.tree)

    def _counted_set(self, question: str) -> NamedSet | None:
        """The named set a list question means by the count it states (「三条带子」 for 「三带」), by meaning. Only
        a question with a candidate set costs a query embedding here (the chain's vectors are not kept)."""
        candidates = counted_candidates(question, self.figures_table.named_sets)
        if not candidates:
            return None
        rows = self._set_rows
        if any(s.description not in rows for s in candidates):
            return None  # (a store built before the sets were extracted as now: `python -m index build` refreshes it)
        vector = self.retriever.embed_queries([question])[question]
        vectors = self.retriever.store.set_vectors
        params = self.settings.answer
        return counted_set(candidates, [float(vectors[rows[s.description]] @ vector) for s in candidates],
                           params.set_min_cosine, params.set_min_lead)

    @property
    def figures_table(self) -> FiguresTable:
        """The figures and named sets of the plan, computed once, on first use, from the clause tree."""
        if self._figures_table is None:
            self._figures_table = FiguresTable.build(self.tree, self.profile, self.retriever.thesaurus)
        return self._figures_table

    def figures(self, topic: str | None = None, year: str | None = None, kind: str | None = None) -> list[Figure]:
        """The plan's figures (数据与指标): every quantified statement with its indicator, value, unit,
        comparator, year or period, kind and clause, in source order.

        ``topic`` keeps rows whose indicator, sentence or section names it (or a plan term the thesaurus
        gives for an everyday word: 「托儿所」 finds 婴幼儿照护服务); ``year`` is a year 'YYYY' or a period 'YYYY-YYYY'
        (a period's rows count for every year in it); ``kind`` is actual, target, vision or change.
        Raises ``ValueError`` for a malformed year or an unknown kind.
        """
        return self.figures_table.select(topic=topic, year=year, kind=kind)

    def named_sets(self) -> list[NamedSet]:
        """The sets the plan names by a count or a name (「四个核心商圈」, 「六个百分百」, 「发展战略」),
        each with its count, its members in the plan's words and the clause that defines it."""
        return list(self.figures_table.named_sets)

    def brief(self, topic: str) -> TopicBrief:
        """The topic briefing (专题简报) on ``topic`` in everyday words (养老, 交通与停车): what the previous
        period achieved, the figures and targets, the measures in plan order and the glossary terms,
        every line a verbatim sentence citing its clause (see assistant/topic_brief.py).

        Which clauses belong to the topic is decided by meaning and the plan's structure
        (assistant/topic_select.py, numbers in ``Settings.brief``). Raises :class:`TopicError` (a
        ``ValueError``) for an empty topic or one the plan does not cover, with a message to show.
        """
        params = self.settings.brief
        text, vector = self._topic(topic)
        selection = select_topic(text, self.retriever, params, vector=vector, review=self.review_paragraphs)
        brief = compose(selection, self.tree, self.figures_table.figures, Horizon.of(self.profile))
        if not brief.references:
            raise TopicError(f"规划中没有关于「{text}」的内容，请换一个专题。")
        return brief

    def _topic(self, topic: str) -> tuple[str, np.ndarray]:
        """A briefing's or comparison's topic cleaned and embedded; :class:`TopicError` when it is empty
        or the scope model says the plan does not cover it."""
        text, _ = clean_text(topic, self.settings.brief.max_topic_chars)
        text = text.strip(" ，,。.;；:：!！?？")
        if not re.search(r"[\w\u4e00-\u9fff]", text):
            raise TopicError("请输入专题，例如：养老、教育、交通与停车。")
        vector = self.retriever.embed_queries([text])[text]
        if self.scope_model is not None:
            decision = self.scope_model.decide(
                self.retriever.scope_features(text, vector, self.retriever.bm25_scores(text)))
            if not decision.in_scope:
                raise TopicError(f"规划中没有关于「{text}」的内容，请换一个专题。")
        return text, vector

    def compare(self, topic: str) -> Comparison:
        """对照上位规划: on ``topic`` (everyday words), the parent plan's clauses (``parent_plan`` in the
        profile) beside this plan's, aligned by meaning, every sentence verbatim and cited (see
        assistant/compare.py). Raises :class:`TopicError` for an empty or uncovered topic and
        :class:`CompareError` when the parent plan is not loaded."""
        parent = self.profile.parent_plan
        if not parent or parent not in self.plans.profiles:
            raise CompareError(f"没有载入上位规划（{parent or '规划简介未写明上位规划'}），无法对照。")
        text, vector = self._topic(topic)
        upper = self.plans.get(parent)
        params = self.settings.brief
        local_sel = select_topic(text, self.retriever, params, vector=vector)
        upper_sel = select_topic(text, upper.retriever, params, vector=vector)
        if not local_sel.picks and not upper_sel.picks:
            raise TopicError(f"两个规划中都没有关于「{text}」的内容，请换一个专题。")

        def citer(pid: str):
            prefix = self.plans.get(pid).cite_prefix
            return lambda pick: Citation(pick.clause.clause_id, prefix + pick.clause.label, pick.clause.text, plan=pid)
        rows = align(upper_sel, local_sel, upper.retriever, self.retriever, citer(parent), citer(self.plan_id),
                     params.align_min)
        return Comparison(topic=text, upper_plan=self.plans.profiles[parent].short_name,
                          local_plan=self.profile.short_name, rows=rows)

    def ask_stream(self, question: str, history: list[dict] | None = None,
                   plan: str | None = None) -> Iterator[tuple[str, Answer | None]]:
        """Yield ``(text so far, None)`` as the answer grows, then ``(answer, Answer)`` once it is verified.

        Offline the verified answer is shown line by line. With an LLM its tokens are shown as they
        arrive, under the :data:`CHECKING` line: a provisional draft, as a model takes seconds and the
        citation check needs the whole answer. The last item replaces it with the verified answer or,
        when the draft fails the check, the endpoint fails or the whole answer takes longer than
        ``llm_timeout_s``, with the extractive answer and its notice. Each text before the last extends
        the one before it (a client may draw only the new characters); the last need not.
        """
        t0 = time.perf_counter()
        q, notice = clean_question(question, self.settings.max_question_chars)
        if self.llm is None or not q or self.route(q, history, plan).plan_ids != (self.plan_id,):
            res = self.ask(question, history, plan)
            yield from _by_lines(res)
            return
        state = self._extractive_step(self._front.invoke(self._start_state(q, history, notice)))
        first: float | None = None  # seconds to the first streamed piece
        if self._wants_llm(state):
            text = ""
            try:
                for piece in stream_with_timeout(self.llm, self._llm_messages(state), self.settings.llm_timeout_s):
                    text += piece
                    first = first if first is not None else time.perf_counter() - t0
                    yield CHECKING + text, None
            except Exception as e:  # any backend failure mid-stream: the extractive answer, with a notice
                state = self._llm_failed(state, e)
            else:
                state = self._with_llm_text(state, text)
        res = self._verify_step(state)
        if first is None:  # the model was not asked (nothing to cite) or sent nothing: as offline
            yield from _by_lines(self._stamped(self._finish(res, t0)))
            return
        res.timings = {"first_delta_s": first}
        res = self._stamped(self._finish(res, t0))
        yield res.answer, res


# The line above an LLM's streamed draft: the text is the model's, not yet checked against its clauses.
CHECKING = "（正在核对出处…）\n"


def _by_lines(res: Answer) -> Iterator[tuple[str, Answer | None]]:
    """A finished answer as a stream: its text growing line by line, then the answer itself."""
    shown = ""
    for line in res.answer.splitlines(keepends=True):
        shown += line
        yield shown, None
    yield res.answer, res


def _model(path: str, features: tuple[str, ...], without: str = "the question's own words decide") -> ScopeModel | None:
    """A fitted model (``python -m eval.fit --write``) or, with no file, None and a warning saying what then."""
    if not path:
        return None
    try:
        return ScopeModel.load(path, features)
    except FileNotFoundError:
        log.warning("no model at %s: %s", path, without)
        return None


def _join(a: str, b: str) -> str:
    return f"{a} {b}".strip()


def _short(e: Exception) -> str:
    """A short Chinese cause for the notice; the details go to the log."""
    if isinstance(e, TimeoutError) or "timed out" in str(e).lower() or "timeout" in type(e).__name__.lower():
        return "响应超时"
    if isinstance(e, (ConnectionError, OSError)) or "connect" in str(e).lower():
        return "连接失败"
    if isinstance(e, LLMUnavailable):
        return str(e)[:60]
    return "返回格式错误"


__all__ = ["Assistant", "Answer", "Citation", "LLMUnavailable", "TopicBrief", "TopicError"]
