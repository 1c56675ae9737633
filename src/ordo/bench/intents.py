"""``ordo bench intents``: how well service messages are tagged, and how fast.

* ``tuning_loo``: accuracy on the training examples (``intents.jsonl``), each left out in turn
  (the share the cue words were tuned on);
* ``held_out``: accuracy on ``intents_held_out.jsonl``, written apart and never tuned on;
* ``per_message_us``: median time to tag one message.

Target: held-out accuracy ≥ 90 %.
"""

from __future__ import annotations

import statistics
import time
import tomllib
from importlib import resources
from typing import Any

from ordo.bench.stats import machine

TARGET = 0.90


def run(repeat: int = 2000) -> dict[str, Any]:
    from ordo.domain.intents import train
    from ordo.service.insight.intents import default_model, examples

    cfg = tomllib.loads(
        resources.files("ordo.service.insight").joinpath("intent_cues.toml").read_text("utf-8")
    )
    cues = {k: tuple(v) for k, v in cfg["cues"].items()}
    tuning = examples("intents.jsonl")
    loo = 0
    for k, (text, intent) in enumerate(tuning):
        model = train((x for j, x in enumerate(tuning) if j != k), cues=cues, cue_weight=float(cfg["weight"]))
        loo += next(iter(model.scores(text))) == intent
    held = examples("intents_held_out.jsonl")
    model = default_model()
    wrong = [(t, i, next(iter(model.scores(t)))) for t, i in held if next(iter(model.scores(t))) != i]
    times = []
    for k in range(repeat):
        text = held[k % len(held)][0]
        t0 = time.perf_counter()
        model.scores(text)
        times.append((time.perf_counter() - t0) * 1e6)
    accuracy = 1 - len(wrong) / len(held)
    return {
        "bench": "intents",
        "machine": machine(),
        "examples": len(tuning),
        "held_out_examples": len(held),
        "tuning_loo": round(loo / len(tuning), 4),
        "held_out": round(accuracy, 4),
        "wrong_held_out": [{"text": t, "intent": i, "read_as": r} for t, i, r in wrong],
        "per_message_us": round(statistics.median(times), 1),
        "targets": {"held_out": TARGET, "met": accuracy >= TARGET},
    }
