"""Tests for the gold QA dataset (eval/datasets/plan_qa.jsonl) and its validator."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # allow plain `pytest` as well as `python -m pytest`
    sys.path.insert(0, str(REPO_ROOT))

from eval.dataset import (  # noqa: E402
    CATEGORIES,
    OPTIONAL_CATEGORIES,
    REQUIRED_KEYS,
    EvalItem,
    load_dataset,
    normalise,
    validate,
)

PLAN_PATH = REPO_ROOT / "data" / "plans" / "qiaoxi_14th" / "plan.txt"
DATASET_PATH = REPO_ROOT / "eval" / "datasets" / "plan_qa.jsonl"

# A tiny stand-in plan for unit tests of the validator (spaces as in the real plan).
MINI_PLAN = (
    "到 2025 年,普惠性幼儿园覆盖率达到 85% ,公办幼儿园在园幼儿达到 50% 。\n"
    "新建 43 个街道(社区)养老服务中心和 15 个日间照料站点。\n"
)


@pytest.fixture(scope="module")
def plan_text() -> str:
    return PLAN_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def items() -> list[EvalItem]:
    return load_dataset(DATASET_PATH)


def make_item(**overrides) -> EvalItem:
    """A valid item against MINI_PLAN; override fields to break it."""
    fields = dict(
        id="num-001",
        category="number",
        question="到2025年普惠性幼儿园覆盖率达到多少？",
        history=[],
        answerable=True,
        key_facts=["85%"],
        min_facts=1,
        evidence=["普惠性幼儿园覆盖率达到85%"],
        reference_answer="到2025年普惠性幼儿园覆盖率达到85%。",
    )
    fields.update(overrides)
    return EvalItem(**fields)


def check(*items: EvalItem) -> list[str]:
    return validate(list(items), MINI_PLAN, min_per_category=0)


# --- the real dataset -------------------------------------------------------


def test_real_dataset_is_valid(items, plan_text):
    assert validate(items, plan_text) == []


def test_real_dataset_meets_own_stricter_minimum(items, plan_text):
    assert validate(items, plan_text, min_per_category=20) == []


def test_real_dataset_size(items):
    assert len(items) >= 230


def test_ids_unique(items):
    duplicates = [i for i, n in Counter(item.id for item in items).items() if n > 1]
    assert duplicates == []


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c not in OPTIONAL_CATEGORIES])  # (other files have those)
def test_every_category_has_at_least_15(items, category):
    assert sum(item.category == category for item in items) >= 15


def test_raw_lines_have_exactly_required_keys():
    for lineno, line in enumerate(DATASET_PATH.read_text(encoding="utf-8").splitlines(), 1):
        assert set(json.loads(line)) == set(REQUIRED_KEYS), f"line {lineno}"


def test_follow_ups_have_two_turn_history_and_others_none(items):
    for item in items:
        if item.category == "follow_up":
            assert [t["role"] for t in item.history] == ["user", "assistant"], item.id
        else:
            assert item.history == [], item.id


def test_unanswerable_items_have_no_facts(items):
    for item in items:
        if item.category == "unanswerable":
            assert not item.answerable and item.key_facts == [] and item.evidence == []
            assert item.min_facts == 0


def test_glossary_evidence_comes_from_glossary(items, plan_text):
    glossary = normalise(plan_text.split("名词解释", 1)[1])
    for item in items:
        if item.category == "glossary":
            assert all(normalise(e) in glossary for e in item.evidence), item.id


# --- normalise ---------------------------------------------------------------


def test_normalise_removes_whitespace_and_applies_nfkc():
    assert normalise(" 达到 85% \n") == "达到85%"
    assert normalise("８５％，") == "85%,"  # full-width digits and punctuation


# --- validate catches problems ----------------------------------------------


def test_valid_item_passes():
    assert check(make_item()) == []


def test_catches_evidence_not_in_plan():
    problems = check(make_item(evidence=["普惠性幼儿园覆盖率达到95%"]))
    assert any("not found" in p and "evidence" in p for p in problems)


def test_catches_missing_evidence():
    problems = check(make_item(evidence=[]))
    assert any("evidence" in p for p in problems)


def test_catches_evidence_of_wrong_length():
    problems = check(make_item(evidence=["覆盖率达到85%"]))  # 9 chars
    assert any("chars" in p for p in problems)


def test_catches_evidence_spanning_two_lines():
    problems = check(make_item(evidence=["公办幼儿园在园幼儿达到50%。新建43个街道"]))
    assert any("single plan line" in p for p in problems)


def test_catches_bad_category():
    problems = check(make_item(category="trivia"))
    assert any("unknown category" in p for p in problems)


def test_catches_duplicate_id():
    problems = check(make_item(), make_item())
    assert any("duplicate id" in p for p in problems)


def test_catches_key_fact_not_in_plan():
    problems = check(make_item(key_facts=["85%", "90%"]))
    assert any("'90%'" in p and "not found" in p for p in problems)


@pytest.mark.parametrize("min_facts", [0, 2])
def test_catches_min_facts_out_of_range(min_facts):
    problems = check(make_item(min_facts=min_facts))
    assert any("min_facts" in p for p in problems)


def test_catches_follow_up_without_history():
    problems = check(make_item(category="follow_up", question="那公办园呢？"))
    assert any("follow_up" in p and "history" in p for p in problems)


def test_catches_follow_up_with_wrong_roles():
    history = [{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]
    problems = check(make_item(category="follow_up", history=history))
    assert any("follow_up" in p for p in problems)


def test_valid_follow_up_passes():
    history = [
        {"role": "user", "content": "普惠性幼儿园覆盖率目标是多少？"},
        {"role": "assistant", "content": "到2025年达到85%。"},
    ]
    item = make_item(
        category="follow_up",
        question="那公办园呢？",
        history=history,
        key_facts=["50%"],
        evidence=["公办幼儿园在园幼儿达到50%"],
    )
    assert check(item) == []


def test_catches_history_on_non_follow_up():
    history = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
    problems = check(make_item(history=history))
    assert any("history must be empty" in p for p in problems)


def test_catches_unanswerable_with_key_facts():
    item = make_item(category="unanswerable", answerable=False)
    problems = check(item)
    assert any("no key facts" in p for p in problems)
    assert any("no evidence" in p for p in problems)


def test_catches_unanswerable_marked_answerable():
    problems = check(make_item(category="unanswerable"))
    assert any("answerable=false" in p for p in problems)


def test_valid_unanswerable_passes():
    item = make_item(
        id="unans-001",
        category="unanswerable",
        answerable=False,
        key_facts=[],
        min_facts=0,
        evidence=[],
        reference_answer="规划没有提到。",
    )
    assert check(item) == []


def test_catches_category_minimum():
    problems = validate([make_item()], MINI_PLAN, min_per_category=2)
    assert any("'number' has 1 items" in p for p in problems)
    assert any("'glossary' has 0 items" in p for p in problems)


def test_default_category_minimum_is_15():
    items = [replace(make_item(), id=f"num-{i:03d}") for i in range(15)]
    problems = validate(items, MINI_PLAN)
    assert not any("'number'" in p for p in problems)
    assert any("'fact' has 0 items" in p for p in problems)


# --- load_dataset rejects malformed files -----------------------------------


def _record(**overrides) -> dict:
    record = {
        "id": "num-001",
        "category": "number",
        "question": "q",
        "history": [],
        "answerable": True,
        "key_facts": ["85%"],
        "min_facts": 1,
        "evidence": ["普惠性幼儿园覆盖率达到85%"],
        "reference_answer": "a",
    }
    record.update(overrides)
    return record


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_roundtrip(tmp_path):
    path = _write(tmp_path, json.dumps(_record(), ensure_ascii=False), "")
    (item,) = load_dataset(path)
    assert item == make_item(question="q", reference_answer="a")


def test_load_rejects_bad_json_with_line_number(tmp_path):
    path = _write(tmp_path, json.dumps(_record()), "{not json")
    with pytest.raises(ValueError, match=r"d\.jsonl:2"):
        load_dataset(path)


def test_load_rejects_missing_key(tmp_path):
    record = _record()
    del record["evidence"]
    path = _write(tmp_path, json.dumps(record))
    with pytest.raises(ValueError, match=r"d\.jsonl:1.*missing keys \['evidence'\]"):
        load_dataset(path)


def test_load_rejects_extra_key(tmp_path):
    path = _write(tmp_path, json.dumps(_record(source="x")))
    with pytest.raises(ValueError, match=r"d\.jsonl:1.*unexpected keys \['source'\]"):
        load_dataset(path)


def test_load_rejects_wrong_types(tmp_path):
    path = _write(tmp_path, json.dumps(_record(min_facts="1", answerable="yes")))
    with pytest.raises(ValueError, match=r"min_facts must be an integer"):
        load_dataset(path)
