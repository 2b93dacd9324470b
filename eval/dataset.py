"""Gold evaluation dataset for the Qiaoxi 14th Five-Year Plan QA assistant.

The dataset is a JSONL file (one JSON object per line) whose items have exactly
the keys in :data:`REQUIRED_KEYS`.  This module only *loads* and *validates* it;
scoring lives elsewhere but uses the same :func:`normalise` rule, so that
key facts and evidence strings written without whitespace match the plan text
(which puts spaces around numbers, e.g. ``达到 85% ``).

Typical use::

    from eval.dataset import load_dataset, validate
    items = load_dataset("eval/datasets/plan_qa.jsonl")
    problems = validate(items, plan_text)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

__all__ = [
    "CATEGORIES",
    "OPTIONAL_CATEGORIES",
    "REQUIRED_KEYS",
    "EVIDENCE_MIN_CHARS",
    "EVIDENCE_MAX_CHARS",
    "MAX_EVIDENCE_ITEMS",
    "DEFAULT_MIN_PER_CATEGORY",
    "EvalItem",
    "normalise",
    "load_dataset",
    "validate",
]

#: Allowed values of the ``category`` field.
CATEGORIES: tuple[str, ...] = (
    "number",
    "fact",
    "list",
    "glossary",
    "paraphrase",
    "multi_hop",
    "unanswerable",
    "follow_up",
    "off_topic",
    "compare",  # a question on how the district plan lines up with the plan above: facts from both
)

#: Categories a file may leave out: off-topic questions (a plan-questions file), comparisons (a file
#: about one plan). A file that has them has at least the minimum of each.
OPTIONAL_CATEGORIES: tuple[str, ...] = ("off_topic", "compare")

#: Categories whose items may carry a conversation (an off-topic question can follow a plan question).
CONVERSATIONAL: tuple[str, ...] = ("follow_up", "off_topic")

#: Optional keys: ``fold`` ("fit" or "held") marks a development item that parameters may be fitted on,
#: or one kept out of every fit (the held-out fold); ``plan`` names the plan the question is about (a
#: plan id, or "both" for a comparison; absent: the primary plan). The assistant is never told it: the
#: question names its plan, as a user's would.
OPTIONAL_KEYS: tuple[str, ...] = ("fold", "plan")
FOLDS: tuple[str, ...] = ("fit", "held")

#: Every item must have exactly these keys (no more, no fewer).
REQUIRED_KEYS: tuple[str, ...] = (
    "id",
    "category",
    "question",
    "history",
    "answerable",
    "key_facts",
    "min_facts",
    "evidence",
    "reference_answer",
)

#: Length bounds of one evidence string, counted after :func:`normalise`.
EVIDENCE_MIN_CHARS = 10
EVIDENCE_MAX_CHARS = 40
#: An answerable item cites between 1 and this many evidence strings.
MAX_EVIDENCE_ITEMS = 3
#: Public requirement on the number of items per category.
DEFAULT_MIN_PER_CATEGORY = 15

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class EvalItem:
    """One question of the gold dataset.

    Attributes:
        id: Unique identifier such as ``"num-001"``.
        category: One of :data:`CATEGORIES`.
        question: The user question (the last turn for ``follow_up`` items).
        history: Earlier turns, ``[]`` except for ``follow_up`` items, which
            carry ``[{"role": "user", ...}, {"role": "assistant", ...}]``.
        answerable: Whether the plan contains the answer.
        key_facts: Short strings a correct answer must contain, written as in
            the plan with whitespace removed.
        min_facts: How many of ``key_facts`` a correct answer must contain.
        evidence: Verbatim (whitespace-insensitive) passages of the plan.
        reference_answer: A short correct answer in Chinese.
        fold: ``"fit"``, ``"held"`` or ``""`` (no fold: the item is an evaluation item).
    """

    id: str
    category: str
    question: str
    history: list[dict[str, str]]
    answerable: bool
    key_facts: list[str]
    min_facts: int
    evidence: list[str]
    reference_answer: str
    fold: str = ""
    plan: str = ""


def normalise(text: str) -> str:
    """Apply NFKC normalisation, then remove all whitespace.

    This is the matching rule shared with the scorer: ``"达到 85% "`` and
    ``"达到85%"`` normalise to the same string, as do full-width and ASCII
    punctuation variants.
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_history(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(turn, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in turn.items())
        for turn in value
    )


def _item_from_record(record: Any, where: str) -> EvalItem:
    """Build an :class:`EvalItem`, raising ``ValueError`` mentioning ``where``."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(record).__name__}")
    keys = set(record)
    missing = [k for k in REQUIRED_KEYS if k not in keys]
    extra = sorted(keys - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if extra:
            parts.append(f"unexpected keys {extra}")
        raise ValueError(f"{where}: " + "; ".join(parts))

    type_errors = []
    for key in ("id", "category", "question", "reference_answer"):
        if not isinstance(record[key], str):
            type_errors.append(f"{key} must be a string")
    if not isinstance(record["answerable"], bool):
        type_errors.append("answerable must be true/false")
    # bool is a subclass of int: reject it explicitly.
    if not isinstance(record["min_facts"], int) or isinstance(record["min_facts"], bool):
        type_errors.append("min_facts must be an integer")
    for key in ("key_facts", "evidence"):
        if not _is_str_list(record[key]):
            type_errors.append(f"{key} must be a list of strings")
    if record.get("fold", "") not in ("", *FOLDS):
        type_errors.append(f"fold must be one of {FOLDS}")
    if not isinstance(record.get("plan", ""), str):
        type_errors.append("plan must be a plan id or \"both\"")
    if not _is_history(record["history"]):
        type_errors.append("history must be a list of {role, content} objects")
    if type_errors:
        raise ValueError(f"{where}: " + "; ".join(type_errors))

    return EvalItem(
        id=record["id"],
        category=record["category"],
        question=record["question"],
        history=[dict(turn) for turn in record["history"]],
        answerable=record["answerable"],
        key_facts=list(record["key_facts"]),
        min_facts=record["min_facts"],
        evidence=list(record["evidence"]),
        reference_answer=record["reference_answer"],
        fold=record.get("fold", ""),
        plan=record.get("plan", ""),
    )


def load_dataset(path: str | Path) -> list[EvalItem]:
    """Read a JSONL dataset file into :class:`EvalItem` objects.

    Blank lines are skipped.  Raises ``ValueError`` naming ``file:line`` when a
    line is not valid JSON, is not an object, has missing or extra keys, or has
    a field of the wrong type.  Content checks are left to :func:`validate`.
    """
    path = Path(path)
    items: list[EvalItem] = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: invalid JSON: {exc.msg}") from exc
            items.append(_item_from_record(record, where))
    return items


def _check_history(item: EvalItem) -> list[str]:
    """History rules: follow_up has a user/assistant pair, others have none."""
    problems: list[str] = []
    if item.category == "off_topic" and not item.history:
        return problems
    if item.category in CONVERSATIONAL:
        roles = [turn.get("role") for turn in item.history]
        if roles != ["user", "assistant"]:
            problems.append(
                f"{item.id}: follow_up needs a 2-turn user/assistant history, got roles {roles}"
            )
        for turn in item.history:
            if set(turn) != {"role", "content"} or not turn.get("content", "").strip():
                problems.append(f"{item.id}: history turns need non-empty 'role' and 'content' only")
                break
    elif item.history:
        problems.append(f"{item.id}: history must be empty for category {item.category!r}")
    return problems


def _check_answer_fields(item: EvalItem, plan_norm: str, plan_lines: Sequence[str]) -> list[str]:
    """Key facts, min_facts and evidence, against the normalised plan."""
    problems: list[str] = []
    if item.category in ("unanswerable", "off_topic") and item.answerable:
        problems.append(f"{item.id}: {item.category} item must have answerable=false")

    if not item.answerable:
        if item.key_facts:
            problems.append(f"{item.id}: unanswerable item must have no key facts")
        if item.min_facts != 0:
            problems.append(f"{item.id}: unanswerable item must have min_facts=0")
        if item.evidence:
            problems.append(f"{item.id}: unanswerable item must have no evidence")
        return problems

    if not item.key_facts:
        problems.append(f"{item.id}: answerable item needs at least one key fact")
    if not 1 <= item.min_facts <= len(item.key_facts):
        problems.append(
            f"{item.id}: min_facts={item.min_facts} out of range 1..{len(item.key_facts)}"
        )
    if len(set(item.key_facts)) != len(item.key_facts):
        problems.append(f"{item.id}: duplicate key facts")
    for fact in item.key_facts:
        if not fact or _WHITESPACE.search(fact):
            problems.append(f"{item.id}: key fact {fact!r} is empty or contains whitespace")
        elif normalise(fact) not in plan_norm:
            problems.append(f"{item.id}: key fact {fact!r} not found in plan")

    if not 1 <= len(item.evidence) <= MAX_EVIDENCE_ITEMS:
        problems.append(
            f"{item.id}: needs 1..{MAX_EVIDENCE_ITEMS} evidence strings, has {len(item.evidence)}"
        )
    for evidence in item.evidence:
        norm = normalise(evidence)
        if not EVIDENCE_MIN_CHARS <= len(norm) <= EVIDENCE_MAX_CHARS:
            problems.append(
                f"{item.id}: evidence {evidence!r} has {len(norm)} chars, "
                f"expected {EVIDENCE_MIN_CHARS}..{EVIDENCE_MAX_CHARS}"
            )
        if not any(norm in line for line in plan_lines):
            problems.append(f"{item.id}: evidence {evidence!r} not found in any single plan line")
    return problems


def validate(
    items: Iterable[EvalItem],
    plan_text: str,
    min_per_category: int = DEFAULT_MIN_PER_CATEGORY,
) -> list[str]:
    """Check dataset items against the plan text.

    Args:
        items: Items as returned by :func:`load_dataset`.
        plan_text: Full text of the plan.
        min_per_category: Minimum number of items every category must have.

    Returns:
        Human-readable problems; an empty list means the dataset is valid.
        Checked: unknown category, duplicate or empty id, empty question or
        reference answer, history rules (``follow_up`` needs a user/assistant
        pair, other categories none), answerable/unanswerable consistency,
        ``min_facts`` range, key facts present in the plan, evidence count,
        length and presence within a single line of the plan (all matching
        after :func:`normalise`), and the per-category minimum.
    """
    items = list(items)
    plan_norm = normalise(plan_text)
    plan_lines = [normalise(line) for line in plan_text.splitlines() if line.strip()]
    problems: list[str] = []

    seen: set[str] = set()
    for item in items:
        if not item.id.strip():
            problems.append(f"item with question {item.question[:20]!r}: empty id")
        elif item.id in seen:
            problems.append(f"{item.id}: duplicate id")
        seen.add(item.id)

        if item.category not in CATEGORIES:
            problems.append(f"{item.id}: unknown category {item.category!r}")
        if not item.question.strip():
            problems.append(f"{item.id}: empty question")
        if not item.reference_answer.strip():
            problems.append(f"{item.id}: empty reference_answer")

        problems.extend(_check_history(item))
        problems.extend(_check_answer_fields(item, plan_norm, plan_lines))

    counts = Counter(item.category for item in items)
    for category in CATEGORIES:
        if category in OPTIONAL_CATEGORIES and not counts[category]:
            continue  # a plan-questions file need not hold off-topic ones, a one-plan file no comparisons
        if counts[category] < min_per_category:
            problems.append(
                f"category {category!r} has {counts[category]} items, minimum is {min_per_category}"
            )
    return problems
