"""``python -m eval``: run the assistant over a gold dataset, print and write the report.

Exit status: 0 whatever the scores; 1 when the assistant raised on some item
(the report is still written); 2 when the run could not start (bad dataset,
no matching items, the assistant failed to load).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from eval.dataset import EvalItem, load_dataset, validate
from eval.report import format_compare, format_failures, format_summary, write_reports
from eval.runner import EvalRun, environment, now_iso, run_system, select_items, settings_snapshot, today

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVAL_DIR / "datasets" / "plan_qa.jsonl"
DEFAULT_OUT = EVAL_DIR / "reports"
MAX_WARNINGS_SHOWN = 5


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default=str(DEFAULT_DATASET), help="JSONL file of the gold schema")
    p.add_argument("--config", default=None,
                   help="name of this configuration, used in report file names "
                        "(default: 'offline', or '<llm>-<model>')")
    p.add_argument("--llm", choices=["none", "openai", "gguf"], default=None,
                   help="answering backend (default: the Settings / QIAOXI_LLM value)")
    p.add_argument("--llm-model", default=None)
    p.add_argument("--llm-base-url", default=None)
    p.add_argument("--compare", action="store_true",
                   help="also run the BM25-only, dense-only and naive LangChain baselines")
    p.add_argument("--limit", type=int, default=None, help="at most N items, spread over categories")
    p.add_argument("--category", default=None, help="only items of this category")
    p.add_argument("--fold", choices=["fit", "held"], default=None,
                   help="only development items of this fold (held: never used to fit anything)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="directory for the report files")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be positive")
    return args


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """Only the options given on the command line; the rest come from Settings/env."""
    pairs = {"llm": args.llm, "llm_model": args.llm_model, "llm_base_url": args.llm_base_url}
    return {k: v for k, v in pairs.items() if v is not None}


def config_name(args: argparse.Namespace, settings: dict[str, Any]) -> str:
    if args.config:
        return args.config
    llm = settings.get("llm", "none")
    if llm == "none":
        return "offline"
    model = settings.get("llm_model") or Path(str(settings.get("llm_gguf_path", ""))).stem
    return f"{llm}-{model}" if model else str(llm)


def dataset_warnings(items: list[EvalItem], plan_paths: list[Path]) -> list[str]:
    """Schema-level content problems, reported (never fatal): any dataset runs unchanged. Evidence may
    come from any of the loaded plans (a comparison's from two)."""
    try:
        text = "\n".join(Path(p).read_text(encoding="utf-8") for p in plan_paths)
        return validate(items, text, min_per_category=0)
    except OSError as exc:
        return [f"could not read the plan to validate the dataset: {exc}"]


def plan_paths(bot: Any) -> list[Path]:
    """The texts of every plan the assistant answers from, the primary first."""
    from index.plans import settings_for

    ids = getattr(getattr(bot, "plans", None), "ids", None) or ()
    return [Path(bot.settings.plan_path)] + [Path(settings_for(bot.settings, pid).plan_path) for pid in ids[1:]]


def load_assistant(overrides: dict[str, Any]) -> Any:
    from assistant import Assistant  # heavy: imported only once the dataset is known to be good

    return Assistant.load(**overrides)


def _progress(done: int, total: int) -> None:
    if done % 25 == 0 or done == total:
        print(f"  asked {done}/{total}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, bot: Any = None) -> int:
    """The whole run; ``bot`` lets tests reuse one loaded Assistant (else it is loaded here)."""
    try:
        items = load_dataset(args.dataset)
    except (OSError, ValueError) as exc:
        print(f"cannot load dataset: {exc}", file=sys.stderr)
        return 2
    selected = select_items(items, args.limit, args.category, args.fold)
    if not selected:
        print(f"no items in {args.dataset} match --category {args.category!r} --fold {args.fold!r}",
              file=sys.stderr)
        return 2

    if bot is None:
        try:
            bot = load_assistant(overrides_from(args))
        except Exception as exc:  # a bad model path, an unreachable LLM config…
            print(f"cannot load the assistant: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    settings = settings_snapshot(bot)
    warnings = dataset_warnings(items, plan_paths(bot))
    print(f"running {len(selected)} of {len(items)} items (index loaded in {bot.load_seconds:.2f} s)",
          file=sys.stderr)
    system = run_system(bot, selected, progress=_progress)
    baselines = []
    if args.compare:
        from eval.baselines import run_baselines

        print("running baselines", file=sys.stderr, flush=True)
        baselines = run_baselines(bot, selected, system, plan_paths(bot))

    result = EvalRun(config=config_name(args, settings), dataset=str(args.dataset), started=now_iso(),
                     settings=settings, system=system, baselines=baselines,
                     dataset_warnings=warnings, environment=environment())
    print_run(result)
    json_path, md_path = write_reports(result, args.out, today())
    print(f"\nreports: {json_path}\n         {md_path}")
    return 1 if system.summary["overall"]["errors"] else 0


def print_run(result: EvalRun) -> None:
    """Tables first (what people paste), then warnings and the compact failure list."""
    print(format_summary(result))
    if result.baselines:
        print()
        print(format_compare(result))
    if result.dataset_warnings:
        print(f"\ndataset warnings: {len(result.dataset_warnings)} (all in the report)")
        for w in result.dataset_warnings[:MAX_WARNINGS_SHOWN]:
            print(f"  {w}")
    print()
    print(format_failures(result.system.records))


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
