"""canonical places: stored ship-to names in full (上海 → 上海市), from the adcode

Orders taken in before intake canonicalised kept the names a channel sent (``上海`` /
``上海``, ``江苏`` / ``南京``). This rewrites them to the full canonical names of their
adcode (the province's full name where there is no adcode), and follows with the tag
index and the overview's per-province counts (short-name rows merged into the full-name
row), so old and new orders count, filter and show alike. Warehouses likewise. Names the
registry does not know are left as written. The outbox is not rewritten (events are
history); the overview projector folds their names when it reads them.

Data only: no schema change. Downgrade keeps the full names (they are what the codes say).

Revision ID: 0015_canonical_places
Revises: 0014_people
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordo.adapters.geo.address import AddressResolver
from ordo.adapters.geo.divisions import load_divisions
from ordo.domain.geo import canonical_province

revision = "0015_canonical_places"
down_revision = "0014_people"
branch_labels = None
depends_on = None

_orders = sa.table(
    "orders", sa.column("province"), sa.column("city"), sa.column("district"), sa.column("adcode")
)
_warehouses = sa.table("warehouses", sa.column("province"), sa.column("city"), sa.column("adcode"))
_tags = sa.table("order_tags", sa.column("province"))
_counts = sa.table("overview_counts", sa.column("dim"), sa.column("key"), sa.column("n"))


def _same(column: sa.ColumnClause[str], value: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def upgrade() -> None:
    conn = op.get_bind()
    resolver = AddressResolver(load_divisions())
    _orders_in_full(conn, resolver)
    _warehouses_in_full(conn, resolver)
    _tags_and_counts_in_full(conn)


def _orders_in_full(conn: sa.Connection, resolver: AddressResolver) -> None:
    o = _orders.c
    # One update per distinct spelling, not per order: a few thousand at most.
    for adcode, province, city, district in conn.execute(
        sa.select(o.adcode, o.province, o.city, o.district).distinct()
    ).all():
        found = resolver.canonical(adcode) if adcode else None
        if found is not None:
            new = (found.province, found.city, found.district or district)
        else:
            new = (canonical_province(province), city, district)
        if new != (province, city, district):
            conn.execute(
                sa.update(_orders)
                .where(
                    _same(o.adcode, adcode), o.province == province, o.city == city, o.district == district
                )
                .values(province=new[0], city=new[1], district=new[2])
            )


def _warehouses_in_full(conn: sa.Connection, resolver: AddressResolver) -> None:
    w = _warehouses.c
    for adcode, province, city in conn.execute(sa.select(w.adcode, w.province, w.city).distinct()).all():
        found = resolver.canonical(adcode) if adcode else None
        names = (found.province, found.city) if found is not None else (canonical_province(province), city)
        if names != (province, city):
            conn.execute(
                sa.update(_warehouses)
                .where(w.adcode == adcode, w.province == province, w.city == city)
                .values(province=names[0], city=names[1])
            )


def _tags_and_counts_in_full(conn: sa.Connection) -> None:
    t = _tags.c
    for (province,) in conn.execute(sa.select(t.province).distinct()).all():
        if canonical_province(province) != province:
            conn.execute(
                sa.update(_tags).where(t.province == province).values(province=canonical_province(province))
            )
    c = _counts.c
    for dim in ("province", "problem_region"):
        rows = {str(k): int(n) for k, n in conn.execute(sa.select(c.key, c.n).where(c.dim == dim)).all()}
        merged: dict[str, int] = {}
        for key, n in rows.items():
            full = canonical_province(key)
            merged[full] = merged.get(full, 0) + n
        for key in rows:
            if canonical_province(key) != key:
                conn.execute(sa.delete(_counts).where(c.dim == dim, c.key == key))
        for key, n in merged.items():
            if key not in rows:
                conn.execute(sa.insert(_counts).values(dim=dim, key=key, n=n))
            elif n != rows[key]:
                conn.execute(sa.update(_counts).where(c.dim == dim, c.key == key).values(n=n))


def downgrade() -> None:
    # The full names are what the adcodes say; the short spellings are not worth restoring.
    pass
