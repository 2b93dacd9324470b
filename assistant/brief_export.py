"""A topic briefing (专题简报) as Markdown and as a Word document, and both written for download.

Kept apart from assistant/briefing.py (the pinned-answers draft) because the shape differs: numbered
sections of cited lines, a real table of figures, a reference list. The shared pieces (escaping, the
CJK fonts, the superscript markers, the header naming the plan, the fresh folder per export) are
briefing.py's, so both exports look alike and are equally safe.
"""
from __future__ import annotations

import io
import uuid
from datetime import datetime
from pathlib import Path

from assistant.briefing import (
    BriefingSource, _add_marked_paragraph, _md_with_markers, _set_cjk_font, _stamp, _xml_safe, default_source,
    md_escape, reference_line,
)
from assistant.topic_brief import FIGURE_COLUMNS, FIGURES, GLOSSARY, REFERENCES, REVIEW, TASKS, TopicBrief

EMPTY_SECTION = "（规划中没有这方面的内容。）"


def brief_title(brief: TopicBrief) -> str:
    return f"{brief.topic}专题简报"


def _origin(brief: TopicBrief, now: datetime | None, source: BriefingSource) -> str:
    return (f"资料来源：{source.plan_title}。生成于 {_stamp(now)}；全部内容摘自规划原文，"
            f"共引用 {len(brief.references)} 个条款。")


def _figure_cells(brief: TopicBrief) -> list[tuple[str, ...]]:
    """The amount alone, exactly as the clause writes it (the comparator is in the cited sentence)."""
    return [(f.indicator, f.amount, f.year or "—", f.kind_label, f"[{f.ref}]") for f in brief.figures]


def to_markdown(brief: TopicBrief, now: datetime | None = None, source: BriefingSource | None = None) -> str:
    """Headings per section, one bullet per cited line, the figures as a pipe table, then the references."""
    source = source or default_source()
    out = [f"# {md_escape(brief_title(brief))}", "", f"> {md_escape(_origin(brief, now, source))}", ""]

    def section(title: str, lines) -> None:
        out.extend([f"## {title}", ""])
        out.extend([f"- {_md_with_markers(f'{x.text}[{x.ref}]')}" for x in lines] or [EMPTY_SECTION])
        out.append("")

    section(REVIEW, brief.review)
    out.extend([f"## {FIGURES}", ""])
    if brief.figures:
        out.append("| " + " | ".join(FIGURE_COLUMNS) + " |")
        out.append("|" + "---|" * len(FIGURE_COLUMNS))
        for cells in _figure_cells(brief):
            out.append("| " + " | ".join(md_escape(c).replace("\\[", "[").replace("\\]", "]") for c in cells) + " |")
    else:
        out.append(EMPTY_SECTION)
    out.append("")
    section(TASKS, brief.tasks)
    section(GLOSSARY, brief.glossary)
    out.extend([f"## {REFERENCES}", ""])
    out.extend(f"{_md_with_markers(reference_line(n, c))}  " for n, c in enumerate(brief.references, start=1))
    return "\n".join(out).rstrip() + "\n"


def to_docx(brief: TopicBrief, now: datetime | None = None, source: BriefingSource | None = None) -> bytes:
    """The same content as :func:`to_markdown`: Heading styles, a Word table for the figures, and the
    reference list under its own heading."""
    from docx import Document
    from docx.shared import Pt

    source = source or default_source()
    doc = Document()
    _set_cjk_font(doc.styles["Normal"], "Times New Roman", "宋体")
    doc.styles["Normal"].font.size = Pt(12)
    for name in ("Title", "Heading 1", "Heading 2"):
        _set_cjk_font(doc.styles[name], "Times New Roman", "黑体")
    doc.add_heading(_xml_safe(brief_title(brief)), level=0)
    doc.add_paragraph(_xml_safe(_origin(brief, now, source)))

    def section(title: str, lines) -> None:
        doc.add_heading(title, level=1)
        if not lines:
            doc.add_paragraph(EMPTY_SECTION)
        for x in lines:
            _add_marked_paragraph(doc, f"{x.text}[{x.ref}]")

    section(REVIEW, brief.review)
    doc.add_heading(FIGURES, level=1)
    if brief.figures:
        table = doc.add_table(rows=1, cols=len(FIGURE_COLUMNS))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, FIGURE_COLUMNS):
            cell.text = name
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
        for cells in _figure_cells(brief):
            row = table.add_row().cells
            for cell, value in zip(row, cells):
                cell.text = _xml_safe(value)
    else:
        doc.add_paragraph(EMPTY_SECTION)
    section(TASKS, brief.tasks)
    section(GLOSSARY, brief.glossary)
    doc.add_heading(REFERENCES, level=1)
    for n, c in enumerate(brief.references, start=1):
        doc.add_paragraph(_xml_safe(reference_line(n, c)))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_brief_exports(brief: TopicBrief, out_dir: Path, now: datetime | None = None,
                        source: BriefingSource | None = None) -> tuple[Path, Path]:
    """Both files in a fresh sub-directory, as the draft's exports are (concurrent users never share one).
    The file names carry no user text: only the time."""
    now = now or datetime.now()
    folder = Path(out_dir) / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"qiaoxi-topic-brief-{now:%Y%m%d-%H%M%S}"
    md_path, docx_path = folder / f"{stem}.md", folder / f"{stem}.docx"
    md_path.write_text(to_markdown(brief, now, source), encoding="utf-8")
    docx_path.write_bytes(to_docx(brief, now, source))
    return md_path, docx_path


__all__ = ["brief_title", "to_docx", "to_markdown", "write_brief_exports"]
