"""The Gradio app end to end: the real ``python app.py`` in a subprocess, driven with gradio_client.

Also the pure pieces behind it (webapp.render, assistant.feedback), which need no server.
Everything stays on 127.0.0.1; the first start may build the index store (about a minute).
"""
from __future__ import annotations

import contextlib
import html as html_lib
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from eval import load
from assistant.feedback import FeedbackError, append_feedback, make_record
from assistant.types import Answer, Citation
from webapp.render import (
    PlanView, Turn, answer_html, highlight, linked_answer, sources_html, supporting_sentences, user_html,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, always
READY_TIMEOUT_S = 300
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


@dataclass
class RunningApp:
    url: str
    feedback_path: Path
    log_path: Path


@contextlib.contextmanager
def running_app(workdir: Path, timeout_s: float = READY_TIMEOUT_S) -> Iterator[RunningApp]:
    """The real app on a free loopback port with its own feedback file and log (eval.load starts and stops it)."""
    feedback, log_path = workdir / "feedback.jsonl", workdir / "app.log"
    env = {"QIAOXI_FEEDBACK_PATH": str(feedback), "NO_PROXY": "127.0.0.1,localhost",
           "GRADIO_TEMP_DIR": str(workdir / "gradio"), "TMPDIR": str(workdir)}
    with load.running_app(ready_timeout_s=timeout_s, env=env, log_path=log_path) as running:
        yield RunningApp(url=running.url, feedback_path=feedback, log_path=log_path)


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("app")) as running:
        yield running


def client(app: RunningApp, downloads: Path | None = None):
    """A fresh gradio_client session (each one has its own chat and briefing state)."""
    from gradio_client import Client

    folder = downloads or tempfile.mkdtemp(prefix="gradio-downloads-")  # under the test's tmp_path (conftest)
    return Client(app.url, verbose=False, analytics_enabled=False, download_files=str(folder))


def last_text(messages: list[dict]) -> str:
    """The text of the last chatbot message (content is a list of typed parts in Gradio 6)."""
    content = messages[-1]["content"]
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)


# -- the running app -------------------------------------------------------------
def test_listens_on_loopback_only(app):
    assert app.url.startswith(f"http://{HOST}:")
    assert "已就绪" in app.log_path.read_text(encoding="utf-8")


def test_ask_answers_with_cited_clause(app):
    res = client(app).predict("到2025年普惠性幼儿园覆盖率要达到多少？", [], api_name="/ask")
    assert not res["abstained"]
    assert "85%" in res["answer"]
    assert any("第十章" in c["label"] for c in res["citations"])
    assert "[1]" in res["answer"]


def test_chat_renders_clickable_markers_and_sources(app):
    chat, sources, _ = client(app).predict("到2025年普惠性幼儿园覆盖率要达到多少？", api_name="/chat")
    answer = last_text(chat)
    assert "85%" in answer
    assert 'class="qx-cite" href="#qx-open-' in answer          # [1] opens the cited clause
    assert "第十章" in sources and '<mark class="qx-hl">' in sources  # supporting sentence highlighted
    assert "85%" in sources.split('<mark class="qx-hl">', 1)[1].split("</mark>", 1)[0]


@pytest.mark.parametrize("plan, question, figure, href", [
    ("national_14th", "城镇调查失业率控制在多少？", "5.5%", "#qx-open-national_14th:"),   # the selector's choice
    ("", "国家规划里城镇调查失业率控制在多少？", "5.5%", "#qx-open-national_14th:"),      # named in the question
    ("", "到2025年普惠性幼儿园覆盖率要达到多少？", "85%", "#qx-open-qiaoxi_14th:"),       # the default plan
])
def test_chat_answers_from_the_chosen_or_named_plan(app, plan, question, figure, href):
    chat, sources, _ = client(app).predict(question, plan, api_name="/chat")
    answer = last_text(chat)
    assert figure in answer and f'class="qx-cite" href="{href}' in answer


def test_a_forged_plan_choice_is_refused_and_the_chat_goes_on(app):
    from gradio_client.exceptions import AppError

    c = client(app)
    with pytest.raises(AppError):  # the selector takes its own choices only
        c.predict("到2025年普惠性幼儿园覆盖率要达到多少？", "nowhere", api_name="/chat")
    chat, _, _ = c.predict("到2025年普惠性幼儿园覆盖率要达到多少？", "", api_name="/chat")
    assert "85%" in last_text(chat)


def test_a_national_citation_opens_in_the_national_plan(app):
    c = client(app)
    plan = c.predict("national_14th:45.3.1", api_name="/open_clause")
    assert 'qx-focus" data-cid="national_14th:45.3.1"' in plan and "养老" in plan
    plan = c.predict("10.2.2", api_name="/open_clause")           # a bare id: the district plan
    assert 'data-cid="qiaoxi_14th:10.2.2"' in plan and "普惠性幼儿园覆盖率" in plan


def test_compare_view(app):
    html = client(app).predict("养老", api_name="/compare")
    assert "对照上位规划：养老" in html and "<table>" in html
    assert "#qx-open-national_14th:" in html and "#qx-open-qiaoxi_14th:" in html
    assert "qx-cmp-error" in client(app).predict("明天的天气预报", api_name="/compare")


def test_follow_up_uses_history(app):
    c = client(app)
    c.predict("桥西区在养老服务方面有什么规划？", api_name="/chat")
    chat, sources, _ = c.predict("那医养结合呢？", api_name="/chat")
    assert len(chat) == 4 and "医养" in sources
    first = c.predict("桥西区在养老服务方面有什么规划？", [], api_name="/ask")
    history = [{"role": "user", "content": "桥西区在养老服务方面有什么规划？"},
               {"role": "assistant", "content": first["answer"]}]
    res = c.predict("那医养结合呢？", history, api_name="/ask")
    assert not res["abstained"]
    assert any("医养" in cit["text"] for cit in res["citations"])


def test_abstention_is_distinct(app):
    c = client(app)
    res = c.predict("桥西区地铁3号线什么时候开通？", [], api_name="/ask")
    assert res["abstained"] and res["citations"] == []
    chat, sources, _ = c.predict("桥西区地铁3号线什么时候开通？", api_name="/chat")
    assert "qx-abstain" in last_text(chat) and "规划未涉及" in last_text(chat)
    assert "规划未涉及" in sources and "qx-num" not in sources  # related clauses are not numbered citations


def test_briefing_export_downloads_md_and_docx(app, tmp_path):
    from docx import Document

    c = client(app, downloads=tmp_path)
    res = c.predict("到2025年普惠性幼儿园覆盖率要达到多少？", [], api_name="/ask")
    label = res["citations"][0]["label"]
    c.predict("到2025年普惠性幼儿园覆盖率要达到多少？", api_name="/chat")
    c.predict("桥西区地铁3号线什么时候开通？", api_name="/chat")      # abstained: cannot be pinned
    panel = c.predict("0", api_name="/pin")
    assert "1. 到2025年普惠性幼儿园覆盖率要达到多少？" in panel and label in panel
    assert c.predict("1", api_name="/pin") == panel           # an abstained answer is refused, draft unchanged
    c.predict("桥西区在养老服务方面有什么规划？", api_name="/chat")
    panel = c.predict("2", api_name="/pin")
    assert panel.index("1. 到2025年") < panel.index("2. 桥西区在养老服务")
    panel = c.predict("up:1", api_name="/edit_briefing")       # reorder
    assert panel.index("1. 桥西区在养老服务") < panel.index("2. 到2025年")
    c.predict("del:0", api_name="/edit_briefing")              # remove item by item
    md_path, docx_path = c.predict("测试简报", api_name="/export_briefing")
    md = Path(md_path).read_text(encoding="utf-8")
    assert md.startswith("# 测试简报") and "85%" in md and "[1]" in md
    assert f"[1] {label}（条款 {res['citations'][0]['clause_id']}）" in md
    assert "地铁" not in md
    doc = Document(str(docx_path))
    assert Path(docx_path).stat().st_size > 0
    assert any(label in p.text for p in doc.paragraphs)
    panel = c.predict("del:0", api_name="/edit_briefing")
    assert "简报草稿为空" in panel
    assert c.predict("测试简报", api_name="/export_briefing") == (None, None)


def test_topic_brief_renders_and_downloads(app, tmp_path):
    """「专题简报」: a topic typed in everyday words → the briefing in its tab, .md and .docx to download;
    user text is escaped and bounded; an empty or uncovered topic says why, with nothing to download."""
    from docx import Document

    c = client(app, downloads=tmp_path)
    html, md_path, docx_path = c.predict("养老", api_name="/topic_brief")
    assert "养老专题简报" in html and "一、现状与成效" in html and "<table>" in html and "#qx-open-10.4.6" in html
    assert Path(md_path).read_text(encoding="utf-8").startswith("# 养老专题简报")
    doc = Document(str(docx_path))
    assert doc.tables and any(p.style.name == "Heading 1" and p.text == "参考条款" for p in doc.paragraphs)
    html, md_path, docx_path = c.predict("<script>alert(1)</script>天气预报" + "x" * 5000, api_name="/topic_brief")
    assert "<script>" not in html and md_path is None and docx_path is None
    html, md_path, _ = c.predict("   ", api_name="/topic_brief")
    assert "请输入专题" in html and md_path is None


def test_figures_tab_filters_and_downloads(app, tmp_path):
    """「数据与指标」: topic words, year and kind filter the table; CSV and XLSX hold the same rows."""
    from openpyxl import load_workbook

    c = client(app, downloads=tmp_path)
    table, csv_path, xlsx_path = c.predict("幼儿园", "2025", "目标", api_name="/figures")
    rows = table["data"]
    assert rows and all(r[5] == "目标" for r in rows)
    assert any(r[0] == "普惠性幼儿园覆盖率" and r[1] == "85" and r[7] == "10.2.2" for r in rows)
    text = Path(csv_path).read_text(encoding="utf-8-sig")
    assert "普惠性幼儿园覆盖率,85,%" in text
    sheet = load_workbook(xlsx_path).active
    assert sheet.max_row == len(rows) + 1 and sheet["A1"].value == "指标"
    table, csv_path, xlsx_path = c.predict("<b>天气</b>" + "x" * 500, "全部", "全部", api_name="/figures")
    assert table["data"] in ([], [[""] * 8]) and csv_path is None and xlsx_path is None


def test_user_html_is_shown_as_text(app):
    c = client(app)
    for q in XSS:
        chat, sources, _ = c.predict(q, api_name="/chat")
        shown = "".join(p.get("text", "") for p in chat[-2]["content"])
        assert q not in shown and "<script" not in shown and "<img" not in shown
        assert shown == f'<div class="qx-q">{q.replace("<", "&lt;").replace(">", "&gt;")}</div>'
        assert q not in sources and q.replace("<", "&lt;").replace(">", "&gt;") in sources


def test_open_clause_focuses_it_in_its_chapter(app):
    html = client(app).predict("10.2.2", api_name="/open_clause")
    assert 'qx-focus" data-cid="qiaoxi_14th:10.2.2"' in html
    assert "第十章" in html and "已定位" in html


def api_ask(app: RunningApp, question: str, history: list[dict] | None = None) -> dict:
    """The JSON API of the same server, on the same port as the chat app."""
    import httpx

    res = httpx.post(f"{app.url}api/v1/ask", json={"question": question, "history": history or []}, timeout=120)
    assert res.status_code == 200, res.text
    return res.json()


@pytest.mark.parametrize("question", ["到2025年普惠性幼儿园覆盖率要达到多少？", "桥西区地铁3号线什么时候开通？"])
def test_api_and_chat_app_give_the_same_answer(app, question):
    api = api_ask(app, question)
    assert client(app).predict(question, [], api_name="/ask")["citations"] == api["citations"]
    chat, sources, _ = client(app).predict(question, api_name="/chat")
    shown = Answer(answer=api["answer"], citations=[Citation(**c) for c in api["citations"]],
                   abstained=api["abstained"], notice=api["notice"],
                   related=[Citation(r["clause_id"], r["label"], "", r["plan"]) for r in api["related"]])
    assert last_text(chat) == answer_html(shown, 0)  # the chat's bubble is the API's answer, rendered
    for c in api["citations"]:
        assert c["label"].replace("「", "") in sources.replace("「", "")


def raw_event(app: RunningApp, api_name: str, data_json: str) -> dict:
    """Run one Gradio event with the JSON body written by hand, as a browser sends it (JSON.stringify
    writes a lone surrogate as the escape \\ud800, which Python clients cannot even encode); returns the
    queue's final message."""
    import uuid

    import httpx

    config = httpx.get(f"{app.url}config", timeout=30).json()
    fn_index = next(i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == api_name)
    session = uuid.uuid4().hex
    body = f'{{"data": {data_json}, "fn_index": {fn_index}, "session_hash": "{session}"}}'.encode("ascii")
    with httpx.Client(base_url=f"{app.url}gradio_api", timeout=120) as http:
        joined = http.post("/queue/join", content=body, headers={"Content-Type": "application/json"})
        assert joined.status_code == 200, joined.text
        with http.stream("GET", "/queue/data", params={"session_hash": session}) as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    msg = json.loads(line[5:])
                    if msg.get("msg") == "process_completed":
                        return msg
    raise AssertionError("the event never completed")


def test_lone_surrogate_does_not_break_the_chat(app):
    done = raw_event(app, "chat", '["\\ud800\\u5e7c\\u513f\\u56ed\\udfff", null, ""]')  # question, turns, plan
    assert done["success"], done
    chat = done["output"]["data"][0]
    question = "".join(p.get("text", "") for p in chat[0]["content"])
    assert "幼儿园" in question and "\ud800" not in question and last_text(chat)
    done = raw_event(app, "ask", '["\\ud800\\u5e7c\\u513f\\u56ed", [{"role": "user", "content": "\\udfff"}]]')
    assert done["success"] and done["output"]["data"][0]["answer"], done
    raw = b'{"question": "\\ud800\\u5e7c\\u513f\\u56ed"}'
    import httpx

    res = httpx.post(f"{app.url}api/v1/ask", content=raw, headers={"Content-Type": "application/json"}, timeout=120)
    assert res.status_code == 200 and res.json()["answer"]


@pytest.mark.parametrize("numbered", ["1、普惠性幼儿园覆盖率是多少？", "问题3：普惠性幼儿园覆盖率是多少？",
                                      "(2) 普惠性幼儿园覆盖率是多少？"])
def test_list_numbering_is_ignored_in_the_chat(app, numbered):
    bare, _, _ = client(app).predict("普惠性幼儿园覆盖率是多少？", api_name="/chat")
    chat, _, _ = client(app).predict(numbered, api_name="/chat")
    assert last_text(chat) == last_text(bare) and "85%" in last_text(chat)


def test_chat_session_state_is_bounded(app):
    """A session keeps at most max_history_turns turns (20), each with the cleaned, cut question only."""
    c = client(app)
    for i in range(22):
        chat, _, _ = c.predict(f"幼儿园{i}", api_name="/chat")
    assert len(chat) == 2 * 20
    assert "幼儿园21" in chat[-2]["content"][0]["text"] and all("幼儿园1<" not in m["content"][0]["text"] for m in chat)
    chat, _, _ = c.predict(" 1、普惠性幼儿园覆盖率是多少？" + "啊" * 5000, api_name="/chat")
    shown = chat[-2]["content"][0]["text"]
    assert len(shown) < 1100 and "1、" not in shown and "问题过长" in last_text(chat)


def test_typed_html_in_a_follow_up_and_a_pinned_question_stays_text(app):
    """Through the running app: an XSS payload in an answered question, which is pinned to the briefing,
    and carried into the follow-up's standalone query (so the sources panel draws its 「理解为」 line)."""
    c = client(app)
    first, _, _ = c.predict(f"到2025年普惠性幼儿园覆盖率要达到多少？{XSS[0]}", api_name="/chat")
    assert "qx-cite" in last_text(first)  # answered, so it can be pinned
    chat, sources, _ = c.predict("它的目标是多少？", api_name="/chat")
    assert "理解为" in sources and "85%" in last_text(chat)
    panel = c.predict("0", api_name="/pin")
    assert "普惠性幼儿园覆盖率要达到多少？" in panel
    for out in (sources, panel, *(m["content"][0]["text"] for m in chat if m["role"] == "user")):
        assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert "&lt;script&gt;" in sources.split('<div class="qx-query">', 1)[1]


def test_a_port_taken_after_it_was_picked_is_replaced(tmp_path, monkeypatch):
    """free_port hands over a port it released; when another process takes it first, the app reports it
    (exit 2) and running_app starts it again on another port instead of failing the test run."""
    real_free_port = load.free_port
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        taken = busy.getsockname()[1]
        picks = iter([taken])
        monkeypatch.setattr(load, "free_port", lambda: next(picks, None) or real_free_port())
        env = {"QIAOXI_FEEDBACK_PATH": str(tmp_path / "fb.jsonl"), "NO_PROXY": "127.0.0.1,localhost"}
        with load.running_app(env=env, log_path=tmp_path / "app.log") as running:
            assert running.url.startswith(f"http://{HOST}:") and f":{taken}/" not in running.url
            with urllib.request.urlopen(running.url, timeout=30) as page:
                assert page.status == 200


def test_port_in_use_is_reported(tmp_path):
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "app.py", "--host", HOST, "--port", str(port)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert f"端口 {port} 已被占用" in out.stderr and "--port" in out.stderr


# -- pure rendering and feedback (no server) -------------------------------------------
KIDS = Citation("10.2.2", "第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」",
                "推进学前教育普及普惠发展。完善全区幼儿园布局。到2025年,普惠性幼儿园覆盖率达到85%,公办幼儿园在园幼儿达到50%。")


@pytest.mark.parametrize("q", XSS + ["**粗体** [链接](javascript:alert(1)) $$x$$"])
def test_user_html_escapes(q):
    out = user_html(q)
    assert out.startswith('<div class="qx-q">') and "<script" not in out and "<img" not in out
    assert "\n" not in out  # one HTML block: Markdown never applies inside


def test_linked_answer_links_only_valid_markers():
    out = linked_answer("达到85%[1]。<b>x</b>[2]", [KIDS])
    assert out.count('class="qx-cite"') == 1 and 'href="#qx-open-10.2.2"' in out
    assert "&lt;b&gt;" in out and "[2]" in out


def test_supporting_sentence_is_highlighted():
    answer = "根据规划：\n到2025年,普惠性幼儿园覆盖率达到85%,公办幼儿园在园幼儿达到50%[1]。"
    sentences = supporting_sentences(answer, 1)
    marked = highlight(KIDS.text, sentences)
    assert marked.count("<mark") == 1
    assert "85%" in marked.split("<mark", 1)[1] and "完善全区" not in marked.split("<mark", 1)[1]


def test_sources_panel_before_and_after():
    assert "提问后" in sources_html(None)
    ans = Answer(answer="到2025年,普惠性幼儿园覆盖率达到85%[1]。", citations=[KIDS])
    html = sources_html(Turn("问<x>", ans))
    assert "问&lt;x&gt;" in html and 'href="#qx-open-10.2.2"' in html and "<mark" in html


@pytest.mark.parametrize("payload", XSS)
def test_the_understood_query_line_is_escaped(bot, payload):
    """A follow-up (so the 「理解为」 line is drawn) whose own words and whose carried topic carry markup."""
    history = [{"role": "user", "content": f"{payload}普惠性幼儿园有什么规划？"},
               {"role": "assistant", "content": "到2025年,普惠性幼儿园覆盖率达到85%[1]。"}]
    question = f"它的目标是多少？{payload}"
    ans = bot.ask(question, history=history)
    assert ans.background and payload in ans.background + ans.query  # the markup did reach the line
    html = sources_html(Turn(question, ans))
    line = html.split('<div class="qx-query">', 1)[1].split("</div>", 1)[0]
    assert line.startswith("理解为：") and html_lib.escape(payload) in line
    assert "<script" not in html and "<img" not in html


@pytest.mark.parametrize("payload", XSS)
def test_a_pinned_question_is_escaped_in_the_briefing_panel(payload):
    from assistant.briefing import BriefingItem
    from webapp.render import briefing_html

    ans = Answer(answer="到2025年,普惠性幼儿园覆盖率达到85%[1]。", citations=[KIDS])
    html = briefing_html((BriefingItem.from_answer(payload + "覆盖率是多少？", ans),))
    assert f"1. {html_lib.escape(payload)}覆盖率是多少？" in html
    assert "<script" not in html and "<img" not in html


def test_default_address_is_loopback_and_share_is_off():
    import app as app_module

    args = app_module.parse_args([])
    assert args.host == "127.0.0.1" and args.share is False and args.auth == "" and args.workers == 1


def test_plan_view_toc_and_focus(bot):
    view = PlanView(bot.tree)
    html = view.render("10.2.2")
    assert 'qx-focus" data-cid="10.2.2"' in html and "目录" in html
    assert 'href="#qx-open-10.2"' in html  # sections listed in the table of contents
    assert view.render("no-such-clause").count("qx-focus") == 0


def test_feedback_appends_json_lines(tmp_path):
    ans = Answer(answer="达到85%[1]。", citations=[KIDS], query="q")
    path = tmp_path / "sub" / "fb.jsonl"
    append_feedback(make_record("问", ans, "up"), path)
    append_feedback(make_record("问", ans, "down"), path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["vote"] for r in rows] == ["up", "down"]
    assert rows[0]["question"] == "问" and rows[0]["citations"][0]["clause_id"] == "10.2.2" and rows[0]["time"]


def test_feedback_unwritable_raises_clear_error(tmp_path):
    blocked = tmp_path / "is_a_dir"
    blocked.mkdir()
    with pytest.raises(FeedbackError, match="反馈未能保存"):
        append_feedback(make_record("问", Answer(answer="a"), "up"), blocked)


def test_feedback_path_from_env(monkeypatch, tmp_path):
    from assistant.feedback import DEFAULT_PATH, feedback_path

    monkeypatch.delenv("QIAOXI_FEEDBACK_PATH", raising=False)
    assert feedback_path() == DEFAULT_PATH and DEFAULT_PATH.parts[-2:] == ("feedback", "feedback.jsonl")
    monkeypatch.setenv("QIAOXI_FEEDBACK_PATH", str(tmp_path / "f.jsonl"))
    assert feedback_path() == tmp_path / "f.jsonl"
