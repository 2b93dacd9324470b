"""Small text helpers shared by the answerers and the verifier."""
from __future__ import annotations

import math
import re
import unicodedata

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
MARKER = re.compile(r"\[(\d+)\]")  # a citation marker '[3]': the one pattern every module reads markers with
# What every answerer says when the plan does not answer (the LLM is told to say the same, prompts/).
NOT_IN_PLAN = "规划中没有明确提到"
ABSTAIN_HEAD = NOT_IN_PLAN + "这一内容"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """NFKC and no whitespace: the form in which facts are compared."""
    return re.sub(r"\s+", "", nfkc(text))


def numbers_in(text: str) -> list[str]:
    """Every number in the text (NFKC), e.g. ['2030', '85'] for '到2030年…达到85%'."""
    return _NUMBER.findall(nfkc(MARKER.sub("", text)))


# A number written into a name with Latin letters ('5G', 'PM2.5', 'G4'): part of what is named, no amount.
_IN_NAME = re.compile(r"[A-Za-z]+\d+(?:\.\d+)?[A-Za-z]*|\d+(?:\.\d+)?[A-Za-z]+")


def amounts_in(text: str) -> list[str]:
    """The numbers that state an amount or a year: every number but those inside a name ('5G')."""
    return numbers_in(_IN_NAME.sub(" ", nfkc(text)))


# Citation markers as models commonly write them: 【1】, ［1］, [1,2], [1、2], [1，2], [1; 2], [1-3], 【1】【2】.
# One bracket pair of numbers joined by list separators, or a short range (a-b, b-a ≤ MAX_MARKER_RANGE).
_MARKER_LIKE = re.compile(
    r"[\[［【〔]\s*(\d{1,3}(?:\s*(?:[,，、;；]|[-–—~～至])\s*\d{1,3})*)\s*[\]］】〕]")
_MARKER_SEP = re.compile(r"\s*[,，、;；]\s*")
_MARKER_RANGE = re.compile(r"(\d+)\s*[-–—~～至]\s*(\d+)")
MAX_MARKER_RANGE = 8  # a range wider than a context could hold ('[YYYY-YYYY]') is a span of years, not markers
# A sentence's markers written after its closing punctuation ('…85%。[1]'): they belong before it.
_MARKERS_AFTER_STOP = re.compile(r"([。；！？!?]+)((?:\[\d+\])+)")


def normalize_markers(text: str) -> str:
    """Every citation marker in the one form the verifier reads, ``[1][2]``, each before its sentence's
    closing punctuation. Models cite as 【1】, [1,2], [1、2] or '…。[1]'; read as written, the digits would
    count as figures the clause must hold and the sentence would fail the check for its punctuation.
    Bracketed text that is not a list of small numbers (「[YYYY-YYYY]」, 「【注】」) is left alone."""
    def expand(m: re.Match) -> str:
        numbers: list[int] = []
        for part in _MARKER_SEP.split(m.group(1)):
            r = _MARKER_RANGE.fullmatch(part)
            if r:
                a, b = int(r.group(1)), int(r.group(2))
                if not 0 <= b - a <= MAX_MARKER_RANGE:
                    return m.group(0)
                numbers += range(a, b + 1)
            else:
                numbers.append(int(part))
        return "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    text = _MARKER_LIKE.sub(expand, text)
    return _MARKERS_AFTER_STOP.sub(r"\2\1", text)


def markers_in(text: str) -> list[int]:
    return [int(m) for m in MARKER.findall(text)]


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def number_supported(number: str, source: str) -> bool:
    """True when ``number`` occurs in ``source`` as a whole number (85 is not supported by 850)."""
    pattern = rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)"
    return re.search(pattern, squash(source)) is not None


def idf_table(token_lists: list[list[str]]) -> dict[str, float]:
    """BM25-style idf over chunk token lists: how much a term says about which clause is meant."""
    n = len(token_lists)
    df: dict[str, int] = {}
    for toks in token_lists:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


NEAR_SHARE = 0.7  # share of a name's character pairs a text must hold to name it in other words


def named_share(name: str, text: str) -> float:
    """How well ``text`` names ``name``: its length when it is there word for word, a little less when
    nearly all its character pairs are (「特困救助供养的未成年人年龄」 for 「…供养覆盖的未成年人年龄」), else 0.
    Longer names score higher, so the most specific name a text holds wins."""
    if name in text:
        return float(len(name))
    pairs = {name[i:i + 2] for i in range(len(name) - 1)}
    if not pairs:
        return 0.0
    share = sum(p in text for p in pairs) / len(pairs)
    return share * len(name) * 0.9 if share >= NEAR_SHARE else 0.0


def bigrams(text: str) -> set[str]:
    """The text's overlapping character pairs: how close two wordings are, without a tokenizer."""
    return {text[i:i + 2] for i in range(len(text) - 1)}
