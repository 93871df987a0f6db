"""Serves the concept-map and chat page on an existing app: ``/`` and its assets under ``/static``.

The page is plain files with no build step; the graph library (cytoscape.js) is a copy committed in
``static/vendor/`` (``build.sh`` updates it from the npm registry), so it ships inside the package.

>>> from fastapi import FastAPI
>>> app = FastAPI()
>>> mount_web(app); mount_web(app)
>>> sorted(r.path for r in app.routes if getattr(r, "name", "").startswith("web"))
['/', '/static']
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
GRAPH_LIBRARY = STATIC_DIR / "vendor" / "cytoscape.min.js"
BUILD_HINT = "it ships with kgqa: reinstall kgqa, or in a source checkout restore it (git, or kgqa/apps/web/build.sh)"
# the page changes with the package; revalidating is cheap and avoids a stale app.js after an upgrade
NO_CACHE = {"Cache-Control": "no-cache"}


def graph_library_missing() -> str | None:
    """What to do when the vendored graph library is missing, else None."""
    return None if GRAPH_LIBRARY.is_file() else f"{GRAPH_LIBRARY} is missing: {BUILD_HINT}"


def mount_web(app: FastAPI) -> None:
    """Adds ``GET /`` (the page) and ``/static/...`` (its scripts, styles and the vendored graph library).

    Calling it again on the same app changes nothing.
    """
    if any(getattr(route, "name", None) == "web_page" for route in app.routes):
        return
    problem = graph_library_missing()
    if problem:
        log.warning("the concept map will not draw: %s", problem)

    @app.get("/", include_in_schema=False, name="web_page")
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=NO_CACHE)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="web_static")
