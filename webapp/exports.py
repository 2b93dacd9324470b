"""Files the app writes for download (briefings, figure tables): each in a fresh folder under the
process's private export folder, and none kept past its lifetime.

The export folder itself is removed when the process exits (webapp.server.export_folder); a long-running
server also drops what users downloaded long ago, so the disk a busy day fills is bounded.
"""
from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

MAX_AGE_S = 3600.0  # a download link older than an hour is stale: the folder behind it is removed
MAX_FOLDERS = 500  # and never more than this many exports at once (the oldest go first)
# Gradio serves each download from its own copy (GRADIO_TEMP_DIR), which it keeps for good unless told:
# every this many seconds the copies older than MAX_AGE_S are removed (webapp.ui, Blocks' delete_cache).
CACHE_SWEEP_S = 600


def fresh_folder(root: Path, now: float | None = None) -> Path:
    """A new, empty folder for one export, after removing exports past their age or beyond the cap."""
    root.mkdir(parents=True, exist_ok=True)
    prune(root, now)
    folder = root / uuid.uuid4().hex[:12]
    folder.mkdir()
    return folder


def prune(root: Path, now: float | None = None) -> int:
    """Remove export folders older than MAX_AGE_S, then the oldest beyond MAX_FOLDERS; how many went."""
    now = time.time() if now is None else now
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    stale = [p for p in folders if now - p.stat().st_mtime > MAX_AGE_S]
    keep = [p for p in folders if p not in stale]
    stale += keep[:max(0, len(keep) - MAX_FOLDERS + 1)]  # room for the one about to be made
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return len(stale)
