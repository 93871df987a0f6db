"""Cold start of the command line: wall time, CPU time and peak RSS of `kgqa ask` (or `search`) run as a
fresh process, the way a user runs it, over an index that is already built.

Builds (or reuses) an index of the bundled corpus with the default model in ``--index-dir``, then runs
``python -m kgqa.apps.cli ask QUESTION`` ``--runs`` times as subprocesses and reports the median and the
range. CPU time (user + system) is printed beside wall time because the machine's cores are shared: when
they are busy, wall time grows with the load average (also printed) while CPU time stays near the work done.
The first question over a new index (or after a code change) also calibrates it once (kgqa/calibration.py):
that first run is reported on its own line and left out of the medians.

    python bench/cli_cold.py                              # 5 runs of ask "什么是注意力机制"
    python bench/cli_cold.py --runs 9 --command search
    python bench/cli_cold.py --index-dir /tmp/kgqa-cold --json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTION = "什么是注意力机制"
MODEL_STACK = ("torch", "sentence_transformers", "transformers")


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    returncode: int


def ensure_index(index_dir: Path) -> None:
    """Builds the bundled corpus's index with the default model unless ``index_dir`` already holds one."""
    from kgqa.config import Settings
    from kgqa.index.manifest import current_generation
    from kgqa.pipeline import build_index

    if current_generation(index_dir) is not None:
        return
    print(f"building the index in {index_dir} (once) ...", file=sys.stderr)
    settings = Settings(corpus_dir=REPO / "corpus", index_dir=index_dir, _env_file=None)  # type: ignore[call-arg]
    build_index(settings)


# Runs argv and prints its wall time, CPU time, peak RSS (KB) and exit code. It runs in a small process of its
# own because Linux carries a parent's peak RSS into a child it spawns (over exec too): measured straight from a
# large process, every run would report at least that process's size
MEASURE = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps([time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                  os.waitstatus_to_exitcode(status)]))
"""


def run_once(argv: list[str], env: dict[str, str]) -> Run:
    """One cold run of ``argv``, measured on its own."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *argv], env=env, cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    wall, cpu, rss_kb, code = json.loads(out)
    return Run(round(wall, 3), round(cpu, 3), round(rss_kb / 1024, 1), code)


def model_stack_imported(argv: list[str], env: dict[str, str]) -> list[str]:
    """Which of torch / sentence-transformers / transformers the command imports (from ``-X importtime``)."""
    out = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, cwd=REPO, capture_output=True,
                         text=True, check=False).stderr
    names = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", out, re.M))
    return sorted(names & set(MODEL_STACK))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", choices=["ask", "search"], default="ask")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--index-dir", type=Path, default=REPO / "bench" / ".work" / "cli-cold" / "indexes")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    ensure_index(args.index_dir)
    env = {**os.environ, "KGQA_INDEX_DIR": str(args.index_dir)}
    env.pop("KGQA_URL", None)
    argv = [sys.executable, "-m", "kgqa.apps.cli", args.command, args.question]
    load_before = os.getloadavg()[0]
    first = run_once(argv, env)
    runs = [run_once(argv, env) for _ in range(args.runs)]
    failed = [r for r in [first, *runs] if r.returncode != 0]
    if failed:
        sys.exit(f"{len(failed)} of {len(runs)} runs failed (exit {failed[0].returncode}); run the command by hand")
    result = {
        "command": " ".join(["kgqa", args.command, args.question]),
        "runs": len(runs),
        "wall_s_median": statistics.median(r.wall_s for r in runs),
        "wall_s_min": min(r.wall_s for r in runs),
        "wall_s_max": max(r.wall_s for r in runs),
        "cpu_s_median": statistics.median(r.cpu_s for r in runs),
        "max_rss_mb_median": statistics.median(r.max_rss_mb for r in runs),
        "first_run": asdict(first),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "model_stack_imported": model_stack_imported(argv, env),
        "each": [asdict(r) for r in runs],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"{result['command']}: {len(runs)} cold runs")
    print(f"  wall   median {result['wall_s_median']:.2f} s  (min {result['wall_s_min']:.2f}, "
          f"max {result['wall_s_max']:.2f})")
    print(f"  cpu    median {result['cpu_s_median']:.2f} s  (user + system)")
    print(f"  rss    median {result['max_rss_mb_median']:.0f} MB peak")
    print(f"  first run (calibrates a new index once): {first.wall_s:.2f} s wall, {first.cpu_s:.2f} s cpu, "
          f"{first.max_rss_mb:.0f} MB")
    print(f"  load average (1 min) before / after: {result['load_average_1min']}")
    print(f"  imports of {', '.join(MODEL_STACK)}: {result['model_stack_imported'] or 'none'}")


if __name__ == "__main__":
    main()
