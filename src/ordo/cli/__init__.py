"""``ordo``: the operator's command line. Thin: parse, call the service layer, print.

One module per command group; heavy imports happen inside the commands so
``ordo --help`` stays instant.
"""

from __future__ import annotations

import typer

from ordo.cli.ask import ask_command
from ordo.cli.bench import bench_app
from ordo.cli.channels import channels_app, import_file
from ordo.cli.db import db_app
from ordo.cli.drill import drill_command
from ordo.cli.explain import explain_command
from ordo.cli.forecast import forecast_app
from ordo.cli.keys import keys_app
from ordo.cli.orders import orders_app
from ordo.cli.relay import relay
from ordo.cli.risk import risk_app
from ordo.cli.rules import rules_app
from ordo.cli.serve import serve
from ordo.cli.shops import shops_app
from ordo.cli.status import status_app
from ordo.cli.users import users_app
from ordo.cli.world import demo, simulate, world_app

__all__ = ["app", "main"]

app = typer.Typer(help="Ordo: a real-time order hub / 实时订单中枢", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(orders_app, name="orders")
app.add_typer(world_app, name="world")
app.add_typer(bench_app, name="bench")
app.add_typer(channels_app, name="channels")
app.add_typer(shops_app, name="shops")
app.add_typer(rules_app, name="rules")
app.add_typer(status_app, name="status")
app.add_typer(risk_app, name="risk")
app.add_typer(forecast_app, name="forecast")
app.command("relay")(relay)
app.command("serve")(serve)
app.command("import")(import_file)
app.command("explain")(explain_command)
app.command("ask")(ask_command)
app.command("simulate")(simulate)
app.command("demo")(demo)
app.command("drill")(drill_command)


def main() -> None:
    from ordo.extras import MissingExtra

    try:
        app()
    except MissingExtra as e:  # a part whose extra is not installed: say which, no traceback
        typer.echo(str(e), err=True)
        raise SystemExit(1) from None
