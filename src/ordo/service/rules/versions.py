"""Rule governance use cases: draft → backtested → approved → published (canary) → active.

Owns every write to the rule tables except backtests (:mod:`ordo.service.rules.backtest`)
and the breaker (:mod:`ordo.service.rules.breaker`): creating and editing drafts, submitting,
approving (never one's own change, only with the tier's right), publishing a frozen
version (whole rule set, optionally as a canary), promoting a canary, rolling back to any
version. Each change writes an audit row (who, role, when, what, why, backtest summary,
approver) and, for what others must hear of, an outbox event, in the same transaction;
then the process's rule cache is told (the ``revision`` in ``rule_state`` tells others).
The shared pieces (actor, notes, audit rows, views, reads) live in
:mod:`ordo.service.rules.records`; they are re-exported here for callers.
"""

from __future__ import annotations

from typing import Any

from ordo.domain.access import Perm, require
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.events import RULES_PUBLISHED, RULES_ROLLED_BACK, RULES_SUBMITTED
from ordo.rules.evaluation.canary import Canary
from ordo.rules.governance import (
    TIER_POLICIES,
    DraftStatus,
    RuleTransitionRefused,
    Tier,
    check_approval,
    check_emergency_rollback,
    check_transition,
    tier_of_change,
)
from ordo.service.ports import UnitOfWork
from ordo.service.rules.records import (
    Actor,
    BreakerBounds,
    audit,
    audit_log,
    authors_of,
    backtest_summary,
    change_tier,
    draft_view,
    emit,
    get_draft,
    get_version,
    history,
    lint_text,
    list_drafts,
    load_draft,
    required_note,
    version_text,
)
from ordo.service.rules.text import append_line, parse_text
from ordo.service.runtime.app import Ordo

__all__ = [
    "RULES_PUBLISHED",
    "RULES_ROLLED_BACK",
    "RULES_SUBMITTED",
    "Actor",
    "BreakerBounds",
    "approve",
    "approve_rollback",
    "audit_log",
    "create_draft",
    "draft_view",
    "edit_draft",
    "get_draft",
    "get_version",
    "history",
    "lint_text",
    "list_drafts",
    "promote",
    "publish",
    "rollback",
    "rollback_requests",
    "submit",
    "switch_to",
]


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
    note = required_note(note)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            base = uow.rules.state()["active_version"]
            body = version_text(uow, base) if text is None else text
            tier = change_tier(uow, base, body)
            draft_id = uow.rules.add_draft(
                title=title[:200] or note[:200],
                text=body,
                base_version=base,
                status=DraftStatus.DRAFT.value,
                tier=tier,
                required_tier=tier,
                author=actor.name,
                author_role=actor.role.value,
                authors=sorted(actor.names),
                note=note,
                breaker=(breaker or BreakerBounds()).as_dict(),
                created_at_ns=now,
                updated_at_ns=now,
            )
            audit(uow, app, actor, "create", note, draft_id=draft_id, details={"tier": tier.label})
            row = load_draft(uow, draft_id)
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
    note = required_note(note)
    if add is not None and ("\n" in add or not add.strip()):
        raise ValidationError("sentence", "one sentence, on one line / 每次添加一条规则（单行）")

    def work() -> dict[str, Any]:
        with app.store.uow() as uow:
            row = load_draft(uow, draft_id, lock=True)
            check_transition(DraftStatus(row["status"]), DraftStatus.DRAFT, draft_id)
            body = text if text is not None else row["text"]
            if add is not None:
                body = append_line(body, add)
            tier = change_tier(uow, row["base_version"], body)
            values: dict[str, Any] = {
                "text": body,
                "authors": sorted(authors_of(row) | actor.names),  # an editor wrote it too
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
            audit(
                uow, app, actor, "edit", note, draft_id=draft_id, details={"added": add, "tier": tier.label}
            )
            out = load_draft(uow, draft_id)
            uow.commit()
        return {**draft_view(out), "lint": lint_text(body)}

    return app.retrying(work)


def submit(app: Ordo, actor: Actor, draft_id: int, *, note: str) -> dict[str, Any]:
    """Ask for approval. An L1 change needs none: it is approved by its backtest (self-serve)."""
    require(actor.role, Perm.RULES_EDIT)
    note = required_note(note)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = load_draft(uow, draft_id, lock=True)
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
            audit(uow, app, actor, "submit", note, draft_id=draft_id, details=details)
            emit(uow, app, RULES_SUBMITTED, {"draft_id": draft_id, "author": row["author"], **details})
            out = load_draft(uow, draft_id)
            uow.commit()
        return draft_view(out)

    return app.retrying(work)


def approve(app: Ordo, actor: Actor, draft_id: int, *, note: str) -> dict[str, Any]:
    """Approve a backtested draft: by someone else, holding the right of its (escalated) tier."""
    note = required_note(note)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = load_draft(uow, draft_id, lock=True)
            tier = Tier(row["required_tier"])
            check_approval(author=authors_of(row), approver=actor.names, role=actor.role, tier=tier)
            check_transition(DraftStatus(row["status"]), DraftStatus.APPROVED, draft_id)
            uow.rules.update_draft(
                draft_id,
                status=DraftStatus.APPROVED.value,
                approver=actor.name,
                approver_role=actor.role.value,
                approved_at_ns=now,
                updated_at_ns=now,
            )
            details = {"tier": tier.label, "escalation": row["escalation"], "backtest": backtest_summary(row)}
            audit(uow, app, actor, "approve", note, draft_id=draft_id, details=details)
            out = load_draft(uow, draft_id)
            uow.commit()
        return draft_view(out)

    return app.retrying(work)


# -- versions ---------------------------------------------------------------------


def publish(
    app: Ordo, actor: Actor, draft_id: int, *, note: str, canary: Canary | None = None
) -> dict[str, Any]:
    """Freeze an approved draft as the next version: active at once, or a canary beside the active one."""
    require(actor.role, Perm.RULES_EDIT)
    note = required_note(note)
    if canary is not None and canary.empty:
        canary = None

    def work() -> int:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            state = uow.rules.state(lock=True)
            row = load_draft(uow, draft_id, lock=True)
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
                backtest=backtest_summary(row),
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
                "backtest": backtest_summary(row),
            }
            audit(uow, app, actor, "publish", note, draft_id=draft_id, version=version, details=details)
            emit(uow, app, RULES_PUBLISHED, {"version": version, "draft_id": draft_id, **details})
            uow.commit()
        return version

    version = app.retrying(work)
    app.caches.rulebook.invalidate()
    return {**history(app)["state"], "version": version}


def promote(app: Ordo, actor: Actor, *, note: str) -> dict[str, Any]:
    """The canary becomes the active version for every order."""
    require(actor.role, Perm.RULES_EDIT)
    note = required_note(note)

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
            audit(uow, app, actor, "promote", note, version=version,
                   details={"previous_active": state["active_version"]})  # fmt: skip
            emit(uow, app, RULES_PUBLISHED, {"version": version, "promoted": True})
            uow.commit()

    app.retrying(work)
    app.caches.rulebook.invalidate()
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
    audit(uow, app, actor, "rollback", note, version=version, details=payload)
    emit(uow, app, RULES_ROLLED_BACK, payload)
    return payload


def rollback_tier(uow: UnitOfWork, version: int | None) -> Tier:
    """The tier of going from what is live now (the active version and any canary) to ``version``."""
    state = uow.rules.state()
    target = parse_text(version_text(uow, version))
    live = {state["active_version"], state["canary_version"]}
    return max(
        (tier_of_change(parse_text(version_text(uow, v)), target) for v in live if v is not None),
        default=Tier.L1,
    )


def rollback(app: Ordo, actor: Actor, version: int, *, note: str, emergency: bool = False) -> dict[str, Any]:
    """Make ``version`` active for the next order (no canary remains), if the tier allows it now.

    A rollback is a change like a publish and needs the same tier's approval: an L1 one is
    self-serve; an L2 or L3 one becomes a request (``status: pending``) that a second person
    holding the tier's right approves (:func:`approve_rollback`). In an emergency a duty
    role (admin; ops up to L2, ``ordo.rules.governance.EMERGENCY_ROLLBACK``) rolls back at
    once, audited as an emergency with the note as its reason.
    """
    require(actor.role, Perm.RULES_EDIT)
    note = required_note(note)

    def work() -> dict[str, Any]:
        with app.store.uow() as uow:
            if uow.rules.version(version) is None:
                raise NotFound(f"no rule version {version} / 规则版本不存在", details={"version": version})
            tier = rollback_tier(uow, version)
            if TIER_POLICIES[tier].approve is not None and not emergency:
                request_id = uow.rules.add_rollback(
                    version=version, tier=int(tier), status="pending", requested_by=actor.name,
                    requested_person=actor.who[:64], requested_role=actor.role.value, note=note,
                    requested_at_ns=app.clock.now_ns(),
                )  # fmt: skip
                details = {"request_id": request_id, "tier": tier.label, "to_version": version}
                audit(uow, app, actor, "rollback_request", note, version=version, details=details)
                uow.commit()
                return {**details, "status": "pending", "needs": TIER_POLICIES[tier].en}
            if TIER_POLICIES[tier].approve is not None:
                check_emergency_rollback(actor.role, tier)
            details = {"automatic": False, "tier": tier.label, "emergency": emergency, "reason": note}
            out = switch_to(uow, app, actor, version, note=note, details=details)
            uow.commit()
        return {**out, "status": "done"}

    out = app.retrying(work)
    if out["status"] == "done":
        app.caches.rulebook.invalidate()
    return out


def approve_rollback(app: Ordo, actor: Actor, request_id: int, *, note: str) -> dict[str, Any]:
    """Approve a pending rollback and carry it out: by someone else, with the tier's right."""
    note = required_note(note)

    def work() -> dict[str, Any]:
        with app.store.uow() as uow:
            row = uow.rules.rollback_request(request_id, lock=True)
            if row is None:
                raise NotFound(
                    f"no rollback request {request_id} / 回滚申请不存在", details={"request_id": request_id}
                )
            if row["status"] != "pending":
                raise RuleTransitionRefused(
                    f"rollback request {request_id} is {row['status']} "
                    f"/ 回滚申请 {request_id} 当前为「{row['status']}」",
                    details={"request_id": request_id, "status": row["status"]},
                )
            # What is live may have moved since the request: the stricter tier counts.
            tier = max(Tier(row["tier"]), rollback_tier(uow, row["version"]))
            requester = {row["requested_by"], row["requested_person"]}
            check_approval(author=requester, approver=actor.names, role=actor.role, tier=tier)
            now = app.clock.now_ns()
            uow.rules.update_rollback(
                request_id, status="done", approver=actor.name, approver_role=actor.role.value,
                approved_at_ns=now,
            )  # fmt: skip
            details = {
                "automatic": False, "tier": tier.label, "request_id": request_id,
                "requested_by": row["requested_by"], "approver": actor.shown,
            }  # fmt: skip
            out = switch_to(uow, app, actor, row["version"], note=note, details=details)
            uow.commit()
        return {**out, "status": "done"}

    out = app.retrying(work)
    app.caches.rulebook.invalidate()
    return out


def rollback_requests(app: Ordo, status: str | None = "pending") -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        rows = uow.rules.rollback_requests(status=status)
    return [{**r, "tier": Tier(r["tier"]).label} for r in rows]
