"""Substitute SKUs: read, save and remove the table, each change audited in the outbox.

Owns the writes to ``sku_substitutes`` (validated: known SKUs, a ratio and priority in
range, a known channel — a ValidationError naming the field otherwise) and the read the
stock-out panel uses: each substitute with the units it has across warehouses and where.
Every change appends an ``inventory.substitutes_changed`` event naming the rows, the
change and who made it, in the same transaction. Using the table at stock-out is
``ordo.service.orders.intake_substitutes``; the decision is the domain's
(``ordo.domain.inventory.substitutes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ordo.domain import events as ev
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.events import Event
from ordo.domain.inventory.substitutes import Substitute, substitutes_for
from ordo.service.inventory.reads import CHANNELS
from ordo.service.ports import SubstituteRow, UnitOfWork
from ordo.service.runtime.app import Ordo


def _row(r: SubstituteRow, names: dict[str, str]) -> dict[str, Any]:
    s = r.item
    return {
        "sku": s.sku,
        "sku_name": names.get(s.sku, ""),
        "substitute": s.substitute,
        "substitute_name": names.get(s.substitute, ""),
        "ratio": s.ratio,
        "channel": s.channel or None,
        "priority": s.priority,
        "updated_at_ns": r.updated_at_ns,
        "updated_by": r.updated_by,
    }


def _names(uow: UnitOfWork, skus: Iterable[str]) -> dict[str, str]:
    wanted = set(skus)
    return {s.sku: s.name for s in uow.catalog.skus() if s.sku in wanted}


def list_substitutes(app: Ordo, sku: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
    """The table (or one SKU's rows, and with ``channel`` only those that apply there, best
    first), each substitute with its units across warehouses and the warehouses holding it."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.substitutes.rows(None if sku is None else [sku])
        if sku is not None and channel is not None:
            order = substitutes_for([r.item for r in rows], sku, channel)
            rows = sorted((r for r in rows if r.item in order), key=lambda r: order.index(r.item))
        subs = {r.item.substitute for r in rows}
        names = _names(uow, subs | {r.item.sku for r in rows})
        where: dict[str, list[dict[str, Any]]] = {s: [] for s in subs}
        titles = {w.id: w.name for w in uow.catalog.warehouses()}
        for (wh, s), level in uow.stock.get(
            [(w, s) for w in titles for s in sorted(subs)]
        ).items():  # fmt: skip
            if level.available > 0:
                where[s].append(
                    {"warehouse_id": wh, "warehouse_name": titles[wh], "available": level.available}
                )
    out = []
    for r in rows:
        held = sorted(where[r.item.substitute], key=lambda x: -int(x["available"]))
        out.append(
            {**_row(r, names), "available": sum(int(x["available"]) for x in held), "warehouses": held}
        )
    return out


def save_substitutes(app: Ordo, items: Sequence[Substitute], *, by: str, field_prefix: str = "") -> int:
    """Insert or replace substitutes (by sku, substitute and channel); returns how many."""
    seen: set[tuple[str, str, str]] = set()
    for i, s in enumerate(items):
        at = f"{field_prefix}[{i}]." if field_prefix else ""
        s.check(CHANNELS, at)
        key = (s.sku, s.substitute, s.channel)
        if key in seen:
            raise ValidationError(f"{at}substitute", f"{s.substitute!r} twice for {s.sku!r} / 替代商品重复")
        seen.add(key)

    def transaction() -> int:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            known = uow.catalog.known_skus({s.sku for s in items} | {s.substitute for s in items})
            for i, s in enumerate(items):
                at = f"{field_prefix}[{i}]." if field_prefix else ""
                for name in ("sku", "substitute"):
                    code = getattr(s, name)
                    if code not in known:
                        raise ValidationError(f"{at}{name}", f"unknown SKU {code!r} / 未知商品编码「{code}」")
            uow.substitutes.save(items, now, by)
            uow.outbox.append([_changed("saved", [_plain(s) for s in items], by, now)])
            uow.commit()
        return len(items)

    saved = app.retrying(transaction)
    app.notifier.notify()
    return saved


def delete_substitute(app: Ordo, sku: str, substitute: str, channel: str, *, by: str) -> None:
    def transaction() -> None:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            if not uow.substitutes.delete(sku, substitute, channel):
                raise NotFound(f"no substitute {substitute!r} for {sku!r} / 替代商品不存在")
            item = {"sku": sku, "substitute": substitute, "channel": channel or None}
            uow.outbox.append([_changed("removed", [item], by, now)])
            uow.commit()

    app.retrying(transaction)
    app.notifier.notify()


def _plain(s: Substitute) -> dict[str, Any]:
    return {
        "sku": s.sku,
        "substitute": s.substitute,
        "ratio": s.ratio,
        "channel": s.channel or None,
        "priority": s.priority,
    }


def _changed(change: str, items: list[dict[str, Any]], by: str, now: int) -> Event:
    return Event(ev.SUBSTITUTES_CHANGED, None, now, payload={"change": change, "items": items, "by": by})
