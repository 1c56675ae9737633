"""``ordo rules …``: write, check, backtest, approve, publish and roll back rules from a terminal.

Thin like :mod:`ordo.cli`: parse, call :mod:`ordo.service.rules`, print. Whoever runs the
CLI has the database, so they act as ``--as`` (default ``cli:$USER``) with ``--role``
(default admin); approvals still refuse one's own change. Wired into the main app by::

    app.add_typer(rules_app, name="rules")   # from ordo.cli.rules import rules_app
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli.common import open_ordo, print_json

rules_app = typer.Typer(
    help="Rules: write, backtest, approve, publish, roll back / 规则", no_args_is_help=True
)
console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $ORDO_DATABASE_URL or sqlite:///ordo.db)")
]
NoteOption = Annotated[str, typer.Option("--note", "-m", help="Why (required) / 变更原因（必填）")]
AsOption = Annotated[str | None, typer.Option("--as", help="Who acts (default cli:$USER)")]
RoleOption = Annotated[str, typer.Option("--role", help="The role acted in: admin, ops, finance, risk …")]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en")]


def _actor(name: str | None, role: str) -> Any:
    from ordo.domain.access import Role
    from ordo.service.rules import Actor

    return Actor(name or f"cli:{getpass.getuser()}", Role(role))


def _text(source: str) -> str:
    """A rule file's contents, or the text itself."""
    path = Path(source)
    if len(source) < 4096 and "\n" not in source and path.is_file():
        return path.read_text(encoding="utf-8")
    return source


def _run(work: Any) -> Any:
    """Run a service call; Ordo's errors become a message and exit code 1 (2 for unreadable rules)."""
    from ordo.domain.errors import OrdoError
    from ordo.service.rules import RuleTextInvalid

    try:
        return work()
    except RuleTextInvalid as exc:
        console.print(exc.message, markup=False)
        console.print(exc.details.get("pointer", ""), markup=False)
        raise typer.Exit(2) from None
    except OrdoError as exc:
        console.print(f"{exc.code}: {exc.message}", markup=False)
        raise typer.Exit(1) from None


def _draft_line(d: dict[str, Any]) -> None:
    console.print(
        f"draft {d['id']} · {d['status']} · tier {d['tier']} → needs {d['required_tier']}"
        + (f" · {d['escalation']}" if d.get("escalation") else ""),
        markup=False,
    )


@rules_app.command("add")
def add(
    sentence: Annotated[str, typer.Argument(help="One rule sentence (Chinese or English)")],
    note: NoteOption,
    draft: Annotated[
        int | None, typer.Option("--draft", help="Append to this draft (default: a new one)")
    ] = None,
    actor: AsOption = None,
    role: RoleOption = "admin",
    db: DbOption = None,
) -> None:
    """Add a rule: to a draft, or to a new draft copied from the active version."""
    from ordo.service import rules as R

    ordo, who = open_ordo(db), _actor(actor, role)
    if draft is None:
        d = _run(lambda: R.create_draft(ordo, who, note=note, text=None))
        draft = int(d["id"])
    d = _run(lambda: R.edit_draft(ordo, who, draft, note=note, add=sentence))
    _draft_line(d)
    for w in d["lint"]:
        console.print(f"  ! {w['zh']} / {w['en']}", markup=False)
    print_json({"draft_id": d["id"], "rules": d["rules"], "lint": d["lint"]})


@rules_app.command("lint")
def lint(source: Annotated[str, typer.Argument(help="A rule file, or rule text")]) -> None:
    """Read rules and warn about never-true, always-true and contradicting ones (exit 2 if unreadable)."""
    from ordo.service.rules import lint_text

    warnings = _run(lambda: lint_text(_text(source)))
    for w in warnings:
        console.print(f"{w['rule_id']}: {w['zh']} / {w['en']}", markup=False)
    print_json({"warnings": warnings})
    if warnings:
        raise typer.Exit(1)


@rules_app.command("test")
def test(
    source: Annotated[str, typer.Argument(help="A rule file, or rule text")],
    facts: Annotated[str, typer.Option("--facts", help="Order facts as JSON (missing columns are unknown)")],
) -> None:
    """Evaluate rules on one order's facts: which rules fire, and the outcome."""
    from ordo.rules.evaluation.compile_py import Facts
    from ordo.rules.evaluation.evaluate import CompiledRuleSet
    from ordo.rules.evaluation.facts import COLUMNS
    from ordo.rules.evaluation.outcome import outcome_of
    from ordo.service.rules import ruleset_of

    row: dict[str, Any] = {c.name: None for c in COLUMNS}
    row.update(
        {"skus": [], "categories": [], "tags": [], "remark": "", "goods_amount_fen": 0, "freight_fen": 0}
    )
    row.update(json.loads(_text(facts)))
    rs = _run(lambda: ruleset_of(_text(source)))
    f: Facts = row
    ev = CompiledRuleSet(rs).evaluate(f)
    print_json({"fired": list(ev.rule_ids), "outcome": outcome_of(ev, row).as_dict()})


@rules_app.command("explain")
def explain(
    source: Annotated[
        str | None, typer.Argument(help="A rule file or rule text (default: the active version)")
    ] = None,
    lang: LangOption = "zh",
    db: DbOption = None,
) -> None:
    """The evaluation order: categories, hit policies, priorities, each rule shown back."""
    from ordo.service.rules import ruleset_of

    rs = (
        _run(lambda: ruleset_of(_text(source)))
        if source
        else open_ordo(db).caches.rulebook.snapshot().active.rules
    )
    sys.stdout.write(rs.explain("en" if lang == "en" else "zh") + "\n")


@rules_app.command("backtest")
def backtest(
    draft: Annotated[int, typer.Argument(help="Draft id")],
    note: NoteOption = "backtest",
    since: Annotated[
        str | None, typer.Option("--from", help="Placed at or after (ISO-8601, UTC+8 if bare)")
    ] = None,
    until: Annotated[str | None, typer.Option("--to", help="Placed before (ISO-8601)")] = None,
    channel: Annotated[str | None, typer.Option("--channel")] = None,
    province: Annotated[str | None, typer.Option("--province")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many orders")] = None,
    actor: AsOption = None,
    role: RoleOption = "admin",
    db: DbOption = None,
) -> None:
    """Replay a draft against stored orders, with a progress bar; prints the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ordo.api.schemas import to_ns
    from ordo.service import rules as R

    ordo, who = open_ordo(db), _actor(actor, role)
    flt = R.HistoryFilter(
        to_ns(since) if since else None, to_ns(until) if until else None, channel, province, limit
    )
    columns = (TextColumn("回测 / backtest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("orders", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        d = _run(lambda: R.backtest_draft(ordo, who, draft, flt, note=note, progress=tick))
    _draft_line(d)
    print_json(d["backtest"])


@rules_app.command("submit")
def submit(
    draft: int, note: NoteOption, actor: AsOption = None, role: RoleOption = "admin", db: DbOption = None
) -> None:
    """Ask for approval; an L1 change is approved by its backtest (self-serve)."""
    from ordo.service import rules as R

    ordo = open_ordo(db)
    _draft_line(_run(lambda: R.submit(ordo, _actor(actor, role), draft, note=note)))


@rules_app.command("approve")
def approve(
    draft: int, note: NoteOption, actor: AsOption = None, role: RoleOption = "admin", db: DbOption = None
) -> None:
    """Approve someone else's backtested draft (the tier decides which role may)."""
    from ordo.service import rules as R

    ordo = open_ordo(db)
    _draft_line(_run(lambda: R.approve(ordo, _actor(actor, role), draft, note=note)))


@rules_app.command("publish")
def publish(
    draft: int,
    note: NoteOption,
    share: Annotated[float, typer.Option("--share", help="Canary: this share of orders (0–1)")] = 0.0,
    region: Annotated[list[str] | None, typer.Option("--region", help="Canary: orders to this place")] = None,
    actor: AsOption = None,
    role: RoleOption = "admin",
    db: DbOption = None,
) -> None:
    """Publish an approved draft as the next version: active now, or a canary (--share / --region)."""
    from ordo.rules.language.glossary import default_glossary
    from ordo.service import rules as R

    ordo = open_ordo(db)
    canary = R.Canary(share, R.canary_places(region or [], default_glossary())) if share or region else None
    print_json(_run(lambda: R.publish(ordo, _actor(actor, role), draft, note=note, canary=canary)))


@rules_app.command("rollback")
def rollback(
    version: int,
    note: NoteOption,
    actor: AsOption = None,
    role: RoleOption = "admin",
    emergency: Annotated[
        bool, typer.Option(help="At once, without a second person (admin; ops up to L2) / 紧急回滚")
    ] = False,
    db: DbOption = None,
) -> None:
    """Make VERSION the active rule set for the next order (any canary is withdrawn).

    An L2/L3 rollback waits for a second person's approval (`ordo rules approve-rollback`)
    unless --emergency is given by a duty role; the note is the audited reason.
    """
    from ordo.service import rules as R

    ordo = open_ordo(db)
    print_json(_run(lambda: R.rollback(ordo, _actor(actor, role), version, note=note, emergency=emergency)))


@rules_app.command("approve-rollback")
def approve_rollback(
    request: int, note: NoteOption, actor: AsOption = None, role: RoleOption = "admin", db: DbOption = None
) -> None:
    """Approve someone else's rollback request REQUEST; it takes effect at once."""
    from ordo.service import rules as R

    ordo = open_ordo(db)
    print_json(_run(lambda: R.approve_rollback(ordo, _actor(actor, role), request, note=note)))


@rules_app.command("history")
def history(
    audit: Annotated[bool, typer.Option("--audit", help="Also print the audit log")] = False,
    db: DbOption = None,
) -> None:
    """Versions (active, canary, retired), and optionally every audited change."""
    from ordo.service import rules as R

    ordo = open_ordo(db)
    out = R.history(ordo)
    if audit:
        out["audit"] = R.audit_log(ordo)
    print_json(out)
