"""The question corpus against a small synthetic world: at least 90 % of the questions read as
intended with every row equal to an independent Python computation, on the tuning share and on
the held-out share (``ordo bench ask`` prints the same rates at scale)."""

from __future__ import annotations

from ordo.bench.ask import CORRECT_TARGET, check, corpus, fill
from ordo.clock import ManualClock
from tests.conftest import make_app


def test_the_corpus_is_answered_correctly(sqlite_url: str, clock: ManualClock) -> None:
    app = make_app(sqlite_url, clock)
    rows: list = []  # type: ignore[type-arg]
    fill(app, 3_000, 3, rows)
    items = corpus()
    results = check(app, rows, items)
    app.store.dispose()
    held = [r for r in results if r["held_out"]]
    tuning = [r for r in results if not r["held_out"]]
    assert len(items) >= 150 and len(held) >= 0.25 * len(items)
    wrong = [(r["q"], r["why"]) for r in results if not r["ok"]]
    assert sum(r["ok"] for r in tuning) / len(tuning) >= CORRECT_TARGET, wrong
    assert sum(r["ok"] for r in held) / len(held) >= CORRECT_TARGET, wrong
