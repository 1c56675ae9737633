"""``ordo forecast …``: demand forecasts from a terminal — ``refresh`` recomputes and keeps the
last forecast of every SKU × warehouse (what the rules' 预测库存风险 reads at intake), ``show``
prints one warehouse's forecast, stock risk and replenishment suggestion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json

forecast_app = typer.Typer(help="Demand forecasts / 需求预测", no_args_is_help=True)
console = Console(stderr=True)
History = Annotated[int, typer.Option(help="Days of order history to fit (28..730) / 历史天数")]
Target = Annotated[int, typer.Option(help="Days of cover to replenish to (1..90) / 目标覆盖天数")]


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


@forecast_app.command("refresh")
def refresh_command(db: DbOption = None, history_days: History = 112, target_days: Target = 14) -> None:
    """Forecast every SKU × warehouse and keep the result; prints the counts by risk level."""
    from ordo.service.forecast.refresh import refresh

    _run(db, lambda ordo: refresh(ordo, history_days=history_days, target_days=target_days))


@forecast_app.command("show")
def show_command(
    warehouse: Annotated[str, typer.Argument(help="Warehouse id / 仓库编号")],
    db: DbOption = None,
    history_days: History = 112,
    target_days: Target = 14,
) -> None:
    """One warehouse: each SKU's 72-hour and 14-day forecast, stock risk and replenishment."""
    from ordo.service.forecast.demand import warehouse_forecast

    _run(db, lambda o: warehouse_forecast(o, warehouse, history_days=history_days, target_days=target_days))
