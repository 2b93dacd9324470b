"""Which plans there are, where each one's text, profile and store live, and building them all.

Every plan is a folder ``<plans dir>/<plan_id>/`` holding ``plan.txt`` and ``profile.toml``. The
configured plan (``Settings.plan_path``) is the *primary* one: questions are about it unless they name
another. Each plan has its own store, so a plan is rebuilt only when its own source, profile or
questions (or the embedding model) change; the primary's store is ``Settings.store_dir`` as before
and every other plan's sits beside it in ``<store_dir>.plans/<plan_id>/``.

The plans dir is the folder that holds the primary plan's folder: a plan copied alone into a
temporary folder (as tests do) brings no other plan with it.
"""
from __future__ import annotations

import re
from pathlib import Path

from index.config import Settings
from index.profile import PROFILE_FILE, PlanProfile
from index.store import Log, ensure_store

PLAN_FILE = "plan.txt"
PLAN_ID = re.compile(r"^[a-z0-9_]{2,40}$")  # a folder name that is safe in a path and a URL


def plans_dir(settings: Settings) -> Path:
    return Path(settings.plan_path).parent.parent


def primary_id(settings: Settings) -> str:
    return Path(settings.plan_path).parent.name


def plan_ids(settings: Settings) -> list[str]:
    """The primary plan first, then every other plan folder with a text and a profile, by id."""
    primary = primary_id(settings)
    root = plans_dir(settings)
    others = sorted(p.name for p in root.iterdir()
                    if p.is_dir() and p.name != primary and PLAN_ID.match(p.name)
                    and (p / PLAN_FILE).is_file() and (p / PROFILE_FILE).is_file()) if root.is_dir() else []
    return [primary, *others]


def settings_for(settings: Settings, plan_id: str) -> Settings:
    """The settings that read and store ``plan_id``: the primary's own, or a copy pointing at the plan's
    folder and its store beside the primary's."""
    if plan_id == primary_id(settings):
        return settings
    if not PLAN_ID.match(plan_id):
        raise ValueError(f"not a plan id: {plan_id!r}")
    store_dir = Path(settings.store_dir)
    return settings.model_copy(update={
        "plan_path": plans_dir(settings) / plan_id / PLAN_FILE,
        "store_dir": store_dir.parent / f"{store_dir.name}.plans" / plan_id,
    })


def load_profiles(settings: Settings) -> dict[str, PlanProfile]:
    """Every plan's profile by id, the primary first."""
    return {pid: PlanProfile.load(settings_for(settings, pid).plan_path) for pid in plan_ids(settings)}


def ensure_all(settings: Settings, log: Log = print, force: bool = False, others_only: bool = False) -> list[str]:
    """Build every plan's store that is missing, stale or corrupt (all when forced); the ids built.
    ``others_only``: all but the primary's (whose loading checks it anyway)."""
    built = []
    for pid in plan_ids(settings)[1 if others_only else 0:]:
        def plan_log(message: str, pid: str = pid) -> None:
            log(f"[{pid}] {message}")

        if ensure_store(settings_for(settings, pid), log=plan_log, force=force):
            built.append(pid)
    return built
