"""A plan's lines and the headings Chinese plans use: what each line of a plan *is*, before nesting.

The heading ranks, from the top (``RANKS``); a rank may be skipped (a 章 with （一） directly below it):

====  ===================  =================================================================
rank  written              what it is
====  ===================  =================================================================
篇    第十二篇 标题         a part: chapters under one theme (national and provincial outlines)
章    第四十九章 标题       a chapter
节    第二节 标题           a section of a chapter
一、  二、标题              a numbered heading (the section of plans without 节)
(一)  （一）标题 / (一)标题  the next level down
1.    1.标题 / 1．/ 1、     numbered items
(1)   （1）标题 / (1)标题    the lowest numbered level
====  ===================  =================================================================

Besides the ranks, a few headings open a region of their own (``SPECIAL``): the preface (前言), the
glossary (名词解释), an appendix (附表1…) and a box (专栏3…, 【专栏3】…, 专栏3-1…). A line is a heading only when it
is short and no sentence (``is_heading_line``), or a 一、/（一） line whose title is one short sentence
(「（一）发展基础。」); when its text follows on the line (「（一）加强基础研究。加大…」), ``split_heading`` cuts it in
two. Any other numbered line that is a sentence stays a paragraph, which may open with a lead phrase naming its
topic (「——lead。」 or 「lead。」, 「1.lead。」, ``split_paragraph``). Lines that are no content: page numbers
(``is_page_number``) and a table of contents (``is_toc_heading``, ``toc_entry``).
Only the nesting (``index/parser.py``) decides where a heading belongs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexicon import APPENDIX_WORDS, BOX_WORD, GLOSSARY_HEADINGS, PREFACE_HEADINGS, TOC_HEADINGS

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "〇零一二两三四五六七八九十百"  # the characters of a Chinese numeral up to 999
# A heading line is short and is not a sentence.
MAX_HEADING_CHARS = 80
# A lead phrase is a short clause-free sentence that names the paragraph's topic.
LEAD_RE = re.compile(r"^[^,，、;；:：()（）!?！？]{3,20}$")
# After a dash the sentence is marked as a lead, which may name its parts with 、 (「——坚持党委领导、政府主导。」).
DASH_LEAD_RE = re.compile(r"^[^,，;；:：()（）!?！？]{3,24}$")
# The title of a 一、/（一） heading written as a sentence (「（一）加强基础研究。」): short and clause-free.
MAX_TITLE_SENTENCE = 30
TITLE_SENTENCE_RE = re.compile(rf"^[^,，;；:：!?！？。]{{2,{MAX_TITLE_SENTENCE}}}$")
# A paragraph is cut at inline lead phrases only when it holds this many (one could be any short sentence),
# and only in a text whose paragraphs are not set apart by blank lines (see `blank_separated`).
MIN_INLINE_LEADS = 2

_SPACE_RUN = re.compile(r"\s+")
# Characters between which a space in a heading separates two phrases and is kept (「坚持创新驱动发展
# 全面塑造发展新优势」): CJK ideographs and the quotes and brackets that close or open a phrase.
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff〇“”‘’《》「」『』]")


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


def _number(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else cn_to_int(numeral)


def _latin_pair(before: str, after: str) -> bool:
    return before.isascii() and before.isalpha() and after.isascii() and after.isalpha()


def normalise_spaces(text: str) -> str:
    """Drop stray spaces ('2025 年'→'2025年'); keep one between two Latin words. For paragraphs."""

    def repl(m: re.Match) -> str:
        s, e = m.start(), m.end()
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        if "\n" in m.group(0):
            return "\n"
        return " " if _latin_pair(before, after) else ""

    return _SPACE_RUN.sub(repl, text).strip()


def normalise_heading(text: str) -> str:
    """Like :func:`normalise_spaces`, but a space between two CJK phrases separates them and stays (one)."""

    def repl(m: re.Match) -> str:
        s, e = m.start(), m.end()
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        keep = _latin_pair(before, after) or (_CJK_WORD.match(before) and _CJK_WORD.match(after))
        return " " if keep else ""

    return _SPACE_RUN.sub(repl, text.strip())


@dataclass
class Line:
    """One non-blank line of the source: its offsets (stripped of edge spaces) and its line number."""

    start: int
    end: int
    raw: str
    number: int = 0  # 1-based line number in the source; 0 for a piece cut out of a line

    @property
    def text(self) -> str:
        return normalise_spaces(self.raw)


def read_lines(source: str) -> list[Line]:
    out, pos = [], 0
    for number, raw in enumerate(source.splitlines(keepends=True), start=1):
        body = raw.rstrip("\r\n")
        if body.strip():
            lead = len(body) - len(body.lstrip())
            trail = len(body.rstrip())
            out.append(Line(pos + lead, pos + trail, body[lead:trail], number))
        pos += len(raw)
    return out


def is_heading_line(text: str) -> bool:
    return len(text) <= MAX_HEADING_CHARS and not text.endswith("。")


def normalise_title(text: str) -> str:
    """A line of the title block: like :func:`normalise_spaces`, but a wide gap (a full-width space or several
    spaces) between two CJK words separates two names (「河北省民政厅　河北省发展和改革委员会」) and stays, as
    one space; a single half-width space inside CJK text is a stray of PDF extraction (「二 〇 三五」) and goes."""

    def repl(m: re.Match) -> str:
        s, e = m.start(), m.end()
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        wide = "\u3000" in m.group(0) or e - s >= 2
        keep = _latin_pair(before, after) or (wide and _CJK_WORD.match(before) and _CJK_WORD.match(after))
        return " " if keep else ""

    text = text.strip()
    return _SPACE_RUN.sub(repl, text)


def quote(line: Line, chars: int = 40) -> str:
    """A line as an error message quotes it: its words and the single spaces between them."""
    return _SPACE_RUN.sub(" ", line.raw.strip())[:chars]


# -- lines that are no content: page numbers, a table of contents ------------------------------------
# A page number of a PDF converted to text: 「— 1 —」「- 2 -」「第 3 页」「第3页 共20页」; a bare number line
# (「12」) only where the caller says no table can hold it.
_PAGE_DECORATED = re.compile(r"^[-—–－―~～_]+\s*\d{1,4}\s*[-—–－―~～_]+$"
                             r"|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$")
_PAGE_BARE = re.compile(r"^\d{1,3}$")


def is_page_number(line: Line, bare: bool = False) -> bool:
    raw = line.raw.strip()
    return bool(_PAGE_DECORATED.match(raw) or (bare and _PAGE_BARE.match(raw)))


def is_toc_heading(line: Line) -> bool:
    """「目录」「目　录」: the line that opens a pasted table of contents."""
    return line.text in TOC_HEADINGS


# A page number after a table-of-contents entry, set off by spaces or leader dots: 「第一章 发展基础……3」.
_TOC_PAGE = re.compile(r"(?:[\s.．·…_—-]+)[(（]?\d{1,3}[)）]?$")


def toc_entry(line: Line) -> "Heading | None":
    """The heading a table-of-contents line names (its page number cut off), or None if it names none."""
    raw = _TOC_PAGE.sub("", line.raw.strip())
    return recognise(Line(0, len(raw), raw)) if raw.strip() else None


# The numbering of a list line in a box: 1. (1) （一） 一、 01 ①.
_TWO_DIGITS = re.compile(r"^(\d{1,2})\s+\S")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def list_marker(line: Line) -> tuple[str, int] | None:
    """(kind, number) of a numbered list line, whether or not it is a sentence: ('1.', 2) for 「2.科技型企业
    培育工程。…」, ('01', 1) for 「01 国家实验室」, ('①', 3) for 「③…」; None for an unnumbered line."""
    raw = line.raw.strip()
    for rank in (NUM, PNUM, PAREN, ITEM):
        m = rank.pattern.match(raw)
        if m:
            return rank.name, _number(m.group(1))
    m = _TWO_DIGITS.match(raw)
    if m:
        return "01", int(m.group(1))
    if raw[:1] and raw[0] in _CIRCLED:
        return "①", _CIRCLED.index(raw[0]) + 1
    return None


# -- paragraphs and their lead phrases ---------------------------------------------------------------------------------
def _sentence_spans(raw: str) -> list[tuple[int, int]]:
    """Spans of sentences ending in 。 (the last may lack it), in raw offsets."""
    spans, start = [], 0
    for m in re.finditer("。", raw):
        spans.append((start, m.end()))
        start = m.end()
    if raw[start:].strip():
        spans.append((start, len(raw)))
    return spans


# A list item's numbering before its lead (「1.经济发展取得新成效。」「（1）培育软件企业。」): not part of the lead.
_LIST_NUMBER = re.compile(r"^(?:\d{1,2}\s*[.．、](?!\d)|[(（]\s*\d{1,2}\s*[)）]|[①-⑳])\s*")


def _lead_of(sentence: str) -> str | None:
    """The lead phrase if this (normalised) sentence is one ('——lead。' or 'lead。'), else None."""
    body = _LIST_NUMBER.sub("", sentence.lstrip("—-").rstrip("。"))
    pattern = DASH_LEAD_RE if sentence.startswith(("——", "--")) else LEAD_RE
    if sentence.endswith("。") and pattern.match(body):
        return body
    return None


def blank_separated(lines: list[Line]) -> bool:
    """Whether most lines stand apart with a blank line: the paragraphs of a text converted from a web page,
    Markdown or Word, each one topic. A text without (PDF extraction) often runs several topics into one
    line (「…。提升青年思想修养。…。服务青年现实需求。…」), and only there a paragraph is cut at inline leads:
    in a blank-separated text an inner short sentence (「前瞻布局6G网络技术储备。」) is no lead."""
    gaps = [b.number - a.number > 1 for a, b in zip(lines, lines[1:])]
    return sum(gaps) * 2 > len(gaps)


def split_paragraph(line: Line, inline: bool = True) -> list[tuple[Line, str]]:
    """Split a paragraph at inline lead phrases (when ``inline``); return (piece, lead title) pairs; a
    piece opening with a lead sentence ('——lead。' or 'lead。') and going on has it as its title."""
    spans = _sentence_spans(line.raw)
    leads = [i for i, (s, e) in enumerate(spans)
             if 0 < i < len(spans) - 1 and _lead_of(normalise_spaces(line.raw[s:e]))]
    cut_at = leads if inline and len(leads) >= MIN_INLINE_LEADS else []
    bounds = [0] + cut_at + [len(spans)]
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        s, e = spans[a][0], spans[b - 1][1]
        raw = line.raw[s:e]
        lead_strip = len(raw) - len(raw.lstrip())
        raw = raw.strip()
        start = line.start + s + lead_strip
        piece = Line(start, start + len(raw), raw, line.number)
        first = normalise_spaces(line.raw[spans[a][0]:spans[a][1]])
        title = _lead_of(first) if b - a > 1 else None
        pieces.append((piece, title or ""))
    return pieces


# -- the heading ranks -------------------------------------------------------------------------
@dataclass(frozen=True)
class Rank:
    name: str  # as a person calls the level: 篇 章 节 一、 (一) 1. (1)
    order: int  # 0 the top; a heading nests under the nearest open heading of a lower order
    pattern: re.Pattern[str]  # on the heading-normalised line: group 1 the numeral, group 2 the title
    ordinal: str  # '第{}章': the numbering is cited before the title (第四十九章 标题); '' when it is the title's
    # own start, re-written as `form` ('二、标题', '(一)标题'): how such a heading is cited
    form: str = ""


PART = Rank("篇", 0, re.compile(rf"^第([{CN_NUM}]+)篇\s*(.*)$"), "第{}篇")
CHAPTER = Rank("章", 1, re.compile(rf"^第([{CN_NUM}]+)章\s*(.*)$"), "第{}章")
JIE = Rank("节", 2, re.compile(rf"^第([{CN_NUM}]+)节\s*(.*)$"), "第{}节")
ITEM = Rank("一、", 3, re.compile(rf"^([{CN_NUM}]+)\s*、\s*(.+)$"), "", "{}、{}")
PAREN = Rank("(一)", 4, re.compile(rf"^[(（]\s*([{CN_NUM}]+)\s*[)）]\s*(.+)$"), "", "({}){}")
# 1-2 digits not followed by another digit: 「1.5万亿元」 and 「2018、2019年」 are no headings.
NUM = Rank("1.", 5, re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(.+)$"), "", "{}.{}")
PNUM = Rank("(1)", 6, re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]\s*(.+)$"), "", "({}){}")
RANKS = (PART, CHAPTER, JIE, ITEM, PAREN, NUM, PNUM)

# -- headings that open a region of their own ----------------------------------------------------
PREFACE, GLOSSARY, APPENDIX, BOX = "preface", "glossary", "appendix", "box"
# The number after 附表/专栏: digits (「附表1主要指标」, 「专栏1-1 标题」: a box numbered within its chapter), or
# a Chinese numeral before a space, a colon or the end (「专栏三 标题」; 「专栏一览」 is text).
_WORD_NUMBER = re.compile(rf"\s*(?:(\d+(?:\s*[-－—–.．]\s*\d+)?)|([{CN_NUM}]+)(?=[\s:：】]|$))")
GLOSSARY_ENTRY_RE = re.compile(r"^(\d+)\s*[.．、]\s*(.+)$")


@dataclass(frozen=True)
class Heading:
    """What a heading line says: its rank (or special kind), number and title."""

    rank: Rank | None  # None for a special heading
    special: str  # '' for a ranked heading, else PREFACE | GLOSSARY | APPENDIX | BOX
    number: int
    numeral: str  # as written: 十二, 3
    title: str  # the words; for 一、 (一) 1. (1) the cited form with its numbering: '二、推进教育均衡发展'
    text: str  # the whole line, heading-normalised
    word: str = ""  # the word a box or an appendix opens with: 专栏, 附表

    @property
    def token(self) -> str:
        """The numbering as cited before a title: 第四十九章, 专栏3, 附表1; '' where the title holds it."""
        if self.word:
            return f"{self.word}{self.numeral}"
        return self.rank.ordinal.format(self.numeral) if self.rank and self.rank.ordinal else ""

    @property
    def element(self) -> str:
        """This heading as one step of a path: 第四十九章 标题, 二、标题, 专栏3 标题, 附表1 标题."""
        return " ".join(p for p in (self.token, self.title) if p)


def _numbered_word(text: str, words: tuple[str, ...], needs_number: bool) -> tuple[str, str, str] | None:
    """(word, numeral, title) of a heading opening with one of ``words`` and a number (「附表1 主要指标」,
    「专栏3：标题」, 「附件：标题」), else None."""
    bracketed = text.startswith("【")  # 「【专栏1】重大工程」
    if bracketed:
        text = text[1:].lstrip()
    word = next((w for w in words if text.startswith(w)), None)
    if word is None:
        return None
    rest = text[len(word):]
    m = _WORD_NUMBER.match(rest)
    numeral = re.sub(r"\s*[-－—–.．]\s*", "-", m.group(1) or m.group(2)) if m else ""
    if m:
        rest = rest[m.end():]
    elif needs_number or not re.match(r"^(?:[\s:：】]|$)", rest):
        return None  # 「附件材料…」 is text
    if bracketed:
        if not rest.lstrip().startswith("】"):
            return None
        rest = rest.lstrip()[1:]
    return word, numeral, rest.lstrip(" :：")


def recognise(line: Line) -> Heading | None:
    """The heading this line is, or None for a body line."""
    text = normalise_heading(line.raw)
    if not is_heading_line(text):
        return _sentence_heading(text) if len(text) <= MAX_HEADING_CHARS else None
    plain = line.text
    if plain in PREFACE_HEADINGS:
        return Heading(None, PREFACE, 0, "", plain, plain)
    if plain in GLOSSARY_HEADINGS:
        return Heading(None, GLOSSARY, 0, "", plain, plain)
    for special, words, needs_number in ((APPENDIX, APPENDIX_WORDS, False), (BOX, (BOX_WORD,), True)):
        found = _numbered_word(text, words, needs_number)
        if found:
            word, numeral, title = found
            number = _number(numeral.split("-")[0]) if numeral else 0
            return Heading(None, special, number, numeral, title, text, word)
    for rank in RANKS:
        m = rank.pattern.match(text)
        if m:
            numeral, words = m.group(1), m.group(2).strip()
            title = rank.form.format(numeral, words) if rank.form else words
            return Heading(rank, "", _number(numeral), numeral, title, text)
    return None


def _sentence_heading(text: str) -> Heading | None:
    """「（一）发展基础。」「一、总体要求。」: a 一、 or （一） heading whose title is one short clause-free sentence.
    Only these Chinese-numeral ranks: a 「1.X。」 or 「（1）X。」 line is a list item (a paragraph)."""
    if not text.endswith("。"):
        return None
    for rank in (ITEM, PAREN):
        m = rank.pattern.match(text)
        if m:
            words = m.group(2).strip()[:-1].strip()
            if TITLE_SENTENCE_RE.match(words):
                numeral = m.group(1)
                return Heading(rank, "", _number(numeral), numeral, rank.form.format(numeral, words), text)
    return None


def split_heading(line: Line) -> tuple[Line, Heading, Line] | None:
    """「（一）加强基础研究。加大基础研究投入，…」 (国发 style): a 一、/（一） heading whose title is the line's first
    short sentence, its text following on the same line. The heading's piece, the heading, and the piece after
    it (its first paragraph), each with its own offsets; None for any other line."""
    cut = line.raw.find("。")
    if cut < 0 or not line.raw[cut + 1:].strip():
        return None
    head_raw = line.raw[:cut + 1]
    head = _sentence_heading(normalise_heading(head_raw))
    if head is None:
        return None
    rest_raw = line.raw[cut + 1:]
    start = line.start + cut + 1 + len(rest_raw) - len(rest_raw.lstrip())
    rest = rest_raw.strip()
    return (Line(line.start, line.start + cut + 1, head_raw, line.number), head,
            Line(start, start + len(rest), rest, line.number))
