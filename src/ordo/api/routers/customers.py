"""Customers: the unified customer, lookup by identifier, splitting a merge, parcel merges (合单)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.contract import may
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, PathId, length
from ordo.domain.access import Perm
from ordo.domain.errors import NotFound
from ordo.domain.orders.model import IdentifierKind
from ordo.service.customers import identity
from ordo.service.orders import parcels

router = APIRouter(prefix=API_PREFIX, tags=["customers"])

PiiReader = Annotated[Principal, Depends(requires(Perm.READ_PII))]
Operator = Annotated[Principal, Depends(requires(Perm.CUSTOMERS_WRITE))]
Writer = Annotated[Principal, Depends(requires(Perm.ORDERS_WRITE))]
MAX_ID = 24


def _not_found(customer_id: str) -> NotFound:
    return NotFound(
        f"no customer {customer_id!r} / 客户不存在", details={"customer_id": customer_id[:MAX_ID]}
    )


def _mask_identifier(kind: str, display: str) -> str:
    # Phones and emails are stored masked already; the rest are shown by their ends only.
    if kind in ("phone", "email") or len(display) <= 4:
        return display if kind in ("phone", "email") else "*" * len(display)
    return f"{display[:3]}****{display[-2:]}"


def _rendered(found: dict[str, Any], see_pii: bool) -> dict[str, Any]:
    out = dict(found)
    out["orders"] = [render.order(o, see_pii) for o in found["orders"]]
    if not see_pii:
        out["identifiers"] = [
            {**i, "display": _mask_identifier(i["kind"], i["display"])} for i in found["identifiers"]
        ]
        out["merges"] = [
            {
                **m,
                "evidence": [
                    {**e, "display": _mask_identifier(e["kind"], e["display"])} for e in m["evidence"]
                ],
            }
            for m in found["merges"]
        ]
    return render.with_times(out)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reason: Annotated[str, length(500, 1), CLEAN]


class ParcelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    order_ids: Annotated[list[Annotated[str, length(MAX_ID, 1), CLEAN]], Field(min_length=2, max_length=50)]


@router.get("/customers", summary="Find the customer an identifier belongs to", responses=may(404))
def lookup_customer(
    ordo: OrdoDep,
    principal: PiiReader,
    kind: IdentifierKind,
    value: Annotated[str, Query(min_length=1, max_length=128)],
) -> dict[str, Any]:
    """Phones and emails are matched by their keyed hash; Ordo never stores them in plain."""
    found = identity.find_customer(ordo, kind.value, value)
    if found is None:
        raise NotFound(
            "no customer carries this identifier / 未找到该标识对应的客户", details={"kind": kind.value}
        )
    return {"customer_id": found}


@router.get("/customers/{customer_id}", summary="One unified customer with orders from every channel")
def get_customer(customer_id: str, ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    """Asked by an id that was merged away, it answers with the customer it merged into."""
    found = identity.customer(ordo, _checked(customer_id))
    if found is None:
        raise _not_found(customer_id)
    return _rendered(found, principal.see_pii)


@router.post("/customers/merges/{merge_id}/split", summary="Undo a wrong customer merge")
def split_merge(
    merge_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: Annotated[SplitIn, Body()]
) -> dict[str, Any]:
    """The merged-away customer comes back with its identifiers and orders; the two stay apart."""
    return identity.split(ordo, merge_id, by=principal.source, reason=payload.reason)


@router.get(
    "/customers/{customer_id}/merge-candidates", summary="Orders that could ship as one parcel (合单)"
)
def merge_candidates(
    customer_id: str,
    ordo: OrdoDep,
    principal: Reader,
    window_hours: Annotated[int | None, Query(ge=0, le=24 * 30)] = None,
) -> dict[str, Any]:
    groups = parcels.merge_candidates(
        ordo, _checked(customer_id), window_s=None if window_hours is None else window_hours * 3600
    )
    return render.with_times({"customer_id": customer_id, "candidates": groups})


@router.post("/customers/{customer_id}/parcels", status_code=201, summary="Merge orders into one parcel")
def merge_parcel(
    customer_id: str, ordo: OrdoDep, principal: Writer, _json: JsonBody, payload: Annotated[ParcelIn, Body()]
) -> dict[str, Any]:
    """409 with the rule's code when an order has shipped, is sealed (cod), or differs in
    customer, address or warehouse."""
    return parcels.merge_parcel(
        ordo, payload.order_ids, by=principal.source, customer_id=_checked(customer_id)
    )


def _checked(customer_id: str) -> str:
    if len(customer_id) > MAX_ID or not customer_id.isprintable():
        raise _not_found(customer_id)
    return customer_id
