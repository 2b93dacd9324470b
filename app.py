"""The plan assistant's web app: ``python app.py [--host H] [--port P] [--llm none|openai|gguf] [--share]``.

UI wiring only: answers come from the public ``Assistant`` API, markup from assistant.ui_render,
the briefing from assistant.briefing, votes from assistant.feedback.
"""
from __future__ import annotations

import argparse
import atexit
import html
import os
import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline by default, no phoning home

import gradio as gr  # noqa: E402

from assistant.briefing import (  # noqa: E402
    BriefingItem, BriefingSource, Draft, add_item, move_item, remove_item, write_exports,
)
from assistant.feedback import FeedbackError, append_feedback, make_record  # noqa: E402
from assistant.types import Answer  # noqa: E402
from assistant.ui_render import (  # noqa: E402
    BRIDGE_JS, CSS, HEAD, SCROLL_JS, PlanView, Turn, briefing_html, chat_messages, esc, history_of, sources_html,
)

# What the app shows of a plan (its name, the example questions) comes from the plan's profile.toml.
PLACEHOLDER = ("**您好！这里是{assistant_name}。**\n\n问我关于{short_name}的任何问题，"
               "每条回答都会标出规划原文出处；规划没有写到的，会如实告诉您。")
FONTS = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "system-ui", "sans-serif"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python app.py", description="the plan assistant's web app (Gradio)")
    p.add_argument("--host", default=env("QIAOXI_HOST", "127.0.0.1"), help="address to listen on (env QIAOXI_HOST)")
    p.add_argument("--port", type=int, default=int(env("QIAOXI_PORT", "7860")), help="port (env QIAOXI_PORT)")
    p.add_argument("--llm", choices=["none", "openai", "gguf"], help="LLM backend (env QIAOXI_LLM; default: none)")
    p.add_argument("--llm-model", help="model name for --llm openai (env QIAOXI_LLM_MODEL)")
    p.add_argument("--llm-base-url", help="OpenAI-compatible endpoint (env QIAOXI_LLM_BASE_URL)")
    p.add_argument("--share", action="store_true", default=env("QIAOXI_SHARE", "").lower() in ("1", "true", "yes"),
                   help="also open a public gradio.live link (off by default; env QIAOXI_SHARE=1)")
    return p.parse_args(argv)


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, checked before the slow index load."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        return f"无法解析监听地址 {host}：{e}"
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind(addr)
        except OSError as e:
            return (f"端口 {port} 已被占用或不可用（{host}:{port}，{e.strerror or e}）。"
                    f"请换一个端口，例如：python app.py --port {port + 1}")
    return None


ANSWER_CONCURRENCY = 4  # Assistant.ask is thread-safe (the embedding engine is behind a lock)


def build_app(bot, export_dir: Path) -> gr.Blocks:
    """The Blocks UI around a loaded Assistant; every event has an explicit api_name or is private."""
    view = PlanView(bot.tree)
    profile = bot.profile
    source = BriefingSource.of(profile)
    mode = "离线模式：回答摘录规划原文" if bot.settings.llm == "none" else f"大模型：{bot.settings.llm} {bot.settings.llm_model}"

    def respond(question: str, turns: list[Turn]):
        q = (question or "").strip()
        if not q:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield chat_messages(turns, (q, "")), gr.skip(), gr.skip(), "", gr.skip()
        final: Answer | None = None
        try:
            for text, final in bot.ask_stream(q, history_of(turns)):
                if final is None:
                    yield chat_messages(turns, (q, text)), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except Exception as e:  # never leave a half-drawn chat behind
            gr.Warning(f"回答时出错，请稍后重试或换个问法。（{type(e).__name__}）", title="出错了")
            yield chat_messages(turns), gr.skip(), turns, q, gr.skip()
            return
        new = [*turns, Turn(q, final)]
        yield chat_messages(new), sources_html(new[-1]), new, gr.skip(), gr.Tabs(selected="sources")

    def ask_api(question: str, history: list[dict] | None = None) -> dict:
        """Answer one question statelessly: the same dict as `python -m assistant ask --json`."""
        return bot.ask(question, history or []).to_dict()

    def open_clause(clause_id: str):
        return view.render((clause_id or "").strip()), gr.Tabs(selected="plan")

    def show_draft(new: Draft) -> tuple[Draft, str]:
        return new, briefing_html(new)

    def pin(turn_index: str, turns: list[Turn], draft: Draft):
        try:
            turn = turns[int(turn_index)]
        except (ValueError, IndexError):
            gr.Warning("找不到这条回答，请重新提问后再加入简报。", title="简报")
            return show_draft(draft)
        if turn.answer.abstained:
            gr.Warning("规划未涉及的回答没有出处，不能加入简报。", title="简报")
            return show_draft(draft)
        new, added = add_item(draft, BriefingItem.from_answer(turn.question, turn.answer))
        gr.Info(f"已加入简报草稿（共 {len(new)} 条）。" if added else "这条回答已在简报草稿中。", duration=4, title="简报")
        return show_draft(new)

    def edit_briefing(action: str, draft: Draft):
        op, _, idx = (action or "").partition(":")
        i = int(idx) if idx.isdigit() else -1
        new = {"up": lambda: move_item(draft, i, -1), "down": lambda: move_item(draft, i, 1),
               "del": lambda: remove_item(draft, i)}.get(op, lambda: draft)()
        return show_draft(new)

    def export_briefing(title: str, draft: Draft) -> tuple[str | None, str | None]:
        """Fresh .md and .docx files of the draft, served by the two download buttons."""
        if not draft:
            return None, None
        try:
            md, docx = write_exports(draft, title, export_dir, source=source)
        except OSError as e:  # a clear message; the chat keeps working
            gr.Warning(f"简报导出失败：无法写入文件（{e.strerror or e}）。", title="简报")
            return None, None
        return str(md), str(docx)

    def refresh_downloads(title: str, draft: Draft) -> tuple[gr.DownloadButton, gr.DownloadButton]:
        """Both download buttons get their fresh file and become usable in one update."""
        return tuple(gr.DownloadButton(value=f, interactive=f is not None) for f in export_briefing(title, draft))

    def vote(turns: list[Turn], evt: gr.LikeData):
        """Thumbs up/down → one feedback line; the thumbs shown are kept in the chatbot's feedback_value."""
        i = (evt.index if isinstance(evt.index, int) else evt.index[0]) // 2
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

    with gr.Blocks(title=profile.assistant_name) as demo:
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
                        plan = gr.HTML(view.render(), elem_id="qx-plan", js_on_load=None)
                    with gr.Tab("简报草稿", id="briefing"):
                        title = gr.Textbox(source.default_title, label="简报标题", max_lines=1)
                        brief = gr.HTML(briefing_html(()), elem_id="qx-brief", js_on_load=None)
                        with gr.Row():
                            md_btn = gr.DownloadButton("下载 Markdown", interactive=False, size="sm")
                            docx_btn = gr.DownloadButton("下载 Word (.docx)", interactive=False, size="sm",
                                                         variant="primary")

        chat_io = dict(fn=respond, inputs=[msg, turns], outputs=[chatbot, sources, turns, msg, tabs],
                       concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
        msg.submit(**chat_io, api_name="chat")
        for b in example_buttons:
            b.click(lambda q=b.value: q, None, msg, queue=False, api_visibility="private").then(
                **chat_io, api_visibility="private")
        gr.api(ask_api, api_name="ask", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)

        opened = bridge.open(open_clause, [bridge], [plan, tabs], api_name="open_clause")
        opened.then(None, [bridge], None, js=SCROLL_JS)  # scroll to the clause in the browser, no server call
        downloads = dict(inputs=[title, draft], outputs=[md_btn, docx_btn])
        title.change(export_briefing, **downloads, api_name="export_briefing")
        bridge.pin(pin, [bridge, turns, draft], [draft, brief], api_name="pin").then(
            refresh_downloads, **downloads, api_visibility="private")
        bridge.brief(edit_briefing, [bridge, draft], [draft, brief], api_name="edit_briefing").then(
            refresh_downloads, **downloads, api_visibility="private")

        chatbot.like(vote, [turns], [turns, chatbot], api_visibility="private")
        clear_btn.click(clear, None, [chatbot, sources, turns], api_name="clear")
        chatbot.clear(clear, None, [chatbot, sources, turns], api_visibility="private")
    return demo


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = port_problem(args.host, args.port)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("llm", args.llm), ("llm_model", args.llm_model),
                                   ("llm_base_url", args.llm_base_url)) if v}
    print("正在加载规划索引（首次启动需构建索引，约需 1 分钟）…", file=sys.stderr, flush=True)
    from assistant import Assistant

    try:
        bot = Assistant.load(**overrides)
    except Exception as e:  # a clear message instead of a traceback wall
        print(f"错误：无法加载规划问答：{e}", file=sys.stderr)
        return 1
    print(f"索引已就绪（{bot.load_seconds:.1f} 秒）。", file=sys.stderr, flush=True)
    export_dir = Path(tempfile.mkdtemp(prefix="qiaoxi-export-"))
    atexit.register(shutil.rmtree, export_dir, ignore_errors=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so atexit clean-up also runs on `kill`
    demo = build_app(bot, export_dir)
    theme = gr.themes.Soft(primary_hue="indigo", font=FONTS, font_mono=["ui-monospace", "monospace"])
    try:
        _, url, share_url = demo.launch(server_name=args.host, server_port=args.port, share=args.share, theme=theme,
                                        css=CSS, head=HEAD, footer_links=["api"], prevent_thread_lock=True, quiet=True)
    except OSError as e:
        print(f"错误：无法在 {args.host}:{args.port} 启动：{e}。请用 --port 换一个端口。", file=sys.stderr)
        return 2
    print(f"{bot.profile.assistant_name}已就绪：{url}" + (f"（公开链接：{share_url}）" if share_url else ""), flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
