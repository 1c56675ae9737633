"""Serve the pages and their static files. The pages hold no data: they fetch it from the
API with the key the user pasted, so this router needs no authentication itself."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"

#: Same-origin only: a page can load nothing and call nothing on another host.
#: ECharts sets inline styles; images are drawn to canvas and exported as data: URLs.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=_HEADERS)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    # Browsers ask for /favicon.ico whatever the page links; the pages also link the SVG.
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/track/{token}")
def tracking_page(token: str) -> FileResponse:
    # The page reads the token from its own address and asks /api/v1/track/{token}.
    return FileResponse(STATIC / "track.html", headers=_HEADERS)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def vendor_ready() -> bool:
    """Whether ``make assets`` has copied the npm assets (charts degrade to tables without)."""
    return (VENDOR / "echarts.min.js").is_file() and (VENDOR / "china.js").is_file()
