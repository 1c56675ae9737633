"""``ordo bench …``: the benchmarks behind BENCHMARKS.md, each printing one JSON object.

Heavy imports happen inside the commands so ``ordo --help`` stays instant.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ordo.cli.bench_wave import wave_command
from ordo.cli.common import print_json

bench_app = typer.Typer(help="Benchmarks (print one JSON object) / 基准测试", no_args_is_help=True)
bench_app.command("wave")(wave_command)


@bench_app.command("intake")
def bench_intake(
    orders: Annotated[int, typer.Option(help="Orders through the service layer")] = 20_000,
    batch: Annotated[int, typer.Option(help="Orders per batch (the API takes up to 1,000)")] = 1000,
    http_orders: Annotated[int, typer.Option(help="Orders through HTTP (0 to skip)")] = 5_000,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Intake throughput and latency: service layer, HTTP, and raw SQLite for the ratio."""
    from ordo.bench.intake import run

    print_json(run(orders=orders, batch=batch, http_orders=http_orders, seed=seed))


@bench_app.command("channels")
def bench_channels(
    payloads: Annotated[int, typer.Option(help="Payloads per channel through the adapters")] = 20_000,
    webhooks: Annotated[int, typer.Option(help="Signed webhooks to a real ordo serve (0 to skip)")] = 2_000,
    rate: Annotated[float, typer.Option(help="Webhooks offered per second")] = 500.0,
    workers: Annotated[int, typer.Option(help="ordo serve --workers for the webhook run")] = 1,
) -> None:
    """Adapter mapping throughput per channel and webhook → visible latency."""
    from ordo.bench.channels import run

    print_json(run(payloads=payloads, webhooks=webhooks, rate=rate, workers=workers))


@bench_app.command("identity")
def bench_identity() -> None:
    """Identity resolution: identifier links per second (union-find, keys, store)."""
    from ordo.bench.identity import run

    print_json(run())


@bench_app.command("backtest")
def bench_backtest(
    orders: Annotated[int, typer.Option(help="Stored orders to backtest over")] = 1_000_000,
    db: Annotated[str | None, typer.Option(help="Database URL (default: a temporary SQLite file)")] = None,
    repeat: Annotated[int, typer.Option(help="Runs; the figures are the medians")] = 3,
) -> None:
    """Backtest of 100 rules against 50 over stored orders: read, evaluate, diff."""
    from ordo.bench.backtest import run

    print_json(run(orders, db, repeat=repeat))


@bench_app.command("status")
def bench_status(
    orders: Annotated[int, typer.Option(help="Orders whose systems report")] = 4_000,
    batch: Annotated[int, typer.Option(help="Status updates per request")] = 1_000,
) -> None:
    """Status-update ingestion (system vocabularies → milestones) in batches on SQLite."""
    from ordo.bench.status import run

    print_json(run(orders=orders, batch=batch))


@bench_app.command("routing")
def bench_routing() -> None:
    """Routing: one 5-line order over 500 warehouses, a 10,000-order wave, the optimiser's gap."""
    from ordo.bench.routing import run
    from ordo.extras import require

    require("optimise")

    print_json(run())


@bench_app.command("optimise")
def bench_optimise(
    orders: Annotated[int, typer.Option(help="Orders in the wave")] = 10_000,
    warehouses: Annotated[int, typer.Option(help="Capacity-limited warehouses")] = 200,
) -> None:
    """Batch optimiser: exact min-cost assignment, and the router's gap with and without duals."""
    from ordo.bench.optimise import run
    from ordo.extras import require

    require("optimise")

    print_json(run(orders=orders, warehouses=warehouses))


@bench_app.command("health")
def bench_health() -> None:
    """Order health: recompute the score of 1,000,000 open orders (vectorised) and aggregate."""
    from ordo.bench.health import run

    print_json(run())


@bench_app.command("stream")
def bench_stream(
    rate: Annotated[int, typer.Option(help="Milestone updates offered per second")] = 1000,
    batch: Annotated[int, typer.Option(help="Updates per request")] = 10,
    seconds: Annotated[float, typer.Option(help="How long to send")] = 10.0,
    senders: Annotated[int, typer.Option(help="Concurrent sending threads")] = 4,
) -> None:
    """Milestone update accepted by the API → event received on the SSE stream: p50/p99."""
    from ordo.bench.stream import run

    print_json(run(rate=rate, batch=batch, seconds=seconds, senders=senders))


@bench_app.command("cluster")
def bench_cluster(
    db: Annotated[
        str, typer.Option("--db", help="PostgreSQL URL of an empty database / 空的 PostgreSQL 数据库")
    ],
    orders: Annotated[int, typer.Option(help="Orders posted, one per request")] = 3000,
    clients: Annotated[int, typer.Option(help="Concurrent clients")] = 32,
    kill: Annotated[bool, typer.Option(help="kill -9 the node holding the upkeep lease mid-run")] = True,
) -> None:
    """deploy/Procfile as processes (NATS + 3 nodes on one PostgreSQL), a node killed mid-run:
    orders/s, failover time, SSE cross-node latency, nothing lost."""
    from ordo.bench.cluster import run

    print_json(run(db, orders=orders, clients=clients, kill=kill))


@bench_app.command("pages")
def bench_pages(
    orders: Annotated[int, typer.Option(help="Orders seeded (bulk insert)")] = 1_000_000,
) -> None:
    """Dashboard reads over many orders: overview (cold and warm) and order search."""
    from ordo.bench.pages import run

    print_json(run(orders))


@bench_app.command("worklist")
def bench_worklist(
    orders: Annotated[int, typer.Option(help="Orders seeded (bulk insert)")] = 1_000_000,
    export_rows: Annotated[int, typer.Option(help="Orders in the timed .xlsx export")] = 100_000,
    live: Annotated[int, typer.Option(help="New orders timed into an open filtered view (0: skip)")] = 20,
    db: Annotated[str | None, typer.Option("--db", help="A database URL to seed or reuse")] = None,
) -> None:
    """Order workbench: search by platform order number, id, phone, recipient, SKU; .xlsx export."""
    from ordo.bench.worklist import run

    print_json(run(orders, db=db, export_rows=export_rows, live=live))


@bench_app.command("ask")
def bench_ask(
    orders: Annotated[int, typer.Option(help="Orders seeded for the timing (bulk insert)")] = 1_000_000,
    check_orders: Annotated[
        int, typer.Option(help="Orders of the world the answers are checked on")
    ] = 20_000,
    db: Annotated[str | None, typer.Option("--db", help="A database URL to seed or reuse (timing)")] = None,
) -> None:
    """Questions in plain language: the corpus's correct-answer rate (held-out apart), p95 latency."""
    from ordo.bench.ask import run

    print_json(run(orders, check_orders, db=db))


@bench_app.command("intents")
def bench_intents() -> None:
    """Service-message intents: accuracy on the held-out set (target ≥ 90 %), time per message."""
    from ordo.bench.intents import run

    print_json(run())


@bench_app.command("forecast")
def bench_forecast(
    series: Annotated[int, typer.Option(help="Simulated SKU × warehouse daily series")] = 10_000,
    days: Annotated[int, typer.Option(help="Days of history per series")] = 364,
    origins: Annotated[int, typer.Option(help="Backtest origins per horizon")] = 3,
) -> None:
    """Demand forecasts: fit + forecast time (target ≤ 120 s), MASE against seasonal naive."""
    from ordo.bench.forecast import run

    print_json(run(series=series, days=days, origins=origins))


@bench_app.command("risk")
def bench_risk(
    orders: Annotated[int, typer.Option(help="Open orders seeded (bulk insert)")] = 1_000_000,
    repeat: Annotated[int, typer.Option(help="Scans timed")] = 5,
    db: Annotated[str | None, typer.Option("--db", help="A database URL to seed or reuse")] = None,
    plan_orders: Annotated[
        int,
        typer.Option(
            help="Instead: a disposal plan over this many exposed orders (propose, approve, execute)"
        ),
    ] = 0,
) -> None:
    """Risk radar: the impact scan of a typhoon track over many open orders (target ≤ 1 s);
    with --plan-orders, a disposal plan over that many exposed orders (target ≤ 5 s for 10,000)."""
    if plan_orders > 0:
        from ordo.bench import risk_plan

        print_json(risk_plan.run(plan_orders, db=db, repeat=repeat))
        return
    from ordo.bench.risk import run

    print_json(run(orders, db=db, repeat=repeat))


@bench_app.command("oversell")
def bench_oversell(
    procs: Annotated[int, typer.Option(help="Processes reserving at once")] = 8,
    db: Annotated[str, typer.Option("--db", help="sqlite, postgres, or a database URL")] = "sqlite",
    orders: Annotated[int, typer.Option(help="Orders per process")] = 200,
) -> None:
    """Processes reserving the same hot SKUs through the service: units reserved vs on hand, 0 oversold."""
    from ordo.bench.oversell import run

    report = run(procs=procs, db=db, orders=orders)
    print_json(report)
    if report["oversold_units"] or not report["books_balance"]:
        raise typer.Exit(1)


@bench_app.command("rules")
def bench_rules() -> None:
    """Rule evaluation: µs per order (scalar) and rows/s over a million orders (Polars)."""
    from ordo.bench.rules import run

    print_json(run())


@bench_app.command("rules-corpus")
def bench_rules_corpus(
    corpus: Annotated[str, typer.Option(help="corpus file (JSON lines) / 语料文件")] = (
        "tests/corpus/rules/corpus.jsonl"
    ),
) -> None:
    """Rule sentences as people write them: parse and correct-meaning rates, tuning vs held-out."""
    from pathlib import Path

    from ordo.bench.rules_corpus import run

    print_json(run(Path(corpus)).as_dict())


@bench_app.command("pull")
def bench_pull(
    orders: Annotated[int, typer.Option(help="Orders in all, spread over the shops")] = 100_000,
    shops: Annotated[
        int, typer.Option(help="Emulated shops (Taobao, Tmall, JD, Pinduoduo, Douyin in turn)")
    ] = 10,
    kill_after: Annotated[
        float | None, typer.Option(help="SIGKILL the first pulling process after N seconds, then resume")
    ] = None,
) -> None:
    """Pull from the local platform emulator: orders/s taken in, duplicates and gaps counted."""
    from ordo.bench.platforms import run_pull

    print_json(run_pull(orders=orders, shops=shops, kill_after_s=kill_after))


@bench_app.command("writeback")
def bench_writeback(
    rate: Annotated[float, typer.Option(help="Shipments leaving per second")] = 200.0,
    seconds: Annotated[float, typer.Option(help="How long they keep leaving")] = 20.0,
) -> None:
    """Outbound milestone → platform acknowledged, against the local platform emulator."""
    from ordo.bench.platforms import run_writeback

    print_json(run_writeback(rate=rate, seconds=seconds))


@bench_app.command("customers")
def bench_customers(
    orders: Annotated[int, typer.Option(help="Orders through the customer-value refresh path")] = 100_000,
    customers: Annotated[int, typer.Option(help="Customers in the generated world")] = 20_000,
    batch: Annotated[int, typer.Option(help="Orders per transaction")] = 1000,
    intake_orders: Annotated[int, typer.Option(help="Orders per intake A/B run (0 to skip)")] = 10_000,
    rounds: Annotated[int, typer.Option(help="Intake A/B rounds, alternated")] = 3,
    db: Annotated[str | None, typer.Option("--db", help="Database URL for the refresh part")] = None,
) -> None:
    """Customer value: the refresh path's rate alone (target ≥ 5,000 orders/s) and intake with
    and without rules that read customer value, alternated."""
    from ordo.bench.customers import run

    print_json(
        run(
            orders=orders, customers=customers, batch=batch, intake_orders=intake_orders, rounds=rounds, db=db
        )
    )
