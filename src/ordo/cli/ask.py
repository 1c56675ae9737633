"""``ordo ask "南京仓昨日准时率"``: a question over the metrics layer, answered with its SQL."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import orjson
import typer
from rich.console import Console

from ordo.cli.common import open_ordo

console = Console(stderr=True)


def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English / 问题")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en / 语言")] = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="The whole answer as JSON / 输出 JSON")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Count 昨日 / last week from this time (ISO 8601) / 以此时刻为“现在”"),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None,
) -> None:
    """Ask Ordo a question about its orders; the answer shows the SQL and the definitions used."""
    from ordo.domain.errors import OrdoError
    from ordo.service.insight.ask import ask

    if lang not in ("zh", "en"):
        console.print(f"--lang must be zh or en, not {lang!r} / 语言须为 zh 或 en")
        raise typer.Exit(2)
    now_ns = None
    if as_of is not None:
        try:
            when = dt.datetime.fromisoformat(as_of)
        except ValueError:
            console.print(f"--as-of: not an ISO 8601 time: {as_of!r} / 不是 ISO 8601 时间")
            raise typer.Exit(2) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # Shanghai, as ops teams mean
        now_ns = int(when.timestamp()) * 1_000_000_000
    ordo = open_ordo(db)
    try:
        found = ask(ordo, question, now_ns=now_ns)
    except OrdoError as exc:
        console.print(exc.message)
        for s in exc.details.get("suggestions", []):
            console.print(f"  · {s[lang]}")
        raise typer.Exit(1) from None
    finally:
        ordo.store.dispose()
    if as_json:
        sys.stdout.write(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    out = [found["answer"][lang]]
    for row in found["rows"] if found["group_by"] else []:
        label = " / ".join(str(row.get(f"{d}_label", row[d])) for d in found["group_by"])
        out.append(f"  {label}\t{row['display']}")
    definition = found["metric"]["definition"][lang]
    out += [
        "",
        f"{found['metric'][lang]}: {definition}",
        "",
        found["sql"],
        orjson.dumps(found["params"]).decode(),
    ]
    sys.stdout.write("\n".join(out) + "\n")
