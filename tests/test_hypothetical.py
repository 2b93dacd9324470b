"""`python -m index questions`: hypothetical questions per clause written by an LLM, through a small
OpenAI-compatible HTTP server started here (real HTTP on loopback), filtered by the data's rules."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from index.clauses import Clause
from index.hypothetical import copies, questions_from_reply

ROOT = Path(__file__).resolve().parent.parent
CLAUSE = "10.2.2"
# What the scripted model answers for every clause: numbering, a copy of the clause, a repeat, a blank line.
REPLY = "\n".join(["1. 俺家闺女明年上幼儿园，公家办的园子好进吗？", "2、普惠性幼儿园覆盖率达到85%是真的吗？",
                   "3) 俺家闺女明年上幼儿园，公家办的园子好进吗？", "", "- 便宜点的幼儿园以后会多起来不？"])


@pytest.fixture
def model_server():
    """An OpenAI-compatible chat.completions endpoint on 127.0.0.1 answering REPLY; yields its base URL."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": REPLY}}],
                               "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def _run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("QIAOXI_")}
    env.update({"NO_PROXY": "127.0.0.1", **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "index", "questions", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


class TestFilters:
    def test_a_run_of_the_clause_is_a_copy(self):
        assert copies("普惠性幼儿园覆盖率多少", "到2025年,普惠性幼儿园覆盖率达到85%")
        assert not copies("便宜的幼儿园会多吗", "到2025年,普惠性幼儿园覆盖率达到85%")

    def test_reply_lines_become_clean_unique_questions(self):
        clause = Clause(CLAUSE, "paragraph", "¶", ("第十章",), "", "到2025年,普惠性幼儿园覆盖率达到85%", 0, 1)
        assert questions_from_reply(REPLY, clause, 8) == ["俺家闺女明年上幼儿园，公家办的园子好进吗？",
                                                           "便宜点的幼儿园以后会多起来不？"]
        assert len(questions_from_reply(REPLY, clause, 1)) == 1


class TestCommand:
    def test_writes_filtered_questions_for_the_clauses_asked(self, model_server, tmp_path):
        url, seen = model_server
        out = tmp_path / "questions.jsonl"
        res = _run("--llm", "openai", "--llm-model", "m", "--llm-base-url", url, "--out", str(out),
                   "--clause", CLAUSE, "--clause", "G.18")
        assert res.returncode == 0, res.stderr
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert {r["clause_id"] for r in rows} == {CLAUSE, "G.18"} and len(seen) == 2
        kept = [r["question"] for r in rows if r["clause_id"] == CLAUSE]
        assert kept == ["俺家闺女明年上幼儿园，公家办的园子好进吗？", "便宜点的幼儿园以后会多起来不？"]  # copy, repeat dropped
        assert "普惠性幼儿园覆盖率达到85%" in seen[0]["messages"][-1]["content"]  # the prompt holds the clause

    def test_refuses_to_overwrite_and_needs_an_llm(self, tmp_path):
        out = tmp_path / "q.jsonl"
        out.write_text("keep\n", encoding="utf-8")
        res = _run("--llm", "openai", "--llm-model", "m", "--out", str(out))
        assert res.returncode == 1 and "exists" in res.stderr and out.read_text(encoding="utf-8") == "keep\n"
        res = _run("--out", str(tmp_path / "new.jsonl"))
        assert res.returncode == 1 and "no LLM configured" in res.stderr
