"""Printing tables and writing the JSON + Markdown reports of an :class:`EvalRun`.

Plain-text tables go to stdout (fixed width, ASCII headers so they line up in
any terminal); the Markdown report carries the same tables plus the full
failure list with clause labels; the JSON report carries every record.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from eval.metrics import ItemRecord, failure_reason
from eval.runner import EvalRun, SystemRun

# (summary key, column header, formatter) for the per-category table.
_COLUMNS: list[tuple[str, str, str]] = [
    ("n", "n", "int"),
    ("accuracy", "acc", "ratio"),
    ("abstention_precision", "abstP", "ratio"),
    ("abstention_recall", "abstR", "ratio"),
    ("false_abstentions", "falseAb", "int"),
    ("invented_answers", "invent", "int"),
    ("recall@1", "R@1", "ratio"),
    ("recall@3", "R@3", "ratio"),
    ("recall@5", "R@5", "ratio"),
    ("mrr", "MRR", "ratio"),
    ("citation_precision", "citP", "ratio"),
    ("citation_recall", "citR", "ratio"),
    ("latency_p50_ms", "p50ms", "ms"),
    ("latency_p95_ms", "p95ms", "ms"),
]

# (summary key, row label, formatter) for the side-by-side comparison.
_COMPARE_ROWS: list[tuple[str, str, str]] = [
    ("accuracy", "answer accuracy", "ratio"),
    ("recall@1", "evidence recall@1", "ratio"),
    ("recall@3", "evidence recall@3", "ratio"),
    ("recall@5", "evidence recall@5", "ratio"),
    ("mrr", "MRR", "ratio"),
    ("abstention_precision", "abstention precision", "ratio"),
    ("abstention_recall", "abstention recall", "ratio"),
    ("false_abstentions", "false abstentions", "int"),
    ("invented_answers", "invented answers", "int"),
    ("citation_precision", "citation precision", "ratio"),
    ("citation_recall", "citation recall", "ratio"),
    ("latency_p50_ms", "latency p50 (ms)", "ms"),
    ("latency_p95_ms", "latency p95 (ms)", "ms"),
]

ANSWER_CHARS_STDOUT = 60
ANSWER_CHARS_MD = 200


def fmt(value: object, kind: str) -> str:
    """One cell: '–' for an undefined figure (e.g. precision with nothing predicted)."""
    if value is None:
        return "–"
    if kind == "ratio":
        return f"{float(value):.3f}"
    if kind == "ms":
        return f"{float(value):.1f}"
    return str(int(value))


def ratio_to(system: object, baseline: object) -> str:
    """'×1.42' = system ÷ baseline; '×–' when the baseline is 0 or undefined."""
    if system is None or baseline is None or float(baseline) == 0:
        return "×–"
    return f"×{float(system) / float(baseline):.2f}"


def shorten(text: str, limit: int) -> str:
    """One line, at most ``limit`` characters, for tables and failure lists."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- tables ---------------------------------------------------------------------------


def category_rows(summary: dict) -> list[tuple[str, dict]]:
    """(label, figures) per category, then overall."""
    return list(summary["by_category"].items()) + [("overall", summary["overall"])]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Right-aligned fixed-width table; the first column is left-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def line(cells: Sequence[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        return "  ".join([first] + [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:])])
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep] + [line(r) for r in rows])


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), "|" + "---|" * len(header)] + [line(r) for r in rows])


def _category_cells(summary: dict) -> tuple[list[str], list[list[str]]]:
    header = ["category"] + [h for _, h, _ in _COLUMNS]
    rows = [[name] + [fmt(fig.get(key), kind) for key, _, kind in _COLUMNS]
            for name, fig in category_rows(summary)]
    return header, rows


def _compare_cells(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    systems = [run.system, *run.baselines]
    header = ["metric (× = system ÷ baseline)"] + [s.name for s in systems]
    rows = []
    for key, label, kind in _COMPARE_ROWS:
        sys_value = run.system.summary["overall"].get(key)
        cells = [label, fmt(sys_value, kind)]
        for base in run.baselines:
            value = base.summary["overall"].get(key)
            cells.append(f"{fmt(value, kind)} ({ratio_to(sys_value, value)})" if value is not None else "–")
        rows.append(cells)
    rows.append(["index load / build (s)"] + [f"{s.load_seconds:.2f}" for s in systems])
    return header, rows


def _compare_category_cells(run: EvalRun, key: str) -> tuple[list[str], list[list[str]]]:
    """One figure per category for every system, to see where the gains come from."""
    systems = [run.system, *run.baselines]
    header = [f"{key} by category"] + [s.name for s in systems]
    names = [name for name, _ in category_rows(run.system.summary)]
    rows = []
    for name in names:
        fig = [_figure(s.summary, name, key) for s in systems]
        rows.append([name, fmt(fig[0], "ratio")] +
                    [f"{fmt(v, 'ratio')} ({ratio_to(fig[0], v)})" if v is not None else "–" for v in fig[1:]])
    return header, rows


def _figure(summary: dict, category: str, key: str) -> object:
    group = summary["overall"] if category == "overall" else summary["by_category"].get(category, {})
    return group.get(key)


def format_summary(run: EvalRun) -> str:
    """The per-category table of the system, with the load time under it."""
    header, rows = _category_cells(run.system.summary)
    overall = run.system.summary["overall"]
    lines = [f"== {run.config}: {overall['n']} items from {run.dataset} ==",
             text_table(header, rows),
             f"index load time: {run.system.load_seconds:.2f} s; "
             f"warm-up question (untimed above): {run.system.warmup_ms:.0f} ms"
             + (f"   errors: {overall['errors']}" if overall["errors"] else "")]
    return "\n".join(lines)


def format_compare(run: EvalRun) -> str:
    """Side-by-side figures of the system and every baseline measured in this run."""
    if not run.baselines:
        return ""
    parts = ["== comparison with baselines (same process, same questions) ==",
             text_table(*_compare_cells(run)), "",
             text_table(*_compare_category_cells(run, "accuracy")), "",
             text_table(*_compare_category_cells(run, "recall@5")), ""]
    parts += [f"  {b.name}: {b.notes}" for b in run.baselines]
    return "\n".join(parts)


# -- failures ---------------------------------------------------------------------------


def failures(records: Sequence[ItemRecord]) -> list[ItemRecord]:
    return [r for r in records if not r.correct]


def format_failure_line(rec: ItemRecord) -> str:
    """One compact stdout line: id, category, question, expected, diagnosis, answer, citations."""
    expected = ("(abstain)" if not rec.answerable
                else f"{'/'.join(rec.key_facts)} (≥{rec.min_facts})")
    answer = "(abstained)" if rec.abstained else shorten(rec.answer, ANSWER_CHARS_STDOUT)
    cited = ",".join(c.clause_id for c in rec.cited) or "-"
    return (f"{rec.id} [{rec.category}] {shorten(rec.question, 40)} | expected: {shorten(expected, 60)} "
            f"| {failure_reason(rec)} | answer: {answer} | cited: {cited}")


def format_failures(records: Sequence[ItemRecord]) -> str:
    bad = failures(records)
    head = f"== failures: {len(bad)} of {len(records)} =="
    return "\n".join([head] + [format_failure_line(r) for r in bad])


def _failure_markdown(rec: ItemRecord) -> str:
    expected = ("abstain (not in the plan)" if not rec.answerable
                else f"{rec.min_facts} of {', '.join(rec.key_facts)}")
    lines = [f"### {rec.id} ({rec.category}): {failure_reason(rec)}",
             f"- question: {rec.question}"]
    if rec.history_turns:
        lines.append(f"- condensed query: {rec.query}")
    lines += [f"- expected: {expected}",
              f"- found facts: {', '.join(rec.facts_found) or '—'}",
              f"- answer: {'(abstained) ' if rec.abstained else ''}{shorten(rec.answer, ANSWER_CHARS_MD)}",
              f"- cited: {'; '.join(c.label for c in rec.cited) or '—'}",
              f"- retrieved@5: {', '.join(rec.retrieved_ids) or '—'}"]
    return "\n".join(lines)


# -- report files -----------------------------------------------------------------------


def _system_json(s: SystemRun) -> dict:
    return {"name": s.name, "notes": s.notes, "load_seconds": s.load_seconds, "warmup_ms": s.warmup_ms,
            "summary": s.summary, "records": [asdict(r) for r in s.records]}


def to_json(run: EvalRun) -> dict:
    return {"config": run.config, "dataset": run.dataset, "started": run.started,
            "settings": run.settings, "environment": run.environment,
            "dataset_warnings": run.dataset_warnings,
            "system": _system_json(run.system),
            "baselines": {b.name: _system_json(b) for b in run.baselines}}


def to_markdown(run: EvalRun) -> str:
    overall = run.system.summary["overall"]
    s = run.settings
    parts = [f"# Evaluation report: {run.config} ({run.started})", "",
             f"- dataset: `{run.dataset}` ({overall['n']} items, {overall['n_answerable']} answerable)",
             f"- answering: llm={s.get('llm', '?')} {s.get('llm_model', '')}".rstrip()
             + f"; embeddings: {s.get('embedding_backend', '?')} {s.get('embedding_model', '')}"
             + f"; fusion: {s.get('fusion', '?')}",
             f"- index load time: {run.system.load_seconds:.2f} s; warm-up question: "
             f"{run.system.warmup_ms:.0f} ms; machine: {run.environment.get('platform', '?')}",
             "", "## Results by category", "", markdown_table(*_category_cells(run.system.summary)), ""]
    if run.baselines:
        parts += ["## Comparison with baselines", "", markdown_table(*_compare_cells(run)), "",
                  markdown_table(*_compare_category_cells(run, "accuracy")), "",
                  markdown_table(*_compare_category_cells(run, "recall@5")), ""]
        parts += [f"- **{b.name}**: {b.notes}" for b in run.baselines] + [""]
    parts += ["## Tuning parameters", "", markdown_table(*_tuning_cells(s)), ""]
    if run.dataset_warnings:
        parts += ["## Dataset warnings", ""] + [f"- {w}" for w in run.dataset_warnings] + [""]
    bad = failures(run.system.records)
    parts += [f"## Failures ({len(bad)} of {overall['n']})", ""]
    parts += [_failure_markdown(r) + "\n" for r in bad]
    return "\n".join(parts)


def _tuning_cells(settings: dict) -> tuple[list[str], list[list[str]]]:
    """Every number the run was tuned with (weights, thresholds, sizes), as Settings names them."""
    def numeric(v: object) -> bool:
        return (isinstance(v, (int, float)) and not isinstance(v, bool)) or (
            isinstance(v, list) and bool(v) and all(isinstance(x, (int, float)) for x in v))
    rows = [[f"`{k}`", ", ".join(map(str, v)) if isinstance(v, list) else str(v)]
            for k, v in sorted(settings.items()) if numeric(v)]
    return ["setting", "value"], rows


def write_reports(run: EvalRun, out_dir: str | Path, date: str) -> tuple[Path, Path]:
    """Write ``<date>-<config>.json`` and ``.md`` into ``out_dir``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{date}-{safe_name(run.config)}"
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(to_json(run), ensure_ascii=False, indent=1), encoding="utf-8")
    md_path.write_text(to_markdown(run), encoding="utf-8")
    return json_path, md_path


def safe_name(name: str) -> str:
    """A config name usable as part of a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "run"
