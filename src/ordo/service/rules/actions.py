"""What the fired rules' actions leave behind at intake, in the intake's own unit of work.

* 标红预警 (:class:`~ordo.rules.language.ast.RedFlag`) opens an incident on the order through
  the incidents ledger (detector ``rule_red_flag``, playbook ``red_flag``: priority 2, in the
  human queue at once), owned by the author of the rule version that raised it;
* 冻结 (:class:`~ordo.rules.language.ast.Freeze`) takes a permission from a role
  (:mod:`ordo.service.rules.freezes`): stored, audited, refused by the API while it holds;
* 通知 (:class:`~ordo.rules.language.ast.Notify`) queues one message per notify channel that
  serves the role (:mod:`ordo.service.events.alerts` delivers them in a background duty,
  never here: no network inside the intake transaction).

Rules decide, this module only writes what they decided; nothing happens for an order no
rule of these kinds fired on (the common case costs one pass over the fired actions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ordo.domain.incidents.incident import Detector, Raised
from ordo.domain.orders.model import Order
from ordo.rules.language import ast as A
from ordo.service.incidents import ledger
from ordo.service.ports import UnitOfWork
from ordo.service.rules import freezes
from ordo.service.rules.rulebook import Decision

RED_FLAG_PLAYBOOK = "red_flag"
_KINDS = (A.RedFlag, A.Freeze, A.Notify)


def act(
    uow: UnitOfWork,
    orders: Sequence[Order],
    decisions: Sequence[Decision],
    names: Mapping[tuple[int | None, str], str],
    authors: Mapping[int | None, str],
    now: int,
) -> None:
    """Open the red flags' incidents, take the frozen permissions, queue the notifications."""
    raised: list[Raised] = []
    owners: dict[str, str] = {}
    frozen: list[tuple[A.Freeze, str, int | None, str]] = []
    notes: list[tuple[str, str, int | None, Order, str]] = []
    for order, d in zip(orders, decisions, strict=True):
        for f in d.evaluation.fired:
            for a in f.actions:
                if not isinstance(a, _KINDS):
                    continue
                text = names.get((d.version, f.rule_id)) or f.rule_id
                if isinstance(a, A.RedFlag):
                    details = {"rule_id": f.rule_id, "version": d.version, "rule": text[:200]}
                    r = Raised(order.id, Detector.RULE_RED_FLAG, f.rule_id[:64], RED_FLAG_PLAYBOOK, details,
                               order.channel)  # fmt: skip
                    raised.append(r)
                    if authors.get(d.version):
                        owners[r.open_key] = authors[d.version]
                elif isinstance(a, A.Freeze):
                    frozen.append((a, f.rule_id, d.version, text))
                else:
                    notes.append((a.role, f.rule_id, d.version, order, text))
    if raised:
        _red_flags(uow, raised, owners, now)
    if frozen:
        freezes.signal(uow, frozen, now)
    if notes:
        from ordo.service.events.alerts import queue_rule_notes

        queue_rule_notes(uow, notes, now)


def _red_flags(uow: UnitOfWork, raised: list[Raised], owners: Mapping[str, str], now: int) -> None:
    rows = ledger.open_many(uow, raised, {}, now)
    for row in rows:
        ledger.escalate(uow, row, now, "a rule red-flagged the order / 规则标红预警")
        owner = owners.get(row["open_key"])
        if owner:
            ledger.assign(uow, row, owner, now, by="rules")


def wanted(decisions: Sequence[Decision]) -> bool:
    """Whether any fired rule of the batch has an action this module acts on."""
    return any(isinstance(a, _KINDS) for d in decisions for f in d.evaluation.fired for a in f.actions)
