"""``ordo relay``: hand the outbox on to subscriptions, MQTT and NATS until stopped (Ctrl-C)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from ordo.cli.common import open_ordo

console = Console(stderr=True)


def relay(db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None) -> None:
    """Deliver events out: subscriptions always; MQTT with ORDO_MQTT_URL, NATS with ORDO_NATS_URL."""
    from ordo.service.events.outbound import OutboundConfig
    from ordo.service.runtime.background import Job

    ordo = open_ordo(db)
    cfg = OutboundConfig.from_env()
    ordo.background.start([Job.OUTBOUND], outbound=cfg)
    console.print(
        "relaying / 事件转发中: subscriptions"
        + (f", MQTT {cfg.mqtt_url}" if cfg.mqtt_url else "")
        + (f", NATS {cfg.nats_url}" if cfg.nats_url else "")
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        ordo.background.stop()
        ordo.store.dispose()
