"""``python -m eval.bench``: speed and memory of the assistant and of the naive LangChain baseline.

Every figure is measured in a fresh child process, so one system's imports, caches and
memory never leak into the other's numbers:

- index build: a full build into a temporary store directory (``--skip-build``: the
  ``build_seconds`` recorded in the existing store's manifest instead);
- cold start: new process → first answer, with the store already built (median of runs);
- warm latency: ``ask`` and ``retrieve`` over the eval questions after one warm-up, and each question's
  embedding alone (the floor of any dense pipeline); how many texts each ``ask`` embedded (a question
  that BM25 settles embeds none, see ``dense_skip_margin``);
- peak RSS (``ru_maxrss`` of the child) and whether torch / sentence_transformers got imported.

The naive pipeline (eval/baselines.py) has no persisted index: its cold start includes its
build, as it would for anyone running that tutorial code. Targets are reported, never
asserted (machines are noisy; medians and ratios are what to compare).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "eval" / "reports"
DATASET = ROOT / "eval" / "datasets" / "plan_qa.jsonl"
PROBE_QUESTION = "到2025年普惠性幼儿园覆盖率要达到多少？"
PROBE_FACT = "85%"
RESULT_MARK = "@@BENCH@@ "
TARGETS = {"ask_p50_ms": 25.0, "ask_p95_ms": 60.0, "cold_start_s": 3.0, "peak_rss_mb": 400.0,
           "build_all_s": 120.0}  # every plan, on a fresh 2-core machine
BUILD_TIMEOUT_S = 1200
COLD_TIMEOUT_S = 300
WORKER_TIMEOUT_S = 1800


# -- helpers used in both parent and children --------------------------------------------
def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: always a value that was really measured."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """Percentiles, not means, lead: one slow outlier should not hide the typical latency."""
    if not ms:
        return {"n": 0, "p50_ms": float("nan"), "p95_ms": float("nan"), "max_ms": float("nan"),
                "mean_ms": float("nan")}
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(statistics.fmean(ms), 2)}


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    import resource

    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024 / (1024 if sys.platform == "darwin" else 1), 1)


def heavy_imports() -> dict[str, bool]:
    """The default path must stay torch-free: check what this process actually imported."""
    return {"torch": "torch" in sys.modules, "sentence_transformers": "sentence_transformers" in sys.modules}


def emit(result: dict[str, Any]) -> None:
    """Hand a child's result to the parent on one marked stdout line (logs go to stderr)."""
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False), flush=True)


def eval_items(limit: int | None) -> list:
    from eval.dataset import load_dataset
    from eval.runner import select_items

    return select_items(load_dataset(DATASET), limit)


def _quiet(_: str) -> None:
    """Store-loading log lines are not part of a benchmark's output."""


# -- child processes ------------------------------------------------------------------------
def child_build(store_dir: str) -> None:
    """Build every plan's store from scratch, the primary's in ``store_dir`` and the others beside it
    (their jieba caches too)."""
    from index.config import Settings
    from index.plans import ensure_all, settings_for

    settings = Settings(store_dir=Path(store_dir))
    t0 = time.perf_counter()
    built = ensure_all(settings, log=_quiet, force=True)
    wall = round(time.perf_counter() - t0, 2)
    manifests = {pid: json.loads((Path(settings_for(settings, pid).store_dir) / "manifest.json").read_text(
        encoding="utf-8")) for pid in built}
    emit({"build_s": wall, "wall_s": wall, "per_plan_s": {pid: m["build_seconds"] for pid, m in manifests.items()},
          "chunks": sum(m["counts"]["chunks"] for m in manifests.values()), "rss_mb": peak_rss_mb(),
          **heavy_imports()})


def child_cold() -> None:
    """Import, load the built store, answer one question; the parent times from its spawn."""
    t0 = time.perf_counter()
    from assistant import Assistant  # the package's lazy __getattr__ imports assistant.api here

    t_import = time.perf_counter()
    bot = Assistant.load(log_fn=_quiet)
    t_load = time.perf_counter()
    res = bot.ask(PROBE_QUESTION)
    answered_at = time.time()
    t_first = time.perf_counter()
    # The plan above answers too: its engine loads on its first question (the app loads it in the
    # background right after starting, so this is the slowest a first question about it can be).
    parent = bot.profile.parent_plan if bot.profile.parent_plan in bot.plans.ids else ""
    upper = bot.ask(PROBE_QUESTION, plan=parent) if parent else None
    emit({"answered_at": answered_at, "import_s": t_import - t0, "load_s": t_load - t_import,
          "first_ask_s": t_first - t_load, "ok": PROBE_FACT in res.answer,
          "parent_first_ask_s": round(time.perf_counter() - t_first, 3) if upper else None,
          "rss_mb": peak_rss_mb(), **heavy_imports()})


def child_system(limit: int | None) -> None:
    """Warm latency of ``ask`` (with each item's history) and of ``retrieve`` over the eval set, how many
    texts each ask embedded, and the floor: each question's embedding alone."""
    from assistant import Assistant
    from eval.runner import warm_up

    items = eval_items(limit)
    bot = Assistant.load(log_fn=_quiet)
    warmup_ms = warm_up(bot)
    embedded: list[int] = []
    embed_queries = bot.retriever.embed_queries

    def counting(queries: list[str]) -> dict:
        vectors = embed_queries(queries)
        embedded[-1] += len(vectors)
        return vectors

    bot.retriever.embed_queries = counting
    ask_ms, retrieve_ms, embed_ms = [], [], []
    for item in items:
        embedded.append(0)
        t0 = time.perf_counter()
        bot.ask(item.question, history=item.history)
        ask_ms.append((time.perf_counter() - t0) * 1000)
    for item in items:
        t0 = time.perf_counter()
        bot.retrieve(item.question, k=5)
        retrieve_ms.append((time.perf_counter() - t0) * 1000)
    for item in items:
        t0 = time.perf_counter()
        bot.retriever.embeddings.embed_query_array(item.question)
        embed_ms.append((time.perf_counter() - t0) * 1000)
    emit({"load_s": bot.load_seconds, "warmup_ms": warmup_ms, "ask_ms": ask_ms, "retrieve_ms": retrieve_ms,
          "embed_ms": embed_ms, "texts_embedded": embedded, "rss_mb": peak_rss_mb(), **heavy_imports()})


def child_naive(limit: int | None) -> None:
    """The naive pipeline as its users run it: build at start, answer, then one search per item."""
    from eval.baselines import NaivePipeline
    from index.config import Settings
    from index.embeddings import make_embeddings

    settings = Settings()
    emb = make_embeddings(settings.embedding_backend, settings.embedding_model)
    pipeline = NaivePipeline(settings.plan_path.read_text(encoding="utf-8"), emb)
    first = pipeline.search(PROBE_QUESTION)
    answered_at = time.time()
    items = eval_items(limit)
    pipeline.search(items[0].question)  # warm-up, as for the system
    search_ms = []
    for item in items:
        t0 = time.perf_counter()
        pipeline.search(item.question)
        search_ms.append((time.perf_counter() - t0) * 1000)
    emit({"answered_at": answered_at, "build_s": pipeline.build_seconds, "chunks": len(pipeline.chunks),
          "ok": bool(first) and PROBE_FACT in first[0][1], "search_ms": search_ms,
          "rss_mb": peak_rss_mb(), **heavy_imports()})


# -- parent ------------------------------------------------------------------------------------
def run_child(call: str, timeout_s: float) -> dict[str, Any]:
    """Run ``eval.bench.<call>`` in a fresh interpreter; add ``spawned_at`` and ``wall_s``."""
    code = f"import eval.bench as b; b.{call}"
    spawned_at = time.time()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout_s, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    wall_s = time.time() - spawned_at
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if out.returncode != 0 or not lines:
        tail = "\n".join(out.stderr.splitlines()[-15:])
        raise RuntimeError(f"benchmark child `{call}` failed (exit {out.returncode}):\n{tail}")
    return {**json.loads(lines[-1][len(RESULT_MARK):]), "spawned_at": spawned_at, "wall_s_outer": wall_s}


def ensure_default_store() -> None:
    """Cold start is defined with a built store: build the default one first if needed."""
    out = subprocess.run([sys.executable, "-m", "index", "build"], cwd=ROOT, capture_output=True, text=True,
                         timeout=BUILD_TIMEOUT_S)
    if out.returncode != 0:
        raise RuntimeError(f"could not build the default store:\n{out.stderr[-2000:]}")


def measure_build(skip: bool) -> dict[str, Any]:
    """Fresh build in a temporary directory, or the manifest's figure with ``--skip-build``."""
    if skip:
        from index.config import Settings

        from index.plans import plan_ids, settings_for

        settings = Settings()
        per_plan = {pid: json.loads((Path(settings_for(settings, pid).store_dir) / "manifest.json").read_text(
            encoding="utf-8"))["build_seconds"] for pid in plan_ids(settings)}
        return {"build_s": round(sum(per_plan.values()), 2), "per_plan_s": per_plan,
                "source": "the existing stores' manifests (--skip-build)", "rss_mb": None}
    with tempfile.TemporaryDirectory(prefix="qiaoxi-bench-") as tmp:
        res = run_child(f"child_build({str(Path(tmp) / 'store')!r})", BUILD_TIMEOUT_S)
    return {"build_s": res["build_s"], "per_plan_s": res["per_plan_s"],
            "source": "fresh build of every plan into a temporary store dir (this run)",
            "rss_mb": res["rss_mb"], "wall_s": res["wall_s"]}


def measure_cold(runs: int) -> dict[str, Any]:
    """Median of ``runs`` cold starts: parent's spawn → child's first answer."""
    probes = [run_child("child_cold()", COLD_TIMEOUT_S) for _ in range(runs)]
    cold = [p["answered_at"] - p["spawned_at"] for p in probes]

    def med(key: str) -> float:
        return round(statistics.median(p[key] for p in probes), 3)

    return {"runs": runs, "cold_start_s": round(statistics.median(cold), 3), "all_s": [round(c, 3) for c in cold],
            "import_s": med("import_s"), "load_s": med("load_s"), "first_ask_s": med("first_ask_s"),
            "parent_first_ask_s": med("parent_first_ask_s") if all(p["parent_first_ask_s"] for p in probes) else None,
            "rss_mb": med("rss_mb"), "ok": all(p["ok"] for p in probes),
            "torch": any(p["torch"] for p in probes),
            "sentence_transformers": any(p["sentence_transformers"] for p in probes)}


def measure_system(limit: int | None) -> dict[str, Any]:
    res = run_child(f"child_system({limit!r})", WORKER_TIMEOUT_S)
    return {"load_s": round(res["load_s"], 3), "warmup_ms": round(res["warmup_ms"], 1),
            "ask": latency_summary(res["ask_ms"]), "retrieve": latency_summary(res["retrieve_ms"]),
            "embed_alone": latency_summary(res["embed_ms"]),
            "asks_embedding_nothing": round(res["texts_embedded"].count(0) / max(1, len(res["texts_embedded"])), 3),
            "texts_embedded": {str(n): res["texts_embedded"].count(n) for n in sorted(set(res["texts_embedded"]))},
            "rss_mb": res["rss_mb"], "torch": res["torch"], "sentence_transformers": res["sentence_transformers"]}


def measure_naive(limit: int | None) -> dict[str, Any]:
    res = run_child(f"child_naive({limit!r})", WORKER_TIMEOUT_S)
    return {"build_s": round(res["build_s"], 2), "cold_start_s": round(res["answered_at"] - res["spawned_at"], 3),
            "chunks": res["chunks"], "ok": res["ok"], "ask": latency_summary(res["search_ms"]),
            "rss_mb": res["rss_mb"], "torch": res["torch"], "sentence_transformers": res["sentence_transformers"]}


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)


def comparison_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: system, naive, system/naive, target and whether it is met."""
    s, n, b, c = report["system"], report["naive"], report["build"], report["cold"]
    rss = max(s["rss_mb"], c["rss_mb"])  # a serving process; the build's own peak is in report["build"]
    rows = [
        ("index build, every plan (s)", b["build_s"], n["build_s"], TARGETS["build_all_s"]),
        ("cold start → 1st answer (s, median)", c["cold_start_s"], n["cold_start_s"], TARGETS["cold_start_s"]),
        ("cold start → 1st answer from the plan above too (s)",
         round(c["cold_start_s"] + c["parent_first_ask_s"], 3) if c.get("parent_first_ask_s") else None, None,
         TARGETS["cold_start_s"]),
        ("warm ask p50 (ms)", s["ask"]["p50_ms"], n["ask"]["p50_ms"], TARGETS["ask_p50_ms"]),
        ("warm ask p95 (ms)", s["ask"]["p95_ms"], n["ask"]["p95_ms"], TARGETS["ask_p95_ms"]),
        ("warm ask max (ms)", s["ask"]["max_ms"], n["ask"]["max_ms"], None),
        ("retrieve p50 (ms)", s["retrieve"]["p50_ms"], n["ask"]["p50_ms"], None),
        ("retrieve p95 (ms)", s["retrieve"]["p95_ms"], n["ask"]["p95_ms"], None),
        ("query embedding alone p50 (ms)", s["embed_alone"]["p50_ms"], n["ask"]["p50_ms"], None),
        ("asks that embedded nothing (share)", s["asks_embedding_nothing"], None, None),
        ("peak RSS (MB)", rss, n["rss_mb"], TARGETS["peak_rss_mb"]),
    ]
    out = [{"metric": m, "system": sv, "naive": nv, "ratio": ratio(sv, nv), "target": t,
            "met": None if t is None or sv is None else sv <= t} for m, sv, nv, t in rows]
    for mod in ("torch", "sentence_transformers"):
        out.append({"metric": f"{mod} imported", "system": s[mod] or c[mod], "naive": n[mod], "ratio": None,
                    "target": False, "met": not (s[mod] or c[mod])})
    return out


def format_table(rows: list[dict[str, Any]]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, bool):
            return "yes" if v else "no"
        return f"{v:g}" if isinstance(v, float) else str(v)

    head = ("metric", "system", "naive", "sys/naive", "target", "met")
    body = [(r["metric"], cell(r["system"]), cell(r["naive"]), cell(r["ratio"]),
             "–" if r["target"] is None else ("no" if r["target"] is False else f"≤ {r['target']:g}"),
             cell(r["met"]) if r["met"] is not None else "") for r in rows]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]
    lines = ["  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip() for row in (head, *body)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    """Where and under what load it ran: latency depends on both."""
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "omp_env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_"))}}


def run_bench(limit: int | None, skip_build: bool, cold_runs: int) -> dict[str, Any]:
    started = datetime.now()
    env_before = environment()
    ensure_default_store()
    build = measure_build(skip_build)
    cold = measure_cold(cold_runs)
    system = measure_system(limit)
    naive = measure_naive(limit)
    report = {"started": started.isoformat(timespec="seconds"), "limit": limit, "items": system["ask"]["n"],
              "environment": env_before, "loadavg_after": [round(x, 2) for x in os.getloadavg()],
              "targets": TARGETS, "build": build, "cold": cold, "system": system, "naive": naive,
              "notes": ["naive cold start includes its build (it keeps no index on disk)",
                        "naive per-question latency is its whole answer step (top chunk); compare it "
                        "with the system's retrieve as well as its ask",
                        "peak RSS (system) = max of the cold-start and warm-run children (a serving process); "
                        "the build child's peak is build.rss_mb"]}
    report["rows"] = comparison_rows(report)
    report["elapsed_s"] = round((datetime.now() - started).total_seconds(), 1)
    return report


def write_report(report: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench-{report['started'][:10]}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, default=None, help="at most N eval questions (round-robin over categories)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="report directory (default eval/reports)")
    p.add_argument("--skip-build", action="store_true",
                   help="take the build time from the existing store's manifest instead of building (1-3 min)")
    p.add_argument("--cold-runs", type=int, default=5, help="cold-start runs; the median is reported (default 5)")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be positive")
    if args.cold_runs < 1:
        p.error("--cold-runs must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print("benchmarking (each figure in a fresh process; a full run takes several minutes) …", file=sys.stderr)
    try:
        report = run_bench(args.limit, args.skip_build, args.cold_runs)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    path = write_report(report, Path(args.out))
    env = report["environment"]
    print(f"桥西规划问答 benchmark · {report['items']} questions · {env['cpus']} CPUs · load avg "
          f"{env['loadavg'][0]} → {report['loadavg_after'][0]} · python {env['python']}")
    print(f"build time: {report['build']['source']}: "
          + ", ".join(f"{pid} {sec} s" for pid, sec in report["build"].get("per_plan_s", {}).items()))
    print(f"cold start: median of {report['cold']['runs']} (import {report['cold']['import_s']} s, "
          f"load {report['cold']['load_s']} s, first ask {report['cold']['first_ask_s']} s); "
          f"naive: 1 run incl. its build ({report['naive']['chunks']} chunks)")
    print(format_table(report["rows"]))
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
