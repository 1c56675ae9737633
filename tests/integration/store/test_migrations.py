"""Migrations: one linear chain, and databases made by the old branched chain upgrade onto it.

Until the chain was made linear, every feature revision (``LEGACY_BRANCHES``) revised
0001 and ``alembic_version`` held one row per applied branch. Those databases are
rebuilt here genuinely: Alembic runs today's scripts with each legacy revision pointed
back at 0001, which is exactly what the last branched release shipped (only
``down_revision`` and the file names changed since; a test below checks this against
that release when the repository's history is at hand). Then today's code opens them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from ordo.adapters.store import Store, open_store
from ordo.adapters.store.engine import (
    BASE_REVISION,
    LEGACY_BRANCHES,
    MIGRATIONS,
    chain,
    migration_scripts,
)
from ordo.adapters.store.schema.core import metadata
from ordo.domain.customers.identity import phone_lookup
from ordo.domain.errors import StoreError
from ordo.domain.orders.model import Sku, Stock
from tests.conftest import T0

#: The order the chain runs the old branches in: the order they were released in, so that
#: a database of any older release holds a prefix of the chain.
RELEASE_ORDER = [
    "0002_channels",
    "0002_identity",
    "0002_rules",
    "0002_outbound",
    "0002_exceptions",
    "0002_routing_decisions",
    "0002_inventory",
    "0002_overview",
    "0002_catalog_revision",
    "0002_cold_chain",
    "0002_holds",
]
#: The last release whose feature revisions all branched from 0001.
LAST_BRANCHED_RELEASE = "7dc95ea"
REPO = Path(__file__).resolve().parents[3]
VERSIONS_IN_REPO = "src/ordo/adapters/store/migrations/versions/"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# the chain --------------------------------------------------------------------------------------
def test_the_migrations_form_one_line_with_one_head_and_no_branch_points():
    scripts = migration_scripts()
    assert len(scripts.get_heads()) == 1
    assert scripts.get_bases() == [BASE_REVISION]
    for script in scripts.walk_revisions():
        assert not script.is_branch_point, f"{script.revision} has several children"
        assert not script.is_merge_point, f"{script.revision} merges branches"
        assert len(script.nextrev) <= 1
    assert [s.revision for s in chain(scripts)][-1] == scripts.get_current_head()


def test_the_chain_runs_the_old_branches_in_release_order_right_after_the_initial_schema():
    revisions = [s.revision for s in chain(migration_scripts())]
    assert revisions[: 1 + len(RELEASE_ORDER)] == [BASE_REVISION, *RELEASE_ORDER]
    assert set(RELEASE_ORDER) == LEGACY_BRANCHES


def test_the_file_names_number_the_revisions_in_chain_order():
    scripts = chain(migration_scripts())
    numbers = [int(Path(s.path).name.split("_", 1)[0]) for s in scripts]
    assert numbers == list(range(1, len(scripts) + 1))


def test_the_rebuilt_legacy_scripts_are_what_the_last_branched_release_shipped(tmp_path):
    tree = legacy_scripts(tmp_path)
    listed = _git("ls-tree", "--name-only", LAST_BRANCHED_RELEASE, VERSIONS_IN_REPO)
    shipped = {}
    for path in listed.split():
        text = _git("show", f"{LAST_BRANCHED_RELEASE}:{path}")
        shipped[_revision_of(text)] = _code_of(text)
    rebuilt = {}
    for path in (tree / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rebuilt[_revision_of(text)] = _code_of(text)
    assert rebuilt == shipped


# upgrading databases the old chain made ---------------------------------------------------------
#: Which old revisions a database has: every head of the last branched release; an older
#: release (the four branches it had); branches upgraded one by one by hand, leaving gaps
#: in today's order; the first release (no branches at all).
STATES = {
    "every_branch": RELEASE_ORDER,
    "an_older_release": RELEASE_ORDER[:4],
    "branches_with_gaps": ["0002_holds", "0002_channels", "0002_catalog_revision"],
    "only_the_initial_schema": [],
}


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_database_of_the_branched_chain_upgrades_onto_the_line_with_its_rows_intact(
    backend, state, new_url, fresh_schema, tmp_path
):
    url = new_url(backend)
    build_legacy_database(url, legacy_scripts(tmp_path), STATES[state])
    before = rows_of(url)

    store = open_store(url, migrate=True)
    try:
        head = migration_scripts().get_current_head()
        assert version_rows(store) == [head]
        assert store.revision() == head
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert schema_of(store.engine) == fresh_schema(backend)
        after = rows_of(url)
        for table, rows in before.items():
            if table not in ("alembic_version", "meta"):  # in their columns: later ones add some
                assert _kept(after[table], rows) == rows, table
        # What the migrations add to old rows: orders keyed by phone (0024_phone_keys) under
        # the identity pepper it made, as no order had linked one yet.
        [pepper] = [r["value"] for r in after["meta"] if r["key"] == "identity.pepper"]
        assert [r for r in after["meta"] if r["key"] != "identity.pepper"] == before["meta"]
        [o1] = after["orders"]
        assert o1["recipient_phone_key"] == phone_lookup("13812341234", pepper.encode())
        # Rows the migrations seed, once each.
        assert len(after["rule_state"]) == 1 and len(after["exception_scan"]) == 1

        with store.uow(read_only=True) as uow:
            assert [w.id for w in uow.catalog.warehouses()] == ["WH-SH"]
            assert uow.stock.get([("WH-SH", "SKU-TEA")])[("WH-SH", "SKU-TEA")] == Stock(
                "WH-SH", "SKU-TEA", 100, 2, 0
            )
            order = uow.orders.get("O-1")
            assert order is not None and order["total_fen"] == 25_600 and len(order["lines"]) == 1
            assert [e["payload"] for e in uow.outbox.after(0)] == [{"external_id": "TM-1"}]
            if "0002_channels" in STATES[state]:
                assert uow.channels.sku_map("tmall") == {"TM-TEA": "SKU-TEA"}
            token = uow.catalog.get_meta("catalog.revision")
        # The triggers are live, also where a gap was filled by hand.
        with store.uow() as uow:
            uow.catalog.save_skus([Sku("SKU-CUP", "陶瓷杯", "home", 3_900, 400)])
            uow.commit()
        with store.uow(read_only=True) as uow:
            assert uow.catalog.get_meta("catalog.revision") not in (None, token)
    finally:
        store.dispose()

    again = open_store(url, migrate=True)
    try:
        assert version_rows(again) == [head]
    finally:
        again.dispose()


def test_a_branched_database_opened_without_migrating_reports_its_latest_revision(sqlite_url, tmp_path):
    build_legacy_database(sqlite_url, legacy_scripts(tmp_path), RELEASE_ORDER[:5])
    store = open_store(sqlite_url, migrate=False)
    try:
        assert len(version_rows(store)) == 5
        assert store.revision() == "0002_exceptions"
    finally:
        store.dispose()


def test_several_rows_that_are_not_old_branches_are_refused_and_left_as_they_were(sqlite_url, tmp_path):
    build_legacy_database(sqlite_url, legacy_scripts(tmp_path), RELEASE_ORDER[:2])
    store = Store(sqlite_url)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('0099_elsewhere')")
        with pytest.raises(StoreError, match="0099_elsewhere"):
            store.migrate()
        assert version_rows(store) == sorted(["0002_channels", "0002_identity", "0099_elsewhere"])
    finally:
        store.dispose()


# helpers ----------------------------------------------------------------------------------------
@pytest.fixture
def new_url(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """A factory of empty databases on a backend."""
    made = iter(range(1_000))

    def new(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db{next(made)}.sqlite'}"
        pg_server: Callable[[], str] = request.getfixturevalue("pg_server")
        return pg_server()

    return new


@pytest.fixture(scope="module")
def fresh_schema(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], dict[str, set[tuple[Any, ...]]]]]:
    """The schema today's migrations give an empty database, per backend (built once)."""
    seen: dict[str, dict[str, set[tuple[Any, ...]]]] = {}

    def of(backend: str) -> dict[str, set[tuple[Any, ...]]]:
        if backend not in seen:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'fresh.sqlite'}"
            else:
                url = request.getfixturevalue("pg_server")()
            store = open_store(url)
            try:
                seen[backend] = schema_of(store.engine)
            finally:
                store.dispose()
        return seen[backend]

    yield of


def legacy_scripts(root: Path) -> Path:
    """Today's 0001 and old branches, each branch revising 0001 again as it once did."""
    tree = root / "legacy_migrations"
    shutil.copytree(MIGRATIONS, tree, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (tree / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = _revision_of(text)
        if revision in LEGACY_BRANCHES:
            text = re.sub(r"^down_revision = .*$", f'down_revision = "{BASE_REVISION}"', text, flags=re.M)
            path.write_text(text, encoding="utf-8")
        elif revision != BASE_REVISION:
            path.unlink()  # came after the chain was made linear
    return tree


def build_legacy_database(url: str, tree: Path, applied: list[str]) -> None:
    """Run the old scripts up to each of ``applied`` (0001 alone when empty), then add rows."""
    cfg = Config()
    cfg.set_main_option("script_location", str(tree))
    store = Store(url)
    try:
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            for revision in applied or [BASE_REVISION]:
                command.upgrade(cfg, revision)
        with store.engine.begin() as conn:
            assert set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()) == set(
                applied or [BASE_REVISION]
            )
            _insert_old_rows(conn, with_channels="0002_channels" in applied)
    finally:
        store.dispose()


def _insert_old_rows(conn: sa.Connection, *, with_channels: bool) -> None:
    """Rows written in the old schema's own columns, so later migrations cannot change them."""
    rows: dict[str, dict[str, Any]] = {
        "warehouses": {
            "id": "WH-SH", "name": "上海嘉定仓", "province": "上海市", "city": "上海市", "adcode": "310114",
            "lat": 31.3747, "lng": 121.2655, "klass": "own", "capabilities": "cold_chain",
            "daily_capacity": 1_000, "active": True,
        },
        "skus": {
            "sku": "SKU-TEA", "name": "西湖龙井 250g", "category": "tea", "price_fen": 12_800,
            "weight_g": 300, "flags": "",
        },
        "stock": {"warehouse_id": "WH-SH", "sku": "SKU-TEA", "on_hand": 100, "reserved": 2, "safety": 0},
        "orders": {
            "id": "O-1", "channel": "tmall", "external_id": "TM-1", "customer_ref": "C-1",
            "status": "processing", "warehouse_id": "WH-SH", "hold_reason": None, "province": "浙江省",
            "city": "杭州市", "district": "西湖区", "detail": "文三路 100 号", "adcode": "330106",
            "lat": 30.27, "lng": 120.15, "recipient_name": "张三", "recipient_phone": "13812341234",
            "goods_fen": 25_600, "discount_fen": 0, "freight_fen": 0, "total_fen": 25_600,
            "tags": json.dumps(["加急"]), "priority": 0, "remark": "", "placed_at_ns": T0,
            "paid_at_ns": T0, "promised_at_ns": None, "created_at_ns": T0, "updated_at_ns": T0,
        },
        "order_lines": {
            "order_id": "O-1", "line_no": 1, "sku": "SKU-TEA", "quantity": 2, "unit_price_fen": 12_800,
            "discount_fen": 0, "flags": "", "warehouse_id": "WH-SH",
        },
        "events": {
            "type": "order.created", "order_id": "O-1", "channel": "tmall", "at_ns": T0,
            "payload": json.dumps({"external_id": "TM-1"}),
        },
    }  # fmt: skip
    if with_channels:
        rows["channel_sku_map"] = {
            "channel": "tmall", "platform_sku": "TM-TEA", "ordo_sku": "SKU-TEA", "updated_at_ns": T0,
        }  # fmt: skip
    for name, row in rows.items():
        columns = ", ".join(row)
        marks = ", ".join(f":{key}" for key in row)
        conn.execute(sa.text(f"INSERT INTO {name} ({columns}) VALUES ({marks})"), row)


def version_rows(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def rows_of(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in a stable order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for name in sa.inspect(conn).get_table_names():
                table = sa.Table(name, sa.MetaData(), autoload_with=conn)
                out[name] = sorted(
                    (dict(r) for r in conn.execute(sa.select(table)).mappings()),
                    key=lambda r: json.dumps(r, default=str, sort_keys=True),
                )
            return out
    finally:
        engine.dispose()


def _kept(rows: list[dict[str, Any]], like: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` in the columns of ``like``'s rows only."""
    columns = set(like[0]) if like else set()
    return sorted(
        ({k: v for k, v in r.items() if k in columns} for r in rows),
        key=lambda r: json.dumps(r, default=str, sort_keys=True),
    )


def schema_of(engine: sa.Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Tables, columns, indexes, constraints, triggers and functions, as the database reports them."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            objects = conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master")
            return {"objects": {tuple(r) for r in objects}}
        queries = {
            "columns": "SELECT table_name, ordinal_position, column_name, data_type, is_nullable,"
            " column_default, character_maximum_length FROM information_schema.columns"
            " WHERE table_schema = 'public'",
            "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)"
            " FROM pg_trigger WHERE NOT tgisinternal",
            "functions": "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace",
        }
        return {name: {tuple(r) for r in conn.exec_driver_sql(sql)} for name, sql in queries.items()}


def _revision_of(text: str) -> str:
    found = re.search(r'^revision = "([^"]+)"$', text, flags=re.M)
    assert found, "a migration without a revision id"
    return found.group(1)


def _code_of(text: str) -> str:
    """A script without its docstring (whose "Revises:" line is prose)."""
    return text.split('"""', 2)[2]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if done.returncode != 0:
        pytest.skip(f"release {LAST_BRANCHED_RELEASE} is not in this checkout's history")
    return done.stdout
