"""The interactive API docs at ``/docs`` (Swagger UI), served from the package's own copy of Swagger UI, so they
work offline; FastAPI's default page loads its script and style from a CDN.

>>> from fastapi import FastAPI
>>> app = FastAPI(docs_url=None, redoc_url=None)
>>> mount_docs(app)
>>> sorted(r.path for r in app.routes if getattr(r, "name", "").startswith("docs"))
['/docs', '/docs/oauth2-redirect']
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

# under the page's /static mount (kgqa.apps.web.mount_web); build.sh vendors the files
ASSETS = "/static/vendor/swagger-ui"


def mount_docs(app: FastAPI) -> None:
    """Adds ``GET /docs`` and its OAuth2 redirect page; the app must be created with ``docs_url=None``."""
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False, name="docs_page")
    def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API docs",
            oauth2_redirect_url=redirect, swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css", swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )

    @app.get(redirect, include_in_schema=False, name="docs_oauth2_redirect")
    def docs_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
