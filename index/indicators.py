"""What each plan sentence measures: the indicators of the figures it states, for matching by meaning.

A resident asks 「老百姓一年买东西花的钱到时候能有多少？」; the plan's sentence says 「社会消费品零售总额突破N亿元」.
The sentence as a whole is about many things (a sentence may state five figures), so its cosine with the
question says little; the indicator a figure measures (社会消费品零售总额) is what the question names in
other words. The store keeps every distinct indicator name of the plan's figures table with its query vector,
and for every store sentence the indicators stated in it: the evidence model reads the question's
closeness to the nearest of them, and how far that is from the closest of all the plan's indicators
(``ExtractiveAnswerer.evidence_features``: ``indicator_cos``, ``indicator_margin``).
"""
from __future__ import annotations

from index.chunker import clause_sentences
from index.clauses import ClauseTree
from index.figures import Horizon, extract_figures
from index.named_sets import extract_named_sets


def _squashed(text: str) -> str:
    """Text without whitespace: the figures table and the sentence splitter space numbers differently."""
    return "".join(text.split())


def sentence_indicators(tree: ClauseTree, sentences: list[str],
                        horizon: Horizon) -> tuple[list[str], list[list[int]]]:
    """The distinct indicator names of the plan's figures, and for each of ``sentences`` (the store's
    distinct sentences, in its order) the rows of those names its figures measure. A figure belongs to a
    sentence of its own clause when one of the two texts holds the other (the figures table and the store
    cut sentences by their own rules and space numbers differently)."""
    figures = extract_figures(tree, horizon, extract_named_sets(tree))
    names = list(dict.fromkeys(f.indicator for f in figures if f.indicator))
    row_of = {name: i for i, name in enumerate(names)}
    by_clause: dict[str, list[tuple[str, int]]] = {}
    for f in figures:
        if f.indicator:
            by_clause.setdefault(f.clause_id, []).append((_squashed(f.sentence), row_of[f.indicator]))
    sentence_row = {s: i for i, s in enumerate(sentences)}
    rows: list[set[int]] = [set() for _ in sentences]
    for clause in tree.clauses:
        stated = by_clause.get(clause.clause_id)
        if not stated:
            continue
        for s in clause_sentences(clause.text):
            if s not in sentence_row:
                continue
            text = _squashed(s)
            rows[sentence_row[s]].update(r for figure_text, r in stated
                                         if figure_text and (figure_text in text or text in figure_text))
    return names, [sorted(r) for r in rows]


__all__ = ["sentence_indicators"]
