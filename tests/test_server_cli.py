"""``python app.py`` flags that change who can reach the server: warnings and refusals come before the
index loads (a busy port makes the process stop right after them, so these tests take a second each)."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_on_busy_port(*flags: str, env: dict | None = None, bind: str = "127.0.0.1") -> subprocess.CompletedProcess:
    import os

    with socket.socket() as busy:
        busy.bind((bind, 0))
        busy.listen()
        port = busy.getsockname()[1]
        return subprocess.run([sys.executable, "app.py", "--port", str(port), *flags], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "QIAOXI_AUTH": "", **(env or {})})


def test_all_interfaces_prints_a_clear_warning():
    out = run_on_busy_port("--host", "0.0.0.0", bind="0.0.0.0")
    assert out.returncode == 2
    assert "警告：正在监听 0.0.0.0" in out.stderr and "--auth" in out.stderr


def test_share_prints_a_clear_warning():
    out = run_on_busy_port("--share")
    assert "警告：--share 会生成公开的 gradio.live 链接" in out.stderr


def test_loopback_prints_no_warning():
    assert "警告" not in run_on_busy_port("--host", "127.0.0.1").stderr


def test_warning_with_auth_does_not_ask_for_it():
    out = run_on_busy_port("--host", "0.0.0.0", "--auth", "u:p", bind="0.0.0.0")
    assert "警告：正在监听 0.0.0.0" in out.stderr and "没有设置密码" not in out.stderr


@pytest.mark.parametrize("flags, env", [(("--auth", "nopass"), None), ((), {"QIAOXI_AUTH": "u:"})])
def test_malformed_auth_is_refused(flags, env):
    out = run_on_busy_port(*flags, env=env)
    assert out.returncode == 2 and "用户名:密码" in out.stderr


def test_exposure_warnings_unit():
    sys.path.insert(0, str(ROOT))
    from app import exposure_warnings

    assert exposure_warnings("127.0.0.1", False, "") == [] and exposure_warnings("localhost", False, "") == []
    assert exposure_warnings("::1", False, "") == []
    assert len(exposure_warnings("::", True, "")) == 2 and len(exposure_warnings("192.168.1.5", False, "u:p")) == 1
