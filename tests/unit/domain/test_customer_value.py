"""Customer value: the RFM scores and the six high-value groups of seed 004 are judged from a
customer's history by thresholds and definitions kept as data; the backtest's Polars
judgement gives the same answers as the domain's; the rules' 客户分群 values are the groups."""

from __future__ import annotations

import random

import polars as pl
import pytest

from ordo.adapters.store.repositories.rules_history import _judged
from ordo.domain.customers.value import DAY_NS, model_from_data, profile, recency_days
from ordo.rules.language.glossary import default_glossary
from ordo.service.customers.value import default_model, parse_model

NOW = 1_794_355_200 * 1_000_000_000
YUAN = 100


def _judge(orders: int, spend_yuan: int, returns: int = 0, days_ago: int | None = 1) -> tuple[str, str]:
    last = None if days_ago is None else NOW - days_ago * DAY_NS
    p = profile(
        default_model(),
        orders=orders,
        spend_fen=spend_yuan * YUAN,
        returns=returns,
        last_order_at_ns=last,
        at_ns=NOW,
    )
    return p.scores.code, p.segment


def test_scores_follow_the_fixed_thresholds() -> None:
    assert _judge(0, 0, days_ago=None) == ("111", "general")  # no orders: lowest scores, no group
    assert _judge(1, 150, days_ago=200)[0] == "111"
    assert _judge(2, 200, days_ago=180)[0] == "222"  # every threshold is inclusive
    assert _judge(5, 1000, days_ago=30)[0] == "444"
    assert _judge(10, 3000, days_ago=7)[0] == "555"
    assert _judge(3, 500, days_ago=8)[0] == "433"


def test_each_of_the_six_groups_takes_its_customers() -> None:
    assert _judge(6, 1500)[1] == "important_value"
    assert _judge(2, 1500)[1] == "important_development"
    assert _judge(6, 1500, days_ago=60)[1] == "important_retention"
    assert _judge(2, 1500, days_ago=120)[1] == "important_winback"
    assert _judge(4, 300)[1] == "cross_sell"
    # Valuable but returning a third of the orders: service risk comes before the value groups.
    assert _judge(6, 1500, returns=2)[1] == "service_risk"
    assert _judge(1, 100)[1] == "general"


def test_recency_is_whole_days_and_never_negative() -> None:
    assert recency_days(None, NOW) is None
    assert recency_days(NOW - DAY_NS + 1, NOW) == 0
    assert recency_days(NOW - 3 * DAY_NS, NOW) == 3
    assert recency_days(NOW + DAY_NS, NOW) == 0


def test_the_rules_segment_domain_names_every_group_in_both_languages() -> None:
    model = default_model()
    domain = default_glossary().domains["segment"]
    assert domain.closed
    assert set(domain.values) == {s.id for s in model.all_segments}
    for s in model.all_segments:
        zh, en = domain.values[s.id]
        assert zh[0] == s.zh and en[0] == s.id and s.en and s.about_zh and s.about_en
    named = {s.zh for s in model.segments}
    assert {"高潜力交叉销售客户", "服务风险预警客户"} <= named and len(model.segments) == 6


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[rfm]\nrecency_days=[7,30,90,180]\nfrequency=[2,3,5,10]\nmonetary_fen=[1,2,3,4]", "falling"),
        ("[rfm]\nrecency_days=[180,90,30,7]\nfrequency=[2,3,5]\nmonetary_fen=[1,2,3,4]", "four"),
        ("[rfm]\nrecency_days=[180,90,30,7]\nfrequency=[2,3,5,10]\nmonetary_fen=[1,2,3,4]\n"
         "[[segment]]\nid='a'\nzh='甲'\nen='A'\nwhen={colour_min=1}\n"
         "[fallback]\nid='g'\nzh='乙'\nen='G'", "cannot bound"),
        ("[rfm]\nrecency_days=[180,90,30,7]\nfrequency=[2,3,5,10]\nmonetary_fen=[1,2,3,4]\n"
         "[[segment]]\nid='g'\nzh='甲'\nen='A'\n[fallback]\nid='g'\nzh='乙'\nen='G'", "differ"),
    ],
)  # fmt: skip
def test_a_malformed_model_is_refused_with_the_reason(text: str, says: str) -> None:
    if "[[segment]]" not in text:
        text += "\n[[segment]]\nid='a'\nzh='甲'\nen='A'\n[fallback]\nid='g'\nzh='乙'\nen='G'"
    with pytest.raises(ValueError, match=says):
        parse_model(text)


def test_the_backtest_judges_as_the_domain_does_on_random_histories() -> None:
    model = default_model()
    rng = random.Random(4)
    rows = []
    for _ in range(3000):
        orders = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 10, 14])
        returns = rng.randint(0, orders) if orders else 0
        spend = rng.choice([0, 19_999, 20_000, 50_000, 99_999, 100_000, 300_000, 450_000]) if orders else 0
        days = rng.choice([0, 7, 8, 30, 31, 90, 91, 180, 181, 400]) if orders else None
        rows.append((orders, spend, returns, days))
    frame = pl.DataFrame(
        {
            "customer_order_count": [r[0] for r in rows],
            "customer_ltv_fen": [r[1] for r in rows],
            "customer_return_rate": [min(1.0, r[2] / r[0]) if r[0] else None for r in rows],
            "customer_recency_days": [r[3] for r in rows],
        },
        schema={
            "customer_order_count": pl.Int64,
            "customer_ltv_fen": pl.Int64,
            "customer_return_rate": pl.Float64,
            "customer_recency_days": pl.Int64,
        },
    )
    got = _judged(frame, model).select(
        "customer_rfm_r", "customer_rfm_f", "customer_rfm_m", "customer_segment"
    )
    want = []
    for orders, spend, returns, days in rows:
        last = None if days is None else NOW - days * DAY_NS
        p = profile(model, orders=orders, spend_fen=spend, returns=returns, last_order_at_ns=last, at_ns=NOW)
        want.append((p.scores.r, p.scores.f, p.scores.m, p.segment))
    assert got.rows() == want
    assert len({w[3] for w in want}) == 7  # every group was exercised


def test_the_model_data_round_trips_through_the_parser() -> None:
    model = model_from_data(
        {
            "rfm": {"recency_days": [9, 5, 3, 1], "frequency": [1, 2, 3, 4], "monetary_fen": [1, 2, 3, 4]},
            "segment": [{"id": "top", "zh": "顶", "en": "Top", "when": {"r_min": 5, "return_rate_max": 0.1}}],
            "fallback": {"id": "rest", "zh": "其余", "en": "Rest"},
        }
    )
    p = profile(model, orders=4, spend_fen=4, returns=0, last_order_at_ns=NOW, at_ns=NOW)
    assert (p.scores.code, p.segment) == ("555", "top")
    p = profile(model, orders=4, spend_fen=4, returns=1, last_order_at_ns=NOW, at_ns=NOW)
    assert p.segment == "rest"  # a quarter returned is over the bound


def test_the_compiled_checks_read_a_definition_as_the_mapping_does() -> None:
    from ordo.domain.customers.value import BOUNDED

    rng = random.Random(9)
    for _ in range(2000):
        values = [rng.choice([None, 0, 1, 2, 3, 4, 5, 0.25, 0.3, 0.5, 30, 100_000]) for _ in BOUNDED]
        measures = dict(zip(BOUNDED, values, strict=True))
        for seg in default_model().segments:
            assert seg.takes(measures) == seg.takes_values(values), (seg.id, measures)
