"""Parse a plan into a lossless clause tree: 篇 › 章 › 节 › 一、 › (一) › 1. › (1), a preface, boxes (专栏),
a glossary (名词解释) and appendices (附表/附件). What each line is: ``index/layout.py``; here, where it belongs.

Usage::

    from index.parser import parse_plan
    tree = parse_plan(open("data/plans/qiaoxi_14th/plan.txt", encoding="utf-8").read())
    tree.by_id["10.2.2"].label   # '第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」'

Ids come only from the document's own numbering and paragraph order, so the same text always gives
the same ids (citations stay valid across rebuilds):

- part 第十二篇: ``P12`` (kind ``heading``, level 0); paragraphs directly under it ``P12.1``, ``P12.2``…
- chapter: its number (``49``) when chapter numbers rise through the whole document (numbered across the
  parts, or no parts at all), else qualified by its part (``P2C3``: numbers restarting in each part); level 1.
  Its own paragraphs are ``49.0.1``… (the ``.0.`` keeps them apart from its headings' ids).
- a heading below: its parent's id and its own number (第二节 ``49.2``, 一、 below it ``49.2.1``), level =
  its parent's + 1; its paragraphs ``49.2.3``, or ``49.2.0.3`` when numbered headings sit below it.
- box 专栏3: ``49.2.B3`` (kind ``heading``, level its parent's + 1), paragraphs ``49.2.B3.1``.
- preface: heading ``0`` (前言/序言), paragraphs ``0.1``…; a heading-less opening paragraph is ``0.1`` too
  (parent None); glossary ``G``, entries ``G.4``; appendices ``A1``, ``A2``… in order, paragraphs ``A1.1``;
  the title lines ``T``; a pasted table of contents ``TOC`` (kind ``title``, like ``T``: never searched).
- a text with no 篇/章 heading but 一、 headings (国务院 and ministry plans): the 一、 headings are its chapters
  (``1``, ``2``…, labelled 「二、总体要求」), （一） its sections (``2.1``: 「二、总体要求 (一)指导思想」).
- 「（一）加强基础研究。加大…」: the heading 「（一）加强基础研究。」 and its first paragraph, two clauses in one line.
- page-number lines (「— 3 —」) are in no clause's text, but in the span of the clause before them.

A part is level 0 so that every existing use keeps its meaning: level 1 is a chapter, ≥ 2 a heading
inside one (section, subsection…), and a part's title, like a chapter's, is a slogan no topic search
takes whole. Labels read as a person cites: ``第十二篇 第四十九章 第二节 标题 ¶3「lead」``,
``第十章 二、推进教育均衡发展 ¶2「…」``; paths hold the part's, chapter's and headings' titles.

A layout the parser cannot place raises :class:`PlanLayoutError` naming the line (a 第X节 before any
第X章, numbering going backwards under one heading, a heading pasted twice, a duplicate id); a text with no
篇/章/一、 heading at all raises :class:`FlatPlanError`. Numbering that skips a number is placed and noted in ``tree.notes``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from index.clauses import Clause, ClauseTree
from index.layout import (APPENDIX, BOX, CHAPTER, GLOSSARY, GLOSSARY_ENTRY_RE, ITEM, JIE, PART, PREFACE, RANKS,
                          Heading, Line, blank_separated, cn_to_int, is_heading_line, is_page_number, is_toc_heading,
                          list_marker, normalise_spaces, normalise_title, quote, read_lines,
                          recognise, split_heading, split_paragraph, toc_entry)

__all__ = ["parse_plan", "split_paragraph", "PlanLayoutError", "FlatPlanError", "cn_to_int", "normalise_spaces"]

PREFACE_LABEL = "前言"  # how the heading-less opening paragraph is cited: 前言 ¶1
TOC_ID, TOC_LABEL = "TOC", "目录"  # a pasted table of contents: one front-matter clause (kind 'title', not searched)
# A line in a box that is a body paragraph, not a box line: unnumbered prose of several sentences and this long.
BOX_PROSE_CHARS = 80
_RANK_ORDER = {r.name: r.order for r in RANKS}


class PlanLayoutError(ValueError):
    """A line the parser cannot place; ``line`` is its 1-based line number in the source."""

    def __init__(self, line: Line | int, problem: str) -> None:
        self.line = line.number if isinstance(line, Line) else line
        self.text = quote(line) if isinstance(line, Line) else ""
        where = f"line {self.line}: " if self.line else ""
        super().__init__(f"{where}{problem}" + (f": 「{self.text}」" if self.text else ""))


class FlatPlanError(PlanLayoutError):
    """No 第X篇, 第X章 or 一、 heading (nor a preface, glossary or appendix) in the text: nothing to nest."""


# -- pass 1: what belongs where -------------------------------------------------------------------
@dataclass(eq=False)
class _Node:
    """A heading or region of the plan; ids, labels and paths are filled in by pass 2."""

    kind: str  # part | chapter | heading | box | preface | glossary | appendix
    head: Heading
    line: Line
    parent: "_Node | None"
    level: int
    cid: str = ""
    label: str = ""
    path: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()  # the part's and chapter's numbering, cited before a heading: 第十二篇 第四十九章
    numbered_below: bool = False  # a ranked heading sits below it (its paragraphs then take '.0.')
    inline: bool = False  # its text follows its title on the same line (「（一）加强基础研究。加大…」)


@dataclass
class _Entry:
    glossary: _Node
    number: int
    term: str
    lines: list[Line] = field(default_factory=list)


class _Reader:
    """Reads the lines in order, keeping the open headings, into events: nodes, paragraphs, entries."""

    def __init__(self, inline_leads: bool, items_top: bool = False) -> None:
        self.inline_leads = inline_leads
        self.items_top = items_top  # no 篇/章 in the text: its 一、 headings are its chapters
        self.events: list[tuple] = []  # ("node", _Node) | ("para", _Node | None, Line, lead) | ("entry", _Entry)
        #                                | ("toc", [Line])
        self.title_lines: list[Line] = []
        self.title_closed = False  # a table of contents came after the title: later short lines are no title
        self.stack: list[_Node] = []  # the open ranked headings, innermost last
        self.region = ""  # '' front matter, 'body', or PREFACE | GLOSSARY | APPENDIX
        self.region_node: _Node | None = None
        self.box: _Node | None = None
        self.box_last = 0  # line number of the box's last line, to see a blank line inside or after it
        self.box_filled = False
        self.box_list: tuple[str, int] | None = None  # the box's list numbering: its kind and last number
        self.box_item_titled = False  # the box's last line is a numbered item that is a title, not a sentence
        self.preface_seen = False
        self.last: dict[tuple, _Node] = {}  # (parent, rank name) → the previous sibling of that rank
        self.toc: list[Line] | None = None  # the table of contents being read
        self.toc_first: Heading | None = None
        self.pages: list[Line] = []  # page-number lines: in no clause's text

    def feed(self, line: Line) -> None:
        if self.toc is not None and self._toc_takes(line):
            return
        if is_page_number(line, bare=self.region in ("body", PREFACE) and self.box is None):
            self.pages.append(line)
            return
        if is_toc_heading(line) and self.region in ("", PREFACE) and not any(e[0] == "toc" for e in self.events):
            self.toc, self.toc_first = [line], None
            self.title_closed = bool(self.title_lines)
            return
        head, inline = recognise(line), None
        if head is None:
            inline = split_heading(line)
            head = inline[1] if inline else None
        opens_region = head and (head.rank in (PART, CHAPTER) or head.special in (PREFACE, GLOSSARY, APPENDIX)
                                 or (self.items_top and head.rank is ITEM and self.region != APPENDIX))
        if opens_region:
            self._close_box()
            self._open_region(head, line, inline)
        elif self.region == GLOSSARY:
            self._entry(line)
        elif self.region in (PREFACE, APPENDIX):
            self._para(self.region_node, line)
        elif not self.region:
            self._front(line, head if not inline else None)
        else:
            self._body(line, head, inline)

    def _toc_takes(self, line: Line) -> bool:
        """Whether the table of contents goes on with this line: a heading line, until the numbering restarts
        (the body's first heading repeats the first entry; a preface is listed first or not at all, so a 前言
        after other entries is the body's). Else the table ends here."""
        entry = toc_entry(line)
        first = self.toc_first
        restarts = first is not None and entry is not None and (
            (entry.rank, entry.special) == (first.rank, first.special) and entry.number <= first.number
            or entry.special == PREFACE)
        if entry is None or restarts:
            self.events.append(("toc", self.toc))
            self.toc = None
            return False
        self.toc_first = first or entry
        self.toc.append(line)
        return True

    def finish(self) -> None:
        if self.toc is not None:
            self.events.append(("toc", self.toc))
            self.toc = None

    def _add(self, node: _Node) -> _Node:
        self.events.append(("node", node))
        return node

    def _open_region(self, head: Heading, line: Line, inline: tuple | None = None) -> None:
        if head.rank:
            self.region = "body"
            self._place(head, line, inline)
            return
        if head.special == PREFACE and self.preface_seen:
            raise PlanLayoutError(line, "a second preface")
        if head.special == GLOSSARY and any(e[0] == "node" and e[1].kind == GLOSSARY for e in self.events):
            raise PlanLayoutError(line, "a second glossary")
        self.preface_seen |= head.special == PREFACE
        self.stack = []
        self.region = head.special
        self.region_node = self._add(_Node(head.special, head, line, None, 1))

    def _front(self, line: Line, head: Heading | None) -> None:
        """Before any 篇/章/前言: the title's short lines, then a heading-less preface."""
        if head and head.rank is JIE:
            raise PlanLayoutError(line, "a 第X节 before any 第X章")
        if not self.preface_seen and not self.title_closed and is_heading_line(line.text):
            self.title_lines.append(line)
            return
        self.preface_seen = True
        self._para(None, line)

    def _body(self, line: Line, head: Heading | None, inline: tuple | None) -> None:
        if self.box:
            if head and head.special == BOX or head and head.rank and self._ends_box(head, bool(inline)):
                self._close_box()
            elif self._box_takes(line):
                return
            else:
                self._close_box()
        if head and head.special == BOX:
            # A box belongs to the deepest open heading, but not to a heading whose text is its own line's
            # (「（二）…。…」 is one item of its parent's list): the box after it is its parent's.
            parent = next((n for n in reversed(self.stack) if not n.inline), self.stack[-1])
            self.box = self._add(_Node(BOX, head, line, parent, parent.level + 1))
            self.box_last, self.box_filled, self.box_list = line.number, False, None
        elif head and head.rank:
            self._place(head, line, inline)
        else:
            self._para(self.stack[-1], line)

    def _ends_box(self, head: Heading, inline: bool) -> bool:
        """A box holds its title and its list. A ranked heading ends it when it is of a rank above the box's
        list, of 一、 or above, at or above the box's parent's rank, or when it continues the numbering of the
        parent's own child headings (「（三）」 after 「（一）」「（二）」 and a box) rather than the box's list;
        continuing both, it is the body's if its text follows on its line (「（三）加强基础研究。加大…」)."""
        rank, parent = head.rank, self.box.parent
        if rank.order <= ITEM.order or (parent.head.rank and rank.order <= parent.head.rank.order):
            return True
        if self.box_list and rank.order < _RANK_ORDER.get(self.box_list[0], 99):
            return True
        prev = self.last.get((parent, rank.name))
        continues_parent = prev is not None and head.number > prev.head.number
        continues_box = self.box_list is not None and self.box_list == (rank.name, head.number - 1)
        return continues_parent and (inline or not continues_box)

    def _box_takes(self, line: Line) -> bool:
        """Whether this line (no heading that ends the box) is one of the open box's lines: its list items
        (1. （1） 01 ① …, and short lines such as a table's rows) run on until a blank line, and across blank
        lines while the lines after them go on numbering the box's list (or, in a box without numbering, are
        short rows that are no sentence); a long prose paragraph of several sentences after the box's lines
        is the body's again."""
        marker = list_marker(line)
        after_blank = line.number > self.box_last + 1
        continues = marker is not None and (self.box_list is None or marker[0] == self.box_list[0])
        # 「——」 lines under a numbered item that is a title (「1.…改造提升工程」, no sentence) spell out that
        # item, blank lines between them or not: the box's list goes on after them.
        elaborates = marker is None and line.text.startswith("——") and self.box_item_titled
        if self.box_filled and after_blank:
            numbered_on = continues and self.box_list is not None and marker[1] == self.box_list[1] + 1
            row = self.box_list is None and marker is None and is_heading_line(line.text)
            if not (numbered_on or row or elaborates):
                return False
        if self.box_filled and marker is None and len(line.text) >= BOX_PROSE_CHARS and line.text.count("。") >= 2:
            return False
        if continues:
            self.box_list = marker
            self.box_item_titled = "。" not in line.text
        elif not elaborates:
            self.box_item_titled = False
        self.box_filled, self.box_last = True, line.number
        self._para(self.box, line)
        return True

    def _close_box(self) -> None:
        self.box, self.box_filled, self.box_list, self.box_item_titled = None, False, None, False

    def _place(self, head: Heading, line: Line, inline: tuple | None = None) -> None:
        rank = head.rank
        as_chapter = self.items_top and rank is ITEM
        while self.stack and self.stack[-1].head.rank.order >= rank.order:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if rank is JIE and (parent is None or parent.head.rank is not CHAPTER):
            raise PlanLayoutError(line, "a 第X节 outside any 第X章")
        if rank.order > JIE.order and not as_chapter and (parent is None or parent.head.rank is PART):
            raise PlanLayoutError(line, f"a {rank.name} heading outside any 第X章")
        prev = self.last.get((parent, rank.name))
        if prev and head.number == prev.head.number and head.text == prev.head.text:
            raise PlanLayoutError(line, f"a duplicate heading ({head.element} again, as on line {prev.line.number}: "
                                        "pasted twice?)")
        if prev and head.number <= prev.head.number:
            raise PlanLayoutError(line, f"numbering goes backwards ({head.element} after {prev.head.element}, "
                                        f"line {prev.line.number})")
        kind = "chapter" if rank is CHAPTER or as_chapter else "part" if rank is PART else "heading"
        level = parent.level + 1 if parent else (0 if rank is PART else 1)
        node = self._add(_Node(kind, head, inline[0] if inline else line, parent, level, inline=bool(inline)))
        if parent and kind == "heading":
            parent.numbered_below = True
        self.last[(parent, rank.name)] = node
        self.stack.append(node)
        if inline:
            self._para(node, inline[2])

    def _para(self, container: _Node | None, line: Line) -> None:
        for piece, lead in split_paragraph(line, self.inline_leads):
            self.events.append(("para", container, piece, lead))

    def _entry(self, line: Line) -> None:
        m = GLOSSARY_ENTRY_RE.match(line.text)
        if m:
            term = re.split(r"[:：]", m.group(2), maxsplit=1)[0].strip()
            self.events.append(("entry", _Entry(self.region_node, int(m.group(1)), term, [line])))
        elif self.events and self.events[-1][0] == "entry":
            self.events[-1][1].lines.append(line)  # an entry running over several lines
        else:
            raise PlanLayoutError(line, "text under 名词解释 that is not an entry")


# -- pass 2: ids, labels, paths -----------------------------------------------------------------
def _chapters_rise(nodes: list[_Node]) -> bool:
    numbers = [n.head.number for n in nodes if n.kind == "chapter"]
    return all(a < b for a, b in zip(numbers, numbers[1:]))


def _name(node: _Node, global_chapters: bool, appendix_no: int) -> None:
    """Fill in the node's id, path, label and tokens (its parent is named already)."""
    head, parent = node.head, node.parent
    if node.kind in (PREFACE, GLOSSARY):
        node.cid = "0" if node.kind == PREFACE else "G"
        node.label, node.path = head.text, (head.text,)
        return
    if node.kind == APPENDIX:
        node.cid, node.label, node.path = f"A{appendix_no}", head.element, (head.element,)
        return
    if node.kind == "part":
        node.cid = f"P{head.number}"
    elif node.kind == "chapter":
        qualified = parent is not None and not global_chapters
        node.cid = f"P{parent.head.number}C{head.number}" if qualified else str(head.number)
    elif node.kind == BOX:
        node.cid = f"{parent.cid}.B{head.numeral if '-' in head.numeral else head.number}"  # 专栏1-1: 4.B1-1
    else:
        node.cid = f"{parent.cid}.{head.number}"
    node.path = (parent.path if parent else ()) + (head.element,)
    # A chapter's numbering is cited before its headings (第四十九章 第二节 …); an 一、 chapter's numbering is its
    # title's own start, so the whole title is (一、总体要求 (一)指导思想).
    token = (head.token or head.title,) if node.kind in ("part", "chapter") else ()
    node.tokens = (parent.tokens if parent else ()) + token
    if node.level <= 2:
        node.label = " ".join((parent.tokens if parent else ()) + (head.element,))
    else:
        node.label = f"{parent.label} {head.element}"


def _paragraph_id(container: _Node | None, n: int) -> str:
    if container is None:
        return f"0.{n}"
    if container.kind == "chapter" or (container.kind == "heading" and container.numbered_below):
        return f"{container.cid}.0.{n}"
    return f"{container.cid}.{n}"


def _skips(nodes: list[_Node], global_chapters: bool) -> list[str]:
    """Notes on numbering that skips (placed all the same): 第三节 right after 第一节."""
    groups: dict[tuple, list[_Node]] = defaultdict(list)
    for n in nodes:
        if n.kind in ("part", "chapter", "heading"):
            groups[(None if n.kind == "chapter" and global_chapters else n.parent, n.head.rank.name)].append(n)
    notes = []
    for group in groups.values():
        for expected, n in enumerate(group, start=1):
            if n.head.number != expected:
                notes.append(f"line {n.line.number}: {n.head.rank.name} numbering skips to {n.head.number} "
                             f"(expected {expected}): 「{n.head.text[:30]}」")
                break
    return notes


def _items_top(lines: list[Line]) -> bool:
    """No 第X篇 or 第X章 heading, but 一、 headings: the layout of 国务院 and ministry special plans, whose 一、
    headings are their chapters (and （一） their sections)."""
    ranks = {head.rank for head in map(recognise, lines) if head and head.rank}
    return ITEM in ranks and not ranks & {PART, CHAPTER}


def _extend_over(clauses: list[Clause], pages: list[Line]) -> list[Clause]:
    """Page-number lines are in no clause's text but, for losslessness, in the span of the clause before them
    (the first clause's, for one before any)."""
    for page in pages:
        before = [i for i, c in enumerate(clauses) if c.start < page.start]
        if before:
            i = max(before, key=lambda j: clauses[j].start)
            clauses[i] = replace(clauses[i], end=max(clauses[i].end, page.end))
        else:
            i = min(range(len(clauses)), key=lambda j: clauses[j].start)
            clauses[i] = replace(clauses[i], start=page.start)
    return clauses


def parse_plan(source: str, source_name: str = "") -> ClauseTree:
    """Parse plan text into a :class:`ClauseTree` covering every non-space character."""
    lines = read_lines(source)
    if not lines:
        raise PlanLayoutError(0, "the plan text is empty")
    reader = _Reader(inline_leads=not blank_separated(lines), items_top=_items_top(lines))
    for line in lines:
        reader.feed(line)
    reader.finish()
    nodes = [e[1] for e in reader.events if e[0] == "node"]
    if not any(n.kind in ("part", "chapter", PREFACE, GLOSSARY, APPENDIX) for n in nodes):
        raise FlatPlanError(lines[0].number, "no 第X篇, 第X章 or 一、 heading found: the text is flat")
    global_chapters = _chapters_rise(nodes)
    clauses: list[Clause] = []
    where: dict[str, int] = {}  # clause id → line number, to name both lines of a duplicate
    counts: dict[_Node | None, int] = defaultdict(int)
    appendices = 0

    def add(clause: Clause, line: Line) -> None:
        if clause.clause_id in where:
            raise PlanLayoutError(line, f"duplicate id {clause.clause_id} (also line {where[clause.clause_id]})")
        where[clause.clause_id] = line.number
        clauses.append(clause)

    for event in reader.events:
        if event[0] == "node":
            node = event[1]
            appendices += node.kind == APPENDIX
            _name(node, global_chapters, appendices)
            add(Clause(clause_id=node.cid, kind="heading", label=node.label, path=node.path,
                       title=node.head.title, text=node.head.text, start=node.line.start, end=node.line.end,
                       parent_id=node.parent.cid if node.parent else None, level=node.level), node.line)
        elif event[0] == "toc":
            toc = event[1]
            add(Clause(clause_id=TOC_ID, kind="title", label=TOC_LABEL, path=(TOC_LABEL,), title=TOC_LABEL,
                       text="\n".join([toc[0].text] + [" ".join(l.raw.split()) for l in toc[1:]]), start=toc[0].start, end=toc[-1].end),
                toc[0])
        elif event[0] == "para":
            _, container, piece, lead = event
            counts[container] += 1
            n = counts[container]
            label = f"{container.label if container else PREFACE_LABEL} ¶{n}" + (f"「{lead}」" if lead else "")
            add(Clause(clause_id=_paragraph_id(container, n), kind="paragraph", label=label,
                       path=container.path if container else (PREFACE_LABEL,), title=lead, text=piece.text,
                       start=piece.start, end=piece.end, parent_id=container.cid if container else None), piece)
        else:
            entry = event[1]
            first, last = entry.lines[0], entry.lines[-1]
            add(Clause(clause_id=f"G.{entry.number}", kind="glossary",
                       label=f"{entry.glossary.label} {entry.number}.{entry.term}", path=entry.glossary.path,
                       title=entry.term, text="\n".join(l.text for l in entry.lines),
                       start=first.start, end=last.end, parent_id="G"), first)
    if reader.title_lines:
        first, last = reader.title_lines[0], reader.title_lines[-1]
        clauses.insert(0, Clause(clause_id="T", kind="title", label="标题", path=("标题",),
                                 title=normalise_title(first.raw),
                                 text="\n".join(normalise_title(l.raw) for l in reader.title_lines),
                                 start=first.start, end=last.end))
    notes = _skips(nodes, global_chapters)
    toc = next((e[1] for e in reader.events if e[0] == "toc"), None)
    if toc:
        notes.append(f"lines {toc[0].number}-{toc[-1].number}: a table of contents ({len(toc) - 1} entries) kept "
                     f"as clause {TOC_ID}, front matter like the title, not searched")
    if reader.pages:
        shown = "、".join(f"「{quote(p)}」" for p in reader.pages[:3])
        notes.append(f"{len(reader.pages)} page-number line{'s' if len(reader.pages) > 1 else ''} ({shown}{'…' if len(reader.pages) > 3 else ''}, "
                     f"first line {reader.pages[0].number}) left out of the clause text")
    return ClauseTree(clauses=_extend_over(clauses, reader.pages), source_name=source_name, notes=tuple(notes))
