"""Hypothetical questions per clause (doc2query), written by a configured LLM for another plan.

``data/plans/<plan>/questions.jsonl`` holds, for every paragraph and glossary clause, questions a resident
would ask that the clause answers, in everyday words; the store embeds them and matches a resident's
question against them by meaning. For the shipped plan they were written by hand; for a new plan,
``python -m index questions --llm openai --llm-model … --llm-base-url …`` asks the configured model, clause by
clause, with ``prompts/hypothetical_questions.txt``, and keeps only questions that pass the same rules the
hand-written ones follow (no long run copied from the clause, bounded length, no repeats).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from index.clauses import Clause, ClauseTree
from index.config import PROJECT_ROOT

PROMPT_FILE = PROJECT_ROOT / "prompts" / "hypothetical_questions.txt"
KINDS = ("paragraph", "glossary")  # the clauses a resident's question can be answered by
COPY_RUN = 6  # a question holding this many consecutive characters of its clause copies it, not paraphrases it
MIN_CHARS, MAX_CHARS = 4, 200  # shorter is no question; longer is a data error (index/store.py's limit)
DEFAULT_PER_CLAUSE = 8
_NUMBERING = re.compile(r"^\s*(?:[-*•·]|\d+[.、)）:]|[(（]\d+[)）]|问题?\d*[:：])\s*")

Ask = Callable[[str], str]  # prompt → the model's reply text
Log = Callable[[str], None]


def prompt_for(clause: Clause, n: int, region: str, plan: str, template: str | None = None) -> str:
    template = template if template is not None else PROMPT_FILE.read_text(encoding="utf-8")
    return template.format(n=n, region=region, plan=plan, path=" › ".join(clause.path) or clause.label,
                           text=clause.text)


def copies(question: str, clause_text: str, run: int = COPY_RUN) -> bool:
    """Does the question hold ``run`` consecutive characters of the clause (punctuation aside)?"""
    q = re.sub(r"\W", "", question)
    text = re.sub(r"\W", "", clause_text)
    return any(q[i:i + run] in text for i in range(len(q) - run + 1))


def questions_from_reply(reply: str, clause: Clause, limit: int) -> list[str]:
    """The usable questions of one reply, in order: numbering stripped, copies, repeats and odd lengths
    dropped, at most ``limit``."""
    out: list[str] = []
    for line in reply.splitlines():
        q = _NUMBERING.sub("", line).strip().strip("\"“”")
        if not (MIN_CHARS <= len(q) <= MAX_CHARS) or q in out or copies(q, clause.text):
            continue
        out.append(q)
        if len(out) >= limit:
            break
    return out


def write_questions(tree: ClauseTree, ask: Ask, out: Path, *, per_clause: int = DEFAULT_PER_CLAUSE,
                    region: str = "", plan: str = "", only: Iterable[str] | None = None,
                    log: Log = print) -> dict[str, int]:
    """Ask for every paragraph and glossary clause's questions and write them to ``out`` (JSON lines,
    written to a temporary file and renamed at the end: an interrupted run leaves the old file whole).
    A clause whose request fails is reported and skipped. Returns counts: clauses, questions, failed."""
    template = PROMPT_FILE.read_text(encoding="utf-8")
    wanted = set(only) if only is not None else None
    clauses = [c for c in tree.clauses if c.kind in KINDS and (wanted is None or c.clause_id in wanted)]
    tmp = out.with_name(out.name + ".part")
    counts = {"clauses": 0, "questions": 0, "failed": 0}
    with open(tmp, "w", encoding="utf-8") as f:
        for i, clause in enumerate(clauses, start=1):
            try:
                reply = ask(prompt_for(clause, per_clause, region, plan, template))
            except Exception as e:  # one clause's failure is reported, the run goes on
                counts["failed"] += 1
                log(f"{clause.clause_id}: the model failed ({type(e).__name__}: {str(e)[:120]}), skipped")
                continue
            qs = questions_from_reply(reply, clause, per_clause)
            for q in qs:
                f.write(json.dumps({"clause_id": clause.clause_id, "question": q}, ensure_ascii=False) + "\n")
            counts["clauses"] += 1
            counts["questions"] += len(qs)
            log(f"[{i}/{len(clauses)}] {clause.clause_id}: {len(qs)} questions")
    os.replace(tmp, out)
    return counts
