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
