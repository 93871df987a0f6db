"""bench/cli_cold.py measures each subprocess on its own: its exit code, CPU time, peak RSS and imports."""

from __future__ import annotations

import os
import sys

import pytest
from bench_loader import load_bench

pytestmark = pytest.mark.unit

cli_cold = load_bench("cli_cold")


def test_run_once_reports_that_processes_own_peak_memory():
    run = cli_cold.run_once([sys.executable, "-c", "x = bytearray(80_000_000); x[::4096] = b'1' * len(x[::4096])"],
                            dict(os.environ))
    assert run.returncode == 0
    assert run.max_rss_mb >= 80
    assert run.wall_s >= run.cpu_s * 0.5 > 0
    small = cli_cold.run_once([sys.executable, "-c", "pass"], dict(os.environ))
    assert small.max_rss_mb < 40  # whatever the size of this test process
    assert cli_cold.run_once([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ)).returncode == 3


def test_model_stack_imports_are_read_from_importtime():
    env = dict(os.environ)
    assert cli_cold.model_stack_imported([sys.executable, "-c", "import json"], env) == []
    assert cli_cold.model_stack_imported([sys.executable, "-c", "import sys; sys.modules['x'] = 1"], env) == []
