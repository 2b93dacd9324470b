"""The public result types (stable: tests, eval, app and outside scripts depend on them)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    """A cited clause. ``plan`` is its plan's id ('' where only one plan is loaded); a clause of any
    plan but the primary one has its plan's short name in front of its label (《…》第十二篇 …)."""

    clause_id: str
    label: str
    text: str
    plan: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    """``answer`` holds [n] markers; ``citations[n-1]`` is the clause behind marker [n]."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    query: str = ""
    related: list[Citation] = field(default_factory=list)
    notice: str = ""
    mode: str = "extractive"
    reason: str = ""  # why the plan does not answer, when abstained
    timings: dict = field(default_factory=dict)
    # "answered" | "not_in_plan" (in scope; related clauses shown) | "out_of_scope" (a friendly reply,
    # no plan text) | "empty"
    outcome: str = "answered"
    background: str = ""  # the earlier topic a follow-up was read with

    def to_dict(self) -> dict:
        return {"answer": self.answer, "abstained": self.abstained, "query": self.query,
                "citations": [c.to_dict() for c in self.citations],
                "related": [c.to_dict() for c in self.related],
                "notice": self.notice, "mode": self.mode, "reason": self.reason,
                "outcome": self.outcome, "background": self.background}
