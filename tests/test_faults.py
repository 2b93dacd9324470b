"""Faults a deployment meets, and what the user then sees.

The LLM endpoint is real: ``Assistant.load`` with ``llm="openai"`` builds a real
``langchain_openai.ChatOpenAI`` that talks over real sockets to tiny servers on 127.0.0.1
(refusing, hanging, or answering garbage). Every fault must leave the user with the
extractive answer, a visible notice, and no more delay than the configured timeout.
Store corruption is covered in test_store.py, unwritable feedback in test_app.py.
"""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.briefing import BriefingItem, write_exports
from assistant.types import Answer
from index.config import Settings

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, always
KG_Q = "到2025年普惠性幼儿园覆盖率要达到多少？"
KG_FACT = "85%"
TIMEOUT_S = 1.0  # the LLM timeout configured for these tests
MARGIN_S = 1.5  # fallback overhead allowed on top of the timeout and the offline answer time
SERVER_LIFETIME_S = 60.0  # every server stops itself after this, whatever the test does
MAX_CONNECTIONS = 50
POLL_S = 0.05


# -- tiny servers (threads, loopback, bounded by count and time) ----------------------------
@contextlib.contextmanager
def _serving(loop, server_socket: socket.socket) -> Iterator[str]:
    """Run ``loop(stop, deadline)`` in a daemon thread; yield the base URL; always stop it."""
    stop = threading.Event()
    deadline = time.monotonic() + SERVER_LIFETIME_S
    thread = threading.Thread(target=loop, args=(stop, deadline), daemon=True)
    thread.start()
    port = server_socket.getsockname()[1]
    try:
        yield f"http://{HOST}:{port}/v1"
    finally:
        stop.set()
        thread.join(timeout=5)


@contextlib.contextmanager
def canned_http(status: int, content_type: str, body: bytes) -> Iterator[str]:
    """An HTTP server answering every request with the same status, type and body."""
    served = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            served[0] += 1
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *_) -> None:  # keep test output clean
            pass

    server = HTTPServer((HOST, 0), Handler)
    server.timeout = POLL_S

    def loop(stop: threading.Event, deadline: float) -> None:
        for _ in range(int(SERVER_LIFETIME_S / POLL_S)):
            if stop.is_set() or served[0] >= MAX_CONNECTIONS or time.monotonic() > deadline:
                break
            server.handle_request()

    try:
        with _serving(loop, server.socket) as url:
            yield url
    finally:
        server.server_close()


@contextlib.contextmanager
def hanging_server() -> Iterator[str]:
    """Accepts connections and never answers; holds them until the test ends (bounded)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(MAX_CONNECTIONS)
    sock.settimeout(POLL_S)
    held: list[socket.socket] = []

    def loop(stop: threading.Event, deadline: float) -> None:
        for _ in range(int(SERVER_LIFETIME_S / POLL_S)):
            if stop.is_set() or len(held) >= MAX_CONNECTIONS or time.monotonic() > deadline:
                break
            with contextlib.suppress(OSError):
                held.append(sock.accept()[0])
        stop.wait(max(0.0, deadline - time.monotonic()))

    try:
        with _serving(loop, sock) as url:
            yield url
    finally:
        for conn in held:
            conn.close()
        sock.close()


def refused_url() -> str:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    return f"http://{HOST}:{port}/v1"


def completion(content: str) -> bytes:
    """A well-formed OpenAI chat completion carrying ``content``."""
    return json.dumps({
        "id": "chatcmpl-fault", "object": "chat.completion", "created": 0, "model": "fault-test",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }, ensure_ascii=False).encode("utf-8")


# -- the assistant against them ----------------------------------------------------------------
def llm_bot(settings: Settings, base_url: str) -> Assistant:
    """A real Assistant.load with the OpenAI backend at ``base_url``, retrieval warmed up."""
    cfg = settings.model_copy(update={"llm": "openai", "llm_base_url": base_url, "llm_model": "fault-test",
                                      "llm_timeout_s": TIMEOUT_S})
    bot = Assistant.load(cfg, log_fn=lambda _: None)
    # Lazy loading (the embedding model, jieba's tagger) is not what these tests time: warm it
    # through an offline twin sharing the same retriever and tokenizer.
    Assistant(bot.retriever, cfg.model_copy(update={"llm": "none"})).ask(KG_Q)
    return bot


def timed_ask(bot: Assistant) -> tuple[Answer, float]:
    t0 = time.perf_counter()
    res = bot.ask(KG_Q)
    return res, time.perf_counter() - t0


@pytest.fixture(scope="module")
def offline_s(bot) -> float:
    """What the same question costs with no LLM at all (the slowest of 3, as machines are noisy):
    a fault may add only the timeout to it."""
    bot.ask(KG_Q)
    return max(timed_ask(bot)[1] for _ in range(3))


def assert_extractive_fallback(res: Answer, elapsed: float, offline_s: float, notice: str) -> None:
    assert res.mode == "extractive" and not res.abstained
    assert notice in res.notice, res.notice
    assert KG_FACT in res.answer and res.citations[0].clause_id == "10.2.2"
    assert elapsed < TIMEOUT_S + MARGIN_S + 2 * offline_s, f"{elapsed:.2f} s"


def test_llm_refusing_connections(settings, offline_s):
    res, elapsed = timed_ask(llm_bot(settings, refused_url()))
    assert_extractive_fallback(res, elapsed, offline_s, "大模型暂不可用")


def test_llm_hanging_past_the_timeout(settings, offline_s):
    with hanging_server() as url:
        res, elapsed = timed_ask(llm_bot(settings, url))
    assert_extractive_fallback(res, elapsed, offline_s, "大模型暂不可用")
    assert elapsed >= TIMEOUT_S * 0.9  # it did wait for the endpoint, then gave up


@pytest.mark.parametrize("content_type, body", [
    ("text/html", b"<html><body>502 Bad Gateway (but sent as 200)</body></html>"),
    ("application/json", b"{\"choices\": [ this is not json"),
    ("application/json", b"{\"unexpected\": true}"),
], ids=["html", "broken-json", "json-without-choices"])
def test_llm_returning_non_json_garbage(settings, offline_s, content_type, body):
    with canned_http(200, content_type, body) as url:
        res, elapsed = timed_ask(llm_bot(settings, url))
    assert_extractive_fallback(res, elapsed, offline_s, "大模型")


@pytest.mark.parametrize("content", [
    "到2025年，普惠性幼儿园覆盖率达到95%[1]。",    # a wrong figure, cited to a real marker
    "到2025年，普惠性幼儿园覆盖率达到95%[99]。",   # a wrong figure, cited to a clause that does not exist
    "@@@ ### [3] ###",                               # no statement at all
], ids=["wrong-number", "wrong-number-missing-clause", "garbage-text"])
def test_llm_answer_failing_citation_check(settings, offline_s, content):
    with canned_http(200, "application/json", completion(content)) as url:
        res, elapsed = timed_ask(llm_bot(settings, url))
    assert_extractive_fallback(res, elapsed, offline_s, "未通过引用核验")
    assert "95%" not in res.answer


def test_llm_citing_a_missing_clause_with_a_true_figure_is_recited(settings):
    """Marker [99] does not exist, but the sentence is true: it is re-cited to the clause that says it,
    so the user sees the LLM's sentence with a valid citation, never a dangling one."""
    with canned_http(200, "application/json", completion("到2025年，普惠性幼儿园覆盖率达到85%[99]。")) as url:
        res, _ = timed_ask(llm_bot(settings, url))
    assert res.mode == "llm" and res.answer == "到2025年，普惠性幼儿园覆盖率达到85%[1]。"
    assert [c.clause_id for c in res.citations] == ["10.2.2"]


# -- the command line ----------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_cli_empty_question_gets_a_friendly_prompt():
    out = run_cli("ask", "")
    assert out.returncode == 0, out.stderr
    assert "请输入您想了解的问题" in out.stdout and "Traceback" not in out.stderr


def test_cli_very_long_question_is_answered_with_a_notice():
    out = run_cli("ask", KG_Q + "啊" * (5000 - len(KG_Q)))
    assert out.returncode == 0, out.stderr
    assert "问题过长" in out.stdout and KG_FACT in out.stdout and "出处" in out.stdout


def test_cli_search_with_k_zero_is_a_usage_error():
    out = run_cli("search", "x", "-k", "0")
    assert out.returncode == 2
    assert "-k must be at least 1" in out.stderr and "Traceback" not in out.stderr


# -- exports where nothing can be written --------------------------------------------------------
def test_briefing_export_into_an_unwritable_place_raises_oserror(tmp_path):
    """A file where the export folder should be: a plain OSError the caller can report, no partial files."""
    work = tmp_path / "work"  # tmp_path itself also holds the test's temp folder (conftest.isolated_env)
    work.mkdir()
    blocker = work / "exports"
    blocker.write_text("not a directory", encoding="utf-8")
    item = BriefingItem.from_answer(KG_Q, Answer(answer="达到85%[1]。"))
    with pytest.raises(OSError):
        write_exports((item,), "简报", blocker)
    assert [p.name for p in work.iterdir()] == ["exports"]
    assert not any(p.is_file() for p in (tmp_path / "tmp").rglob("*"))  # nor any temp file left behind


def test_llm_naming_a_chapter_the_plan_does_not_have_is_not_shown(settings):
    content = "根据规划第二十章第九节，到2025年普惠性幼儿园覆盖率达到85%[1]。"
    with canned_http(200, "application/json", completion(content)) as url:
        res, _ = timed_ask(llm_bot(settings, url))
    assert "第二十章" not in res.answer
