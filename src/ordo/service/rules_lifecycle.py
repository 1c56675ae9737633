"""Rule governance use cases: draft → backtested → approved → published (canary) → active.

Owns every write to the rule tables except backtests (:mod:`ordo.service.backtest`)
and the breaker (:mod:`ordo.service.breaker`): creating and editing drafts, submitting,
approving (never one's own change, only with the tier's right), publishing a frozen
version (whole rule set, optionally as a canary), promoting a canary, rolling back to any
version. Each change writes an audit row (who, role, when, what, why, backtest summary,
approver) and, for what others must hear of, an outbox event, in the same transaction;
then the process's rule cache is told (the ``revision`` in ``rule_state`` tells others).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ordo.adapters.store.uow import UnitOfWork
from ordo.domain.access import Perm, Role, require
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.events import Event
from ordo.rules.canary import Canary
from ordo.rules.glossary import default_glossary
from ordo.rules.governance import (
    TIER_POLICIES,
    DraftStatus,
    Tier,
    VersionStatus,
    check_approval,
    check_transition,
    tier_of_change,
)
from ordo.rules.lint import lint_rules
from ordo.service.app import Ordo
from ordo.service.rulebook import rulebook
from ordo.service.rules_text import append_line, lines_of, parse_text

RULES_PUBLISHED = "rules.published"
RULES_ROLLED_BACK = "rules.rolled_back"
RULES_SUBMITTED = "rules.submitted"
MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an API key id (or a CLI operator's name) and the role it holds."""

    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class BreakerBounds:
    """Live bounds a published version must stay within, or the breaker rolls it back."""

    max_hold_rate: float | None = None
    max_discount_per_order_fen: int | None = None
    max_exception_rate: float | None = None
    #: Too few orders say nothing; the breaker waits for this many.
    min_orders: int = 20
    #: How long after a publish the breaker watches.
    watch_s: int = 86_400

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> BreakerBounds:
        return cls(**(data or {}))


def _note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError("note", "say why: a note is required / 请填写变更原因（必填）")
    return note[:MAX_NOTE]


def _draft(uow: UnitOfWork, draft_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = uow.rules.draft(draft_id, lock=lock)
    if row is None:
        raise NotFound(f"no rule draft {draft_id} / 规则草稿不存在", details={"draft_id": draft_id})
    return row


def _version_text(uow: UnitOfWork, version: int | None) -> str:
    if version is None:
        return ""
    row = uow.rules.version(version)
    return str(row["text"]) if row else ""


def _tier(uow: UnitOfWork, base_version: int | None, text: str) -> Tier:
    return tier_of_change(parse_text(_version_text(uow, base_version)), parse_text(text))


def lint_text(text: str) -> list[dict[str, str | None]]:
    rules = parse_text(text)
    return [
        {"code": w.code, "rule_id": w.rule_id, "other_rule_id": w.other_rule_id, "zh": w.zh, "en": w.en}
        for w in lint_rules(rules, default_glossary())
    ]


def draft_view(row: dict[str, Any], state: dict[str, Any] | None = None) -> dict[str, Any]:
    """A draft as callers see it; once published, its status follows its version's."""
    out = dict(row)
    out["tier"] = Tier(row["tier"]).label
    out["required_tier"] = Tier(row["required_tier"]).label
    if row["status"] == DraftStatus.PUBLISHED and state is not None and row["version"] is not None:
        out["status"] = version_status(row["version"], state).value
    out["rules"] = [{"line": n, "id": f"r{n}", "text": t} for n, t in lines_of(row["text"])]
    return out


def version_status(version: int, state: dict[str, Any]) -> VersionStatus:
    if state["canary_version"] == version:
        return VersionStatus.CANARY
    if state["active_version"] == version:
        return VersionStatus.ACTIVE
    return VersionStatus.RETIRED


def _audit(uow: UnitOfWork, app: Ordo, actor: Actor, action: str, note: str, **kw: Any) -> None:
    uow.rules.audit(
        at_ns=app.clock.now_ns(), actor=actor.name, role=actor.role.value, action=action, note=note, **kw
    )


def _event(uow: UnitOfWork, app: Ordo, kind: str, payload: dict[str, Any]) -> None:
    uow.outbox.append([Event(kind, None, app.clock.now_ns(), payload)])


# -- drafts -----------------------------------------------------------------------


def create_draft(
    app: Ordo,
    actor: Actor,
    *,
    note: str,
    text: str | None = None,
    title: str = "",
    breaker: BreakerBounds | None = None,
) -> dict[str, Any]:
    """A draft of the whole rule set: ``text``, or (None) a copy of the active version to edit."""
    require(actor.role, Perm.RULES_EDIT)
    note = _note(note)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            base = uow.rules.state()["active_version"]
            body = _version_text(uow, base) if text is None else text
            tier = _tier(uow, base, body)
            draft_id = uow.rules.add_draft(
                title=title[:200] or note[:200],
                text=body,
                base_version=base,
                status=DraftStatus.DRAFT.value,
                tier=tier,
                required_tier=tier,
                author=actor.name,
                author_role=actor.role.value,
                note=note,
                breaker=(breaker or BreakerBounds()).as_dict(),
                created_at_ns=now,
                updated_at_ns=now,
            )
            _audit(uow, app, actor, "create", note, draft_id=draft_id, details={"tier": tier.label})
            row = _draft(uow, draft_id)
            uow.commit()
        return {**draft_view(row), "lint": lint_text(body)}

    return app.retrying(work)


def edit_draft(
    app: Ordo,
    actor: Actor,
    draft_id: int,
    *,
    note: str,
    text: str | None = None,
    add: str | None = None,
    breaker: BreakerBounds | None = None,
) -> dict[str, Any]:
    """Replace the text, append one sentence, or change the breaker; the draft is a draft again."""
    require(actor.role, Perm.RULES_EDIT)
    note = _note(note)
    if add is not None and ("\n" in add or not add.strip()):
        raise ValidationError("sentence", "one sentence, on one line / 每次添加一条规则（单行）")

    def work() -> dict[str, Any]:
        with app.store.uow() as uow:
            row = _draft(uow, draft_id, lock=True)
            check_transition(DraftStatus(row["status"]), DraftStatus.DRAFT, draft_id)
            body = text if text is not None else row["text"]
            if add is not None:
                body = append_line(body, add)
            tier = _tier(uow, row["base_version"], body)
            values: dict[str, Any] = {
                "text": body,
                "tier": tier,
                "required_tier": tier,
                "escalation": None,
                "status": DraftStatus.DRAFT.value,
                "backtest": None,
                "submitted_at_ns": None,
                "approver": None,
                "approver_role": None,
                "approved_at_ns": None,
                "updated_at_ns": app.clock.now_ns(),
            }
            if breaker is not None:
                values["breaker"] = breaker.as_dict()
            uow.rules.update_draft(draft_id, **values)
            _audit(
                uow, app, actor, "edit", note, draft_id=draft_id, details={"added": add, "tier": tier.label}
            )
            out = _draft(uow, draft_id)
            uow.commit()
        return {**draft_view(out), "lint": lint_text(body)}

    return app.retrying(work)


def submit(app: Ordo, actor: Actor, draft_id: int, *, note: str) -> dict[str, Any]:
    """Ask for approval. An L1 change needs none: it is approved by its backtest (self-serve)."""
    require(actor.role, Perm.RULES_EDIT)
    note = _note(note)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _draft(uow, draft_id, lock=True)
            status = DraftStatus(row["status"])
            if status is not DraftStatus.BACKTESTED:
                check_transition(status, DraftStatus.APPROVED, draft_id)  # refuses: not backtested yet
                check_transition(DraftStatus.DRAFT, DraftStatus.APPROVED, draft_id)
            tier = Tier(row["required_tier"])
            values: dict[str, Any] = {"submitted_at_ns": now, "updated_at_ns": now}
            if TIER_POLICIES[tier].approve is None:
                values.update(status=DraftStatus.APPROVED.value, approved_at_ns=now)
            uow.rules.update_draft(draft_id, **values)
            details = {"tier": tier.label, "self_serve": TIER_POLICIES[tier].approve is None}
            _audit(uow, app, actor, "submit", note, draft_id=draft_id, details=details)
            _event(uow, app, RULES_SUBMITTED, {"draft_id": draft_id, "author": row["author"], **details})
            out = _draft(uow, draft_id)
            uow.commit()
        return draft_view(out)

    return app.retrying(work)


def approve(app: Ordo, actor: Actor, draft_id: int, *, note: str) -> dict[str, Any]:
    """Approve a backtested draft: by someone else, holding the right of its (escalated) tier."""
    note = _note(note)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _draft(uow, draft_id, lock=True)
            tier = Tier(row["required_tier"])
            check_approval(author=row["author"], approver=actor.name, role=actor.role, tier=tier)
            check_transition(DraftStatus(row["status"]), DraftStatus.APPROVED, draft_id)
            uow.rules.update_draft(
                draft_id,
                status=DraftStatus.APPROVED.value,
                approver=actor.name,
                approver_role=actor.role.value,
                approved_at_ns=now,
                updated_at_ns=now,
            )
            _audit(
                uow, app, actor, "approve", note, draft_id=draft_id,
                details={"tier": tier.label, "escalation": row["escalation"], "backtest": _summary(row)},
            )  # fmt: skip
            out = _draft(uow, draft_id)
            uow.commit()
        return draft_view(out)

    return app.retrying(work)


def _summary(row: dict[str, Any]) -> dict[str, Any] | None:
    bt = row.get("backtest")
    if not bt:
        return None
    keys = ("orders", "matched", "changed", "money", "holds", "routing_changes")
    return {k: bt[k] for k in keys if k in bt}


# -- versions ---------------------------------------------------------------------


def publish(
    app: Ordo, actor: Actor, draft_id: int, *, note: str, canary: Canary | None = None
) -> dict[str, Any]:
    """Freeze an approved draft as the next version: active at once, or a canary beside the active one."""
    require(actor.role, Perm.RULES_EDIT)
    note = _note(note)
    if canary is not None and canary.empty:
        canary = None

    def work() -> int:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            state = uow.rules.state(lock=True)
            row = _draft(uow, draft_id, lock=True)
            check_transition(DraftStatus(row["status"]), DraftStatus.PUBLISHED, draft_id)
            version = uow.rules.last_version() + 1
            uow.rules.add_version(
                version=version,
                draft_id=draft_id,
                text=row["text"],
                tier=row["required_tier"],
                author=row["author"],
                approver=row["approver"],
                note=note,
                breaker=row["breaker"],
                backtest=_summary(row),
                published_by=actor.name,
                published_at_ns=now,
            )
            watch = {"watch_version": version, "watch_since_ns": now}
            if canary is not None:
                uow.rules.set_state(
                    now, canary_version=version, canary=canary.as_dict(), fallback_version=None, **watch
                )
            else:
                uow.rules.set_state(
                    now,
                    active_version=version,
                    canary_version=None,
                    canary=None,
                    fallback_version=state["active_version"],
                    **watch,
                )
            uow.rules.update_draft(
                draft_id, status=DraftStatus.PUBLISHED.value, version=version, updated_at_ns=now
            )
            details = {
                "canary": canary.as_dict() if canary else None,
                "previous_active": state["active_version"],
                "approver": row["approver"],
                "tier": Tier(row["required_tier"]).label,
                "backtest": _summary(row),
            }
            _audit(uow, app, actor, "publish", note, draft_id=draft_id, version=version, details=details)
            _event(uow, app, RULES_PUBLISHED, {"version": version, "draft_id": draft_id, **details})
            uow.commit()
        return version

    version = app.retrying(work)
    rulebook(app).invalidate()
    return {**history(app)["state"], "version": version}


def promote(app: Ordo, actor: Actor, *, note: str) -> dict[str, Any]:
    """The canary becomes the active version for every order."""
    require(actor.role, Perm.RULES_EDIT)
    note = _note(note)

    def work() -> None:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            state = uow.rules.state(lock=True)
            version = state["canary_version"]
            if version is None:
                raise NotFound("no canary to promote / 当前没有灰度版本", details={})
            uow.rules.set_state(
                now,
                active_version=version,
                canary_version=None,
                canary=None,
                fallback_version=state["active_version"],
            )
            _audit(uow, app, actor, "promote", note, version=version,
                   details={"previous_active": state["active_version"]})  # fmt: skip
            _event(uow, app, RULES_PUBLISHED, {"version": version, "promoted": True})
            uow.commit()

    app.retrying(work)
    rulebook(app).invalidate()
    return dict(history(app)["state"])


def switch_to(
    uow: UnitOfWork, app: Ordo, actor: Actor, version: int | None, *, note: str, details: dict[str, Any]
) -> dict[str, Any]:
    """Make ``version`` the active one (None: no rules), drop any canary, stop watching; audit + event."""
    state = uow.rules.state(lock=True)
    if version is not None and uow.rules.version(version) is None:
        raise NotFound(f"no rule version {version} / 规则版本不存在", details={"version": version})
    uow.rules.set_state(
        app.clock.now_ns(),
        active_version=version,
        canary_version=None,
        canary=None,
        watch_version=None,
        watch_since_ns=None,
        fallback_version=None,
    )
    payload = {
        "from_active": state["active_version"],
        "from_canary": state["canary_version"],
        "to_version": version,
        **details,
    }
    _audit(uow, app, actor, "rollback", note, version=version, details=payload)
    _event(uow, app, RULES_ROLLED_BACK, payload)
    return payload


def rollback(app: Ordo, actor: Actor, version: int, *, note: str) -> dict[str, Any]:
    """One call: ``version`` is active for the next order, and no canary remains."""
    require(actor.role, Perm.RULES_EDIT)
    note = _note(note)

    def work() -> dict[str, Any]:
        with app.store.uow() as uow:
            out = switch_to(uow, app, actor, version, note=note, details={"automatic": False})
            uow.commit()
        return out

    out = app.retrying(work)
    rulebook(app).invalidate()
    return out


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
        return draft_view(_draft(uow, draft_id), uow.rules.state())


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
