"""The run's cold-chain figures judged against the simulator's ground truth.

The service's alert precision counts what people dismissed as false alarms. An alert
that automation closed (a replacement shipped) is never dismissed, so that figure
alone would call every auto-closed excursion right. The simulator knows which goods
really warmed and which probes it broke, so here every ``cold_chain`` alert and every
``probe_fault`` maintenance signal is checked against that truth, and a missed
excursion (warm goods that raised no alert) is counted too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ordo.domain.events import PROBE_FAULT
from ordo.service.incidents import queue as q
from ordo.service.runtime.app import Ordo

PAGE = 1_000
_CLOSED = frozenset({"auto_resolved", "resolved", "dismissed"})


def cold_chain_truth(
    app: Ordo,
    warm_orders: set[str],
    broken: set[tuple[str, str]],
    glitched: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """``glitched``: working probes that sent several wild samples in a row. A probe-fault
    signal on one is right (the probe misread, the goods were fine) and counted apart;
    an excursion alert on one is a false alarm like any other on goods that never warmed."""
    alerts = _cold_alerts(app)
    true_alerts = sum(o in warm_orders for o, _, _ in alerts)
    closed_false = sum(o not in warm_orders and state in _CLOSED for o, _, state in alerts)
    faults = _fault_signals(app)
    on_broken = sum(k in broken for k in faults)
    on_glitched = sum(k in glitched and k not in broken for k in faults)
    true_faults = on_broken + on_glitched
    alerted = {o for o, _, _ in alerts}
    flagged = {k for k in faults}
    return {
        "cold_chain": {
            "alerts": len(alerts),
            "true_alerts": true_alerts,
            "true_precision": _ratio(true_alerts, len(alerts)),
            "closed_false_alarms": closed_false,
            "excursions_injected": len(warm_orders),
            "excursions_missed": len(warm_orders - alerted),
            "excursions_called_probe_fault": len({o for o, _ in flagged} & warm_orders),
        },
        "probe_fault": {
            "signals": len(faults),
            "true_signals": true_faults,
            "signals_on_broken_probes": on_broken,
            "signals_on_glitching_probes": on_glitched,
            "true_precision": _ratio(true_faults, len(faults)),
            "broken_probes": len(broken),
            "broken_probes_found": len(broken & flagged),
        },
    }


def overall_true_precision(
    metrics: Mapping[str, Any], truth: Mapping[str, Mapping[str, Any]]
) -> float | None:
    """Alert precision over every closed incident, with the auto-closed false cold alerts counted."""
    closed = int(metrics["closed"])
    cold = metrics["by_detector"].get("cold_chain", {})
    # Outside cold chain the simulator's people dismiss what is false; in cold chain the truth decides.
    others_dismissed = int(metrics["dismissed"]) - int(cold.get("dismissed", 0))
    false = others_dismissed + int(truth["cold_chain"]["closed_false_alarms"])
    return _ratio(closed - false, closed)


def _cold_alerts(app: Ordo) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    cursor: int | None = None
    while True:
        rows, cursor = q.list_incidents(
            app, q.IncidentFilter(detector="cold_chain"), after_id=cursor, limit=PAGE
        )
        out += [
            (str(r["order_id"]), str((r["details"] or {}).get("device_id")), str(r["state"])) for r in rows
        ]
        if cursor is None:
            return out


def _fault_signals(app: Ordo) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    last = 0
    while True:
        with app.store.uow(read_only=True) as uow:
            events = uow.outbox.after(last, limit=PAGE, types=[PROBE_FAULT])
        found |= {(str(e["order_id"]), str((e["payload"] or {}).get("device_id"))) for e in events}
        if len(events) < PAGE:
            return found
        last = int(events[-1]["id"])


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def detector_lines(result: Mapping[str, Any]) -> Iterable[str]:
    """One line per detector for the console (``ordo simulate --incidents``)."""
    truth = result.get("truth", {})
    overall = _pct(result.get("true_alert_precision"))
    yield f"alert precision vs ground truth / 告警有效率（按真值）: {overall}"
    for name, d in sorted(result.get("by_detector", {}).items()):
        rate, precision = d.get("auto_closure_rate"), d.get("alert_precision")
        line = (
            f"  {name:<16} closed {d['closed']:>4}  auto-closure / 自动闭环 {_pct(rate):>6}"
            f"  precision / 有效率 {_pct(precision):>6}"
        )
        if name in truth:
            line += f"  vs ground truth / 真值 {_pct(truth[name]['true_precision']):>6}"
        yield line
    fault = truth.get("probe_fault")
    if fault:
        yield (
            f"  {'probe_fault':<16} signals {fault['signals']:>3} (maintenance / 维护信号, not order alerts)"
            f"  precision vs ground truth / 真值有效率 {_pct(fault['true_precision']):>6}"
            f" ({fault['signals_on_broken_probes']} broken, {fault['signals_on_glitching_probes']} glitching"
            " / 故障、连续跳变)"
            f"  found {fault['broken_probes_found']}/{fault['broken_probes']} broken probes / 故障探头"
        )


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"
