"""Every loaded plan's answering engine, and answers that come from more than one plan.

The primary plan's engine is the :class:`assistant.api.Assistant` the caller loaded; another plan's
engine is loaded on its first question (or by :meth:`PlanEngines.warm` in the background, so the app
starts as fast as with one plan), sharing the primary's embedding model and LLM.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Mapping

from assistant.plan_routing import UnknownPlan
from assistant.text import MARKER
from assistant.types import Answer, Citation
from index.profile import PlanProfile

if TYPE_CHECKING:
    from assistant.api import Assistant

log = logging.getLogger(__name__)


class PlanEngines:
    """The engines by plan id: the primary's given, every other loaded once, on first use."""

    def __init__(self, primary: "Assistant", profiles: Mapping[str, PlanProfile],
                 load: Callable[[str], "Assistant"]) -> None:
        if primary.plan_id not in profiles:
            raise ValueError(f"the primary plan {primary.plan_id!r} has no profile among {list(profiles)}")
        self.primary_id = primary.plan_id
        self.profiles = dict(profiles)
        self._load = load
        self._engines: dict[str, "Assistant"] = {primary.plan_id: primary}
        self._lock = threading.Lock()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.profiles)

    def get(self, plan_id: str) -> "Assistant":
        """The plan's engine, loading it first if this is its first use (one load, however many ask);
        :class:`UnknownPlan` for a plan that is not loaded."""
        if plan_id not in self.profiles:
            raise UnknownPlan(plan_id, self.profiles)
        with self._lock:
            engine = self._engines.get(plan_id)
            if engine is None:
                engine = self._engines[plan_id] = self._load(plan_id)
        return engine

    def warm(self) -> threading.Thread:
        """Load every other plan's engine in a background thread (the app calls this after it starts)."""
        def run() -> None:
            for pid in self.ids:
                try:
                    self.get(pid)
                except Exception as e:  # the plan is then loaded (and the error shown) at its first use
                    log.warning("could not load plan %s: %s", pid, e)
        thread = threading.Thread(target=run, name="load-plans", daemon=True)
        thread.start()
        return thread



def stamped(res: Answer, plan_id: str, prefix: str) -> Answer:
    """``res`` with its plan's id on every citation and related clause, and ``prefix`` (the plan's name,
    for any plan but the primary) in front of their labels."""
    def stamp(c: Citation) -> Citation:
        return replace(c, plan=plan_id, label=prefix + c.label)
    return replace(res, citations=[stamp(c) for c in res.citations], related=[stamp(c) for c in res.related])


def combined(parts: list[tuple[str, Answer]]) -> Answer:
    """One answer from several plans' answers (each already verified against its own clauses): each
    under its plan's name, markers renumbered to follow on, citations in marker order."""
    lines, citations, related, notices = [], [], [], []
    for heading, res in parts:
        offset = len(citations)
        text = res.answer.splitlines()[0] if res.abstained and res.answer else res.answer
        lines.append(f"【{heading}】")
        lines.append(MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", text))
        citations += res.citations
        related += res.related
        if res.notice:
            notices.append(res.notice)
    answered = [res for _, res in parts if not res.abstained]
    first = parts[0][1]
    return Answer(answer="\n".join(lines), citations=citations, abstained=not answered,
                  query=first.query, related=[] if answered else related,
                  notice=" ".join(dict.fromkeys(notices)), mode=answered[0].mode if answered else first.mode,
                  reason="" if answered else first.reason,
                  outcome="answered" if answered else first.outcome, background=first.background,
                  timings={"total_s": sum(res.timings.get("total_s", 0.0) for _, res in parts)})
