"""The votes log stays one valid JSON object per line, bounded, whoever writes to it and however much."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from assistant.feedback import ANSWER_CHARS, MAX_CITATIONS, QUESTION_CHARS, append_feedback, make_record
from assistant.types import Answer, Citation

ROOT = Path(__file__).resolve().parent.parent
KIDS = Citation("10.2.2", "第十章 二、推进教育均衡发展 ¶2「推进学前教育普及普惠发展」", "……达到85%……")


def lines_of(*paths: Path) -> list[dict]:
    """Every line of the files, parsed; ``str.splitlines`` splits at U+2028/U+2029/U+0085 too, as many readers do."""
    rows = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            rows.append(json.loads(line))
    return rows


def test_fields_are_cleaned_and_capped(tmp_path):
    ans = Answer(answer="答" * 50_000 + "\n第二行", citations=[KIDS] * 500, query="q" * 50_000, mode="m" * 999)
    rec = make_record("问\ud800" * 50_000 + "\x00", ans, "up")
    assert len(rec["question"]) <= QUESTION_CHARS and "\ud800" not in rec["question"] and "\x00" not in rec["question"]
    assert len(rec["answer"]) <= ANSWER_CHARS and len(rec["query"]) <= QUESTION_CHARS and len(rec["mode"]) <= 32
    assert len(rec["citations"]) == MAX_CITATIONS
    path = append_feedback(rec, tmp_path / "fb.jsonl")
    assert path.stat().st_size < 40_000  # one bounded line, whatever was asked


def test_line_separators_never_split_a_line(tmp_path):
    path = tmp_path / "fb.jsonl"
    sneaky = "第一行\u2028第二行\u2029第三行\u0085第四行\r第五行"
    append_feedback({"vote": "up", "question": sneaky, "answer": sneaky}, path, max_bytes=0)
    append_feedback(make_record(sneaky, Answer(answer=sneaky), "down"), path, max_bytes=0)
    raw = path.read_bytes()
    assert raw.isascii() and raw.count(b"\n") == 2
    rows = lines_of(path)
    assert len(rows) == 2 and rows[0]["question"] == sneaky


def test_rotation_keeps_the_log_under_its_cap(tmp_path):
    path = tmp_path / "fb.jsonl"
    rec = make_record("普惠性幼儿园覆盖率是多少？", Answer(answer="达到85%[1]。" * 20, citations=[KIDS]), "up")
    line_bytes = len(json.dumps(rec, ensure_ascii=True, separators=(",", ":"))) + 1
    for _ in range(100):
        append_feedback(rec, path, max_bytes=line_bytes * 10, backups=2)
    files = [path, path.with_name("fb.jsonl.1"), path.with_name("fb.jsonl.2")]
    assert all(f.is_file() and f.stat().st_size <= line_bytes * 10 for f in files)
    assert not path.with_name("fb.jsonl.3").exists()  # only `backups` old files are kept
    assert len(lines_of(*files)) == 30 and len(lines_of(path)) == 10


def test_rotation_size_and_backups_come_from_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("QIAOXI_FEEDBACK_MAX_BYTES", "300")
    monkeypatch.setenv("QIAOXI_FEEDBACK_BACKUPS", "1")
    path = tmp_path / "fb.jsonl"
    for i in range(20):
        append_feedback({"vote": "up", "question": f"问题{i}" * 10}, path)
    assert path.stat().st_size <= 300 and path.with_name("fb.jsonl.1").is_file()
    assert not path.with_name("fb.jsonl.2").exists()


def test_many_threads_write_whole_lines(tmp_path):
    path = tmp_path / "fb.jsonl"
    big = Answer(answer="答案" * 3000, citations=[KIDS] * 10)

    def writer(n: int) -> None:
        for i in range(50):
            append_feedback(make_record(f"线程{n}问题{i}", big, "up"), path, max_bytes=0)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = lines_of(path)
    assert len(rows) == 400 and len({r["question"] for r in rows}) == 400


WRITER = """
import sys
from pathlib import Path
from assistant.feedback import append_feedback, make_record
from assistant.types import Answer
path, tag = Path(sys.argv[1]), sys.argv[2]
for i in range(150):
    append_feedback(make_record(f"{tag}-{i}", Answer(answer="答案" * 1500), "up"), path, max_bytes=200_000, backups=50)
"""


def test_two_processes_share_the_log_and_its_rotation(tmp_path):
    path = tmp_path / "fb.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag], cwd=ROOT) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    files = [path, *sorted(tmp_path.glob("fb.jsonl.[0-9]*"))]
    assert len(files) > 3  # it did rotate, while both were writing
    rows = lines_of(*files)
    assert sorted(r["question"] for r in rows) == sorted(f"{t}-{i}" for t in "ab" for i in range(150))
    assert all(f.stat().st_size <= 200_000 for f in files)
