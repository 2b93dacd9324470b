"""The clause: the unit every answer cites, and the tree it lives in."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Clause:
    """One citable piece of the plan.

    ``start``/``end`` are character offsets into the source file, so a citation can
    always be traced back to the verbatim text even after space normalisation.
    """

    clause_id: str
    kind: str  # title | heading | paragraph | glossary
    label: str
    path: tuple[str, ...]
    title: str
    text: str
    start: int
    end: int
    parent_id: str | None = None
    level: int = 0  # heading depth: 1 chapter, 2 section (节 or 一、), 3 subsection…; 0 for a part (篇) and non-headings

    def to_dict(self) -> dict:
        d = asdict(self)
        d["path"] = list(self.path)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Clause":
        return cls(**{**d, "path": tuple(d["path"])})


@dataclass
class ClauseTree:
    """All clauses of one plan in source order, with parent/child look-ups."""

    clauses: list[Clause]
    source_name: str = ""
    notes: tuple[str, ...] = ()  # what the parser placed but found odd (numbering that skips), for `index add --check`
    by_id: dict[str, Clause] = field(init=False, repr=False)
    position: dict[str, int] = field(init=False, repr=False)  # clause id → its index in ``clauses``

    def __post_init__(self) -> None:
        self.by_id = {c.clause_id: c for c in self.clauses}
        self.position = {c.clause_id: i for i, c in enumerate(self.clauses)}
        if len(self.by_id) != len(self.clauses):
            raise ValueError("duplicate clause ids in tree")

    def children(self, clause_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.parent_id == clause_id]

    def get(self, clause_id: str) -> Clause | None:
        return self.by_id.get(clause_id)

    def count(self, kind: str, level: int | None = None) -> int:
        return sum(1 for c in self.clauses if c.kind == kind and (level is None or c.level == level))
