"""Normal questions while clients send worst-case ones: does a costly question inside the caps starve the rest?

Starts ``kgqa serve`` (the real model, an index of corpus/ in bench/.work/real/indexes, reused while the
corpus is unchanged; rate limits off, since they are not what is measured) or uses a running server, then:

1. cost alone: each question sent on its own, median of ``--runs`` over HTTP, and its multiple of a normal one;
2. normal alone: one client asking the dev-set questions in turn, p50 / p95;
3. under attack: the same client while ``--attackers`` clients send the worst cases back to back.

    python bench/attack.py --start
    python bench/attack.py --url http://127.0.0.1:8000 --attackers 4 --normal 200

Targets (from the hardening issue): worst <= 10x normal, normal p95 < 100 ms under attack. Every loop is
bounded by a count and by ``--max-seconds``. Numbers, not pass/fail; the machine's load is printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load_api import free_port, percentile, questions, wait_healthy  # noqa: E402
from worst_case_question import NORMAL  # noqa: E402

CAP = 2000  # KGQA_MAX_QUESTION_CHARS's default: every question below is inside it


def worst_cases(cap: int = CAP) -> dict[str, str]:
    """The worst questions inside the caps: distinct CJK characters, emoji, one character repeated."""
    return {
        f"{cap} distinct CJK chars": "".join(chr(0x4E00 + i * 7) for i in range(cap)),
        f"{cap // 2} emoji": "😀" * (cap // 2),
        f"{cap} x one CJK char": "注" * cap,
    }


async def timed_ask(http: httpx.AsyncClient, question: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        status = (await http.post("/v1/ask", json={"question": question})).status_code
    except httpx.HTTPError:
        status = 0
    return time.perf_counter() - started, status


async def cost_alone(url: str, runs: int) -> dict[str, float]:
    """Median seconds of each question sent alone."""
    out: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        for name, q in {"normal": NORMAL, **worst_cases()}.items():
            await timed_ask(http, q)  # first-use costs (caches, kernels) are not what is measured
            out[name] = statistics.median([(await timed_ask(http, q))[0] for _ in range(runs)])
    return out


async def normal_client(url: str, count: int, deadline: float) -> list[tuple[float, int]]:
    qs = questions()
    samples = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        for i in range(count):
            if time.monotonic() > deadline:
                break
            samples.append(await timed_ask(http, qs[i % len(qs)]))
    return samples


async def attacker(url: str, stop: asyncio.Event, deadline: float, offset: int) -> list[tuple[float, int]]:
    worst = list(worst_cases().values())
    samples = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        i = offset
        while not stop.is_set() and time.monotonic() < deadline:
            samples.append(await timed_ask(http, worst[i % len(worst)]))
            i += 1
    return samples


async def under_attack(url: str, attackers: int, count: int, max_seconds: float) -> dict[str, object]:
    deadline = time.monotonic() + max_seconds
    stop = asyncio.Event()
    attacks = [asyncio.create_task(attacker(url, stop, deadline, i)) for i in range(attackers)]
    await asyncio.sleep(1.0)  # the attack is under way before the first normal question
    started = time.perf_counter()
    normal = await normal_client(url, count, deadline)
    elapsed = time.perf_counter() - started
    stop.set()
    sent = [s for task in attacks for s in await task]
    return {"normal": summary(normal), "attack": {**summary(sent), "per_second": round(len(sent) / elapsed, 2)}}


def summary(samples: list[tuple[float, int]]) -> dict[str, object]:
    times = [t for t, _ in samples]
    if not times:
        return {"n": 0}
    statuses: dict[str, int] = {}
    for _, status in samples:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"n": len(times), "p50_ms": round(percentile(times, 0.5) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1), "max_ms": round(max(times) * 1000, 1),
            "statuses": statuses}


@contextmanager
def started_server() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "KGQA_CORPUS_DIR": str(HERE.parent / "corpus"),
           "KGQA_INDEX_DIR": str(HERE / ".work" / "real" / "indexes"), "KGQA_RATE_LIMIT": ""}
    launch = "import kgqa.apps.cli_serve; from kgqa.apps.cli import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", launch, "serve", "--port", str(port)], cwd=HERE.parent, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(url: str, args: argparse.Namespace) -> dict[str, object]:
    health = httpx.get(f"{url}/healthz", timeout=10).json()
    alone = asyncio.run(cost_alone(url, args.runs))
    baseline = asyncio.run(normal_client(url, args.normal, time.monotonic() + args.max_seconds))
    attacked = asyncio.run(under_attack(url, args.attackers, args.normal, args.max_seconds))
    return {
        "url": url, "model": health["index"]["model"], "chunks": health["chunks"],
        "cost_alone_ms": {name: round(s * 1000, 1) for name, s in alone.items()},
        "x_normal": {name: round(s / alone["normal"], 1) for name, s in alone.items() if name != "normal"},
        "normal_alone": summary(baseline),
        f"under_attack_by_{args.attackers}": attacked,
        "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running server, e.g. http://127.0.0.1:8000 (its rate limit applies)")
    parser.add_argument("--start", action="store_true", help="Start kgqa serve with the real model")
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--normal", type=int, default=200, help="Normal questions per phase")
    parser.add_argument("--runs", type=int, default=5, help="Runs per question for the cost alone")
    parser.add_argument("--max-seconds", type=float, default=300, help="Bound of each phase")
    args = parser.parse_args()
    if not args.start and not args.url:
        parser.error("give --url of a running server, or --start")
    if args.start:
        with started_server() as url:
            result = measure(url, args)
    else:
        result = measure(args.url, args)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
