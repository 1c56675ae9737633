"""The OpenAPI contract, checked by schemathesis on every operation, on SQLite and PostgreSQL.

A bounded run of schemathesis's engine (what ``schemathesis run --checks all`` drives) over
the app in process: the examples, coverage and fuzzing phases, every check (no 5xx, every
status documented, responses matching their schemas, schema-valid requests accepted,
schema-invalid ones refused, auth not ignored, unsupported methods 405 …), with an admin key.
Any failure fails the test and is listed with the curl that reproduces it.

Bounded so a run takes a minute or two per backend on two cores: ``MAX_EXAMPLES`` cases per
operation in the fuzzing phase, a fixed seed (the same cases on every run), no shrinking.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import anyio
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from starlette.exceptions import StarletteDeprecationWarning
from starlette.types import Message, Receive, Scope, Send

from ordo.api import create_app
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.conftest import make_app, seed_tiny_world

# Each run takes about three minutes on a quiet 2-core machine; the suite-wide 300 s
# timeout left too little room when the machine is busy.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: Generated cases per operation in the fuzzing phase (the coverage phase adds its own edge cases).
MAX_EXAMPLES = 8
SEED = 15
STREAM_PATH = "/api/v1/stream"


#: Operations whose schema-valid requests may still be refused (422, naming the field) by a rule
#: about stored data or a grammar, which no schema can state: the catalog's SKUs and
#: warehouses, the region vocabulary, the users an incident can go to, the rule language, an
#: address the geocoder cannot place, an outbound URL's target, a range that ends before it
#: starts. Everything else a schema-valid request meets must be in the schema.
DATA_DEPENDENT = {
    ("POST", "/api/v1/orders"): "SKUs from the catalog; amounts that add up",
    ("GET", "/api/v1/orders"): "province: the region vocabulary",
    ("GET", "/api/v1/holds"): "province: the region vocabulary",
    ("GET", "/api/v1/worklist/orders"): "province: the region vocabulary",
    ("POST", "/api/v1/worklist/exports"): "province: the region vocabulary",
    ("POST", "/api/v1/worklist/bulk"): "a warehouse or a carrier from the catalog",
    ("PUT", "/api/v1/orders/{order_id}/address"): "an address the geocoder can place",
    ("POST", "/api/v1/rules/parse"): "the rule language",
    ("POST", "/api/v1/rules/drafts"): "the rule language",
    ("PATCH", "/api/v1/rules/drafts/{draft_id}"): "the rule language",
    ("POST", "/api/v1/incidents/{incident_id}/assign"): "an active user",
    ("POST", "/api/v1/status-updates"): "each source system's status vocabulary",
    ("POST", "/api/v1/subscriptions"): "an http(s) URL whose target may be called",
    ("POST", "/api/v1/subscriptions/{sub_id}/replay"): "a range that ends after it starts",
    ("PUT", "/api/v1/inventory/safety"): "warehouses and SKUs from the catalog",
    ("PUT", "/api/v1/inventory/channels/{channel}"): "SKUs from the catalog",
}
#: schemathesis's default for positive_data_acceptance, plus the domain's 422.
_ACCEPTED_HERE = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


@dataclass(frozen=True)
class Failure:
    operation: str
    check: str
    title: str
    message: str
    curl: str
    answer: str

    def __str__(self) -> str:
        head = f"{self.operation} [{self.check}] {self.title}: {self.message}"
        return f"{head}\n    {self.curl}\n    → {self.answer}"


@dataclass(frozen=True)
class Run:
    operations: int
    failures: list[Failure]
    errors: list[str]
    seconds: float


class ClientLeaves:
    """The app, with a client that reads an event stream for ``after_s`` and then hangs up.

    ``GET /api/v1/stream`` never ends by itself (heartbeats keep it open), and schemathesis reads
    a stream until it has seen some events; a real client leaves, and so does this one.
    """

    def __init__(self, app: FastAPI, after_s: float = 0.2) -> None:
        self.app = app
        self.after_s = after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != STREAM_PATH:
            await self.app(scope, receive, send)
            return
        started = ended = False

        async def forward(message: Message) -> None:
            nonlocal started, ended
            if ended:
                return
            started = started or message["type"] == "http.response.start"
            ended = message["type"] == "http.response.body" and not message.get("more_body", False)
            await send(message)

        with anyio.move_on_after(self.after_s):
            await self.app(scope, receive, forward)
        if started and not ended:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def run_schemathesis(app: FastAPI, key: str, *, max_examples: int = MAX_EXAMPLES) -> Run:
    """Every operation of ``app``'s OpenAPI through every check; the failures found."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            # A hung request fails the run rather than the suite's timeout.
            "request-timeout": 30,
            "headers": {"Authorization": f"Bearer {key}"},
            "checks": {"enabled": True},
            "operations": [
                {
                    "include-method": method,
                    "include-path": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED_HERE}},
                }
                for method, path in DATA_DEPENDENT
            ],
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
            },
            # Without links between operations the stateful phase has nothing to chain.
            "phases": {"stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", ClientLeaves(app), config=config)
    operations = sum(1 for result in schema.get_all_operations() if result.ok())
    failures: list[Failure] = []
    errors: list[str] = []
    started = time.perf_counter()
    with warnings.catch_warnings():
        # Starlette's test client asks for the "httpx2" package in place of httpx; it works either way.
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                failures.extend(_failures(event))
            elif isinstance(event, events.NonFatalError):
                errors.append(f"{event.label}: {event.info.format()}\n{event.info.traceback}")
            elif isinstance(event, events.FatalError):
                errors.append(repr(event.exception))
    return Run(operations, failures, errors, time.perf_counter() - started)


def _failures(event: events.ScenarioFinished) -> Iterator[Failure]:
    for case_id, nodes in event.recorder.checks.items():
        interaction = event.recorder.interactions.get(case_id)
        response = interaction.response if interaction is not None else None
        answer = f"{response.status_code} {response.content[:300]!r}" if response is not None else "-"
        for node in nodes:
            if node.failure_info is None:
                continue
            failure = node.failure_info.failure
            yield Failure(
                event.recorder.label,
                node.name,
                failure.title,
                (failure.message or "").replace("\n", " ")[:300],
                node.failure_info.code_sample.splitlines()[-1][:400],
                answer,
            )


def _report(run: Run) -> str:
    unique = {(f.operation, f.check, f.title, f.message): f for f in run.failures}
    lines = [str(f) for f in unique.values()] + run.errors
    return f"{len(unique)} distinct failures over {run.operations} operations:\n" + "\n".join(lines)


def _contract_app(url: str, clock: ManualClock) -> Iterator[tuple[FastAPI, str, Ordo]]:
    ordo = make_app(url, clock)
    seed_tiny_world(ordo)
    key = create_key(ordo, Role.ADMIN, "schemathesis")
    try:
        yield create_app(ordo, Settings(database_url=url), stream_heartbeat_s=0.05), key, ordo
    finally:
        ordo.store.dispose()


@pytest.fixture
def sqlite_app(sqlite_url: str, clock: ManualClock) -> Iterator[tuple[FastAPI, str, Ordo]]:
    yield from _contract_app(sqlite_url, clock)


@pytest.fixture
def postgres_app(pg_url: str, clock: ManualClock) -> Iterator[tuple[FastAPI, str, Ordo]]:
    yield from _contract_app(pg_url, clock)


def _quiet() -> Callable[[], None]:
    # Refused requests log at WARNING and above; thousands of them would drown the report.
    logging.disable(logging.CRITICAL)
    return lambda: logging.disable(logging.NOTSET)


def test_the_data_dependent_operations_exist(sqlite_app: tuple[FastAPI, str, Ordo]) -> None:
    # A renamed operation would silently lose its exception, or keep a stale one.
    paths = sqlite_app[0].openapi()["paths"]
    missing = [(m, p) for m, p in DATA_DEPENDENT if m.lower() not in paths.get(p, {})]
    assert not missing


def test_every_operation_keeps_its_contract_on_sqlite(sqlite_app: tuple[FastAPI, str, Ordo]) -> None:
    app, key, _ = sqlite_app
    restore = _quiet()
    try:
        run = run_schemathesis(app, key)
    finally:
        restore()
    assert run.operations >= 60, run
    assert not run.failures and not run.errors, _report(run)


@pytest.mark.postgres
def test_every_operation_keeps_its_contract_on_postgresql(postgres_app: tuple[FastAPI, str, Ordo]) -> None:
    app, key, _ = postgres_app
    restore = _quiet()
    try:
        run = run_schemathesis(app, key)
    finally:
        restore()
    assert run.operations >= 60, run
    assert not run.failures and not run.errors, _report(run)
