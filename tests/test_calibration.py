"""Loading an index keeps what the probe questions taught it: a second process over the same index, settings
and code skips the probes and decides exactly as the first did."""

from __future__ import annotations

import json

import pytest

from kgqa.calibration import FILE
from kgqa.config import Settings
from kgqa.pipeline import build_index, load
from kgqa.testing import FakeEmbedder
from kgqa.tuning import PROBES

pytestmark = pytest.mark.unit

QUESTIONS = ["什么是多头注意力？", "How does RoPE work?", "今天天气怎么样"]


def _load(settings: Settings):  # type: ignore[no-untyped-def]
    embedder = FakeEmbedder(dim=64)
    kb = load(settings, embedder=embedder)
    return kb, embedder


def test_a_second_load_skips_the_probes_and_answers_the_same(fake_settings: Settings):
    build_index(fake_settings, embedder=FakeEmbedder(dim=64))
    first, first_embedder = _load(fake_settings)
    assert len(PROBES.zh) + len(PROBES.en) in first_embedder.calls  # the probes were embedded
    assert (fake_settings.index_dir / "cache" / FILE).is_file()

    second, second_embedder = _load(fake_settings)
    assert second_embedder.calls == []  # nothing embedded while loading
    assert second.engine.retriever.hubness == first.engine.retriever.hubness
    assert second.judge.floors == first.judge.floors
    for q in QUESTIONS:
        assert second.ask(q).to_dict() == first.ask(q).to_dict(), q


def test_other_settings_or_a_damaged_file_calibrate_afresh(fake_settings: Settings):
    build_index(fake_settings, embedder=FakeEmbedder(dim=64))
    _load(fake_settings)
    other = fake_settings.model_copy(update={"top_k": fake_settings.top_k + 1})
    _, embedder = _load(other)
    assert embedder.calls  # a different key: probes asked again
    (fake_settings.index_dir / "cache" / FILE).write_text("{not json", encoding="utf-8")
    _, embedder = _load(fake_settings)
    assert embedder.calls
    assert json.loads((fake_settings.index_dir / "cache" / FILE).read_text("utf-8"))["value"]["hubness"]
