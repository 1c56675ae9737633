"""What a payload would become, with every problem on the field it concerns. Writes nothing.

    preview(app, channel, body, suggest_skus=False)   → Preview

The operator's look before a channel goes live (``ordo channels map``, ``POST
/api/v1/channels/{channel}/preview``): the canonical order as far as it can be built — a
line whose SKU is not mapped still shows, with its platform ids, title, price and the
problem on ``lines[i].sku`` — and each problem as a :class:`Problem` naming its field:

* errors (the payload could not be taken in): a missing field, bad money or time, an
  unmapped SKU, amounts that do not reconcile, an order intake would refuse;
* warnings (taken in, but look): an address that does not resolve (the order is held
  for an address fix), a receiver that is masked or encrypted (kept, never used to link
  customers), a status-only push (it updates an order, never creates one).

With ``suggest_skus`` each unmapped line gets Ordo SKUs proposed: by barcode (a GTIN another
channel's mapping already names), by outer id (the platform's merchant code equal to an Ordo
SKU code, or mapped on another channel), and by title similarity to the catalogue's names.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordo.adapters.channels import (
    ChannelLine,
    ChannelOrder,
    Mapped,
    Unmappable,
    is_masked,
    to_canonical,
)
from ordo.adapters.channels.base import RECEIVER_MASKED
from ordo.domain.errors import ValidationError
from ordo.domain.orders.model import Order, Sku
from ordo.domain.orders.validation import validate_order
from ordo.service.channels.receive import PAYLOAD_ERRORS, adapter_for, parse_body, resolver_for, sku_lookup
from ordo.service.runtime.app import Ordo

ERROR = "error"
WARNING = "warning"
#: How many SKUs are proposed per unmapped line, and the least title similarity (0–100) shown.
SUGGESTIONS = 3
TITLE_CUTOFF = 55.0
#: Marks a line whose SKU is unmapped, so the rest of the order can still be built.
_UNMAPPED = "\x00unmapped"
_GTIN = re.compile(r"^\d{8}$|^\d{12,14}$")
_CODE_NOISE = re.compile(r"[\s\-_./]+")


@dataclass(frozen=True, slots=True)
class Suggestion:
    sku: str
    name: str
    #: 0..1, how sure the match is (1 = the same barcode is mapped elsewhere).
    score: float
    why: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    code: str
    severity: str
    message: str
    suggestions: tuple[Suggestion, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field, "code": self.code, "severity": self.severity, "message": self.message,
        }  # fmt: skip
        if self.suggestions:
            out["suggestions"] = [s.as_dict() for s in self.suggestions]
        return out


@dataclass(frozen=True, slots=True)
class Preview:
    channel: str
    #: True when intake would take it in (perhaps held); False when it would be a dead letter.
    accepted: bool
    problems: tuple[Problem, ...]
    source: ChannelOrder | None = None
    order: Order | None = None
    mapped: Mapped | None = None
    #: Per line of ``source``: the Ordo SKU it maps to, or None.
    line_skus: tuple[str | None, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        co = self.source
        res = self.mapped.address if self.mapped else None
        return {
            "channel": self.channel,
            "accepted": self.accepted,
            "mappable": self.accepted,  # the name `ordo channels map` has always printed
            "status": co.status if co else None,
            "complete": co.complete if co else None,
            "milestones": [{"milestone": m.value, "at_ns": at} for m, at in co.steps] if co else [],
            "order": self._order_dict(),
            "address": None if res is None else {"confidence": res.confidence, "reason": res.reason},
            "problems": [p.as_dict() for p in self.problems],
            # Kept for callers of the former output: the errors alone, as the adapter's reasons.
            "reasons": [
                {"code": p.code, "field": p.field, "message": p.message}
                for p in self.problems
                if p.severity == ERROR
            ],
        }

    def _order_dict(self) -> dict[str, Any] | None:
        if self.order is None or self.source is None:
            return None
        out: dict[str, Any] = dataclasses.asdict(self.order)
        lines: list[dict[str, Any]] = []
        kept = iter(out["lines"])
        for ln, sku in zip(self.source.lines, self.line_skus, strict=True):
            row = next(kept)
            row["sku"] = sku
            row["flags"] = sorted(row["flags"])
            row["platform_skus"] = list(ln.skus)
            row["title"] = ln.title
            lines.append(row)
        out["lines"] = lines
        out["goods_fen"], out["total_fen"] = self.order.goods_fen, self.order.total_fen
        return out


def preview(app: Ordo, channel: str, body: str | Mapping[str, Any], *, suggest_skus: bool = False) -> Preview:
    """The canonical order ``body`` maps to on ``channel`` and every problem with it."""
    adapter = adapter_for(channel, app.channels)
    try:
        payload = parse_body(body) if isinstance(body, str) else body
        co = adapter.parse(payload)
    except Unmappable as exc:
        return Preview(channel, False, tuple(Problem(r.field, r.code, ERROR, r.message) for r in exc.reasons))
    except PAYLOAD_ERRORS as exc:  # the adapter is pure: whatever breaks it is the payload
        unreadable = Problem(
            "body", "malformed_payload", ERROR,
            f"body: the payload cannot be read ({type(exc).__name__}) / 无法解析该渠道数据",
        )  # fmt: skip
        return Preview(channel, False, (unreadable,))
    if not co.complete:
        note = Problem(
            "body", "status_only", WARNING,
            "a status update: it moves an order Ordo has (or will have), never creates one "
            "/ 仅状态更新：只更新已有订单，不会新建订单",
        )  # fmt: skip
        return Preview(channel, True, (note,), co)

    candidates = [s for ln in co.lines for s in ln.skus]
    app.channel_cache.forget(channel, candidates)  # a preview reads the mapping as it is now
    lookup = sku_lookup(app, channel, candidates)
    line_skus = tuple(next((ref[0] for s in ln.skus if (ref := lookup(s))), None) for ln in co.lines)
    problems: list[Problem] = []
    unmapped = [i for i, sku in enumerate(line_skus) if sku is None]
    proposals: dict[int, tuple[Suggestion, ...]] = {}
    if suggest_skus and unmapped:
        proposals = dict(zip(unmapped, _suggest(app, channel, [co.lines[i] for i in unmapped]), strict=True))
    for i in unmapped:
        shown = ", ".join(co.lines[i].skus)
        problems.append(
            Problem(
                f"lines[{i}].sku", "unmapped_sku", ERROR,
                f"lines[{i}].sku: no Ordo SKU is mapped to {channel} SKU {shown} "
                f"(ordo channels sku-map {channel} <platform sku> <ordo sku>) "
                f"/ 平台商品编码「{shown}」未映射到 Ordo 商品",
                proposals.get(i, ()),
            )
        )  # fmt: skip

    # Build the order with unmapped lines standing in, so totals and address still show.
    marked = co._replace(
        lines=tuple(
            ln if sku is not None else ln._replace(skus=(f"{_UNMAPPED}{i}",))
            for i, (ln, sku) in enumerate(zip(co.lines, line_skus, strict=True))
        )
    )

    def lenient(platform_sku: str) -> tuple[str, frozenset[str]] | None:
        return (platform_sku, frozenset()) if platform_sku.startswith(_UNMAPPED) else lookup(platform_sku)

    try:
        mapped = to_canonical(marked, lenient, resolver_for(app.divisions))
    except Unmappable as exc:  # amounts that do not reconcile
        problems.extend(Problem(r.field, r.code, ERROR, r.message) for r in exc.reasons)
        return Preview(channel, False, tuple(problems), co, line_skus=line_skus)
    order = mapped.order
    assert order is not None
    problems.extend(_address_problems(mapped))
    if not unmapped:
        problems.extend(_intake_problems(app, order))
    accepted = not any(p.severity == ERROR for p in problems)
    return Preview(channel, accepted, tuple(problems), co, order, mapped, line_skus)


def _address_problems(mapped: Mapped) -> list[Problem]:
    out: list[Problem] = []
    res, order = mapped.address, mapped.order
    assert order is not None
    if res is not None and not res.resolved:
        out.append(
            Problem(
                "ship_to", "unresolved_address", WARNING,
                f"ship_to: {res.reason or 'the address does not resolve'}; the order will be held for an "
                "address fix / 地址无法解析，订单将暂停等待地址修正",
            )
        )  # fmt: skip
    if RECEIVER_MASKED in order.tags or any(i.masked for i in order.identifiers if i.kind == "phone"):
        a = mapped.source.address
        fields = [f for f, v in (("ship_to.name", a.name), ("ship_to.phone", a.phone)) if is_masked(v)]
        out.append(
            Problem(
                ", ".join(fields) or "ship_to", "masked_receiver", WARNING,
                "the receiver is masked or encrypted: kept as sent, never used to link customers; the "
                "platform's decrypt or virtual-number service prints the label "
                "/ 收件人信息已脱敏或加密：原样保存，不用于关联顾客",
            )
        )  # fmt: skip
    return out


def _intake_problems(app: Ordo, order: Order) -> list[Problem]:
    with app.store.uow(read_only=True) as uow:
        known = uow.catalog.known_skus(line.sku for line in order.lines)
    try:
        validate_order(order, known, channels=app.channels.names)
    except ValidationError as exc:
        return [Problem(exc.field, exc.code, ERROR, f"{exc.field}: {exc.message}")]
    return []


# -- SKU suggestions ---------------------------------------------------------------------
def _code(text: str) -> str:
    return _CODE_NOISE.sub("", text).upper()


def _suggest(app: Ordo, channel: str, lines: Sequence[ChannelLine]) -> list[tuple[Suggestion, ...]]:
    """For each of ``lines``: the best few Ordo SKUs, best first (none when nothing is close)."""
    from rapidfuzz import fuzz, process, utils

    with app.store.uow(read_only=True) as uow:
        catalog = {s.sku: s for s in uow.catalog.skus()}
        elsewhere = {other: uow.channels.sku_map(other) for other in app.channels.adapters}
    by_code = {_code(sku): sku for sku in catalog}
    names = {sku: s.name for sku, s in catalog.items()}
    out: list[tuple[Suggestion, ...]] = []
    for ln in lines:
        found: dict[str, Suggestion] = {}

        def offer(sku: str, score: float, why: str, found: dict[str, Suggestion] = found) -> None:
            s: Sku | None = catalog.get(sku)
            if s is not None and (sku not in found or found[sku].score < score):
                found[sku] = Suggestion(sku, s.name, round(score, 3), why)

        for candidate in ln.skus:
            gtin = bool(_GTIN.match(candidate))
            for other, table in elsewhere.items():
                if other != channel and candidate in table:
                    kind = "barcode / 条码" if gtin else "outer id / 商家编码"
                    offer(table[candidate], 1.0 if gtin else 0.9, f"{kind} {candidate} is mapped on {other}")
            same = by_code.get(_code(candidate))
            if same is not None:
                offer(same, 0.95, f"outer id / 商家编码 {candidate} ≈ Ordo SKU {same}")
        if ln.title and names:
            for name, score, sku in process.extract(
                ln.title, names, scorer=fuzz.WRatio, processor=utils.default_process,
                limit=SUGGESTIONS, score_cutoff=TITLE_CUTOFF,
            ):  # fmt: skip
                offer(sku, 0.85 * score / 100, f"title / 标题 {score:.0f}% like 「{name}」")
        out.append(tuple(sorted(found.values(), key=lambda s: (-s.score, s.sku))[:SUGGESTIONS]))
    return out
