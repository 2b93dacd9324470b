"""Questions shipped as product data (the hypothetical questions per clause, the out-of-scope examples):
every clause has its questions, and none of them is a test or development item."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from index.config import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "data" / "plans" / "qiaoxi_14th" / "questions.jsonl"
PRODUCT_FILES = [QUESTIONS, PROJECT_ROOT / "data" / "scope" / "out_of_scope.jsonl"]
# Every file of questions the system is measured or tuned on.
TEST_SETS = [*sorted((PROJECT_ROOT / "eval" / "datasets").glob("*.jsonl")),
             *sorted((PROJECT_ROOT / "tests" / "data").glob("dev_*.jsonl"))]
MIN_PER_CLAUSE = 5


def _bare(text: str) -> str:
    """A question as compared for copying: no spaces or punctuation."""
    return re.sub(r"[\W_]+", "", text)


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_paragraph_and_glossary_clause_has_its_questions(questions, tree):
    per_clause = Counter(q["clause_id"] for q in questions)
    answerable = [c.clause_id for c in tree.clauses if c.kind in ("paragraph", "glossary")]
    assert len(questions) >= 1500
    assert [cid for cid in answerable if per_clause[cid] < MIN_PER_CLAUSE] == []
    assert set(per_clause) <= set(answerable)  # no question names a heading or an unknown clause


def test_every_chapter_is_covered(questions, tree):
    chapters = {c.clause_id.split(".")[0] for c in tree.clauses if c.kind == "paragraph"}
    assert chapters <= {q["clause_id"].split(".")[0] for q in questions}


@pytest.mark.parametrize("product_file", PRODUCT_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("path", TEST_SETS, ids=lambda p: p.name)
def test_no_test_or_dev_question_is_copied_into_them(product_file: Path, path: Path):
    """A question of an eval or development file (or one line of a follow-up's history) found in the
    product data would let the system answer it by recall; the data was written without seeing them."""
    product = {_bare(json.loads(line)["question"])
               for line in product_file.read_text(encoding="utf-8").splitlines() if line.strip()}
    leaked = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        asked = [row["question"], *(t.get("content", "") for t in row.get("history", []) if t.get("role") == "user")]
        leaked += [q for q in asked if _bare(q) in product]
    assert leaked == []


def test_the_leak_check_would_catch_a_copy(questions):
    copied = questions[0]["question"] + "？"
    assert _bare(copied) in {_bare(q["question"]) for q in questions}


def test_no_question_copies_a_long_run_of_its_clause(questions, tree):
    """Residents' words, not the plan's: no six-character run of the clause it belongs to."""
    copies = []
    for q in questions:
        text = re.sub(r"\s+", "", tree.get(q["clause_id"]).text)
        bare = re.sub(r"[\s，。？！、,.?!]", "", q["question"])
        if any(bare[i:i + 6] in text for i in range(len(bare) - 5)):
            copies.append(q["question"])
    assert copies == []
