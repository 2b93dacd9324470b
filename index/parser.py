"""Parse a plan in the common 章/节/(一) layout into a lossless clause tree.

Usage::

    from index.parser import parse_plan
    tree = parse_plan(open("data/plan.txt", encoding="utf-8").read())
    tree.by_id["10.2.1"].label   # '第十章 二、推进教育均衡发展 ¶1「推进学前教育普及普惠发展」'

Ids are derived only from the document's own numbering and paragraph order, so the
same source always yields the same ids (citations stay valid across rebuilds).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.clauses import Clause, ClauseTree

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "〇零一二两三四五六七八九十百"

CHAPTER_RE = re.compile(rf"^第([{CN_NUM}]+)章\s*(.*)$")
SECTION_RE = re.compile(rf"^([{CN_NUM}]+)\s*、\s*(.+)$")
SUBSECTION_RE = re.compile(rf"^[(（]\s*([{CN_NUM}]+)\s*[)）]\s*(.+)$")
GLOSSARY_ENTRY_RE = re.compile(r"^(\d+)\s*[.．、]\s*(.+)$")
PREFACE_HEADINGS = ("前言", "序言")
GLOSSARY_HEADINGS = ("名词解释",)
# A heading line is short and is not a sentence.
MAX_HEADING_CHARS = 80
# A lead phrase is a short clause-free sentence that names the paragraph's topic.
LEAD_RE = re.compile(r"^[^,，、;；:：()（）!?！？]{3,20}$")
MIN_INLINE_LEADS = 2

_SPACE_RUN = re.compile(r"\s+")


def cn_to_int(s: str) -> int:
    """Chinese numeral (up to 999) to int: 十→10, 十六→16, 二十三→23."""
    if not s:
        raise ValueError("empty numeral")
    total, current = 0, 0
    for ch in s:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in CN_DIGITS:
            current = current * 10 + CN_DIGITS[ch] if current else CN_DIGITS[ch]
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + current


def normalise_spaces(text: str) -> str:
    """Drop stray spaces ('2025 年'→'2025年'); keep one between two Latin words."""

    def repl(m: re.Match) -> str:
        s, e = m.start(), m.end()
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        if "\n" in m.group(0):
            return "\n"
        if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
            return " "
        return ""

    return _SPACE_RUN.sub(repl, text).strip()


@dataclass
class _Line:
    start: int
    end: int
    raw: str

    @property
    def text(self) -> str:
        return normalise_spaces(self.raw)


def _lines(source: str) -> list[_Line]:
    out, pos = [], 0
    for raw in source.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if body.strip():
            lead = len(body) - len(body.lstrip())
            trail = len(body.rstrip())
            out.append(_Line(pos + lead, pos + trail, body[lead:trail]))
        pos += len(raw)
    return out


def _is_heading_line(text: str) -> bool:
    return len(text) <= MAX_HEADING_CHARS and not text.endswith("。")


def _sentence_spans(raw: str) -> list[tuple[int, int]]:
    """Spans of sentences ending in 。 (the last may lack it), in raw offsets."""
    spans, start = [], 0
    for m in re.finditer("。", raw):
        spans.append((start, m.end()))
        start = m.end()
    if raw[start:].strip():
        spans.append((start, len(raw)))
    return spans


def _lead_of(sentence: str) -> str | None:
    """The lead phrase if this (normalised) sentence is one, else None."""
    body = sentence.lstrip("—-").rstrip("。")
    if sentence.endswith("。") and LEAD_RE.match(body):
        return body
    return None


def split_paragraph(line: _Line) -> list[tuple[_Line, str]]:
    """Split a paragraph at inline lead phrases; return (piece, lead title) pairs."""
    spans = _sentence_spans(line.raw)
    leads = [i for i, (s, e) in enumerate(spans)
             if 0 < i < len(spans) - 1 and _lead_of(normalise_spaces(line.raw[s:e]))]
    cut_at = leads if len(leads) >= MIN_INLINE_LEADS else []
    bounds = [0] + cut_at + [len(spans)]
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        s, e = spans[a][0], spans[b - 1][1]
        raw = line.raw[s:e]
        lead_strip = len(raw) - len(raw.lstrip())
        raw = raw.strip()
        piece = _Line(line.start + s + lead_strip, line.start + s + lead_strip + len(raw), raw)
        first = normalise_spaces(line.raw[spans[a][0]:spans[a][1]])
        title = _lead_of(first) if b - a > 1 else None
        pieces.append((piece, title or ""))
    return pieces


def _label_parts(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def parse_plan(source: str, source_name: str = "") -> ClauseTree:
    """Parse plan text into a :class:`ClauseTree` covering every non-space character."""
    lines = _lines(source)
    if not lines:
        raise ValueError("the plan text is empty")
    clauses: list[Clause] = []
    chapter = section = subsection = container = None
    para_no = 0
    section_has_sub = False
    title_lines: list[_Line] = []
    glossary: Clause | None = None

    def add_para(line: _Line, title: str) -> None:
        nonlocal para_no
        if container is None:
            raise ValueError(f"paragraph before any heading at offset {line.start}")
        para_no += 1
        base = container.clause_id
        if container.level == 1 and base != "0":
            cid = f"{base}.0.{para_no}"
        elif container.level == 2 and section_has_sub:
            cid = f"{base}.0.{para_no}"
        else:
            cid = f"{base}.{para_no}"
        label = f"{container.label} ¶{para_no}" + (f"「{title}」" if title else "")
        clauses.append(Clause(clause_id=cid, kind="paragraph", label=label, path=container.path,
                              title=title, text=line.text, start=line.start, end=line.end,
                              parent_id=container.clause_id))

    def add_heading(cid: str, level: int, line: _Line, title: str, label: str,
                    path: tuple[str, ...], parent: Clause | None) -> Clause:
        c = Clause(clause_id=cid, kind="heading", label=label, path=path, title=title,
                   text=line.text, start=line.start, end=line.end,
                   parent_id=parent.clause_id if parent else None, level=level)
        clauses.append(c)
        return c

    for i, line in enumerate(lines):
        text = line.text
        if glossary is not None:
            m = GLOSSARY_ENTRY_RE.match(text)
            if m:
                n = int(m.group(1))
                term = re.split(r"[:：]", m.group(2), maxsplit=1)[0].strip()
                clauses.append(Clause(clause_id=f"G.{n}", kind="glossary",
                                      label=f"名词解释 {n}.{term}", path=("名词解释",), title=term,
                                      text=text, start=line.start, end=line.end, parent_id="G"))
            else:  # continuation of the previous entry
                prev = clauses[-1]
                if prev.kind != "glossary":
                    raise ValueError(f"text under 名词解释 that is not an entry: {text[:30]!r}")
                clauses[-1] = Clause(**{**prev.to_dict(), "path": prev.path,
                                        "text": prev.text + "\n" + text, "end": line.end})
            continue
        if text in GLOSSARY_HEADINGS:
            glossary = add_heading("G", 1, line, text, text, (text,), None)
            continue
        if text in PREFACE_HEADINGS:
            chapter = add_heading("0", 1, line, text, text, (text,), None)
            section = subsection = None
            container, para_no = chapter, 0
            continue
        m = CHAPTER_RE.match(text)
        if m and _is_heading_line(text):
            n = cn_to_int(m.group(1))
            ch_title = m.group(2).strip()
            label = _label_parts(f"第{m.group(1)}章", ch_title)
            chapter = add_heading(str(n), 1, line, ch_title, label, (label,), None)
            section = subsection = None
            container, para_no = chapter, 0
            continue
        if chapter is None:
            title_lines.append(line)
            continue
        m = SECTION_RE.match(text)
        if m and _is_heading_line(text) and chapter.clause_id != "0":
            n = cn_to_int(m.group(1))
            sec_title = f"{m.group(1)}、{m.group(2).strip()}"
            section = add_heading(f"{chapter.clause_id}.{n}", 2, line, sec_title,
                                  _label_parts(chapter.label.split(" ")[0], sec_title),
                                  chapter.path + (sec_title,), chapter)
            subsection = None
            container, para_no = section, 0
            section_has_sub = any(SUBSECTION_RE.match(l.text) and _is_heading_line(l.text)
                                  for l in _until_next_section(lines, i + 1))
            continue
        m = SUBSECTION_RE.match(text)
        if m and _is_heading_line(text):
            parent = section or chapter
            n = cn_to_int(m.group(1))
            sub_title = f"({m.group(1)}){m.group(2).strip()}"
            if section is None:  # (一) directly under a chapter acts as its section
                section = add_heading(f"{chapter.clause_id}.{n}", 2, line, sub_title,
                                      _label_parts(chapter.label.split(" ")[0], sub_title),
                                      chapter.path + (sub_title,), chapter)
                container, para_no, section_has_sub = section, 0, False
                continue
            subsection = add_heading(f"{parent.clause_id}.{n}", 3, line, sub_title,
                                     _label_parts(parent.label, sub_title),
                                     parent.path + (sub_title,), parent)
            container, para_no = subsection, 0
            continue
        for piece, lead in split_paragraph(line):
            add_para(piece, lead)

    if title_lines:
        first, last = title_lines[0], title_lines[-1]
        text = "\n".join(l.text for l in title_lines)
        clauses.insert(0, Clause(clause_id="T", kind="title", label="标题", path=("标题",),
                                 title=title_lines[0].text, text=text,
                                 start=first.start, end=last.end))
    return ClauseTree(clauses=clauses, source_name=source_name)


def _until_next_section(lines: list[_Line], start: int) -> list[_Line]:
    out = []
    for line in lines[start:]:
        t = line.text
        if (CHAPTER_RE.match(t) or SECTION_RE.match(t)) and _is_heading_line(t):
            break
        if t in GLOSSARY_HEADINGS:
            break
        out.append(line)
    return out
