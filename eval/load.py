"""``python -m eval.load [--clients 20] [--requests 200] [--port P | --url URL] [--api]``: concurrent users.

Starts the real app (``python app.py``) on a loopback port (or uses ``--url``), then N
``gradio_client`` clients send the eval questions, with their histories, to the ``/ask``
endpoint until the requested count is sent. Every request ends as completed or failed
(a per-request timeout and an overall deadline bound it), so nothing is lost silently.
Reports completed / failed / latency percentiles / throughput and writes
``eval/reports/load-<date>.json``; the app is stopped at the end.

``--api`` compares, in one run, the Gradio endpoint with one app process, the JSON API (``POST
/api/v1/ask``, httpx clients) with one process, and the JSON API with two worker processes
(``python app.py --workers 2``): the same questions, clients and request count each time.

``--mixed [--seconds 60] [--rounds 3]`` (eval/mixed.py) sends mixed traffic instead (questions, follow-ups,
hostile input, briefing exports, votes) for ``--seconds`` per round, several rounds against one app process,
and reports each round by kind with the app's peak and end-of-round memory.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from eval.bench import percentile

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "eval" / "reports"
DATASET = ROOT / "eval" / "datasets" / "plan_qa.jsonl"
HOST = "127.0.0.1"  # loopback only
READY_TIMEOUT_S = 300.0  # the first start may build the store
REQUEST_TIMEOUT_S = 60.0
DEADLINE_S = 900.0  # the whole run, whatever happens
MAX_ERRORS_KEPT = 10

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

Question = tuple[str, list[dict]]


@dataclass
class Tally:
    """Requests sent, and how each ended: completed (its latency kept) or failed (the first errors kept)."""

    sent: int = 0
    completed: int = 0
    failed: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self, ok: bool, ms: float, error: str = "") -> None:
        self.sent += 1
        if ok:
            self.completed += 1
            self.latencies_ms.append(ms)
        else:
            self.failed += 1
            if len(self.errors) < MAX_ERRORS_KEPT:
                self.errors.append(error)

    def counts(self) -> dict[str, Any]:
        ms = self.latencies_ms
        return {"sent": self.sent, "completed": self.completed, "failed": self.failed,
                "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                "p95_ms": round(percentile(ms, 95), 1) if ms else None}


@dataclass(kw_only=True)
class LoadResult(Tally):
    """What one load run measured (the JSON report is this plus the environment)."""

    url: str
    clients: int
    requested: int
    wall_s: float = 0.0
    app_start_s: float | None = None
    app_peak_rss_mb: float | None = None
    client_cpu_s: float = 0.0  # the load generator's CPU time (all its client threads)
    app_cpu_s: float | None = None  # the app's CPU time during the run

    @property
    def lost(self) -> int:
        return self.sent - self.completed - self.failed

    def summary(self) -> dict[str, Any]:
        ms = self.latencies_ms
        return {"url": self.url, "clients": self.clients, "requested": self.requested, **self.counts(),
                "lost": self.lost, "max_ms": round(max(ms), 1) if ms else None,
                "throughput_rps": round(self.completed / self.wall_s, 2) if self.wall_s else None,
                "wall_s": round(self.wall_s, 2), "app_start_s": self.app_start_s,
                "app_peak_rss_mb": self.app_peak_rss_mb,
                "client_cpu_ms_per_request": _per(self.client_cpu_s, self.completed),
                "app_cpu_ms_per_request": _per(self.app_cpu_s, self.completed), "errors": self.errors}


def _per(cpu_s: float | None, n: int) -> float | None:
    return round(cpu_s * 1000 / n, 1) if cpu_s is not None and n else None


# -- the app ------------------------------------------------------------------------------------
@dataclass
class RunningApp:
    url: str
    pid: int | None
    start_s: float


def free_port() -> int:
    """A loopback port that is free now. It is released before the app binds it, so another process may
    take it in between: :func:`running_app` then starts again on another port (``PORT_ATTEMPTS``)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


PORT_ATTEMPTS = 5  # app.py exits with 2 at once when its port is taken: try another free port


def wait_until_serving(url: str, timeout_s: float, proc: subprocess.Popen | None = None) -> None:
    """Poll the page until it answers 200; fail early if the app process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode} before serving")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        time.sleep(0.5)
    raise RuntimeError(f"app at {url} not ready after {timeout_s:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


@contextlib.contextmanager
def running_app(port: int | None = None, ready_timeout_s: float = READY_TIMEOUT_S, env: dict | None = None,
                log_path: Path | None = None, extra_args: Sequence[str] = ()) -> Iterator[RunningApp]:
    """``python app.py`` on a loopback port, stopped (terminate, then kill) however the run ends.

    ``env`` adds to the environment; ``log_path`` keeps the app's output (a temporary file otherwise);
    ``extra_args`` go to app.py (``--workers 2``). Without a ``port``, a free one is picked, and another one
    if the app finds it taken when it starts.
    """
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
           "QIAOXI_FEEDBACK_PATH": str(Path(tempfile.gettempdir()) / "qiaoxi-load-feedback.jsonl"), **(env or {})}
    attempts = PORT_ATTEMPTS if port is None else 1
    log_cm = open(log_path, "w+", encoding="utf-8") if log_path else tempfile.TemporaryFile("w+")
    with log_cm as log:
        for attempt in range(1, attempts + 1):
            this_port = port or free_port()
            url = f"http://{HOST}:{this_port}/"
            log.seek(0)
            log.truncate()
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "app.py", "--host", HOST, "--port", str(this_port), *extra_args],
                                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_until_serving(url, ready_timeout_s, proc)
                break
            except RuntimeError as e:
                port_taken = proc.poll() == 2
                _stop(proc)
                if port_taken and attempt < attempts:
                    continue
                log.seek(0)
                raise RuntimeError(f"{e}\n{log.read()[-3000:]}") from None
            except BaseException:
                _stop(proc)
                raise
        try:
            yield RunningApp(url=url, pid=proc.pid, start_s=round(time.perf_counter() - t0, 2))
        finally:
            _stop(proc)


def peak_rss_mb(pid: int | None) -> float | None:
    """A live process's peak RSS (VmHWM) with its child processes' (worker processes), read before it is
    stopped; None off Linux."""
    return status_mb(pid, "VmHWM")


def status_mb(pid: int | None, name: str) -> float | None:
    """A memory figure of /proc/<pid>/status (``VmRSS`` now, ``VmHWM`` the peak so far) in MB, summed over
    the process and its descendants (worker processes); None off Linux or when the process is gone."""
    total = None
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(OSError, ValueError, TypeError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(f"{name}:"):
                    total = (total or 0.0) + int(line.split()[1]) / 1024
    return round(total, 1) if total is not None else None


def _children(pid: int | None) -> list[int]:
    """Every descendant of a live process (uvicorn's worker processes and their helpers); [] off Linux."""
    out: list[int] = []
    with contextlib.suppress(OSError, ValueError, TypeError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += [int(child), *_children(int(child))]
    return out


def cpu_seconds(pid: int) -> float | None:
    """A live process's user + system CPU time so far; None off Linux."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


# -- the clients ----------------------------------------------------------------------------------
def eval_questions(limit: int | None = None) -> list[Question]:
    """The eval questions with their histories (follow-ups included), in dataset order."""
    from eval.dataset import load_dataset

    items = load_dataset(DATASET)[:limit]
    return [(it.question, list(it.history)) for it in items]


class _Dispatcher:
    """Hands out request numbers until ``total`` are taken or the deadline passes (thread-safe)."""

    def __init__(self, total: int, deadline: float) -> None:
        self._numbers = iter(range(total))
        self._lock = threading.Lock()
        self.deadline = deadline

    def next(self) -> int | None:
        if time.monotonic() > self.deadline:
            return None
        with self._lock:
            return next(self._numbers, None)


def answered(result: Any) -> bool:
    """An /ask reply counts as completed only if it is a real answer dict."""
    return isinstance(result, dict) and isinstance(result.get("answer"), str) and bool(result["answer"])


TARGETS = ("gradio", "api")  # the chat app's /ask endpoint (gradio_client) or POST /api/v1/ask (httpx)


def _sender(url: str, target: str, request_timeout_s: float):
    """A function (question, history) → reply dict for one user, over one connection."""
    if target == "api":
        import httpx

        http = httpx.Client(base_url=url, timeout=request_timeout_s)

        def post(question: str, history: list[dict]) -> Any:
            reply = http.post("api/v1/ask", json={"question": question, "history": history})
            reply.raise_for_status()
            return reply.json()
        return post
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    return lambda question, history: client.submit(question, history, api_name="/ask").result(
        timeout=request_timeout_s)


def _client_loop(url: str, questions: Sequence[Question], jobs: _Dispatcher, start: threading.Barrier,
                 result: LoadResult, lock: threading.Lock, request_timeout_s: float, target: str = "gradio") -> None:
    """One user: connect, wait for the others, then send requests until none are left."""
    client = None
    with contextlib.suppress(Exception):
        client = _sender(url, target, request_timeout_s)
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait(timeout=REQUEST_TIMEOUT_S)
    while (n := jobs.next()) is not None:
        question, history = questions[n % len(questions)]
        t0 = time.perf_counter()
        try:
            if client is None:
                raise RuntimeError("client could not connect")
            ok = answered(client(question, history))
            error = "" if ok else "empty or malformed answer"
        except Exception as e:  # any failure is counted, never lost
            ok, error = False, f"{type(e).__name__}: {e}"[:200]
        ms = (time.perf_counter() - t0) * 1000
        with lock:
            result.record(ok, ms, f"#{n}: {error}")


def run_load(url: str, clients: int = 20, requests: int = 200, questions: Sequence[Question] | None = None,
             request_timeout_s: float = REQUEST_TIMEOUT_S, deadline_s: float = DEADLINE_S,
             target: str = "gradio") -> LoadResult:
    """``clients`` concurrent users send ``requests`` /ask calls in all, to ``target`` (TARGETS)."""
    if clients < 1 or requests < 1:
        raise ValueError("clients and requests must be positive")
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}")
    questions = list(questions or eval_questions())
    result = LoadResult(url=url, clients=clients, requested=requests)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    jobs = _Dispatcher(requests, time.monotonic() + deadline_s)
    threads = [threading.Thread(target=_client_loop, daemon=True, name=f"load-client-{i}",
                                args=(url, questions, jobs, start, result, lock, request_timeout_s, target))
               for i in range(clients)]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait(timeout=REQUEST_TIMEOUT_S)  # all clients connected: the clock starts now
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join(timeout=max(0.0, jobs.deadline - time.monotonic()) + request_timeout_s)
    result.wall_s = time.perf_counter() - t0
    result.client_cpu_s = time.process_time() - cpu0
    return result


def load_test(clients: int, requests: int, port: int | None = None, url: str | None = None,
              target: str = "gradio", workers: int = 1) -> LoadResult:
    """Against ``url``, or against an app started (and stopped) here with ``workers`` processes."""
    if url:
        return run_load(url, clients, requests, target=target)
    with running_app(port, extra_args=("--workers", str(workers)) if workers > 1 else ()) as app:
        cpu0 = cpu_seconds(app.pid)
        result = run_load(app.url, clients, requests, target=target)
        cpu1 = cpu_seconds(app.pid)
        result.app_cpu_s = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
        result.app_start_s = app.start_s
        result.app_peak_rss_mb = peak_rss_mb(app.pid)
    return result


# The --api comparison: (name, target, worker processes). The chat app keeps its sessions in one process,
# so the Gradio endpoint is measured with one; the stateless API with one and with two.
API_RUNS = (("gradio, 1 process", "gradio", 1), ("api, 1 process", "api", 1), ("api, 2 workers", "api", 2))


def api_comparison(clients: int, requests: int) -> list[dict[str, Any]]:
    """The same load against the Gradio endpoint and the JSON API with 1 and 2 worker processes."""
    out = []
    for name, target, workers in API_RUNS:
        out.append({"run": name, "workers": workers, **load_test(clients, requests, target=target,
                                                                workers=workers).summary()})
    return out


def format_comparison(rows: list[dict[str, Any]]) -> str:
    lines = ["| run | sent | completed | failed | p50 ms | p95 ms | req/s | peak RSS MB |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['run']} | {r['sent']} | {r['completed']} | {r['failed']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['throughput_rps']} | {r['app_peak_rss_mb']} |" for r in rows]
    return "\n".join(lines)


# -- command line ----------------------------------------------------------------------------------
def write_report(summary: dict[str, Any], out_dir: Path, name: str = "load") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}-{datetime.now():%Y-%m-%d}.json"
    env = {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
           "finished": datetime.now().isoformat(timespec="seconds")}
    path.write_text(json.dumps({**summary, "environment": env}, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def format_summary(s: dict[str, Any]) -> str:
    lines = [f"load test against {s['url']}: {s['clients']} clients, {s['requested']} requests",
             f"sent {s['sent']}  completed {s['completed']}  failed {s['failed']}  lost {s['lost']}",
             f"latency p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  max {s['max_ms']} ms",
             f"throughput {s['throughput_rps']} req/s over {s['wall_s']} s"]
    if s["app_start_s"] is not None:
        lines.append(f"app: ready in {s['app_start_s']} s, peak RSS {s['app_peak_rss_mb']} MB")
    if s["app_cpu_ms_per_request"] is not None:
        lines.append(f"CPU per request: app {s['app_cpu_ms_per_request']} ms, "
                     f"load generator {s['client_cpu_ms_per_request']} ms (on the same cores)")
    lines += [f"  error {e}" for e in s["errors"]]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=20, help="concurrent users (default 20)")
    p.add_argument("--requests", type=int, default=200, help="requests in all (default 200)")
    p.add_argument("--port", type=int, default=None, help="port for the app started here (default: a free one)")
    p.add_argument("--url", default=None, help="test an app already running here instead of starting one")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="report directory (default eval/reports)")
    p.add_argument("--api", action="store_true",
                   help="compare the Gradio endpoint (1 process) with the JSON API (1 and 2 worker processes)")
    p.add_argument("--mixed", action="store_true",
                   help="mixed traffic (questions, follow-ups, hostile input, exports, votes) in rounds against one app")
    p.add_argument("--seconds", type=float, default=60.0, help="with --mixed: how long each round lasts (default 60)")
    p.add_argument("--rounds", type=int, default=3, help="with --mixed: rounds in a row (default 3)")
    args = p.parse_args(argv)
    if args.api and args.url:
        p.error("--api starts its own apps; leave out --url")
    if args.api and args.mixed:
        p.error("choose one of --api and --mixed")
    if args.clients < 1 or args.requests < 1 or args.rounds < 1 or args.seconds <= 0:
        p.error("--clients, --requests, --rounds and --seconds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every request completed, 1 when some failed or were not sent, 2 when it could not run."""
    args = parse_args(argv)
    if args.mixed:
        return main_mixed(args)
    if args.api:
        try:
            rows = api_comparison(args.clients, args.requests)
        except (RuntimeError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(format_comparison(rows))
        for r in rows:
            print(f"  {r['run']}: " + "; ".join(r["errors"][:3]) if r["errors"] else "", end="")
        print(f"\nreport: {write_report({'runs': rows}, Path(args.out))}")
        return 0 if all(r["completed"] == r["requested"] for r in rows) else 1
    try:
        result = load_test(args.clients, args.requests, args.port, args.url)
    except (RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    summary = result.summary()
    print(format_summary(summary))
    print(f"report: {write_report(summary, Path(args.out))}")
    return 0 if result.completed == result.requested else 1


def main_mixed(args: argparse.Namespace) -> int:
    """The --mixed run: exit 0 when nothing failed in any round."""
    from eval.mixed import format_mixed, mixed_load

    try:
        summary = mixed_load(args.clients, args.seconds, args.rounds, url=args.url)
    except (RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(format_mixed(summary))
    print(f"report: {write_report(summary, Path(args.out), name='load-mixed')}")
    return 0 if all(r["failed"] == 0 and r["sent"] for r in summary["rounds"]) else 1


if __name__ == "__main__":
    sys.exit(main())
