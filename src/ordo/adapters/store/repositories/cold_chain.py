"""Cold-chain storage (migration ``0002_cold_chain``): probe judgement and replacement shipments.

* ``telemetry_probes``        – per order and device, what the probe judge remembers
  (``ordo.domain.incidents.probes.ProbeState`` as JSON: jump and stuck evidence, the fault, a short
  history the peers are compared with);
* ``cold_chain_replacements`` – one per excursion incident whose playbook re-ships the
  goods: requested by the scan, placed through intake after it, shipped when the
  replacement's outbound is recorded (``replacement_order_id`` is indexed for that).

Reached through ``ColdChainRepository(uow.connection())``; plain SQLAlchemy Core, the
same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import bulk_insert, chunks
from ordo.adapters.store.schema.core import metadata
from ordo.domain.incidents.probes import ProbeState
from ordo.service.ports.incidents import FAILED, PLACED, REQUESTED, SHIPPED

telemetry_probes = sa.Table(
    "telemetry_probes",
    metadata,
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("fault", sa.String(32), nullable=True),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

cold_chain_replacements = sa.Table(
    "cold_chain_replacements",
    metadata,
    sa.Column("exception_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.String(24), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("replacement_order_id", sa.String(24), nullable=True),
    sa.Column("requested_at_ns", sa.BigInteger, nullable=False),
    sa.Column("placed_at_ns", sa.BigInteger, nullable=True),
    sa.Column("shipped_at_ns", sa.BigInteger, nullable=True),
    sa.Column("note", sa.String(200), nullable=False, server_default=""),
)
sa.Index("ix_cold_chain_replacements_replacement", cold_chain_replacements.c.replacement_order_id)
sa.Index("ix_cold_chain_replacements_state", cold_chain_replacements.c.state)

P, R = telemetry_probes.c, cold_chain_replacements.c

__all__ = ["FAILED", "PLACED", "REQUESTED", "SHIPPED", "ColdChainRepository"]


class ColdChainRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # probes -------------------------------------------------------------------
    def probes(self, order_ids: Iterable[str]) -> dict[tuple[str, str], ProbeState]:
        """Every known probe of these orders (peers included, not only the ones reporting now)."""
        out: dict[tuple[str, str], ProbeState] = {}
        for part in chunks(sorted(set(order_ids))):
            q = sa.select(P.order_id, P.device_id, P.state).where(P.order_id.in_(part))
            for oid, dev, state in self._c.execute(q):
                out[(oid, dev)] = ProbeState.from_json(state)
        return out

    def save_probes(
        self, states: Mapping[tuple[str, str], ProbeState], known: set[tuple[str, str]], now_ns: int
    ) -> None:
        rows = [
            {"order_id": o, "device_id": d, "state": p.as_json(), "fault": p.fault, "updated_at_ns": now_ns}
            for (o, d), p in sorted(states.items())
        ]
        bulk_insert(
            self._c, telemetry_probes, [r for r in rows if (r["order_id"], r["device_id"]) not in known]
        )
        update = [r for r in rows if (r["order_id"], r["device_id"]) in known]
        if update:
            stmt = (
                sa.update(telemetry_probes)
                .where(P.order_id == sa.bindparam("b_o"), P.device_id == sa.bindparam("b_d"))
                .values(state=sa.bindparam("b_s"), fault=sa.bindparam("b_f"), updated_at_ns=now_ns)
            )
            self._c.execute(
                stmt,
                [
                    {"b_o": r["order_id"], "b_d": r["device_id"], "b_s": r["state"], "b_f": r["fault"]}
                    for r in update
                ],
            )

    def faulty_probes(self, limit: int = 500) -> list[dict[str, Any]]:
        q = (
            sa.select(P.order_id, P.device_id, P.fault, P.updated_at_ns)
            .where(P.fault.is_not(None))
            .order_by(P.updated_at_ns.desc())
            .limit(limit)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    # replacements ---------------------------------------------------------------
    def request_replacement(self, incident_id: int, order_id: str, now_ns: int) -> bool:
        """Ask for a replacement once per incident; False when it was asked for already."""
        found = self._c.execute(sa.select(R.state).where(R.exception_id == incident_id)).first()
        if found is not None:
            return False
        self._c.execute(
            sa.insert(cold_chain_replacements).values(
                exception_id=incident_id, order_id=order_id, state=REQUESTED, requested_at_ns=now_ns
            )
        )
        return True

    def replacement(self, incident_id: int) -> dict[str, Any] | None:
        row = (
            self._c.execute(sa.select(cold_chain_replacements).where(R.exception_id == incident_id))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    def requested(self, limit: int = 200) -> list[dict[str, Any]]:
        q = (
            sa.select(cold_chain_replacements)
            .where(R.state == REQUESTED)
            .order_by(R.exception_id)
            .limit(limit)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    def set_replacement(self, incident_id: int, **values: Any) -> None:
        self._c.execute(
            sa.update(cold_chain_replacements).where(R.exception_id == incident_id).values(**values)
        )

    def placed_for(self, replacement_order_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Placed (not yet shipped) replacements among these orders."""
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(replacement_order_ids))):
            q = sa.select(cold_chain_replacements).where(R.replacement_order_id.in_(part), R.state == PLACED)
            out += [dict(r) for r in self._c.execute(q).mappings()]
        return out
