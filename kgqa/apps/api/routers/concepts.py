"""The concept graph: ``/v1/concepts`` (search), ``/v1/concepts/{id}``, ``/v1/graph`` and ``/v1/path``.

Ids or names are accepted wherever a concept is named, in either language; an unknown one is a 404
whose message suggests near names.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kgqa.apps.api import graph_json
from kgqa.apps.api.deps import KBDep
from kgqa.apps.api.schemas import ConceptDetail, ConceptSummary, ErrorResponse, Graph, Path

router = APIRouter(prefix="/v1", tags=["concepts"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}


@router.get("/concepts", response_model=list[ConceptSummary])
def search_concepts(
    kb: KBDep,
    q: Annotated[
        str, Query(max_length=200, description="Part of a name, English or Chinese; empty lists all.")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[ConceptSummary]:
    return [graph_json.summary(kb.graph, c) for c in kb.graph.search(q.strip(), limit)]


@router.get("/concepts/{concept_id}", response_model=ConceptDetail, responses=NOT_FOUND)
def get_concept(concept_id: str, kb: KBDep) -> ConceptDetail:
    return graph_json.detail(kb, kb.graph.concept(concept_id))


@router.get("/graph", response_model=Graph, responses=NOT_FOUND)
def graph(
    kb: KBDep,
    center: Annotated[
        str | None, Query(max_length=200, description="Concept id or name; omit for the most connected.")
    ] = None,
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    limit: Annotated[int, Query(ge=1, le=300)] = 60,
) -> Graph:
    return graph_json.ego(kb.graph, center, depth, limit)


@router.get("/path", response_model=Path, responses=NOT_FOUND)
def path(
    kb: KBDep,
    source: Annotated[str, Query(min_length=1, max_length=200)],
    target: Annotated[str, Query(min_length=1, max_length=200)],
) -> Path:
    return graph_json.path(kb.graph, source, target)
