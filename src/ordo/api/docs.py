"""OpenAPI docs at ``/docs`` with Swagger UI served from this process, never a CDN.

Ordo runs on machines without internet access, and a docs page that pulls its
JavaScript from elsewhere is both broken there and a leak everywhere else. The
assets come from the ``swagger-ui-py`` wheel, located without importing it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PATH = "/docs/static"


def swagger_assets() -> Path:
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed; it serves /docs offline")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install(app: FastAPI) -> None:
    app.mount(STATIC_PATH, StaticFiles(directory=swagger_assets()), name="swagger-ui")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PATH}/favicon-32x32.png",
            # Swagger UI's default validator badge calls an outside service.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )
