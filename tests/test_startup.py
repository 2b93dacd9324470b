"""What the offline default loads at start: only what answering needs (cold start is ~3 s on 2 cores)."""
from __future__ import annotations

import subprocess
import sys

# LangChain's runnables (LCEL; only used with an LLM) cost ~0.5 s to import; bm25s and scipy are
# needed only to build the store's BM25 index.
NOT_ON_DEFAULT_PATH = ("langchain_core.runnables.base", "langsmith", "bm25s", "scipy")


def test_default_path_skips_llm_and_build_only_modules(settings):
    code = ("import sys; from assistant import Assistant; b = Assistant.load(); r = b.ask('普惠性幼儿园覆盖率');"
            f"print(r.abstained, *[m in sys.modules for m in {NOT_ON_DEFAULT_PATH!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=str(settings.plan_path.parent.parent))
    assert out.returncode == 0, out.stderr
    abstained, *loaded = out.stdout.split()
    assert abstained == "False"
    assert dict(zip(NOT_ON_DEFAULT_PATH, loaded)) == {m: "False" for m in NOT_ON_DEFAULT_PATH}


def test_chain_is_lcel_when_asked_for(bot):
    from langchain_core.runnables import Runnable

    assert isinstance(bot.chain, Runnable)
    res = bot.chain.invoke({"question": "到2025年普惠性幼儿园覆盖率要达到多少？", "history": [], "notice": ""})
    assert res.answer == bot.ask("到2025年普惠性幼儿园覆盖率要达到多少？").answer and "85%" in res.answer
