"""Streamed LLM answers, against a real OpenAI-compatible HTTP server on 127.0.0.1.

``Assistant.load`` with ``llm="openai"`` builds a real ``langchain_openai.ChatOpenAI``; the server below
(bound to port 0, loopback only) answers ``POST /v1/chat/completions`` as the OpenAI API does: with
``stream: true`` a ``text/event-stream`` of ``chat.completion.chunk`` objects ending in ``data: [DONE]``,
else one ``chat.completion``. What it says is set per test (``LLMServer.script``); it reads the numbered
clauses from the prompt, so an answer cites the marker the clause really has.

The draft streams under the 「（正在核对出处…）」 line; the last item is the verified answer or the
extractive one with its notice: never a wrong figure, never longer than ``llm_timeout_s`` plus a margin.
"""
from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from assistant.api import CHECKING, Assistant
from assistant.llm import make_llm
from assistant.text import normalize_markers
from assistant.types import Answer
from index.config import Settings
from webapp.api import create_api

HOST = "127.0.0.1"  # loopback only, always
KG_Q = "到2025年普惠性幼儿园覆盖率要达到多少？"
KG_CLAUSE = "10.2.2"
KG_SENTENCE = "普惠性幼儿园覆盖率达到85%"  # the clause's own words, to find its marker in the prompt
TIMEOUT_S = 1.0  # llm_timeout_s for these tests: small, so the hanging server costs a second
MARGIN_S = 2.0  # fallback overhead allowed on top of the timeout (retrieval, extractive answer, a busy machine)
PIECE_GAP_S = 0.05  # between streamed pieces, as a model generating tokens
LAST_PIECE_DELAY_S = 0.4  # before the last piece: the draft must be visible before the model finishes
HANG_CAP_S = 30.0  # a hanging handler gives up after this even if the test never releases it


@dataclass
class Script:
    """What the server streams: ``pieces(marker)`` for the marker of the clause that holds KG_SENTENCE;
    ``hang_after`` pieces sent, it goes silent (connection open) until released."""
    pieces: Callable[[int], list[str]]
    hang_after: int | None = None
    requests: list[dict] = field(default_factory=list)


def chunk(content: str | None, finish: str | None = None, role: bool = False) -> bytes:
    """One server-sent event of an OpenAI ``chat.completion.chunk`` (the first names the role)."""
    delta = ({"role": "assistant"} if role else {}) | ({} if content is None else {"content": content})
    body = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 0, "model": "stream-test",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode("utf-8")


def marker_of(request: dict, sentence: str = KG_SENTENCE) -> int:
    """The number the prompt gives the clause holding ``sentence`` ('[n] label\\ntext' blocks)."""
    prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
    blocks = re.split(r"^\[(\d+)\] ", prompt, flags=re.M)
    for n, block in zip(blocks[1::2], blocks[2::2]):
        if sentence in re.sub(r"\s+", "", block):
            return int(n)
    raise AssertionError("the prompt does not hold the clause")


class LLMServer:
    """A threaded OpenAI-compatible server on 127.0.0.1:0; ``release`` frees any hanging handler."""

    def __init__(self) -> None:
        self.script = Script(pieces=lambda n: ["…"])
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                script = server.script
                script.requests.append(request)
                pieces = script.pieces(marker_of(request))
                if not request.get("stream"):
                    body = json.dumps({
                        "id": "chatcmpl-stream", "object": "chat.completion", "created": 0, "model": "stream-test",
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": "".join(pieces)}}],
                    }, ensure_ascii=False).encode("utf-8")
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client may leave first (a timeout): fine
                    self._send(chunk("", role=True))
                    for i, piece in enumerate(pieces):
                        if script.hang_after is not None and i == script.hang_after:
                            server.release.wait(HANG_CAP_S)
                            return
                        time.sleep(LAST_PIECE_DELAY_S if i == len(pieces) - 1 else PIECE_GAP_S)
                        self._send(chunk(piece))
                    self._send(chunk(None, "stop"))
                    self._send(b"data: [DONE]\n\n")

            def _send(self, data: bytes) -> None:
                self.wfile.write(data)
                self.wfile.flush()

            def log_message(self, *_) -> None:  # keep test output clean
                pass

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> "LLMServer":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[LLMServer]:
    with LLMServer() as s:
        yield s


@pytest.fixture(scope="module")
def llm_bot(settings: Settings, server: LLMServer) -> Assistant:
    """A real Assistant.load with the OpenAI backend at the test server, retrieval warmed up."""
    cfg = settings.model_copy(update={"llm": "openai", "llm_base_url": server.url, "llm_model": "stream-test",
                                      "llm_timeout_s": TIMEOUT_S})
    bot = Assistant.load(cfg, log_fn=lambda _: None)
    Assistant(bot.retriever, cfg.model_copy(update={"llm": "none"})).ask(KG_Q)  # lazy loading is not timed
    return bot


@pytest.fixture
def script(server: LLMServer) -> Iterator[Callable[..., Script]]:
    """Set what the server says for one test; a fresh release event, so no handler hangs past it."""
    def use(pieces: Callable[[int], list[str]], hang_after: int | None = None) -> Script:
        server.release = threading.Event()
        server.script = Script(pieces=pieces, hang_after=hang_after)
        return server.script

    yield use
    server.release.set()


def timed_stream(bot: Assistant, question: str = KG_Q) -> tuple[list[tuple[float, str]], Answer, float]:
    """The provisional texts with the seconds at which each arrived, the final answer, and the total."""
    t0 = time.perf_counter()
    drafts: list[tuple[float, str]] = []
    final: Answer | None = None
    for text, res in bot.ask_stream(question):
        if res is None:
            assert final is None, "a draft after the final answer"
            drafts.append((time.perf_counter() - t0, text))
        else:
            final = res
            assert text == res.answer
    assert final is not None
    return drafts, final, time.perf_counter() - t0


def good_answer(n: int) -> list[str]:
    return ["到2025年，", "普惠性幼儿园", "覆盖率达到", "85%", f"[{n}]。"]


# -- (a) a good answer: its tokens first, then the verified answer ------------------------------------------
def test_streamed_good_answer_shows_the_draft_then_the_verified_answer(llm_bot, script):
    used = script(good_answer)
    drafts, res, total = timed_stream(llm_bot)
    assert used.requests and used.requests[-1]["stream"] is True  # the model was asked to stream
    assert len(drafts) >= len(good_answer(1)) - 1  # piece by piece, not all at once
    texts = [t for _, t in drafts]
    assert all(t.startswith(CHECKING) for t in texts)  # every draft is marked as being checked
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:]))  # each extends the one before
    assert drafts[0][0] < total - LAST_PIECE_DELAY_S * 0.75  # the first token was shown well before the end
    assert res.mode == "llm" and not res.notice
    assert res.answer == "到2025年，普惠性幼儿园覆盖率达到85%[1]。" and CHECKING not in res.answer
    assert [c.clause_id for c in res.citations] == [KG_CLAUSE]
    assert 0 < res.timings["first_delta_s"] < res.timings["total_s"]


# -- (b) a wrong figure: the extractive answer with its notice ------------------------------------------------
def test_streamed_wrong_figure_ends_in_the_extractive_answer(llm_bot, script):
    script(lambda n: ["到2025年，普惠性幼儿园", "覆盖率达到", "95%", f"[{n}]。"])
    drafts, res, _ = timed_stream(llm_bot)
    assert any("95%" in t for _, t in drafts)  # it was shown, as a draft under the checking line
    assert res.mode == "extractive" and "未通过引用核验" in res.notice
    assert "95%" not in res.answer and "85%" in res.answer
    assert res.citations[0].clause_id == KG_CLAUSE


# -- (c) a server that hangs mid-answer: the fallback after llm_timeout_s, no hang --------------------------
def test_server_hanging_mid_stream_falls_back_within_the_timeout(llm_bot, script):
    script(good_answer, hang_after=2)
    drafts, res, total = timed_stream(llm_bot)
    assert [t for _, t in drafts][-1] == CHECKING + "到2025年，普惠性幼儿园"  # what came before it stopped
    assert res.mode == "extractive" and "大模型暂不可用（响应超时）" in res.notice
    assert "85%" in res.answer and res.citations[0].clause_id == KG_CLAUSE
    assert TIMEOUT_S * 0.9 <= total < TIMEOUT_S + MARGIN_S, f"{total:.2f} s"


def test_refused_connection_falls_back_without_a_draft(llm_bot):
    """Nothing streamed: no checking line is ever shown, only the extractive answer and its notice."""
    import socket

    with socket.socket() as s:  # a loopback port nothing listens on (bound, then released)
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    cfg = llm_bot.settings.model_copy(update={"llm_base_url": f"http://{HOST}:{port}/v1"})
    bot = Assistant(llm_bot.retriever, cfg, llm=make_llm(cfg))
    drafts, res, total = timed_stream(bot)
    assert all(CHECKING not in t for _, t in drafts)
    assert res.mode == "extractive" and "大模型暂不可用" in res.notice and "85%" in res.answer
    assert total < TIMEOUT_S + MARGIN_S


def test_out_of_scope_question_asks_no_model(llm_bot, script):
    used = script(good_answer)
    drafts, res, _ = timed_stream(llm_bot, "明天石家庄会下雨吗？")
    assert res.outcome == "out_of_scope" and not used.requests
    assert all(CHECKING not in t for _, t in drafts)


def test_non_streaming_ask_is_unchanged_and_shares_the_check(llm_bot, script):
    used = script(lambda n: ["到2025年，普惠性幼儿园覆盖率达到85%", f"【{n}】。"])
    res = llm_bot.ask(KG_Q)
    assert not used.requests[-1].get("stream")
    assert res.mode == "llm" and res.answer == "到2025年，普惠性幼儿园覆盖率达到85%[1]。"


# -- (d) the markers models write ------------------------------------------------------------------------------
@pytest.mark.parametrize("normalised, written", [
    ("达到85%[1]。", "达到85%【1】。"),
    ("达到85%[1][2]。", "达到85%[1][2]。"),
    ("达到85%[1][2]。", "达到85%[1,2]。"),
    ("达到85%[1][2]。", "达到85%[1, 2]。"),
    ("达到85%[1][2]。", "达到85%[1、2]。"),
    ("达到85%[1][2]。", "达到85%[1，2]。"),
    ("达到85%[1][2]。", "达到85%【1】【2】。"),
    ("达到85%[1]。", "达到85%。[1]"),
    ("达到85%[1][2]。", "达到85%。[1][2]"),
    ("达到85%[1]。", "达到85%［1］。"),
    ("达到85%[2][3][4]。", "达到85%[2-4]。"),
    ("甲[1]。乙[2]。", "甲。[1]乙。[2]"),
    ("范围[2020-2025]内【注】", "范围[2020-2025]内【注】"),  # years and notes are not markers
])
def test_markers_are_normalised(normalised, written):
    assert normalize_markers(written) == normalised
    assert normalize_markers(normalised) == normalised


@pytest.mark.parametrize("form", ["【{n}】。", "[{n}][{m}]。", "[{n},{m}]。", "[{n}、{m}]。", "。[{n}]"],
                         ids=["fullwidth", "pairs", "comma", "enumeration-comma", "after-the-stop"])
def test_streamed_answer_with_a_common_marker_form_is_accepted(llm_bot, script, form):
    def pieces(n: int) -> list[str]:
        m = n % 8 + 1  # another retrieved clause: it does not say 85%, so the check keeps only n's citation
        return ["到2025年，普惠性幼儿园覆盖率", "达到85%", form.format(n=n, m=m)]

    script(pieces)
    _, res, _ = timed_stream(llm_bot)
    assert res.mode == "llm" and not res.notice, res.notice
    assert res.answer == "到2025年，普惠性幼儿园覆盖率达到85%[1]。"
    assert [c.clause_id for c in res.citations] == [KG_CLAUSE]


# -- (e) the HTTP stream --------------------------------------------------------------------------------------
def sse_events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_api_stream_sends_draft_deltas_then_one_verified_answer(llm_bot, script):
    script(good_answer)
    with TestClient(create_api(llm_bot)) as client:
        r = client.post("/ask/stream", json={"question": KG_Q})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and kinds.count("answer") == 1 and set(kinds[:-1]) == {"delta"}
    assert len(kinds) >= 3  # several deltas: the draft as it grew
    drawn = "".join(d["text"] for k, d in events if k == "delta")
    assert drawn.startswith(CHECKING) and "85%" in drawn
    answer = events[-1][1]
    assert answer["answer"] == "到2025年，普惠性幼儿园覆盖率达到85%[1]。" and answer["notice"] == ""
    assert [c["clause_id"] for c in answer["citations"]] == [KG_CLAUSE]


def test_api_stream_with_a_wrong_figure_answers_with_the_fallback(llm_bot, script):
    script(lambda n: ["覆盖率达到", "95%", f"[{n}]。"])
    with TestClient(create_api(llm_bot)) as client:
        events = sse_events(client.post("/ask/stream", json={"question": KG_Q}).text)
    answer = events[-1][1]
    assert events[-1][0] == "answer" and "95%" not in answer["answer"] and "85%" in answer["answer"]
    assert "未通过引用核验" in answer["notice"]


# -- the offline path is unchanged ---------------------------------------------------------------------------
def test_offline_stream_is_the_verified_answer_line_by_line(bot):
    assert bot.llm is None
    events = list(bot.ask_stream(KG_Q))
    assert all(final is None and CHECKING not in text for text, final in events[:-1])
    text, final = events[-1]
    assert final is not None and text == final.answer == bot.ask(KG_Q).answer
    assert "first_delta_s" not in final.timings
    with TestClient(create_api(bot)) as client:
        sse = sse_events(client.post("/ask/stream", json={"question": KG_Q}).text)
    assert "".join(d["text"] for k, d in sse if k == "delta") == sse[-1][1]["answer"] == final.answer


# -- the chat app ---------------------------------------------------------------------------------------------
def test_chat_shows_the_marked_draft_then_replaces_it(llm_bot, script, tmp_path):
    """The app's ``respond`` (called as Gradio calls it) draws the draft under the checking line, then
    the verified answer in its place, with its clickable citation."""
    from webapp.ui import build_app

    script(good_answer)
    app = build_app(llm_bot, tmp_path)
    respond = next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == "respond")
    shown = [out[0][-1]["content"] for out in respond(KG_Q, []) if isinstance(out[0], list)]
    drafts, final = shown[:-1], shown[-1]
    assert any(CHECKING.strip() in d and "85%" in d for d in drafts)
    assert CHECKING.strip() not in final and "85%" in final and 'href="#qx-open-qiaoxi_14th:10.2.2"' in final
