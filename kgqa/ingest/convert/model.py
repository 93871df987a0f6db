"""What a converter returns: the canonical text, its blocks, and a title when the format states one."""

from __future__ import annotations

from dataclasses import dataclass

from kgqa.types import Block


@dataclass(frozen=True)
class Converted:
    text: str
    blocks: tuple[Block, ...]
    title: str = ""
    format: str = ""

    def first_heading(self) -> str:
        for b in self.blocks:
            if b.kind == "heading":
                return self.text[b.start : b.end].strip()
        return ""
