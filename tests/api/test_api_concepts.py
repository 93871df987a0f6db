"""The concept-graph endpoints: search, one concept, ego graph, path; ids or names in either language."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live_server import LiveServer

from kgqa.apps.api.deps import get_kb
from kgqa.graph.query import ConceptGraph
from kgqa.types import Concept

pytestmark = pytest.mark.integration

SUMMARY_KEYS = {"id", "label", "label_zh", "aliases", "degree"}


@pytest.fixture(scope="module")
def texts(live: LiveServer) -> dict[str, str]:
    with httpx.Client(base_url=live.url) as c:
        return {
            d["doc_id"]: c.get(f"/v1/documents/{d['doc_id']}").json()["text"]
            for d in c.get("/v1/documents").json()
        }


def assert_evidence(ev: dict[str, Any], texts: dict[str, str]) -> None:
    assert texts[ev["doc_id"]][ev["start"] : ev["end"]] == ev["quote"]


def test_search_concepts_by_part_of_a_name(client: httpx.Client) -> None:
    found = client.get("/v1/concepts", params={"q": "注意力", "limit": 5}).json()
    assert 0 < len(found) <= 5
    assert all(set(c) == SUMMARY_KEYS for c in found)
    assert all(any("注意力" in n for n in (c["label_zh"], *c["aliases"])) for c in found)


def test_concepts_without_a_query_list_the_most_connected_first(client: httpx.Client) -> None:
    found = client.get("/v1/concepts", params={"limit": 20}).json()
    assert len(found) == 20
    degrees = [c["degree"] for c in found]
    assert degrees == sorted(degrees, reverse=True)


@pytest.mark.parametrize("name", ["self-attention", "自注意力机制", "Self-Attention"])
def test_concept_by_id_or_name(client: httpx.Client, texts: dict[str, str], name: str) -> None:
    concept = client.get(f"/v1/concepts/{name}").json()
    assert concept["id"] == "self-attention" and concept["label_zh"] == "自注意力机制"
    assert len(concept["neighbours"]) == concept["degree"] > 0
    for n in concept["neighbours"]:
        assert n["direction"] in ("out", "in") and n["type"]
        for ev in n["evidence"]:
            assert_evidence(ev, texts)
    assert concept["chunks"]
    for ch in concept["chunks"]:
        assert texts[ch["doc_id"]][ch["start"] : ch["end"]] == ch["text"]


def test_unknown_concept_is_404_with_suggestions(client: httpx.Client) -> None:
    r = client.get("/v1/concepts/self-atention")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["type"] == "concept_not_found" and "self-attention" in error["suggestions"]
    assert "self-atention" in error["message"]


def test_graph_around_a_center(client: httpx.Client, texts: dict[str, str]) -> None:
    graph = client.get("/v1/graph", params={"center": "多头注意力", "depth": 2, "limit": 15}).json()
    ids = [n["id"] for n in graph["nodes"]]
    assert ids[0] == "multi-head-attention" and len(ids) <= 15 and len(set(ids)) == len(ids)
    assert graph["edges"]
    for e in graph["edges"]:
        assert {e["source"], e["target"]} <= set(ids) and e["type"] and e["weight"] > 0
        for ev in e["evidence"]:
            assert_evidence(ev, texts)


def test_graph_without_a_center_starts_at_the_most_connected(client: httpx.Client) -> None:
    top = client.get("/v1/concepts", params={"limit": 1}).json()[0]["id"]
    assert client.get("/v1/graph").json()["nodes"][0]["id"] == top


def test_path_between_names_in_two_languages(client: httpx.Client, texts: dict[str, str]) -> None:
    r = client.get("/v1/path", params={"source": "知识蒸馏", "target": "Self-Attention"})
    assert r.status_code == 200
    body = r.json()
    nodes = [n["id"] for n in body["path"]]
    assert nodes[0] == "knowledge-distillation" and nodes[-1] == "self-attention"
    assert len(body["edges"]) == len(nodes) - 1
    for (a, b), e in zip(zip(nodes, nodes[1:], strict=False), body["edges"], strict=True):
        assert {e["source"], e["target"]} == {a, b}
        assert_evidence(e["evidence"], texts)


def test_path_to_an_unknown_concept_is_404_with_suggestions(client: httpx.Client) -> None:
    r = client.get("/v1/path", params={"source": "知识蒸馏", "target": "自注意力机智"})
    assert r.status_code == 404
    assert r.json()["error"]["type"] == "concept_not_found" and r.json()["error"]["suggestions"]


@pytest.fixture
def two_islands(live: LiveServer) -> Iterator[None]:
    """The served knowledge base with a two-concept graph and no edges (swapped in for this test only)."""
    kb = live.app.state.kb_holder.get()
    graph = ConceptGraph({"a": Concept("a", "Alpha", "甲"), "b": Concept("b", "Beta", "乙")}, [])
    live.app.dependency_overrides[get_kb] = lambda: dataclasses.replace(kb, graph=graph)
    yield
    live.app.dependency_overrides.clear()


@pytest.mark.usefixtures("two_islands")
def test_no_path_is_404_with_a_clear_message(client: httpx.Client) -> None:
    r = client.get("/v1/path", params={"source": "甲", "target": "Beta"})
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["type"] == "no_path" and "'a' and 'b' are not connected" in error["message"]
