"""The split policy is data: settings (``ORDO_QUANTITY_SPLIT``, ``ORDO_SPLIT_MIN_UNITS``) reach the
routing contexts intake builds, and switching quantity splits off holds the order for stock."""

from __future__ import annotations

from ordo.config import Settings
from ordo.domain.routing import SplitRules
from ordo.service.routing.context import INTAKE_MAX_PARCELS, RoutingCache


def test_settings_read_the_split_policy_from_the_environment() -> None:
    default = Settings.from_env({})
    assert (default.quantity_split, default.split_min_units) == (True, 1)
    off = Settings.from_env({"ORDO_QUANTITY_SPLIT": "off", "ORDO_SPLIT_MIN_UNITS": "2"})
    assert (off.quantity_split, off.split_min_units) == (False, 2)


def test_the_routing_cache_keeps_the_policy_per_number_of_parcels() -> None:
    cache = RoutingCache(policy=SplitRules(quantity_split=False, min_units=3))
    rules = cache._split_rules[INTAKE_MAX_PARCELS]
    assert (rules.quantity_split, rules.min_units, rules.max_parcels) == (False, 3, INTAKE_MAX_PARCELS)
    assert cache._split_rules[1].max_parcels == 1 and cache._split_rules[1].min_units == 3
