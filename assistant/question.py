"""What a question asks: its subject, whether it wants a figure, a date, a person or a list, the
period and years it names, and its parts when it asks several things at once.

Read from the words alone (jieba's part-of-speech tags, the everyday-words thesaurus), with no
list of known questions: the answerer then looks for the evidence each kind of ask needs.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from assistant.text import numbers_in, squash
from index.lexicon import (ASK_FORM, ASKED_UNIT, ASKING, COORDINATORS, DEFINE_ASK, DETAIL_ASK, EACH, ENDS_ASKING,
                           FUTURE_WORDS_Q,
                           GENERIC, LIST_ASK, LIST_HEAD, ORDINAL_ASK, PART_SPLIT, PAST_WORDS_Q, PER_ASK, QUANTITY, RATE,
                           TIME_ASK, WHO_ASK, YEAR, YEAR_WORD, any_of, standard_ask)
from index.profile import PlanProfile
from index.thesaurus import Thesaurus

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]+)[”\"」』]")
_PART_SPLIT = re.compile(r"(?<=[？?；;])")
# '…覆盖率要达到多少，人均预期寿命呢？': a piece that only names a new subject and ends in 呢 asks what the
# ask before it asked.
_ELLIPTICAL = re.compile(r"呢\W*$")
NAME_TAGS = ("ns", "nr", "nrt", "nt", "nz")  # jieba: place, person, organisation, other proper noun
# Parts of speech that never name what a question is about (jieba tags): pronouns, numerals, measure words,
# prepositions, conjunctions, particles, adverbs, locality, time and place words, interjections.
FUNCTION_TAGS = ("r", "m", "q", "p", "c", "u", "y", "d", "f", "t", "s", "e", "o", "h", "k", "z")


@dataclass(frozen=True)
class Ask:
    """What one question (or one part of it) asks for. Frozen: the reader caches it, and the chain
    derives a changed copy (``dataclasses.replace``) where a follow-up lends it the earlier subject."""

    text: str
    subject: tuple[str, ...]
    quantity: bool = False
    unit: str | None = None
    per: bool = False  # a figure per person, household or span of time (index.lexicon.PER_ASK)
    time: bool = False
    who: bool = False
    detail: str | None = None  # a detail finer than plans state (index.lexicon.DETAIL_ASKS: phone, clock, day…)
    ordinal: bool = False
    listing: bool = False
    define: bool = False
    years: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    quoted: tuple[str, ...] = ()
    period: str | None = None  # "future" | "past" | None
    # An everyday word standing in the subject → the plan terms that count as naming it.
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    query: str = ""  # what to search for: the text, with a borrowed subject when it names none
    names: tuple[str, ...] = ()  # places, people, bodies it names (another district)
    head: str = ""  # what a list question asks for ('楼宇群'): sentences naming it are the items
    vector: np.ndarray | None = None  # the question's (or this part's) embedding, when retrieval made one

    @property
    def specific(self) -> bool:
        return self.quantity or self.time or self.who or self.ordinal or self.detail is not None


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
        # A named period or year (from the profile) outweighs a verb: '规划打算从上个五年期末的多少家…'
        # asks about the past. Without one, the lexicon's words tell a target from a result.
        self.future = re.compile(f"{self.future_date.pattern}|{any_of(FUTURE_WORDS_Q)}")
        self.past = re.compile(f"{self.past_date.pattern}|{any_of(PAST_WORDS_Q)}")
        self.thesaurus = thesaurus
        self.plan_text = plan_text  # squashed: where a word cut short by segmentation is made whole again
        self.plan_lower = plan_text.lower()
        self._ask_cached = lru_cache(maxsize=1024)(self._analyse)

    def ask_of(self, question: str) -> Ask:
        """What the question asks (cached: the chain analyses the same text more than once)."""
        return self._ask_cached(question)

    def _analyse(self, question: str) -> Ask:
        text = squash(question)
        q = standard_ask(text)  # how it asks, read from the standard question words
        unit = None
        m = ASKED_UNIT.search(q)
        if m:
            unit = "元" if m.group(1) == "钱" else m.group(1)
        quantity = bool(QUANTITY.search(q)) or unit is not None
        if quantity and unit is None and RATE.search(q):
            unit = "%"
        period = period_of(q, self.future_date, self.past_date) or period_of(q, self.future, self.past)
        matches = self.thesaurus.matches(question) if self.thesaurus else []
        subject: list[str] = []
        names: list[str] = []
        at = 0
        tagged = self._rejoined(self._tagged_by_year(question))
        for w, flag in tagged:
            start, at = at, at + len(w)
            if any(m.start < at and start < m.end for m in matches):
                continue  # part of an everyday phrase: the phrase stands for it below
            if (len(w) >= 2 and self._names_thing(w, flag) and w not in self.own_names
                    and not w.isdigit() and not YEAR.fullmatch(w) and w not in subject):
                subject.append(w)
                if flag in NAME_TAGS and len(set(w)) >= 2:  # (not '啊啊啊': no name repeats one character)
                    names.append(w)
        subject += [m.word for m in matches if m.word not in subject]
        aliases = {m.word: m.terms for m in matches}
        head = LIST_HEAD.search(q)
        detail = next((kind for kind, pattern in DETAIL_ASK.items() if pattern.search(q)), None)
        return Ask(text=text, query=text, subject=tuple(subject), quantity=quantity, unit=unit, detail=detail,
                   per=quantity and bool(PER_ASK.search(q)),
                   time=bool(TIME_ASK.search(q)), who=bool(WHO_ASK.search(q)), ordinal=bool(ORDINAL_ASK.search(q)),
                   listing=bool(LIST_ASK.search(q)), define=bool(DEFINE_ASK.search(q)), years=tuple(YEAR.findall(q)),
                   numbers=tuple(n for n in numbers_in(q) if not YEAR.fullmatch(n)),
                   quoted=tuple(s for s in _QUOTED.findall(question) if s.strip()), period=period,
                   aliases=aliases, head=head.group(1) if head else "", names=tuple(names))

    def _names_thing(self, word: str, flag: str) -> bool:
        """Does the word name what is asked about? Content words do; so does a word jieba tags as a place
        ('s') or a Latin word ('eng', which is no interjection 'e') when the plan itself uses it ('高中', '5G'):
        not the tagger's '区里', '楼下', '家门口', nor an English word the plan never writes."""
        return (_is_content(word, flag) if flag not in ("s", "eng")
                else word.lower() in self.plan_lower and word not in GENERIC)

    def _tagged_by_year(self, question: str) -> list[tuple[str, str]]:
        """The question's words, a year with its 年 one word: segmented whole, 「到Y年定的目标」 gives
        「年定」, a word of the question's own that names nothing."""
        # (split with its capturing group: the odd pieces are the years)
        return [pair for i, piece in enumerate(YEAR_WORD.split(question)) if piece
                for pair in ([(piece, "t")] if i % 2 else self.tagged(piece))]

    def _rejoined(self, tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """'气代' + '煤' → '气代煤': a word and a following single character that the plan writes as one
        term. The question's segmentation may cut a rare term where the plan's does not, and the cut
        piece ('气代') is then found in no sentence's words."""
        if not self.plan_text:
            return tagged
        out: list[tuple[str, str]] = []
        for w, flag in tagged:
            if out and flag == "eng" and out[-1][0].isdigit():
                out[-1] = (out[-1][0] + w, flag)  # '5' + 'g': a name written with a number ('5G'), no amount
            elif (out and len(w) == 1 and len(out[-1][0]) >= 2 and _is_content(w, flag) and _is_content(*out[-1])
                    and out[-1][0] + w in self.plan_text):
                out[-1] = (out[-1][0] + w, out[-1][1])
            else:
                out.append((w, flag))
        return out

    def each_of(self, sentence: str) -> list[str]:
        """「A和B的X分别是多少？」 → one question per thing it asks of (「A的X是多少？」, 「B的X是多少？」);
        [sentence] when it asks nothing of several things. The things are read from the words' parts of
        speech: a thing runs back from 和/与/及/、 to a time, a locality word, 的, a preposition, a pronoun or
        punctuation, and forward to 的 or to 分别/各."""
        each = EACH.search(sentence)
        if not each:
            return [sentence]
        head, tail = sentence[:each.start()], sentence[each.end():]
        words, at, low = [], 0, head.lower()  # (start, end, tag, word) in order, punctuation included
        for w, flag in self.tagged(head):
            start = low.find(w.lower(), at)
            if start < 0 or not w.strip():
                continue
            if start > at and head[at:start].strip():
                words.append((at, start, "x", head[at:start]))  # punctuation the tagger left out
            words.append((start, start + len(w), flag, w))
            at = start + len(w)
        coords = [i for i, word in enumerate(words) if word[3] in COORDINATORS]
        if not coords:
            return [sentence]
        last = coords[-1]
        end = next((i for i in range(last + 1, len(words)) if words[i][3] == "的"), len(words))
        if end == last + 1:
            return [sentence]
        things = [(last + 1, end)]  # each thing as a range of word indices, the last one first
        i = last
        while i >= 0 and words[i][3] in COORDINATORS:
            j = i - 1
            while j >= 0 and not _ends_thing(*words[j][2:]) and words[j][3] not in COORDINATORS:
                j -= 1
            if j == i - 1:
                return [sentence]  # nothing before the coordinator to join
            things.insert(0, (j + 1, i))
            i = j
        sizes = [b - a for a, b in things[:-1]]
        if len(sizes) > 1 and sizes[0] > max(sizes[1:]):
            # in a list of three or more the first thing is as long as the others: what comes before it is
            # the question's, not the thing's
            things[0] = (things[0][1] - max(sizes[1:]), things[0][1])
            sizes[0] = max(sizes[1:])

        def text(a: int, b: int) -> str:
            return head[words[a][0]:words[b - 1][1]]

        named = [text(a, b) for a, b in things]
        # 「甲级、乙级、丙级X」: one-word things before a longer last one share its head (X)
        shared = text(last + 2, end) if end - last > 2 else ""
        if shared and all(n == 1 for n in sizes) and not any(t.endswith(shared) for t in named[:-1]):
            named = [t + shared for t in named[:-1]] + named[-1:]
        prefix, rest = head[:words[things[0][0]][0]], head[words[end - 1][1]:] + tail
        return [prefix + t + rest for t in named]

    @staticmethod
    def _asking_sentences(question: str) -> tuple[list[str], str]:
        """The question's sentences that ask, and the asides (joined) that ask nothing. Residents tell why
        they ask (「…？俺家就在那边住」, 「俺是开小店的。…多少？」): an aside is no question of its own to
        be answered with whatever plan text is near its words, and its words are not what the ask is about.
        A sentence asks when it holds a question word, ends in a question mark or is elliptical (「…呢」)."""
        asking: list[str] = []
        asides = ""
        for sentence in (s for s in _PART_SPLIT.split(question.strip()) if squash(s)):
            if ASKING.search(sentence) or _ELLIPTICAL.search(sentence) or ENDS_ASKING.search(sentence):
                asking.append(sentence)
            else:
                asides += sentence
        return (asking, asides) if asking else ([asides], "")

    def split_parts(self, question: str) -> list[Ask]:
        """One Ask per sub-question ('…多少？…什么？'); a part without a subject borrows the previous one's."""
        pieces: list[str] = []
        sentences, asides = self._asking_sentences(question)
        for sentence in (p for s in sentences for p in self.each_of(s)):
            asking: list[str] = []
            for half in (h for h in PART_SPLIT.split(sentence) if squash(h)):
                if ASKING.search(half) or _ELLIPTICAL.search(half) or not asking:
                    asking.append(half)
                else:  # a piece that asks nothing belongs to the ask before it
                    asking[-1] += half
            if len(asking) > 1 and not ASKING.search(asking[0]):
                lead = asking.pop(0)  # '金融机构数量，' leads into the first ask
                asking[0] = lead + asking[0]
            if len(asking) > 1:
                pieces += asking  # '…是多少，…又是多少？' asks two things
            elif squash(sentence):
                pieces.append(sentence)
        asks: list[Ask] = []
        for piece in pieces:
            ask = self.ask_of(piece)
            if asks and _ELLIPTICAL.search(piece) and not ASKING.search(piece):
                prev = asks[-1]
                ask = replace(ask, quantity=prev.quantity, unit=prev.unit, per=prev.per, time=prev.time, who=prev.who,
                              detail=prev.detail,
                              ordinal=prev.ordinal, listing=prev.listing, define=prev.define,
                              years=ask.years or prev.years, period=ask.period or prev.period)
            if not ask.subject and (asks or asides):  # searched with what it is about
                prev = asks[-1] if asks else self.ask_of(asides)
                ask = replace(ask, subject=prev.subject, aliases=prev.aliases, query="".join(prev.subject) + ask.text)
            asks.append(ask)
        return asks or [self.ask_of(question)]


# Where a thing joined by 和/与/及/、 starts, reading back (jieba tags): a time, a locality word (中, 里), a particle
# (的), a preposition, a pronoun, a conjunction, punctuation; numbers are judged by _ends_thing.
_THING_BOUNDARY_TAGS = ("t", "f", "u", "p", "r", "c", "x", "w")


def _ends_thing(flag: str, word: str) -> bool:
    """Does this word, reading back from 和/与/及/、, lie before the thing? A year or a count word does; an
    amount (「超百万元的项目」: 百万元) is part of the thing."""
    if flag.startswith("m"):
        return YEAR.fullmatch(word) is not None or word in ("年", "月") or not re.search(r"[\d亿万千百]", word)
    return flag.startswith(_THING_BOUNDARY_TAGS)


def _is_content(word: str, flag: str) -> bool:
    return not flag.startswith(FUNCTION_TAGS) and word not in GENERIC and not ASK_FORM.search(word)


def period_of(question: str, future: re.Pattern, past: re.Pattern) -> str | None:
    is_future, is_past = bool(future.search(question)), bool(past.search(question))
    return "future" if is_future and not is_past else "past" if is_past and not is_future else None
