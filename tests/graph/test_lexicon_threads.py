"""The linker is shared by a server's request threads: linking from many threads at once gives what one gives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from kgqa.graph.lexicon import Lexicon

pytestmark = pytest.mark.unit

TEXT = "Deploying quantized models with rotary positional embeddings, then distilling the attention heads. " * 20


def test_stemmed_linking_from_many_threads_matches_one_thread():
    lexicon = Lexicon({"deploy model": "deploy", "rotary positional embedding": "rope",
                       "distilling attention heads": "distil"})
    alone = lexicon.link(TEXT)
    assert alone  # the stems did link
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: lexicon.link(TEXT), range(200)))
    assert all(r == alone for r in results)
