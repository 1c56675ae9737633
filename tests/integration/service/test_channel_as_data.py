"""A new platform is a mapping file and nothing else: a TOML file in an extra directory
(``ORDO_CHANNEL_SPECS_DIR``) makes a channel Ordo validates, takes orders from under its
own name and aliases, lists with its label in both languages — no Python edited."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.adapters.channels import SpecError
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.errors import NotFound
from ordo.domain.orders.model import Channel
from ordo.service.channels import receive as svc
from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import ChannelOutcome, Receipt
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, seed_tiny_world

SPECS = Path(__file__).parents[3] / "src" / "ordo" / "adapters" / "channels" / "specs"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def _made_up_platform(directory: Path) -> Path:
    """魔店 (MoShop), a platform that does not exist, whose answers look like Youzan's."""
    text = (SPECS / "youzan.toml").read_text("utf-8")
    text = text.replace('channel = "youzan"', 'channel = "moshop"')
    text = text.replace('title = "有赞 / Youzan"', 'title = "魔店 / MoShop"')
    text = text.replace('aliases = ["有赞", "yz", "youzan-shop", "有赞微商城"]', 'aliases = ["魔店", "mo"]')
    assert '"moshop"' in text and "魔店" in text
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "moshop.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def specs_dir(tmp_path: Path) -> Path:
    _made_up_platform(tmp_path / "specs")
    return tmp_path / "specs"


@pytest.fixture
def app(tmp_path: Path, specs_dir: Path) -> Iterator[Ordo]:
    settings = Settings.from_env(
        {"ORDO_DATABASE_URL": f"sqlite:///{tmp_path / 'ordo.db'}", "ORDO_CHANNEL_SPECS_DIR": str(specs_dir)}
    )
    from ordo.clock import ManualClock

    ordo = bootstrap(settings, clock=ManualClock(T0), rng=random.Random(1))
    seed_tiny_world(ordo)
    yield ordo
    ordo.store.dispose()


def test_an_order_comes_in_through_a_mapping_file_alone(app: Ordo) -> None:
    assert "moshop" not in {c.value for c in Channel}  # no Python names it
    assert "moshop" in app.channels.names
    body = (FIXTURES / "youzan" / "trade_get.json").read_text("utf-8")
    for platform_sku in ("998877", "4801234567891"):  # by an alias from the file
        svc.set_sku_mapping(app, "mo", platform_sku, "SKU-CUP")
    [receipt] = receive_batch(app, [Push("魔店", body)])
    assert isinstance(receipt, Receipt)
    assert (receipt.channel, receipt.outcome) == ("moshop", ChannelOutcome.CREATED), receipt
    with app.store.uow(read_only=True) as uow:
        [(_order_id, channel, external_id)] = uow.connection.exec_driver_sql(
            "SELECT id, channel, external_id FROM orders"
        ).all()
    assert (channel, external_id) == ("moshop", "E20261111010000093806201")
    # The same payload again is a duplicate, as for any channel.
    [again] = receive_batch(app, [Push("moshop", body)])
    assert isinstance(again, Receipt) and again.outcome is ChannelOutcome.DUPLICATE
    listed = {c["channel"]: c for c in svc.channels(app.channels)}
    assert listed["moshop"]["label"] == {"zh": "魔店", "en": "MoShop"}
    assert set(listed["moshop"]["aliases"]) == {"魔店", "mo"}
    assert listed["youzan"]["label"] == {"zh": "有赞", "en": "Youzan"}


def test_without_the_file_the_channel_is_unknown(tmp_path: Path) -> None:
    ordo = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'plain.db'}"))
    try:
        assert "moshop" not in ordo.channels.names
        with pytest.raises(NotFound):
            svc.set_sku_mapping(ordo, "moshop", "x", "SKU-CUP")
        body = json.dumps({"full_order_info": {"order_info": {"tid": "E1"}}})
        [answer] = receive_batch(ordo, [Push("moshop", body)])
        assert isinstance(answer, NotFound)
    finally:
        ordo.store.dispose()


def test_a_bad_directory_or_a_second_youzan_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        bootstrap(
            Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", channel_specs_dir=str(tmp_path / "none"))
        )
    twice = tmp_path / "twice"
    twice.mkdir()
    (twice / "youzan.toml").write_text((SPECS / "youzan.toml").read_text("utf-8"), "utf-8")
    with pytest.raises(SpecError, match="youzan"):
        bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'b.db'}", channel_specs_dir=str(twice)))


def test_the_status_graph_speaks_the_new_channels_statuses(app: Ordo) -> None:
    from ordo.service.orders.status_updates import StatusReport, report_statuses

    body = (FIXTURES / "youzan" / "trade_get.json").read_text("utf-8")
    for platform_sku in ("998877", "4801234567891"):
        svc.set_sku_mapping(app, "moshop", platform_sku, "SKU-CUP")
    [receipt] = receive_batch(app, [Push("moshop", body)])
    assert isinstance(receipt, Receipt) and receipt.outcome is ChannelOutcome.CREATED, receipt
    [result] = report_statuses(
        app,
        [
            StatusReport(
                "moshop", "TRADE_CLOSED", T0 + 10**9, channel="moshop", external_id="E20261111010000093806201"
            )
        ],
    )
    assert result.error is None, result.as_dict()
    assert "cancelled" in result.milestones, result.as_dict()
