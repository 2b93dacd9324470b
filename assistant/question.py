"""What a question asks: its subject, whether it wants a figure, a date, a person or a list, the
period and years it names, and its parts when it asks several things at once.

Read from the words alone (jieba's part-of-speech tags, the everyday-words thesaurus), with no
list of known questions: the answerer then looks for the evidence each kind of ask needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable

import numpy as np

from assistant.profile import PlanProfile
from assistant.text import numbers_in, squash
from index.thesaurus import Thesaurus

YEAR = re.compile(r"(?:19|20)\d{2}")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]+)[”\"」』]")
_QUANTITY = re.compile(r"多少|(?<![哪第那这])几(?:个|所|家|条|项|座|处|张|名|户|次|眼|支|万|亿|成|倍)|比例|比重|占比|百分之|百分比"
                       r"|(?:率|幅度)(?:是|为|要|能|会|达到|控制在)*(?:多少|几)")
_UNIT = re.compile(r"(?:多少|(?<![哪第那这])几)(亿元|万元|万平方米|平方米|平方公里|万人次|人次|万人|公里|千米|元|钱|人|所|个|家|座|条|处"
                   r"|项|亩|张|户|套|次|名|眼|支|微克)")
_RATE = re.compile(r"百分之|比例|比重|占比|百分比|率")
_TIME = re.compile(r"什么时候|何时|哪[一两几]?年|几月|多久|多长时间|期限|时间表|截止")
_ORDINAL = re.compile(r"第几")
_WHO = re.compile(r"谁|叫什么名字|姓名|哪位")
_LIST = re.compile(r"有哪些|哪些|哪几|包括|包含|都有|分别|几个方面|主要任务|重点任务|几大")
# The kind of thing a list question asks for: '打造哪几类楼宇群' → '楼宇群', '紧盯哪些企业' → '企业'.
_LIST_HEAD = re.compile(r"(?:哪些|哪几[类个项种条方面大]?|几大|哪[类种])([\u4e00-\u9fff]{2,6}?)(?:呢|吗|啊)?(?:[？?，,。；;、]|$)")
_DEFINE = re.compile(r"什么意思|啥意思|指什么|指啥|是指|含义|指的是|是什么|是啥|什么是|解释")
_PART_SPLIT = re.compile(r"(?<=[？?；;])")
# Where one sentence may join two asks: a comma, or a connective ('…多少家增加到Y年的多少家',
# '…是多少以及…有哪些'); split only when every piece asks something.
_CLAUSE_SPLIT = re.compile(r"(?<=[，,])|(?=(?:增加到|提高到|提升到|增长到|以及|同时|并且)(?!$))")
_ASKING = re.compile(r"多少|什么|啥|哪|几|吗|如何|怎么|咋|怎样|是否")
# '…覆盖率要达到多少，人均预期寿命呢？': a piece that only names a new subject and ends in 呢 asks what the
# ask before it asked.
_ELLIPTICAL = re.compile(r"呢\W*$")
_ASK_WORD = re.compile(r"哪|什么|啥|多少|^几|^包[括含]")  # '哪几个', '包括': how it asks, never what about
# A named period or year (from the plan's profile) outweighs a verb: '规划打算从上个五年期末的多少家…'
# asks about the past. Without one, these words tell a target from a result.
FUTURE_WORDS_Q = re.compile(r"未来|今后|以后|将来|往后|要达到|目标|计划|打算")
PAST_WORDS_Q = re.compile(r"五年来|过去|以来|已经|建成了|新增了|了多少|了几|做到了|取得")
NAME_TAGS = ("ns", "nr", "nrt", "nt", "nz")  # jieba: place, person, organisation, other proper noun
# Parts of speech that never name what a question is about (jieba tags): pronouns, numerals, measure words,
# prepositions, conjunctions, particles, adverbs, locality, time and place words, interjections.
FUNCTION_TAGS = ("r", "m", "q", "p", "c", "u", "y", "d", "f", "t", "s", "e", "o", "h", "k", "z")
# Words that ask or frame rather than name what the question is about.
GENERIC = frozenset(
    "多少 什么 哪些 哪个 哪里 哪儿 怎么 怎样 如何 是否 有没有 会不会 能不能 可不可以 吗 呢 目标 达到 要求 期间 时期 "
    "现在 以后 将来 未来 今后 往后 打算 计划 规划 提到 说 区里 区 我们 咱们 "
    "一下 具体 主要 情况 方面 问题 内容 举措 措施 有关 相关 一共 总共 大概 左右 以上 以内 之前 以前 分别 "
    "要 会 能 多 几 年 到 个 这块 那块 一些 哪年 哪一年 时候 何时 是 为 的 里 中 了 "
    "任务 工作 重点 建成 新建 达到 实现 完成 提出 展望 提供 打造 希望 想要 听说 觉得 知道 告诉 请问 需要 应该 还有 还要 有没有 "
    "全区 截至 截止 时期 时间 节点 时间节点 年份 起止 根据 按照 本规划 为何 说法 提法 表述 目标值 期末 "
    "增加 增加到 提高 提高到 增长 增长到 提升到 减少 下降 降低 降到 从 数量 数目 总数 涉及".split()
)


@dataclass
class Ask:
    """What one question (or one part of it) asks for."""

    text: str
    subject: list[str]
    quantity: bool = False
    unit: str | None = None
    time: bool = False
    who: bool = False
    ordinal: bool = False
    listing: bool = False
    define: bool = False
    years: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    period: str | None = None  # "future" | "past" | None
    # An everyday word standing in the subject → the plan terms that count as naming it.
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    query: str = ""  # what to search for: the text, with a borrowed subject when it names none
    names: list[str] = field(default_factory=list)  # places, people, bodies it names (another district)
    head: str = ""  # what a list question asks for ('楼宇群'): sentences naming it are the items
    vector: np.ndarray | None = None  # the question's (or this part's) embedding, when retrieval made one

    @property
    def specific(self) -> bool:
        return self.quantity or self.time or self.who or self.ordinal


class QuestionReader:
    """Turns a question into ``Ask``s; analyses are cached (the chain reads the same text more than once).

    >>> reader = QuestionReader(tokenizer.tagged, Thesaurus.load(), plan_text, profile)  # doctest: +SKIP
    >>> reader.ask_of("到Y年普惠性幼儿园覆盖率要达到多少？").unit             # doctest: +SKIP
    '%'
    """

    def __init__(self, tagged: Callable[[str], list[tuple[str, str]]], thesaurus: Thesaurus | None,
                 plan_text: str, profile: PlanProfile) -> None:
        self.tagged = tagged  # text -> [(word, part of speech)]
        # The plan's periods and region (profile.toml): the region's name never is what a question is
        # about, and a named period or year tells a target from a result.
        self.own_names = profile.own_names
        self.future_date, self.past_date = profile.future_date, profile.past_date
        self.future = re.compile(f"{self.future_date.pattern}|{FUTURE_WORDS_Q.pattern}")
        self.past = re.compile(f"{self.past_date.pattern}|{PAST_WORDS_Q.pattern}")
        self.thesaurus = thesaurus
        self.plan_text = plan_text  # squashed: where a word cut short by segmentation is made whole again
        self._ask_cached = lru_cache(maxsize=1024)(self._analyse)

    def ask_of(self, question: str) -> Ask:
        """What the question asks (cached: the chain analyses the same text more than once)."""
        ask = self._ask_cached(question)
        return replace(ask, subject=list(ask.subject), aliases=dict(ask.aliases))

    def _analyse(self, question: str) -> Ask:
        q = squash(question)
        unit = None
        m = _UNIT.search(q)
        if m:
            unit = "元" if m.group(1) == "钱" else m.group(1)
        quantity = bool(_QUANTITY.search(q)) or unit is not None
        if quantity and unit is None and _RATE.search(q):
            unit = "%"
        period = period_of(q, self.future_date, self.past_date) or period_of(q, self.future, self.past)
        matches = self.thesaurus.matches(question) if self.thesaurus else []
        subject: list[str] = []
        names: list[str] = []
        at = 0
        tagged = self._rejoined(self.tagged(question))
        for w, flag in tagged:
            start, at = at, at + len(w)
            if any(m.start < at and start < m.end for m in matches):
                continue  # part of an everyday phrase: the phrase stands for it below
            if (len(w) >= 2 and _is_content(w, flag) and w not in self.own_names
                    and not w.isdigit() and not YEAR.fullmatch(w) and w not in subject):
                subject.append(w)
                if flag in NAME_TAGS and len(set(w)) >= 2:  # (not '啊啊啊': no name repeats one character)
                    names.append(w)
        subject += [m.word for m in matches if m.word not in subject]
        aliases = {m.word: m.terms for m in matches}
        head = _LIST_HEAD.search(q)
        return Ask(text=q, query=q, subject=subject, quantity=quantity, unit=unit, time=bool(_TIME.search(q)),
                   who=bool(_WHO.search(q)), ordinal=bool(_ORDINAL.search(q)), listing=bool(_LIST.search(q)),
                   define=bool(_DEFINE.search(q)), years=YEAR.findall(q),
                   numbers=[n for n in numbers_in(q) if not YEAR.fullmatch(n)],
                   quoted=[s for s in _QUOTED.findall(question) if s.strip()], period=period,
                   aliases=aliases, head=head.group(1) if head else "", names=names)

    def _rejoined(self, tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """'气代' + '煤' → '气代煤': a word and a following single character that the plan writes as one
        term. The question's segmentation may cut a rare term where the plan's does not, and the cut
        piece ('气代') is then found in no sentence's words."""
        if not self.plan_text:
            return tagged
        out: list[tuple[str, str]] = []
        for w, flag in tagged:
            if (out and len(w) == 1 and len(out[-1][0]) >= 2 and _is_content(w, flag) and _is_content(*out[-1])
                    and out[-1][0] + w in self.plan_text):
                out[-1] = (out[-1][0] + w, out[-1][1])
            else:
                out.append((w, flag))
        return out

    def split_parts(self, question: str) -> list[Ask]:
        """One Ask per sub-question ('…多少？…什么？'); a part without a subject borrows the previous one's."""
        pieces = []
        for sentence in _PART_SPLIT.split(question.strip()):
            asking: list[str] = []
            for half in (h for h in _CLAUSE_SPLIT.split(sentence) if squash(h)):
                if _ASKING.search(half) or _ELLIPTICAL.search(half) or not asking:
                    asking.append(half)
                else:  # a piece that asks nothing belongs to the ask before it
                    asking[-1] += half
            if len(asking) > 1 and not _ASKING.search(asking[0]):
                lead = asking.pop(0)  # '金融机构数量，' leads into the first ask
                asking[0] = lead + asking[0]
            if len(asking) > 1:
                pieces += asking  # '…是多少，…又是多少？' asks two things
            elif squash(sentence):
                pieces.append(sentence)
        asks: list[Ask] = []
        for piece in pieces:
            ask = self.ask_of(piece)
            if asks and _ELLIPTICAL.search(piece) and not _ASKING.search(piece):
                prev = asks[-1]
                ask = replace(ask, quantity=prev.quantity, unit=prev.unit, time=prev.time, who=prev.who,
                              ordinal=prev.ordinal, listing=prev.listing, define=prev.define,
                              years=ask.years or prev.years, period=ask.period or prev.period)
            if not ask.subject and asks:
                ask.subject, ask.aliases = list(asks[-1].subject), dict(asks[-1].aliases)
                ask.query = "".join(ask.subject) + ask.text  # searched with what it is about
            asks.append(ask)
        return asks or [self.ask_of(question)]


def _is_content(word: str, flag: str) -> bool:
    return not flag.startswith(FUNCTION_TAGS) and word not in GENERIC and not _ASK_WORD.search(word)


def period_of(question: str, future: re.Pattern, past: re.Pattern) -> str | None:
    is_future, is_past = bool(future.search(question)), bool(past.search(question))
    return "future" if is_future and not is_past else "past" if is_past and not is_future else None
