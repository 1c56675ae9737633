"""Browser fixtures: a real Ordo server in a thread, keys per role, Debian's Chromium.

Playwright for Python drives ``/usr/bin/chromium`` (Debian's package) with the flags the
machine notes list; it never downloads a browser. Without Chromium (or Playwright) the
browser tests skip with the reason shown. Every page the tests open is watched: a
request to any host but the test server fails the test (no CDN, nothing fetched live).
Screenshots go to ``tests/e2e/screenshots/`` (gitignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ordo.api import create_app
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from ordo.web.router import vendor_ready
from tests.conftest import seed_tiny_world
from tests.integration.api.conftest import order_json

CHROMIUM = os.environ.get("ORDO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SHOTS = Path(__file__).parent / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    #: The FastAPI app served (a test may set ``app.state``, e.g. an OIDC client).
    app: Any = None

    def __init__(self, base: str, ordo: Ordo, keys: dict[Role, str]) -> None:
        self.base, self.ordo, self.keys = base, ordo, keys

    def headers(self, role: Role = Role.ADMIN) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def post_orders(self, prefix: str, n: int, **kw: Any) -> list[str]:
        body = {"orders": [order_json(f"{prefix}-{i}", **kw) for i in range(n)]}
        r = httpx.post(f"{self.base}/api/v1/orders", json=body, headers=self.headers(), timeout=30)
        assert r.status_code == 201, r.text
        return [x["order_id"] for x in r.json()["results"]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'ordo.db'}"
    settings = Settings(database_url=url)
    ordo = bootstrap(settings)
    seed_tiny_world(ordo)
    keys = {role: create_key(ordo, role, f"e2e {role.value}") for role in Role}
    port = _free_port()
    config = uvicorn.Config(
        create_app(ordo, settings, stream_heartbeat_s=2.0), host="127.0.0.1", port=port,
        log_level="warning", timeout_graceful_shutdown=1, lifespan="on",
    )  # fmt: skip
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    srv = Server(base, ordo, keys)
    srv.app = config.app
    srv.post_orders("SEED", 8)
    yield srv
    uv.should_exit = True
    thread.join(timeout=10)
    ordo.store.dispose()


# Module scope: Playwright's sync API keeps an event loop running on this thread while it
# is open, which would break later tests that call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package with `apt-get install -y chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page_for(browser: Any, server: Server) -> Iterator[Callable[..., Any]]:
    """Open a fresh browser context (own storage), optionally signed in as ``role``."""
    contexts: list[Any] = []
    outside: list[str] = []

    def open_page(role: Role | None = None, *, lang: str = "zh", mobile: bool = False) -> Any:
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1400, "height": 1000}
        ctx = browser.new_context(viewport=viewport, is_mobile=mobile, locale="zh-CN")
        contexts.append(ctx)
        ctx.add_init_script(
            f"localStorage.getItem('ordo.lang') || localStorage.setItem('ordo.lang', '{lang}')"
        )
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "request",
            lambda req: (
                None
                if req.url.startswith((server.base, "data:", "blob:", "about:"))
                else outside.append(req.url)
            ),
        )
        if role is not None:
            login(page, server, role)
        return page

    yield open_page
    for ctx in contexts:
        ctx.close()
    assert not outside, f"pages asked other hosts: {outside[:5]}"


def login(page: Any, server: Server, role: Role) -> None:
    page.goto(f"{server.base}/")
    page.fill("#api-key", server.keys[role])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#whoami[data-role='{role.value}']")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


needs_assets = pytest.mark.skipif(not vendor_ready(), reason="npm assets not built: run `make assets`")
