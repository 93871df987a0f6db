"""Latency of ``GET /healthz`` while ``kgqa serve`` rebuilds its index in the background.

    python bench/healthz_during_rebuild.py                 # once, with the real model
    python bench/healthz_during_rebuild.py --runs 3        # three servers, one after another
    python bench/healthz_during_rebuild.py --py-spy 0.5    # py-spy dump of the server when a call has waited 0.5 s

As ``tests/integration/test_serve.py`` does it: the bundled corpus is copied and indexed (in this process, with
the configured model in ``~/.cache/kgqa/models``), a new document is added, and ``kgqa serve`` is started on that
stale index, so it serves the old one at once and rebuilds in a background thread. /healthz is polled every
``--interval`` seconds from the first answer until the refreshed index is served (its document count changes) and
``--tail`` seconds after; each call's wall time is recorded. Prints, per run and over all runs, the number of
calls, the median, p99 and worst latency during the rebuild. Numbers, not pass/fail: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

NEW_DOC = "# 斑马量化术\n\n斑马量化术是一种虚构的量化方法。\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _prepare(root: Path, model_dir: Path) -> dict[str, str]:
    from kgqa.config import Settings
    from kgqa.pipeline import build_index

    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "indexes", model_dir=model_dir,
                        _env_file=None)  # type: ignore[call-arg]
    build_index(settings)
    (root / "corpus" / "zebra.md").write_text(NEW_DOC, "utf-8")
    return {**os.environ, "KGQA_CORPUS_DIR": str(settings.corpus_dir), "KGQA_INDEX_DIR": str(settings.index_dir),
            "KGQA_MODEL_DIR": str(model_dir), "KGQA_RATE_LIMIT": "", "PYTHONPATH": str(REPO)}


class Spy:
    """Dumps the server's threads with py-spy once per call that has been waiting longer than ``after`` seconds
    (while it waits, so the dump shows what holds it up)."""

    def __init__(self, pid: int, after: float) -> None:
        self.pid, self.after = pid, after
        self.started: float | None = None
        self._dumped = False
        threading.Thread(target=self._watch, daemon=True).start()

    def begin(self) -> None:
        self._dumped, self.started = False, time.perf_counter()

    def end(self) -> None:
        self.started = None

    def _watch(self) -> None:
        spy = str(Path(sys.executable).with_name("py-spy"))
        while True:
            time.sleep(0.02)
            started = self.started
            if started is None or self._dumped or time.perf_counter() - started < self.after:
                continue
            self._dumped = True
            out = subprocess.run([spy, "dump", "--pid", str(self.pid)], capture_output=True, text=True)
            print(f"--- py-spy dump, a call waiting {time.perf_counter() - started:.2f} s ---\n"
                  f"{out.stdout}{out.stderr}", flush=True)


def one_run(model_dir: Path, interval: float, tail: float, spy: float | None,
            slow: float | None = None) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="kgqa-healthz-") as tmp:
        env = _prepare(Path(tmp), model_dir)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/healthz"
        proc = subprocess.Popen([sys.executable, "-m", "kgqa.apps.cli", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        latencies: list[float] = []
        watch = Spy(proc.pid, spy) if spy is not None else None
        try:
            with httpx.Client(timeout=60) as client:
                first = None
                deadline = time.monotonic() + 180
                while first is None and time.monotonic() < deadline:
                    try:
                        first = client.get(url).json()
                    except httpx.HTTPError:
                        time.sleep(0.2)
                if first is None:
                    raise SystemExit("kgqa serve did not start listening")
                documents, swapped_at, began = first["documents"], None, time.monotonic()
                while time.monotonic() < deadline and (swapped_at is None or time.monotonic() < swapped_at + tail):
                    if watch is not None:
                        watch.begin()
                    started = time.perf_counter()
                    health = client.get(url).json()
                    seconds = time.perf_counter() - started
                    if watch is not None:
                        watch.end()
                    latencies.append(seconds)
                    if slow is not None and seconds > slow:
                        print(f"  {time.monotonic() - began:6.2f} s: a call took {seconds * 1000:.0f} ms", flush=True)
                    if swapped_at is None and health["documents"] != documents:
                        swapped_at = time.monotonic()
                        if slow is not None:
                            print(f"  {swapped_at - began:6.2f} s: the refreshed index is served", flush=True)
                    time.sleep(max(0.0, interval - seconds))
                if swapped_at is None:
                    raise SystemExit("the refreshed index was not swapped in within 180 s")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return latencies


def _report(label: str, latencies: list[float]) -> None:
    print(f"{label}: {len(latencies)} calls, median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {_pct(latencies, 0.99) * 1000:.0f} ms, worst {max(latencies) * 1000:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between the starts of two calls")
    parser.add_argument("--tail", type=float, default=2.0, help="seconds polled after the swap")
    parser.add_argument("--model-dir", type=Path, default=Path.home() / ".cache" / "kgqa" / "models")
    parser.add_argument("--py-spy", type=float, default=None, metavar="SECONDS",
                        help="py-spy dump the server when a call has waited this long")
    parser.add_argument("--slow", type=float, default=None, metavar="SECONDS",
                        help="print when (seconds after the first answer) each call longer than this was made")
    args = parser.parse_args()
    everything: list[float] = []
    for run in range(args.runs):
        latencies = one_run(args.model_dir, args.interval, args.tail, args.py_spy, args.slow)
        _report(f"run {run + 1}", latencies)
        everything += latencies
    if args.runs > 1:
        _report("all runs", everything)


if __name__ == "__main__":
    main()
