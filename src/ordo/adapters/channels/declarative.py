"""A channel as data: a TOML mapping file, validated and compiled once into fast extractors.

A platform whose order object can be described by paths needs no Python: the mapping
file (``specs/<channel>.toml``) says where the order is inside the platform's answer
(detail envelope, list/increment element, bare order), where each canonical field is,
the money unit, the time format and the status vocabulary. Only what data cannot
express goes into a small hook (``hooks/<name>.py``: ``adjust(order, co) -> ChannelOrder``).
See docs/CHANNELS.md for the format, key by key.

Paths: ``a.b.c``; ``a[0].b`` indexes a list; ``a@json.b`` parses the JSON text held in
``a`` first (platforms nest JSON inside strings). A list of paths means the first that is
present. Values are read exactly: ids as text (a JSON integer beyond 2^53 stays exact,
a decimal number is refused), yuan through :class:`~decimal.Decimal` from the JSON text
(a binary float is converted by its shortest repr, never multiplied as a float).

Loading is strict: an unknown key, a wrong type, an unknown milestone or unit is a
:class:`SpecError` naming the file and the key, at startup, not at the first order.
"""

from __future__ import annotations

import importlib
import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, NoReturn, Protocol

from ordo.adapters.channels.base import (
    ChannelLine,
    ChannelOrder,
    RawAddress,
    identifier,
    identifiers,
    phone_identifier,
)
from ordo.adapters.channels.values import (
    NS,
    Reason,
    Unmappable,
    _text_fen,
    _wall_clock_ns,
    fen_value,
    time_ns,
    yuan_to_fen,
)
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import Identifier, IdentifierKind

#: Where the shipped mapping files are.
SPECS_DIR = Path(__file__).with_name("specs")
#: The package hooks are imported from (a mapping file names a module in it, nothing else).
HOOKS_PACKAGE = "ordo.adapters.channels.hooks"

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_SEGMENT = re.compile(r"^([^.\[\]@]+)((?:\[\d+\])*)(@json)?$")
_UNITS = ("fen", "yuan")
_FORMATS = ("epoch_s", "epoch_ms", "shanghai", "auto")
_TIME_KEYS = ("created", "updated", *(m.value for m in Milestone if m is not Milestone.CREATED))
_MS_LIMIT = 10_000_000_000  # an epoch-seconds value above this is milliseconds

# The keys each table may hold (anything else is a SpecError naming it).
_TOP = {"channel", "title", "api", "aliases", "hook", "nulls", "envelope", "order", "times",
        "money", "lines", "receiver", "identifiers", "statuses"}  # fmt: skip
_ENVELOPE = {"order", "list", "error_code", "error_ok", "error_message"}
_ORDER = {"id", "status", "complete_when", "buyer", "buyer_remark", "seller_remark"}
_TIMES = {"format", "placeholders", *_TIME_KEYS}
_MONEY = {"unit", "freight", "paid_total", "discount"}
_LINES = {"path", "sku", "quantity", "price", "discount", "unit", "gift", "gift_values",
          "gift_when_free", "title"}  # fmt: skip
_RECEIVER = {"path", "province", "city", "district", "street", "detail", "text", "name", "phone",
             "masked"}  # fmt: skip
_RECEIVER_PARTS = ("province", "city", "district", "street", "detail", "text", "name", "phone")
_IDENTIFIERS = {k.value for k in IdentifierKind} | {"masked"}


class SpecError(ValueError):
    """A mapping file Ordo cannot use; the message names the file and the key."""


class Hook(Protocol):
    def __call__(self, order: Mapping[str, Any], co: ChannelOrder) -> ChannelOrder: ...


Getter = Callable[[Any], Any]


# -- paths ----------------------------------------------------------------------
def _step_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value, parse_float=Decimal)
        except ValueError:
            return None
    return value if isinstance(value, dict | list) else None


def compile_path(text: str, where: str) -> Getter:
    """``a.b[0].c@json.d`` → a function of an object returning the value there, or None."""
    if text == "":
        return lambda obj: obj
    steps: list[tuple[int, Any]] = []  # (0, key) | (1, index) | (2, None) for @json
    for part in text.split("."):
        m = _SEGMENT.match(part)
        if m is None:
            raise SpecError(f"{where}: bad path {text!r} (segment {part!r}) / 路径格式错误")
        steps.append((0, m.group(1)))
        for index in re.findall(r"\[(\d+)\]", m.group(2)):
            steps.append((1, int(index)))
        if m.group(3):
            steps.append((2, None))
    keys = tuple(k for kind, k in steps if kind == 0)
    if len(keys) == len(steps):  # the common case: keys only, one tight loop
        if len(keys) == 1:
            (only,) = keys

            def get1(obj: Any) -> Any:
                return obj.get(only) if type(obj) is dict else None

            return get1

        def get_keys(obj: Any) -> Any:
            for key in keys:
                if type(obj) is not dict:
                    return None
                obj = obj.get(key)
            return obj

        return get_keys
    frozen = tuple(steps)

    def get(obj: Any) -> Any:
        for kind, arg in frozen:
            if kind == 0:
                obj = obj.get(arg) if type(obj) is dict else None
            elif kind == 1:
                obj = obj[arg] if type(obj) is list and len(obj) > arg else None
            else:
                obj = _step_json(obj)
            if obj is None:
                return None
        return obj

    return get


class Field(NamedTuple):
    """One canonical field: candidate paths (first present wins) and the texts naming them."""

    getters: tuple[Getter, ...]
    paths: tuple[str, ...]
    unit: str = ""
    format: str = ""

    def first(self, obj: Any, nulls: frozenset[Any]) -> tuple[Any, str]:
        for get, path in zip(self.getters, self.paths, strict=True):
            value = get(obj)
            if value is not None and value != "" and not (type(value) is str and value in nulls):
                return value, path
        return None, self.paths[0] if self.paths else ""


# -- reading values ---------------------------------------------------------------
class _Problems:
    __slots__ = ("reasons",)

    def __init__(self) -> None:
        self.reasons: list[Reason] = []

    def fail(self, code: str, field: str, message: str) -> None:
        self.reasons.append(Reason(code, field, f"{field}: {message}"))


def _text(value: Any, field: str, p: _Problems, *, id_like: bool = False) -> str:
    if isinstance(value, str):
        return value.strip()
    kind = type(value)
    if kind is int:
        return str(value)  # exact at any size: JSON integers are never read through float
    if value is None:
        return ""
    if id_like and isinstance(value, float | Decimal):
        p.fail("bad_value", field, f"{value!r} is a decimal number, not an id / 编号不能是小数")
        return ""
    if isinstance(value, bool | dict | list):
        p.fail("bad_value", field, "expected text / 应为文本")
        return ""
    return str(value).strip()


def _money(value: Any, unit: str, field: str, p: _Problems) -> int:
    try:
        if unit == "fen":
            fen = value if type(value) is int else fen_value(value)
        elif type(value) is str:
            fen = _text_fen(value)
        else:
            fen = yuan_to_fen(value)  # Decimal from the JSON text; a float by its repr, never ×100
    except ValueError:
        label = "fen / 分" if unit == "fen" else "yuan / 元"
        p.fail("bad_amount", field, f"{value!r} is not an exact amount in {label} / 金额无效")
        return 0
    if fen < 0:
        p.fail("bad_amount", field, "negative amount / 金额为负")
    return fen


def _time(value: Any, fmt: str, field: str, p: _Problems) -> int | None:
    try:
        if fmt == "shanghai":
            if type(value) is str and len(value) == 19:
                return _wall_clock_ns(value)
            raise ValueError
        if fmt in ("epoch_s", "epoch_ms"):
            if isinstance(value, bool):
                raise ValueError
            n = int(value) if type(value) is int or (type(value) is str and value.isdigit()) else None
            if n is None or n <= 0:
                raise ValueError
            if fmt == "epoch_s":
                if n > _MS_LIMIT:
                    p.fail(
                        "bad_time", field, f"{value!r} looks like milliseconds, not seconds / 应为秒级时间戳"
                    )
                    return None
                return n * NS
            return n * 1_000_000
        return time_ns(value)
    except ValueError:
        shown = {"shanghai": "yyyy-MM-dd HH:mm:ss", "epoch_s": "epoch seconds", "epoch_ms": "epoch ms"}
        p.fail("bad_time", field, f"{value!r} is not a time ({shown.get(fmt, fmt)}) / 时间格式无效")
        return None


# -- the adapter --------------------------------------------------------------------
class DeclarativeAdapter:
    """A channel described by a mapping file; follows :class:`ChannelAdapter`."""

    def __init__(self, spec: Mapping[str, Any], source: str) -> None:
        self.source = source
        c = _Compiler(spec, source)
        self.channel: str = c.channel
        self.title: str = str(spec.get("title", ""))
        self.api: str = str(spec.get("api", ""))
        self.aliases: tuple[str, ...] = c.aliases
        self.statuses: Mapping[str, tuple[Milestone, ...]] = c.statuses
        self._nulls = c.nulls
        self._envelopes = c.envelopes
        self._lists = c.lists
        self._error = c.error
        self._f = c.fields
        self._time_fields = c.time_fields
        self._placeholders = c.placeholders
        self._lines = c.lines
        self._line_fields = c.line_fields
        self._gift_values = c.gift_values
        self._gift_when_free = c.gift_when_free
        self._receiver = c.receiver
        self._receiver_masked = c.receiver_masked
        self._idents = c.identifiers
        self._complete_when = c.complete_when
        self._hook = c.hook

    def __repr__(self) -> str:
        return f"DeclarativeAdapter({self.channel!r}, {self.source!r})"

    # -- envelopes -------------------------------------------------------------------
    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The order objects a payload carries: each element of a list/increment answer,
        or the payload itself (a detail envelope or a bare order) as the one element."""
        self._check_error(payload)
        for get, path in self._lists:
            items = get(payload)
            if isinstance(items, list):
                if not all(isinstance(i, dict) for i in items):
                    raise Unmappable(
                        [
                            Reason(
                                "malformed_payload",
                                path,
                                f"{path}: expected a list of objects / 应为对象列表",
                            )
                        ]
                    )
                return items
        return [payload]

    def _check_error(self, payload: Mapping[str, Any]) -> None:
        if self._error is None:
            return
        code_get, code_path, ok, msg_get = self._error
        code = code_get(payload)
        if code is not None and code not in ok and str(code) not in ok:
            msg = msg_get(payload) if msg_get else None
            raise Unmappable(
                [
                    Reason(
                        "platform_error",
                        code_path,
                        f"{code_path}: the platform answered an error {code!r} ({msg or ''}), not an order "
                        "/ 平台返回了错误，不是订单",
                    )
                ]
            )

    def _order_object(self, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        self._check_error(payload)
        for get in self._envelopes:
            found = get(payload)
            if type(found) is dict:
                return found
        return payload

    # -- parse -------------------------------------------------------------------------
    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        o = self._order_object(payload)
        p = _Problems()
        nulls = self._nulls
        f = self._f

        raw_id, id_path = f["id"].first(o, nulls)
        external_id = _text(raw_id, id_path, p, id_like=True)
        if not external_id and raw_id is None:
            p.fail("missing_field", id_path, "required / 必填字段缺失")
        raw_status, status_path = f["status"].first(o, nulls)
        status = _text(raw_status, status_path, p)
        implied = self.statuses.get(status)
        if raw_status is None:
            p.fail("missing_field", status_path, "required / 必填字段缺失")
        elif implied is None and status:
            p.fail("unknown_status", status_path, f"unknown status {status!r} / 未知订单状态")

        complete = self._complete_when(o) is not None
        times: dict[str, int | None] = {}
        placeholders = self._placeholders
        for key, field in self._time_fields:
            value, path = field.first(o, nulls)
            if value is None or value == 0 or (type(value) in (str, int) and value in placeholders):
                times[key] = None
                if key == "created" and complete:
                    p.fail("missing_field", path, "required / 必填字段缺失")
                continue
            times[key] = _time(value, field.format, path, p)

        lines: list[ChannelLine] = []
        if complete:
            lines = self._read_lines(o, p)
        money: dict[str, int | None] = {}
        for key in ("freight", "paid_total", "discount"):
            amount = f.get(key)
            if amount is None:
                money[key] = None
                continue
            value, path = amount.first(o, nulls)
            if value is None:
                if key == "paid_total" and complete:
                    p.fail("missing_field", path, "required / 必填字段缺失")
                money[key] = None
                continue
            money[key] = _money(value, amount.unit, path, p)

        address, phone_path = self._read_receiver(o, p)
        if p.reasons:
            raise Unmappable(p.reasons)
        assert implied is not None

        created = times.get("created") or 0
        fallback = times.get("updated") or created
        steps = tuple((m, times.get(m.value) or fallback) for m in implied)
        buyer_raw, _ = f["buyer"].first(o, nulls) if "buyer" in f else (None, "")
        remark = self._remark(o)
        co = ChannelOrder(
            channel=self.channel,
            external_id=external_id,
            status=status,
            steps=steps,
            complete=complete,
            lines=tuple(lines),
            address=address,
            placed_at_ns=created,
            paid_at_ns=times.get("paid"),
            freight_fen=money["freight"] or 0,
            paid_total_fen=money["paid_total"] if complete else None,
            discount_fen=money["discount"] or 0,
            remark=remark,
            buyer_ref=_text(buyer_raw, "", p),
            identifiers=self._identifiers(o, address.phone, phone_path),
        )
        if self._hook is not None:
            co = self._hook(o, co)
        return co

    def _read_lines(self, o: Mapping[str, Any], p: _Problems) -> list[ChannelLine]:
        get, path = self._lines
        items = get(o)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            p.fail("missing_field", path, "expected a list of objects / 缺少商品列表")
            return []
        if not items:
            p.fail("no_lines", path, "no items / 没有商品行")
            return []
        lf = self._line_fields
        nulls = self._nulls
        sku_field = lf["sku"]
        out: list[ChannelLine] = []
        for i, item in enumerate(items):
            at = f"{path}[{i}]"
            skus: list[str] = []
            for sku_get in sku_field.getters:
                value = sku_get(item)
                if value is None or (type(value) is str and value in nulls):
                    continue
                text = _text(value, f"{at}.{sku_field.paths[0]}", p, id_like=True)
                if text and text not in skus:
                    skus.append(text)
            if not skus:
                p.fail("missing_field", f"{at}.{sku_field.paths[0]}", "no SKU id / 缺少商品编码")
            qty_value, qty_path = lf["quantity"].first(item, nulls)
            quantity = 0
            if type(qty_value) is int and qty_value > 0:
                quantity = qty_value
            else:
                try:
                    quantity = fen_value(qty_value)
                except ValueError:
                    quantity = 0
                if quantity <= 0:
                    p.fail(
                        "bad_quantity",
                        f"{at}.{qty_path}",
                        f"{qty_value!r} is not a positive whole quantity / 数量无效",
                    )
            price_field = lf["price"]
            price_value, price_path = price_field.first(item, nulls)
            if price_value is None:
                p.fail("missing_field", f"{at}.{price_path}", "required / 必填字段缺失")
                price = 0
            else:
                price = _money(price_value, price_field.unit, f"{at}.{price_path}", p)
            discount = 0
            if "discount" in lf:
                d_value, d_path = lf["discount"].first(item, nulls)
                if d_value is not None:
                    discount = _money(d_value, lf["discount"].unit, f"{at}.{d_path}", p)
            gift = self._gift_when_free and price == 0
            if "gift" in lf:
                g_value, _ = lf["gift"].first(item, nulls)
                gift = gift or (
                    g_value is not None
                    and (g_value in self._gift_values or str(g_value) in self._gift_values)
                )
            title = ""
            if "title" in lf:
                t_value, t_path = lf["title"].first(item, nulls)
                title = _text(t_value, f"{at}.{t_path}", p)
            out.append(ChannelLine(tuple(skus), quantity, price, discount, gift, title))
        return out

    def _read_receiver(self, o: Mapping[str, Any], p: _Problems) -> tuple[RawAddress, str]:
        if self._receiver is None:
            return RawAddress(), ""
        base_get, fields = self._receiver
        src = base_get(o)
        if type(src) is not dict:
            return RawAddress(), ""
        parts: dict[str, str] = {}
        phone_path = ""
        for key, field in fields.items():
            value, path = field.first(src, self._nulls)
            parts[key] = _text(value, path, p)
            if key == "phone":
                phone_path = path
        return RawAddress(**parts), phone_path

    def _remark(self, o: Mapping[str, Any]) -> str:
        f = self._f
        buyer = seller = ""
        if "buyer_remark" in f:
            value, _ = f["buyer_remark"].first(o, self._nulls)
            buyer = str(value).strip() if value is not None else ""
        if "seller_remark" in f:
            value, _ = f["seller_remark"].first(o, self._nulls)
            seller = str(value).strip() if value is not None else ""
        if seller:
            return f"{buyer}\n[卖家备注 seller] {seller}" if buyer else f"[卖家备注 seller] {seller}"
        return buyer

    def _identifiers(self, o: Mapping[str, Any], phone: str, phone_path: str) -> tuple[Identifier, ...]:
        found: list[Identifier | None] = []
        if phone:
            if "phone" in self._receiver_masked or phone_path in self._receiver_masked:
                found.append(identifier(IdentifierKind.PHONE, phone, masked=True))
            else:
                found.append(phone_identifier(phone))
        for kind, field, masked in self._idents:
            value, _ = field.first(o, self._nulls)
            if value is None or isinstance(value, bool | dict | list):
                continue
            # Platform-issued buyer ids are opaque but plain: masked only where the file says so.
            found.append(identifier(kind, str(value), masked=masked))
        return identifiers(*found)


# -- compiling a spec ------------------------------------------------------------------
class _Compiler:
    """Validates one mapping file and builds the extractors (everything happens at load)."""

    def __init__(self, spec: Mapping[str, Any], source: str) -> None:
        self.src = source
        self._keys(spec, _TOP, "")
        channel = spec.get("channel")
        if not isinstance(channel, str) or not _NAME.match(channel):
            self.fail("channel", "a lower-case name, 2..32 of [a-z0-9_] / 渠道名须为小写字母数字下划线")
        self.channel = channel
        self.aliases = tuple(self._strings(spec.get("aliases", []), "aliases"))
        self.nulls = frozenset(self._strings(spec.get("nulls", []), "nulls"))

        env = self._table(spec, "envelope")
        self._keys(env, _ENVELOPE, "envelope")
        self.envelopes = tuple(
            compile_path(t, self.where("envelope.order"))
            for t in self._paths(env.get("order", [""]), "envelope.order")
        )
        self.lists = tuple(
            (compile_path(t, self.where("envelope.list")), t)
            for t in self._paths(env.get("list", []), "envelope.list", allow_empty=True)
        )
        self.error: tuple[Getter, str, frozenset[Any], Getter | None] | None = None
        if "error_code" in env:
            code_path = self._path(env["error_code"], "envelope.error_code")
            ok = env.get("error_ok")
            if not isinstance(ok, list) or not ok:
                self.fail("envelope.error_ok", "the list of codes that mean success / 须列出表示成功的错误码")
            msg = env.get("error_message")
            self.error = (
                compile_path(code_path, self.where("envelope.error_code")),
                code_path,
                frozenset(ok) | frozenset(str(v) for v in ok),
                compile_path(self._path(msg, "envelope.error_message"), self.where("envelope.error_message"))
                if msg
                else None,
            )

        order = self._table(spec, "order", required=True)
        self._keys(order, _ORDER, "order")
        money = self._table(spec, "money", required=True)
        self._keys(money, _MONEY, "money")
        unit = self._unit(money.get("unit"), "money.unit")
        fields: dict[str, Field] = {
            "id": self._field(order, "id", "order", required=True),
            "status": self._field(order, "status", "order", required=True),
        }
        for key in ("buyer", "buyer_remark", "seller_remark"):
            if key in order:
                fields[key] = self._field(order, key, "order")
        for key in ("freight", "paid_total", "discount"):
            if key in money:
                fields[key] = self._field(money, key, "money", unit=unit)
        self.fields = MappingProxyType(fields)
        self.complete_when = compile_path(
            self._path(order.get("complete_when", ""), "order.complete_when"),
            self.where("order.complete_when"),
        )
        if "complete_when" not in order:
            self.fail(
                "order.complete_when", "required: the path present only in a full order (its lines) / 必填"
            )

        times = self._table(spec, "times", required=True)
        self._keys(times, _TIMES, "times")
        fmt = times.get("format", "auto")
        if fmt not in _FORMATS:
            self.fail("times.format", f"one of {', '.join(_FORMATS)} / 时间格式须为其一")
        if "created" not in times:
            self.fail("times.created", "required / 必填")
        self.placeholders = frozenset(self._scalars(times.get("placeholders", []), "times.placeholders"))
        self.time_fields = tuple(
            (key, self._field(times, key, "times", fmt=fmt)) for key in _TIME_KEYS if key in times
        )

        lines = self._table(spec, "lines", required=True)
        self._keys(lines, _LINES, "lines")
        line_unit = self._unit(lines.get("unit", unit), "lines.unit")
        lines_path = self._path(lines.get("path"), "lines.path")
        self.lines = (compile_path(lines_path, self.where("lines.path")), lines_path)
        lf: dict[str, Field] = {
            "sku": self._field(lines, "sku", "lines", required=True),
            "quantity": self._field(lines, "quantity", "lines", required=True),
            "price": self._field(lines, "price", "lines", required=True, unit=line_unit),
        }
        for key in ("discount", "gift", "title"):
            if key in lines:
                lf[key] = self._field(lines, key, "lines", unit=line_unit)
        self.line_fields = MappingProxyType(lf)
        self.gift_values = frozenset(
            self._scalars(lines.get("gift_values", [True, 1, "1", "true"]), "lines.gift_values")
        )
        gwf = lines.get("gift_when_free", False)
        if not isinstance(gwf, bool):
            self.fail("lines.gift_when_free", "true or false / 须为布尔值")
        self.gift_when_free = gwf

        self.receiver: tuple[Getter, Mapping[str, Field]] | None = None
        self.receiver_masked: frozenset[str] = frozenset()
        if "receiver" in spec:
            rec = self._table(spec, "receiver")
            self._keys(rec, _RECEIVER, "receiver")
            base = self._path(rec.get("path", ""), "receiver.path")
            self.receiver = (
                compile_path(base, self.where("receiver.path")),
                MappingProxyType({k: self._field(rec, k, "receiver") for k in _RECEIVER_PARTS if k in rec}),
            )
            masked = self._strings(rec.get("masked", []), "receiver.masked")
            paths = {
                t
                for k in _RECEIVER_PARTS
                if k in rec
                for t in self._paths(rec[k]["path"] if isinstance(rec[k], dict) else rec[k], f"receiver.{k}")
            }
            for m in masked:
                if m not in _RECEIVER_PARTS and m not in paths:
                    self.fail("receiver.masked", f"{m!r} is not a receiver field or path / 不是收件人字段")
            self.receiver_masked = frozenset(masked)

        self.identifiers: tuple[tuple[IdentifierKind, Field, bool], ...] = ()
        if "identifiers" in spec:
            ids = self._table(spec, "identifiers")
            self._keys(ids, _IDENTIFIERS, "identifiers")
            masked_ids = set(self._strings(ids.get("masked", []), "identifiers.masked"))
            self.identifiers = tuple(
                (IdentifierKind(k), self._field(ids, k, "identifiers"), k in masked_ids)
                for k in sorted(ids)
                if k != "masked"
            )

        statuses = self._table(spec, "statuses", required=True)
        if not statuses:
            self.fail("statuses", "at least one status / 至少一个状态")
        vocab: dict[str, tuple[Milestone, ...]] = {}
        for code, steps in statuses.items():
            names = self._strings(steps, f"statuses.{code}")
            try:
                vocab[code] = tuple(Milestone(n) for n in names)
            except ValueError:
                known = ", ".join(m.value for m in Milestone)
                self.fail(f"statuses.{code}", f"unknown milestone in {names} (known: {known}) / 未知里程碑")
            if not names:
                self.fail(f"statuses.{code}", "at least one milestone / 至少一个里程碑")
        self.statuses = MappingProxyType(vocab)

        self.hook: Hook | None = None
        if "hook" in spec:
            name = spec["hook"]
            if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
                self.fail("hook", f"a module name in {HOOKS_PACKAGE} / 须为钩子模块名")
            try:
                module = importlib.import_module(f"{HOOKS_PACKAGE}.{name}")
            except ImportError as exc:
                self.fail("hook", f"cannot import {HOOKS_PACKAGE}.{name}: {exc} / 无法导入钩子")
            adjust = getattr(module, "adjust", None)
            if not callable(adjust):
                self.fail("hook", f"{HOOKS_PACKAGE}.{name} has no adjust(order, co) / 钩子缺少 adjust 函数")
            self.hook = adjust

    # -- helpers -------------------------------------------------------------------------
    def where(self, key: str) -> str:
        return f"{self.src}: {key}"

    def fail(self, key: str, message: str) -> NoReturn:
        raise SpecError(f"{self.src}: [{key}] {message}")

    def _keys(self, table: Mapping[str, Any], allowed: set[str], at: str) -> None:
        for key in table:
            if key not in allowed:
                shown = f"{at}.{key}" if at else key
                self.fail(shown, f"unknown key (known: {', '.join(sorted(allowed))}) / 未知配置项")

    def _table(self, spec: Mapping[str, Any], key: str, *, required: bool = False) -> Mapping[str, Any]:
        value = spec.get(key)
        if value is None:
            if required:
                self.fail(key, "required table / 缺少必填配置段")
            return {}
        if not isinstance(value, dict):
            self.fail(key, "expected a table / 应为配置段")
        return value

    def _strings(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "expected a list of strings / 应为字符串列表")
        return list(value)

    def _scalars(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list) or not all(isinstance(v, str | int | bool) for v in value):
            self.fail(key, "expected a list of strings, integers or booleans / 应为标量列表")
        return list(value)

    def _path(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            self.fail(key, "expected a path string / 应为路径字符串")
        return value

    def _paths(self, value: Any, key: str, *, allow_empty: bool = False) -> list[str]:
        if isinstance(value, str):
            return [value]
        paths = self._strings(value, key)
        if not paths and not allow_empty:
            self.fail(key, "at least one path / 至少一个路径")
        return paths

    def _unit(self, value: Any, key: str) -> str:
        if value not in _UNITS:
            self.fail(key, f"money unit must be one of {', '.join(_UNITS)} / 金额单位须为 fen 或 yuan")
        return str(value)

    def _field(
        self, table: Mapping[str, Any], key: str, at: str, *, required: bool = False,
        unit: str = "", fmt: str = "",
    ) -> Field:  # fmt: skip
        """A path, a list of paths, or ``{ path = …, unit = … / format = … }``."""
        name = f"{at}.{key}"
        value = table.get(key)
        if value is None:
            if required:
                self.fail(name, "required / 必填")
            return Field((), ())
        if isinstance(value, dict):
            extra = set(value) - {"path", "unit", "format"}
            if extra:
                self.fail(name, f"unknown key {sorted(extra)[0]!r} (known: path, unit, format) / 未知配置项")
            if "unit" in value:
                unit = self._unit(value["unit"], f"{name}.unit")
            if "format" in value:
                fmt = value["format"]
                if fmt not in _FORMATS:
                    self.fail(f"{name}.format", f"one of {', '.join(_FORMATS)} / 时间格式须为其一")
            value = value.get("path")
        paths = self._paths(value, name)
        return Field(tuple(compile_path(t, self.where(name)) for t in paths), tuple(paths), unit, fmt)


# -- loading -------------------------------------------------------------------------------
def load_spec(path: Path) -> DeclarativeAdapter:
    """One mapping file → its adapter; SpecError (naming the file and key) if it is not valid."""
    try:
        spec = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path.name}: not valid TOML: {exc} / 不是合法的 TOML") from None
    adapter = DeclarativeAdapter(spec, path.name)
    if path.stem != adapter.channel:
        raise SpecError(
            f"{path.name}: [channel] {adapter.channel!r} must match the file name / 渠道名须与文件名一致"
        )
    return adapter


def load_specs(directory: Path = SPECS_DIR) -> tuple[DeclarativeAdapter, ...]:
    """Every ``*.toml`` mapping file in ``directory`` (``aliases.toml`` is the alias table)."""
    return tuple(load_spec(p) for p in sorted(directory.glob("*.toml")) if p.name != "aliases.toml")


def load_aliases(adapters: Sequence[Any], directory: Path = SPECS_DIR) -> Mapping[str, str]:
    """Every name a user may type → the canonical channel name (canonical names map to themselves).

    From ``aliases.toml`` (for the channels written in Python) and each mapping file's
    ``aliases``. A name claimed by two channels is a SpecError."""
    table: dict[str, str] = {}
    path = directory / "aliases.toml"
    extra: Mapping[str, Any] = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    names = {a.channel for a in adapters}
    declared: list[tuple[str, str]] = [(n, n) for n in names]
    for channel, aliases in dict(extra.get("aliases", {})).items():
        if channel not in names:
            raise SpecError(f"aliases.toml: [aliases.{channel}] no such channel / 未知渠道")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise SpecError(f"aliases.toml: [aliases.{channel}] expected a list of strings / 应为字符串列表")
        declared += [(a, channel) for a in aliases]
    for a in adapters:
        declared += [(alias, a.channel) for alias in getattr(a, "aliases", ())]
    for alias, channel in declared:
        key = normalise_name(alias)
        if table.get(key, channel) != channel:
            raise SpecError(f"alias {alias!r} names both {table[key]!r} and {channel!r} / 渠道别名重复")
        table[key] = channel
    return MappingProxyType(table)


def normalise_name(name: str) -> str:
    """How a typed channel name is compared: trimmed, case-folded, ``-`` and spaces as ``_``."""
    return "_".join(name.strip().casefold().replace("-", " ").split())
