"""Objective bars in the routing panel: a tiny difference stays a tiny bar."""

from __future__ import annotations

from ordo.domain.routing.explain import BAR_SPAN, bars, why_not
from ordo.domain.routing.profiles import OBJECTIVES, Objective


def _snap(raws: dict[str, dict[str, float]]) -> dict:
    names = [o.value for o in OBJECTIVES]
    cands = [
        {
            "warehouse": w,
            "name": w,
            "raw": {k: r.get(k, 0.0) for k in names},
            "norm": {k: 0.0 for k in names},
            "score": s,
        }
        for (w, r), s in zip(raws.items(), (0.1, 0.4, 0.9), strict=False)
    ]
    return {
        "objectives": names,
        "candidates": cands,
        "excluded": [{"reasons": ["stock"], "warehouses": ["WH-X"]}],
        "plan": {"parcels": [{"warehouse": cands[0]["warehouse"]}]},
        "profile": {"weights": dict.fromkeys(names, 0.1)},
    }


def test_a_saturation_of_0_000194_does_not_fill_the_bar():
    out = bars(_snap({"A": {"saturation": 0.0}, "B": {"saturation": 0.000194}}))
    assert out["A"]["saturation"] == 0.0
    assert out["B"]["saturation"] < 0.001  # min-max would have made it 1.0


def test_a_real_spread_is_scaled_over_its_own_range():
    out = bars(
        _snap(
            {
                "A": {"time": 10.0, "cost": 800},
                "B": {"time": 34.0, "cost": 850},
                "C": {"time": 58.0, "cost": 3800},
            }
        )
    )
    assert (out["A"]["time"], out["B"]["time"], out["C"]["time"]) == (0.0, 0.5, 1.0)
    assert out["B"]["cost"] == round(50 / 3000, 4) and out["C"]["cost"] == 1.0
    assert set(BAR_SPAN) == set(Objective)


def test_why_not_names_an_exclusion_or_the_gap():
    snap = _snap({"A": {"time": 10.0}, "B": {"time": 30.0}})
    assert why_not(snap, "WH-X", "zh").startswith("未选 WH-X：被硬约束排除")
    assert why_not(snap, "B", "en").startswith("not B: score 0.400, 0.300 above A")
