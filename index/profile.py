"""A plan's own facts (name, region, periods and years) read from ``profile.toml`` beside its text.

Nothing in ``assistant/`` names a plan, a district or a period year: question reading and answer
checks take the periods from here, so the same code reads another plan's questions correctly (a
result of the previous period is no target of this one, whichever periods a plan names).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from index.lexicon import TWO_DIGIT_YEAR

PROFILE_FILE = "profile.toml"
EARLIEST_YEAR = 1990  # years before a plan's period that a question or sentence may name


class ProfileError(ValueError):
    """The profile file is missing a field or has a wrong one; the message names it."""


@dataclass(frozen=True)
class Period:
    name: str  # as people say it (the profile's name of the five-year period)
    start: int
    end: int

    def __post_init__(self) -> None:
        if not self.name or self.start > self.end:
            raise ProfileError(f"period {self.name!r}: needs a name and start <= end")


@dataclass(frozen=True)
class PlanProfile:
    """What the assistant needs to know about one plan."""

    id: str
    name: str  # the full title, without the book-title marks
    short_name: str
    level: str
    region: str
    region_aliases: tuple[str, ...]
    period: Period
    previous_period: Period
    long_range_year: int
    parent_plan: str = ""
    example_questions: tuple[str, ...] = ()
    edition: str = ""  # '2022年更新'
    assistant_name: str = "规划问答"
    resident_questions: tuple[str, ...] = ()
    briefing_questions: tuple[str, ...] = ()
    # Phrases by which a question names this plan (「国家规划」「国家层面」): such a question is answered
    # from this plan (assistant/plan_routing.py).
    mentions: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: str | Path) -> "PlanProfile":
        """Read ``profile.toml`` (or the one beside a plan text when given the text's path)."""
        path = Path(path)
        if path.suffix != ".toml":
            path = path.parent / PROFILE_FILE
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise ProfileError(f"no plan profile at {path}") from e
        except tomllib.TOMLDecodeError as e:
            raise ProfileError(f"{path}: {e}") from e
        try:
            return cls(id=str(raw["id"]), name=str(raw["name"]), short_name=str(raw["short_name"]),
                       level=str(raw["level"]), region=str(raw["region"]),
                       region_aliases=tuple(raw.get("region_aliases", ())),
                       period=Period(**raw["period"]), previous_period=Period(**raw["previous_period"]),
                       long_range_year=int(raw["long_range_year"]), parent_plan=str(raw.get("parent_plan", "")),
                       example_questions=tuple(raw.get("example_questions", ())),
                       edition=str(raw.get("edition", "")),
                       assistant_name=str(raw.get("assistant_name", cls.assistant_name)),
                       resident_questions=tuple(raw.get("resident_questions", ())),
                       briefing_questions=tuple(raw.get("briefing_questions", ())),
                       mentions=tuple(raw.get("mentions", ())))
        except (KeyError, TypeError) as e:
            raise ProfileError(f"{path}: missing or malformed field {e}") from e

    @property
    def title(self) -> str:
        """The plan as a citation names it: 《name》（edition）."""
        return f"《{self.name}》" + (f"（{self.edition}）" if self.edition else "")

    @property
    def heading(self) -> str:
        """A short line naming the plan: region, period and edition."""
        return f"{self.region}“{self.period.name}”规划" + (f"（{self.edition}）" if self.edition else "")

    # -- patterns built once from the profile ------------------------------------------
    @cached_property
    def future_date(self) -> re.Pattern[str]:
        """A named period or year inside the plan's horizon: its period's name, its years, the long-range year."""
        years = [*range(self.period.start, self.period.end + 1), self.long_range_year]
        return re.compile("|".join([re.escape(self.period.name), *map(str, years)]))

    @cached_property
    def past_years(self) -> str:
        """An alternation (regex source) of the years before the plan's period: results, not targets."""
        return "|".join(map(str, range(EARLIEST_YEAR, self.period.start)))

    @cached_property
    def past_date(self) -> re.Pattern[str]:
        """The previous period or a year before the plan's."""
        return re.compile(f"{re.escape(self.previous_period.name)}|{self.past_years}")

    def full_years(self, text: str) -> str:
        """``text`` with the years it says in two digits written in full (「到25年」 → 「到2025年」), when the
        year is one this plan speaks of: from the year before its previous period (the base year a review
        counts from) to its long-range year. Residents say years so; the plan writes them in full."""
        first, last = self.previous_period.start - 1, self.long_range_year

        def full(m: re.Match[str]) -> str:
            year = first // 100 * 100 + int(m.group(1))
            return f"{year}年" if first <= year <= last else m.group(0)
        return TWO_DIGIT_YEAR.sub(full, text)

    @cached_property
    def period_names(self) -> tuple[str, ...]:
        return (self.period.name, self.previous_period.name)

    @cached_property
    def own_names(self) -> frozenset[str]:
        """Words that name the plan itself, its region or periods: never what a question is about."""
        return frozenset((*self.region_aliases, *(a + "的" for a in self.region_aliases), *self.period_names,
                          *self.mentions))
