"""One server, one port: a FastAPI app with the JSON API at ``/api/v1`` and the Gradio app at ``/``.

``build_server`` wraps an already loaded Assistant (``python app.py``, the tests). The factories load the
read-only store from the settings in the environment (QIAOXI_*), once per process: ``create_app`` (app and
API, ``uvicorn --factory webapp.server:create_app``) and ``create_api_app`` (the API alone, what each of
``python app.py --workers N``'s uvicorn workers runs).
"""
from __future__ import annotations

import atexit
import html
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline by default, no phoning home

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.responses import HTMLResponse  # noqa: E402
from starlette.middleware.cors import CORSMiddleware  # noqa: E402

from webapp.render import CSS, HEAD  # noqa: E402
from index.config import Settings  # noqa: E402
from webapp.api import PREFIX, create_api  # noqa: E402
from webapp.limits import BasicAuth, BodyLimit, parse_credentials  # noqa: E402
from webapp.ui import build_app, theme  # noqa: E402

# A Gradio request carries a form or an upload around its content: room for that beside the file cap.
FORM_OVERHEAD_BYTES = 64 * 1024


def body_caps(settings: Settings):
    """The body cap by path: the API's small one under /api/v1, the upload cap for the Gradio routes."""
    api_cap = settings.max_request_bytes
    gradio_cap = settings.max_upload_bytes + FORM_OVERHEAD_BYTES

    def limit_for(path: str) -> int:
        return api_cap if path == PREFIX or path.startswith(PREFIX + "/") else gradio_cap

    return limit_for


# What "/" shows when several worker processes serve the API (see create_api_app).
API_ONLY_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{name}</title>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;line-height:1.6">
<h1>{name} · JSON API</h1><p>本服务以多个工作进程运行，只提供 JSON 接口：<a href="/api/v1/docs">/api/v1/docs</a>。</p>
<p>聊天界面的会话保存在单个进程内，请用单进程启动（<code>python app.py</code>，不加 <code>--workers</code>）。</p></body></html>"""


def build_server(bot, export_dir: Path | None, auth: str | None = None, host: str = "127.0.0.1",
                 port: int = 7860, ui: bool = True) -> FastAPI:
    """The combined app around a loaded Assistant. ``auth`` ('user:password', default: the settings')
    guards every route; CORS headers are sent only for the configured origins. ``ui=False`` serves the
    API and a short page at "/" pointing to its docs instead of the Gradio app."""
    settings = bot.settings
    bot.plans.warm()  # the other plans load in the background: the first question naming one is not slow
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)  # the API's docs live under /api/v1
    app.mount(PREFIX, create_api(bot, started_at=time.monotonic()))  # before "/": its paths win
    if ui:
        app = gr.mount_gradio_app(app, build_app(bot, export_dir), path="/", server_name=host, server_port=port,
                                  max_file_size=settings.max_upload_bytes, footer_links=["api"],
                                  theme=theme(), css=CSS, head=HEAD)
    else:
        page = API_ONLY_PAGE.format(name=html.escape(bot.profile.assistant_name))
        app.add_api_route("/", lambda: HTMLResponse(page), methods=["GET"], include_in_schema=False)
    # Middleware runs outermost last-added: CORS (a preflight carries no credentials) → auth → body cap.
    app.add_middleware(BodyLimit, limit_for=body_caps(settings))
    credentials = auth if auth is not None else settings.auth
    if credentials:
        user, password = parse_credentials(credentials)
        app.add_middleware(BasicAuth, user=user, password=password)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization"], allow_credentials=False)
    return app


def export_folder() -> Path:
    """A private folder for this process's briefing exports, removed when it exits."""
    folder = Path(tempfile.mkdtemp(prefix="qiaoxi-export-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _load_bot():
    from assistant import Assistant

    bot = Assistant.load()
    print(f"工作进程 {os.getpid()} 已加载索引（{bot.load_seconds:.1f} 秒）。", flush=True)
    return bot


def create_app() -> FastAPI:
    """The whole server (app and API) for one process: ``uvicorn --factory webapp.server:create_app``."""
    return build_server(_load_bot(), export_folder())


def create_api_app() -> FastAPI:
    """The factory ``python app.py --workers N`` gives uvicorn: each worker loads the store (read-only,
    shared on disk) and serves the stateless API. The Gradio app is left out: its queue and session state
    live in one process, and a browser's requests would land on different workers."""
    return build_server(_load_bot(), None, ui=False)
