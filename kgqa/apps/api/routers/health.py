"""``GET /healthz``: liveness plus what is served (counts, model, build time, re-index state, Slack)."""

from __future__ import annotations

from fastapi import APIRouter

from kgqa.apps.api.deps import HolderDep, KBDep, SettingsDep
from kgqa.apps.api.schemas import Health, IndexInfo, Overview, ReindexStatus
from kgqa.apps.slack import slack_status

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(kb: KBDep, holder: HolderDep, settings: SettingsDep) -> Health:
    m = kb.index.manifest
    state = holder.state()
    return Health(
        status="ok",
        documents=len(kb.index.documents),
        chunks=len(kb.index.chunks),
        concepts=kb.graph.stats()["concepts"],
        index=IndexInfo(
            model=m.model_id,
            dim=m.dim,
            built_at=m.built_at,
            build_seconds=m.build_seconds,
            generation=kb.index.folder.name,
            counts=m.counts,
        ),
        reindex=ReindexStatus(
            running=state.running,
            pending=state.pending,
            completed=state.completed,
            last_error=state.last_error,
        ),
        slack=slack_status(settings),
    )


@router.get("/v1/overview", response_model=Overview)
def overview(kb: KBDep) -> Overview:
    """The knowledge base in a few words: its documents' titles and questions it can answer."""
    o = kb.overview
    title = " · ".join(o.topics[:2]) + (" …" if len(kb.index.documents) > 2 else "")
    return Overview(title=title, topics=list(o.topics),
                    questions={lang: list(o.questions(lang)) for lang in ("zh", "en")})
