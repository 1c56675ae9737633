"""Running one drill: start Ordo, load it, check the hypothesis, inject, check again, roll back, judge.

The order is Chaos Toolkit's: steady state before (if it does not hold, the method is not
run: ``aborted``), the method's activities with their pauses, steady state after
(``deviated`` if it does not hold), the rollbacks, always. The load runs from before the
first check to after the last, so the hypothesis is judged under load.

The journal is Chaos Toolkit's shape (``experiment``, ``status``, ``deviated``,
``steady_states.before/after``, ``run``, ``rollbacks``, ``start``/``end``/``duration``)
with Ordo's figures under ``measurements``:

- ``rto_s`` per injected fault: from the mark to the first order acknowledged after the
  last failed attempt that followed it (0 when no attempt failed: nothing to recover);
- ``rpo_orders``: acknowledged orders missing from the database at the end;
- what the load offered and got, the server's restarts, the stream's reconnects.

The verdict is ``passed`` only when both checks held and every activity ran.

:func:`run_all` runs many drills (``ordo drill --all``): drills whose server is configured
alike run in sequence on one Ordo (a *lane*); lanes run side by side, ``parallel`` at a
time, each on servers of its own, so no drill's fault reaches another's orders.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import platform
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from ordo.drills.context import Drill
from ordo.drills.disk import can_mount
from ordo.drills.experiment import Activity, Experiment, within
from ordo.drills.faults_process import ACTIONS as PROCESS_ACTIONS
from ordo.drills.faults_world import ACTIONS as WORLD_ACTIONS
from ordo.drills.faults_world import BUSINESS_PROBES
from ordo.drills.probes import PROBES
from ordo.drills.proxy import FaultProxy
from ordo.drills.stream import Watcher
from ordo.drills.target import PG_ADMIN_URL, SERVER_KEYS, Target, Targets
from ordo.drills.traffic import Load

#: The functions a scenario may name, by module: nothing else is ever called.
REGISTRY: Mapping[str, Mapping[str, Callable[..., Any]]] = MappingProxyType(
    {
        "ordo.drills.probes": MappingProxyType({**PROBES, **BUSINESS_PROBES}),
        "ordo.drills.faults_process": PROCESS_ACTIONS,
        "ordo.drills.faults_world": MappingProxyType({**WORLD_ACTIONS, **BUSINESS_PROBES}),
    }
)
_VAR = re.compile(r"^\$\{(\w+)\}$")


def resolve(activity: Activity) -> Callable[..., Any]:
    funcs = REGISTRY.get(activity.module)
    if funcs is None or activity.func not in funcs:
        raise LookupError(f"{activity.name}: no drill function {activity.module}.{activity.func}")
    return funcs[activity.func]


def _substitute(arguments: Mapping[str, Any], configuration: Mapping[str, Any]) -> dict[str, Any]:
    """``"${name}"`` arguments take the configuration's value, as in Chaos Toolkit."""
    out: dict[str, Any] = {}
    for k, v in arguments.items():
        m = _VAR.match(v) if isinstance(v, str) else None
        out[k] = configuration[m.group(1)] if m else v
    return out


def _iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _run_activity(drill: Drill, a: Activity, configuration: Mapping[str, Any]) -> dict[str, Any]:
    if a.pause_before_s:
        time.sleep(a.pause_before_s)
    entry: dict[str, Any] = {"activity": a.as_json(), "start": _iso()}
    t0 = time.monotonic()
    try:
        entry["output"] = resolve(a)(drill, **_substitute(a.arguments, configuration))
        entry["status"] = "succeeded"
    except Exception as exc:  # recorded in the journal; the drill goes on to its rollbacks
        entry["status"] = "failed"
        entry["exception"] = f"{type(exc).__name__}: {exc}"
    entry["end"], entry["duration"] = _iso(), round(time.monotonic() - t0, 3)
    if a.tolerance is not None and entry["status"] == "succeeded":
        entry["tolerance_met"] = within(a.tolerance, entry["output"])
    if a.pause_after_s:
        time.sleep(a.pause_after_s)
    return entry


def _hypothesis(drill: Drill, exp: Experiment, configuration: Mapping[str, Any]) -> dict[str, Any]:
    probes = [_run_activity(drill, p, configuration) for p in exp.hypothesis]
    met = all(p["status"] == "succeeded" and p.get("tolerance_met") for p in probes)
    return {"steady_state_met": met, "probes": probes}


def requirement_missing(exp: Experiment, db: str) -> str | None:
    """Why this machine cannot run the drill (None: it can)."""
    needs = exp.configuration.get("requires", [])
    if "postgres" in needs and db == "sqlite":
        try:
            eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with eng.connect():
                pass
            eng.dispose()
        except Exception as exc:  # any driver error means "not here"
            return f"needs PostgreSQL at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
    if "root" in needs and not can_mount():
        return "needs root to mount a small disk of its own"
    if "sqlite" in needs and db != "sqlite":
        return "runs on SQLite only (its disk is the SQLite file's)"
    return None


def rto_per_fault(drill: Drill, end: float) -> list[dict[str, Any]]:
    with drill.load.ledger.lock:
        attempts = list(drill.load.ledger.attempts)
    out: list[dict[str, Any]] = []
    marks = [*drill.marks, ("end", end)]
    for (name, at), (_, until) in itertools.pairwise(marks):
        failed = [x for x in attempts if at <= x.done < until and (x.status == 0 or x.status >= 500)]
        if not failed:
            out.append({"fault": name, "rto_s": 0.0, "failed_attempts": 0})
            continue
        last = max(x.done for x in failed)
        back = [x.done for x in attempts if x.order_id and x.done > last]
        rto = round(min(back) - at, 3) if back else None
        out.append({"fault": name, "rto_s": rto, "failed_attempts": len(failed)})
    return out


def _db_for(exp: Experiment, db: str) -> str:
    """The database the drill runs on: PostgreSQL when it requires it, else the one asked for."""
    needs = exp.configuration.get("requires", [])
    return "postgres" if "postgres" in needs and db == "sqlite" else db


def run(
    exp: Experiment,
    *,
    db: str = "sqlite",
    workdir: Path | None = None,
    targets: Targets | None = None,
    ci: bool = False,
    lane: int = 0,
) -> dict[str, Any]:
    """Run one experiment; its journal (a JSON-able dict with ``verdict``).

    With ``targets`` the drill runs on a shared Ordo configured as its scenario asks (made
    on first use, kept for the next drill of the same ``lane``); without, on its own,
    closed at the end. ``ci``: with the scenario's CI values (its ``ci`` extension); the
    journal's ``ordo.profile`` and ``ordo.configuration`` say what ran.
    """
    configuration = dict(exp.configured(ci=ci))
    journal: dict[str, Any] = {
        "chaoslib-version": None,
        "platform": platform.platform(),
        "node": platform.node(),
        "experiment": dict(exp.raw),
        "start": _iso(),
        "ordo": {
            "scenario": exp.name,
            "db": db,
            "profile": "ci" if ci else "full",
            "configuration": configuration,
        },
    }
    if ci and exp.ci:
        journal["ordo"]["ci_overrides"] = dict(exp.ci)
    missing = requirement_missing(exp, db)
    if missing:
        journal.update(status="skipped", deviated=False, verdict="skipped", reason=missing, end=_iso())
        return journal
    use_db = _db_for(exp, db)
    journal["ordo"]["db"] = use_db
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ordo-drills-", dir=workdir) as tmp:
        pool = targets if targets is not None else Targets(Path(tmp))
        try:
            _run_on(pool, exp, configuration, use_db, lane, journal)
        finally:
            if targets is None:
                pool.close()
    journal["end"], journal["duration"] = _iso(), round(time.monotonic() - t_start, 3)
    return _judge(journal)


def lanes(experiments: Sequence[Experiment], db: str, parallel: int) -> list[list[int]]:
    """Which drills run in sequence on one Ordo: indexes into ``experiments``, one list per lane.

    Drills whose server is configured alike (``SERVER_KEYS``) share a lane; a group larger
    than its share (the library's drills ÷ ``parallel``) is dealt out over as many lanes as
    it needs, each starting a server of its own. Warehouse outages go first on their
    server: an outage re-routes every open order of the warehouse in one request, and a
    server that has taken the earlier drills' orders holds thousands. Longest lanes
    first, so the pool of ``parallel`` runners ends about together.
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, exp in enumerate(experiments):
        cfg = exp.configuration
        groups.setdefault((_db_for(exp, db), *(str(cfg.get(k)) for k in SERVER_KEYS)), []).append(i)
    size = max(1, math.ceil(len(experiments) / max(1, parallel)))
    out: list[list[int]] = []
    for members in groups.values():
        members.sort(key=lambda i: not any(a.func == "warehouse_outage" for a in experiments[i].method))
        parts = math.ceil(len(members) / size)
        out += [members[k::parts] for k in range(parts)]
    return sorted(out, key=len, reverse=True)


def run_all(
    experiments: Sequence[Experiment],
    *,
    db: str = "sqlite",
    targets: Targets,
    ci: bool = False,
    parallel: int = 1,
    done: Callable[[Experiment, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run many drills, lanes side by side (see :func:`lanes`); their journals, in the order
    given. ``done`` is called with each journal (after its lane ended, when ``parallel`` > 1).

    With ``parallel`` > 1 each lane runs in a process of its own (its servers under
    ``targets.workdir``): the load, the subscriber and the probes of one lane must not
    wait on another lane's for Python's interpreter lock, or the load would fall behind
    its own schedule and the intake probe would judge the drill, not Ordo.
    """
    plan = lanes(experiments, db, parallel)
    journals: dict[int, dict[str, Any]] = {}
    if parallel <= 1:
        for lane, members in enumerate(plan):
            try:
                for i in members:
                    journals[i] = _ran(
                        experiments[i],
                        run(experiments[i], db=db, targets=targets, ci=ci, lane=lane),
                        lane,
                        done,
                    )
            finally:
                targets.close_lane(lane)  # its servers' CPU to the lanes still to run
        return [journals[i] for i in range(len(experiments))]
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # never fork a process with threads running
    with ProcessPoolExecutor(parallel, mp_context=context) as pool:
        futures = {
            pool.submit(_run_lane, [experiments[i] for i in members], db, targets.workdir, ci, lane): (
                lane,
                members,
            )
            for lane, members in enumerate(plan)
        }
        for future in as_completed(futures):
            lane, members = futures[future]
            for i, journal in zip(members, future.result(), strict=True):
                journals[i] = _ran(experiments[i], journal, lane, done)
    return [journals[i] for i in range(len(experiments))]


def _ran(
    exp: Experiment,
    journal: dict[str, Any],
    lane: int,
    done: Callable[[Experiment, dict[str, Any]], None] | None,
) -> dict[str, Any]:
    journal["ordo"]["lane"] = lane
    if done is not None:
        done(exp, journal)
    return journal


def _run_lane(
    experiments: list[Experiment], db: str, workdir: Path, ci: bool, lane: int
) -> list[dict[str, Any]]:
    """One lane's drills in sequence, on servers of its own (in a process of its own)."""
    pool = Targets(Path(tempfile.mkdtemp(prefix=f"lane-{lane}-", dir=workdir)))
    try:
        return [run(exp, db=db, targets=pool, ci=ci, lane=lane) for exp in experiments]
    finally:
        pool.close()


def _warm_up(load: Load, at_most_s: float, orders: int) -> None:
    """Until the load has ``orders`` acknowledged (and half a second has gone, so the
    intake window that follows sees a running load), at most ``at_most_s``."""
    deadline = load.started_at + at_most_s
    floor = load.started_at + min(0.5, at_most_s)
    while time.monotonic() < deadline:
        with load.ledger.lock:
            acked = len(load.ledger.acked)
        if acked >= orders and time.monotonic() >= floor:
            return
        time.sleep(0.02)


def _run_on(
    pool: Targets, exp: Experiment, configuration: dict[str, Any], db: str, lane: int, journal: dict[str, Any]
) -> None:
    target: Target | None = None
    proxy: FaultProxy | None = None
    drill: Drill | None = None
    try:
        target = pool.get(db, configuration, lane=lane)
        target.wait_ready()
        with target.engine().connect() as conn:
            start_id = int(conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM events")).scalar() or 0)
            dead0 = int(conn.execute(sa.text("SELECT COUNT(*) FROM channel_dead_letters")).scalar() or 0)
        port = target.port
        if configuration.get("proxy"):
            proxy = FaultProxy(target.port).start()
            port = proxy.port
        load = Load(
            "127.0.0.1", port, target.key, target.world,
            rate_per_s=float(configuration.get("rate_per_s", 40)),
            seed=target.seed, prefix=f"drill-{exp.name}",
        )  # fmt: skip
        watcher = Watcher(target.base, target.key, start_id)
        drill = Drill(target, load, watcher, start_id, notes={"dead_letters_0": dead0})
        if proxy is not None:
            drill.notes["proxy"] = proxy
        deaths0 = len(target.deaths)
        watcher.start()
        watcher.ready.wait(10)
        load.start()
        _warm_up(load, float(configuration.get("warmup_s", 1.5)), int(configuration.get("warmup_orders", 1)))
        drill.started_at = load.started_at
        journal["steady_states"] = {"before": _hypothesis(drill, exp, configuration)}
        journal["run"] = []
        if journal["steady_states"]["before"]["steady_state_met"]:
            for a in exp.method:
                journal["run"].append(_run_activity(drill, a, configuration))
            journal["steady_states"]["after"] = _hypothesis(drill, exp, configuration)
        journal["rollbacks"] = [_run_activity(drill, a, configuration) for a in exp.rollbacks]
        load.stop()
        journal["ordo"]["measurements"] = _measure(drill, time.monotonic(), deaths0)
    except Exception as exc:  # the drill itself broke: say so, never pass
        journal["status"] = "aborted"
        journal["exception"] = f"{type(exc).__name__}: {exc}"
        if target is not None:
            journal["ordo"]["server_log_tail"] = target.log_tail()
            pool.discard(target)
    finally:
        if drill is not None:
            drill.load.stop(drain_s=5)
            drill.watcher.stop()
        if proxy is not None:
            proxy.stop()


def _measure(drill: Drill, end: float, deaths0: int) -> dict[str, Any]:
    from ordo.drills.probes import lost_acknowledged_orders

    ledger = drill.load.ledger
    with ledger.lock:
        acked, attempts = len(ledger.acked), len(ledger.attempts)
        given_up, refused = len(ledger.given_up), ledger.refused[:5]
    window = max(end - drill.load.started_at, 1e-9)
    rto = rto_per_fault(drill, end)
    rtos = [r["rto_s"] for r in rto if r["rto_s"] is not None]
    return {
        "rto_s": max(rtos) if rtos else None,
        "rto_per_fault": rto,
        "rpo_orders": lost_acknowledged_orders(drill),
        "orders_acknowledged": acked,
        "orders_per_s": round(acked / window, 1),
        "offered_per_s": drill.load.rate,
        "attempts": attempts,
        "orders_given_up": given_up,
        "orders_refused": refused,
        "server_restarts": len(drill.target.deaths) - deaths0,
        "stream_reconnects": drill.watcher.reconnects,
        "notes": {k: v for k, v in drill.notes.items() if isinstance(v, int | float | str)},
    }


def _judge(journal: dict[str, Any]) -> dict[str, Any]:
    if journal.get("status") == "aborted":
        journal.update(deviated=False, verdict="failed")
        return journal
    states = journal.get("steady_states", {})
    before = states.get("before", {}).get("steady_state_met", False)
    after = states.get("after", {}).get("steady_state_met", False)
    failed = [e["activity"]["name"] for e in journal.get("run", []) if e["status"] == "failed"]
    journal["deviated"] = bool(before and not after)
    journal["status"] = "completed" if before and not failed else "failed"
    journal["verdict"] = "passed" if before and after and not failed else "failed"
    if failed:
        journal["failed_activities"] = failed
    return journal


def write_journal(journal: Mapping[str, Any], folder: Path) -> Path:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"journal-{journal['ordo']['scenario']}.json"
    path.write_text(json.dumps(journal, ensure_ascii=False, indent=2, default=str))
    return path
