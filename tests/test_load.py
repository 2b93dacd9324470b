"""A small load test through the same code as ``python -m eval.load``: the real app, real clients.

5 concurrent gradio_client users send 20 /ask requests in all to ``python app.py`` on a
loopback port; every one must come back answered (none failed, none lost). The mixed mode
(``--mixed``) in small: 3 visitors for 3 seconds send every kind of traffic, and nothing fails.
"""
from __future__ import annotations

import os

from eval.load import LoadResult, answered, cpu_seconds, load_test, percentile
from eval.mixed import KINDS, format_mixed, mixed_load

CLIENTS = 5
REQUESTS = 20


def test_concurrent_clients_lose_nothing():
    result: LoadResult = load_test(CLIENTS, REQUESTS)
    summary = result.summary()
    assert result.failed == 0, summary["errors"]
    assert result.completed == result.sent == REQUESTS, summary
    assert result.lost == 0 and len(result.latencies_ms) == REQUESTS
    assert summary["throughput_rps"] > 0 and summary["p95_ms"] >= summary["p50_ms"] > 0
    assert result.app_start_s is not None  # the app was started here, and stopped
    assert summary["app_cpu_ms_per_request"] > 0 and summary["client_cpu_ms_per_request"] > 0


def test_api_with_two_workers_loses_nothing():
    """The JSON API served by two worker processes (python app.py --workers 2) under the same load: every
    request answered, and the peak memory counted over both workers."""
    result = load_test(CLIENTS, REQUESTS, target="api", workers=2)
    assert result.failed == 0 and result.completed == result.sent == REQUESTS, result.summary()["errors"]
    assert result.app_peak_rss_mb is not None and result.app_peak_rss_mb > 0


def test_only_real_answers_count_as_completed():
    assert answered({"answer": "到2025年,普惠性幼儿园覆盖率达到85%[1]。", "citations": []})
    assert not answered({"answer": ""}) and not answered(None) and not answered("85%")


def test_percentile_is_a_measured_value():
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 95) == 5.0


def test_cpu_seconds_of_a_live_process():
    busy = sum(i * i for i in range(200_000))  # spend a little CPU first
    assert busy and cpu_seconds(os.getpid()) > 0
    assert cpu_seconds(2**22 + 12345) is None  # no such process


def test_mixed_traffic_loses_nothing():
    """Page, questions, follow-ups (API and Gradio), hostile input, exports with their downloads and votes
    against one app: every kind sent, every action completed, the files downloaded, the memory sampled."""
    summary = mixed_load(clients=3, seconds=3, rounds=1)
    r = summary["rounds"][0]
    assert r["failed"] == 0, r["errors"]
    assert r["completed"] == r["sent"] > 0
    for kind in KINDS:
        assert r["kinds"][kind]["sent"] >= 1 and r["kinds"][kind]["completed"] == r["kinds"][kind]["sent"], kind
    assert r["files_downloaded"] >= 2 and r["throughput_rps"] > 0
    assert 0 < r["rss_start_mb"] <= r["rss_peak_mb"] <= summary["app_peak_rss_mb"]
    assert "| 1 | " in format_mixed(summary)
