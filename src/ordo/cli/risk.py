"""``ordo risk …``: the risk radar from a terminal — read a feed file, record an event,
list events, see an event's impact, judge or end it, and take a disposal plan through
propose → approve → execute (→ revert)."""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json

risk_app = typer.Typer(
    help="Risk radar: outside events, impact, disposal plans / 供应链风险雷达", no_args_is_help=True
)
console = Console(stderr=True)

ActorName = Annotated[str | None, typer.Option("--as", help="Who acts (default cli:<user>) / 操作人")]
RoleName = Annotated[str, typer.Option("--role", help="The actor's role / 角色")]


def _run(db: str | None, work: Callable[[Any], Any]) -> None:
    from ordo.domain.errors import OrdoError

    ordo = open_ordo(db)
    try:
        print_json(work(ordo))
    except OrdoError as exc:
        console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(1) from None
    finally:
        ordo.store.dispose()


def _actor(name: str | None, role: str) -> Any:
    from ordo.domain.access import Role
    from ordo.service.rules.records import Actor

    try:
        return Actor(name or f"cli:{getpass.getuser()}", Role(role))
    except ValueError:
        console.print(f"--role must be one of {[r.value for r in Role]} / 角色无效")
        raise typer.Exit(2) from None


@risk_app.command("import")
def import_feed(
    path: Annotated[
        Path, typer.Argument(help="CAP 1.2 XML, GeoJSON or GDACS/GeoRSS file / 预警文件", exists=True)
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="cap | geojson | georss (default: sniffed)")
    ] = None,
    source: Annotated[str, typer.Option("--source", help="Name of the source / 来源")] = "",
    name: ActorName = None,
    db: DbOption = None,
) -> None:
    """Read a feed file: each alert or feature becomes an event (a known one is updated)."""
    from ordo.service.risk import events

    data = path.read_bytes()
    actor = name or f"cli:{getpass.getuser()}"
    _run(db, lambda o: events.import_feed(o, data, fmt=fmt, actor=actor, source=source))


@risk_app.command("poll")
def poll(
    urls: Annotated[
        list[str] | None, typer.Argument(help="Feed URLs (default: ORDO_RISK_FEED_URLS) / 预警源地址")
    ] = None,
    every: Annotated[
        float | None, typer.Option("--every", help="Seconds between polls (default: ORDO_RISK_FEED_EVERY_S)")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Poll once, print the reports, exit / 只拉取一次")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request / 超时秒数")] = 15.0,
    db: DbOption = None,
) -> None:
    """Poll risk feeds at URLs: changed documents (ETag / Last-Modified) become events; a
    feed that fails is reported and the others go on. Prints one JSON report per poll."""
    from ordo.service.risk.feeds import FeedPoller

    ordo = open_ordo(db)
    targets = list(urls or ordo.settings.risk_feed_urls)
    if not targets:
        ordo.store.dispose()
        console.print("no feed URL: name one or set ORDO_RISK_FEED_URLS / 未配置预警源地址")
        raise typer.Exit(2)
    poller = FeedPoller(ordo, targets, timeout_s=timeout)
    try:
        if once:
            print_json(poller.poll_once())
            return
        gap = every if every is not None else ordo.settings.risk_feed_every_s
        while True:  # until interrupted
            started = time.monotonic()
            print_json(poller.poll_once())
            time.sleep(max(0.0, gap - (time.monotonic() - started)))
    except KeyboardInterrupt:
        pass
    finally:
        ordo.store.dispose()


@risk_app.command("add")
def add_event(
    kind: Annotated[str, typer.Argument(help="typhoon, rainstorm, road_closure, lockdown, power_loss …")],
    title: Annotated[str, typer.Argument(help="Title / 标题")],
    severity: Annotated[str, typer.Option("--severity", help="minor|moderate|severe|extreme")] = "moderate",
    confidence: Annotated[float, typer.Option("--confidence", help="0..1")] = 0.8,
    regions: Annotated[str, typer.Option("--regions", help="adcodes, comma-separated / 行政区划代码")] = "",
    warehouses: Annotated[str, typer.Option("--warehouses", help="warehouse ids, comma-separated")] = "",
    carriers: Annotated[str, typer.Option("--carriers", help="carrier ids, comma-separated")] = "",
    hours: Annotated[int | None, typer.Option("--hours", help="Lasts this many hours from now")] = None,
    name: ActorName = None,
    db: DbOption = None,
) -> None:
    """Record an event by hand: over regions (adcodes) and / or named warehouses or carriers."""
    from ordo.domain.errors import ValidationError
    from ordo.domain.risk import Assets, EventDraft, Regions, RiskKind, Severity
    from ordo.service.risk import events

    def split(text: str) -> frozenset[str]:
        return frozenset(x.strip() for x in text.split(",") if x.strip())

    def work(o: Any) -> Any:
        try:
            k, sev = RiskKind(kind), Severity(severity)
        except ValueError as exc:
            raise ValidationError("kind", f"{exc} / 类型或严重程度无效") from None
        now = o.clock.now_ns()
        codes = tuple(sorted(split(regions)))
        draft = EventDraft(
            kind=k,
            title=title,
            severity=sev,
            confidence=confidence,
            source="cli",
            area=Regions(codes) if codes else None,
            assets=Assets(split(warehouses), split(carriers)),
            starts_at_ns=now,
            ends_at_ns=now + hours * 3600 * 1_000_000_000 if hours else None,
        )
        return events.record(o, draft, actor=name or f"cli:{getpass.getuser()}")

    _run(db, work)


@risk_app.command("list")
def list_events(
    live: Annotated[bool, typer.Option("--live", help="Potential or confirmed only / 仅进行中")] = False,
    db: DbOption = None,
) -> None:
    """Risk events, newest first."""
    from ordo.service.risk import events

    _run(db, lambda o: events.listing(o, live_only=live))


@risk_app.command("show")
def show(event_id: str, db: DbOption = None) -> None:
    """One event with its history and plans."""
    from ordo.service.risk import events

    _run(db, lambda o: events.get(o, event_id))


@risk_app.command("impact")
def impact(
    event_id: str,
    limit: Annotated[int, typer.Option("--limit", help="Orders listed")] = 50,
    db: DbOption = None,
) -> None:
    """Exposed open orders and parcels in transit, by channel and region, with money at stake."""
    from ordo.service.risk import impact as scan

    _run(db, lambda o: scan.scan(o, event_id, limit=limit))


@risk_app.command("status")
def status(
    event_id: str,
    new: Annotated[str, typer.Argument(help="confirmed | no_impact | restored")],
    hours: Annotated[int | None, typer.Option("--hours", help="Confirmed impact lasts (h)")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    name: ActorName = None,
    db: DbOption = None,
) -> None:
    """Judge an event's impact."""
    from ordo.service.risk import events

    actor = name or f"cli:{getpass.getuser()}"
    _run(db, lambda o: events.set_status(o, event_id, new, actor=actor, hours=hours, note=note))


@risk_app.command("end")
def end(event_id: str, name: ActorName = None, db: DbOption = None) -> None:
    """The event is over: restored; the router forgets it."""
    from ordo.service.risk import events

    _run(db, lambda o: events.end(o, event_id, actor=name or f"cli:{getpass.getuser()}"))


@risk_app.command("plan")
def plan(event_id: str, name: ActorName = None, role: RoleName = "ops", db: DbOption = None) -> None:
    """Propose a disposal plan for the event's exposed orders."""
    from ordo.service.risk import plans

    actor = _actor(name, role)
    _run(db, lambda o: plans.propose(o, event_id, actor=actor))


@risk_app.command("approve")
def approve(plan_id: str, name: ActorName = None, role: RoleName = "ops", db: DbOption = None) -> None:
    """Approve a plan with its tier's right (L3 plans: --role risk)."""
    from ordo.service.risk import plans

    actor = _actor(name, role)
    _run(db, lambda o: plans.approve(o, plan_id, actor=actor))


@risk_app.command("execute")
def execute(plan_id: str, name: ActorName = None, role: RoleName = "ops", db: DbOption = None) -> None:
    """Carry out an approved plan."""
    from ordo.service.risk import plans

    actor = _actor(name, role)
    _run(db, lambda o: plans.execute(o, plan_id, actor=actor))


@risk_app.command("revert")
def revert(plan_id: str, name: ActorName = None, role: RoleName = "ops", db: DbOption = None) -> None:
    """Undo an executed plan."""
    from ordo.service.risk import plans

    actor = _actor(name, role)
    _run(db, lambda o: plans.revert(o, plan_id, actor=actor))
