"""Named sets: what the plan groups under a count or a name, with the members as it words them.

Plans speak in sets: 「打造北国、新百华润、万象海悦、益友四个核心商圈」, 「“六个百分百”：即…」, 「二、发展战略」
with ten titled paragraphs below. A civil servant asked "what are the 九大商圈?" needs the members in
the plan's words and the clause they come from. Four general shapes are read, never one plan's phrases:

- inline: a list right before a count and a noun (「A、B和C三大X」, 「A、B等5种X」);
- glossary: 「“名称”：即A、B、C」 (and several names defined in one entry);
- headings: a section whose name is quoted or counted (「三、突出“两区”引领」), or a noun-named section
  (「二、发展战略」) or an opening that ends in a colon, whose members are the titled paragraphs below;
- counted, members later: 「建设九大商圈。…打造北国商圈；…打造西王商圈」: the count's noun names each member.

Usage::

    from index.named_sets import extract_named_sets
    sets = extract_named_sets(tree)
    next(s for s in sets if s.name == "六个百分百").members[:2]   # ('施工工地周边100%围挡', …)
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.clauses import Clause, ClauseTree
from index.parser import cn_to_int
from index.lexicon import (SET_ACTION_TITLE, SET_COUNT, SET_COUNT_IN_NAME, SET_DEFINE, SET_ITEM_SEP, SET_LATER_START,
                           SET_LIST_INTRO, SET_NOUN_STOP, SET_SET_NOUN, SET_VERB_LEAD)

_CN = "两二三四五六七八九十"
_CLAUSE_BOUND = re.compile(r"[,，;；:：。“”()（）]")
_LATER_WINDOW = 24  # characters before the noun searched for the member's start
_QUOTED = re.compile(r"“([^”]{1,20})”")
_NOT_A_SET = ("年", "批", "次")  # 「十四个五年」「一批」 count time or are articles
_MIN_MEMBERS = 2
_MAX_UNLISTED = 10  # 「三大攻坚战」 names a set even unlisted; 「23项改革工作」 is a figure, not a set
_MAX_MEMBER = 30  # a member longer than this is a sentence, not a name


_QUOTES = re.compile(r'[“”"]')  # around a name 「“三带”」: not part of what it says


@dataclass(frozen=True)
class NamedSet:
    """A set the plan names: ``count`` as the plan states it (None when it gives none), ``members`` in
    the plan's words (empty when the plan names the set but does not list it), where it is defined."""

    name: str
    count: int | None
    members: tuple[str, ...]
    clause_id: str
    source: str  # inline | glossary | headings | later

    def to_dict(self) -> dict:
        return {**asdict(self), "members": list(self.members)}

    @property
    def description(self) -> str:
        """What the set is embedded as (the store does it at build time): its name and its members in the
        plan's words, so that 「三条带子」 finds 「三带：商贸商务产业集聚带、…」 by meaning."""
        return _QUOTES.sub("", self.name) + "：" + "、".join(self.members)


def extract_named_sets(tree: ClauseTree) -> list[NamedSet]:
    """Every named set of the plan, in source order, each (name, members) once."""
    found: list[NamedSet] = []
    for clause in tree.clauses:
        if clause.kind == "glossary":
            found += _glossary_sets(clause)
        if clause.kind in ("paragraph", "glossary"):
            found += _inline_sets(clause) + _quoted_lists(clause)
        elif clause.kind == "heading":
            found += _heading_sets(clause, tree)
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out = []
    for s in found:
        if (s.name, s.members) not in seen:
            seen.add((s.name, s.members))
            out.append(s)
    return out


def _number(num: str) -> int | None:
    try:
        return int(num) if num.isdigit() else cn_to_int(num)
    except ValueError:
        return None


def _count_in(name: str) -> int | None:
    """「六个百分百」→6, 「四个意识」→4, 「三六八九」→None (not a count)."""
    m = SET_COUNT_IN_NAME.match(name)
    return _number(m.group(1)) if m else None


def _split(items: str) -> list[str]:
    return [s.strip() for s in SET_ITEM_SEP.split(items) if s.strip()]


# -- inline: 「A、B、C三大X」 --------------------------------------------------------------------------
def _inline_sets(clause: Clause) -> list[NamedSet]:
    text = clause.text
    out = []
    for m in SET_COUNT.finditer(text):
        n = _number(m.group("num"))
        noun = _noun_of(m.group("noun"))
        if n is None or n < _MIN_MEMBERS or m.group("noun")[:1] in _NOT_A_SET or not noun or _quoted_at(text, m.start()):
            continue
        if text[max(0, m.start() - 1):m.start()] in ("第", "十") or (m.group("measure") == "大" and n >= 10):
            continue  # ordinals and 「十九大」
        name = f"{m.group('num')}{m.group('measure')}{noun}"
        members = _members_before(text, m.start(), n)
        if members is None and m.group("measure") in ("大", "项") and n <= _MAX_UNLISTED:
            later = _members_later(text, m.end(), noun)
            if later:
                out.append(NamedSet(name, n, later, clause.clause_id, "later"))
            else:
                out.append(NamedSet(name, n, (), clause.clause_id, "inline"))
        elif members is not None:
            out.append(NamedSet(name, n, members, clause.clause_id, "inline"))
    return out


def _noun_of(rest: str) -> str:
    """The set's noun after the count, up to a verb or a particle: 「四个核心商圈,培育…」→「核心商圈」."""
    m = SET_NOUN_STOP.search(rest[1:])
    return rest[:m.start() + 1] if m else rest


def _quoted_at(text: str, pos: int) -> bool:
    """Inside “…”: a slogan's name such as “六个百分百” (the glossary defines those)."""
    return text.count("“", 0, pos) > text.count("”", 0, pos)


def _members_before(text: str, end: int, n: int) -> tuple[str, ...] | None:
    """The list right before a count, when it has exactly as many items as the count says (a list closed by
    等 and a larger count gives examples, not the set)."""
    start = max((m.end() for m in _CLAUSE_BOUND.finditer(text, 0, end)), default=0)
    phrase = text[start:end]
    phrase = phrase.rstrip("等")
    # 「科技服务与文化创意」 is one member: 、 separates first, 和/与 only when the count asks for it.
    for items in ([s.strip() for s in phrase.split("、") if s.strip()], _split(phrase)):
        if len(items) < _MIN_MEMBERS:
            continue
        while (stripped := SET_VERB_LEAD.sub("", items[0])) not in ("", items[0]):
            items[0] = stripped
        # Exactly as many as the count: 「A、B等21家企业」 gives examples of a count, not a set.
        if len(items) == n and all(0 < len(i) <= _MAX_MEMBER for i in items):
            return tuple(items)
    return None


def _members_later(text: str, start: int, noun: str) -> tuple[str, ...]:
    """Members named later by the set's noun: 「打造北国商圈；…打造西王商圈」 for 「九大商圈」."""
    head = noun[-2:]  # the noun's head (商圈, 工程): what every member is
    members = []
    for m in re.finditer(re.escape(head), text[start:]):
        at = start + m.start()
        before = text[max(0, at - _LATER_WINDOW):at]
        cut = max((b.end() for b in SET_LATER_START.finditer(before)), default=0)
        name = before[cut:] + head
        if "等" in name:  # 「振三街、红旗大街和祥云国际等新兴商圈」: the listed ones are the members
            members += _split(name[:name.index("等")])
        elif len(name) > len(head) and name != noun:
            members.append(name)
    return tuple(dict.fromkeys(members)) if len(members) >= _MIN_MEMBERS else ()


_QUOTED_LIST = re.compile(r"“([^”]{1,30}、[^”]{1,30})”([\u4e00-\u9fff]{2,12}?)(?=[,，。;；]|$|，)")


def _quoted_lists(clause: Clause) -> list[NamedSet]:
    out = []
    for m in _QUOTED_LIST.finditer(clause.text):
        members = tuple(s for s in m.group(1).split("、") if s)
        # A slogan of manners (“高站位、补短板”的思路) is no set; a named layout, strategy or count is.
        named = re.search(rf"[{_CN}]", m.group(2)) or (len(members) >= 3 and SET_SET_NOUN.search(m.group(2)))
        if named and len(members) >= _MIN_MEMBERS and all(len(x) <= _MAX_MEMBER for x in members):
            out.append(NamedSet(f"“{m.group(1)}”{m.group(2)}", len(members), members, clause.clause_id, "inline"))
    return out


# -- glossary: 「“名称”：即A、B、C」 ----------------------------------------------------------------------
def _glossary_sets(clause: Clause) -> list[NamedSet]:
    body = re.sub(r"^\d+\s*[.．、]\s*", "", clause.text.replace("\n", ""))
    out = []
    for m in SET_DEFINE.finditer(body):
        names = _QUOTED.findall(m.group(1))
        definition = m.group(2).strip().strip("“”")
        parts = re.split(r"[,，]\s*以及", definition) if len(names) > 1 else [definition]
        if len(parts) != len(names):
            parts = [definition] * len(names) if len(names) == 1 else parts[:1] * 0
        for name, part in zip(names, parts):
            members = tuple(_tidy(i, name) for i in _split_definition(part, name))
            if len(members) >= _MIN_MEMBERS:
                out.append(NamedSet(name, _count_in(name), members, clause.clause_id, "glossary"))
    return out


def _split_definition(part: str, name: str) -> list[str]:
    """Members of a definition: the split whose size is the count the name states (「两个维护」 at its
    comma, 「四个意识」 at 、), else at every 、 and comma."""
    n = _count_in(name)
    candidates = [re.split(r"[,，]", part), re.split(r"、", part), re.split(r"[、,，]", part),
                  SET_ITEM_SEP.split(part)]
    candidates = [[s.strip() for s in c if s.strip()] for c in candidates]
    items = next((c for c in candidates if n and len(c) == n), candidates[2])
    return items if all(len(i) <= _MAX_MEMBER for i in items) else []


def _tidy(member: str, name: str) -> str:
    """Without quote marks, and without the set's own name repeated at its end (「医价“四医联动”」)."""
    member = member.replace(f"“{name}”", "").replace(f"“{name}", "")
    return member.replace("“", "").replace("”", "").strip()


# -- headings: titled paragraphs below a named section ------------------------------------------------
def _heading_sets(heading: Clause, tree: ClauseTree) -> list[NamedSet]:
    below = [c for c in tree.children(heading.clause_id) if c.kind == "paragraph"]
    subs = [c for c in tree.children(heading.clause_id) if c.kind == "heading"]
    titled = [c.title for c in below if c.title]
    quoted = _QUOTED.findall(heading.title)
    opening_colon = bool(below) and below[0].text.rstrip().endswith((":", "："))
    nouns_only = heading.level == 2 and not SET_ACTION_TITLE.match(heading.title)
    if heading.level >= 2 and len(titled) >= _MIN_MEMBERS and (quoted or opening_colon or nouns_only):
        name = quoted[0] if quoted else _bare_title(heading.title)
        if opening_colon:
            name = _colon_name(below[0].text) or name
        return [NamedSet(name, _count_in(name) or len(titled), tuple(titled), heading.clause_id, "headings")]
    if quoted and len(subs) >= _MIN_MEMBERS and _count_in(quoted[0]) == len(subs):
        return [NamedSet(quoted[0], len(subs),
                         tuple(_bare_title(s.title) for s in subs), heading.clause_id, "headings")]
    return []


def _bare_title(title: str) -> str:
    return re.sub(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])", "", title).strip()


def _colon_name(opening: str) -> str:
    """「今后五年经济社会发展主要目标是：」→「今后五年经济社会发展主要目标」."""
    last = re.split(r"[。;；]", opening.rstrip(":："))[-1]
    return SET_LIST_INTRO.sub("", last).strip()


__all__ = ["NamedSet", "extract_named_sets"]
