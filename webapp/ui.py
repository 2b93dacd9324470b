"""The Gradio Blocks UI around a loaded Assistant: streaming chat with clickable citations, the sources
panel, the plan itself, a briefing draft exported to Markdown and .docx, the topic briefing (专题简报)
exported the same way, and thumbs up/down votes.

UI wiring only: answers come from the public ``Assistant`` API, markup from webapp.render, the
briefing from assistant.briefing, votes from assistant.feedback. Every user string passes webapp.edge
first; the session state keeps only cleaned, bounded questions and at most ``max_history_turns`` turns.
"""
from __future__ import annotations

import html
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline by default, no phoning home

import gradio as gr  # noqa: E402

from assistant.briefing import (  # noqa: E402
    BriefingItem, BriefingSource, Draft, add_item, move_item, remove_item, write_exports,
)
from assistant.brief_export import write_brief_exports  # noqa: E402
from assistant.compare import CompareError  # noqa: E402
from assistant.feedback import FeedbackError, append_feedback, make_record  # noqa: E402
from assistant.topic_brief import TopicError  # noqa: E402
from assistant.types import Answer  # noqa: E402
from webapp.render import (  # noqa: E402
    BRIDGE_JS, SCROLL_JS, PlanView, Turn, briefing_html, chat_messages, compare_html, esc, history_of,
    sources_html, topic_brief_html,
)
from webapp import edge, figures_tab  # noqa: E402
from webapp.downloads import download_buttons  # noqa: E402
from webapp.exports import CACHE_SWEEP_S, MAX_AGE_S, prune  # noqa: E402

# What the app shows of a plan (its name, the example questions) comes from the plan's profile.toml.
PLACEHOLDER = ("**您好！这里是{assistant_name}。**\n\n问我关于{short_name}的任何问题，"
               "每条回答都会标出规划原文出处；规划没有写到的，会如实告诉您。")
FONTS = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "system-ui", "sans-serif"]

ANSWER_CONCURRENCY = 4  # Assistant.ask is thread-safe (the embedding engine is behind a lock)
MAX_BRIEFING_ITEMS = 50  # a briefing is a page or two; a session cannot grow its draft without bound


def build_app(bot, export_dir: Path) -> gr.Blocks:
    """The Blocks UI around a loaded Assistant; every event has an explicit api_name or is private."""
    views: dict[str, PlanView] = {}  # the plan browser of each plan, made on its first opened clause
    profile = bot.profile
    plans = bot.plans.profiles
    # The plan selector: the default follows the question (the plan it names, else this plan).
    plan_choices = [("自动（按问题所指）", ""), *((p.short_name, pid) for pid, p in plans.items())]
    has_parent = bool(profile.parent_plan) and profile.parent_plan in plans
    source = BriefingSource.of(profile)
    mode = "离线模式：回答摘录规划原文" if bot.settings.llm == "none" else f"大模型：{bot.settings.llm} {bot.settings.llm_model}"
    # A session keeps this many turns (its chat shows them, follow-ups and votes index them); older ones drop off.
    max_turns = max(1, bot.settings.max_history_turns)

    def view_of(plan_id: str) -> PlanView:
        if plan_id not in views:
            views[plan_id] = PlanView(bot.plans.get(plan_id).tree, plan=plan_id)
        return views[plan_id]

    def respond(question: str, turns: list[Turn], plan_id: str = ""):
        q, cut = edge.question(question, bot.settings)  # once, here: the chat, the state and the log get q only
        plan_id = plan_id if plan_id in plans else None  # anything else a client sends: the automatic choice
        turns = list(turns or [])[-max_turns:]
        if not q:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield chat_messages(turns, (q, "")), gr.skip(), gr.skip(), "", gr.skip()
        final: Answer | None = None
        try:
            for text, final in bot.ask_stream(q, history_of(turns), plan=plan_id):
                if final is None:
                    yield chat_messages(turns, (q, text)), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except Exception as e:  # never leave a half-drawn chat behind
            gr.Warning(f"回答时出错，请稍后重试或换个问法。（{type(e).__name__}）", title="出错了")
            yield chat_messages(turns), gr.skip(), turns, q, gr.skip()
            return
        if cut:
            final = replace(final, notice=edge.with_notice(cut, final.notice))
        new = [*turns, Turn(q, final)][-max_turns:]
        yield chat_messages(new), sources_html(new[-1]), new, gr.skip(), gr.Tabs(selected="sources")

    def ask_api(question: str, history: list[dict] | None = None) -> dict:
        """Answer one question statelessly: the same dict as `python -m assistant ask --json`."""
        q, cut = edge.question(question, bot.settings)
        res = bot.ask(q, edge.history(history, bot.settings))
        return replace(res, notice=edge.with_notice(cut, res.notice) if cut else res.notice).to_dict()

    def open_figure(rows, evt: gr.SelectData):
        """The clause of the figure row a user clicked (its last column), in the plan browser."""
        try:
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else int(evt.index)
            clause_id = str(rows.values[row][-1] if hasattr(rows, "values") else rows[row][-1])
        except (IndexError, TypeError, ValueError):
            return gr.skip(), gr.skip()
        return open_clause(clause_id)

    def open_clause(target: str):
        """Open ``plan:clause_id`` (or a bare id: this plan's) in the plan browser."""
        plan_id, _, clause_id = edge.field(target, edge.CLAUSE_ID_CHARS + 48).rpartition(":")
        return view_of(plan_id if plan_id in plans else bot.plan_id).render(clause_id), gr.Tabs(selected="plan")

    def compare(topic: str) -> str:
        try:
            return compare_html(bot.compare(edge.field(topic, edge.TOPIC_CHARS)))
        except (TopicError, CompareError) as e:
            return compare_html(None, error=str(e))

    def show_draft(new: Draft) -> tuple[Draft, str]:
        return new, briefing_html(new)

    def pin(turn_index: str, turns: list[Turn], draft: Draft):
        try:
            turn = turns[int(edge.field(turn_index, edge.ACTION_CHARS))]
        except (ValueError, IndexError, TypeError):
            gr.Warning("找不到这条回答，请重新提问后再加入简报。", title="简报")
            return show_draft(draft)
        if turn.answer.abstained:
            gr.Warning("规划未涉及的回答没有出处，不能加入简报。", title="简报")
            return show_draft(draft)
        if len(draft) >= MAX_BRIEFING_ITEMS:
            gr.Warning(f"简报草稿最多 {MAX_BRIEFING_ITEMS} 条，请先导出或删除几条。", title="简报")
            return show_draft(draft)
        new, added = add_item(draft, BriefingItem.from_answer(turn.question, turn.answer))
        gr.Info(f"已加入简报草稿（共 {len(new)} 条）。" if added else "这条回答已在简报草稿中。", duration=4, title="简报")
        return show_draft(new)

    def edit_briefing(action: str, draft: Draft):
        op, _, idx = edge.field(action, edge.ACTION_CHARS).partition(":")
        i = int(idx) if idx.isdigit() else -1
        new = {"up": lambda: move_item(draft, i, -1), "down": lambda: move_item(draft, i, 1),
               "del": lambda: remove_item(draft, i)}.get(op, lambda: draft)()
        return show_draft(new)

    def export_briefing(title: str, draft: Draft) -> tuple[str | None, str | None]:
        """Fresh .md and .docx files of the draft, served by the two download buttons."""
        if not draft:
            return None, None
        title = edge.field(title, edge.TITLE_CHARS) or source.default_title  # file names never come from it
        try:
            prune(export_dir)  # earlier exports past their age or beyond the cap go first
            md, docx = write_exports(draft, title, export_dir, source=source)
        except OSError as e:  # a clear message; the chat keeps working
            gr.Warning(f"简报导出失败：无法写入文件（{e.strerror or e}）。", title="简报")
            return None, None
        return str(md), str(docx)

    def refresh_downloads(title: str, draft: Draft) -> tuple[gr.DownloadButton, ...]:
        """Both download buttons get their fresh file and become usable in one update."""
        return download_buttons(*export_briefing(title, draft))

    def topic_brief(topic: str) -> tuple[str, str | None, str | None]:
        """The topic briefing rendered for its tab and fresh .md/.docx files (the draft's export path);
        an empty or uncovered topic shows why, with no files."""
        text = edge.field(topic, edge.TOPIC_CHARS)
        try:
            brief = bot.brief(text)
        except TopicError as e:
            return topic_brief_html(None, error=str(e)), None, None
        try:
            prune(export_dir)
            md, docx = write_brief_exports(brief, export_dir, source=source)
        except OSError as e:
            gr.Warning(f"专题简报导出失败：无法写入文件（{e.strerror or e}）。", title="专题简报")
            return topic_brief_html(brief), None, None
        return topic_brief_html(brief), str(md), str(docx)

    def vote(turns: list[Turn], evt: gr.LikeData):
        """Thumbs up/down → one feedback line; the thumbs shown are kept in the chatbot's feedback_value."""
        try:
            i = (evt.index if isinstance(evt.index, int) else int(evt.index[0])) // 2
        except (TypeError, ValueError, IndexError):
            return turns, gr.skip()
        if not 0 <= i < len(turns):
            return turns, gr.skip()
        choice = {True: "Like", False: "Dislike"}.get(evt.liked) if isinstance(evt.liked, bool) else None
        new = [*turns[:i], replace(turns[i], vote=choice), *turns[i + 1:]]
        if choice is not None:
            try:
                append_feedback(make_record(turns[i].question, turns[i].answer, "up" if evt.liked else "down"))
            except FeedbackError as e:
                gr.Warning(html.escape(str(e)), title="反馈未保存")  # toasts render HTML
                new = turns
            else:
                gr.Info("感谢反馈，已记录。", duration=3, title="反馈")
        return new, gr.Chatbot(feedback_value=[t.vote for t in new])

    def clear():
        return gr.Chatbot(value=[], feedback_value=[]), sources_html(None), []

    # Gradio serves a download from its own copy of the file: those copies are swept like the exports.
    with gr.Blocks(title=profile.assistant_name, delete_cache=(CACHE_SWEEP_S, int(MAX_AGE_S))) as demo:
        bridge = gr.HTML("", html_template="", js_on_load=BRIDGE_JS, visible="hidden", elem_id="qx-bridge")
        turns = gr.State([])
        draft = gr.State(())
        gr.HTML(f"<h1>{esc(profile.assistant_name)}</h1><p>{esc(profile.heading)} · 每条回答都标明规划原文出处"
                f" · {mode}</p>", elem_id="qx-header", js_on_load=None)
        with gr.Row(elem_id="qx-main", equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chatbot = gr.Chatbot(label="对话", show_label=False, elem_id="qx-chat", height=560, placeholder=PLACEHOLDER.format(assistant_name=profile.assistant_name, short_name=profile.short_name),
                                     buttons=[], latex_delimiters=[], feedback_options=("Like", "Dislike"))
                msg = gr.Textbox(show_label=False, placeholder="输入问题，例如：家附近会新建幼儿园吗？", lines=1, max_lines=4,
                                 submit_btn="发送", elem_id="qx-input")
                plan_pick = gr.Dropdown(plan_choices, value="", label="检索的规划", elem_id="qx-plan-pick",
                                        visible=len(plans) > 1, allow_custom_value=False)
                with gr.Column(elem_id="qx-examples"):
                    example_buttons = []
                    for label, questions in (("居民常问", profile.resident_questions),
                                             ("简报常用", profile.briefing_questions)):
                        gr.HTML(f'<div class="qx-ex-label">{label}</div>', js_on_load=None)
                        with gr.Row(elem_classes="qx-ex-row"):
                            example_buttons += [gr.Button(q, size="sm", variant="secondary") for q in questions]
                clear_btn = gr.Button("清空对话", size="sm", variant="secondary", elem_id="qx-clear")
            with gr.Column(scale=2, min_width=300):
                with gr.Tabs(selected="sources") as tabs:
                    with gr.Tab("出处", id="sources"):
                        sources = gr.HTML(sources_html(None), elem_id="qx-sources", js_on_load=None)
                    with gr.Tab("规划原文", id="plan"):
                        plan = gr.HTML(view_of(bot.plan_id).render(), elem_id="qx-plan", js_on_load=None)
                    with gr.Tab("简报草稿", id="briefing"):
                        title = gr.Textbox(source.default_title, label="简报标题", max_lines=1)
                        brief = gr.HTML(briefing_html(()), elem_id="qx-brief", js_on_load=None)
                        with gr.Row():
                            md_btn = gr.DownloadButton("下载 Markdown", interactive=False, size="sm")
                            docx_btn = gr.DownloadButton("下载 Word (.docx)", interactive=False, size="sm",
                                                         variant="primary")
                    with gr.Tab("专题简报", id="topic"):
                        topic = gr.Textbox(show_label=False, placeholder="输入专题，例如：养老、交通与停车", max_lines=1,
                                           submit_btn="生成简报", elem_id="qx-topic")
                        topic_out = gr.HTML(topic_brief_html(None), elem_id="qx-topic-brief", js_on_load=None)
                        with gr.Row():
                            topic_md = gr.DownloadButton("下载 Markdown", interactive=False, size="sm")
                            topic_docx = gr.DownloadButton("下载 Word (.docx)", interactive=False, size="sm",
                                                           variant="primary")
                    with gr.Tab("对照上位规划", id="compare", visible=has_parent):
                        cmp_topic = gr.Textbox(show_label=False, placeholder="输入专题，例如：养老、托育、城市更新",
                                               max_lines=1, submit_btn="对照", elem_id="qx-compare-topic")
                        cmp_out = gr.HTML(compare_html(None), elem_id="qx-compare", js_on_load=None)
                    with gr.Tab("数据与指标", id="figures"):
                        fig_table, fig_refresh, fig_filters, fig_downloads = figures_tab.build_tab(
                            bot, export_dir)

        chat_io = dict(fn=respond, inputs=[msg, turns, plan_pick], outputs=[chatbot, sources, turns, msg, tabs],
                       concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
        msg.submit(**chat_io, api_name="chat")
        for b in example_buttons:
            b.click(lambda q=b.value: q, None, msg, queue=False, api_visibility="private").then(
                **chat_io, api_visibility="private")
        gr.api(ask_api, api_name="ask", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)

        opened = bridge.open(open_clause, [bridge], [plan, tabs], api_name="open_clause")
        opened.then(None, [bridge], None, js=SCROLL_JS)  # scroll to the clause in the browser, no server call
        downloads = dict(inputs=[title, draft], outputs=[md_btn, docx_btn])
        # exported when the title is done (Enter or leaving the box), not at every keystroke
        title.submit(export_briefing, **downloads, api_name="export_briefing")
        title.blur(export_briefing, **downloads, api_visibility="private")
        bridge.pin(pin, [bridge, turns, draft], [draft, brief], api_name="pin").then(
            refresh_downloads, **downloads, api_visibility="private")
        bridge.brief(edit_briefing, [bridge, draft], [draft, brief], api_name="edit_briefing").then(
            refresh_downloads, **downloads, api_visibility="private")

        topic.submit(topic_brief, [topic], [topic_out, topic_md, topic_docx], api_name="topic_brief",
                     concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY).then(
            download_buttons, [topic_md, topic_docx], [topic_md, topic_docx], api_visibility="private")

        cmp_topic.submit(compare, [cmp_topic], [cmp_out], api_name="compare",
                         concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)

        # a row of the figures table opens its clause in the plan browser
        fig_table.select(open_figure, [fig_table], [plan, tabs], api_visibility="private")
        demo.load(fig_refresh, list(fig_filters), [fig_table, *fig_downloads], api_visibility="private").then(
            download_buttons, list(fig_downloads), list(fig_downloads), api_visibility="private")

        chatbot.like(vote, [turns], [turns, chatbot], api_visibility="private")
        clear_btn.click(clear, None, [chatbot, sources, turns], api_name="clear")
        chatbot.clear(clear, None, [chatbot, sources, turns], api_visibility="private")
    demo.state_session_capacity = bot.settings.max_sessions  # read when the app is mounted (not Gradio's 10,000)
    return demo




def theme() -> gr.themes.Theme:
    """The app's look, given where the Blocks are mounted (Gradio 6 takes theme, css and head there)."""
    return gr.themes.Soft(primary_hue="indigo", font=FONTS, font_mono=["ui-monospace", "monospace"])
