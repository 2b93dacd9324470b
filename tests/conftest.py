"""Shared fixtures: the real plan, the real store (built once per session), the real assistant.

Every test runs in an isolated environment (``_isolated_session`` and ``isolated_env`` below): no
``QIAOXI_*`` variable a developer exported reaches the settings or the shared ``bot``, and the temp
folder, Gradio's temp folder and the feedback log point into pytest's temporary folders, never at the
system's ``/tmp``, the home directory or the repository.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from index.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
# Not settings of the product: where the browser test keeps its screenshots when asked to.
KEPT_VARIABLES = frozenset({"QIAOXI_SCREENSHOT_DIR"})


def pytest_collection_modifyitems(items) -> None:
    """A test that uses the shared ``bot`` needs the project's store: marked ``store`` (pytest.ini), so a
    run without one (mutation testing, docs/testing.md) can deselect it with ``-m "not store"``."""
    for item in items:
        if "bot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.store)


def clear_qiaoxi_variables(mp: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("QIAOXI_") and name not in KEPT_VARIABLES:
            mp.delenv(name)


def point_temp_at(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """Temp files of this process (``tempfile``) and of its children (``TMPDIR``) and Gradio's go under ``folder``."""
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    mp.setenv("TMPDIR", str(folder / "tmp"))
    mp.setattr(tempfile, "tempdir", str(folder / "tmp"))
    mp.setenv("GRADIO_TEMP_DIR", str(folder / "gradio"))
    mp.setenv("QIAOXI_FEEDBACK_PATH", str(folder / "feedback" / "feedback.jsonl"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_session(tmp_path_factory) -> None:
    """Before any session or module fixture (the settings, the ``bot``, a running app) is made."""
    folder = tmp_path_factory.mktemp("session-env")  # pytest's base temp is chosen before TMPDIR moves
    with pytest.MonkeyPatch.context() as mp:
        clear_qiaoxi_variables(mp)
        mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        point_temp_at(mp, folder)
        yield


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test: no ``QIAOXI_*`` variable from outside, temp files and the feedback log in its ``tmp_path``."""
    clear_qiaoxi_variables(monkeypatch)
    point_temp_at(monkeypatch, tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def settings(_isolated_session) -> Settings:
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
