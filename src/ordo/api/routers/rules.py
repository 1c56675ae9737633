"""Rules: parse and lint sentences, drafts, backtests, approvals, publish (canary), rollback, audit.

Thin: parse the body, call :mod:`ordo.service.rules`, return its dicts. Who may do what is
the service's business (tiers and roles are data); this router only admits readers and
rule editors. A sentence that cannot be read is a 422 ``rule_syntax`` whose details carry
the line, position, column, word and suggestion.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from ordo.api.contract import may
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, FilterText, JsonInt, PathId, QueryId, Time, length
from ordo.domain.access import Perm
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.governance import Tier, tier_of
from ordo.rules.language.glossary import Lang, default_glossary
from ordo.rules.language.lint import lint_rules
from ordo.rules.language.render import render_rule
from ordo.service import rules as R
from ordo.service.rules import freezes
from ordo.service.rules.text import MAX_TEXT_CHARS

router = APIRouter(prefix=f"{API_PREFIX}/rules", tags=["rules"])

Editor = Annotated[Principal, Depends(requires(Perm.RULES_EDIT))]
#: Rule versions are 32-bit columns: a larger one cannot exist, so it is a 422, never a query
#: the store refuses (PostgreSQL: "integer out of range", a 503).
MAX_VERSION = 2**31 - 1
VersionPath = Annotated[int, Path(ge=1, le=MAX_VERSION)]
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_VERSION)]
Note = Annotated[str, length(1000, 1), CLEAN]
RuleText = Annotated[str, length(MAX_TEXT_CHARS), CLEAN]
Sentence = Annotated[str, length(2000, 1), CLEAN]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParseIn(_In):
    text: RuleText
    lang: Lang = "zh"


class BreakerIn(_In):
    max_hold_rate: float | None = Field(None, ge=0, le=1, strict=True)
    max_discount_per_order_fen: Annotated[JsonInt, Field(ge=0, le=10**12)] | None = None
    max_exception_rate: float | None = Field(None, ge=0, le=1, strict=True)
    max_discount_total_fen: Annotated[JsonInt, Field(ge=0, le=10**12)] | None = None
    budget_window_s: Annotated[JsonInt, Field(ge=1, le=365 * 86_400)] = 86_400
    min_orders: Annotated[JsonInt, Field(ge=1, le=10**9)] = 20
    watch_s: Annotated[JsonInt, Field(ge=1, le=365 * 86_400)] = 86_400

    def bounds(self) -> R.BreakerBounds:
        return R.BreakerBounds(**self.model_dump())


class DraftIn(_In):
    note: Note
    text: RuleText | None = None
    title: Annotated[str, length(200), CLEAN] = ""
    breaker: BreakerIn | None = None


class EditIn(_In):
    note: Note
    text: RuleText | None = None
    add: Sentence | None = None
    breaker: BreakerIn | None = None


class NoteIn(_In):
    note: Note


class BacktestIn(_In):
    note: Note = "backtest"
    placed_from: Time | None = None
    placed_to: Time | None = None
    channel: FilterText | None = None
    province: FilterText | None = None
    limit: Annotated[JsonInt, Field(ge=1, le=100_000_000)] | None = None
    samples: Annotated[JsonInt, Field(ge=0, le=200)] = 10


class CanaryIn(_In):
    share: float = Field(0.0, ge=0, le=1, strict=True)
    places: list[Annotated[str, length(32, 1), CLEAN]] = Field(default_factory=list, max_length=200)


class PublishIn(_In):
    note: Note
    canary: CanaryIn | None = None


class RollbackIn(_In):
    note: Note
    version: Annotated[JsonInt, Field(ge=1, le=MAX_VERSION)]
    emergency: bool = Field(
        False,
        strict=True,
        description="roll back at once without a second person (admin; ops up to L2), audited",
    )


def _actor(p: Principal) -> R.Actor:
    # Stored as author/approver: the user's login, or the key's id (as before users existed).
    return R.Actor(p.login or p.key_id or p.person, p.role, person=p.person or None, display=p.name or None)


@router.post(
    "/parse",
    summary="Read rule sentences tolerantly (rewrites flagged for confirmation): canonical text, tier, lint",
)
def parse(_p: Reader, _json: JsonBody, body: ParseIn) -> dict[str, Any]:
    readings = R.read_text(body.text)
    rules = [rd.rule for rd in readings]
    g = default_glossary()
    return {
        "rules": [
            {
                "id": rd.rule.id,
                "category": rd.rule.category.value,
                "tier": tier_of(rd.rule).label,
                "zh": render_rule(rd.rule, "zh", g),
                "en": render_rule(rd.rule, "en", g),
                # A line read only after rewrites: show them and the canonical sentence, and
                # save that sentence once the person confirms it (drafts are read strictly).
                "needs_confirmation": rd.needs_confirmation,
                "sentence": rd.sentence,
                "did_you_mean": rd.did_you_mean(g),
                "rewrites": [w.as_dict() for w in rd.rewrites],
            }
            for rd in readings
        ],
        "needs_confirmation": any(rd.needs_confirmation for rd in readings),
        "tier": max((tier_of(r) for r in rules), default=Tier.L1).label,
        "lint": [
            {"code": w.code, "rule_id": w.rule_id, "message": w.message(body.lang)}
            for w in lint_rules(rules, inert=freezes.inert)
        ],
        "plan": RuleSet.of(rules).explain(body.lang),  # the rules read above, not read again
    }


@router.get("/drafts", summary="Rule drafts, newest first")
def drafts(ordo: OrdoDep, _p: Reader, status: Annotated[FilterText | None, Query()] = None) -> dict[str, Any]:
    return {"drafts": R.list_drafts(ordo, status)}


@router.post("/drafts", status_code=201, summary="Start a draft of the whole rule set")
def create_draft(ordo: OrdoDep, p: Editor, _json: JsonBody, body: DraftIn) -> dict[str, Any]:
    breaker = body.breaker.bounds() if body.breaker else None
    return R.create_draft(ordo, _actor(p), note=body.note, text=body.text, title=body.title, breaker=breaker)


@router.get("/drafts/{draft_id}", summary="One draft with its rules, backtest and approvals")
def get_draft(draft_id: PathId, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return R.get_draft(ordo, draft_id)


@router.patch(
    "/drafts/{draft_id}", summary="Edit a draft: replace its text or add a sentence", responses=may(409)
)
def edit_draft(draft_id: PathId, ordo: OrdoDep, p: Editor, _json: JsonBody, body: EditIn) -> dict[str, Any]:
    breaker = body.breaker.bounds() if body.breaker else None
    actor = _actor(p)
    return R.edit_draft(ordo, actor, draft_id, note=body.note, text=body.text, add=body.add, breaker=breaker)


@router.post(
    "/drafts/{draft_id}/backtest", summary="Replay the draft against stored orders", responses=may(409)
)
def backtest(draft_id: PathId, ordo: OrdoDep, p: Editor, _json: JsonBody, body: BacktestIn) -> dict[str, Any]:
    flt = R.HistoryFilter(body.placed_from, body.placed_to, body.channel, body.province, body.limit)
    return R.backtest_draft(ordo, _actor(p), draft_id, flt, note=body.note, samples=body.samples)


@router.post(
    "/drafts/{draft_id}/submit", summary="Ask for approval (an L1 change is self-serve)", responses=may(409)
)
def submit(draft_id: PathId, ordo: OrdoDep, p: Editor, _json: JsonBody, body: NoteIn) -> dict[str, Any]:
    return R.submit(ordo, _actor(p), draft_id, note=body.note)


@router.post(
    "/drafts/{draft_id}/approve", summary="Approve someone else's backtested draft", responses=may(409)
)
def approve(draft_id: PathId, ordo: OrdoDep, p: Reader, _json: JsonBody, body: NoteIn) -> dict[str, Any]:
    return R.approve(ordo, _actor(p), draft_id, note=body.note)


@router.post(
    "/drafts/{draft_id}/publish",
    summary="Publish as the next version, optionally as a canary",
    responses=may(409),
)
def publish(draft_id: PathId, ordo: OrdoDep, p: Editor, _json: JsonBody, body: PublishIn) -> dict[str, Any]:
    canary = None
    if body.canary is not None:
        canary = R.Canary(body.canary.share, R.canary_places(body.canary.places, default_glossary()))
    return R.publish(ordo, _actor(p), draft_id, note=body.note, canary=canary)


@router.post(
    "/promote", summary="The canary becomes the active version for every order", responses=may(404, 409)
)
def promote(ordo: OrdoDep, p: Editor, _json: JsonBody, body: NoteIn) -> dict[str, Any]:
    return R.promote(ordo, _actor(p), note=body.note)


@router.post(
    "/rollback",
    summary="Make an earlier version active for the next order (L2/L3: once a second person approves)",
    responses={202: {"description": "a rollback request waiting for the tier's approval"}, **may(404, 409)},
)
def rollback(
    ordo: OrdoDep, p: Editor, _json: JsonBody, body: RollbackIn, response: Response
) -> dict[str, Any]:
    out = R.rollback(ordo, _actor(p), body.version, note=body.note, emergency=body.emergency)
    if out["status"] == "pending":
        response.status_code = 202
    return out


@router.get("/rollbacks", summary="Rollback requests waiting for approval")
def rollback_requests(ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return {"rollbacks": R.rollback_requests(ordo)}


@router.post(
    "/rollbacks/{request_id}/approve",
    summary="Approve someone else's rollback request; it runs at once",
    responses=may(409),
)
def approve_rollback(
    request_id: PathId, ordo: OrdoDep, p: Reader, _json: JsonBody, body: NoteIn
) -> dict[str, Any]:
    return R.approve_rollback(ordo, _actor(p), request_id, note=body.note)


@router.post("/breakers/check", summary="Check the watched version's live metrics; roll back past a bound")
def check_breakers(ordo: OrdoDep, _p: Editor) -> dict[str, Any]:
    return {"tripped": [t.as_dict() for t in R.check_breakers(ordo)]}


@router.get("/versions", summary="The state (active, canary) and every version, newest first")
def versions(ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return R.history(ordo)


@router.get("/versions/{version}", summary="One published version")
def version(version: VersionPath, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return R.get_version(ordo, version)


@router.get("/audit", summary="Every change to the rules: who, when, what, why, approver")
def audit(
    ordo: OrdoDep,
    _p: Reader,
    draft_id: QueryId = None,
    version: VersionQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return {"entries": R.audit_log(ordo, draft_id=draft_id, version=version, limit=limit)}
