"""HTTP throughput and latency of kgqa against the plain dense baseline, the same questions at 1, 4 and 8 clients.

    python bench/http_compare.py                 # the real model (kgqa's index: bench/.work/http/real/indexes)
    python bench/http_compare.py --fake          # the hash embedder in both servers: seconds, checks the harness
    python bench/http_compare.py --clients 1 4 8 16 --requests 480

Starts ``python -m kgqa.apps.cli serve`` on the bundled corpus (rate limits off: ``KGQA_RATE_LIMIT=""``, no API
keys) and ``bench/baseline_server.py`` (500-character chunks, the same model and query encoder, FAISS flat,
the top 5 passages and nothing composed), each in its own process, on loopback. It waits until both answer
``/healthz`` and kgqa has no re-index running, warms each up, then, for each client count, sends both servers the
same ``--requests`` questions: the dev-set questions (bench/devset.yaml) in turn, each a fresh variant (its last
character replaced, as ``bench/attack.py`` does), so no cache of either server helps; every level has its own
variants. The servers take turns per level, in alternating order, so a change in the machine's load falls on
both. Per server and level: requests/s, p50/p95 latency, errors (anything but a 200) and the server's RSS; then
the ratio kgqa/baseline for throughput and p95 and the met/MISS lines of the target (issue 14: at 8 clients,
throughput >= the baseline's and p95 < 2x the baseline's). Everything goes to bench/results/http_compare.json.
Server logs are in bench/.work/http/. Numbers, not pass/fail; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from attack import fresh  # noqa: E402
from load_api import Samples, free_port, percentile, questions, rss_kib, run_jobs, wait_healthy  # noqa: E402

from kgqa.config import DEFAULT_MODEL  # noqa: E402
from kgqa.index.models import FAKE_MODEL  # noqa: E402

VARIANTS = 20000  # distinct last characters attack.fresh has (it takes n % 20000)
TARGET_THROUGHPUT = 1.0  # kgqa requests/s over the baseline's, at least (issue 14)
TARGET_P95 = 2.0  # kgqa p95 over the baseline's, below (issue 14)


def fresh_questions(base: Sequence[str], n: int, salt: int) -> list[str]:
    """``n`` questions: ``base`` in turn, the i-th a fresh variant numbered ``salt + i``.

    >>> fresh_questions(["ab?", "cd?"], 3, 0) == ["ab" + chr(0x4E03), "cd" + chr(0x4E04), "ab" + chr(0x4E05)]
    True
    """
    return [fresh(base[i % len(base)], salt + i) for i in range(n)]


def level_salts(levels: int, requests: int) -> list[int]:
    """One salt per level, the warm-up's (0) first, so that no two phases share a variant number.

    >>> level_salts(3, 240)
    [0, 5000, 10000, 15000]
    """
    step = VARIANTS // (levels + 1)
    if requests > step:
        raise ValueError(f"--requests must be at most {step} for {levels} levels, got {requests}")
    return [step * i for i in range(levels + 1)]


def summarise(samples: Samples, elapsed: float) -> dict[str, Any]:
    """Requests/s, latency percentiles and errors of one server at one level (all requests to /v1/ask)."""
    times = [t for values in samples.latencies.values() for t in values]
    return {
        "requests": len(times),
        "errors": sum(samples.errors.values()),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(times) / elapsed, 2) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(times, 0.50) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
    }


def ratios(kgqa: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """kgqa over baseline: throughput (higher is better for kgqa) and p95 (lower is better).

    >>> ratios({"requests_per_second": 30.0, "p95_ms": 90.0}, {"requests_per_second": 40.0, "p95_ms": 60.0})
    {'throughput': 0.75, 'p95': 1.5}
    """
    def over(key: str) -> float | None:
        return round(kgqa[key] / baseline[key], 3) if baseline[key] else None

    return {"throughput": over("requests_per_second"), "p95": over("p95_ms")}


def target_lines(clients: int, ratio: dict[str, float | None]) -> list[str]:
    """The target's two met/MISS lines, read at ``clients`` clients.

    >>> target_lines(8, {"throughput": 1.2, "p95": 2.5})[1]
    'MISS p95 at 8 clients < 2.0x the baseline: 2.50x'
    """
    def line(ok: bool, text: str, value: float | None) -> str:
        shown = "-" if value is None else f"{value:.2f}x"
        return f"{'met ' if ok else 'MISS'} {text}: {shown}"

    tp, p95 = ratio["throughput"], ratio["p95"]
    return [
        line(tp is not None and tp >= TARGET_THROUGHPUT, f"throughput at {clients} clients >= the baseline", tp),
        line(p95 is not None and p95 < TARGET_P95, f"p95 at {clients} clients < {TARGET_P95}x the baseline", p95),
    ]


def table(levels: dict[str, dict[str, dict[str, Any]]]) -> str:
    """One row per level and server, then the ratios; ``levels[clients][server]`` is a summary with rss_mib."""
    head = f"{'clients':>7}  {'server':<8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'RSS MiB':>8}"
    rows = [head, "-" * len(head)]
    for clients, per_server in levels.items():
        for name in ("kgqa", "baseline"):
            r = per_server[name]
            rows.append(f"{clients:>7}  {name:<8} {r['requests_per_second']:>8.1f} {r['p50_ms']:>8.1f} "
                        f"{r['p95_ms']:>8.1f} {r['errors']:>6} {r.get('rss_mib', 0):>8.0f}")
        ratio = ratios(per_server["kgqa"], per_server["baseline"])
        shown = {k: "-" if v is None else f"{v:.2f}x" for k, v in ratio.items()}
        rows.append(f"{'':>7}  kgqa/baseline: throughput {shown['throughput']}, p95 {shown['p95']}")
    return "\n".join(rows)


def server_env(fake: bool, index_dir: Path) -> dict[str, str]:
    """Both servers' environment: one model, the bundled corpus, this checkout's kgqa, no rate limit or keys."""
    env = {k: v for k, v in os.environ.items() if k != "KGQA_EMBEDDING_URL"}
    env.update({
        "KGQA_EMBEDDING_MODEL": FAKE_MODEL if fake else DEFAULT_MODEL,
        "KGQA_CORPUS_DIR": str(REPO / "corpus"),
        "KGQA_INDEX_DIR": str(index_dir),
        "KGQA_RATE_LIMIT": "",  # empty turns the per-client limit off (kgqa/config.py, rate_limit)
        "KGQA_API_KEYS": "",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    })
    return env


def wait_idle(url: str, timeout: float = 900) -> None:
    """Until kgqa has no re-index running or pending (serve checks a stale index in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reindex = httpx.get(f"{url}/healthz", timeout=10).json().get("reindex") or {}
        if not reindex.get("running") and not reindex.get("pending"):
            return
        time.sleep(1.0)
    raise SystemExit(f"{url} was still re-indexing after {timeout:.0f} s")


@contextmanager
def started(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """A server process on a free port (``cmd`` ends with --port; it is appended), its output in ``log``."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen([*cmd, str(port)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_healthy(url, proc, timeout=900)
            except SystemExit as exc:
                tail = log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"{' '.join(cmd)}: {exc}\n--- {log} ---\n{tail}") from None
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def measure(servers: dict[str, tuple[str, int]], levels: list[int], requests: int) -> dict[str, Any]:
    """Warm-up, then every level on every server in turn; summaries per level and server."""
    base = questions()
    salts = level_salts(len(levels), requests)
    warm = fresh_questions(base, 2 * max(levels), salts[0])
    for url, _ in servers.values():
        # first-use costs (jieba's dictionary, the encoder's kernels, the thread pool) are not what is measured
        asyncio.run(run_jobs(url, max(levels), [("/v1/ask", q) for q in warm[3:]], warmup=warm[:3]))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for i, clients in enumerate(levels):
        jobs = [("/v1/ask", q) for q in fresh_questions(base, requests, salts[i + 1])]
        names = list(servers) if i % 2 == 0 else list(servers)[::-1]
        for name in names:
            url, pid = servers[name]
            samples, elapsed = asyncio.run(run_jobs(url, clients, jobs))
            row = summarise(samples, elapsed)
            row["rss_mib"] = round(rss_kib(pid).get("VmRSS", 0) / 1024, 1)
            out.setdefault(str(clients), {})[name] = row
            print(f"{clients} clients, {name}: {row}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fake", action="store_true", help="kgqa.testing.FakeEmbedder in both servers")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8], help="Concurrent clients per level")
    parser.add_argument("--requests", type=int, default=240, help="Questions per level and server")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "http_compare.json")
    args = parser.parse_args()
    level_salts(len(args.clients), args.requests)  # fails early when the variants would repeat

    work = HERE / ".work" / "http"
    env = server_env(args.fake, work / ("fake" if args.fake else "real") / "indexes")
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        kgqa = stack.enter_context(started([sys.executable, "-m", "kgqa.apps.cli", "serve", "--port"], env,
                                           work / "kgqa.log"))
        baseline = stack.enter_context(started([sys.executable, str(HERE / "baseline_server.py"), "--port"], env,
                                               work / "baseline.log"))
        wait_idle(kgqa[0])
        servers = {"kgqa": kgqa, "baseline": baseline}
        health = {name: httpx.get(f"{url}/healthz", timeout=10).json() for name, (url, _) in servers.items()}
        load_start = os.getloadavg()[0]
        levels = measure(servers, args.clients, args.requests)
        peak = {name: round(rss_kib(pid).get("VmHWM", 0) / 1024, 1) for name, (_, pid) in servers.items()}
    last = str(max(args.clients))
    ratio = {clients: ratios(per["kgqa"], per["baseline"]) for clients, per in levels.items()}
    result = {
        "fake": args.fake, "model": env["KGQA_EMBEDDING_MODEL"], "rate_limit": "KGQA_RATE_LIMIT='' (off)",
        "requests_per_level": args.requests, "cpus": os.cpu_count(),
        "loadavg_1m": {"before_start": round(load_before, 2), "at_measure": round(load_start, 2),
                       "after": round(os.getloadavg()[0], 2)},
        "servers": {name: {"chunks": h.get("chunks"), "documents": h.get("documents"),
                           "model": (h.get("index") or {}).get("model"), "peak_rss_mib": peak[name]}
                    for name, h in health.items()},
        "levels": levels, "ratios": ratio, "targets": target_lines(int(last), ratio[last]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(levels))
    print(f"peak RSS MiB: kgqa {peak['kgqa']:.0f}, baseline {peak['baseline']:.0f}; "
          f"chunks: kgqa {health['kgqa'].get('chunks')}, baseline {health['baseline'].get('chunks')}")
    print(f"model {result['model']}; {os.cpu_count()} cpus; load average (1 min) {load_start:.2f} at the start "
          f"of the measurement, {result['loadavg_1m']['after']:.2f} after")
    print("\n".join(result["targets"]))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
