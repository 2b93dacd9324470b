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
glossary (名词解释), an appendix (附表1…) and a box (专栏3…). A line is a heading only when it is
short and no sentence (``is_heading_line``); a numbered line that is a sentence stays a paragraph, which
may open with a lead phrase naming its topic (「——lead。」 or 「lead。」, ``split_paragraph``).
Only the nesting (``index/parser.py``) decides where a heading belongs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexicon import APPENDIX_WORDS, BOX_WORD, GLOSSARY_HEADINGS, PREFACE_HEADINGS

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = "〇零一二两三四五六七八九十百"  # the characters of a Chinese numeral up to 999
# A heading line is short and is not a sentence.
MAX_HEADING_CHARS = 80
# A lead phrase is a short clause-free sentence that names the paragraph's topic.
LEAD_RE = re.compile(r"^[^,，、;；:：()（）!?！？]{3,20}$")
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


def _lead_of(sentence: str) -> str | None:
    """The lead phrase if this (normalised) sentence is one ('——lead。' or 'lead。'), else None."""
    body = sentence.lstrip("—-").rstrip("。")
    if sentence.endswith("。") and LEAD_RE.match(body):
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
# The number after 附表/专栏: digits (「附表1主要指标」), or a Chinese numeral before a space, a colon or the end
# (「专栏三 标题」; 「专栏一览」 is text).
_WORD_NUMBER = re.compile(rf"\s*(?:(\d+)|([{CN_NUM}]+)(?=[\s:：]|$))")
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
    word = next((w for w in words if text.startswith(w)), None)
    if word is None:
        return None
    rest = text[len(word):]
    m = _WORD_NUMBER.match(rest)
    numeral = (m.group(1) or m.group(2)) if m else ""
    if m:
        rest = rest[m.end():]
    elif needs_number or not re.match(r"^(?:[\s:：]|$)", rest):
        return None  # 「附件材料…」 is text
    return word, numeral, rest.lstrip(" :：")


def recognise(line: Line) -> Heading | None:
    """The heading this line is, or None for a body line."""
    text = normalise_heading(line.raw)
    if not is_heading_line(text):
        return None
    plain = line.text
    if plain in PREFACE_HEADINGS:
        return Heading(None, PREFACE, 0, "", plain, plain)
    if plain in GLOSSARY_HEADINGS:
        return Heading(None, GLOSSARY, 0, "", plain, plain)
    for special, words, needs_number in ((APPENDIX, APPENDIX_WORDS, False), (BOX, (BOX_WORD,), True)):
        found = _numbered_word(text, words, needs_number)
        if found:
            word, numeral, title = found
            return Heading(None, special, _number(numeral) if numeral else 0, numeral, title, text, word)
    for rank in RANKS:
        m = rank.pattern.match(text)
        if m:
            numeral, words = m.group(1), m.group(2).strip()
            title = rank.form.format(numeral, words) if rank.form else words
            return Heading(rank, "", _number(numeral), numeral, title, text)
    return None
