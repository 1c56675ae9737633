"""Percentiles and machine facts for benchmark reports."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_ms(samples_s: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples_s, 50) * 1000, 3),
        "p99_ms": round(percentile(samples_s, 99) * 1000, 3),
    }


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
