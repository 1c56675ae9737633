"""Customer identity in SQL: keys, customers (a merge forest), merges with evidence, splits.

``identity_customers.root`` and ``identity_keys.customer_id`` and
``order_customers.customer_id`` cache the top of the forest, so reading a customer
is one indexed lookup; merges and splits rewrite those caches in the same
transaction. The forest itself (``merged_into``) is never compressed.

On PostgreSQL, writers serialise on one advisory lock held to commit, so two workers
never both create a customer for one new phone or merge from a stale root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.repositories.orders import SUMMARY_COLUMNS
from ordo.adapters.store.rows import bulk_insert, chunks
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import identity as it
from ordo.domain.customers.identity import Kept, Resolution

C, K, G, B = it.identity_customers.c, it.identity_keys.c, it.identity_merges.c, it.identity_blocks.c
OC, OI = it.order_customers.c, it.order_identifiers.c
#: PostgreSQL advisory lock key for identity writes ("ordi" in ASCII).
IDENTITY_LOCK = 0x6F726469


def pairs(result: sa.Result[Any, Any]) -> dict[Any, Any]:
    """A two-column result as a dict (``dict(result)`` would take the result for a mapping)."""
    return {row[0]: row[1] for row in result}


class IdentityRepository:
    def __init__(self, conn: sa.Connection, *, postgres: bool) -> None:
        self._c = conn
        self._pg = postgres
        #: Meta keys this unit of work inserted: still "created" (uncommitted) when asked again.
        self._made: set[str] = set()

    # writes -----------------------------------------------------------------
    def lock(self) -> None:
        if self._pg:
            self._c.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": IDENTITY_LOCK})

    def pepper(self, meta_key: str, candidate: str) -> tuple[str, bool]:
        """The stored pepper, or ``candidate`` stored now (True). Insert only: of two first
        writers one fails on the key and retries, so the pepper is never replaced. Asked again
        in the same unit of work, the one it stored is still True: not yet committed."""
        found = self._c.execute(sa.select(t.meta.c.value).where(t.meta.c.key == meta_key)).scalar()
        if found is not None:
            return str(found), meta_key in self._made
        self._c.execute(sa.insert(t.meta).values(key=meta_key, value=candidate))
        self._made.add(meta_key)
        return candidate, True

    def owners(self, keys: Iterable[str]) -> dict[str, str]:
        """The current customer (a root) of each stored key."""
        out: dict[str, str] = {}
        for part in chunks(sorted(set(keys))):
            out.update(pairs(self._c.execute(sa.select(K.key, K.customer_id).where(K.key.in_(part)))))
        return out

    def blocks_among(self, roots: Iterable[str]) -> list[tuple[str, str]]:
        """Split pairs (as current roots) that touch any of these roots."""
        wanted = set(roots)
        if (
            not wanted
            or self._c.execute(sa.select(sa.func.count()).select_from(it.identity_blocks)).scalar_one() == 0
        ):
            return []
        ca, cb = it.identity_customers.alias("ca"), it.identity_customers.alias("cb")
        q = (
            sa.select(ca.c.root, cb.c.root)
            .select_from(it.identity_blocks)
            .join(ca, ca.c.id == B.a_id)
            .join(cb, cb.c.id == B.b_id)
        )
        return [(a, b) for a, b in self._c.execute(q) if a in wanted or b in wanted]

    def apply(self, res: Resolution, orders: Sequence[tuple[str, Sequence[Kept]]], now_ns: int) -> list[int]:
        """Write what ``resolve`` decided for these orders; returns the new merge records' ids."""
        bulk_insert(
            self._c,
            it.identity_customers,
            [
                {
                    "id": c,
                    "root": res.roots.get(c, c),
                    "merged_into": None,
                    "created_at_ns": now_ns,
                    "updated_at_ns": now_ns,
                }
                for c in res.new_customers
            ],
        )
        first_order: dict[str, str] = {}
        for order_id, kept in orders:
            for k in kept:
                if k.key is not None and k.key in res.new_keys:
                    first_order.setdefault(k.key, order_id)
        bulk_insert(
            self._c,
            it.identity_keys,
            [
                {
                    "key": key,
                    "kind": idk.kind[:16],
                    "display": idk.display[:160],
                    "origin_id": origin,
                    "customer_id": res.roots.get(origin, origin),
                    "first_order_id": first_order[key],
                    "created_at_ns": now_ns,
                }
                for key, (origin, idk) in res.new_keys.items()
            ],
        )
        merge_ids = self._record_merges(res, [oid for oid, _ in orders], now_ns)
        bulk_insert(
            self._c,
            it.order_customers,
            [
                {"order_id": oid, "customer_id": cid, "primary_key": key}
                for (oid, _), cid, key in zip(orders, res.customers, res.primary, strict=True)
                if cid is not None and key is not None
            ],
        )
        bulk_insert(
            self._c,
            it.order_identifiers,
            [
                {"order_id": oid, "position": n, "kind": k.kind, "display": k.display[:160], "key": k.key}
                for oid, kept in orders
                for n, k in enumerate(kept)
            ],
        )
        return merge_ids

    def _record_merges(self, res: Resolution, order_ids: Sequence[str], now_ns: int) -> list[int]:
        if not res.merges:
            return []
        self._c.execute(
            sa.update(it.identity_customers)
            .where(C.id == sa.bindparam("loser"))
            .values(merged_into=sa.bindparam("winner"), updated_at_ns=now_ns),
            [{"loser": m.loser, "winner": m.winner} for m in res.merges],
        )
        moves = [{"old": old, "new": new} for old, new in res.roots.items()]
        for table, column in (
            (it.identity_customers, C.root),
            (it.identity_keys, K.customer_id),
            (it.order_customers, OC.customer_id),
        ):
            self._c.execute(
                sa.update(table)
                .where(column == sa.bindparam("old"))
                .values({column.name: sa.bindparam("new")}),
                moves,
            )
        ids: list[int] = []
        for m in res.merges:
            evidence = [{"kind": k.kind, "display": k.display} for k in m.keys]
            row = {
                "winner_id": m.winner,
                "loser_id": m.loser,
                "order_id": order_ids[m.order_index],
                "evidence": evidence,
                "at_ns": now_ns,
            }
            inserted = self._c.execute(sa.insert(it.identity_merges).values(row)).inserted_primary_key
            assert inserted is not None
            ids.append(int(inserted[0]))
        return ids

    def split(self, merge_id: int, subtree: Iterable[str], now_ns: int, by: str, reason: str) -> None:
        """Detach the loser of merge ``merge_id`` with its ``subtree``; keep the pair apart from now on."""
        merge = self.merge(merge_id)
        assert merge is not None
        old_root, loser, members = self.customer_root(merge["winner_id"]), merge["loser_id"], sorted(subtree)
        self._c.execute(
            sa.update(it.identity_customers)
            .where(C.id == loser)
            .values(merged_into=None, updated_at_ns=now_ns)
        )
        moved_keys = sa.select(K.key).where(K.origin_id.in_(sa.bindparam("members", expanding=True)))
        for part in chunks(members):
            self._c.execute(sa.update(it.identity_customers).where(C.id.in_(part)).values(root=loser))
            self._c.execute(
                sa.update(it.identity_keys).where(K.origin_id.in_(part)).values(customer_id=loser)
            )
            self._c.execute(
                sa.update(it.order_customers)
                .where(OC.customer_id == old_root, OC.primary_key.in_(moved_keys))
                .values(customer_id=loser),
                {"members": list(part)},
            )
        self._c.execute(
            sa.insert(it.identity_blocks).values(
                a_id=merge["winner_id"], b_id=loser, merge_id=merge_id, at_ns=now_ns
            )
        )
        self._c.execute(
            sa.update(it.identity_merges)
            .where(G.id == merge_id)
            .values(split_at_ns=now_ns, split_by=by[:64], split_reason=reason[:500])
        )

    # reads ------------------------------------------------------------------
    def customer(self, customer_id: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(it.identity_customers).where(C.id == customer_id)).mappings().first()
        return None if row is None else dict(row)

    def customer_root(self, customer_id: str) -> str:
        return str(self._c.execute(sa.select(C.root).where(C.id == customer_id)).scalar_one())

    def tree(self, root: str) -> dict[str, str | None]:
        """Every customer merged into ``root`` (directly or not), with its parent."""
        return pairs(self._c.execute(sa.select(C.id, C.merged_into).where(C.root == root)))

    def keys(self, customer_id: str) -> list[dict[str, Any]]:
        q = (
            sa.select(K.kind, K.display, K.first_order_id, K.created_at_ns)
            .where(K.customer_id == customer_id)
            .order_by(K.created_at_ns, K.kind, K.display)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    def customer_of_key(self, key: str) -> str | None:
        return self._c.execute(sa.select(K.customer_id).where(K.key == key)).scalar_one_or_none()

    def order_ids(self, customer_id: str, limit: int) -> list[str]:
        q = (
            sa.select(OC.order_id)
            .where(OC.customer_id == customer_id)
            .order_by(OC.order_id.desc())
            .limit(limit)
        )
        return list(self._c.execute(q).scalars())

    def order_rows(self, order_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Summaries of these orders, newest first (the columns an order search shows)."""
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(order_ids))):
            q = sa.select(*SUMMARY_COLUMNS).where(t.orders.c.id.in_(part))
            out.extend(dict(r) for r in self._c.execute(q).mappings())
        out.sort(key=lambda r: r["id"], reverse=True)
        return out

    def identifiers(self, order_id: str) -> list[dict[str, Any]]:
        q = sa.select(OI.kind, OI.display, OI.key.is_not(None).label("links")).where(OI.order_id == order_id)
        return [dict(r) for r in self._c.execute(q.order_by(OI.position)).mappings()]

    def merge(self, merge_id: int) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(it.identity_merges).where(G.id == merge_id)).mappings().first()
        return None if row is None else dict(row)

    def merges(self, customers: Iterable[str]) -> list[dict[str, Any]]:
        ids = sorted(set(customers))
        out: list[dict[str, Any]] = []
        for part in chunks(ids, 400):
            q = sa.select(it.identity_merges).where(sa.or_(G.winner_id.in_(part), G.loser_id.in_(part)))
            out.extend(dict(r) for r in self._c.execute(q).mappings())
        unique = {r["id"]: r for r in out}
        return [unique[i] for i in sorted(unique)]
