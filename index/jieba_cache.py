"""jieba's prefix dictionary, cached next to the store as a pickle instead of jieba's marshal file.

The dictionary (~500k entries) is the tokeniser's whole start-up cost: loading jieba's marshal cache
took ~0.8 s on the 2-core target machine, the same dict from a pickle ~0.2 s. The dict is built by
jieba's own ``gen_pfdict``, exactly as ``Tokenizer.initialize`` builds it, so tokenisation is unchanged.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path


def _dictionary_path(tokenizer) -> str:
    import jieba

    if tokenizer.dictionary == jieba.DEFAULT_DICT:
        return os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    return tokenizer.dictionary


def _key(tokenizer) -> tuple:
    """What the cached dict was built from: jieba's version and the dictionary file."""
    import jieba

    path = _dictionary_path(tokenizer)
    st = os.stat(path)
    return (jieba.__version__, path, st.st_size, st.st_mtime_ns)


def prefix_dict(tokenizer, cache_dir: Path) -> tuple[dict[str, int], int]:
    """``(FREQ, total)`` for a ``jieba.Tokenizer``: from the cache when it matches, else built and cached."""
    path = Path(cache_dir) / "jieba-prefix.pickle"
    key = _key(tokenizer)
    try:
        with open(path, "rb") as f:
            cached_key, freq, total = pickle.load(f)
        if cached_key == key and isinstance(freq, dict) and isinstance(total, int):
            return freq, total
    except Exception:  # missing, truncated or from another version: rebuild it
        pass
    freq, total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    _write(path, (key, freq, total))
    return freq, total


def _write(path: Path, value: object) -> None:
    """Atomically (concurrent processes may start at once); a read-only cache dir only costs speed."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-prefix-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def initialise_from_cache(tokenizer, cache_dir: Path) -> None:
    """Set up a fresh ``jieba.Tokenizer`` as its ``initialize()`` would, from the pickle cache."""
    tokenizer.FREQ, tokenizer.total = prefix_dict(tokenizer, cache_dir)
    tokenizer.initialized = True
