"""What the offline default loads at start: only what answering needs."""
from __future__ import annotations

from index.config import PROJECT_ROOT

import subprocess
import sys

# bm25s and scipy are needed only to build the store's BM25 index; prompts and LLM clients only with an
# LLM; torch and sentence-transformers only with that embedding backend.
NOT_ON_DEFAULT_PATH = ("bm25s", "scipy", "assistant.prompts", "langchain_openai", "torch", "sentence_transformers")


def test_default_path_skips_llm_and_build_only_modules(settings, bot):
    # ``bot`` first: the stores are built (tests run in random order, and a first start builds them, with bm25s)
    code = ("import sys; from assistant import Assistant; b = Assistant.load(); r = b.ask('普惠性幼儿园覆盖率');"
            f"print(r.abstained, *[m in sys.modules for m in {NOT_ON_DEFAULT_PATH!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=str(PROJECT_ROOT))
    assert out.returncode == 0, out.stderr
    abstained, *loaded = out.stdout.split()
    assert abstained == "False"
    assert dict(zip(NOT_ON_DEFAULT_PATH, loaded)) == {m: "False" for m in NOT_ON_DEFAULT_PATH}


def test_the_chain_is_lcel_and_ask_runs_it(bot):
    from langchain_core.runnables import Runnable

    assert isinstance(bot.chain, Runnable)
    from assistant.state import ChainState

    res = bot.chain.invoke(ChainState(question="到2025年普惠性幼儿园覆盖率要达到多少？"))
    assert res.answer == bot.ask("到2025年普惠性幼儿园覆盖率要达到多少？").answer and "85%" in res.answer
