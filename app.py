"""The plan assistant's server: ``python app.py [--host H] [--port P] [--llm none|openai|gguf] [--share]
[--auth USER:PASS]``.

One port serves the Gradio app at ``/`` and the JSON API at ``/api/v1`` (docs at ``/api/v1/docs``).
This is the entry point only: the web code lives in webapp/ (ui, api, server).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline by default, no phoning home


READY_POLL_S = 0.05


# What one server process holds open for clients, so idle, silent or half-sent sockets cannot pile up: an
# idle keep-alive connection is closed KEEP_ALIVE_S after its last reply; a request (line, headers, body)
# must arrive whole within webapp.connections.REQUEST_READ_TIMEOUT_S of the connection opening (or of its
# first byte on a kept-alive one), else the connection is closed: uvicorn itself never times out a silent
# or half-sent request, so ``http`` names its h11 protocol with that deadline added; past MAX_CONNECTIONS
# open connections new ones get 503 at once; request headers larger than MAX_HEADER_BYTES are refused
# (bodies are capped in webapp/limits.py).
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 200
MAX_HEADER_BYTES = 64 * 1024
CONNECTION_LIMITS = {"timeout_keep_alive": KEEP_ALIVE_S, "limit_concurrency": MAX_CONNECTIONS,
                     "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
                     "http": "webapp.connections:BoundedH11Protocol"}

# glibc gives each thread that allocates its own malloc arena (up to 8 per core). The server answers in
# many threads (Gradio's queue, anyio's pool), and memory freed in one arena is not reused by another: in
# five rounds of mixed load the memory malloc held free grew to 168 MB while the memory in use stayed at
# ~113 MB (docs/scaling.md); with two arenas it held 109 MB, throughput unchanged within the noise.
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter number for the arena limit (malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (before its threads start) and, through the environment,
    for the worker processes it starts; False where malloc is not glibc's (nothing changes there). An
    operator's own MALLOC_ARENA_MAX wins."""
    import ctypes
    import ctypes.util

    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        done = bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
    if done:
        os.environ["MALLOC_ARENA_MAX"] = str(arenas)
    return done


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python app.py", description="the plan assistant's web app and JSON API (one server)")
    p.add_argument("--host", default=env("QIAOXI_HOST", "127.0.0.1"), help="address to listen on (env QIAOXI_HOST)")
    p.add_argument("--port", type=int, default=int(env("QIAOXI_PORT", "7860")), help="port (env QIAOXI_PORT)")
    p.add_argument("--llm", choices=["none", "openai", "gguf"], help="LLM backend (env QIAOXI_LLM; default: none)")
    p.add_argument("--llm-model", help="model name for --llm openai (env QIAOXI_LLM_MODEL)")
    p.add_argument("--llm-base-url", help="OpenAI-compatible endpoint (env QIAOXI_LLM_BASE_URL)")
    p.add_argument("--share", action="store_true", default=env("QIAOXI_SHARE", "").lower() in ("1", "true", "yes"),
                   help="also open a public gradio.live link (off by default; env QIAOXI_SHARE=1)")
    p.add_argument("--workers", type=int, default=int(env("QIAOXI_WORKERS", "1")), metavar="N",
                   help="serve with N uvicorn worker processes sharing the read-only store (env QIAOXI_WORKERS)")
    p.add_argument("--auth", default=env("QIAOXI_AUTH", ""), metavar="USER:PASS",
                   help="require HTTP basic auth for the whole server, app and API (env QIAOXI_AUTH)")
    return p.parse_args(argv)


def exposure_warnings(host: str, share: bool, auth: str) -> list[str]:
    """What the operator must know before the app is reachable from beyond this machine."""
    out = []
    lock = "" if auth else "，且没有设置密码（可用 --auth 用户名:密码 或环境变量 QIAOXI_AUTH）"
    if not _loopback(host):
        out.append(f"警告：正在监听 {host}，同一网络中的任何人都能访问本应用和 /api/v1 接口{lock}。"
                   "只在本机使用时请用默认的 --host 127.0.0.1。")
    if share:
        out.append(f"警告：--share 会生成公开的 gradio.live 链接，互联网上任何拿到链接的人都能使用本应用{lock}。")
    return out


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def _block(server, thread: threading.Thread) -> None:
    """Wait for Ctrl-C or SIGTERM (which exits through atexit clean-up), stopping uvicorn either way."""
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    limit_malloc_arenas()
    if args.auth:
        from webapp.limits import parse_credentials

        try:
            parse_credentials(args.auth)
        except ValueError:
            print("错误：--auth / QIAOXI_AUTH 的格式应为 用户名:密码（两者都不能为空）。", file=sys.stderr)
            return 2
    for warning in exposure_warnings(args.host, args.share, args.auth):
        print(warning, file=sys.stderr, flush=True)
    problem = port_problem(args.host, args.port)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("错误：--workers 至少为 1。", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("llm", args.llm), ("llm_model", args.llm_model),
                                   ("llm_base_url", args.llm_base_url)) if v}
    print("正在加载规划索引（首次启动需构建索引，约需 1 分钟）…", file=sys.stderr, flush=True)
    if args.workers > 1:
        return serve_workers(args, overrides)
    from assistant import Assistant

    try:
        bot = Assistant.load(**overrides)
    except Exception as e:  # a clear message instead of a traceback wall
        print(f"错误：无法加载规划问答：{e}", file=sys.stderr)
        return 1
    print(f"索引已就绪（{bot.load_seconds:.1f} 秒）。", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so atexit clean-up also runs on `kill`
    from webapp.server import build_server, export_folder

    app = build_server(bot, export_folder(), auth=args.auth, host=args.host, port=args.port)
    url = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}/"
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", **CONNECTION_LIMITS))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(READY_POLL_S)
    if not server.started:
        print(f"错误：无法在 {args.host}:{args.port} 启动。请用 --port 换一个端口。", file=sys.stderr)
        return 2
    share_url = open_share_link(args.host, args.port) if args.share else None
    print(f"{bot.profile.assistant_name}已就绪：{url}（接口：{url}api/v1/docs）"
          + (f"（公开链接：{share_url}）" if share_url else ""), flush=True)
    _block(server, thread)
    return 0


def serve_workers(args: argparse.Namespace, overrides: dict[str, str]) -> int:
    """N uvicorn worker processes, each running ``webapp.server:create_api_app`` (the JSON API: Gradio's
    queue and session state cannot be shared between processes): the store is built (if needed) here,
    once, then every worker loads it read-only. Workers read their settings from the
    environment, so the command-line overrides travel there."""
    from index.config import get_settings
    from index.plans import ensure_all
    from index.store import load_store

    for key, value in {**overrides, "auth": args.auth}.items():
        os.environ[f"QIAOXI_{key.upper()}"] = value
    from assistant.llm import check_llm_config

    try:
        settings = get_settings()
        check_llm_config(settings)  # each worker makes the LLM; a bad configuration must stop here, not loop there
        if settings.other_plans:  # every plan's store, built once here, before the workers read them
            ensure_all(settings, log=lambda m: print(m, file=sys.stderr, flush=True))
        load_store(settings, log=lambda m: print(m, file=sys.stderr, flush=True))
    except Exception as e:
        print(f"错误：无法加载规划问答：{e}", file=sys.stderr)
        return 1
    if args.share:
        print("警告：--share 只在单进程（--workers 1）时可用，已忽略。", file=sys.stderr, flush=True)
    print(f"注意：{args.workers} 个工作进程只提供 JSON 接口（/api/v1）；聊天界面的会话保存在单个进程内，"
          "请用单进程启动界面（不加 --workers）。", file=sys.stderr, flush=True)
    import uvicorn

    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"以 {args.workers} 个工作进程启动：http://{host}:{args.port}/api/v1/docs", flush=True)
    uvicorn.run("webapp.server:create_api_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="warning", **CONNECTION_LIMITS)
    return 0


def open_share_link(host: str, port: int) -> str | None:
    """A public gradio.live tunnel to this server (needs the network); None, with the reason, if it fails."""
    import secrets

    from gradio import networking

    try:
        return networking.setup_tunnel(host, port, secrets.token_urlsafe(32), None, None)
    except Exception as e:
        print(f"警告：无法建立公开链接（{e}）。本机地址仍可使用。", file=sys.stderr, flush=True)
        return None


if __name__ == "__main__":
    sys.exit(main())
