"""``python -m eval.load --mixed [--clients 30] [--seconds 60] [--rounds 3]``: mixed traffic, several rounds
in a row against ONE app process, so that memory growth from round to round shows.

Each round, ``clients`` new visitors (each a fresh Gradio session) open the page (its load event writes the
figures table's CSV and XLSX), ask eval questions in the chat, send follow-ups with their history (by turns
to the JSON API and to the Gradio ``/ask`` endpoint), send hostile input (far too long, control characters,
markup, nothing but blanks, an API body over the cap), export briefings (pin the newest answer, which
exports the draft, or a topic briefing) and download the files, and vote on answers, until ``seconds`` have
passed. The app's resident memory is sampled every ``RSS_SAMPLE_S``: each round's peak and its level at
the round's end.

A visitor talks to the app as the browser does, over the HTTP queue (``/gradio_api/queue/join``, then the
session's ``/queue/data`` event stream), running each event's ``.then`` followers itself. Not gradio_client:
the vote is a private event (the chatbot's like) that gradio_client refuses to call, and one session has to
carry the chat, the pin, the export and the vote, since they share its state.
"""
from __future__ import annotations

import contextlib
import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Sequence

from eval.bench import percentile
from eval.load import (
    MAX_ERRORS_KEPT, REQUEST_TIMEOUT_S, Question, Tally, answered, cpu_seconds, eval_questions, running_app,
    status_mb,
)

KINDS = ("page", "question", "follow_up", "hostile", "export", "vote")
# After the page and a first question (a vote and a pin need an answer in the session), each visitor starts
# with the other kinds, rotated by its number, so that even three visitors in a short round send every kind;
# then it draws from MIX, a resident's ten actions: mostly questions, now and then an export or a vote.
OPENING = ("vote", "follow_up", "hostile", "export")
MIX = ("question",) * 4 + ("follow_up",) * 2 + ("hostile",) * 2 + ("export", "vote")
RSS_SAMPLE_S = 0.5  # how often the app's resident memory is read during a round
TOPICS = ("养老", "教育", "交通与停车", "医疗卫生", "就业")  # topic briefings the visitors export
BRIEFING_TITLE = "压力测试简报"
OVERSIZED_API_BYTES = 70 * 1024  # over the JSON API's default body cap (64 KB): must come back as 413
# Hostile chat input: over max_question_chars (1000), control and invisible characters, markup, and a
# question of blanks and controls that cleans to nothing (the chat then does nothing).
HOSTILE_CHAT = (
    "请问" + "普惠性幼儿园覆盖率是多少" * 400,
    "\x00\x07普惠性\x1b[31m幼儿园\u202e覆盖率\u200b是多少？\x7f\r\n\x0b",
    "<script>alert(1)</script><img src=x onerror=alert(1)>养老服务有哪些？",
    "\x01\x02 \t \u3000 ",
)


# -- one visitor: a browser's session over the HTTP queue -----------------------------------------
class EventFailed(RuntimeError):
    """The app ran an event and reported an error, or the event stream ended before it completed."""


@dataclass(frozen=True)
class AppLayout:
    """What a visitor needs of the app's config: its events and the components they read and write."""

    dependencies: tuple[dict, ...]
    initial: dict[int, Any]  # component id → the value the page starts with
    stateful: frozenset[int]  # gr.State ids: their values live in the server's session, never sent

    @classmethod
    def of(cls, config: dict) -> "AppLayout":
        deps = tuple({**d, "fn_index": d.get("id", i)} for i, d in enumerate(config["dependencies"]))
        comps = config["components"]
        return cls(deps, {c["id"]: c.get("props", {}).get("value") for c in comps},
                   frozenset(c["id"] for c in comps if c.get("type") == "state"))

    def named(self, api_name: str) -> dict:
        return next(d for d in self.dependencies if d.get("api_name") == api_name)

    def triggered_by(self, event: str) -> list[dict]:
        """The events a component event fires ('load', 'like'): the browser's own, not in the API."""
        return [d for d in self.dependencies if any(t[1] == event for t in d.get("targets") or ())]

    def followers(self, dep: dict) -> list[dict]:
        """The ``.then`` events after ``dep``, which the browser (not the server) starts."""
        return [d for d in self.dependencies if d.get("trigger_after") == dep["fn_index"]]


class Visitor:
    """One browser tab: its own session, the values its components show, and its HTTP connection."""

    def __init__(self, url: str, layout: AppLayout, timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        import httpx

        self.url = url
        self.layout = layout
        self.http = httpx.Client(base_url=url, timeout=timeout_s)
        self.session = uuid.uuid4().hex
        self.values: dict[int, Any] = dict(layout.initial)
        self.turns = 0  # answers in the session's chat (what a pin or a vote points at)

    def close(self) -> None:
        self.http.close()

    def run(self, dep: dict, inputs: dict[int, Any] | None = None, event_data: Any = None) -> list:
        """Run an event as the browser does: its inputs from the page (overridden by ``inputs``), then its
        ``.then`` followers; returns the event's own outputs."""
        self.values.update(inputs or {})
        data = [None if i in self.layout.stateful else self.values.get(i) for i in dep["inputs"]]
        trigger = (dep.get("targets") or [[None]])[0][0]
        out = self._queue(dep["fn_index"], data, event_data, trigger)
        for comp, value in zip(dep["outputs"], out):
            if isinstance(value, dict) and value.get("__type__") == "update":
                if "value" in value:
                    self.values[comp] = value["value"]
            elif comp not in self.layout.stateful:
                self.values[comp] = value
        for follower in self.layout.followers(dep):
            self.run(follower)
        return out

    def _queue(self, fn_index: int, data: list, event_data: Any, trigger: int | None) -> list:
        body = {"data": data, "fn_index": fn_index, "session_hash": self.session, "event_data": event_data,
                "trigger_id": trigger}
        joined = self.http.post("gradio_api/queue/join", json=body)
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session}) as events:
            events.raise_for_status()
            for line in events.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed" and msg.get("event_id") == event_id:
                    if not msg.get("success"):
                        raise EventFailed(f"fn {fn_index}: {str(msg.get('output'))[:150]}")
                    return msg["output"]["data"]
        raise EventFailed(f"fn {fn_index}: the event stream closed before the event completed")

    def download(self, outputs: Sequence[Any]) -> int:
        """Fetch every file the outputs offer, as a click on a download button does; how many."""
        n = 0
        for value in outputs:
            file = value.get("value") if isinstance(value, dict) and value.get("__type__") == "update" else value
            if isinstance(file, dict) and file.get("url"):
                reply = self.http.get(file["url"])
                reply.raise_for_status()
                if not reply.content:
                    raise EventFailed(f"empty download {file['url']}")
                n += 1
        return n


# -- the actions ---------------------------------------------------------------------------------
def _chat_text(out: list) -> str:
    """The newest bubble's text of a chat event's chatbot output ('' when the chat did nothing)."""
    messages = out[0] if out and isinstance(out[0], list) else []
    if not messages:
        return ""
    content = messages[-1].get("content")
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content or "")


class Actions:
    """What a visitor does, one method per kind; each raises on anything but the intended reply."""

    def __init__(self, visitor: Visitor, questions: Sequence[Question], follow_ups: Sequence[Question],
                 rng: random.Random) -> None:
        self.v, self.questions, self.follow_ups, self.rng = visitor, questions, follow_ups, rng
        self.counter = 0  # alternates channels and export styles
        self.files = 0  # downloads that came back

    def page(self) -> None:
        reply = self.v.http.get("")
        reply.raise_for_status()
        for dep in self.v.layout.triggered_by("load"):  # the figures table and its two files
            self.v.run(dep)

    def _chat(self, text: str) -> list:
        out = self.v.run(self.v.layout.named("chat"), {self.v.layout.named("chat")["inputs"][0]: text})
        messages = out[0] if out and isinstance(out[0], list) else None
        if messages is not None:
            self.v.turns = len(messages) // 2
        return out

    def question(self) -> None:
        question, _ = self.rng.choice(self.questions)
        if not _chat_text(self._chat(question)):
            raise EventFailed("the chat showed no answer")

    def follow_up(self) -> None:
        question, history = self.rng.choice(self.follow_ups)
        self.counter += 1
        if self.counter % 2:
            reply = self.v.http.post("api/v1/ask", json={"question": question, "history": history})
            reply.raise_for_status()
            result = reply.json()
        else:
            ask = self.v.layout.named("ask")
            result = self.v.run(ask, dict(zip(ask["inputs"], (question, history))))[0]
        if not answered(result):
            raise EventFailed("empty or malformed answer")

    def hostile(self) -> None:
        self.counter += 1
        variants = len(HOSTILE_CHAT) + 1
        pick = self.counter % variants
        if pick < len(HOSTILE_CHAT):
            self._chat(HOSTILE_CHAT[pick])  # any reply without an error is the intended one
            return
        reply = self.v.http.post("api/v1/ask", json={"question": "长" * OVERSIZED_API_BYTES})
        if reply.status_code != 413 or reply.json().get("error", {}).get("code") != "payload_too_large":
            raise EventFailed(f"an oversized body got {reply.status_code}, not 413")

    def export(self) -> None:
        """Odd turns: pin the newest answer (its follower exports the draft); even: a topic briefing."""
        self.counter += 1
        if self.counter % 2 and self.v.turns:
            pin = self.v.layout.named("pin")
            self.v.run(pin, {pin["inputs"][0]: str(self.v.turns - 1)})
            files = [self.v.values.get(c) for f in self.v.layout.followers(pin) for c in f["outputs"]]
        else:
            brief = self.v.layout.named("topic_brief")
            self.v.run(brief, {brief["inputs"][0]: self.rng.choice(TOPICS)})
            files = [self.v.values.get(c) for c in brief["outputs"]]
        self.files += self.v.download(files)

    def vote(self) -> None:
        if not self.v.turns:
            raise EventFailed("no answer to vote on")
        like = self.v.layout.triggered_by("like")[0]
        index = 2 * (self.v.turns - 1) + 1  # the newest answer's bubble (user and assistant bubbles alternate)
        self.v.run(like, event_data={"index": index, "value": None, "liked": self.rng.random() < 0.7})


# -- a round -------------------------------------------------------------------------------------
@dataclass
class RoundResult:
    """One round: every action ends completed or failed, by kind; the app's memory while it ran."""

    number: int
    clients: int
    kinds: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    files: int = 0
    wall_s: float = 0.0
    rss_start_mb: float | None = None
    rss_peak_mb: float | None = None
    rss_end_mb: float | None = None
    app_cpu_s: float | None = None

    def record(self, kind: str, ok: bool, ms: float, error: str = "") -> None:
        self.kinds[kind].record(ok, ms, f"{kind}: {error}")

    def summary(self) -> dict[str, Any]:
        ms = [x for s in self.kinds.values() for x in s.latencies_ms]
        completed = sum(s.completed for s in self.kinds.values())
        errors = [e for s in self.kinds.values() for e in s.errors][:MAX_ERRORS_KEPT]
        return {"round": self.number, "clients": self.clients, "sent": sum(s.sent for s in self.kinds.values()),
                "completed": completed, "failed": sum(s.failed for s in self.kinds.values()),
                "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                "p95_ms": round(percentile(ms, 95), 1) if ms else None,
                "throughput_rps": round(completed / self.wall_s, 2) if self.wall_s else None,
                "wall_s": round(self.wall_s, 2), "files_downloaded": self.files,
                "rss_start_mb": self.rss_start_mb, "rss_peak_mb": self.rss_peak_mb, "rss_end_mb": self.rss_end_mb,
                "app_cpu_ms_per_request": round(self.app_cpu_s * 1000 / completed, 1)
                if self.app_cpu_s is not None and completed else None,
                "kinds": {k: s.counts() for k, s in self.kinds.items()}, "errors": errors}


class RssSampler:
    """Reads a process's resident memory every ``interval_s`` in a thread: the peak while it ran."""

    def __init__(self, pid: int | None, interval_s: float = RSS_SAMPLE_S) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.peak_mb: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="rss-sampler")

    def _loop(self) -> None:
        while True:
            mb = status_mb(self.pid, "VmRSS")
            if mb is not None:
                self.peak_mb = max(self.peak_mb or 0.0, mb)
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _plan(number: int, rng: random.Random) -> Iterator[str]:
    """A visitor's kinds in order: the page, a question, the rotated opening, then MIX shuffled, forever."""
    shift = (2 * number) % len(OPENING)
    yield from ("page", "question", *OPENING[shift:], *OPENING[:shift])
    while True:
        mix = list(MIX)
        rng.shuffle(mix)
        yield from mix


def _visitor_loop(url: str, layout: AppLayout, number: int, seed: int, questions: Sequence[Question],
                  follow_ups: Sequence[Question], stop_at: list[float], start: threading.Barrier,
                  result: RoundResult, lock: threading.Lock) -> None:
    """One visitor for one round: the opening whatever the clock says, then actions until ``stop_at``."""
    rng = random.Random(seed)
    visitor = Visitor(url, layout)
    actions = Actions(visitor, questions, follow_ups, rng)
    opening = 2 + len(OPENING)
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait(timeout=REQUEST_TIMEOUT_S)
    try:
        for step, kind in enumerate(_plan(number, rng)):
            if step >= opening and time.monotonic() >= stop_at[0]:
                break
            t0 = time.perf_counter()
            try:
                getattr(actions, kind)()
                ok, error = True, ""
            except Exception as e:  # any failure is counted, never lost
                ok, error = False, f"{type(e).__name__}: {e}"[:200]
            with lock:
                result.record(kind, ok, (time.perf_counter() - t0) * 1000, error)
    finally:
        visitor.close()
        with lock:
            result.files += actions.files


def run_round(url: str, number: int, clients: int, seconds: float, pid: int | None = None,
              questions: Sequence[Question] | None = None) -> RoundResult:
    """``clients`` new visitors for ``seconds`` (each finishes the action it is in, and its opening)."""
    import httpx

    every = list(questions or eval_questions())
    plain = [q for q in every if not q[1]] or every
    follow_ups = [q for q in every if q[1]] or every
    layout = AppLayout.of(httpx.get(f"{url}config", timeout=REQUEST_TIMEOUT_S).json())
    result = RoundResult(number=number, clients=clients)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [float("inf")]  # set when every visitor is ready: the round's clock starts then
    threads = [threading.Thread(target=_visitor_loop, daemon=True, name=f"visitor-{number}-{i}",
                                args=(url, layout, i, 1000 * number + i, plain, follow_ups, stop_at, start,
                                      result, lock)) for i in range(clients)]
    result.rss_start_mb = status_mb(pid, "VmRSS")
    cpu0 = cpu_seconds(pid) if pid else None
    with RssSampler(pid) as sampler:
        for t in threads:
            t.start()
        stop_at[0] = time.monotonic() + seconds
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=REQUEST_TIMEOUT_S)
        t0 = time.perf_counter()
        for t in threads:  # the actions in flight, and late openings, each bounded by the request timeout
            t.join(timeout=max(0.0, stop_at[0] - time.monotonic()) + 4 * REQUEST_TIMEOUT_S)
        result.wall_s = time.perf_counter() - t0
    cpu1 = cpu_seconds(pid) if pid else None
    result.app_cpu_s = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
    result.rss_peak_mb = sampler.peak_mb
    result.rss_end_mb = status_mb(pid, "VmRSS")
    return result


def mixed_load(clients: int, seconds: float, rounds: int, url: str | None = None,
               pid: int | None = None) -> dict[str, Any]:
    """``rounds`` rounds in a row against one app process (started here unless ``url``); the summary."""
    if clients < 1 or seconds <= 0 or rounds < 1:
        raise ValueError("clients, seconds and rounds must be positive")
    if url:
        return {"url": url, "rounds": [run_round(url, r, clients, seconds, pid).summary()
                                       for r in range(1, rounds + 1)]}
    with running_app() as app:
        out = [run_round(app.url, r, clients, seconds, app.pid).summary() for r in range(1, rounds + 1)]
        hwm = status_mb(app.pid, "VmHWM")
        # VmHWM is summed over the processes alive now: a helper process that has exited took its peak with it,
        # while a round's sampled VmRSS counted it. The app's peak is the larger of the two.
        sampled = [r["rss_peak_mb"] for r in out if r["rss_peak_mb"] is not None]
        peak = max([hwm, *sampled]) if hwm is not None else None
        return {"url": app.url, "app_start_s": app.start_s, "app_peak_rss_mb": peak, "rounds": out}


def format_mixed(summary: dict[str, Any]) -> str:
    """One table of the rounds, then each round's kinds and errors."""
    rows = summary["rounds"]
    lines = [f"mixed load against {summary['url']}: {rows[0]['clients']} clients per round, {len(rows)} rounds",
             "| round | sent | completed | failed | p50 ms | p95 ms | req/s | files | RSS start MB | RSS peak MB "
             "| RSS end MB |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['round']} | {r['sent']} | {r['completed']} | {r['failed']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['throughput_rps']} | {r['files_downloaded']} | {r['rss_start_mb']} | {r['rss_peak_mb']} | "
              f"{r['rss_end_mb']} |" for r in rows]
    for r in rows:
        lines.append(f"round {r['round']} by kind ({r['wall_s']} s, app CPU {r['app_cpu_ms_per_request']} ms/request):")
        lines += [f"  {k:<10} sent {s['sent']:>5}  completed {s['completed']:>5}  failed {s['failed']:>3}  "
                  f"p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms" for k, s in r["kinds"].items()]
        lines += [f"  error {e}" for e in r["errors"]]
    if summary.get("app_peak_rss_mb") is not None:
        lines.append(f"app: ready in {summary['app_start_s']} s, peak RSS over all rounds (VmHWM) "
                     f"{summary['app_peak_rss_mb']} MB")
    return "\n".join(lines)
