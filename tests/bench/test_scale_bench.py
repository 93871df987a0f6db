"""The pure parts of the scale benchmarks: the man-page converter, the related-list comparison, the projection."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from bench_loader import BENCH, load_bench

pytestmark = pytest.mark.unit

rd = load_bench("related_diff")
scale = load_bench("scale")


def _manpages():  # bench/corpora/ is a folder of scripts too
    if "manpages" not in sys.modules:
        spec = importlib.util.spec_from_file_location("manpages", BENCH / "corpora" / "manpages.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["manpages"] = module
        spec.loader.exec_module(module)
    return sys.modules["manpages"]


def test_roff_to_markdown_keeps_headings_and_joins_chinese_lines() -> None:
    roff = '.\\" comment\n.TH ls 1\n.SH 名称\nls \\- 列出\n目录内容\n.SS "选项"\n.B \\-a\n显示全部。\n'
    assert _manpages().roff_to_markdown(roff) == "# ls\n\n## 名称\n\nls - 列出目录内容\n\n### 选项\n\n-a 显示全部。\n"


def test_convert_tree_skips_pages_that_are_not_chinese(tmp_path: Path) -> None:
    import gzip

    src = tmp_path / "man1"
    src.mkdir()
    zh = ".TH zh 1\n.SH 描述\n" + "这是一个中文的手册页，说明命令的用法。\n" * 30
    (src / "zh.1.gz").write_bytes(gzip.compress(zh.encode("utf-8")))
    (src / "en.1.gz").write_bytes(gzip.compress((".TH en 1\n.SH NAME\n" + "English only. " * 60).encode()))
    assert _manpages().convert_tree(tmp_path, tmp_path / "out") == (1, 1)
    assert (tmp_path / "out" / "man1-zh-1.md").read_text(encoding="utf-8").startswith("# zh\n\n## 描述")


def test_compare_counts_only_questions_with_a_list() -> None:
    before = {"a": ["x", "y", "z"], "b": ["p"], "c": []}
    after = {"a": ["x", "z", "y"], "b": ["q"], "c": []}
    got = rd.compare(before, after)
    assert got == {"questions": 2, "identical": 0.0, "same_first": 0.5, "overlap_at_5": 0.5, "jaccard": 0.5}


def test_projection_extends_the_part_above_the_fixed_cost() -> None:
    def row(chunks: int, cpu: float) -> dict[str, object]:
        return {"label": "after", "faiss": "flat", "chunks": chunks, "cpu_seconds": cpu, "stages": {}}

    # fixed cost 1 s, then 0.01 s a chunk from 11 chunks on: linear, so 1,011 chunks cost 1 + 10 s
    rows = [row(11, 1.0), row(111, 2.0), row(1011, 11.0)]
    lines = [line for line in scale.projection(rows, 10011).splitlines() if line.startswith("| ingest CPU s")]
    assert lines == ["| ingest CPU s | 1 | 2 | 11 | 1.00 | 101 |"]
