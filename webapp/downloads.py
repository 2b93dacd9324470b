"""The one update every download button gets (the briefing draft's, the topic briefing's, the figures
table's): its fresh file, and clickable only when there is one.

An export can fail or have nothing to write (an empty draft, a topic the plan does not cover, filters that
leave no row); the button then greys out instead of offering the previous, stale file.
"""
from __future__ import annotations

import gradio as gr


def download_buttons(*paths: str | None) -> tuple[gr.DownloadButton, ...]:
    """One update per button, in the order of ``paths`` (the event's outputs)."""
    return tuple(gr.DownloadButton(value=path, interactive=path is not None) for path in paths)
