"""jieba tokenisation tuned with the plan's own vocabulary, for BM25."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from index.clauses import ClauseTree
from index.lexicon import STOPWORDS

_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,14})[”\"」]")
_BOOK = re.compile(r"《([^》]{2,30})》")
_WORD = re.compile(r"[\w\u4e00-\u9fff%％+]+")


def plan_terms(tree: ClauseTree) -> list[str]:
    """Terms the plan coins or names: glossary entries, quoted phrases, titles of documents."""
    terms: set[str] = set()
    for clause in tree.clauses:
        for m in _QUOTED.finditer(clause.text):
            terms.add(m.group(1).strip())
        for m in _BOOK.finditer(clause.text):
            terms.add(m.group(1).strip())
        if clause.kind == "glossary":
            for m in _QUOTED.finditer(clause.title):
                terms.add(m.group(1))
            terms.add(re.sub(r"[“”\"]", "", clause.title))
    return sorted(t for t in terms if 2 <= len(t) <= 30 and not t.isdigit() and _WORD.fullmatch(t))


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def char_bigrams(text: str) -> list[str]:
    """Overlapping two-character terms of every run of Chinese characters, prefixed to stay
    apart from jieba's words ('#公办', '#办园')."""
    out = []
    for run in _HAN_RUN.findall(text):
        out.extend("#" + run[i:i + 2] for i in range(len(run) - 1))
    return out


class PlanTokenizer:
    """A private jieba instance (so the global one is untouched) with the plan's terms added.

    >>> tok = PlanTokenizer(["普惠性幼儿园"])
    >>> "普惠性幼儿园" in tok.tokenize("普惠性幼儿园覆盖率")
    True
    """

    def __init__(self, terms: list[str] | tuple[str, ...] = (), cache_dir: Path | None = None,
                 stopwords: list[str] | tuple[str, ...] = ()):
        """``stopwords``: words of this plan BM25 ignores besides the lexicon's (its region's names,
        which nearly every clause holds), from the plan's profile."""
        import jieba  # local: keeps `import index` light

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        if cache_dir is not None:
            from index.jieba_cache import initialise_from_cache

            cache_dir.mkdir(parents=True, exist_ok=True)
            self._jieba.tmp_dir = str(cache_dir)
            initialise_from_cache(self._jieba, cache_dir)  # ~4x faster than jieba's own marshal cache
        else:
            self._jieba.initialize()
        self._tagger = None
        for term in terms:
            self._jieba.add_word(term, freq=max(2000, 500 * len(term)))
        self.terms = tuple(terms)
        self.stopwords = STOPWORDS | frozenset(stopwords)

    def words(self, text: str, query: bool = False) -> list[str]:
        """jieba words minus punctuation and stop words; lower-cased Latin.

        Documents use search mode (long words plus their parts); queries use precise mode,
        so a long query word is not counted once per sub-word.
        """
        cut = self._jieba.cut if query else self._jieba.cut_for_search
        tokens = []
        for tok in cut(text):
            tok = tok.strip().lower()
            if tok and tok not in self.stopwords and _WORD.fullmatch(tok):
                tokens.append(tok)
        return tokens

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech) pairs, lower-cased, punctuation dropped; used to find what a question is about."""
        if self._tagger is None:
            import jieba.posseg

            # Share the tag table jieba.posseg already loaded instead of re-reading the dictionary
            # (POSTokenizer(tokenizer=…) would: ~0.4 s and ~40 MB at the first question).
            tagger = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
            tagger.tokenizer = self._jieba
            tagger.word_tag_tab = jieba.posseg.dt.word_tag_tab
            self._tagger = tagger
        return [(p.word.strip().lower(), p.flag) for p in self._tagger.cut(text)
                if p.word.strip() and _WORD.fullmatch(p.word.strip())]

    def tokenize(self, text: str, query: bool = False) -> list[str]:
        """BM25 terms: jieba words plus character bigrams (robust to wording jieba splits differently)."""
        return self.words(text, query) + char_bigrams(text)
