"""Fired routing rules become the router's directives; later rules win."""

from __future__ import annotations

from ordo.domain.routing import Directives
from ordo.rules.evaluation.directives import directives_from_fired
from ordo.rules.language import ast as A


def test_fired_routing_rules_become_directives_and_later_rules_win():
    d = directives_from_fired(
        [
            ("r1", (A.UseProfile("cost"), A.ExcludeWarehouse("SHA"))),
            ("r2", (A.UseProfile("green"), A.UseCarrier("sf"), A.SplitPolicy(False))),
            ("r3", (A.PreferWarehouse("HGH"), A.ExcludeWarehouse("BJS"))),
        ]
    )
    assert d == Directives("green", "HGH", frozenset({"SHA", "BJS"}), "sf", False, ("r1", "r2", "r3"))


def test_rules_that_ask_nothing_of_the_router_leave_no_directive():
    assert directives_from_fired([("t1", (A.Tag("vip"),))]) == Directives()


def test_barred_carriers_and_the_merge_window_become_directives_and_a_bar_beats_a_named_carrier():
    d = directives_from_fired(
        [
            ("r1", (A.UseCarrier("zto"),)),
            ("r2", (A.AvoidCarrier("zto"), A.AvoidCarrier("jtexpress"))),
            ("r3", (A.MergeWindow(600),)),
        ]
    )
    assert d.carrier is None and d.avoid_carriers == frozenset({"zto", "jtexpress"})
    assert d.merge_window_s == 600 and d.rule_ids == ("r1", "r2", "r3")
