"""The topic briefing (专题简报): selection quality on the dev gold, citations and figures verbatim,
the Markdown and .docx exports, and the command line's errors. Real index (the session ``bot``)."""
from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import pytest
from docx import Document

from assistant.__main__ import main
from assistant.brief_export import to_docx, to_markdown, write_brief_exports
from assistant.topic_select import select_topic
from assistant.topic_brief import FIGURE_COLUMNS, FIGURES, GLOSSARY, REFERENCES, REVIEW, TASKS, TopicBrief, TopicError

# Hand-labelled dev topics: four first, then eight written blind from the clause list (briefing_dev2.jsonl).
DEV_GOLD = [Path(__file__).parent / "data" / name for name in ("briefing_dev.jsonl", "briefing_dev2.jsonl")]
# The product's topics in residents' words (the blind gold's are judged elsewhere; here only the
# briefing's form is checked on them, never which clauses it picks).
TOPICS = ["养老", "教育", "学前教育", "医疗卫生", "就业", "住房", "交通与停车", "生态环境", "数字经济", "金融",
          "文化旅游", "社区治理"]
# Floors for the dev gold (twelve topics not among TOPICS), below what the selection reaches today
# (macro recall 0.75, precision 0.83): a change that loses much of either fails here.
MIN_RECALL, MIN_PRECISION = 0.6, 0.75


@pytest.fixture(scope="module")
def briefs(bot) -> dict[str, TopicBrief]:
    return {t: bot.brief(t) for t in TOPICS}


def _dev_rows() -> list[dict]:
    return [json.loads(line) for path in DEV_GOLD for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_dev_gold_coverage_and_precision(bot):
    recalls, precisions = [], []
    for row in _dev_rows():
        got, gold = set(bot.brief(row["topic"]).clause_ids), set(row["clause_ids"])
        hit = len(got & gold)
        recalls.append(hit / len(gold))
        precisions.append(hit / len(got) if got else 0.0)
        print(f"{row['topic']}: recall {hit}/{len(gold)}, precision {hit}/{len(got)}")
    assert sum(recalls) / len(recalls) >= MIN_RECALL
    assert sum(precisions) / len(precisions) >= MIN_PRECISION


def test_review_step_adds_at_most_the_reviews_closest_paragraph(bot):
    """Selection step 4: the review of the previous period gives its closest paragraph to a topic; nothing
    else changes, and on some dev topic that paragraph is one the hand labels hold (the topic's state)."""
    assert bot.review_paragraphs and all(bot.tree.by_id[c].kind == "paragraph" for c in bot.review_paragraphs)
    gained = []
    for row in _dev_rows():
        text, vector = bot._topic(row["topic"])
        without = set(select_topic(text, bot.retriever, bot.settings.brief, vector=vector).clause_ids)
        with_review = set(select_topic(text, bot.retriever, bot.settings.brief, vector=vector,
                                       review=bot.review_paragraphs).clause_ids)
        added = with_review - without
        assert without <= with_review and len(added) <= 1 and added <= bot.review_paragraphs, row["topic"]
        if added and added <= set(row["clause_ids"]):
            gained.append(row["topic"])
    assert gained


def test_dev_gold_names_real_clauses(bot):
    for row in _dev_rows():
        assert row["topic"] not in TOPICS
        assert all(bot.tree.get(cid) is not None for cid in row["clause_ids"]), row["topic"]


@pytest.mark.parametrize("topic", TOPICS)
def test_every_line_cites_a_clause_holding_it(briefs, bot, topic):
    brief = briefs[topic]
    assert brief.references, topic
    ids = brief.clause_ids
    assert len(ids) == len(set(ids))
    for line in (*brief.review, *brief.tasks):
        ref = brief.references[line.ref - 1]
        assert ref.clause_id == line.clause_id
        assert line.text in bot.tree.get(line.clause_id).text
    for line in brief.glossary:
        assert line.clause_id.startswith("G.") and brief.references[line.ref - 1].clause_id == line.clause_id
    texts = [line.text for line in (*brief.review, *brief.tasks)]
    assert len(texts) == len(set(texts)), "a line repeated"
    cited = {x.ref for x in (*brief.review, *brief.tasks, *brief.glossary, *brief.figures)}
    assert cited == set(range(1, len(brief.references) + 1)), "every reference is cited and every marker resolves"


@pytest.mark.parametrize("topic", TOPICS)
def test_every_figure_is_verbatim_in_its_clause(briefs, bot, topic):
    brief = briefs[topic]
    for row in brief.figures:
        clause = bot.tree.get(row.clause_id)
        assert brief.references[row.ref - 1].clause_id == row.clause_id
        assert row.amount in clause.text, (topic, row)
    # and every number any line shows is in the clause it cites
    for line in (*brief.review, *brief.tasks):
        for number in re.findall(r"\d+(?:\.\d+)?", line.text):
            assert number in bot.tree.get(line.clause_id).text


@pytest.mark.parametrize("topic", TOPICS)
def test_tasks_follow_plan_order(briefs, bot, topic):
    order = {c.clause_id: i for i, c in enumerate(bot.tree.clauses)}
    positions = [order[x.clause_id] for x in briefs[topic].tasks]
    assert positions == sorted(positions)


def test_core_clauses_of_two_topics(briefs):
    """The plan's own section on a topic is in its briefing (a sanity check, not tuning)."""
    assert "10.4.6" in briefs["养老"].clause_ids       # 完善养老服务体系
    assert {"10.2.2", "10.2.3"} <= set(briefs["教育"].clause_ids)


def test_brief_is_frozen(briefs):
    with pytest.raises(dataclasses.FrozenInstanceError):
        briefs["养老"].topic = "x"  # type: ignore[misc]


@pytest.mark.parametrize("topic", ["", "   ", "？？", None])
def test_empty_topic_is_an_error(bot, topic):
    with pytest.raises(TopicError):
        bot.brief(topic)


def test_off_topic_is_an_error(bot):
    with pytest.raises(TopicError, match="没有"):
        bot.brief("明天的天气预报")


def test_long_topic_is_bounded(bot):
    brief = bot.brief("养老" + "啊" * 500)
    assert len(brief.topic) <= bot.settings.brief.max_topic_chars


def test_markdown_export(briefs):
    md = to_markdown(briefs["教育"])
    for heading in (REVIEW, FIGURES, TASKS, GLOSSARY, REFERENCES):
        assert f"## {heading}" in md
    assert "| " + " | ".join(FIGURE_COLUMNS) + " |" in md
    assert "[1] " in md and "85%" in md


def test_docx_export_has_headings_table_and_references(briefs):
    brief = briefs["养老"]
    doc = Document(io.BytesIO(to_docx(brief)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [REVIEW, FIGURES, TASKS, GLOSSARY, REFERENCES]
    assert any(p.style.name == "Title" and "养老" in p.text for p in doc.paragraphs)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(FIGURE_COLUMNS)
    assert len(table.rows) == len(brief.figures) + 1
    texts = [p.text for p in doc.paragraphs]
    refs = texts[texts.index(REFERENCES) + 1:]
    assert len(refs) == len(brief.references)
    assert all(r.startswith(f"[{n}] ") and brief.references[n - 1].clause_id in r for n, r in enumerate(refs, 1))


def test_write_exports_makes_fresh_files(briefs, tmp_path):
    md, docx = write_brief_exports(briefs["就业"], tmp_path)
    md2, _ = write_brief_exports(briefs["就业"], tmp_path)
    assert md.exists() and docx.exists() and md.parent != md2.parent
    assert "就业" not in md.name  # file names carry no user text


def test_cli_empty_topic_exit_2(capsys):
    assert main(["brief", "  "]) == 2
    assert "请输入专题" in capsys.readouterr().err


def test_cli_off_topic_exit_2(bot, monkeypatch, capsys):
    monkeypatch.setattr("assistant.__main__._load", lambda args: bot)
    assert main(["brief", "明天的天气预报"]) == 2
    assert "没有" in capsys.readouterr().err


def test_cli_writes_md_and_docx(bot, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("assistant.__main__._load", lambda args: bot)
    md, docx = tmp_path / "b.md", tmp_path / "b.docx"
    assert main(["brief", "养老", "--md", str(md), "--docx", str(docx)]) == 0
    assert capsys.readouterr().out.startswith("# 养老专题简报")
    assert md.read_text(encoding="utf-8").startswith("# 养老专题简报")
    assert Document(str(docx)).tables


def test_committed_examples_are_the_codes_output(briefs):
    """docs/examples/brief-*.md were written by `python -m assistant brief`; only the time stamp differs."""
    root = Path(__file__).resolve().parent.parent / "docs" / "examples"
    for topic in ("养老", "教育"):
        committed = (root / f"brief-{topic}.md").read_text(encoding="utf-8")
        fresh = to_markdown(briefs[topic])
        strip = lambda s: re.sub(r"生成于 [\d\- :]+", "", s)  # noqa: E731
        assert strip(committed) == strip(fresh)
