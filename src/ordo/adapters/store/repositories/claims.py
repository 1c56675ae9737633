"""What the status-update service reads besides progress: who reported each milestone, when.

The conflict check compares a system's claim against milestones that other
systems reported earlier, so it needs each milestone's time and source, but only
for the orders a disputable claim was made about, and only for the milestones
that can contradict it: the service says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks, fetch_rows
from ordo.adapters.store.schema import core as t
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.status_graph import Known
from ordo.service.ports.orders import VocabularyAnomaly

_BY_VALUE = {m.value: m for m in Milestone}


class ClaimRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def known(
        self, order_ids: Iterable[str], milestones: Iterable[Milestone]
    ) -> dict[str, dict[Milestone, Known]]:
        """``{order_id: {milestone: Known(at_ns, source)}}`` for these orders and milestones."""
        conn = self._c
        wanted = sorted(m.value for m in set(milestones))
        ids = sorted(set(order_ids))
        out: dict[str, dict[Milestone, Known]] = {}
        if not wanted or not ids:
            return out
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        steps = ",".join([mark] * len(wanted))
        # Plain SQL and fetchall: this runs on every status-update batch.
        for part in chunks(ids, 900 - len(wanted)):
            sql = (
                f"SELECT order_id, milestone, at_ns, source FROM {t.milestones.name}"
                f" WHERE order_id IN ({','.join([mark] * len(part))}) AND milestone IN ({steps})"
            )
            for oid, step, at_ns, source in fetch_rows(conn, sql, (*part, *wanted)):
                known = out.get(oid)
                if known is None:
                    known = out[oid] = {}
                known[_BY_VALUE[step]] = Known(at_ns, source)
        return out

    def add_vocabulary_anomalies(self, rows: Sequence[VocabularyAnomaly]) -> None:
        """Reports in words the status graph does not know, kept like any refused update."""
        if rows:
            self._c.execute(sa.insert(t.anomalies), list(rows))
