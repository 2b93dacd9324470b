"""Reading a plan's text from the file a user has: plain text, Markdown or Word (.docx).

``read_plan_text(path)`` returns the plan as plain text, one paragraph a line, for ``index/parser.py``.
A PDF is refused (its extracted text runs lines together and splits words: convert and check it first),
and so is anything the parser could not read sensibly: an unknown suffix, an empty or oversized file,
text that is not UTF-8.
"""
from __future__ import annotations

import re
from pathlib import Path

MAX_SOURCE_BYTES = 5 * 1024 * 1024  # the national outline is 0.2 MB; a plan text 25 times that is no plan text
TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
WORD_SUFFIXES = (".docx",)
CELL_SEPARATOR = " | "  # between the cells of a table row (Word or Markdown), kept in the text


class PlanSourceError(ValueError):
    """The file cannot be read as a plan; the message says why and what to do."""


def read_plan_text(path: str | Path) -> str:
    """The plan's plain text; raises :class:`PlanSourceError` with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise PlanSourceError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise PlanSourceError(f"{path}: PDF is not read (its text comes out with broken lines and words): "
                              "convert it to .txt first (e.g. `pdftotext -layout plan.pdf plan.txt`) and check the text")
    if suffix == ".doc":
        raise PlanSourceError(f"{path}: old Word .doc is not read: save it as .docx or .txt")
    if suffix not in TEXT_SUFFIXES + MARKDOWN_SUFFIXES + WORD_SUFFIXES:
        raise PlanSourceError(f"{path}: unsupported file type {suffix or '(none)'!r}: use .txt, .md or .docx")
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise PlanSourceError(f"{path}: {size / 1e6:.1f} MB is over the {MAX_SOURCE_BYTES // (1024 * 1024)} MB cap "
                              "for a plan text")
    text = _read_docx(path) if suffix in WORD_SUFFIXES else _decode(path)
    if suffix in MARKDOWN_SUFFIXES:
        text = markdown_to_text(text)
    if not text.strip():
        raise PlanSourceError(f"{path}: the file holds no text")
    return text


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is dropped
    except UnicodeDecodeError as e:
        raise PlanSourceError(f"{path}: not UTF-8 text (byte {e.start}); convert it first, "
                              f"e.g. `iconv -f GB18030 -t UTF-8 {path.name} > plan.txt`") from e
    if "\x00" in text:
        raise PlanSourceError(f"{path}: binary data, not text")
    return text


# -- Markdown -----------------------------------------------------------------------------------
# Each rule keeps the words and drops the markup; line by line, so blank lines (paragraphs) stay.
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_QUOTE = re.compile(r"^\s*>\s?")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")  # 「- 项目」 → 「项目」; numbered items 「1. 项目」 keep their number
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = (re.compile(r"\*\*(.+?)\*\*"), re.compile(r"__(.+?)__"), re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*"),
                re.compile(r"~~(.+?)~~"), re.compile(r"`([^`]+)`"))
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def markdown_to_text(md: str) -> str:
    """Markdown to plain text: headings without #, emphasis, links and bullets without markup, table rows
    as cells joined by `` | ``; numbered items keep their numbers (a plan's 1. level)."""
    out = []
    for line in md.splitlines():
        if _MD_FENCE.match(line) or (_MD_TABLE_RULE.match(line) and "|" in line):
            continue
        if _MD_RULE.match(line):
            out.append("")
            continue
        m = _MD_HEADING.match(line)
        if m:
            line = m.group(1)
        line = _MD_BULLET.sub("", _MD_QUOTE.sub("", line))
        if line.strip().startswith("|"):
            line = CELL_SEPARATOR.join(cell.strip() for cell in line.strip().strip("|").split("|"))
        line = _MD_LINK.sub(r"\1", _MD_IMAGE.sub(r"\1", line))
        for pattern in _MD_EMPHASIS:
            line = pattern.sub(r"\1", line)
        out.append(_MD_ESCAPE.sub(r"\1", line))
    return "\n".join(out) + "\n"


# -- Word ---------------------------------------------------------------------------------------
def _read_docx(path: Path) -> str:
    """The paragraphs and table rows of a .docx in document order, a blank line between paragraphs."""
    try:
        import docx  # python-docx, imported only for a Word file
        from docx.table import Table
    except ImportError as e:  # pragma: no cover - python-docx is in requirements.txt
        raise PlanSourceError("reading .docx needs python-docx (pip install -r requirements.txt)") from e
    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises several kinds for a damaged or mislabelled file
        raise PlanSourceError(f"{path}: not a readable .docx ({type(e).__name__})") from e
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks += [_row_text(row) for row in block.rows]
        else:
            blocks.append(block.text)
    return "\n\n".join(b.strip() for b in blocks if b.strip()) + "\n"


def _row_text(row) -> str:
    cells, seen = [], []
    for cell in row.cells:  # a merged cell comes once per grid column it spans
        if not any(cell._tc is tc for tc in seen):
            seen.append(cell._tc)
            cells.append(cell.text.strip())
    return CELL_SEPARATOR.join(cells)
