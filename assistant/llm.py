"""Optional LLM backends through LangChain; none is loaded unless configured.

- ``openai``: any OpenAI-compatible endpoint (DeepSeek, Qwen, vLLM, Ollama, llama.cpp server)
  through ``langchain_openai.ChatOpenAI``.
- ``gguf``: a local GGUF file through llama-cpp-python (optional extra; not in requirements).

:func:`invoke_with_timeout` waits for the whole answer; :func:`stream_with_timeout` hands it over
piece by piece (the chat shows a draft while a real model takes seconds), both within one bound.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from index.config import Settings

if TYPE_CHECKING:  # LangChain's runnables load only when an LLM is configured (~0.5 s to import)
    from langchain_core.runnables import Runnable


class LLMUnavailable(RuntimeError):
    """The configured LLM cannot be used (missing package, file, key or endpoint)."""


def check_llm_config(settings: Settings) -> None:
    """Raise :class:`LLMUnavailable` when the configured LLM cannot be made, without making it (no model is
    loaded, no endpoint called): what a supervisor checks before it starts worker processes."""
    import importlib.util

    kind = (settings.llm or "none").lower()
    if kind == "openai" and not settings.llm_model:
        raise LLMUnavailable("set QIAOXI_LLM_MODEL (the model name served by the endpoint)")
    if kind == "gguf":
        if not settings.llm_gguf_path or not os.path.isfile(settings.llm_gguf_path):
            raise LLMUnavailable(f"GGUF file not found: {settings.llm_gguf_path!r} (set QIAOXI_LLM_GGUF_PATH)")
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMUnavailable("llama-cpp-python is not installed: pip install llama-cpp-python")
    if kind not in ("none", "openai", "gguf"):
        raise LLMUnavailable(f"unknown LLM backend {settings.llm!r}: use none, openai or gguf")


def make_llm(settings: Settings) -> Runnable | None:
    """The configured chat model as a Runnable taking chat messages, or None for 'none'."""
    kind = (settings.llm or "none").lower()
    if kind == "none":
        return None
    if kind == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.llm_model:
            raise LLMUnavailable("set QIAOXI_LLM_MODEL (the model name served by the endpoint)")
        key = os.environ.get(settings.llm_api_key_env) or "not-needed"
        return ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url or None, api_key=key,
            temperature=0, timeout=settings.llm_timeout_s, max_retries=0,
            # llama.cpp servers ignore max_completion_tokens; send the classic field as well.
            extra_body={"max_tokens": settings.llm_max_tokens},
        )
    if kind == "gguf":
        return _llama_cpp_runnable(settings)
    raise LLMUnavailable(f"unknown LLM backend {settings.llm!r}: use none, openai or gguf")


def _llama_cpp_runnable(settings: Settings) -> Runnable:
    from langchain_core.runnables import RunnableLambda

    path = settings.llm_gguf_path
    if not path or not os.path.isfile(path):
        raise LLMUnavailable(f"GGUF file not found: {path!r} (set QIAOXI_LLM_GGUF_PATH)")
    try:
        from llama_cpp import Llama
    except ImportError as e:
        raise LLMUnavailable("llama-cpp-python is not installed: pip install llama-cpp-python") from e
    # Name the chat format: GGUFs without an embedded template otherwise get a wrong default.
    llm = Llama(model_path=path, n_ctx=4096, chat_format=os.environ.get("QIAOXI_LLM_CHAT_FORMAT", "chatml"),
                verbose=False)

    def call(messages: Any) -> str:
        msgs = [{"role": {"human": "user", "ai": "assistant"}.get(m.type, m.type), "content": m.content}
                for m in messages.to_messages()]
        out = llm.create_chat_completion(messages=msgs, temperature=0, max_tokens=settings.llm_max_tokens)
        return out["choices"][0]["message"]["content"]

    return RunnableLambda(call)


def invoke_with_timeout(runnable: Runnable, payload: Any, timeout_s: float) -> str:
    """Run the LLM with a hard wall-clock bound; raise TimeoutError past it."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(runnable.invoke, payload)
        out = future.result(timeout=timeout_s)
    except concurrent.futures.TimeoutError as e:
        raise TimeoutError(f"LLM did not answer within {timeout_s:g} s") from e
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    content = getattr(out, "content", out)
    if not isinstance(content, str):
        raise ValueError(f"LLM returned {type(content).__name__}, not text")
    return content


def _chunk_text(chunk: Any) -> str:
    """The text of one streamed piece: an ``AIMessageChunk``'s content, or a plain string (a backend
    without token streaming yields its whole answer as one piece)."""
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks: keep the text ones
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content
                       if isinstance(b, (str, dict)))
    raise ValueError(f"LLM streamed {type(content).__name__}, not text")


def stream_with_timeout(runnable: Runnable, payload: Any, timeout_s: float) -> Iterator[str]:
    """Yield the LLM's answer piece by piece as it is generated, within one wall-clock bound for the
    whole answer (the same bound as :func:`invoke_with_timeout`): past it, raise TimeoutError.

    The model is read in a daemon thread and handed over through a queue, so a server that stops
    sending mid-answer cannot hold the caller: the wait for each piece is cut at the deadline. When
    the caller stops early (timeout, a closed stream), the reader is told to stop and closes the
    response at its next piece; a reader stuck on a silent socket ends with the client's own timeout.
    """
    pieces: queue.Queue = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        stream = None
        try:
            stream = runnable.stream(payload)
            for chunk in stream:
                if stop.is_set():
                    break
                pieces.put(("piece", chunk))
            pieces.put(("end", None))
        except BaseException as e:  # handed to the caller, who raises it in its own thread
            pieces.put(("error", e))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()

    deadline = time.monotonic() + timeout_s
    threading.Thread(target=read, name="llm-stream", daemon=True).start()
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                kind, value = pieces.get(timeout=max(left, 0.0)) if left > 0 else pieces.get_nowait()
            except queue.Empty:
                raise TimeoutError(f"LLM did not finish within {timeout_s:g} s") from None
            if kind == "end":
                return
            if kind == "error":
                raise value
            text = _chunk_text(value)
            if text:
                yield text
    finally:
        stop.set()
