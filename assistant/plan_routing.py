"""Which plan a question is about.

By default a question is about the primary plan (the district's). A question that names another plan
the way people do (「国家规划里…」「国家层面…」, the phrases in that plan's ``profile.toml`` ``mentions``) is
about that plan; one that names two plans (the plan above and the district by its region's name) is
answered from each.
A follow-up that names no plan stays with the plan the conversation was about. A plan chosen by the
caller (the app's selector, ``--plan``, the API's ``plan`` field) overrides all of this.

The names come from the profiles only: no plan, region or period is written here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from index.profile import PlanProfile


@dataclass(frozen=True)
class Route:
    """The plans to answer from, in the order the answer shows them, and why."""

    plan_ids: tuple[str, ...]
    why: str  # "chosen" | "named" | "conversation" | "default"
    # The question as each plan is asked it: where it names plans, without those names (「国家规划里森林覆盖率
    # 是多少」 asks the outline 「里森林覆盖率是多少」: a plan's name says where to look, not what is asked, and
    # the outline's sentences never hold it); '' : the question as asked.
    question: str = ""


class UnknownPlan(ValueError):
    """A plan id the caller chose is not one of the loaded plans; the message lists those."""

    def __init__(self, plan: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown plan {plan!r}; plans: {', '.join(known)}")


def plan_names(profile: PlanProfile, primary: bool) -> tuple[str, ...]:
    """The phrases that name this plan in a question: its ``mentions`` and short name, and for the
    primary plan also its region's names (a district question names its district; a national
    outline's region, the whole country, is said of many things and names no plan)."""
    names = [*profile.mentions, profile.short_name]
    if primary:
        names += profile.region_aliases
    return tuple(dict.fromkeys(n for n in names if n))


def named_plans(text: str, profiles: Mapping[str, PlanProfile], primary_id: str) -> tuple[str, ...]:
    """The plans ``text`` names, in the order it first names them (a longer name wins where two overlap:
    「国家××规划」 is not also the primary's 「××规划」)."""
    return tuple(dict.fromkeys(pid for _, _, pid in _name_spans(text, profiles, primary_id)))


def without_names(text: str, profiles: Mapping[str, PlanProfile], primary_id: str) -> str:
    """``text`` with every phrase that names a plan taken out."""
    out, last = [], 0
    for start, end, _ in _name_spans(text, profiles, primary_id):
        out.append(text[last:start])
        last = end
    return "".join(out) + text[last:]


def _name_spans(text: str, profiles: Mapping[str, PlanProfile], primary_id: str) -> list[tuple[int, int, str]]:
    """(start, end, plan id) of each plan name in ``text``, in text order, longer names first where two overlap."""
    found: list[tuple[int, int, str]] = []
    names = sorted(((n, pid) for pid, p in profiles.items() for n in plan_names(p, pid == primary_id)),
                   key=lambda np_: -len(np_[0]))
    for name, pid in names:
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(s < end and start < e for s, e, _ in found):
                found.append((start, end, pid))
            start = text.find(name, end)
    return sorted(found)


def route(question: str, history: list[dict], profiles: Mapping[str, PlanProfile], primary_id: str,
          chosen: str | None = None, is_follow_up: Callable[[str], bool] = lambda q: False) -> Route:
    """Where ``question`` is answered from (see the module docstring)."""
    named = named_plans(question, profiles, primary_id)
    asked = _without_names(question, profiles, primary_id) if named and named != (primary_id,) else ""
    if chosen:
        if chosen not in profiles:
            raise UnknownPlan(chosen, profiles)
        return Route((chosen,), "chosen", asked if chosen != primary_id else "")
    if named:  # a district question naming only its district is asked as it is
        return Route(named, "named", asked)
    if is_follow_up(question):
        # the plan of the latest user turn that named one, through a chain of follow-ups; a standalone
        # question in between was about the primary plan
        for turn in reversed(history):
            if turn.get("role") != "user":
                continue
            earlier = named_plans(turn.get("content", ""), profiles, primary_id)
            if earlier:
                return Route(earlier, "conversation")
            if not is_follow_up(turn.get("content", "")):
                break
    return Route((primary_id,), "default")


def _without_names(question: str, profiles: Mapping[str, PlanProfile], primary_id: str) -> str:
    """The question another plan is asked: without the plans' names and the particles left at its ends
    ('' when too little is left to ask)."""
    stripped = without_names(question, profiles, primary_id).strip(" ，,、的里")
    return stripped if len(stripped) >= 2 else ""
