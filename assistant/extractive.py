"""The offline answerer: verbatim sentences of the retrieved clauses, each with its marker.

It decides *whether* the plan answers by evidence, not by lists of known questions: a year,
number or unit the question asks about must occur in the supporting sentence, and the
question's salient terms (or, for colloquial wording, the dense similarity) must be covered.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from assistant.retrieval import Hit
from assistant.text import numbers_in, sentences, squash
from index.clauses import Clause, ClauseTree

QUANTITY_CUES = ("多少", "几个", "几所", "几家", "几条", "几项", "比例", "比重", "百分之", "占比", "数量", "规模多大")
TARGET_CUES = ("目标", "达到", "覆盖率", "增长", "指标", "率")
LIST_CUES = ("有哪些", "哪些", "主要任务", "重点任务", "包括", "都有", "包含", "几个方面", "哪几", "分别")
TIME_CUES = ("什么时候", "何时", "哪一年", "哪年", "时间", "期限", "多久", "哪几年")
DEFINE_CUES = ("是什么", "指什么", "什么意思", "含义", "是指", "指的是", "意思", "解释", "定义")
UNITS = ("亿元", "万元", "元", "万人", "人", "所", "个", "家", "座", "条", "处", "项", "平方米", "万平方米",
         "公里", "千米", "米", "亩", "张", "户", "套", "次", "名", "%", "年")
_YEAR = re.compile(r"(19|20)\d{2}")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]+)[”\"」』]")
_PART_SPLIT = re.compile(r"[，,；;、]|以及|还有|另外|同时|和(?=[^，,]{2,}(?:多少|哪些|什么|怎么|如何))")


@dataclass
class QuestionProfile:
    text: str
    tokens: list[str]
    wants_quantity: bool
    wants_target: bool
    wants_list: bool
    wants_time: bool
    wants_definition: bool
    years: list[str]
    numbers: list[str]
    unit: str | None
    quoted: list[str]
    parts: list[str] = field(default_factory=list)


@dataclass
class Sentence:
    text: str
    clause: Clause
    rank: int
    score: float = 0.0


@dataclass
class Draft:
    """An answer before verification: text with markers over ``context`` (1-based)."""

    text: str
    context: list[Clause]
    abstained: bool = False
    reason: str = ""
    related: list[Clause] = field(default_factory=list)
    support: float = 0.0


def _has(text: str, cues: tuple[str, ...]) -> bool:
    return any(c in text for c in cues)


def profile_question(question: str, tokenize) -> QuestionProfile:
    q = squash(question)
    numbers = [n for n in numbers_in(q) if not _YEAR.fullmatch(n)]
    unit = None
    m = re.search(r"(?:多少|几)(亿元|万元|万平方米|平方米|万人|公里|千米|元|人|所|个|家|座|条|处|项|亩|张|户|套|次|名)", q)
    if m:
        unit = m.group(1)
    elif re.search(r"百分之|比例|比重|占比|覆盖率|率(?:达到|是|为|要)?(?:多少|几)", q):
        unit = "%"
    parts = [p for p in _PART_SPLIT.split(q) if len(tokenize(p)) >= 2]
    return QuestionProfile(
        text=q, tokens=tokenize(question),
        wants_quantity=_has(q, QUANTITY_CUES) or unit is not None,
        wants_target=_has(q, TARGET_CUES),
        wants_list=_has(q, LIST_CUES),
        wants_time=_has(q, TIME_CUES),
        wants_definition=_has(q, DEFINE_CUES),
        years=_YEAR.findall(q) and [y.group(0) for y in _YEAR.finditer(q)],
        numbers=numbers, unit=unit,
        quoted=[s for s in _QUOTED.findall(question) if s.strip()],
        parts=parts if len(parts) >= 2 else [],
    )


class ExtractiveAnswerer:
    """Compose an answer from the plan's own sentences; abstain when they do not answer."""

    def __init__(self, tree: ClauseTree, tokenize, idf: dict[str, float], *,
                 min_coverage: float = 0.5, min_dense: float = 0.90, max_sentences: int = 3) -> None:
        if not 0 <= min_coverage <= 1:
            raise ValueError("min_coverage must be in [0, 1]")
        self.tree = tree
        self.tokenize = tokenize
        self.idf = idf
        self.default_idf = max(idf.values(), default=1.0)
        self.min_coverage = min_coverage
        self.min_dense = min_dense
        self.max_sentences = max_sentences
        self._plan_text = squash("".join(c.text for c in tree.clauses))

    # -- scoring -----------------------------------------------------------
    def _weight(self, token: str) -> float:
        return self.idf.get(token, self.default_idf)

    def coverage(self, tokens: list[str], text: str) -> float:
        """idf-weighted share of the tokens that occur in ``text``."""
        toks = list(dict.fromkeys(tokens))
        total = sum(self._weight(t) for t in toks)
        if not total:
            return 0.0
        s = squash(text)
        return sum(self._weight(t) for t in toks if t in s) / total

    def _score(self, prof: QuestionProfile, sent: Sentence, tokens: list[str] | None = None) -> float:
        tokens = tokens if tokens is not None else prof.tokens
        s = sent.text
        score = self.coverage(tokens, s + sent.clause.title) + 0.15 / (1 + sent.rank)
        nums = [n for n in numbers_in(s) if not _YEAR.fullmatch(n)]
        if prof.wants_quantity or prof.wants_target:
            score += 0.25 if nums else -0.1
            if prof.unit and re.search(rf"\d\s*{re.escape(prof.unit)}", squash(s)):
                score += 0.2
        if prof.wants_time and _YEAR.search(s):
            score += 0.2
        for y in prof.years:
            score += 0.2 if y in s else -0.2
        return score

    def _pool(self, hits: list[Hit], limit: int = 6) -> list[Sentence]:
        pool = []
        for rank, hit in enumerate(hits[:limit]):
            for s in sentences(hit.clause.text):
                pool.append(Sentence(text=s, clause=hit.clause, rank=rank))
        return pool

    # -- answer ------------------------------------------------------------
    def answer(self, question: str, hits: list[Hit]) -> Draft:
        prof = profile_question(question, self.tokenize)
        if not hits:
            return Draft(text="", context=[], abstained=True, reason="没有检索到相关条款")
        context = [h.clause for h in hits]
        reason = self._unanswerable(prof, hits)
        if reason:
            return Draft(text="", context=context, abstained=True, reason=reason,
                         related=[h.clause for h in hits[:3]])
        if prof.wants_definition or prof.quoted:
            draft = self._glossary(prof, hits, context)
            if draft:
                return draft
        if prof.wants_list and not (prof.wants_quantity and prof.unit):
            draft = self._list(prof, hits, context)
            if draft:
                return draft
        return self._sentences(prof, hits, context)

    def _unanswerable(self, prof: QuestionProfile, hits: list[Hit]) -> str:
        top = hits[:3]
        top_text = squash("".join(h.clause.text for h in top))
        for y in prof.years:
            if not any(y in squash(h.clause.text) for h in hits[:5]):
                return f"规划中没有关于{y}年的相关内容"
        for n in prof.numbers:
            if not any(re.search(rf"(?<!\d){n}(?!\d)", squash(h.clause.text)) for h in hits[:5]):
                return f"规划中没有与「{n}」相关的内容"
        if prof.wants_quantity and prof.unit:
            unit_re = rf"\d(?:\.\d+)?\s*{re.escape(prof.unit)}"
            if not any(re.search(unit_re, squash(h.clause.text)) for h in hits[:5]):
                return "规划中没有给出这一数字"
        content = [t for t in prof.tokens if len(t) >= 2]
        absent = [t for t in content if t not in self._plan_text]
        cov = self.coverage(content, top_text) if content else 0.0
        dense = max((h.dense for h in top), default=0.0)
        if content and cov < self.min_coverage and dense < self.min_dense:
            return "规划中没有明确提到相关内容"
        if absent and self.coverage(absent, "") == 0 and sum(self._weight(t) for t in absent) > \
                0.5 * sum(self._weight(t) for t in content) and dense < self.min_dense + 0.02:
            return f"规划中没有明确提到「{'、'.join(absent[:3])}」"
        return ""

    def _glossary(self, prof: QuestionProfile, hits: list[Hit], context: list[Clause]) -> Draft | None:
        for i, hit in enumerate(hits[:5]):
            c = hit.clause
            if c.kind != "glossary":
                continue
            term = squash(re.sub(r"[“”\"]", "", c.title))
            asked = [squash(re.sub(r"[“”\"]", "", q)) for q in prof.quoted] or [prof.text]
            if any(a and (a in term or term in a or a in squash(c.text)[:len(term) + 8]) for a in asked):
                body = re.sub(r"^\d+\s*[.．、]\s*", "", c.text)
                return Draft(text=f"{body}[{i + 1}]", context=context, support=1.0)
        return None

    def _list(self, prof: QuestionProfile, hits: list[Hit], context: list[Clause]) -> Draft | None:
        """Items of a list: the lead titles of sibling paragraphs, or the sub-headings of a section."""
        best = None
        for hit in hits[:3]:
            c = hit.clause
            for parent_id in _ancestors(c):
                parent = self.tree.get(parent_id)
                if parent is None:
                    continue
                items = self._list_items(parent)
                if len(items) < 3:
                    continue
                match = self.coverage(prof.tokens, parent.text)
                own = self.coverage(prof.tokens, c.title) if c.title else 0.0
                if match >= own and (best is None or match > best[0]):
                    best = (match, parent, items)
        if best is None or best[0] < 0.3:
            return None
        _, parent, items = best
        ctx = list(context)
        parts = []
        for item in items:
            if item not in ctx:
                ctx.append(item)
            title = item.title if item.kind == "paragraph" else item.text
            parts.append(f"{title}[{ctx.index(item) + 1}]")
        head = f"规划在{parent.label}中提出：" if parent.kind == "heading" else "根据规划："
        return Draft(text=head + "\n" + "；\n".join(parts) + "。", context=ctx, support=best[0])

    def _list_items(self, parent: Clause) -> list[Clause]:
        children = self.tree.children(parent.clause_id)
        titled = [c for c in children if c.kind == "paragraph" and c.title]
        if len(titled) >= 3:
            return titled
        return [c for c in children if c.kind == "heading"]

    def _sentences(self, prof: QuestionProfile, hits: list[Hit], context: list[Clause]) -> Draft:
        pool = self._pool(hits)
        for s in pool:
            s.score = self._score(prof, s)
        ranked = sorted(pool, key=lambda s: -s.score)
        chosen: list[Sentence] = []
        if prof.parts:
            for part in prof.parts:
                toks = self.tokenize(part)
                best = max(pool, key=lambda s: self._score(prof, s, toks))
                if best not in chosen:
                    chosen.append(best)
        if not chosen:
            chosen.append(ranked[0])
        top = ranked[0].score
        for s in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if s.score >= 0.8 * top and s not in chosen and _adds_facts(s, chosen):
                chosen.append(s)
        if (prof.wants_quantity or prof.wants_target) and prof.unit:
            unit_re = rf"\d(?:\.\d+)?\s*{re.escape(prof.unit)}"
            if not any(re.search(unit_re, squash(s.text)) for s in chosen):
                return Draft(text="", context=context, abstained=True, reason="规划中没有给出这一数字",
                             related=[h.clause for h in hits[:3]])
        order = {id(s): i for i, s in enumerate(pool)}
        lines = []
        for s in sorted(chosen, key=lambda s: (s.rank, order[id(s)])) if not prof.parts else chosen:
            lines.append(f"{_with_marker(s.text, context.index(s.clause) + 1)}")
        return Draft(text="根据规划：\n" + "".join(lines), context=context, support=top)


def _adds_facts(s: Sentence, chosen: list[Sentence]) -> bool:
    have = set().union(*(set(numbers_in(c.text)) for c in chosen)) if chosen else set()
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
    m = re.search(r"[。；！？!?]+$", sentence)
    if m:
        return sentence[:m.start()] + f"[{n}]" + "。"
    return sentence + f"[{n}]。"


def idf_table(token_lists: list[list[str]]) -> dict[str, float]:
    """BM25-style idf over chunk token lists."""
    n = len(token_lists)
    df: dict[str, int] = {}
    for toks in token_lists:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
