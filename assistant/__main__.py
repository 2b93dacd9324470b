"""Command line: `python -m assistant {search,ask,chat,figures,sets,brief,compare}`."""
from __future__ import annotations

import argparse
import json
import sys

from index.config import get_settings
from index.store import StoreError


def _settings(args: argparse.Namespace):
    overrides = {}
    if getattr(args, "llm", None):
        overrides["llm"] = args.llm
    if getattr(args, "llm_model", None):
        overrides["llm_model"] = args.llm_model
    if getattr(args, "llm_base_url", None):
        overrides["llm_base_url"] = args.llm_base_url
    return get_settings(**overrides)


def _load(args: argparse.Namespace):
    from assistant.api import Assistant

    return Assistant.load(_settings(args))


def _print_answer(res, as_json: bool) -> None:
    if as_json:
        print(json.dumps(res.to_dict(), ensure_ascii=False, indent=2))
        return
    if res.notice:
        print(f"（{res.notice}）")
    print(res.answer)
    if res.citations:
        print("\n出处：")
        for i, c in enumerate(res.citations, start=1):
            print(f"[{i}] {c.label}  ({c.clause_id})")


def cmd_search(args: argparse.Namespace) -> int:
    bot = _load(args)
    hits = bot.retrieve(args.question, k=args.k, mode=args.mode, plan=args.plan)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        for rank, h in enumerate(hits, start=1):
            print(f"{rank}. [{h.clause.clause_id}] {h.clause.label}  score={h.score:.4f}")
            print(f"   {h.chunk_text[:120]}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    bot = _load(args)
    _print_answer(bot.ask(args.question, plan=args.plan), args.json)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    bot = _load(args)
    history: list[dict] = []
    print(f"{bot.profile.short_name}问答：请输入问题（空行或 Ctrl-D 退出）。")
    while True:
        try:
            q = input("\n问> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not q:
            return 0
        res = bot.ask(q, history, plan=args.plan)
        if res.query and (res.query != q or res.background):
            print(f"（理解为：{res.query}" + (f"，接上文：{res.background}" if res.background else "") + "）")
        _print_answer(res, False)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": res.answer}]


def _table(args: argparse.Namespace):
    """The figures table from the plan text and its profile alone: no store, no embeddings, fast."""
    from assistant.figures_table import FiguresTable
    from index.profile import PlanProfile
    from index.parser import parse_plan
    from index.thesaurus import Thesaurus

    settings = _settings(args)
    tree = parse_plan(settings.plan_path.read_text(encoding="utf-8"), source_name=settings.plan_path.name)
    return FiguresTable.build(tree, PlanProfile.load(settings.plan_path), Thesaurus.load())


def cmd_figures(args: argparse.Namespace) -> int:
    from assistant.figures_table import to_csv, to_json, to_text

    rows = _table(args).select(topic=args.topic, year=args.year, kind=args.kind)
    if args.json:
        print(to_json(rows))
    elif args.csv:
        print(to_csv(rows), end="")
    elif not rows:
        print("没有符合条件的数据。", file=sys.stderr)
    else:
        print(to_text(rows))
    return 0


def cmd_sets(args: argparse.Namespace) -> int:
    from assistant.figures_table import sets_to_text

    sets = _table(args).named_sets
    if args.json:
        print(json.dumps([s.to_dict() for s in sets], ensure_ascii=False, indent=2))
    else:
        print(sets_to_text(sets))
    return 0


def _on_topic(args: argparse.Namespace, command: str, make):
    """``make(bot, topic)`` for a topic command (brief, compare), or the exit code: an empty topic, or one
    the plans do not cover (``TopicError``, ``CompareError``: both ``ValueError``s with a message to show),
    is a usage error, exit code 2 with the reason."""
    if not (args.topic or "").strip(" \t\n，,。.;；:：!！?？"):
        print(f"error: 请输入专题，例如：python -m assistant {command} 养老", file=sys.stderr)
        return None, 2
    bot = _load(args)
    from assistant.compare import CompareError
    from assistant.topic_brief import TopicError

    try:
        return make(bot, args.topic), 0
    except (TopicError, CompareError) as e:
        print(f"error: {e}", file=sys.stderr)
        return None, 2


def cmd_brief(args: argparse.Namespace) -> int:
    """Print the topic briefing as Markdown; ``--md`` / ``--docx`` also write the files."""
    from pathlib import Path

    from assistant.brief_export import to_docx, to_markdown

    brief, code = _on_topic(args, "brief", lambda bot, topic: bot.brief(topic))
    if brief is None:
        return code
    if args.json:
        print(json.dumps(brief.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(to_markdown(brief), end="")
    if args.md:
        Path(args.md).write_text(to_markdown(brief), encoding="utf-8")
    if args.docx:
        Path(args.docx).write_bytes(to_docx(brief))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Print the comparison with the plan above as Markdown (or JSON); ``--md`` also writes it."""
    from pathlib import Path

    cmp, code = _on_topic(args, "compare", lambda bot, topic: bot.compare(topic))
    if cmp is None:
        return code
    text = cmp.to_markdown()
    print(json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2) if args.json else text, end="\n" if args.json else "")
    if args.md:
        Path(args.md).write_text(text, encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="the plan assistant's command line")
    sub = p.add_subparsers(dest="command", required=True)

    def llm_flags(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--llm", choices=["none", "openai", "gguf"], help="answer with an LLM (default: none)")
        sp.add_argument("--llm-model", help="model name for --llm openai")
        sp.add_argument("--llm-base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")

    def plan_flag(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--plan", help="answer from this plan (its id, e.g. national_14th); default: the plan a "
                                       "question names, else the configured plan")

    s = sub.add_parser("search", help="retrieve the clauses that best match a question")
    s.add_argument("question")
    s.add_argument("-k", type=int, default=5, help="how many clauses (default 5)")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    s.add_argument("--json", action="store_true")
    plan_flag(s)
    s.set_defaults(func=cmd_search)

    a = sub.add_parser("ask", help="answer a question with cited clauses")
    a.add_argument("question")
    a.add_argument("--json", action="store_true")
    llm_flags(a)
    plan_flag(a)
    a.set_defaults(func=cmd_ask)

    c = sub.add_parser("chat", help="a conversation in the terminal, with follow-up questions")
    llm_flags(c)
    plan_flag(c)
    c.set_defaults(func=cmd_chat)

    f = sub.add_parser("figures", help="the plan's figures (数据与指标): indicator, value, unit, year, kind, clause")
    f.add_argument("--topic", help="only rows about this topic, e.g. 教育 or 幼儿园")
    f.add_argument("--year", help="only rows of this year or period: YYYY or YYYY-YYYY")
    f.add_argument("--kind", choices=["actual", "target", "vision", "change"],
                   help="only results (actual), targets, the long-range vision or changes")
    fmt = f.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print CSV with a header row")
    fmt.add_argument("--json", action="store_true", help="print a JSON list of rows")
    f.set_defaults(func=cmd_figures)

    n = sub.add_parser("sets", help="the sets the plan names by a count or a name, with their members")
    n.add_argument("--json", action="store_true")
    n.set_defaults(func=cmd_sets)

    b = sub.add_parser("brief", help="the topic briefing (专题简报): state, figures, tasks, terms, all cited")
    b.add_argument("topic", help="a topic in everyday words, e.g. 养老, 教育, 交通与停车")
    b.add_argument("--md", metavar="FILE", help="also write the briefing as Markdown to FILE")
    b.add_argument("--docx", metavar="FILE", help="also write the briefing as a Word document to FILE")
    b.add_argument("--json", action="store_true", help="print the briefing as JSON instead of Markdown")
    b.set_defaults(func=cmd_brief)

    m = sub.add_parser("compare", help="对照上位规划: the plan above and this plan on one topic, side by side, cited")
    m.add_argument("topic", help="a topic in everyday words, e.g. 养老, 托育, 城市更新")
    m.add_argument("--md", metavar="FILE", help="also write the comparison as Markdown to FILE")
    m.add_argument("--json", action="store_true", help="print the comparison as JSON instead of Markdown")
    m.set_defaults(func=cmd_compare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (StoreError, OSError, ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
