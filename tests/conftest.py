"""Shared fixtures: the real plan, the real store (built once per session), the real assistant."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings (the project's own store, built on first use and reused)."""
    return get_settings()


@pytest.fixture(scope="session")
def plan_text(settings: Settings) -> str:
    return settings.plan_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def tree(plan_text: str):
    from index.parser import parse_plan

    return parse_plan(plan_text)


@pytest.fixture(scope="session")
def bot(settings: Settings):
    from assistant import Assistant

    return Assistant.load(settings)
