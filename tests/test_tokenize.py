"""The tokeniser's pickle cache of jieba's prefix dictionary gives exactly what jieba itself loads."""
from __future__ import annotations

import jieba

from index.jieba_cache import prefix_dict
from index.tokenize import PlanTokenizer


def _jieba_own(tmp_path):
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(tmp_path / "jieba-own")
    (tmp_path / "jieba-own").mkdir()
    tok.initialize()
    return tok.FREQ, tok.total


def test_cached_prefix_dict_equals_jiebas(tmp_path):
    cache = tmp_path / "cache"
    fresh = PlanTokenizer(cache_dir=cache)  # builds the cache
    assert (cache / "jieba-prefix.pickle").exists()
    cached = PlanTokenizer(cache_dir=cache)  # loads it
    freq, total = _jieba_own(tmp_path)
    assert fresh._jieba.FREQ == cached._jieba.FREQ == freq and fresh._jieba.total == cached._jieba.total == total
    with_term = PlanTokenizer(["普惠性幼儿园"], cache_dir=cache)
    text = "到2025年，普惠性幼儿园覆盖率达到85%，公办幼儿园在园幼儿达到50%"
    assert "普惠性幼儿园" in with_term.tokenize(text) and "普惠性幼儿园" not in cached.tokenize(text)
    assert cached.tokenize(text) == PlanTokenizer().tokenize(text)  # jieba's own cache (no cache_dir)


def test_corrupt_or_foreign_cache_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    path = cache / "jieba-prefix.pickle"
    freq, total = _jieba_own(tmp_path)
    for junk in (b"", b"\x80\x05garbage", b"not a pickle at all"):
        path.write_bytes(junk)
        tok = jieba.Tokenizer()
        assert prefix_dict(tok, cache) == (freq, total)
    tok = jieba.Tokenizer()
    assert prefix_dict(tok, cache) == (freq, total)  # and the rebuilt file loads
