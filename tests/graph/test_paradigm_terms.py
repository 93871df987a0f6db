"""Chinese compounds of a series (graph.paradigm): one head noun after several noun modifiers. Made-up texts."""

from __future__ import annotations

import pytest

from kgqa.graph.model import Sentence
from kgqa.graph.paradigm import paradigm_terms

pytestmark = pytest.mark.unit


def mined(*texts: str) -> list[str]:
    return sorted(t.zh for t in paradigm_terms([Sentence("c", "d", 0, len(x), x) for x in texts]))


def test_a_head_after_three_modifiers_makes_each_repeated_compound_a_candidate():
    texts = ("选择路径工具。", "路径工具可以画线。", "克隆工具复制像素。", "用克隆工具。",
             "文字工具写字。", "文字工具很好。")
    assert mined(*texts) == ["克隆工具", "文字工具", "路径工具"]


def test_two_modifiers_are_no_series_and_a_compound_written_once_is_no_term():
    assert mined("路径工具可以画线。", "路径工具很好。", "克隆工具复制像素。", "用克隆工具。") == []
    assert "文字工具" not in mined("路径工具。", "路径工具。", "克隆工具。", "克隆工具。", "文字工具很好。")


def test_a_compound_mostly_written_inside_a_longer_one_is_a_fragment():
    texts = ("混合精度训练很快。", "用混合精度训练。", "分布式训练。", "分布式训练很快。",
             "模型训练。", "模型训练好。")
    assert "精度训练" not in mined(*texts)
    assert "分布式训练" in mined(*texts)


def test_a_compound_the_text_always_continues_with_one_noun_is_a_fragment():
    texts = ("选择路径工具。", "路径工具可以画线。", "克隆工具复制像素。", "用克隆工具。",
             "文字工具声明写字。", "文字工具声明很好。")
    assert mined(*texts) == ["克隆工具", "路径工具"]
