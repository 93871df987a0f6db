"""bench/http_compare.py's pure parts (question variants, summaries, ratios, targets) and the baseline app."""

from __future__ import annotations

import pytest
from bench_loader import load_bench
from fastapi.testclient import TestClient

from kgqa.testing import FakeEmbedder
from kgqa.types import Document

pytestmark = pytest.mark.unit

http_compare = load_bench("http_compare")
baseline_server = load_bench("baseline_server")
load_api = load_bench("load_api")


def test_every_level_gets_its_own_fresh_questions_and_both_servers_the_same():
    base = ["什么是注意力？", "What is RoPE?", "为什么要缩放？"]
    salts = http_compare.level_salts(3, 50)
    phases = [http_compare.fresh_questions(base, 50, salt) for salt in salts]
    assert all(len(p) == 50 == len(set(p)) for p in phases)
    assert len(set().union(*phases)) == 4 * 50  # no variant is sent in two phases
    assert phases[1] == http_compare.fresh_questions(base, 50, salts[1])  # the same for kgqa and the baseline
    assert all(q[:-1] == base[i % 3][:-1] for i, q in enumerate(phases[2]))


def test_level_salts_refuse_more_requests_than_there_are_variants():
    with pytest.raises(ValueError, match="at most 5000 for 3 levels, got 5001"):
        http_compare.level_salts(3, 5001)


def test_summary_counts_errors_and_reads_percentiles():
    samples = load_api.Samples()
    for i in range(20):
        samples.add("/v1/ask", (i + 1) / 1000, ok=i != 7)
    row = http_compare.summarise(samples, elapsed=2.0)
    assert row == {"requests": 20, "errors": 1, "seconds": 2.0, "requests_per_second": 10.0,
                   "p50_ms": 11.0, "p95_ms": 19.0}


def test_targets_read_the_ratios_at_the_last_level():
    faster = http_compare.ratios({"requests_per_second": 50, "p95_ms": 30}, {"requests_per_second": 40, "p95_ms": 20})
    assert faster == {"throughput": 1.25, "p95": 1.5}
    assert [line[:4] for line in http_compare.target_lines(8, faster)] == ["met ", "met "]
    slower = http_compare.ratios({"requests_per_second": 39, "p95_ms": 40}, {"requests_per_second": 40, "p95_ms": 20})
    assert [line[:4] for line in http_compare.target_lines(8, slower)] == ["MISS", "MISS"]
    assert http_compare.ratios({"requests_per_second": 1, "p95_ms": 1}, {"requests_per_second": 0, "p95_ms": 0}) == {
        "throughput": None, "p95": None}


def test_table_has_a_row_per_server_and_the_ratio_per_level():
    row = {"requests_per_second": 20.0, "p50_ms": 10.0, "p95_ms": 30.0, "errors": 0, "rss_mib": 100.0}
    text = http_compare.table({"1": {"kgqa": row, "baseline": {**row, "p95_ms": 15.0}}})
    assert "kgqa/baseline: throughput 1.00x, p95 2.00x" in text
    assert len(text.splitlines()) == 5


def test_server_env_turns_the_rate_limit_off_and_picks_the_model(tmp_path, monkeypatch):
    monkeypatch.setenv("KGQA_EMBEDDING_URL", "http://elsewhere:8080")
    env = http_compare.server_env(True, tmp_path)
    assert env["KGQA_RATE_LIMIT"] == "" and env["KGQA_EMBEDDING_MODEL"] == "fake-hash-embedder"
    assert "KGQA_EMBEDDING_URL" not in env and env["KGQA_INDEX_DIR"] == str(tmp_path)


def test_baseline_app_answers_with_top_passages_that_slice_back_to_the_documents():
    zh = [f"第{i}段：" + "注意力机制计算每个位置的权重。" * 20 for i in range(6)]
    text = "\n\n".join([*zh, "RoPE rotates query and key vectors. " * 30])
    doc = Document(doc_id="d", path="d.md", title="d", language="zh", text=text, sha256="x")
    client = TestClient(baseline_server.create_app([doc], FakeEmbedder(), k=5))
    assert client.get("/healthz").json()["chunks"] > 5
    passages = client.post("/v1/ask", json={"question": "什么是注意力？"}).json()["passages"]
    assert [p["rank"] for p in passages] == [1, 2, 3, 4, 5]
    assert all(text[p["start"]:p["end"]] == p["text"] and len(p["text"]) <= 500 for p in passages)
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    assert client.post("/v1/ask", json={"question": ""}).status_code == 422
