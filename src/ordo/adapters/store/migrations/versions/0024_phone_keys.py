"""orders are found by phone through a keyed hash: ``orders.recipient_phone_key`` holds the
HMAC-SHA256 of the normalised recipient phone (indexed with the id), existing rows filled in
here; the index over the plaintext phone goes, so no lookup runs over it

The key is the identity pepper: ``ORDO_IDENTITY_PEPPER`` when set, else the one stored in
``meta`` (``identity.pepper``), made and stored now when orders with phones need one, as
customer linking would. Settings passed in code rather than the environment are not seen
here, so a database filled before such a key was configured must be migrated with it in
``ORDO_IDENTITY_PEPPER``. The digest is ``ordo.domain.customers.identity.phone_lookup``,
imported rather than copied so the rows filled here and those written at intake agree.

Revision ID: 0024_phone_keys
Revises: 0023_customer_stats
Create Date: 2026-12-06
"""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from alembic import op

from ordo.domain.customers.identity import phone_lookup

revision = "0024_phone_keys"
down_revision = "0023_customer_stats"
branch_labels = None
depends_on = None

_PEPPER_META = "identity.pepper"
_BATCH = 5_000
_orders = sa.table(
    "orders",
    sa.column("id", sa.String),
    sa.column("recipient_phone", sa.String),
    sa.column("recipient_phone_key", sa.String),
)
_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def _pepper(conn: sa.Connection) -> bytes | None:
    configured = os.environ.get("ORDO_IDENTITY_PEPPER", "")
    if configured:
        return configured.encode()
    stored = conn.execute(sa.select(_meta.c.value).where(_meta.c.key == _PEPPER_META)).scalar()
    if stored is not None:
        return str(stored).encode()
    if conn.execute(sa.select(_orders.c.id).where(_orders.c.recipient_phone != "").limit(1)).first() is None:
        return None  # nothing to fill; the first intake makes the pepper
    made = secrets.token_hex(32)
    conn.execute(sa.insert(_meta).values(key=_PEPPER_META, value=made))
    return made.encode()


def _fill(conn: sa.Connection) -> None:
    pepper = _pepper(conn)
    if pepper is None:
        return
    update = (
        sa.update(_orders)
        .where(_orders.c.id == sa.bindparam("oid"))
        .values(recipient_phone_key=sa.bindparam("key"))
    )
    after = ""
    while True:
        rows = conn.execute(
            sa.select(_orders.c.id, _orders.c.recipient_phone)
            .where(_orders.c.id > after)
            .order_by(_orders.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        keyed = [{"oid": oid, "key": phone_lookup(phone, pepper)} for oid, phone in rows if phone]
        if keyed:
            conn.execute(update, keyed)
        after = rows[-1][0]


def upgrade() -> None:
    op.add_column("orders", sa.Column("recipient_phone_key", sa.String(length=64), nullable=True))
    _fill(op.get_bind())
    op.create_index("ix_orders_phone_key", "orders", ["recipient_phone_key", "id"])
    op.drop_index("ix_orders_phone", table_name="orders")


def downgrade() -> None:
    op.create_index("ix_orders_phone", "orders", ["recipient_phone", "id"])
    op.drop_index("ix_orders_phone_key", table_name="orders")
    # Not batch mode: on SQLite it copies ``orders``, which the foreign keys onto it refuse;
    # SQLite has dropped a column in place since 3.35.
    op.drop_column("orders", "recipient_phone_key")
