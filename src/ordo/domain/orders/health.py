"""Order health: one score per open order from weighted indicators, red / yellow / green.

Every indicator is a risk in [0, 1], computed for all orders at once over NumPy arrays
(no Python loop per order). *Problem* indicators deduct points (their weight) from
100; *exposure* indicators (customer tier, order value, the channel's penalties for
lateness) do not make a healthy order sick, they amplify the deduction of a sick one::

    score = 100 - Σ points_i · risk_i · (1 + Σ exposure_j · risk_j)      (clipped to 0..100)

Weights, bands, per-milestone norms and per-channel / province / carrier tables are
data (:class:`HealthWeights`, ``DEFAULT_*``). Pure: ``now_ns`` is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
I = npt.NDArray[np.int64]
NS = 1_000_000_000
HOUR = 3600.0


class Band(IntEnum):
    GREEN = 0
    YELLOW = 1
    RED = 2


BAND_LABELS: Mapping[Band, tuple[str, str]] = {
    Band.GREEN: ("green", "健康"),
    Band.YELLOW: ("yellow", "关注"),
    Band.RED: ("red", "危险"),
}

PROBLEMS = (
    "promise_risk",
    "stock",
    "transport",
    "dwell",
    "sla_slack",
    "exceptions_open",  # open incidents; the key is in the health JSON (indicators), kept as it was
    "conflicts",
    "address",
    "weather",
    "carrier",
)
EXPOSURES = ("customer_tier", "value", "channel_penalty")
INDICATORS = PROBLEMS + EXPOSURES

#: Typical hours an order still needs from its last main milestone (index = milestone number).
REMAINING_H = np.array(
    [72, 72, 70, 70, 69, 69, 68, 67, 66, 65, 65, 64, 62, 58, 54, 4, 0, 0], dtype=np.float64
)
#: Typical hours an order sits at a milestone before the next one (index = milestone number).
DWELL_H = np.array(
    [24, 0.5, 0.5, 1.5, 0.5, 0.5, 0.5, 1.5, 0.5, 0.2, 3, 4, 6, 4, 48, 6, 168, 168], dtype=np.float64
)
TIER_RISK: Mapping[str, float] = {"regular": 0.0, "silver": 0.25, "gold": 0.6, "diamond": 1.0}
#: How hard a channel fines late status or late shipping (抖音 deducts commission after 15 min).
CHANNEL_PENALTY: Mapping[str, float] = {
    "douyin": 1.0,
    "pinduoduo": 0.8,
    "kuaishou": 0.8,
    "tmall": 0.6,
    "taobao": 0.5,
    "jd": 0.6,
    "wechat_mp": 0.3,
    "b2b": 0.4,
    "pos": 0.1,
    "api": 0.2,
}
#: Weather risk by province this season (the risk radar may replace it with live data).
WEATHER_RISK: Mapping[str, float] = {
    "广东省": 0.4,
    "广西壮族自治区": 0.35,
    "福建省": 0.3,
    "海南省": 0.4,
    "黑龙江省": 0.35,
    "吉林省": 0.3,
    "内蒙古自治区": 0.3,
    "西藏自治区": 0.5,
    "新疆维吾尔自治区": 0.35,
    "青海省": 0.35,
}
#: Share of parcels a carrier collects and delivers on time.
CARRIER_RELIABILITY: Mapping[str, float] = {
    "sf": 0.98,
    "jdl": 0.97,
    "ems": 0.93,
    "zto": 0.92,
    "yto": 0.91,
    "yunda": 0.9,
    "sto": 0.89,
    "jtexpress": 0.88,
}


@dataclass(frozen=True, slots=True)
class HealthWeights:
    points: Mapping[str, float] = field(
        default_factory=lambda: {
            "promise_risk": 30.0,
            "stock": 45.0,
            "transport": 35.0,
            "dwell": 20.0,
            "sla_slack": 25.0,
            "exceptions_open": 25.0,
            "conflicts": 20.0,
            "address": 45.0,
            "weather": 10.0,
            "carrier": 15.0,
        }
    )
    exposure: Mapping[str, float] = field(
        default_factory=lambda: {"customer_tier": 0.3, "value": 0.2, "channel_penalty": 0.3}
    )
    #: score ≥ green → green; ≥ yellow → yellow; else red.
    green: float = 80.0
    yellow: float = 60.0
    #: An order worth this much (fen) or more has full value exposure.
    value_cap_fen: float = 500_000.0


@dataclass(frozen=True, slots=True)
class HealthInputs:
    """One row per open order; NaN (or -1 for codes) where unknown."""

    last_milestone: I  # main milestone number 0..17 of the last recorded step
    last_at_ns: I
    promised_at_ns: F  # NaN: no promise
    next_due_ns: F  # next SLA deadline, NaN: none running
    held_no_stock: npt.NDArray[np.bool_]
    held_address: npt.NDArray[np.bool_]
    transport_open: I  # open pickup / cold-chain / late-delivery incidents
    incidents_open: I
    conflicts_open: I
    tier_risk: F
    total_fen: F
    channel_penalty: F
    weather_risk: F
    carrier_reliability: F  # NaN: no carrier yet

    def __len__(self) -> int:
        return len(self.last_milestone)


def indicators(x: HealthInputs, now_ns: int, w: HealthWeights | None = None) -> dict[str, F]:
    """Each indicator's risk in [0, 1] for every order."""
    w = w or HealthWeights()
    k = np.clip(x.last_milestone, 0, len(REMAINING_H) - 1)
    now = float(now_ns)
    remaining_s = REMAINING_H[k] * HOUR
    slack_s = (x.promised_at_ns - now) / NS
    promise = np.where(np.isnan(slack_s), 0.0, np.clip(1.0 - slack_s / np.maximum(remaining_s, 1.0), 0, 1))
    dwell_ratio = (now - x.last_at_ns.astype(np.float64)) / NS / (DWELL_H[k] * HOUR)
    due_s = (x.next_due_ns - now) / NS
    sla = np.where(np.isnan(due_s), 0.0, np.clip(1.0 - due_s / (2 * HOUR), 0, 1))
    carrier = np.where(np.isnan(x.carrier_reliability), 0.0, np.clip((1 - x.carrier_reliability) * 8, 0, 1))
    return {
        "promise_risk": promise,
        "stock": x.held_no_stock.astype(np.float64),
        "transport": np.minimum(x.transport_open, 1).astype(np.float64),
        "dwell": np.clip((dwell_ratio - 1.0) / 2.0, 0, 1),
        "sla_slack": sla,
        "exceptions_open": np.clip(x.incidents_open / 2.0, 0, 1),
        "conflicts": np.minimum(x.conflicts_open, 1).astype(np.float64),
        "address": x.held_address.astype(np.float64),
        "weather": np.clip(x.weather_risk, 0, 1),
        "carrier": carrier,
        "customer_tier": np.clip(x.tier_risk, 0, 1),
        "value": np.clip(x.total_fen / w.value_cap_fen, 0, 1),
        "channel_penalty": np.clip(x.channel_penalty, 0, 1),
    }


def score(x: HealthInputs, now_ns: int, w: HealthWeights | None = None) -> tuple[F, I8]:
    """Scores 0..100 and bands (Band values) for every order."""
    w = w or HealthWeights()
    ind = indicators(x, now_ns, w)
    deduct = np.zeros(len(x), dtype=np.float64)
    for name, pts in w.points.items():
        deduct += pts * ind[name]
    amplify = np.ones(len(x), dtype=np.float64)
    for name, share in w.exposure.items():
        amplify += share * ind[name]
    s = np.clip(100.0 - deduct * amplify, 0.0, 100.0)
    band = np.where(s >= w.green, Band.GREEN, np.where(s >= w.yellow, Band.YELLOW, Band.RED)).astype(np.int8)
    return s, band


def lookup(values: Sequence[str | None], table: Mapping[str, float], default: float) -> F:
    """A table's value for each string (vectorised over the distinct strings)."""
    uniq, inverse = np.unique(np.array([v or "" for v in values], dtype=object), return_inverse=True)
    mapped = np.array([table.get(u, default) for u in uniq], dtype=np.float64)
    out: F = mapped[inverse]
    return out


def summarise(groups: I, labels: Sequence[str], s: F, band: I8) -> list[dict[str, Any]]:
    """Per group (codes 0..len(labels)-1): orders, mean score, and counts per band, worst first."""
    n = len(labels)
    count = np.bincount(groups, minlength=n)
    total = np.bincount(groups, weights=s, minlength=n)
    per_band = [np.bincount(groups[band == b], minlength=n) for b in Band]
    rows: list[dict[str, Any]] = [
        {
            "key": labels[i],
            "orders": int(count[i]),
            "mean_score": round(float(total[i] / count[i]), 1),
            "green": int(per_band[Band.GREEN][i]),
            "yellow": int(per_band[Band.YELLOW][i]),
            "red": int(per_band[Band.RED][i]),
        }
        for i in range(n)
        if count[i]
    ]
    rows.sort(key=lambda r: (-int(r["red"]), float(r["mean_score"])))
    return rows
