"""The briefing draft: answers pinned with their citations, reorderable, exported as Markdown and .docx.

Pure functions over an immutable tuple of items, so the UI state stays trivially copyable and the
exporters are easy to test. Each item's ``[n]`` markers refer to its own citation list; the exports
renumber them against one reference list for the whole briefing, the way a briefing cites.
"""
from __future__ import annotations

import functools
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assistant.text import MARKER
from assistant.types import Answer, Citation
from index.profile import PlanProfile

_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in .docx XML
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!])")


@dataclass(frozen=True)
class BriefingSource:
    """What a briefing's header names: the plan it quotes, and the title it has when none is typed
    (both from the plan's profile, never written here)."""

    plan_title: str
    default_title: str

    @classmethod
    def of(cls, profile: PlanProfile) -> "BriefingSource":
        return cls(plan_title=profile.title, default_title=f"{profile.short_name}要点简报")


@functools.cache
def default_source() -> BriefingSource:
    """The configured plan's (read once, on the first export that names no source)."""
    from index.config import get_settings

    return BriefingSource.of(PlanProfile.load(get_settings().plan_path))


@dataclass(frozen=True)
class BriefingItem:
    """One pinned answer: ``answer`` keeps its [n] markers, ``citations[n-1]`` is marker [n]."""

    question: str
    answer: str
    citations: tuple[Citation, ...] = field(default_factory=tuple)
    query: str = ""

    @classmethod
    def from_answer(cls, question: str, ans: Answer) -> "BriefingItem":
        return cls(question=question, answer=ans.answer, citations=tuple(ans.citations), query=ans.query)


Draft = tuple[BriefingItem, ...]


# -- editing -------------------------------------------------------------------
def add_item(draft: Draft, item: BriefingItem) -> tuple[Draft, bool]:
    """Append ``item``; ``False`` (and the draft unchanged) when the same answer is already pinned."""
    if any(d.question == item.question and d.answer == item.answer for d in draft):
        return draft, False
    return (*draft, item), True


def remove_item(draft: Draft, index: int) -> Draft:
    if not 0 <= index < len(draft):
        return draft
    return draft[:index] + draft[index + 1:]


def move_item(draft: Draft, index: int, delta: int) -> Draft:
    """Move one item up (delta < 0) or down; out-of-range moves are clamped, never an error."""
    if not 0 <= index < len(draft):
        return draft
    target = max(0, min(len(draft) - 1, index + delta))
    items = list(draft)
    items.insert(target, items.pop(index))
    return tuple(items)


# -- numbering -----------------------------------------------------------------
def references(draft: Iterable[BriefingItem]) -> list[Citation]:
    """Every clause cited anywhere in the draft, once, in order of first citation."""
    seen: dict[str, Citation] = {}
    for item in draft:
        for n in _markers_in_order(item):
            c = item.citations[n - 1]
            seen.setdefault(c.clause_id, c)
        for c in item.citations:  # cited but never marked: still a reference
            seen.setdefault(c.clause_id, c)
    return list(seen.values())


def renumber(item: BriefingItem, refs: list[Citation]) -> str:
    """The item's answer with its local [n] markers replaced by the briefing-wide numbers."""
    number = {c.clause_id: i for i, c in enumerate(refs, start=1)}

    def sub(m: re.Match) -> str:
        n = int(m.group(1))
        if 1 <= n <= len(item.citations) and item.citations[n - 1].clause_id in number:
            return f"[{number[item.citations[n - 1].clause_id]}]"
        return m.group(0)

    return MARKER.sub(sub, item.answer)


def _markers_in_order(item: BriefingItem) -> list[int]:
    return [n for n in (int(m.group(1)) for m in MARKER.finditer(item.answer)) if 1 <= n <= len(item.citations)]


def reference_line(n: int, c: Citation) -> str:
    return f"[{n}] {c.label}（条款 {c.clause_id}）"


# -- export --------------------------------------------------------------------
def md_escape(text: str) -> str:
    """Backslash-escape Markdown/HTML syntax so user text stays text when the file is rendered."""
    return _MD_SPECIAL.sub(r"\\\1", text)


_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")


def _md_with_markers(text: str) -> str:
    """Escaped text whose [n] markers stay readable brackets; lines end in hard breaks."""
    escaped = _ESCAPED_MARKER.sub(r"[\1]", md_escape(text))
    escaped = re.sub(r"(\[\d+\])\(", r"\1\\(", escaped)  # "[1](…)" must not become a link
    return "  \n".join(line.strip() for line in escaped.splitlines() if line.strip())


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now()).strftime("%Y-%m-%d %H:%M")


def _header(draft: Draft, title: str, now: datetime | None, source: BriefingSource | None) -> tuple[str, str]:
    """The title (the source's default when none is typed) and the line naming the plan quoted."""
    source = source or default_source()
    return (title.strip() or source.default_title,
            f"资料来源：{source.plan_title}。生成于 {_stamp(now)}，共 {len(draft)} 条。")


def to_markdown(draft: Draft, title: str = "", now: datetime | None = None,
                source: BriefingSource | None = None) -> str:
    """The draft as Markdown: numbered items, then the numbered reference list of clause labels."""
    refs = references(draft)
    heading, origin = _header(draft, title, now, source)
    lines = [f"# {md_escape(heading)}", "", f"> {origin}", ""]
    for i, item in enumerate(draft, start=1):
        lines += [f"## {i}. {md_escape(item.question)}", "", _md_with_markers(renumber(item, refs)), ""]
    if refs:
        lines += ["## 参考条款", ""]
        for n, c in enumerate(refs, start=1):
            lines += [_md_with_markers(reference_line(n, c)), ""]
    return "\n".join(lines).rstrip() + "\n"


def _xml_safe(text: str) -> str:
    return _XML_BAD.sub("", text)


def _set_cjk_font(style, latin: str, east_asian: str) -> None:
    """python-docx sets only the Latin font; Word needs w:eastAsia for Chinese text."""
    from docx.oxml.ns import qn

    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _add_marked_paragraph(doc, text: str) -> None:
    """One paragraph per line, citation markers as superscript runs."""
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        p = doc.add_paragraph()
        pos = 0
        for m in MARKER.finditer(line):
            if m.start() > pos:
                p.add_run(_xml_safe(line[pos:m.start()]))
            p.add_run(m.group(0)).font.superscript = True
            pos = m.end()
        if pos < len(line):
            p.add_run(_xml_safe(line[pos:]))


def to_docx(draft: Draft, title: str = "", now: datetime | None = None,
            source: BriefingSource | None = None) -> bytes:
    """The same content as :func:`to_markdown`, as a Word document."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    _set_cjk_font(doc.styles["Normal"], "Times New Roman", "宋体")
    doc.styles["Normal"].font.size = Pt(12)
    for name in ("Title", "Heading 1", "Heading 2"):
        _set_cjk_font(doc.styles[name], "Times New Roman", "黑体")
    refs = references(draft)
    heading, origin = _header(draft, title, now, source)
    doc.add_heading(_xml_safe(heading), level=0)
    doc.add_paragraph(origin)
    for i, item in enumerate(draft, start=1):
        doc.add_heading(_xml_safe(f"{i}. {item.question}"), level=1)
        _add_marked_paragraph(doc, renumber(item, refs))
    if refs:
        doc.add_heading("参考条款", level=1)
        for n, c in enumerate(refs, start=1):
            doc.add_paragraph(_xml_safe(reference_line(n, c)))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_exports(draft: Draft, title: str, out_dir: Path, now: datetime | None = None,
                  source: BriefingSource | None = None) -> tuple[Path, Path]:
    """Write both files into a fresh sub-directory (so concurrent users never share a file)."""
    now = now or datetime.now()
    folder = Path(out_dir) / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"qiaoxi-briefing-{now:%Y%m%d-%H%M%S}"
    md_path, docx_path = folder / f"{stem}.md", folder / f"{stem}.docx"
    md_path.write_text(to_markdown(draft, title, now, source), encoding="utf-8")
    docx_path.write_bytes(to_docx(draft, title, now, source))
    return md_path, docx_path
