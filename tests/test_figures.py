"""The figures table: patterns one by one, and per-field precision/recall on the hand-checked dev gold.

``tests/data/figures_dev.jsonl`` lists every figure of a set of whole clauses (written by hand from the
plan text), so a row the extractor finds in those clauses and the gold lacks counts against precision.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.profile import PlanProfile
from index.clauses import Clause, ClauseTree
from index.figures import (ACTUAL, CHANGE, KINDS, TARGET, VISION, Figure, Horizon, extract_figures, indicator_key,
                           retrospective_sections)

GOLD_PATH = Path(__file__).parent / "data" / "figures_dev.jsonl"
# Dev clauses that state years but no figure: anything found in them is a false positive.
NO_FIGURE_CLAUSES = ("0.2", "2.4.2.9", "1.2.1.4")
# Floors a little under what the extractor gives today (reported by test_dev_scores), so a regression
# fails while the blind set, not these rows, decides how good the extractor really is.
FLOORS = {"value+unit": (0.9, 0.9), "year": (0.8, 0.8), "indicator": (0.75, 0.75), "kind": (0.85, 0.85)}

HORIZON = Horizon(start=2021, end=2025, previous_start=2016, previous_end=2020, long_range=2035)


def gold_rows() -> list[dict]:
    return [json.loads(line) for line in GOLD_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def horizon(settings) -> Horizon:
    return Horizon.of(PlanProfile.load(settings.plan_path))


@pytest.fixture(scope="module")
def figures(tree, horizon) -> list[Figure]:
    return extract_figures(tree, horizon)


def _tree(*paragraphs: str, title: str = "四、推进教育均衡发展") -> ClauseTree:
    """A one-section tree holding the given paragraphs (a plan's own text in miniature)."""
    clauses = [Clause("10", "heading", "第十章 民生", ("第十章 民生",), "民生", "第十章 民生", 0, 1, level=1),
               Clause("10.4", "heading", f"第十章 {title}", ("第十章 民生", title), title, title, 1, 2, "10", 2)]
    clauses += [Clause(f"10.4.{i}", "paragraph", f"第十章 {title} ¶{i}", ("第十章 民生", title), "", text,
                       2 + i, 3 + i, "10.4") for i, text in enumerate(paragraphs, start=1)]
    return ClauseTree(clauses)


def _one(text: str, **kw) -> list[tuple]:
    return [(f.indicator, f.value, f.unit, f.comparator, f.year, f.kind)
            for f in extract_figures(_tree(text, **kw), HORIZON)]


# -- patterns -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("到2025年,普惠性幼儿园覆盖率达到85%,公办幼儿园在园幼儿达到50%。",
     [("普惠性幼儿园覆盖率", "85", "%", "达到", "2025", TARGET), ("公办幼儿园在园幼儿", "50", "%", "达到", "2025", TARGET)]),
    ("到2025年,金融产业增加值达到250亿元以上。", [("金融产业增加值", "250", "亿元", "以上", "2025", TARGET)]),
    ("城镇登记失业率严格控制在4%以内。", [("城镇登记失业率", "4", "%", "以内", "2021-2025", TARGET)]),
    ("到2035年,森林覆盖率达到30%。", [("森林覆盖率", "30", "%", "达到", "2035", VISION)]),
    ("2020年地区生产总值达到743亿元。", [("地区生产总值", "743", "亿元", "达到", "2020", ACTUAL)]),
    ("新建43个街道(社区)养老服务中心和15个日间照料站点。",
     [("街道(社区)养老服务中心", "43", "个", "", "2021-2025", TARGET), ("日间照料站点", "15", "个", "", "2021-2025", TARGET)]),
    ("全区社会消费品零售总额突破550亿元。", [("社会消费品零售总额", "550", "亿元", "突破", "2021-2025", TARGET)]),
    ("到2025年,人均体育场地面积增长12%。", [("人均体育场地面积", "12", "%", "", "2025", CHANGE)]),
    ("到2025年,新增养老床位三百张。", [("养老床位", "300", "张", "", "2025", CHANGE)]),
    ("打造金融、商贸、科技三大产业。", []),  # the size of a named set: among the named sets, not a figure
    ("形成总部经济、数字经济、楼宇经济3种业态。", []),  # the same, counted in kinds
    ("接收学校4所,新建3个学校改扩建项目。",
     [("学校", "4", "所", "", "2021-2025", TARGET), ("学校改扩建项目", "3", "个", "", "2021-2025", TARGET)]),
    ("增加服务面积近2万平米。", [("服务面积", "2", "万平米", "约", "2021-2025", CHANGE)]),
])
def test_patterns(text, expected):
    assert _one(text) == expected


@pytest.mark.parametrize("text", [
    "规划期为2021—2025年,展望到2035年。",                 # years and periods
    "推进5G网络和PM2.5治理,发展“4+4”现代产业。",           # numbers inside names
    "依托54所电子信息研发总部,打造15分钟健身圈。",          # an institute's name, a duration
    "连续三年位居全市第一,位列全省第1名。",                # durations, ranks
    "严格落实“六个百分百”要求,深入学习党的十九大精神。",     # slogans, a congress
    "培育一批龙头企业,建立一个平台。",                     # 一批/一个 are articles
])
def test_not_figures(text):
    assert _one(text) == []


def test_from_to_gives_a_linked_pair():
    rows = extract_figures(_tree("一般公共预算收入由2015年的63亿元增加到2020年的83.5亿元。"), HORIZON)
    assert [(r.indicator, r.value, r.year, r.kind) for r in rows] == [
        ("一般公共预算收入", "63", "2015", ACTUAL), ("一般公共预算收入", "83.5", "2020", ACTUAL)]
    assert rows[0].pair_id and rows[0].pair_id == rows[1].pair_id


def test_result_and_target_of_one_indicator_are_linked():
    tree = _tree("2020年,全区金融机构达到1700多家。", "到2025年,区内各级各类金融机构、金融组织达到2500家以上。")
    rows = extract_figures(tree, HORIZON)
    assert [(r.value, r.kind, r.key) for r in rows] == [("1700", ACTUAL, "金融机构"), ("2500", TARGET, "金融机构")]
    assert rows[0].pair_id == rows[1].pair_id != ""


def test_retrospective_section_reads_as_results():
    rows = extract_figures(_tree("五年来,累计新增城镇就业15万人,建成健康社区29个。",
                                 title="一、全面建成小康社会取得决定性成就"), HORIZON)
    assert [(r.indicator, r.year, r.kind) for r in rows] == [("城镇就业", "2016-2020", CHANGE),
                                                             ("健康社区", "2016-2020", ACTUAL)]


def test_a_section_naming_the_plans_own_period_is_no_review():
    """A targets section may open with the results it builds on (「…取得新成效」): its title names the plan's
    own period, so its yearless figures are targets, not results."""
    horizon = Horizon(start=2021, end=2025, previous_start=2016, previous_end=2020, long_range=2035, name="十四五")
    text = "在巩固已有成效的基础上,城镇调查失业率控制在5.5%以内。"
    targets = _tree(text, title="“十四五”时期经济社会发展主要目标")
    review = _tree(text, title="一、全面建成小康社会取得决定性成就")
    assert retrospective_sections(targets, horizon) == set()
    assert retrospective_sections(review, horizon) == {"10.4"}
    assert retrospective_sections(targets, HORIZON) == {"10.4"}  # without the period's name: as before


def test_years_come_from_the_horizon():
    """Another plan's periods: the same sentence is a result there, a target here."""
    other = Horizon(start=2026, end=2030, previous_start=2021, previous_end=2025, long_range=2035)
    assert extract_figures(_tree("到2025年,普惠性幼儿园覆盖率达到85%。"), other)[0].kind == ACTUAL


@pytest.mark.parametrize("indicator, key", [
    ("各级各类金融机构、金融组织", "金融机构"), ("全区金融机构", "金融机构"), ("普惠性幼儿园覆盖率", "普惠性幼儿园覆盖率")])
def test_indicator_key(indicator, key):
    assert indicator_key(indicator) == key


# -- the real plan --------------------------------------------------------------------------------------
def test_real_plan_is_fast_and_well_formed(tree, horizon):
    t0 = time.perf_counter()
    rows = extract_figures(tree, horizon)
    assert time.perf_counter() - t0 < 0.5
    assert len(rows) > 80
    for r in rows:
        assert r.kind in KINDS and r.value and r.unit and r.sentence in tree.by_id[r.clause_id].text
        assert r.value.replace(".", "", 1).isdigit()


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float


def _indicator_ok(gold: str, found: str) -> bool:
    """Lenient: the same name, or one within the other (「科技型中小企业」 / 「科技型中小企业总量」)."""
    return bool(found) and (gold == found or gold in found or found in gold)


def score(gold: list[dict], found: Iterable[Figure], clauses: Iterable[str] = ()) -> dict[str, Score]:
    """Per-field precision and recall: rows are matched within a clause by value and unit (the one whose
    indicator also agrees first); a field counts as right for a matched pair whose field agrees.
    Precision counts the rows found in the gold's clauses and in ``clauses`` (default: the dev gold's
    clauses without figures)."""
    clauses = {g["clause_id"] for g in gold} | set(clauses or NO_FIGURE_CLAUSES)
    found = [f for f in found if f.clause_id in clauses]
    free = list(found)
    pairs: list[tuple[dict, Figure]] = []
    for g in gold:
        same = [f for f in free if (f.clause_id, f.value, f.unit) == (g["clause_id"], g["value"], g["unit"])]
        same.sort(key=lambda f: not _indicator_ok(g["indicator"], f.indicator))
        if same:
            free.remove(same[0])
            pairs.append((g, same[0]))
    checks = {"value+unit": lambda g, f: True,
              "year": lambda g, f: g["year"] == f.year,
              "indicator": lambda g, f: _indicator_ok(g["indicator"], f.indicator),
              "kind": lambda g, f: g["kind"] == f.kind,
              "comparator": lambda g, f: g["comparator"] == f.comparator}
    out = {}
    for name, ok in checks.items():
        right = sum(ok(g, f) for g, f in pairs)
        out[name] = Score(right / max(len(found), 1), right / max(len(gold), 1))
    return out


def test_gold_is_well_formed(tree):
    rows = gold_rows()
    assert len(rows) >= 30
    for g in rows:
        assert g["clause_id"] in tree.by_id and g["kind"] in KINDS
        assert g["value"] in tree.by_id[g["clause_id"]].text or g["unit"] in ("大", "个", "项", "种")


def test_dev_scores(figures, capsys):
    scores = score(gold_rows(), figures)
    with capsys.disabled():
        print("\nfigures dev gold:", "  ".join(f"{k} P={s.precision:.2f} R={s.recall:.2f}" for k, s in scores.items()))
    for name, (p, r) in FLOORS.items():
        assert scores[name].precision >= p and scores[name].recall >= r, (name, scores[name])


# -- the blind gold: every figure of the whole plan, written by hand by a session that never saw this code --
BLIND_PATH = Path(__file__).parent / "data" / "figures_gold.jsonl"
# Measured on the blind rows when they were first scored against the extractor (value+unit P 0.955 /
# R 0.940, indicator 0.924 / 0.910, years 26 of 27); floors a little under, so a regression fails.
BLIND_FLOORS = {"value+unit": (0.95, 0.90), "indicator": (0.90, 0.88)}


def test_blind_gold_scores(tree, figures, capsys):
    """Per field on the blind gold, which lists the figures of every paragraph and glossary clause, so
    every extracted row counts for precision. Years: the gold leaves a year empty where the sentence names
    none (the extractor dates a review section's figures with the previous period), so they are scored on
    the rows whose sentence states one."""
    gold = [json.loads(line) for line in BLIND_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(gold) >= 80 and all(g["clause_id"] in tree.by_id for g in gold)
    whole_plan = tuple(c.clause_id for c in tree.clauses if c.kind in ("paragraph", "glossary"))
    scores = score(gold, figures, whole_plan)
    by_key = {(f.clause_id, f.value, f.unit): f for f in figures}
    stated = [g for g in gold if g["year"]]
    years_right = sum(1 for g in stated if (f := by_key.get((g["clause_id"], g["value"], g["unit"]))) and f.year == g["year"])
    with capsys.disabled():
        print("\nfigures blind gold:", "  ".join(f"{k} P={s.precision:.3f} R={s.recall:.3f}" for k, s in scores.items()),
              f" year (stated) {years_right}/{len(stated)}")
    for name, (p, r) in BLIND_FLOORS.items():
        assert scores[name].precision >= p and scores[name].recall >= r, (name, scores[name])
    assert years_right >= 0.95 * len(stated)


# -- a second plan's blind gold: the national outline, labelled by hand by a session that never saw this code --
NATIONAL_PATH = Path(__file__).parent / "data" / "figures_gold_national.jsonl"
# Its clauses that state years but no figure (written with the gold): anything found there is a false positive.
NATIONAL_NO_FIGURE = ("3.0.1", "3.1.1", "38.4.1", "42.3.1", "P16.1")
# The extractor was written for the district plan; on the outline it was first scored at value+unit P 1.000 /
# R 0.702 and indicator P 0.970 / R 0.681, then at 1.000 / 0.745 and 0.971 / 0.723 once 万亿, 斤 and 套 were
# units (the gold's "fold" halves the clauses: the units moved only the fit half, eval/README.md). Floors a
# little under. Years and comparators follow another convention there (a year only when the sentence states
# one), so they are not scored.
NATIONAL_FLOORS = {"value+unit": (0.95, 0.70), "indicator": (0.93, 0.68)}


def test_a_second_plans_blind_gold_scores(settings, capsys):
    from index.parser import parse_plan
    from index.plans import settings_for

    national = settings_for(settings, "national_14th")
    tree = parse_plan(national.plan_path.read_text(encoding="utf-8"))
    figures = extract_figures(tree, Horizon.of(PlanProfile.load(national.plan_path)))
    gold = [json.loads(line) for line in NATIONAL_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(gold) >= 40 and all(g["clause_id"] in tree.by_id for g in gold)
    scores = score(gold, figures, NATIONAL_NO_FIGURE)
    with capsys.disabled():
        print("\nfigures national blind gold:",
              "  ".join(f"{k} P={scores[k].precision:.3f} R={scores[k].recall:.3f}" for k in NATIONAL_FLOORS))
    for name, (p, r) in NATIONAL_FLOORS.items():
        assert scores[name].precision >= p and scores[name].recall >= r, (name, scores[name])
