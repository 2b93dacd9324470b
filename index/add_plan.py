"""`python -m index add PATH --id ID --name NAME […] [--check]`: check a plan's structure, then add it as
``data/plans/<ID>/plan.txt`` with its ``profile.toml`` (building the index is ``python -m index build``).

The profile's required facts come from the options; where the plan's name makes one obvious and no option
gives it, it is taken from the name and said so (``Defaults``): the five-year period from 「第十四个五年」 (and
its years: the 6th plan was 1981–1985, each next five years on), the previous period, the long-range year
from 「2035年远景目标」, the region from the words before 「国民经济和社会发展」 (「中华人民共和国」: 全国) and
the level from the region's last character (市, 区, 县, 省; 自治区 is a province; 全国: 国家).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from index.clauses import Clause, ClauseTree
from index.layout import Line, cn_to_int, recognise
from index.parser import TOC_ID
from index.lexicon import PLAN_LEVELS
from index.profile import PROFILE_FILE, Period, PlanProfile, ProfileError

PLAN_ID = re.compile(r"^[a-z0-9_]{2,40}$")
PLAN_TEXT_FILE = "plan.txt"
SHOWN_PER_LEVEL = 3  # clauses listed under each level by --check
NATION = "中华人民共和国"  # a name opening with it is a national plan, region 全国
NATIONAL_REGION = "全国"
AUTONOMOUS_REGION = "自治区"  # ends in 区 but is a province
# The words after a plan's region in its name (「石家庄市桥西区国民经济和社会发展…」).
AFTER_REGION = re.compile(r"国民经济和社会发展")
FIVE_YEAR_ORDINAL = re.compile(r"第([一二三四五六七八九十]+)个五年")
FIRST_REGULAR_PLAN = (6, 1981)  # the 6th five-year plan ran 1981–1985; every later one follows five years on
LONG_RANGE = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})年远景目标")
PERIOD_OPTION = re.compile(r"^\s*(\S+?)\s*[:：]\s*(\d{4})\s*[-–—~]\s*(\d{4})\s*$")  # 十四五:2021-2025


class AddPlanError(ValueError):
    """The plan cannot be added as asked; the message says why."""


# -- --check ----------------------------------------------------------------------------------
def _part_of(c: Clause) -> str:
    """What kind of clause a heading is: part, chapter, level-N heading, box, preface, glossary, appendix."""
    last = c.clause_id.rsplit(".", 1)[-1]
    if c.clause_id in ("0", "G"):
        return {"0": "preface heading", "G": "glossary heading"}[c.clause_id]
    if re.fullmatch(r"A\d+", c.clause_id):
        return "appendix"
    if last.startswith("B"):
        return "box"
    return "part" if c.level == 0 else f"level{c.level}"


def _rank_name(c: Clause) -> str:
    head = recognise(Line(0, len(c.text), c.text))
    return head.rank.name if head and head.rank else "?"


@dataclass
class Structure:
    """The clauses of a tree grouped the way `--check` prints them."""

    tree: ClauseTree
    groups: dict[str, list[Clause]] = field(init=False)

    def __post_init__(self) -> None:
        self.groups = {}
        for c in self.tree.clauses:
            key = _part_of(c) if c.kind == "heading" else c.kind
            self.groups.setdefault(key, []).append(c)

    def count(self, key: str) -> int:
        return len(self.groups.get(key, ()))

    def ranks(self, key: str) -> str:
        found = Counter(_rank_name(c) for c in self.groups.get(key, ()))
        return ", ".join(f"{name} {n}" for name, n in found.items())

    def top(self) -> str:
        """What the document's chapters are: 章, or 一、 (no 篇/章 heading: its 一、 headings are its chapters)."""
        ranks = {_rank_name(c) for c in self.groups.get("level1", ())}
        return "一、" if ranks == {"一、"} else "章"

    def summary(self) -> str:
        levels = sorted(k for k in self.groups if k.startswith("level") and k not in ("level1", "level2", "level3"))
        parts = [f"{self.count('part')} parts (篇)", f"{self.count('level1')} chapters ({self.top()})",
                 f"{self.count('level2')} sections" + (f" ({self.ranks('level2')})" if self.count("level2") else ""),
                 f"{self.count('level3')} subsections" + (f" ({self.ranks('level3')})" if self.count("level3") else "")]
        parts += [f"{self.count(k)} level-{k[5:]} headings ({self.ranks(k)})" for k in levels]
        leads = sum(1 for c in self.groups.get("paragraph", ()) if c.title)
        parts += [f"{self.count('paragraph')} paragraphs ({leads} with a lead phrase)",
                  f"{self.count('glossary')} glossary entries",
                  f"{self.count('appendix')} appendices", f"{self.count('box')} boxes (专栏)"]
        return ", ".join(parts)


_SHOWN = (("part", "篇 parts (level 0)"), ("level1", "章 chapters (level 1)"), ("level2", "sections (level 2)"),
          ("level3", "subsections (level 3)"), ("level4", "level 4"), ("level5", "level 5"), ("level6", "level 6"),
          ("paragraph", "paragraphs"), ("glossary", "glossary entries"), ("appendix", "appendices"),
          ("box", "专栏 boxes"))


def structure_report(tree: ClauseTree, source: str = "") -> list[str]:
    """The lines `--check` prints: a summary, the first clauses of each level, the preface, the notes."""
    s = Structure(tree)
    out = [f"structure of {source or 'the plan'}: {len(tree.clauses)} clauses", f"summary: {s.summary()}"]
    if s.top() == "一、":
        out.append("top level: 一、 (no 篇/章 heading: the 一、 headings are read as chapters, （一） as sections, "
                   "1. as subsections where they are headings)")
    title = tree.get("T")
    out.append("title (T): " + (title.text.replace("\n", " / ") if title else "none"))
    toc = tree.get(TOC_ID)
    if toc:
        entries = toc.text.split("\n")[1:]
        out.append(f"table of contents ({TOC_ID}): {len(entries)} entries, kept as one front-matter clause, not searched"
                   + (f": {' / '.join(entries[:3])}{' …' if len(entries) > 3 else ''}" if entries else ""))
    if tree.get("0"):
        out.append(f"preface: {tree.get('0').text} (0), {len(tree.children('0'))} paragraphs")
    elif tree.get("0.1"):
        out.append("preface: a heading-less opening paragraph (0.1)"
                   + (f" and {sum(c.clause_id.startswith('0.') for c in tree.clauses) - 1} more" if tree.get("0.2") else ""))
    else:
        out.append("preface: none")
    chapters = s.groups.get("level1", [])
    if chapters:
        qualified = any(not c.clause_id.isdigit() for c in chapters)
        out.append("chapter ids: " + ("qualified by their part (numbers restart in each 篇)" if qualified
                                      else "their numbers (unique in the document)"))
    for key, name in _SHOWN:
        items = s.groups.get(key, [])
        if not items and key not in ("part", "level1", "level2", "level3", "paragraph"):
            continue
        out.append(f"{name}: {len(items)}")
        out += [f"    {c.clause_id}  {c.label}" for c in items[:SHOWN_PER_LEVEL]]
    out.append("notes: " + ("none" if not tree.notes else f"{len(tree.notes)}"))
    out += [f"    {n}" for n in tree.notes]
    return out


# -- the profile --------------------------------------------------------------------------------
@dataclass
class PlanOptions:
    """What the command line says about the plan; empty fields are taken from its name where obvious."""

    id: str
    name: str
    short_name: str = ""
    level: str = ""
    region: str = ""
    period: str = ""  # 十四五:2021-2025
    previous_period: str = ""
    long_range_year: int | None = None
    parent: str = ""


def _period_option(value: str, option: str) -> Period:
    m = PERIOD_OPTION.match(value)
    if not m:
        raise AddPlanError(f"{option} {value!r}: write it as NAME:START-END, e.g. 十四五:2021-2025")
    try:
        return Period(m.group(1), int(m.group(2)), int(m.group(3)))
    except ProfileError as e:
        raise AddPlanError(f"{option} {value!r}: {e}") from e


def _five_year_period(n: int) -> Period:
    first_n, first_year = FIRST_REGULAR_PLAN
    if n < first_n:
        raise AddPlanError(f"the {n}th five-year plan predates regular five-year periods: pass --period")
    start = first_year + 5 * (n - first_n)
    return Period(f"{_cn(n)}五", start, start + 4)


def _cn(n: int) -> str:
    """1–99 as a Chinese numeral: 14 → 十四, 20 → 二十."""
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return ((digits[tens] if tens > 1 else "") + "十" if tens else "") + (digits[ones] if ones else "")


def _year(text: str) -> int:
    """2035 or 二〇三五 → 2035."""
    return int(text) if text.isdigit() else int("".join(str(cn_to_int(ch)) for ch in text))


def check_new(plans_dir: Path, plan_id: str, force: bool) -> None:
    """The id is well formed and names no plan there yet (or ``force``)."""
    if not PLAN_ID.match(plan_id):
        raise AddPlanError(f"--id {plan_id!r}: use 2-40 lowercase letters, digits or _ (e.g. hebei_14th)")
    if (plans_dir / plan_id).exists() and not force:
        raise AddPlanError(f"{plans_dir / plan_id} exists; pass --force to replace its plan.txt and profile.toml")


def profile_fields(opts: PlanOptions) -> tuple[dict, list[str]]:
    """The profile's fields, and the names of those taken from the plan's name (the defaults)."""
    if not PLAN_ID.match(opts.id):
        raise AddPlanError(f"--id {opts.id!r}: use 2-40 lowercase letters, digits or _ (e.g. hebei_14th)")
    if opts.parent and not PLAN_ID.match(opts.parent):
        raise AddPlanError(f"--parent {opts.parent!r}: not a plan id")
    name = opts.name.strip().strip("《》")
    if not name:
        raise AddPlanError("--name is empty")
    defaults: list[str] = []
    region = opts.region
    if not region:
        m = AFTER_REGION.search(name)
        region = NATIONAL_REGION if name.startswith(NATION) else (name[:m.start()] if m and m.start() else "")
        if not region:
            raise AddPlanError("pass --region: the name does not open with one")
        defaults.append("region")
    level = opts.level
    if not level:
        national, province = PLAN_LEVELS[:2]
        level = (national if region == NATIONAL_REGION else province if region.endswith(AUTONOMOUS_REGION) else
                 region[-1] if region[-1] in PLAN_LEVELS else "")
        if not level:
            raise AddPlanError(f"pass --level ({'|'.join(PLAN_LEVELS)}): region {region!r} does not show it")
        defaults.append("level")
    if level not in PLAN_LEVELS:
        raise AddPlanError(f"--level {level!r}: one of {', '.join(PLAN_LEVELS)}")
    ordinal = FIVE_YEAR_ORDINAL.search(name)
    if opts.period:
        period = _period_option(opts.period, "--period")
    elif ordinal:
        period = _five_year_period(cn_to_int(ordinal.group(1)))
        defaults.append("period")
    else:
        raise AddPlanError("pass --period NAME:START-END: the name does not say its five-year period")
    if opts.previous_period:
        previous = _period_option(opts.previous_period, "--previous-period")
    elif ordinal:
        previous = _five_year_period(cn_to_int(ordinal.group(1)) - 1)
        defaults.append("previous_period")
    else:
        raise AddPlanError("pass --previous-period NAME:START-END")
    long_range = opts.long_range_year
    if long_range is None:
        m = LONG_RANGE.search(name)
        if not m:
            raise AddPlanError("pass --long-range-year: the name does not say it")
        long_range = _year(m.group(1))
        defaults.append("long_range_year")
    short_name = opts.short_name or f"{region}“{period.name}”规划"
    if not opts.short_name:
        defaults.append("short_name")
    fields = {"id": opts.id, "name": name, "short_name": short_name, "level": level, "region": region,
              "region_aliases": [region], "period": period, "previous_period": previous,
              "long_range_year": long_range, "parent_plan": opts.parent}
    return fields, defaults


def render_profile(fields: dict) -> str:
    """profile.toml in the layout of the shipped ones (TOML basic strings are JSON strings)."""
    def s(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    def period(p: Period) -> str:
        return f"{{ name = {s(p.name)}, start = {p.start}, end = {p.end} }}"

    lines = ["# Facts about this plan that the assistant needs and must never hard-code (index/profile.py).",
             "# Written by `python -m index add`; add region_aliases, mentions and example questions by hand.",
             *(f"{k} = {s(fields[k])}" for k in ("id", "name", "short_name", "level", "region")),
             f"region_aliases = [{', '.join(s(a) for a in fields['region_aliases'])}]",
             f"period = {period(fields['period'])}", f"previous_period = {period(fields['previous_period'])}",
             f"long_range_year = {fields['long_range_year']}"]
    if fields["parent_plan"]:
        lines.append(f"parent_plan = {s(fields['parent_plan'])}")
    return "\n".join(lines) + "\n"


# -- writing ------------------------------------------------------------------------------------
def write_plan(plans_dir: Path, plan_id: str, text: str, profile: str, force: bool = False) -> Path:
    """Write ``<plans_dir>/<plan_id>/plan.txt`` and ``profile.toml``: a new plan folder appears whole (built
    aside, then renamed); with ``force`` an existing one has its two files replaced each at once, and its
    other files (questions.jsonl) are kept."""
    check_new(plans_dir, plan_id, force)
    final = plans_dir / plan_id
    plans_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{plan_id}.", dir=plans_dir))
    umask = os.umask(0)
    os.umask(umask)
    try:
        tmp.chmod(0o777 & ~umask)  # a plan folder like any other, not mkdtemp's private one
        (tmp / PLAN_TEXT_FILE).write_text(text, encoding="utf-8", newline="")
        (tmp / PROFILE_FILE).write_text(profile, encoding="utf-8")
        PlanProfile.load(tmp / PROFILE_FILE)  # what was written reads back
        if final.exists():
            for name in (PLAN_TEXT_FILE, PROFILE_FILE):
                os.replace(tmp / name, final / name)
        else:
            os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
