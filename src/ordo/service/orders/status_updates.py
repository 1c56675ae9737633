"""Status updates from named systems in their own words, translated through the status graph.

Each report (``wms`` says ``PACKING`` for order X at T) becomes the milestones its
code implies, recorded by the lifecycle in the same transaction. What cannot be
translated is refused per item, kept as an anomaly and an ``order.update_rejected``
event. A report that contradicts what another system said earlier (the status
graph's conflict rules) is not applied: it becomes an ``order.status_conflict``
event instead, so nobody's word silently overwrites another's. Signals (揽收失败)
are not steps forward; they become ``order.status_signal`` events. The answers to an
intercept request (拦截成功 / INTERCEPTED, 拦截失败) are signals too, and also settle the
order's intercept (``intercept`` on the order) with an ``order.intercept_answered`` event.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ordo.adapters.status_graph import load_graph
from ordo.domain import events as ev
from ordo.domain.errors import LifecycleViolation
from ordo.domain.events import Event
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate, Outcome, UpdateResult, check_update
from ordo.domain.orders.status_graph import (
    ConflictRule,
    Known,
    StatusConflict,
    StatusGraph,
    Translation,
    find_conflict,
)
from ordo.service.orders.milestones import record_updates
from ordo.service.ports import Progress, UnitOfWork, VocabularyAnomaly
from ordo.service.runtime.app import Ordo

UNKNOWN_VOCABULARY = "unknown_vocabulary"
UNKNOWN_SOURCE = "unknown_source"
ORDER_NOT_FOUND = "order_not_found"
STATUS_CONFLICT = "status_conflict"
#: Signals that answer an intercept request → the intercept's state.
INTERCEPT_ANSWERS = {"intercepted": "intercepted", "intercept_failed": "failed"}


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One system's word about one order: ``order_id``, or ``channel`` + ``external_id``."""

    source: str
    code: str
    at_ns: int
    order_id: str | None = None
    channel: str | None = None
    external_id: str | None = None
    note: str = ""


@dataclass(slots=True)
class ReportResult:
    index: int
    outcome: str  # recorded | duplicate | signal | conflict | rejected
    order_id: str | None
    milestones: list[str] = field(default_factory=list)
    signal: str | None = None
    status: str | None = None
    error: dict[str, str] | None = None
    conflict: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "outcome": self.outcome,
            "order_id": self.order_id,
            "milestones": self.milestones,
            "signal": self.signal,
            "status": self.status,
            "error": self.error,
            "conflict": self.conflict,
        }


def report_statuses(
    app: Ordo, reports: Sequence[StatusReport], graph: StatusGraph | None = None
) -> list[ReportResult]:
    """Translate and record a batch of status reports; one result per report, in order."""
    if not reports:
        return []
    extra = tuple(Path(d) for d in app.settings.channel_specs_dir.split(os.pathsep) if d.strip())
    chosen = graph or load_graph(extra_dirs=extra)

    def transaction() -> list[ReportResult]:
        with app.store.uow() as uow:
            results = record_reports(uow, chosen, reports, app.clock.now_ns())
            uow.commit()
        return results

    results = app.retrying(transaction)
    app.notifier.notify()
    return results


def report_each(app: Ordo, batches: Sequence[Sequence[StatusReport]]) -> list[list[ReportResult]]:
    """Several callers' batches in one transaction, in the order given; results per batch.

    Each result's ``index`` stays the report's place in its own batch.
    """
    results = report_statuses(app, [r for batch in batches for r in batch])
    out: list[list[ReportResult]] = []
    start = 0
    for batch in batches:
        mine = results[start : start + len(batch)]
        for r in mine:
            r.index -= start
        out.append(mine)
        start += len(batch)
    return out


def _conflict_payload(order_id: str, report: StatusReport, c: StatusConflict) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "rule": c.rule.code,
        "message": c.message,
        "claim": {"source": report.source, "reported": report.code[:64], "claims": c.claim, "at_ns": c.at_ns},
        "other": {"source": c.other_source, "claims": c.other.value, "at_ns": c.other_at_ns},
    }


def record_reports(
    uow: UnitOfWork, graph: StatusGraph, reports: Sequence[StatusReport], now: int
) -> list[ReportResult]:
    """:func:`report_statuses` inside a caller's unit of work (which commits and notifies)."""
    keys = [(r.channel, r.external_id) for r in reports if r.order_id is None and r.channel and r.external_id]
    by_key = uow.orders.existing([(c, e) for c, e in keys if c and e]) if keys else {}
    ids = [r.order_id or by_key.get((r.channel or "", r.external_id or "")) for r in reports]
    progress = uow.orders.progress(i for i in ids if i)  # locked on PostgreSQL
    translations = _translate(graph, reports)
    known = _known(uow, graph, progress, ids, translations)
    results: list[ReportResult] = []
    updates: list[MilestoneUpdate] = []
    owners: list[int] = []  # report index of each milestone update
    events: list[Event] = []
    anomalies: list[VocabularyAnomaly] = []
    answers: list[tuple[str, str, int, str]] = []
    for index, (report, oid, translation) in enumerate(zip(reports, ids, translations, strict=True)):
        result = ReportResult(index, Outcome.REJECTED.value, oid)
        results.append(result)
        p = progress.get(oid) if oid is not None else None
        if p is None:
            missing = oid or f"{report.channel}/{report.external_id}"
            result.error = {"code": ORDER_NOT_FOUND, "message": f"no order {missing!r} / 订单不存在"}
            anomalies.append(_anomaly(None, report, ORDER_NOT_FOUND, result.error["message"], now))
            continue
        if translation is None:
            result.error = _unknown(graph, report)
            anomalies.append(_anomaly(p.order_id, report, result.error["code"], result.error["message"], now))
            events.append(_rejected_event(p.order_id, p.channel, report, result.error, now))
            continue
        steps = known.get(p.order_id)
        if steps is not None and _refused(p, translation.milestones, report.at_ns, now):
            steps = None  # it will be refused as it stands: it neither disputes nor is evidence
        if steps is not None:  # a disputable claim was made about this order in this batch
            claim = translation.claim
            assert claim is not None  # a dead translation is never returned
            conflict = find_conflict(graph.conflicts, claim, report.at_ns, report.source, steps)
            if conflict is not None:
                result.outcome = STATUS_CONFLICT
                result.conflict = _conflict_payload(p.order_id, report, conflict)
                events.append(Event(ev.STATUS_CONFLICT, p.order_id, now, result.conflict, p.channel))
                continue
        if translation.signal is not None:
            result.outcome = "signal"
            result.signal = translation.signal
            payload = {
                "source": report.source,
                "reported": report.code[:64],
                "signal": translation.signal,
                "at_ns": report.at_ns,
                "note": report.note,
            }
            events.append(Event(ev.STATUS_SIGNAL, p.order_id, now, payload, p.channel))
            state = INTERCEPT_ANSWERS.get(translation.signal)
            if state is not None:
                answers.append((p.order_id, state, report.at_ns, report.source[:32]))
                answer = {"state": state, "source": report.source[:32], "reported": report.code[:64],
                          "at_ns": report.at_ns, "hold_reason": p.hold_reason}  # fmt: skip
                events.append(Event(ev.INTERCEPT_ANSWERED, p.order_id, now, answer, p.channel))
            continue
        result.milestones = [m._value_ for m in translation.milestones]
        for m in translation.milestones:
            updates.append(MilestoneUpdate(p.order_id, m, report.at_ns, report.source, report.note))
            owners.append(index)
            # First report wins, as in the store; later reports in this batch see it.
            if steps is not None and m not in steps:
                steps[m] = Known(report.at_ns, report.source)
    _merge(results, owners, record_updates(uow, updates, now, progress))
    if answers:
        uow.holds.answer_intercepts(answers)
    uow.claims.add_vocabulary_anomalies(anomalies)
    uow.outbox.append(events)
    return results


def _refused(p: Progress, milestones: Sequence[Milestone], at_ns: int, now: int) -> bool:
    """Whether recording these milestones now would be refused (a time in the future, a
    cancelled order …): such a claim is kept as an anomaly, never weighed against others."""
    try:
        for m in milestones:
            check_update(p.steps, m, at_ns, now, p.hold_reason)
    except LifecycleViolation:
        return True
    return False


def _translate(graph: StatusGraph, reports: Sequence[StatusReport]) -> list[Translation | None]:
    """Each report's translation (None: words the graph does not know); a batch repeats words."""
    seen: dict[tuple[str, str], Translation | None] = {}
    out: list[Translation | None] = []
    for r in reports:
        word = (r.source, r.code)
        if word not in seen:
            seen[word] = graph.translate(r.source, r.code)
        out.append(seen[word])
    return out


def _known(
    uow: UnitOfWork,
    graph: StatusGraph,
    progress: Mapping[str, Progress],
    ids: Sequence[str | None],
    translations: Sequence[Translation | None],
) -> dict[str, dict[Milestone, Known]]:
    """Who reported what when, for the orders a disputable claim is made about in this batch.

    Only those orders, and only the milestones that could contradict the claims made,
    are read: most reports (a step forward nobody can dispute) need none of it. Every
    such order gets an entry, empty if nothing contradicting is recorded yet.
    """
    rules: dict[str, tuple[ConflictRule, ...]] = {}
    orders: set[str] = set()
    against: set[Milestone] = set()
    for oid, translation in zip(ids, translations, strict=True):
        if oid is None or oid not in progress or translation is None or translation.claim is None:
            continue
        claim = translation.claim
        if claim not in rules:
            rules[claim] = tuple(rule for rule in graph.conflicts if claim in rule.claim)
        if rules[claim]:
            orders.add(oid)
            against.update(m for rule in rules[claim] for m in rule.contradicted_by)
    found = uow.claims.known(orders, against)
    return {oid: found.get(oid, {}) for oid in orders}


def _merge(results: list[ReportResult], owners: list[int], recorded: list[UpdateResult]) -> None:
    """One outcome per report from its milestones': any refusal wins, then any recording."""
    per: dict[int, list[UpdateResult]] = {}
    for index, r in zip(owners, recorded, strict=True):
        per.setdefault(index, []).append(r)
    for index, rs in per.items():
        result = results[index]
        refused = [r for r in rs if r.outcome is Outcome.REJECTED]
        if refused and refused[0].error is not None:
            result.outcome = Outcome.REJECTED.value
            result.error = {"code": refused[0].error.code, "message": refused[0].error.message}
        elif any(r.outcome is Outcome.RECORDED for r in rs):
            result.outcome = Outcome.RECORDED.value
        else:
            result.outcome = Outcome.DUPLICATE.value
        last = rs[-1].status
        result.status = last.value if last else None


def _unknown(graph: StatusGraph, report: StatusReport) -> dict[str, str]:
    source, code = report.source[:32], report.code[:64]
    if source.strip().lower() not in graph.sources:
        return {
            "code": UNKNOWN_SOURCE,
            "message": f"unknown source system {source!r} / 未知的来源系统「{source}」",
        }
    return {
        "code": UNKNOWN_VOCABULARY,
        "message": f"{source} status {code!r} is not in the status graph"
        f" / 状态图中没有「{source}」的状态「{code}」",
    }


def _anomaly(order_id: str | None, r: StatusReport, code: str, message: str, now: int) -> VocabularyAnomaly:
    return {
        "order_id": order_id,
        "milestone": r.code[:24],
        "source": r.source[:32],
        "at_ns": r.at_ns,
        "code": code,
        "message": message[:500],
        "recorded_at_ns": now,
    }


def _rejected_event(oid: str, channel: str, r: StatusReport, error: dict[str, str], now: int) -> Event:
    payload = {"source": r.source[:32], "reported": r.code[:64], "at_ns": r.at_ns, **error}
    return Event(ev.UPDATE_REJECTED, oid, now, payload, channel)
