"""Running events out: delivery to subscriptions and broker relays, each in its own thread.

Nothing here runs in a request: intake commits, the notifier pokes these
threads, and they read the outbox on their own time, so a slow or dead receiver
never slows intake. Configuration comes from the environment: ``ORDO_MQTT_URL``
and ``ORDO_NATS_URL`` switch the brokers on (both off by default); delivery to
subscriptions is on whenever one exists.

Every commit pokes the subscription worker, and most deployments have no subscription:
:class:`SubscriptionGate` remembers "none" instead of reading the table each time,
until this process changes subscriptions (at once) or ``idle_s`` passes (so one
made by another process is seen within that).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ordo.clock import NS_PER_S
from ordo.service.events import subscriptions
from ordo.service.runtime.app import Ordo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboundConfig:
    mqtt_url: str = ""
    nats_url: str = ""
    mqtt_prefix: str = "ordo/events"
    #: Seconds between polls when nothing has woken a worker (commits by other processes).
    idle_s: float = 1.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> OutboundConfig:
        e = os.environ if env is None else env
        return cls(
            mqtt_url=e.get("ORDO_MQTT_URL", ""),
            nats_url=e.get("ORDO_NATS_URL", ""),
            mqtt_prefix=e.get("ORDO_MQTT_PREFIX", "ordo/events"),
            idle_s=float(e.get("ORDO_OUTBOUND_IDLE_S", "1.0")),
        )


class Worker(threading.Thread):
    """Calls ``step`` until stopped; sleeps when it did nothing, until poked or ``idle_s`` passes
    (or sooner, when ``due`` says in how many seconds a retry may run)."""

    def __init__(
        self,
        name: str,
        step: Callable[[], int],
        idle_s: float,
        close: Callable[[], None],
        due: Callable[[], float] | None = None,
        gate: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self._step = step
        #: Whether this round may run (a lease held: :mod:`ordo.service.runtime.background`).
        self.gate = gate
        self._idle_s = idle_s
        self._close = close
        self._due = due
        self._wake = threading.Event()
        self._halt = threading.Event()

    def poke(self) -> None:
        self._wake.set()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                self._wake.clear()
                try:
                    done = self._step() if self.gate is None or self.gate() else 0
                except Exception:  # a worker must outlive any one bad round; the log says why
                    log.exception("outbound worker %s failed a round", self.name)
                    done = 0
                if not done:
                    self._wake.wait(self._pause_s())
        finally:
            self._close()

    def _pause_s(self) -> float:
        due = self._due() if self._due is not None else 0.0
        return min(self._idle_s, due) if due > 0 else self._idle_s

    def stop(self) -> None:
        self._halt.set()
        self._wake.set()


class SubscriptionGate:
    """Runs ``step`` (the subscription dispatcher) only while some subscription exists.

    Whether one exists is read at most once per ``recheck_s`` (on the injected clock),
    and again at once after this process changed subscriptions.
    """

    def __init__(self, app: Ordo, step: Callable[[], int], recheck_s: float) -> None:
        self._app = app
        self._step = step
        self._recheck_ns = int(recheck_s * NS_PER_S)
        #: (any subscription?, read at, change count then); None until first read.
        self._known: tuple[bool, int, int] | None = None

    def __call__(self) -> int:
        now, changes = self._app.clock.now_ns(), subscriptions.changes(self._app)
        known = self._known
        if known is None or known[2] != changes or not 0 <= now - known[1] < self._recheck_ns:
            with self._app.store.uow(read_only=True) as uow:
                present = bool(uow.outbound.subscriptions())
            self._known = known = (present, now, changes)
        return self._step() if known[0] else 0


@dataclass(slots=True)
class Outbound:
    workers: list[Worker] = field(default_factory=list)
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)

    def stop(self, timeout_s: float = 5.0) -> None:
        for undo in self._unsubscribe:
            undo()
        for w in self.workers:
            w.stop()
        for w in self.workers:
            w.join(timeout_s)


def start_outbound(
    app: Ordo,
    config: OutboundConfig | None = None,
    gate: Callable[[str], Callable[[], bool]] | None = None,
) -> Outbound:
    """Start delivery to subscriptions, and the MQTT / NATS relays that are configured;
    ``gate(thread name)`` (when given) says before each round whether it may run."""
    from ordo.adapters.outbound.http import HttpSender
    from ordo.service.events.delivery import SubscriptionDispatcher
    from ordo.service.events.relay import Relay

    cfg = config or OutboundConfig.from_env()
    sender = HttpSender(allow_hosts=app.settings.outbound_allow_hosts)
    deliver = SubscriptionGate(app, SubscriptionDispatcher(app, sender).run_once, cfg.idle_s)
    workers = [Worker("ordo-subscriptions", deliver, cfg.idle_s, sender.close)]
    # 通知 from the rules: group bots and e-mail (ordo.service.events.alerts).
    from ordo.adapters.outbound.bots import BotSender
    from ordo.service.events.alerts import AlertDispatcher

    bots = BotSender()
    workers.append(Worker("ordo-alerts", AlertDispatcher(app, bots).run_once, cfg.idle_s, bots.close))
    # The chat bots' replies that waited for room in a platform's rate limit.
    from ordo.service.insight.chat import BotReplyDispatcher

    replies = BotReplyDispatcher(app)
    workers.append(Worker("ordo-bot-replies", replies.run_once, cfg.idle_s, replies.close))
    if cfg.mqtt_url:
        from ordo.adapters.outbound.mqtt import MqttPublisher

        mqtt = MqttPublisher(cfg.mqtt_url, prefix=cfg.mqtt_prefix)
        to_mqtt = Relay(app, mqtt)
        workers.append(Worker("ordo-mqtt", to_mqtt.run_once, cfg.idle_s, mqtt.close, to_mqtt.due_s))
    if cfg.nats_url:
        from ordo.adapters.outbound.nats import NatsPublisher

        nats = NatsPublisher(cfg.nats_url)
        to_nats = Relay(app, nats)
        workers.append(Worker("ordo-nats", to_nats.run_once, cfg.idle_s, nats.close, to_nats.due_s))
    out = Outbound(workers)
    for w in workers:
        if gate is not None:
            w.gate = gate(w.name)
        out._unsubscribe.append(app.notifier.subscribe(w.poke))
        w.start()
    return out
