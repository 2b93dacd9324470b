"""`python -m index build [--force]`: build every plan's knowledge base (each a no-op when it is up to date).

`python -m index questions --llm openai --llm-model M [--llm-base-url URL] --out questions.jsonl`: write the
hypothetical questions of every clause of the configured plan with an LLM (index/hypothetical.py).

`python -m index add PATH --id ID --name NAME [--check] […]`: check a plan's structure (.txt, .md, .docx) and add it
as data/plans/<ID>/ with its profile.toml (index/add_plan.py); `--check` only prints the structure found.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from index.config import get_settings
from index.hypothetical import DEFAULT_PER_CLAUSE
from index.lexicon import PLAN_LEVELS
from index.plans import ensure_all, plan_ids, plans_dir, settings_for
from index.store import StoreError, ensure_store, store_problem



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the store if missing, stale or corrupt")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    sub.add_parser("status", help="say whether the store is usable")
    qs = sub.add_parser("questions", help="write hypothetical questions per clause with an LLM")
    qs.add_argument("--out", required=True, help="the JSON-lines file to write (beside the plan: questions.jsonl)")
    qs.add_argument("--force", action="store_true", help="replace --out if it exists")
    qs.add_argument("--per-clause", type=int, default=DEFAULT_PER_CLAUSE, help="questions per clause (default 8)")
    qs.add_argument("--clause", action="append", help="only this clause id (repeatable)")
    qs.add_argument("--llm", choices=("openai", "gguf"), help="the backend (default: QIAOXI_LLM)")
    qs.add_argument("--llm-model", help="model name (default: QIAOXI_LLM_MODEL)")
    qs.add_argument("--llm-base-url", help="OpenAI-compatible endpoint (default: QIAOXI_LLM_BASE_URL)")
    add = sub.add_parser("add", help="check a plan's structure and add it as data/plans/<ID>/")
    add.add_argument("path", help="the plan's text: .txt, .md or .docx")
    add.add_argument("--id", help="the plan's id, 2-40 of a-z 0-9 _ (e.g. national_14th); not needed with --check")
    add.add_argument("--name", help="the plan's full name, without 《》; not needed with --check")
    add.add_argument("--short-name", default="", help="as people call it (default: REGION“PERIOD”规划)")
    add.add_argument("--level", default="", help=f"one of {' '.join(PLAN_LEVELS)} (default: from the region's last character)")
    add.add_argument("--region", default="", help="default: the name's words before 国民经济和社会发展")
    add.add_argument("--period", default="", help="NAME:START-END, e.g. 十四五:2021-2025 (default: from the name)")
    add.add_argument("--previous-period", default="", help="e.g. 十三五:2016-2020 (default: the one before)")
    add.add_argument("--long-range-year", type=int, help="e.g. 2035 (default: the name's 远景目标 year)")
    add.add_argument("--parent", default="", help="the id of the plan above it (上位规划)")
    add.add_argument("--check", action="store_true", help="only parse and print the structure; write nothing")
    add.add_argument("--force", action="store_true", help="replace the plan's plan.txt and profile.toml if it exists")
    add.add_argument("--plans-dir", type=Path, default=None,
                     help="where plans live (default: the folder of the configured plan's folder, data/plans)")
    add.add_argument("--no-build", action="store_true", help="write the plan's folder only; index it later")
    args = parser.parse_args(argv)
    if args.command == "add":
        return _add(args)
    settings = get_settings()
    if args.command == "questions":
        return _questions(args, settings, parser)
    try:
        if args.command == "status":
            problems = {pid: store_problem(settings_for(settings, pid)) for pid in plan_ids(settings)}
            for pid, problem in problems.items():
                print(f"{pid}: {problem or 'up to date: ' + str(settings_for(settings, pid).store_dir)}")
            return 0 if not any(problems.values()) else 1
        t0 = time.perf_counter()
        built = ensure_all(settings, log=lambda m: print(m, flush=True), force=args.force)
        if not built:
            print(f"every plan's store is up to date ({', '.join(plan_ids(settings))}); nothing to do")
        else:
            print(f"built {', '.join(built)} in {time.perf_counter() - t0:.1f} s")
        return 0
    except (StoreError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _add(args: argparse.Namespace) -> int:
    """Errors become one-line messages here, at the command line's edge. A plan added to the configured
    plans folder is indexed at once (one command), unless ``--no-build``."""
    settings = get_settings()
    args.plans_dir = args.plans_dir or plans_dir(settings)
    from index.add_plan import (AddPlanError, PlanOptions, check_new, profile_fields, render_profile,
                                structure_report, write_plan)
    from index.parser import parse_plan
    from index.sources import read_plan_text

    try:
        if not args.check:
            if not args.id or not args.name:
                raise AddPlanError("--id and --name are needed to add a plan (or pass --check)")
            check_new(args.plans_dir, args.id, args.force)
        text = read_plan_text(args.path)
        tree = parse_plan(text, source_name=Path(args.path).name)
        if args.check:
            print("\n".join(structure_report(tree, args.path)))
            return 0
        fields, defaults = profile_fields(PlanOptions(
            id=args.id, name=args.name, short_name=args.short_name, level=args.level, region=args.region,
            period=args.period, previous_period=args.previous_period, long_range_year=args.long_range_year,
            parent=args.parent))
        folder = write_plan(args.plans_dir, args.id, text, render_profile(fields), force=args.force)
    except (ValueError, OSError) as e:  # PlanSourceError, PlanLayoutError, AddPlanError, ProfileError are ValueErrors
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {folder / 'plan.txt'} ({len(tree.clauses)} clauses) and {folder / 'profile.toml'}")
    if defaults:
        print("taken from the name (check them in profile.toml): "
              + ", ".join(f"{k} = {_shown(fields[k])}" for k in defaults))
    kept = sorted(p.name for p in folder.iterdir() if p.name not in ("plan.txt", "profile.toml"))
    if kept:
        print(f"note: kept {', '.join(kept)} (made for the earlier text: rewrite if the text changed)")
    if args.parent and not (args.plans_dir / args.parent).is_dir():
        print(f"note: the parent plan {args.parent} is not in {args.plans_dir} (yet)")
    if args.no_build or Path(args.plans_dir).resolve() != plans_dir(settings).resolve():
        print(f"added {args.id}; run `python -m index build` to index it")
        return 0
    try:
        t0 = time.perf_counter()
        ensure_store(settings_for(settings, args.id), log=lambda m: print(f"[{args.id}] {m}", flush=True))
    except (StoreError, OSError, ValueError) as e:
        print(f"error: the plan was added but could not be indexed: {e}", file=sys.stderr)
        return 1
    print(f"added and indexed {args.id} in {time.perf_counter() - t0:.1f} s; "
          f"ask about it with --plan {args.id} or by naming it")
    return 0


def _shown(value) -> str:
    return f"{value.name}:{value.start}-{value.end}" if hasattr(value, "start") else str(value)


def _questions(args: argparse.Namespace, settings, parser: argparse.ArgumentParser) -> int:
    """Errors become one-line messages here, at the command line's edge."""
    from index.hypothetical import write_questions
    from index.parser import parse_plan
    from index.profile import PlanProfile, ProfileError

    out = Path(args.out)
    if not 1 <= args.per_clause <= 20:
        parser.error("--per-clause must be between 1 and 20")
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to replace it", file=sys.stderr)
        return 1
    overrides = {k: v for k, v in (("llm", args.llm), ("llm_model", args.llm_model),
                                   ("llm_base_url", args.llm_base_url)) if v}
    settings = settings.model_copy(update=overrides)
    if settings.llm == "none":
        print("error: no LLM configured: pass --llm openai --llm-model … (or set QIAOXI_LLM)", file=sys.stderr)
        return 1
    from assistant.llm import LLMUnavailable, invoke_with_timeout, make_llm  # only this command needs an LLM

    try:
        llm = make_llm(settings)
        profile = PlanProfile.load(settings.plan_path)
        tree = parse_plan(settings.plan_path.read_text(encoding="utf-8"), source_name=settings.plan_path.name)
    except (LLMUnavailable, ProfileError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    from langchain_core.messages import HumanMessage
    from langchain_core.prompt_values import ChatPromptValue

    def ask(prompt: str) -> str:
        return invoke_with_timeout(llm, ChatPromptValue(messages=[HumanMessage(prompt)]), settings.llm_timeout_s)

    try:
        counts = write_questions(tree, ask, out, per_clause=args.per_clause, region=profile.region,
                                 plan=profile.name, only=args.clause, log=lambda m: print(m, flush=True))
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {counts['questions']} questions for {counts['clauses']} clauses to {out}"
          + (f"; {counts['failed']} clauses failed" if counts["failed"] else ""))
    return 0 if counts["questions"] else 1


if __name__ == "__main__":
    sys.exit(main())
