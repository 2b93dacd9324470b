"""The figures table (数据与指标): every quantified statement of a plan, one row per figure.

A civil servant drafting a briefing wants the plan's numbers side by side — what was reached by
the end of the previous period, what the plan aims at, what it envisions for the long-range year —
each with the sentence and clause it comes from. This module reads them off the clause tree with
general patterns of how plans state figures (「指标达到X单位」, 「新建X个名词」, 「由Y1年的A增加到Y2年的B」),
never with rules about one plan's sentences.

Usage::

    from index.figures import Horizon, extract_figures
    rows = extract_figures(tree, Horizon.of(profile))        # profile: index.profile.PlanProfile
    [r for r in rows if r.indicator == "普惠性幼儿园覆盖率"][0]
    # Figure(indicator='普惠性幼儿园覆盖率', value='85', unit='%', comparator='达到', year='2025', kind='target', …)

Pure and fast (regular expressions over ~300 clauses, a few milliseconds): it is recomputed on
load rather than stored, so the store's format does not change.

What is not a figure: years and periods (2025年, 十四五), chapter and list numbering (第十章, 1.),
ordinals and ranks (第一, 第22位), numbers inside names and slogans (5G, PM2.5, “4+4”, “六个百分百”,
54所 as an institute's name), durations (连续三年, 15分钟) and the glossary, whose numbers define terms
rather than state the plan's results or goals.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from index.clauses import Clause, ClauseTree
from index.named_sets import NamedSet, extract_named_sets
from index.parser import cn_to_int
from index.lexicon import (FIGURE_APPROX_HEAD, FIGURE_APPROX_TAIL, FIGURE_CHANGE_AT_END, FIGURE_CHANGE_AT_START,
                           FIGURE_KEY_NOISE, FIGURE_LEAD_NOISE, FIGURE_LEVEL_VERB, FIGURE_POST_STOP,
                           FIGURE_RESPECTIVE, FIGURE_REVIEW_WORDS, FIGURE_SUO_COUNT, FIGURE_TAIL_NOISE,
                           FIGURE_WHEN_WHERE)

ACTUAL, TARGET, VISION, CHANGE = "actual", "target", "vision", "change"
KINDS = (ACTUAL, TARGET, VISION, CHANGE)

# Units as plans write them, longest first within each family so 万平方米 wins over 平方米 and 米.
# Magnitude prefixes (万, 亿) combine with the measure units; counts take a measure word.
_MEASURES = ("平方米", "平米", "公里", "千米", "公顷", "人次", "户次", "周岁", "元", "米", "亩", "吨",
             "户", "人", "株", "岁", "天", "斤")
_COUNTS = ("个", "家", "所", "座", "条", "处", "项", "支", "辆", "台", "眼", "张", "床", "名", "种",
           "类", "场", "件", "批", "大", "倍", "套")
_MAGNITUDES = ("万亿", "万", "亿")  # before a measure unit (万亿元, 万平方米); alone, only 万亿 and 亿 (「100万亿」)
_UNIT = (r"%|个百分点|(?:" + "|".join(_MAGNITUDES) + ")(?:" + "|".join(_MEASURES) + ")|"
         + "|".join(m for m in _MAGNITUDES if m != "万") + "|"
         + "|".join(_MEASURES) + "|" + "|".join(_COUNTS))
# Measure words that count the kinds of something (「5种业态」, 「3项制度」), not how many of it there are:
# with a set of that size named in the same clause, the number is the set's size.
_SET_MEASURES = ("种", "类", "项")

_CN = "两二三四五六七八九十百"  # 一 is left out: 「一批」「一个」 are articles, not counts
_NUMBER = re.compile(
    rf"(?P<pre>[近约超逾]?)(?P<num>\d+(?:\.\d+)?|[{_CN}]+)(?P<more>多|余)?(?P<unit>{_UNIT})")
# Chinese numerals count only with a measure word (「三大」「五个」), never as 「十四五」 or 「二〇三五年」.
_CN_UNITS = set(_COUNTS) - {"倍"}

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|—|-|～|~)")
# 「2016、2017连续两年」: two years named together, the figures after them belong to both.
_YEAR_PAIR = re.compile(r"(?<!\d)((?:19|20)\d{2})、((?:19|20)\d{2})(?!\d)")
_QUOTE_SPANS = re.compile(r"“[^”]{0,30}”|\"[^\"]{0,30}\"|「[^」]{0,30}」")
_SENTENCE_END = re.compile(r"(?<=[。;；!?！？])")
_PART_SEP = re.compile(r"[,，:：;；]")

# Comparators as the table names them; the plan's own words map onto them. A bound after
# the number (以上, 以内) is more informative than the verb before it, so it wins.
_AFTER_BOUND = {"以上": "以上", "以内": "以内", "以下": "以内", "左右": "约"}
_BEFORE_WORDS = (("控制在", "控制在"), ("突破", "突破"), ("超过", "以上"), ("不低于", "以上"),
                 ("累计", "累计"), ("达到", "达到"), ("达", "达到"), ("约", "约"), ("近", "约"),
                 ("超", "以上"), ("逾", "以上"))

_FROM_TO = re.compile(r"[由从]")

# 「改扩建项目和中山路小学重建项目」 ends at 和 once a whole noun stands before it; 「全国和省级总部型企业」 does not.
_POST_AND = re.compile(r"(?<=[\u4e00-\u9fff)）]{3})[和与及]")
_BARE_TOTALS = ("总数", "总量", "总额")  # too bare to name an indicator without the one before
_MIN_NAME = 2  # an indicator needs at least two characters to name anything


class _HasPeriods(Protocol):  # what Horizon.of reads from index.profile.PlanProfile
    period: object
    previous_period: object
    long_range_year: int


@dataclass(frozen=True)
class Horizon:
    """The plan's years, from its profile: which years are results, targets and the long-range vision.

    Passed in rather than read here, so ``index`` does not depend on ``assistant`` and no year is
    written in code.
    """

    start: int
    end: int
    previous_start: int
    previous_end: int
    long_range: int
    name: str = ""  # the plan's own period as people name it (the profile's), '' when not given

    @classmethod
    def of(cls, profile: _HasPeriods) -> "Horizon":
        return cls(profile.period.start, profile.period.end, profile.previous_period.start,
                   profile.previous_period.end, profile.long_range_year, getattr(profile.period, "name", ""))

    @property
    def period(self) -> str:
        return f"{self.start}-{self.end}"

    @property
    def previous(self) -> str:
        return f"{self.previous_start}-{self.previous_end}"

    def kind_of(self, year: int) -> str:
        if year < self.start:
            return ACTUAL
        return VISION if year > self.end else TARGET


@dataclass(frozen=True)
class Figure:
    """One quantified statement: what is measured, how much, in which unit, when and where it is said.

    ``key`` is the indicator reduced to its core words (「各级各类金融机构、金融组织」→「金融机构」);
    rows that share a key and a unit but not a year (a result and its target) share ``pair_id``,
    as do the two ends of 「由…增加到…」.
    """

    indicator: str
    value: str
    unit: str
    comparator: str
    year: str
    kind: str
    chapter: str
    clause_id: str
    sentence: str
    key: str = ""
    pair_id: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


FIELDS = tuple(Figure.__dataclass_fields__)


def extract_figures(tree: ClauseTree, horizon: Horizon, sets: list[NamedSet] | None = None) -> list[Figure]:
    """Every figure of the plan's body, in source order, with pairs linked."""
    rows: list[Figure] = []
    retrospective = retrospective_sections(tree, horizon)
    # The size of a set the plan names (「四个核心商圈」, 「三大攻坚战」) is the set, listed with its members
    # among the named sets, not a quantity the plan reaches or aims at.
    # (``sets``: the plan's named sets when the caller has them already; read here otherwise)
    sets = extract_named_sets(tree) if sets is None else sets
    set_sizes = {(s.clause_id, str(s.count)) for s in sets if s.count}
    for clause in tree.clauses:
        if clause.kind not in ("paragraph", "glossary"):
            continue
        past = _section_of(clause, tree) in retrospective
        for sentence in _sentences(clause.text):
            rows += [r for r in _sentence_figures(sentence, clause, past, horizon)
                     if r.unit != "大" and (r.unit not in _SET_MEASURES or (r.clause_id, r.value) not in set_sizes)]
    return _link_pairs(rows)




def _section_of(clause: Clause, tree: ClauseTree) -> str:
    """The id of the clause's level-2 section (or chapter when it has none)."""
    parts = clause.clause_id.split(".")
    return ".".join(parts[:2])


def retrospective_sections(tree: ClauseTree, horizon: Horizon) -> set[str]:
    """Sections that look back on the previous period: their heading or opening speaks of results
    (成就, 五年来) and no year inside the plan's own period, nor that period's name, is in them (a
    section on the period's targets may open with the results it builds on). Their figures without a
    year are results of the previous period, not targets."""
    own = re.compile("|".join([str(y) for y in range(horizon.start, horizon.long_range + 1)]
                              + ([re.escape(horizon.name)] if horizon.name else [])))
    out = set()
    bodies: dict[str, list[Clause]] = {}
    for d in tree.clauses:
        if d.kind == "paragraph":
            bodies.setdefault(_section_of(d, tree), []).append(d)
    for c in tree.clauses:
        if c.kind == "heading" and c.level == 2:
            body = bodies.get(c.clause_id, [])
            opening = c.title + (body[0].text[:80] if body else "")
            if FIGURE_REVIEW_WORDS.search(opening) and not any(own.search(d.text) for d in body) \
                    and not own.search(c.title):
                out.add(c.clause_id)
    return out


def retrospective_clauses(tree: ClauseTree, horizon: Horizon) -> frozenset[str]:
    """The clause ids below the sections that look back on the previous period (see above)."""
    sections = retrospective_sections(tree, horizon)
    return frozenset(c.clause_id for c in tree.clauses if any(c.clause_id.startswith(s + ".") for s in sections))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# -- one sentence ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    value: str
    unit: str
    comparator: str


def _masked(sentence: str) -> str:
    """The sentence with quoted names and Latin-lettered tokens blanked, offsets kept, so that
    “4+4”, 5G, PM2.5 and VOCs are never read as figures."""
    out = _QUOTE_SPANS.sub(lambda m: "□" * len(m.group()), sentence)
    return re.sub(r"[A-Za-z]+\d*(?:\.\d+)?|\d+(?:\.\d+)?(?=[A-Za-z+])", lambda m: "□" * len(m.group()), out)


def _numbers(sentence: str) -> list[_Hit]:
    masked = _masked(sentence)
    hits = []
    for m in _NUMBER.finditer(masked):
        num, unit = m.group("num"), m.group("unit")
        before = masked[max(0, m.start("num") - 1):m.start("num")]
        after = masked[m.end():m.end() + 3]
        if before == "第" or before.isdigit() or before == ".":
            continue  # ordinals and ranks, or the tail of a longer number
        if num.isdigit() and len(num) == 4 and after[:1] in "年、—-" and unit in _COUNTS:
            continue
        if not num[0].isdigit():
            if unit not in _CN_UNITS or num in ("十",):
                continue
            try:
                value = str(cn_to_int(num))
            except ValueError:
                continue
        else:
            value = num
        if unit == "所" and not FIGURE_SUO_COUNT.match(after or "。"):
            continue  # 54所: an institute's name
        if unit == "大" and (not re.match(r"[\u4e00-\u9fff]", after[:1] or " ") or int(value) >= 10):
            continue  # 「十九大」 is a congress, not nineteen of something
        if unit == "个" and after.startswith("百分点"):
            unit = "个百分点"
        hits.append(_Hit(m.start("num"), m.end("unit"), value, unit,
                         _comparator(masked, m.start(), m.end(), m.group("pre"), m.group("more"))))
    return hits


def _comparator(text: str, start: int, end: int, pre: str, more: str | None) -> str:
    after = text[end:end + 2]
    if after in _AFTER_BOUND:
        return _AFTER_BOUND[after]
    if more:
        return "以上"
    before = text[max(0, start - 4):start] + pre
    for word, name in _BEFORE_WORDS:
        if before.endswith(word) or (word == pre and pre):
            return name
    return ""


def _sentence_figures(sentence: str, clause: Clause, past: bool, horizon: Horizon) -> list[Figure]:
    hits = _numbers(sentence)
    if not hits:
        return []
    years = sorted([(m.start(), int(m.group(1)), m.group(1)) for m in _YEAR.finditer(sentence)]
                   + [(m.start(), int(m.group(2)), f"{m.group(1)}-{m.group(2)}") for m in _YEAR_PAIR.finditer(sentence)])
    rows: list[Figure] = []
    parts = _parts(sentence)
    last_name = ""
    for a, b in parts:
        in_part = [h for h in hits if a <= h.start < b]
        at = sentence.find("分别", a, b)
        if at >= 0 and sum(h.start > at for h in in_part) >= 2:
            in_part = [h for h in in_part if h.start > at]  # 「超10亿元楼宇分别达到…」: 10亿元 names the楼宇
        if not in_part:
            continue
        in_part, names = _each(sentence, in_part, _names(sentence, a, b, in_part, last_name))
        respective = _respective_comparator(sentence[a:b])
        last_name = names[-1] or last_name
        from_to = _FROM_TO.search(sentence[a:in_part[0].start]) and FIGURE_LEVEL_VERB.search(sentence[a:b])
        for i, (hit, name) in enumerate(zip(in_part, names)):
            year, year_text = next(((y, t) for pos, y, t in reversed(years) if pos < hit.start), (None, ""))
            lead = sentence[a:hit.start]
            if from_to and len(in_part) >= 2 and i < 2:
                kind = horizon.kind_of(year) if year else (ACTUAL if i == 0 else TARGET)
            elif _is_change(sentence[a:hit.start]):
                kind = CHANGE
            elif year is not None:
                kind = horizon.kind_of(year)
            else:
                kind = ACTUAL if past else TARGET
            if year is not None:
                when = year_text
            elif from_to and i == 0 and not past:
                when = ""
            else:
                when = horizon.previous if past else horizon.period
            comparator = hit.comparator or respective or ("累计" if "累计" in lead else "")
            rows.append(Figure(indicator=name, value=hit.value, unit=hit.unit, comparator=comparator,
                               year=when, kind=kind, chapter=clause.label, clause_id=clause.clause_id,
                               sentence=sentence,
                               pair_id=f"{clause.clause_id}:{a}" if from_to and i < 2 and len(in_part) >= 2 else ""))
    return rows


def _is_change(lead: str) -> bool:
    """「增长40%」「新增市场主体5.4万户」 state a difference; 「增加到」 and 「增加值」 do not."""
    lead = FIGURE_APPROX_TAIL.sub("", lead)
    return bool(FIGURE_CHANGE_AT_END.search(lead) or FIGURE_CHANGE_AT_START.search(FIGURE_WHEN_WHERE.sub("", lead)))


def _parts(sentence: str) -> list[tuple[int, int]]:
    """Spans between commas, colons and semicolons: an indicator is named inside its own part."""
    cuts = [0] + [m.end() for m in _PART_SEP.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _names(sentence: str, a: int, b: int, hits: list[_Hit], previous: str = "") -> list[str]:
    """The indicator each number in one part measures."""
    part = sentence[a:b]
    respective = _respective_names(part, [h.start - a for h in hits])
    if respective:
        return respective
    names: list[str] = []
    prev_end = a
    was_rate = False
    for hit in hits:
        lead = sentence[prev_end:hit.start]
        pre = _clean(lead)
        post = _post_noun(sentence, hit.end, b)
        rate = _RATE_DONE.match(sentence, hit.end) if hit.unit == "%" else None
        if rate and not (was_rate or _RATE_LIST.match(sentence, rate.end())):
            rate = None  # only a list of such shares reads this way, not 「95%以上」 or 「100%动态为零」
        was_rate = bool(rate)
        if rate:  # 「人员100%到位」: who, and what is done for all of them
            name = _SUBJECT_CUT.split(lead)[-1].lstrip("、和及与,，") + rate.group(1)
            post = rate.group(1)
        elif hit.unit in _COUNTS and post:
            name = post  # 「新建43个街道养老服务中心」: a count names what it counts after it
        elif pre:
            name = pre
        elif post and hit.unit not in ("%", "个百分点"):
            name = post
        else:
            name = names[-1] if names else previous
        if name in _BARE_TOTALS and (names or previous):
            name = (names[-1] if names else previous) + name  # 「新增市场主体5.4万户,总数达到12.6万户」
        names.append(name.strip("“”\"「」"))
        prev_end = hit.end + (len(post) if post and name.endswith(post) else 0)
    return names


# 「100%到位、事项100%承接」: a share followed by what is done, up to the next item.
_RATE_DONE = re.compile(r"([\u4e00-\u9fff]{2,6}?)(?=[、,，。;；]|的)")
_RATE_LIST = re.compile(r"、[\u4e00-\u9fff]{1,4}\d+%")
_SUBJECT_CUT = re.compile(r"[家的是为使让]")


def _respective_comparator(part: str) -> str:
    """「分别达到4家、5家、8家」: the verb before 分别's list is every number's comparator."""
    m = FIGURE_RESPECTIVE.search(part)
    return {"达到": "达到", "突破": "突破", "超过": "以上"}[m.group(1)] if m else ""


def _each(sentence: str, hits: list[_Hit], names: list[str]) -> tuple[list[_Hit], list[str]]:
    """「国家级、省级星创天地各1家」: one row per listed qualifier, each with the same number."""
    out_hits, out_names = [], []
    for hit, name in zip(hits, names):
        items = name.split("、")
        if sentence[max(0, hit.start - 1):hit.start] == "各" and len(items) >= 2:
            noun = _shared_noun(items)
            for i, item in enumerate(items):
                out_hits.append(hit)
                out_names.append(item + noun if i < len(items) - 1 else items[-1])
        else:
            out_hits.append(hit)
            out_names.append(name)
    return out_hits, out_names


def _respective_names(part: str, offsets: list[int]) -> list[str] | None:
    """「国家级、省级、市级众创空间分别达到4家、5家、8家」: one name per number, the listed
    qualifiers each joined to the shared noun. None when the part is not of that form."""
    at = part.find("分别")
    if at < 0 or len(offsets) < 2:
        return None
    head = _strip_left(part[:at])
    items = [s for s in re.split(r"[、和]", head) if s]
    if len(items) != len(offsets):
        return None
    noun = _shared_noun(items)
    if not noun:
        return [_strip_left(s) for s in items]
    return [item if i == len(items) - 1 else item + noun for i, item in enumerate(items)]


def _shared_noun(items: list[str]) -> str:
    """The noun the listed qualifiers share, written once after the last: 「国家级、省级、市级众创空间」→
    「众创空间」. The qualifiers end alike (级); the last item's qualifier ends at that ending. Without
    one, the last qualifier is taken to be as long as the one before it."""
    heads, last = items[:-1], items[-1]
    end = heads[0]
    for h in heads[1:]:
        while end and not h.endswith(end):
            end = end[1:]
    while end and end not in last[:-1]:
        end = end[1:]
    at = last.find(end) + len(end) if end else len(heads[-1])
    return last[at:]


def _strip_left(s: str) -> str:
    prev = None
    while prev != s:
        prev, s = s, FIGURE_LEAD_NOISE.sub("", s, count=1)
    return s


def _strip_right(s: str) -> str:
    prev = None
    while prev != s:
        prev = s
        m = FIGURE_TAIL_NOISE.search(s)
        if m:
            s = s[:m.start()]
    return s


def _clean(lead: str) -> str:
    s = _strip_right(_strip_left(lead.strip()))
    s = _strip_left(s)
    return s if len(s) >= _MIN_NAME and not s.endswith("等") else ""


def _post_noun(sentence: str, end: int, part_end: int) -> str:
    """The noun a count is of: 「43个街道(社区)养老服务中心」→「街道(社区)养老服务中心」."""
    rest = sentence[end:part_end]
    rest = FIGURE_APPROX_HEAD.sub("", rest)
    m = FIGURE_POST_STOP.search(rest)
    noun = rest[:m.start()] if m else rest
    m = _POST_AND.search(noun)
    noun = (noun[:m.start()] if m else noun).rstrip("。;；和与及")
    return noun if len(noun) >= _MIN_NAME else ""




def indicator_key(indicator: str) -> str:
    """The core of an indicator's name, for linking rows: qualifiers and listed companions dropped."""
    key = FIGURE_KEY_NOISE.sub("", indicator)
    return re.split(r"[、和及与]", key)[0] or indicator


def _link_pairs(rows: list[Figure]) -> list[Figure]:
    """Give each row its key; rows of one indicator and unit in different years share a pair id.

    Two keys name the same indicator when equal or when one ends with the other and the shorter has
    at least four characters (「金融机构」 in 「全区金融机构」, not 「企业」 in every kind of 企业).
    """
    rows = [replace(r, key=indicator_key(r.indicator)) for r in rows]
    groups: list[list[int]] = []
    for i, r in enumerate(rows):
        if not r.key:
            continue
        for g in groups:
            k = rows[g[0]]
            if k.unit == r.unit and _same_key(k.key, r.key):
                g.append(i)
                break
        else:
            groups.append([i])
    out = list(rows)
    for g in groups:
        if len({rows[i].year for i in g}) >= 2 and len({rows[i].kind for i in g} - {CHANGE}) >= 1:
            pid = min((rows[i].pair_id for i in g if rows[i].pair_id), default="") or f"k:{rows[g[0]].key}"
            for i in g:
                if rows[i].kind != CHANGE:
                    out[i] = replace(out[i], pair_id=pid)
    return out


def _same_key(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.endswith(short)


__all__ = ["Figure", "Horizon", "extract_figures", "indicator_key", "retrospective_clauses", "retrospective_sections", "KINDS", "FIELDS"]
