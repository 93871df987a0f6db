"""Server CPU time per request of kgqa and of the dense baseline under load: where ``bench/http_compare.py``'s
throughput ratio comes from when the cores are saturated.

    python bench/http_cpu.py                         # 8 clients, 480 fresh questions per server
    python bench/http_cpu.py --clients 1 --servers kgqa --py-spy bench/.work/http/kgqa.stacks

Starts both servers as ``http_compare.py`` does (the same environment, index and warm-up), sends each the
dev-set questions as fresh variants from ``--clients`` concurrent clients, and reads the server process's CPU
time (user + system, /proc/<pid>/stat, all threads) and context switches before and after: CPU ms per
request, next to requests/s and p50/p95. The client's own CPU per request is printed too (it shares the
machine). ``--py-spy FILE`` records kgqa's Python stacks meanwhile (``py-spy record --format raw``: one line
per stack with its sample count). Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import http_compare as hc  # noqa: E402
from load_api import percentile, questions, run_jobs  # noqa: E402

PY_SPY = Path(sys.executable).parent / "py-spy"


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(user + system, system) CPU seconds of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, int(fields[12]) / tick


def context_switches(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if "ctxt_switches" in line:
                total += int(line.split()[1])
    return total


def measure(name: str, url: str, pid: int, clients: int, requests: int, stacks: Path | None) -> str:
    base = questions()
    warm = hc.fresh_questions(base, 30, 0)
    asyncio.run(run_jobs(url, clients, [("/v1/ask", q) for q in warm[3:]], warmup=warm[:3]))
    jobs = [("/v1/ask", q) for q in hc.fresh_questions(base, requests, 5000)]
    spy = None
    if stacks is not None:
        spy = subprocess.Popen([str(PY_SPY), "record", "--pid", str(pid), "-o", str(stacks), "--format", "raw",
                                "--nonblocking", "--rate", "250"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    (cpu0, sys0), switches0, mine0 = cpu_seconds(pid), context_switches(pid), time.process_time()
    samples, elapsed = asyncio.run(run_jobs(url, clients, jobs))
    (cpu1, sys1), switches1, mine1 = cpu_seconds(pid), context_switches(pid), time.process_time()
    if spy is not None:
        spy.send_signal(2)  # py-spy writes its file on SIGINT
        spy.wait(60)
    times = [t for values in samples.latencies.values() for t in values]
    return (f"{name:<8} {clients} clients: {requests / elapsed:6.1f} req/s, p50 {1000 * percentile(times, 0.5):6.1f} "
            f"p95 {1000 * percentile(times, 0.95):6.1f} ms, server CPU {1000 * (cpu1 - cpu0) / requests:5.2f} ms/req "
            f"(system {1000 * (sys1 - sys0) / requests:4.2f}), {(switches1 - switches0) / requests:4.0f} context "
            f"switches/req, client CPU {1000 * (mine1 - mine0) / requests:4.2f} ms/req, errors "
            f"{sum(samples.errors.values())}, load {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=480)
    parser.add_argument("--servers", nargs="+", default=["kgqa", "baseline"], choices=["kgqa", "baseline"])
    parser.add_argument("--fake", action="store_true", help="kgqa.testing.FakeEmbedder in both servers")
    parser.add_argument("--py-spy", type=Path, default=None, help="record kgqa's stacks into this file")
    args = parser.parse_args()
    work = HERE / ".work" / "http"
    env = hc.server_env(args.fake, work / ("fake" if args.fake else "real") / "indexes")
    commands = {"kgqa": [sys.executable, "-m", "kgqa.apps.cli", "serve", "--port"],
                "baseline": [sys.executable, str(HERE / "baseline_server.py"), "--port"]}
    with ExitStack() as stack:
        for name in args.servers:
            url, pid = stack.enter_context(hc.started(commands[name], env, work / f"{name}.log"))
            if name == "kgqa":
                hc.wait_idle(url)
            print(measure(name, url, pid, args.clients, args.requests, args.py_spy if name == "kgqa" else None),
                  flush=True)


if __name__ == "__main__":
    main()
