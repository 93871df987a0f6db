"""The index reader's sentences: split on demand, the same after being dropped, only the recent ones kept."""

from __future__ import annotations

import pytest

from kgqa.index.reader import ChunkSentences
from kgqa.ingest.sentences import split_sentences
from kgqa.types import Chunk

pytestmark = pytest.mark.unit

TEXTS = {"a": "第一句。第二句。", "b": "One sentence. Another one here.", "c": "- 项目一\n- 项目二\n"}
CHUNKS = {cid: Chunk(cid, "doc", 0, len(t), t) for cid, t in TEXTS.items()}


def test_sentences_are_those_the_splitter_gives_and_survive_eviction():
    lazy = ChunkSentences(CHUNKS, keep=1)
    for cid in ("a", "b", "c", "a", "c", "b"):  # each access evicts the one before
        assert [s.text for s in lazy[cid]] == [s.text for s in split_sentences(CHUNKS[cid])]
    assert len(lazy._recent) == 1


def test_it_reads_as_a_mapping_of_every_chunk():
    lazy = ChunkSentences(CHUNKS, keep=2)
    assert sorted(lazy) == ["a", "b", "c"] and len(lazy) == 3
    assert "a" in lazy and "z" not in lazy and lazy.get("z", []) == []
    with pytest.raises(KeyError):
        lazy["z"]
