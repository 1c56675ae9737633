"""What the fired routing rules ask of the router, as the domain's ``Directives``.

Owns the one translation from rule actions (``UseProfile``, ``PreferWarehouse``,
``ExcludeWarehouse``, ``UseCarrier``, ``AvoidCarrier``, ``SplitPolicy``, ``MergeWindow``) to
:class:`ordo.domain.routing.Directives`. It lives on the rules side because the domain
never imports the rule language; the router reads the directives, not the rules.
Pure: no I/O, never the service, adapters or API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ordo.domain.routing.context import Directives
from ordo.rules.language import ast as A

__all__ = ["directives_from_fired"]


def directives_from_fired(fired: Iterable[tuple[str, Sequence[A.Action]]]) -> Directives:
    """From (rule id, actions) of the fired rules, in firing order; later rules win."""
    profile = prefer = carrier = None
    split: bool | None = None
    merge: int | None = None
    exclude: set[str] = set()
    avoid: set[str] = set()
    ids: list[str] = []
    for rule_id, actions in fired:
        used = False
        for a in actions:
            used = True
            if isinstance(a, A.UseProfile):
                profile = a.profile
            elif isinstance(a, A.PreferWarehouse):
                prefer = a.warehouse
            elif isinstance(a, A.ExcludeWarehouse):
                exclude.add(a.warehouse)
            elif isinstance(a, A.UseCarrier):
                carrier = a.carrier
            elif isinstance(a, A.SplitPolicy):
                split = a.allowed
            elif isinstance(a, A.AvoidCarrier):
                avoid.add(a.carrier)
            elif isinstance(a, A.MergeWindow):
                merge = a.seconds
            else:
                used = False
                continue
        if used:
            ids.append(rule_id)
    if carrier in avoid:  # a later rule bars the carrier an earlier one named
        carrier = None
    return Directives(
        profile, prefer, frozenset(exclude), carrier, split, tuple(ids), frozenset(avoid), merge
    )
