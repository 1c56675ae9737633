"""What every rule-governance use case shares: who acts, notes, drafts, audit rows, reads.

Owns the small pieces that versions (:mod:`ordo.service.rules.versions`), the
backtest (:mod:`ordo.service.rules.backtest`) and the breaker all need: the :class:`Actor`,
the breaker's bounds, the required note, loading a draft or a version's text, the audit
row and outbox event written inside a caller's unit of work, how a draft or version is
shown, and the read-only queries (history, drafts, versions, audit log). It never
changes a draft's status itself and never commits a unit of work it did not open.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ordo.domain.access import Role
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.events import Event
from ordo.rules.governance import DraftStatus, Tier, VersionStatus, tier_of_change
from ordo.rules.language.glossary import default_glossary
from ordo.rules.language.lint import lint_rules
from ordo.service.ports import UnitOfWork
from ordo.service.rules import freezes
from ordo.service.rules.text import lines_of, parse_text
from ordo.service.runtime.app import Ordo

MAX_NOTE = 1000
_SUMMARY_KEYS = ("orders", "matched", "changed", "money", "holds", "routing_changes")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and the role it holds.

    ``name`` is stored as a draft's author or approver (a user's login, a key's id, a CLI
    operator's name); ``person`` is who that is, whatever key they use (``user:<id>``;
    defaults to ``name``), compared for approval separation; ``display`` names them in
    audit rows (a user's display name, a key's name; defaults to ``name``).
    """

    name: str
    role: Role
    person: str | None = None
    display: str | None = None

    @property
    def who(self) -> str:
        return self.person or self.name

    @property
    def shown(self) -> str:
        return (self.display or self.name)[:64]

    @property
    def names(self) -> frozenset[str]:
        """Every name this party goes by, for the separation check."""
        return frozenset({self.name, self.who})


@dataclass(frozen=True, slots=True)
class BreakerBounds:
    """Live bounds a published version must stay within, or the breaker rolls it back."""

    max_hold_rate: float | None = None
    max_discount_per_order_fen: int | None = None
    max_exception_rate: float | None = None
    #: The most the version may give away in discounts (fen) within ``budget_window_s``: the
    #: order that would cross it gets no discount, even inside the batch that crosses it
    #: (:func:`ordo.service.rules.rulebook.apply_rules`), and the breaker rolls the version back.
    max_discount_total_fen: int | None = None
    budget_window_s: int = 86_400
    #: Too few orders say nothing; the breaker waits for this many.
    min_orders: int = 20
    #: How long after a publish the breaker watches.
    watch_s: int = 86_400

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> BreakerBounds:
        return cls(**(data or {}))


def required_note(note: str) -> str:
    """Every change says why; an empty note is refused (field ``note``)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError("note", "say why: a note is required / 请填写变更原因（必填）")
    return note[:MAX_NOTE]


def load_draft(uow: UnitOfWork, draft_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = uow.rules.draft(draft_id, lock=lock)
    if row is None:
        raise NotFound(f"no rule draft {draft_id} / 规则草稿不存在", details={"draft_id": draft_id})
    return row


def version_text(uow: UnitOfWork, version: int | None) -> str:
    """The text of a stored version; no version (or an unknown one) is the empty rule set."""
    if version is None:
        return ""
    row = uow.rules.version(version)
    return str(row["text"]) if row else ""


def change_tier(uow: UnitOfWork, base_version: int | None, text: str) -> Tier:
    """The tier of replacing ``base_version``'s rules with ``text``."""
    return tier_of_change(parse_text(version_text(uow, base_version)), parse_text(text))


def lint_text(text: str) -> list[dict[str, str | None]]:
    rules = parse_text(text)
    return [
        {"code": w.code, "rule_id": w.rule_id, "other_rule_id": w.other_rule_id, "zh": w.zh, "en": w.en}
        for w in lint_rules(rules, default_glossary(), inert=freezes.inert)
    ]


def backtest_summary(row: dict[str, Any]) -> dict[str, Any] | None:
    """The headline figures of a draft's stored backtest report (None before a backtest)."""
    bt = row.get("backtest")
    if not bt:
        return None
    return {k: bt[k] for k in _SUMMARY_KEYS if k in bt}


def version_status(version: int, state: dict[str, Any]) -> VersionStatus:
    if state["canary_version"] == version:
        return VersionStatus.CANARY
    if state["active_version"] == version:
        return VersionStatus.ACTIVE
    return VersionStatus.RETIRED


def authors_of(row: dict[str, Any]) -> set[str]:
    """Everyone who wrote a draft (drafts from before people were tracked: their author)."""
    return {str(a) for a in (row.get("authors") or [])} | {str(row["author"])}


def draft_view(row: dict[str, Any], state: dict[str, Any] | None = None) -> dict[str, Any]:
    """A draft as callers see it; once published, its status follows its version's."""
    out = dict(row)
    out.pop("authors", None)
    out["tier"] = Tier(row["tier"]).label
    out["required_tier"] = Tier(row["required_tier"]).label
    if row["status"] == DraftStatus.PUBLISHED and state is not None and row["version"] is not None:
        out["status"] = version_status(row["version"], state).value
    out["rules"] = [{"line": n, "id": f"r{n}", "text": t} for n, t in lines_of(row["text"])]
    return out


def audit(uow: UnitOfWork, app: Ordo, actor: Actor, action: str, note: str, **kw: Any) -> None:
    """One audit row (who, role, when, what, why) in the caller's unit of work."""
    uow.rules.audit(
        at_ns=app.clock.now_ns(), actor=actor.shown, role=actor.role.value, action=action, note=note, **kw
    )


def emit(uow: UnitOfWork, app: Ordo, kind: str, payload: dict[str, Any]) -> None:
    """One outbox event in the caller's unit of work (sent after commit)."""
    uow.outbox.append([Event(kind, None, app.clock.now_ns(), payload)])


# -- reads ------------------------------------------------------------------------


def history(app: Ordo, limit: int = 100) -> dict[str, Any]:
    """The state (active, canary, watched) and the versions, newest first, with their status."""
    with app.store.uow(read_only=True) as uow:
        state = uow.rules.state()
        versions = uow.rules.versions(limit)
    return {
        "state": {k: state[k] for k in ("revision", "active_version", "canary_version", "canary",
                                        "watch_version", "watch_since_ns", "fallback_version")},
        "versions": [{**v, "tier": Tier(v["tier"]).label, "status": version_status(v["version"], state).value}
                     for v in versions],
    }  # fmt: skip


def get_draft(app: Ordo, draft_id: int) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        return draft_view(load_draft(uow, draft_id), uow.rules.state())


def list_drafts(app: Ordo, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        state = uow.rules.state()
        return [draft_view(r, state) for r in uow.rules.drafts(status=status, limit=limit)]


def get_version(app: Ordo, version: int) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = uow.rules.version(version)
        if row is None:
            raise NotFound(f"no rule version {version} / 规则版本不存在", details={"version": version})
        state = uow.rules.state()
    return {**row, "tier": Tier(row["tier"]).label, "status": version_status(version, state).value}


def audit_log(
    app: Ordo, *, draft_id: int | None = None, version: int | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.rules.audit_log(draft_id=draft_id, version=version, limit=limit)
