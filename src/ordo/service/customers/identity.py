"""Customer identity use cases: link a batch of orders, look a customer up, split a merge.

``link_orders`` runs inside intake's transaction (it is handed intake's unit of
work), so an order and the customer it belongs to commit together. Orders that
carry no identifiers cost nothing here. The reads return plain data; masking is the
caller's decision, as with orders.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from ordo.domain import events as ev
from ordo.domain.customers.identity import (
    IdKey,
    Kept,
    check_splittable,
    key_of,
    keys_of,
    phone_lookup,
    resolve,
    subtree,
)
from ordo.domain.errors import Conflict, NotFound, ValidationError
from ordo.domain.events import Event
from ordo.domain.orders.model import IdentifierKind, Order
from ordo.service.ports import UnitOfWork
from ordo.service.runtime.app import Ordo

#: Where the per-database pepper lives when ``ORDO_IDENTITY_PEPPER`` is not set.
PEPPER_META = "identity.pepper"
#: Most orders listed on one customer.
MAX_ORDERS = 200


def new_customer_id(app: Ordo) -> str:
    return "CU" + app.ids.order_id()[2:]


def pepper(app: Ordo, uow: UnitOfWork) -> bytes:
    """The HMAC key for phones and emails: configured, or made once per database.

    A stored pepper protects a leaked copy of the identity tables, not a leaked whole
    database; production sets ``ORDO_IDENTITY_PEPPER`` outside it. Changing the pepper
    later unlinks every stored phone, so it is fixed for the life of the data.
    """
    if app.identity.pepper:
        return app.identity.pepper
    value, created = uow.identity.pepper(PEPPER_META, secrets.token_hex(32))
    if not created:  # cached only once committed: a rolled-back one must never be used again
        app.identity.pepper = value.encode()
    return value.encode()


def stored_pepper(app: Ordo, uow: UnitOfWork) -> bytes | None:
    """The pepper for a lookup: configured or stored, never made (without one nothing was
    ever keyed, so a lookup finds nothing)."""
    if app.identity.pepper:
        return app.identity.pepper
    stored = uow.catalog.get_meta(PEPPER_META)
    if stored is None:
        return None
    app.identity.pepper = stored.encode()
    return app.identity.pepper


def phone_keys(app: Ordo, uow: UnitOfWork, orders: Sequence[Order]) -> list[str | None]:
    """Each order's recipient phone as its keyed hash, what a search by phone looks up
    (None for a masked or empty phone); makes the pepper on the first phone, as linking does."""
    if not any(o.ship_to.phone for o in orders):
        return [None] * len(orders)
    key = pepper(app, uow)
    return [phone_lookup(o.ship_to.phone, key) if o.ship_to.phone else None for o in orders]


def phone_key_of(app: Ordo, phone: str) -> str | None:
    """The keyed hash a search by ``phone`` looks up; None when nothing can match it (a masked
    phone, or no pepper yet: nothing was ever keyed)."""
    key = app.identity.pepper
    if not key:
        with app.store.uow(read_only=True) as uow:
            key = stored_pepper(app, uow) or b""
    return phone_lookup(phone, key) if key else None


def link_orders(
    app: Ordo, uow: UnitOfWork, orders: Sequence[Order], now_ns: int
) -> tuple[dict[str, str], list[Event]]:
    """Give each order its unified customer (order id -> customer id); merges come back as events."""
    if not any(o.identifiers for o in orders):
        return {}, []
    key = pepper(app, uow)
    batch: list[list[IdKey]] = []
    kept: list[tuple[str, list[Kept]]] = []
    for o in orders:
        linkable, as_sent = keys_of(o.identifiers, key)
        batch.append(linkable)
        kept.append((o.id, as_sent))
    uow.identity.lock()
    known = uow.identity.owners(k.key for keys in batch for k in keys)
    res = resolve(batch, known, lambda: new_customer_id(app))
    if res.merges:
        blocked = uow.identity.blocks_among(set(known.values()))
        if blocked:  # rare: only after an operator split; resolve again, keeping those apart
            res = resolve(batch, known, lambda: new_customer_id(app), blocked)
    merge_ids = uow.identity.apply(res, kept, now_ns)
    events = [
        Event(
            ev.CUSTOMER_MERGED,
            orders[m.order_index].id,
            now_ns,
            channel=orders[m.order_index].channel,
            payload={
                "merge_id": mid,
                "customer_id": m.winner,
                "merged_customer_id": m.loser,
                "evidence": [{"kind": k.kind, "display": k.display} for k in m.keys],
            },
        )
        for m, mid in zip(res.merges, merge_ids, strict=True)
    ]
    customers = {o.id: c for o, c in zip(orders, res.customers, strict=True) if c is not None}
    return customers, events


def split(app: Ordo, merge_id: int, *, by: str, reason: str) -> dict[str, Any]:
    """Undo merge ``merge_id``: its loser, and what merged into it, become a customer again."""
    with app.store.uow() as uow:
        uow.identity.lock()
        merge = uow.identity.merge(merge_id)
        if merge is None:
            raise NotFound(
                f"no customer merge {merge_id} / 客户合并记录不存在", details={"merge_id": merge_id}
            )
        winner, loser = merge["winner_id"], merge["loser_id"]
        root = uow.identity.customer_root(winner)
        tree = uow.identity.tree(root)
        if merge["split_at_ns"] is not None:
            raise Conflict(
                f"merge {merge_id} was already split / 该合并已拆分", details={"merge_id": merge_id}
            )
        check_splittable(tree, winner, loser)
        now = app.clock.now_ns()
        uow.identity.split(merge_id, subtree(tree, loser), now, by, reason)
        uow.outbox.append(
            [
                Event(
                    ev.CUSTOMER_SPLIT,
                    merge["order_id"],
                    now,
                    payload={"merge_id": merge_id, "customer_id": root, "split_customer_id": loser, "by": by},
                )
            ]
        )
        uow.commit()
    app.notifier.notify()
    return {"merge_id": merge_id, "customer_id": root, "split_customer_id": loser}


def find_customer(app: Ordo, kind: str, value: str) -> str | None:
    """The customer an identifier belongs to (by its HMAC for phones and emails)."""
    if kind not in {k.value for k in IdentifierKind}:
        raise ValidationError(
            "kind",
            f"unknown identifier kind {kind[:20]!r} / 未知标识类型",
            details={"allowed": [k.value for k in IdentifierKind]},
        )
    with app.store.uow(read_only=True) as uow:
        key = stored_pepper(app, uow)
        if key is None:  # a lookup never creates the pepper; without one nothing was ever linked
            return None
        found = key_of(kind, value, key)
        return None if found is None else uow.identity.customer_of_key(found)


def customer(app: Ordo, customer_id: str) -> dict[str, Any] | None:
    """The unified customer (asked by any id it ever had): identifiers, orders, merges."""
    with app.store.uow(read_only=True) as uow:
        row = uow.identity.customer(customer_id)
        if row is None:
            return None
        root = row["root"]
        top = row if root == customer_id else uow.identity.customer(root)
        assert top is not None
        tree = uow.identity.tree(root)
        orders = uow.identity.order_rows(uow.identity.order_ids(root, MAX_ORDERS))
        out = {
            "id": root,
            "requested_id": customer_id,
            "created_at_ns": top["created_at_ns"],
            "identifiers": uow.identity.keys(root),
            "channels": sorted({o["channel"] for o in orders}),
            "orders": orders,
            "merges": uow.identity.merges(tree),
        }
    return out
