"""A platform added as a mapping file is named on the dashboard in both languages by the
file's title (GET /api/v1/channels), with no edit to i18n.json: 魔店 / MoShop, made up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from ordo.api import create_app
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import ChannelOutcome, Receipt, set_sku_mapping
from ordo.service.runtime.keys import create_key
from tests.conftest import seed_tiny_world
from tests.e2e.conftest import Server, _free_port, login
from tests.integration.service.test_channel_as_data import FIXTURES, _made_up_platform


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("e2e-channels")
    specs = root / "specs"
    _made_up_platform(specs)
    settings = Settings(database_url=f"sqlite:///{root / 'ordo.db'}", channel_specs_dir=str(specs))
    ordo = bootstrap(settings)
    seed_tiny_world(ordo)
    for platform_sku in ("998877", "4801234567891"):
        set_sku_mapping(ordo, "moshop", platform_sku, "SKU-CUP")
    body = (FIXTURES / "youzan" / "trade_get.json").read_text("utf-8")
    [receipt] = receive_batch(ordo, [Push("魔店", body)])
    assert isinstance(receipt, Receipt) and receipt.outcome is ChannelOutcome.CREATED, receipt
    keys = {role: create_key(ordo, role, f"e2e {role.value}") for role in Role}
    port = _free_port()
    config = uvicorn.Config(
        create_app(ordo, settings, stream_heartbeat_s=2.0), host="127.0.0.1", port=port,
        log_level="warning", timeout_graceful_shutdown=1, lifespan="on",
    )  # fmt: skip
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", ordo, keys)
    uv.should_exit = True
    thread.join(timeout=10)
    ordo.store.dispose()


@pytest.mark.parametrize(("lang", "label"), [("zh", "魔店"), ("en", "MoShop")])
def test_the_orders_table_names_a_channel_from_a_mapping_file(
    page_for: Any, server: Server, lang: str, label: str
) -> None:
    page = page_for(lang=lang)
    login(page, server, Role.VIEWER)
    page.goto(f"{server.base}/#/orders")
    cell = page.locator("#orders-table tbody td:nth-child(2)").first
    cell.wait_for()
    deadline = time.monotonic() + 10
    while cell.inner_text().strip() != label and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cell.inner_text().strip() == label
