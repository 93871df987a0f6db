"""Load test of the HTTP API: N concurrent clients asking and retrieving; latency, throughput, RSS.

Against a running server (give its pid for the RSS)::

    python bench/load_api.py --url http://127.0.0.1:8000 --pid 12345 --clients 16 --requests 400

Or let the script start one (``--fake`` builds a throwaway index of a corpus copy with the hash embedder;
without it the server is ``kgqa serve`` on the configured index and model)::

    python bench/load_api.py --start --fake --clients 16 --requests 400

Questions are the dev-set questions (bench/devset.yaml). Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

FAKE_SERVER = """
import sys
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder
from kgqa.apps.api import create_app
import uvicorn
settings = Settings(corpus_dir=sys.argv[1], index_dir=sys.argv[2], embedding_model="fake-hash-embedder",
                    _env_file=None)
embedder = FakeEmbedder()
build_index(settings, embedder=embedder)
app = create_app(settings, embedder=embedder)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), access_log=False, log_level="warning")
"""


@dataclass
class Samples:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, endpoint: str, seconds: float, ok: bool) -> None:
        self.latencies.setdefault(endpoint, []).append(seconds)
        if not ok:
            self.errors[endpoint] = self.errors.get(endpoint, 0) + 1


def questions() -> list[str]:
    items = yaml.safe_load((HERE / "devset.yaml").read_text(encoding="utf-8"))["items"]
    return [item["question"] for item in items]


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in KiB, from /proc/<pid>/status."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def client(http: httpx.AsyncClient, jobs: asyncio.Queue[tuple[str, str]], samples: Samples) -> None:
    while True:
        try:
            endpoint, question = jobs.get_nowait()
        except asyncio.QueueEmpty:
            return
        body = {"question": question} if endpoint == "/v1/ask" else {"query": question, "k": 5}
        started = time.perf_counter()
        try:
            response = await http.post(endpoint, json=body)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        samples.add(endpoint, time.perf_counter() - started, ok)


async def run_jobs(
    url: str, clients: int, jobs: Sequence[tuple[str, str]], warmup: Sequence[str] = ()
) -> tuple[Samples, float]:
    """``jobs`` ((endpoint, question) pairs) sent by ``clients`` concurrent clients, each taking the next job
    when its last one is answered; the ``warmup`` questions are asked first, one at a time, and not counted.
    Returns the samples and the wall seconds of the measured part."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    samples = Samples()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        for question in warmup:
            await http.post("/v1/ask", json={"question": question})
        started = time.perf_counter()
        await asyncio.gather(*(client(http, queue, samples) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return samples, elapsed


async def run_load(url: str, clients: int, requests: int) -> tuple[Samples, float]:
    qs = questions()
    # interleaved, so both endpoints see the same concurrency
    jobs = [("/v1/ask" if i % 2 == 0 else "/v1/retrieve", qs[(i // 2) % len(qs)]) for i in range(requests)]
    # warm-up: first-use costs (jieba dictionary, model kernels) are not what we measure
    return await run_jobs(url, clients, jobs, warmup=[qs[0]])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server at {url} was not healthy after {timeout:.0f} s")


@contextmanager
def started_server(fake: bool) -> Iterator[tuple[str, int]]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kgqa-load-") as tmp:
        if fake:
            corpus = Path(tmp) / "corpus"
            shutil.copytree(REPO / "corpus", corpus)
            cmd = [sys.executable, "-c", FAKE_SERVER, str(corpus), str(Path(tmp) / "indexes"), str(port)]
        else:
            launch = "import kgqa.apps.cli_serve; from kgqa.apps.cli import main; main()"
            cmd = [sys.executable, "-c", launch, "serve", "--port", str(port)]
        proc = subprocess.Popen(cmd, cwd=REPO)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def report(
    samples: Samples, elapsed: float, clients: int, rss: dict[str, int], url: str, health: dict
) -> dict:
    total = sum(len(v) for v in samples.latencies.values())
    out: dict = {
        "url": url,
        "clients": clients,
        "requests": total,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1),
        "index": health.get("index", {}).get("model"),
        "chunks": health.get("chunks"),
        "endpoints": {},
    }
    for endpoint, values in sorted(samples.latencies.items()):
        out["endpoints"][endpoint] = {
            "n": len(values),
            "errors": samples.errors.get(endpoint, 0),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
        }
    out["server_rss_mib"] = {k: round(v / 1024, 1) for k, v in rss.items()}
    # the machine's load: numbers taken next to other work are not comparable with a quiet run
    out["cpus"], out["loadavg_1m"] = os.cpu_count(), round(os.getloadavg()[0], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="A running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--pid", type=int, help="The running server's pid, for its RSS")
    parser.add_argument("--start", action="store_true", help="Start a server for the run")
    parser.add_argument("--fake", action="store_true", help="With --start: hash embedder on a corpus copy")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--requests", type=int, default=400, help="Total, split evenly between ask and retrieve"
    )
    args = parser.parse_args()
    if not args.start and not args.url:
        parser.error("give --url (and --pid) of a running server, or --start")

    def measure(url: str, pid: int | None) -> dict:
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        samples, elapsed = asyncio.run(run_load(url, args.clients, args.requests))
        rss = rss_kib(pid) if pid and os.path.exists(f"/proc/{pid}/status") else {}
        return report(samples, elapsed, args.clients, rss, url, health)

    if args.start:
        with started_server(args.fake) as (url, pid):
            result = measure(url, pid)
    else:
        result = measure(args.url, args.pid)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
