"""``python app.py --workers N``: N uvicorn worker processes, each with the read-only store, serving the API."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from eval.load import PORT_ATTEMPTS, free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
KG_Q = "到2025年普惠性幼儿园覆盖率要达到多少？"


def children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out |= {int(x) for x in (task / "children").read_text().split()}
    return out


def test_two_workers_serve_the_api(tmp_path):
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "QIAOXI_AUTH": "u:p", "PYTHONUNBUFFERED": "1",
           "QIAOXI_FEEDBACK_PATH": str(tmp_path / "fb.jsonl")}
    log = open(tmp_path / "app.log", "w+", encoding="utf-8")

    def start() -> tuple[subprocess.Popen, str]:
        """On a port free now; free_port releases it, so the caller starts again if it was taken meanwhile."""
        port = free_port()
        log.seek(0)
        log.truncate()
        proc = subprocess.Popen([sys.executable, "app.py", "--host", HOST, "--port", str(port), "--workers", "2"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return proc, f"http://{HOST}:{port}"

    proc, base = start()
    attempts = 1
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() == 2 and "已被占用" in (tmp_path / "app.log").read_text() and attempts < PORT_ATTEMPTS:
                proc, base = start()  # the port was taken between free_port and app.py's bind
                attempts += 1
                continue
            if proc.poll() is not None:
                raise AssertionError(f"app.py exited: {(tmp_path / 'app.log').read_text()}")
            try:
                if httpx.get(f"{base}/api/v1/health", auth=("u", "p"), timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        for _ in range(100):  # both workers have loaded the store and said so
            if (tmp_path / "app.log").read_text(encoding="utf-8").count("已加载索引") == 2:
                break
            time.sleep(0.3)
        text = (tmp_path / "app.log").read_text(encoding="utf-8")
        assert text.count("已加载索引") == 2 and "只提供 JSON 接口" in text
        workers = {c for c in children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")}
        assert len(workers) == 2
        assert httpx.get(f"{base}/api/v1/health", timeout=10).status_code == 401  # auth reaches the workers
        stores = set()
        for _ in range(20):  # a fresh connection each time: the kernel hands them to either worker
            res = httpx.post(f"{base}/api/v1/ask", json={"question": KG_Q}, auth=("u", "p"), timeout=60)
            assert res.status_code == 200 and "85%" in res.json()["answer"]
            stores.add(httpx.get(f"{base}/api/v1/health", auth=("u", "p"), timeout=10).json()["store"]["source_sha256"])
        assert len(stores) == 1  # one store, read by every worker
        page = httpx.get(f"{base}/", auth=("u", "p"), timeout=10)
        assert page.status_code == 200 and "/api/v1/docs" in page.text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)
        log.close()
    for _ in range(50):  # the workers stop with their supervisor
        if not any(Path(f"/proc/{w}").exists() for w in workers):
            break
        time.sleep(0.2)
    assert not any(Path(f"/proc/{w}").exists() for w in workers)
