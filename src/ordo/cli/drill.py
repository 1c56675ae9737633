"""``ordo drill``: run resilience drills (Chaos Toolkit-format scenarios) against an Ordo it starts.

Thin: find the scenarios, run each (``ordo.drills.runner``), write the journals, print a
summary as JSON; exit 1 when any drill failed its verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def drill_command(
    scenarios: Annotated[
        list[str] | None, typer.Argument(help="Scenario names or .json files / 演练场景")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every scenario of the library / 全部场景")] = False,
    db: Annotated[str, typer.Option(help="sqlite, postgres, or a database URL / 数据库")] = "sqlite",
    journals: Annotated[Path, typer.Option(help="Folder for the journals / 日志目录")] = Path(
        "drill-journals"
    ),
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="NAME=VALUE into the scenarios' configuration")
    ] = None,
    ci: Annotated[
        bool, typer.Option("--ci", help="The scenarios' shorter CI values (their ci extension) / CI 短时长")
    ] = False,
    parallel: Annotated[
        int,
        typer.Option(min=1, max=8, help="Lanes of drills run side by side, each on its own Ordo / 并行数"),
    ] = 1,
) -> None:
    """Run drills: steady state before and after the faults, journal, verdict, RTO and RPO."""
    import dataclasses
    import json
    import tempfile

    from ordo.cli.common import print_json
    from ordo.drills import ScenarioError, Targets, find, library, load, run_all, write_journal

    if all_ == bool(scenarios):
        raise typer.BadParameter("name scenarios or give --all, not both / 指定场景或 --all，二选一")
    overrides: dict[str, object] = {}
    for item in set_ or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--set {item!r}: expected NAME=VALUE / 格式应为 名称=值")
        try:
            overrides[name] = json.loads(value)
        except json.JSONDecodeError:
            overrides[name] = value
    try:
        paths = library() if all_ else [find(s) for s in scenarios or []]
        experiments = [load(p) for p in paths]
    except ScenarioError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    if overrides:  # --set wins over the configuration and over the CI values alike
        experiments = [
            dataclasses.replace(
                e,
                configuration={**e.configuration, **overrides},
                ci={k: v for k, v in e.ci.items() if k not in overrides},
            )
            for e in experiments
        ]
    with tempfile.TemporaryDirectory(prefix="ordo-drills-") as tmp:
        targets = Targets(Path(tmp))  # drills whose server is configured alike share one
        try:
            ran = run_all(
                experiments,
                db=db,
                targets=targets,
                ci=ci,
                parallel=parallel,
                done=lambda e, j: typer.echo(f"{e.name}: {j['verdict']}", err=True),
            )
        finally:
            targets.close()
    summary = [_summary(e.name, j, write_journal(j, journals)) for e, j in zip(experiments, ran, strict=True)]
    print_json({"drills": summary, "failed": sum(s["verdict"] == "failed" for s in summary)})
    if any(s["verdict"] == "failed" for s in summary):
        raise typer.Exit(1)


def _summary(name: str, journal: dict[str, Any], path: Path) -> dict[str, object]:
    m = journal.get("ordo", {}).get("measurements", {})
    return {
        "scenario": name, "verdict": journal["verdict"], "db": journal["ordo"]["db"],
        "profile": journal["ordo"]["profile"],
        "rto_s": m.get("rto_s"), "rpo_orders": m.get("rpo_orders"),
        "orders_acknowledged": m.get("orders_acknowledged"), "duration_s": journal.get("duration"),
        "reason": journal.get("reason") or journal.get("exception") or journal.get("failed_activities"),
        "journal": str(path),
    }  # fmt: skip
