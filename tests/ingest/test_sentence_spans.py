"""Chunks carry their sentence spans from chunking on: the index, its sentence vectors and answering read the
same sentences, and answering never runs the sentence splitter again."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.config import Settings
from kgqa.index.reader import open_index
from kgqa.ingest import sentences as sentences_module
from kgqa.ingest.chunk import chunk_document
from kgqa.ingest.sentences import split_sentences
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder
from kgqa.types import Chunk

pytestmark = pytest.mark.unit


def test_a_chunk_is_made_with_the_spans_the_splitter_gives_its_text(corpus_docs) -> None:
    chunks = chunk_document(next(iter(corpus_docs.values()))).chunks
    assert chunks and all(c.sentences for c in chunks)
    for c in chunks:
        fresh = split_sentences(Chunk(**{**c.__dict__, "sentences": ()}))
        assert [(s.start, s.end, s.role) for s in split_sentences(c)] == [(s.start, s.end, s.role) for s in fresh]
        assert Chunk.from_dict(c.to_dict()) == c  # the spans survive the chunk store's JSON


def test_an_opened_index_reads_its_sentences_without_splitting(fake_settings: Settings, monkeypatch) -> None:
    build_index(fake_settings, [fake_settings.corpus_dir], embedder=FakeEmbedder())

    def no_splitting(*_: object) -> None:
        raise AssertionError("the splitter ran at query time")

    monkeypatch.setattr(sentences_module, "sentence_spans", no_splitting)
    index = open_index(Path(fake_settings.index_dir))
    chunk_id = index.chunks[0].chunk_id
    assert index.sentences[chunk_id]
