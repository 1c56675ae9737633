"""Orders are found by phone through a keyed hash, on SQLite and PostgreSQL: intake stores
the HMAC of the normalised phone, a search looks that up and never the plaintext, a corrected
phone is found by its new hash, and migration 0024_phone_keys fills the hash of orders stored
before it (under the stored pepper, one it makes, or ``ORDO_IDENTITY_PEPPER``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from ordo.adapters.store.engine import chain, migration_scripts
from ordo.clock import ManualClock
from ordo.domain.customers.identity import phone_lookup
from ordo.domain.orders.model import Order
from ordo.service.customers.identity import PEPPER_META
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders import worklist
from ordo.service.orders.address_fix import AddressFix, correct_address
from ordo.service.orders.intake import intake
from ordo.service.ports import WorkFilter
from ordo.service.runtime.app import Ordo
from tests.conftest import SKUS, STOCK, WAREHOUSES, make_app, new_order

REVISION = "0024_phone_keys"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Ordo]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    ordo = make_app(url, clock)
    save_catalog(ordo, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)
    yield ordo
    ordo.store.dispose()


def _order(external_id: str, phone: str) -> Order:
    o = new_order(external_id)
    return dataclasses.replace(o, ship_to=dataclasses.replace(o.ship_to, phone=phone))


def _found(app: Ordo, phone: str) -> list[str]:
    rows, _, total = worklist.search(app, WorkFilter(phone=phone), after_id=None, limit=50)
    assert total == len(rows)
    return sorted(r["id"] for r in rows)


def _stored(app: Ordo) -> dict[str | None, tuple[str, str | None]]:
    with app.store.uow(read_only=True) as uow:
        q = "SELECT id, recipient_phone, recipient_phone_key FROM orders"
        return {r[0]: (r[1], r[2]) for r in uow.connection.execute(sa.text(q))}


def _pepper(app: Ordo) -> bytes:
    with app.store.uow(read_only=True) as uow:
        value = uow.catalog.get_meta(PEPPER_META)
    assert value is not None
    return value.encode()


def test_a_phone_is_found_by_its_keyed_hash_in_any_spelling_and_never_by_plaintext(app: Ordo) -> None:
    a, b, masked = intake(
        app, [_order("P-1", "13900001111"), _order("P-2", "13800002222"), _order("P-3", "139****1111")]
    )
    stored = _stored(app)
    key = _pepper(app)
    assert stored[a.order_id] == ("13900001111", phone_lookup("13900001111", key))
    assert stored[masked.order_id][1] is None  # a masked phone finds no one
    for spelling in ("13900001111", "139 0000 1111", "+86 139-0000-1111", "8613900001111"):
        assert _found(app, spelling) == [a.order_id], spelling
    assert _found(app, "13900001112") == []

    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(app.store.engine, "before_cursor_execute", seen)
    try:
        assert _found(app, "13800002222") == [b.order_id]
    finally:
        sa.event.remove(app.store.engine, "before_cursor_execute", seen)
    searches = [s for s in statements if "FROM orders" in s]
    assert searches and all("recipient_phone_key =" in s for s in searches), searches
    assert not any("recipient_phone =" in s or "LIKE" in s.upper() for s in searches), searches


def test_a_corrected_phone_is_found_by_its_new_hash_only(app: Ordo) -> None:
    [a] = intake(app, [_order("P-9", "13900009999")])
    fix = AddressFix("浙江省", "杭州市", "西湖区", "文三路 100 号", phone="137 0000 7777")
    correct_address(app, str(a.order_id), fix, actor="ops")
    assert _found(app, "13700007777") == [a.order_id]
    assert _found(app, "13900009999") == []


def _rerun_migration(app: Ordo) -> None:
    """The revision's downgrade then upgrade over the stored rows (later ones stay applied)."""
    script = next(s for s in chain(migration_scripts()) if s.revision == REVISION)
    with app.store.engine.begin() as conn, Operations.context(MigrationContext.configure(connection=conn)):
        script.module.downgrade()
    with app.store.engine.begin() as conn, Operations.context(MigrationContext.configure(connection=conn)):
        script.module.upgrade()


def test_the_migration_fills_the_hash_of_orders_stored_before_it(app: Ordo) -> None:
    a, b = intake(app, [_order("M-1", "13900001111"), _order("M-2", "")])
    _rerun_migration(app)
    stored = _stored(app)
    assert stored[a.order_id][1] == phone_lookup("13900001111", _pepper(app))
    assert stored[b.order_id] == ("", None)
    assert _found(app, "139 0000 1111") == [a.order_id]


def test_the_migration_makes_the_pepper_when_none_is_stored(app: Ordo) -> None:
    [a] = intake(app, [_order("M-3", "13900003333")])
    with app.store.uow() as uow:
        uow.connection.execute(sa.text("DELETE FROM meta WHERE key = :k"), {"k": PEPPER_META})
        uow.commit()
    app.identity.pepper = b""
    _rerun_migration(app)
    made = _pepper(app)
    assert made and _stored(app)[a.order_id][1] == phone_lookup("13900003333", made)
    assert _found(app, "13900003333") == [a.order_id]


def test_the_migration_uses_the_configured_pepper(app: Ordo, monkeypatch: pytest.MonkeyPatch) -> None:
    [a] = intake(app, [_order("M-4", "13900004444")])
    monkeypatch.setenv("ORDO_IDENTITY_PEPPER", "configured-pepper")
    _rerun_migration(app)
    assert _stored(app)[a.order_id][1] == phone_lookup("13900004444", b"configured-pepper")
