"""Run the assistant's public API over a dataset and collect one scored record per item.

Only the public API is used (``Assistant.ask`` with each item's history, and
``Assistant.retrieve`` for retrieval figures), so the evaluation measures what a
user of the library gets.  Retrieval is measured on ``res.query`` (the condensed
standalone query) so follow-up questions are judged fairly.
"""
from __future__ import annotations

import platform
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Sequence

from eval.dataset import EvalItem
from eval.metrics import CitedClause, ItemRecord, score_record, summarise

RETRIEVAL_K = 5
WARM_UP_QUESTION = "规划的主要目标是什么？"
Progress = Callable[[int, int], None]


@dataclass
class SystemRun:
    """The records and summary of one system (the assistant or a baseline)."""

    name: str
    records: list[ItemRecord]
    summary: dict
    load_seconds: float
    notes: str = ""
    warmup_ms: float = 0.0


@dataclass
class EvalRun:
    """Everything one invocation measured; what the report writers consume."""

    config: str
    dataset: str
    started: str
    settings: dict[str, Any]
    system: SystemRun
    baselines: list[SystemRun] = field(default_factory=list)
    dataset_warnings: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)


def select_items(items: Sequence[EvalItem], limit: int | None = None,
                 category: str | None = None, fold: str | None = None) -> list[EvalItem]:
    """Filter by category and fold, then take ``limit`` items round-robin over categories.

    Round-robin so that ``--limit 8`` samples every category instead of the
    first eight number questions; dataset order is kept within a category.
    """
    pool = [it for it in items if (category is None or it.category == category)
            and (fold is None or it.fold == fold)]
    if limit is None or limit >= len(pool):
        return pool
    queues: dict[str, list[EvalItem]] = defaultdict(list)
    for it in pool:
        queues[it.category].append(it)
    chosen: set[str] = set()
    while len(chosen) < limit:
        for queue in queues.values():
            if queue and len(chosen) < limit:
                chosen.add(queue.pop(0).id)
    return [it for it in pool if it.id in chosen]


def base_record(item: EvalItem) -> ItemRecord:
    """A record carrying the item's gold fields, before any system output."""
    return ItemRecord(id=item.id, category=item.category, question=item.question,
                      answerable=item.answerable, key_facts=list(item.key_facts),
                      min_facts=item.min_facts, evidence=list(item.evidence),
                      history_turns=len(item.history))


def ask_item(bot: Any, item: EvalItem) -> ItemRecord:
    """Ask one question through the public API and record answer, citations, retrieval."""
    rec = base_record(item)
    t0 = time.perf_counter()
    try:
        res = bot.ask(item.question, history=item.history)
    except Exception as exc:  # a crash of one item is recorded, the run goes on
        rec.latency_ms = (time.perf_counter() - t0) * 1000
        rec.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(file=sys.stderr)
        return score_record(rec)
    rec.latency_ms = (time.perf_counter() - t0) * 1000
    rec.answer = res.answer
    rec.abstained = bool(res.abstained)
    rec.out_of_scope = getattr(res, "outcome", "") == "out_of_scope"
    rec.shows_plan_text = bool(res.citations or res.related)
    rec.query = res.query or item.question
    rec.cited = [CitedClause(c.clause_id, c.label, c.text) for c in res.citations]
    background = getattr(res, "background", "")
    hits = _retrieve(bot, item, f"{rec.query} {background}".strip())
    rec.retrieved_ids = [h.clause.clause_id for h in hits]
    rec.retrieved_texts = [h.clause.text for h in hits]
    return score_record(rec)


def _retrieve(bot: Any, item: EvalItem, query: str) -> list:
    """The retrieval figures' hits, from the plans the question was answered from (the ranks of several
    plans interleaved: each plan's best first)."""
    plans = bot.route(item.question, item.history).plan_ids if hasattr(bot, "route") else (None,)
    if len(plans) == 1:
        return bot.retrieve(query, k=RETRIEVAL_K, **({"plan": plans[0]} if plans[0] else {}))
    per_plan = [bot.retrieve(query, k=RETRIEVAL_K, plan=p) for p in plans]
    return [h for rank in zip(*per_plan) for h in rank][:RETRIEVAL_K]


def warm_up(bot: Any) -> float:
    """One untimed question and one search per mode, so lazy loading (the embedding model,
    jieba's dictionary) is not charged to the first item's latency; returns its ms."""
    t0 = time.perf_counter()
    bot.ask(WARM_UP_QUESTION)
    for mode in ("bm25", "dense"):
        bot.retrieve(WARM_UP_QUESTION, k=RETRIEVAL_K, mode=mode)
    return (time.perf_counter() - t0) * 1000


def run_system(bot: Any, items: Sequence[EvalItem], progress: Progress | None = None) -> SystemRun:
    """Warm up, then ask every item; the summary is computed over all of them."""
    warmup_ms = warm_up(bot)
    records = []
    for i, item in enumerate(items, start=1):
        records.append(ask_item(bot, item))
        if progress:
            progress(i, len(items))
    return SystemRun(name="system", records=records, summary=summarise(records),
                     load_seconds=float(getattr(bot, "load_seconds", 0.0)), warmup_ms=warmup_ms)


def settings_snapshot(bot: Any) -> dict[str, Any]:
    """The settings that shape results (paths and secrets' env names are harmless)."""
    settings = getattr(bot, "settings", None)
    if settings is None:
        return {}
    data = settings.model_dump() if hasattr(settings, "model_dump") else dict(vars(settings))
    return _flat(data)


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parameter objects as dotted keys ('answer.min_subject'); tuples as lists, paths as text."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, (tuple, list)):
            out[prefix + key] = list(value)
        else:
            out[prefix + key] = value if isinstance(value, (int, float, bool, str)) else str(value)
    return out


def environment() -> dict[str, str]:
    """Where the figures were measured (latency depends on it)."""
    return {"python": platform.python_version(), "machine": platform.machine(),
            "platform": platform.platform()}


def today() -> str:
    return datetime.now().strftime("%Y-%m-%d")


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")
