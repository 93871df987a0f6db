"""A Chinese name is found where the text's words start and end, never inside a longer word."""

from __future__ import annotations

import pytest

from kgqa.graph.lexicon import Lexicon

pytestmark = pytest.mark.unit


def keys(lexicon: Lexicon, text: str) -> list[str]:
    return [m.key for m in lexicon.link(text)]


def test_a_name_inside_a_longer_word_is_not_found():
    lex = Lexicon({"工具": "tool", "新界面": "new-ui", "界面": "ui", "透明": "transparent"})
    assert keys(lex, "在工具箱中双击工具图标") == ["tool"]  # the second 工具, not the one inside 工具箱
    assert keys(lex, "路径工具有了全新界面") == ["tool", "ui"]  # 全新 | 界面: no 新界面 across two words
    assert keys(lex, "调整图层的不透明度") == []


def test_names_at_word_bounds_and_mixed_script_names_are_found():
    lex = Lexicon({"注意力": "attention", "位置编码": "pe", "alpha通道": "alpha", "RoPE": "rope"})
    assert keys(lex, "自注意力机制与旋转位置编码") == ["attention", "pe"]
    assert keys(lex, "删除alpha通道；RoPE即旋转位置编码") == ["alpha", "rope", "pe"]
