"""Named sets: real sets of the plan found with their members in the plan's words, and shapes one by one."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from index.clauses import Clause, ClauseTree
from index.named_sets import NamedSet, extract_named_sets


@pytest.fixture(scope="module")
def sets(tree) -> list[NamedSet]:
    return extract_named_sets(tree)


def _find(sets: list[NamedSet], name: str, clause_id: str | None = None) -> NamedSet:
    found = [s for s in sets if s.name == name and (clause_id is None or s.clause_id == clause_id)]
    assert found, f"no set named {name!r}"
    return found[0]


@pytest.mark.parametrize("name, clause_id, count, members", [
    ("四个核心商圈", "5.2.4", 4, ("北国", "新百华润", "万象海悦", "益友")),
    ("五个新兴商圈", "5.2.4", 5, ("红旗大街", "振三街", "新客站", "西王", "祥云国际")),
    ("两大优势产业", "6.1.1", 2, ("金融", "现代商贸")),
    ("四项工程", "15.4.1", 4, ("网格提升", "社会共治", "政务服务", "风险防控")),
    ("四个意识", "G.20", 4, ("政治意识", "大局意识", "核心意识", "看齐意识")),
    ("两区", "7.3", 2, ("金融商务核心区", "总部经济核心区")),
    ("三带", "7.4", 3, ("商贸商务产业集聚带", "科技信息产业集聚带", "康养休闲产业集聚带")),
    ("“一横、两区、三带、九圈、一极”空间发展格局", "7.0.1", 5, ("一横", "两区", "三带", "九圈", "一极")),
])
def test_real_sets(sets, name, clause_id, count, members):
    s = _find(sets, name, clause_id)
    assert (s.count, s.members) == (count, members)


def test_glossary_set_with_its_count(sets):
    s = _find(sets, "六个百分百")
    assert s.count == 6 == len(s.members) and s.members[0] == "施工工地周边100%围挡" and s.clause_id == "G.18"


def test_members_named_later_by_the_sets_noun(sets):
    s = _find(sets, "九大商圈", "7.5.2")
    assert s.count == 9 == len(s.members) and s.members[:2] == ("北国商圈", "新百华润5G智慧商圈")


def test_titled_paragraphs_below_a_named_section(sets, tree):
    s = _find(sets, "发展战略")
    assert s.clause_id == "2.2" and s.count == 10 and s.members == tuple(
        c.title for c in tree.children("2.2") if c.title)


def test_every_set_is_sound(sets, tree):
    t0 = time.perf_counter()
    extract_named_sets(tree)
    assert time.perf_counter() - t0 < 0.5
    assert len(sets) >= 30
    for s in sets:
        assert s.clause_id in tree.by_id and s.name
        assert s.count is None or s.count >= 2
        assert len(s.members) != 1
        if s.source == "inline" and s.members and s.count:
            assert s.count == len(s.members)  # a partial list (「A、B等21家」) is examples, not a set


def _tree(text: str) -> ClauseTree:
    return ClauseTree([Clause("5", "heading", "第五章", ("第五章",), "产业", "第五章 产业", 0, 1, level=1),
                       Clause("5.0.1", "paragraph", "第五章 ¶1", ("第五章",), "", text, 1, 2, "5")])


@pytest.mark.parametrize("text, expected", [
    ("重点打造金融、商贸和科技信息三大主导产业。", [("三大主导产业", 3, ("金融", "商贸", "科技信息"))]),
    ("完成光华药业、染料厂等5家企业退城搬迁。", []),                       # examples of a count, no set
    ("严格落实“六个百分百”要求,深入学习党的十九大精神。", []),              # quoted slogan, a congress
    ("以决战决胜三大攻坚战为抓手。", [("三大攻坚战", 3, ())]),              # named, members not listed
    ("坚持“高站位、补短板”的思路。", []),                                 # a manner, not a set
])
def test_shapes(text, expected):
    assert [(s.name, s.count, s.members) for s in extract_named_sets(_tree(text))] == expected


# -- blind golds: the district plan's sets and the national outline's, each labelled by hand by a session that never
# saw this code. A gold set (with members) is found when one extracted set holds at least half of its members (one
# member inside the other counts); "members" is the share of the gold's members the found set holds.
DATA = Path(__file__).parent / "data"
# Measured when the national gold was added (2026-12-01): the district 35 of 50 (members 0.95), the national
# outline 5 of 66 (members 0.90: its sets are mostly 「A、B、C的X」 lists this extractor does not read). Floors a
# little under, so a regression fails.
SET_GOLDS = [("district", "named_sets_gold.jsonl", 0.65, 0.90), ("national_14th", "named_sets_gold_national.jsonl", 0.07, 0.85)]


def _share_held(gold: list[str], found: tuple[str, ...]) -> float:
    squashed = [m.replace("“", "").replace("”", "") for m in found]
    return sum(any(g in f or f in g for f in squashed) for g in (m.replace("“", "").replace("”", "") for m in gold)) / len(gold)


@pytest.mark.parametrize("plan, name, min_found, min_members", SET_GOLDS)
def test_blind_gold_scores(settings, tree, capsys, plan, name, min_found, min_members):
    from index.parser import parse_plan
    from index.plans import settings_for

    if plan != "district":
        other = settings_for(settings, plan)
        tree = parse_plan(other.plan_path.read_text(encoding="utf-8"))
    gold = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(g["clause_id"] in tree.by_id for g in gold)
    listed = [g for g in gold if g["members"]]
    extracted = [s for s in extract_named_sets(tree) if s.members]
    shares = [max((_share_held(g["members"], s.members) for s in extracted), default=0.0) for g in listed]
    held = [x for x in shares if x >= 0.5]
    found, members = len(held) / len(listed), sum(held) / max(len(held), 1)
    with capsys.disabled():
        print(f"\nnamed sets {plan} blind gold: found {len(held)} of {len(listed)} ({found:.2f}), members {members:.2f}")
    assert found >= min_found and members >= min_members
