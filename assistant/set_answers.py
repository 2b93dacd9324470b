"""Questions about a set the plan names (「九大商圈都有哪些？」, 「那几条产业带分别是什么？」): its members.

Retrieval finds the sentence that *names* a set (「建设九大商圈」) at least as readily as the ones that
list it, and an extractive answer then quotes the name instead of the members. The named sets
(``index.named_sets``) hold each set's members as the plan words them and where it defines them, so a
list question that names a set is answered with the members, each line citing the clause that states it:
the defining clause for a set listed inline or in the glossary, each member's own section for a set whose
members are the headings below it. A member that names a set of its own (「两区」 inside 「一横、两区、三带…」)
is followed by that set's members.

Sets the glossary defines are left to the answerer's glossary path, which quotes the whole entry
verbatim: an entry's definition often nests lists (「深化“双创双服”活动、提升…;深化…」) that a member
list would cut short.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from assistant.text import named_share, squash
from assistant.types import Answer, Citation
from index.clauses import Clause, ClauseTree
from index.lexicon import (ASKED_SET_COUNT, COUNT_CHARS, COUNTED_THINGS, DEFINE_ASK, LIST_ASK, NAME_ASK, QUANTITY,
                           SET_ITEM_SEP, TIME_ASK, standard_ask)
from index.named_sets import NamedSet
from index.parser import cn_to_int

T = TypeVar("T")  # a candidate set (tests pass plain names)
MIN_NAME = 2  # a shorter set name (「两」) would be found in too many questions
MIN_MEMBERS = 2  # fewer members make no list
GLOSSARY = "glossary"  # NamedSet.source of a set the glossary defines


def set_answer(question: str, sets: list[NamedSet], tree: ClauseTree) -> Answer | None:
    """The members of the set the question names, cited; None when it asks no list or names no set."""
    q = squash(question)
    if not (LIST_ASK.search(q) or DEFINE_ASK.search(q)):
        return None
    named = _set_named(q, [s for s in sets if s.source != GLOSSARY])
    return members_answer(question, named, sets, tree) if named is not None else None


def counted_candidates(question: str, sets: list[NamedSet]) -> list[NamedSet]:
    """The sets a list question may mean by the count it states in its own words (「那三条带子是哪三条」):
    those of that count, none of whose members the question names (「金融商务核心区里头要建哪两条街」 asks
    about one member of 「两区」, not for them) and whose name's kind it names at least by a character.
    Empty when it asks no list, asks a figure or states no count."""
    q = squash(question)
    if _set_named(q, sets, min_members=0) is not None:
        return []  # it names its set (with members or, like 「三大攻坚战」, without): that set or none is meant
    # (「那两大产业各要干到多少亿」 asks figures of two things, not what they are)
    m = ASKED_SET_COUNT.search(q) if LIST_ASK.search(q) and not QUANTITY.search(q) else None
    if m is None:
        return []
    count = _count(m.group(1))
    if count is None:
        return []
    return [s for s in sets if s.source != GLOSSARY and s.count == count and len(s.members) >= MIN_MEMBERS
            and _kind_chars(s) & set(q) and not any(squash(member) in q for member in s.members)]


@dataclass(frozen=True)
class PartlyListed:
    """A set the plan counts but names only in part (「A、B等5个X」) or not at all (「组建9个X」)."""

    count: int
    listed: int  # how many names the plan gives before the count
    sentence: str
    clause_id: str

    @property
    def reason(self) -> str:
        """What the abstention says (no figure: the clause, shown as related, says how many)."""
        return "规划只列举了其中一部分，没有逐一列出全部名称" if self.listed else "规划只给出了数量，没有列出名称"


@dataclass(frozen=True)
class CountedMention:
    """A count of things in a plan's sentence (「组建9个教育集团」「A、B等5处星级游园」), read once per plan: what
    a question for the things' names by that count is checked against (partly_listed)."""

    count: int
    noun: str  # what is counted, as the plan words it (up to the next punctuation)
    listed: int  # how many names the plan gives right before the count (0: none)
    defined: bool  # the name a glossary entry defines (「四种类型经济:即…」): the entry lists it
    repeats: int  # how often the plan writes the noun: more than the count, each member is named by it (「四个面向」)
    sentence: str
    clause_id: str


def counted_mentions(tree: ClauseTree) -> tuple[CountedMention, ...]:
    """Every count of things the plan states, in source order (question-independent: computed once per plan)."""
    plan = "".join(squash(c.text) for c in tree.clauses)
    out: list[CountedMention] = []
    for clause in tree.clauses:
        text = squash(clause.text)
        # (a glossary entry defines the set it is named by: 「四种类型经济:即A、B、C和D」)
        defined = re.split(r"[:：]", text, maxsplit=1)[0] if clause.kind == GLOSSARY else ""
        for sentence in re.split(r"(?<=[。；;])", text):
            for c in COUNTED_THINGS.finditer(sentence):
                count = _count(c.group("num"))
                if count is None:
                    continue
                before = re.split(r"[,，:：;；。]", sentence[:c.start()])[-1]
                items = [i for i in SET_ITEM_SEP.split(before) if i.strip()]
                out.append(CountedMention(
                    count=count, noun=c.group("noun"),
                    listed=len(items) if c.group("etc") or len(items) > 1 else 0,
                    defined=bool(defined) and c.group(0).lstrip("等") in defined,
                    repeats=plan.count(c.group("noun")), sentence=sentence, clause_id=clause.clause_id))
    return tuple(out)


def partly_listed(question: str, tree: ClauseTree, sets: list[NamedSet],
                  mentions: Callable[[], Sequence[CountedMention]] | None = None) -> PartlyListed | None:
    """The set a question asks the names of by its count (「那九个教育集团都叫啥？」) when the plan counts
    it without listing it in full; None when the question asks no names by a count, when the plan lists
    a set of that count and kind in full anywhere (then the set answers it) or counts no such set.
    ``mentions`` gives the plan's counted_mentions (the Assistant keeps them); it is called only for a
    question that asks names by a count, and without it they are read from ``tree``."""
    q = standard_ask(squash(question))
    m = ASKED_SET_COUNT.search(q)
    if m is None or QUANTITY.search(q) or TIME_ASK.search(q):
        return None  # (「那24个项目什么时候完成？」 asks when, not what they are)
    if not (LIST_ASK.search(q) or DEFINE_ASK.search(q) or NAME_ASK.search(q)):
        return None
    if _set_named(q, sets) is not None:
        return None  # it names a set the plan lists (「六个百分百」 in the glossary): that set answers it
    count = _count(m.group(1))
    if count is None:
        return None
    # the counts of things of the asked number and of a kind the question names
    asked = [c for c in (counted_mentions(tree) if mentions is None else mentions())
             if c.count == count and c.noun[:2] in q]
    if any(c.defined or c.repeats > count or c.listed >= count for c in asked):
        return None  # listed in full: by a glossary entry, by the set's word for each member, or right there
    if any(s.count == count and len(s.members) >= count and _names_kind(s, q) for s in sets):
        return None  # a set of that count and kind the plan lists (under its headings, in its glossary…)
    return PartlyListed(count, asked[0].listed, asked[0].sentence, asked[0].clause_id) if asked else None


def _names_kind(named: NamedSet, question: str) -> bool:
    """Does the question name the set's kind by two characters in a row of its name (「商圈」 of 「九大商圈」)?"""
    kind = "".join(c if c in _kind_chars(named) else " " for c in _bare(named.name))
    return any(kind[i:i + 2] in question for i in range(len(kind) - 1) if " " not in kind[i:i + 2])


def _count(num: str) -> int | None:
    try:
        return int(num) if num.isdigit() else cn_to_int(num)
    except ValueError:
        return None


def _kind_chars(named: NamedSet) -> set[str]:
    """The characters of a set's name that say what kind of set it is (「九大商圈」→ 商, 圈), not how many nor
    which (a name that lists its members, 「“A、B、C”战略」, is of the kind 战略): a question means a set only
    when it names its kind at least this far (「圈子」 for 「九大商圈」, 「带子」 for 「三带」)."""
    name = _bare(named.name)
    for member in named.members:
        name = name.replace(squash(member), "")
    return {c for c in name if "\u4e00" <= c <= "\u9fff" and c not in COUNT_CHARS}


def counted_set(candidates: list[T], cosines: list[float], min_cosine: float, min_lead: float) -> T | None:
    """The candidate closest in meaning to the question (``cosines``, one per candidate), when it is close
    enough and clearly closer than the next; sets of one count differ only in what they are about."""
    if not candidates:
        return None
    ranked = sorted(zip(cosines, range(len(candidates))), reverse=True)
    best, at = ranked[0]
    lead = best - ranked[1][0] if len(ranked) > 1 else min_lead  # a lone candidate has no rival to lead
    return candidates[at] if best >= min_cosine and lead >= min_lead else None


def members_answer(question: str, named: NamedSet, sets: list[NamedSet], tree: ClauseTree) -> Answer:
    """The members of ``named``, each line citing the clause that states it."""
    by_name = {_bare(s.name): s for s in sets if len(s.members) >= MIN_MEMBERS}
    clauses: list[Clause] = []
    lines = [f"规划中的「{_bare(named.name)}」包括："]
    for member, clause in _members_with_clauses(named, tree):
        inner = by_name.get(_bare(member))
        detail = ""
        if inner is not None and inner is not named:
            cited = [c for _, c in _members_with_clauses(inner, tree)]
            detail = f"：{'、'.join(inner.members)}" + "".join(_mark(c, clauses) for c in dict.fromkeys(cited))
        lines.append(f"- {member}{_mark(clause, clauses)}{detail}")
    citations = [Citation(c.clause_id, c.label, c.text) for c in clauses]
    return Answer(answer="\n".join(lines), citations=citations, query=question, mode="extractive")


def _set_named(question: str, sets: list[NamedSet], min_members: int = MIN_MEMBERS) -> NamedSet | None:
    """The set whose name the question holds (word for word, or nearly all its character pairs); the
    longest name wins, so 「九大商圈」 beats 「商圈」. Only sets listing at least ``min_members`` count."""
    best, best_score = None, 0.0
    for s in sets:
        name = _bare(s.name)
        if len(name) < MIN_NAME or len(s.members) < min_members:
            continue
        score = named_share(name, question)
        if score > best_score:
            best, best_score = s, score
    return best


def _members_with_clauses(named: NamedSet, tree: ClauseTree) -> list[tuple[str, Clause]]:
    """Each member with the clause that states it: for a set of headings, the member's own heading below
    the defining one; otherwise the defining clause."""
    home = tree.by_id[named.clause_id]
    below = [c for c in tree.clauses if c.clause_id.startswith(named.clause_id + ".")] if home.kind == "heading" else []
    out = []
    for member in named.members:
        own = next((c for c in below if squash(member) in squash(c.title or c.text)), None)
        out.append((member, own or home))
    return out


def _mark(clause: Clause, clauses: list[Clause]) -> str:
    if clause not in clauses:
        clauses.append(clause)
    return f"[{clauses.index(clause) + 1}]"


def _bare(name: str) -> str:
    """A set's name without quotation marks: 「“三带”」 → 「三带」."""
    return squash(name).strip().replace("“", "").replace("”", "").replace('"', "")


__all__ = ["CountedMention", "PartlyListed", "counted_candidates", "counted_mentions", "counted_set", "members_answer",
           "partly_listed", "set_answer"]
