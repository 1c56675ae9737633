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
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, NoReturn, Protocol

from ordo.adapters.channels.base import (
    RECEIVER_MASKED,
    ChannelLine,
    ChannelOrder,
    RawAddress,
    identifier,
    identifiers,
    phone_identifier,
    receiver_tags,
)
from ordo.adapters.channels.envelopes import open_middleman
from ordo.adapters.channels.values import (
    NS,
    Reason,
    Unmappable,
    _text_fen,
    _wall_clock_ns,
    decode_json,
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
        "money", "lines", "receiver", "identifiers", "statuses", "tags"}  # fmt: skip
_ENVELOPE = {"order", "list", "error_code", "error_ok", "error_message"}
_ORDER = {"id", "status", "complete_when", "buyer", "buyer_remark", "seller_remark"}
_TIMES = {"format", "placeholders", *_TIME_KEYS}
_MONEY = {"unit", "freight", "paid_total", "discount"}
_LINES = {"path", "sku", "quantity", "price", "discount", "unit", "gift", "gift_values",
          "gift_when_free", "title", "line_id"}  # fmt: skip
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
            return decode_json(value)
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


def _reader(paths: tuple[str, ...], getters: tuple[Getter, ...], nulls: frozenset[str]) -> Getter:
    """The value at the first present path (None when none is: absent, ``""`` or a null text)."""
    if not getters:
        return lambda obj: None
    if len(paths) == 1 and paths[0] and all(_SEGMENT.match(k) and "[" not in k and "@" not in k
                                            for k in paths[0].split(".")):  # fmt: skip
        keys = tuple(paths[0].split("."))
        if len(keys) == 1:  # the common case, fused: one key, no wrapper around a getter
            (key,) = keys

            def read_key(obj: Any) -> Any:
                value = obj.get(key) if type(obj) is dict else None
                if value == "" or (nulls and type(value) is str and value in nulls):
                    return None
                return value

            return read_key

        def read_keys(obj: Any) -> Any:
            for k in keys:
                if type(obj) is not dict:
                    return None
                obj = obj.get(k)
            if obj == "" or (nulls and type(obj) is str and obj in nulls):
                return None
            return obj

        return read_keys
    if len(getters) == 1:
        (get,) = getters

        def read1(obj: Any) -> Any:
            value = get(obj)
            if value == "" or (type(value) is str and value in nulls):
                return None
            return value

        return read1

    def read(obj: Any) -> Any:
        for g in getters:
            value = g(obj)
            if value is not None and value != "" and not (type(value) is str and value in nulls):
                return value
        return None

    return read


class Field(NamedTuple):
    """One canonical field: candidate paths (first present wins), compiled into ``read``."""

    getters: tuple[Getter, ...]
    paths: tuple[str, ...]
    unit: str = ""
    format: str = ""
    read: Getter = lambda obj: None  # replaced by the compiler

    def where(self, obj: Any) -> str:
        """The path a problem is reported at: the one present, else the first one named."""
        for get, path in zip(self.getters, self.paths, strict=True):
            if get(obj) is not None:
                return path
        return self.paths[0] if self.paths else ""

    def first(self, obj: Any, nulls: frozenset[Any]) -> tuple[Any, str]:
        for get, path in zip(self.getters, self.paths, strict=True):
            value = get(obj)
            if value is not None and value != "" and not (type(value) is str and value in nulls):
                return value, path
        return None, self.paths[0] if self.paths else ""


# -- reading values ---------------------------------------------------------------
# Each converter returns the value or raises ValueError with the (bilingual) reason; the
# caller names the field, whose path is only looked up when something is wrong.
class _Problems:
    __slots__ = ("reasons",)

    def __init__(self) -> None:
        self.reasons: list[Reason] = []

    def fail(self, code: str, field: str, message: str) -> None:
        self.reasons.append(Reason(code, field, f"{field}: {message}"))


def _to_text(value: Any, *, id_like: bool = False) -> str:
    if type(value) is str:
        return value.strip()
    if type(value) is int:
        return str(value)  # exact at any size: JSON integers are never read through float
    if value is None:
        return ""
    if id_like and isinstance(value, float | Decimal):
        raise ValueError(f"{value!r} is a decimal number, not an id / 编号不能是小数")
    if isinstance(value, bool | dict | list):
        raise ValueError("expected text / 应为文本")
    return str(value).strip()


def _to_fen(value: Any, unit: str) -> int:
    try:
        if unit == "fen":
            fen = value if type(value) is int else fen_value(value)
        elif type(value) is str:
            fen = _text_fen(value)
        else:
            fen = yuan_to_fen(value)  # Decimal from the JSON text; a float by its repr, never ×100
    except ValueError:
        label = "fen / 分" if unit == "fen" else "yuan / 元"
        raise ValueError(f"{value!r} is not an exact amount in {label} / 金额无效") from None
    if fen < 0:
        raise ValueError("negative amount / 金额为负")
    return fen


_SHOWN_FORMAT = {"shanghai": "yyyy-MM-dd HH:mm:ss", "epoch_s": "epoch seconds", "epoch_ms": "epoch ms"}


def _to_ns(value: Any, fmt: str) -> int:
    if type(value) is int and value > 0:
        if fmt == "epoch_s":
            if value > _MS_LIMIT:
                raise ValueError(f"{value!r} looks like milliseconds, not seconds / 应为秒级时间戳")
            return value * NS
        if fmt == "epoch_ms":
            return value * 1_000_000
    try:
        if fmt == "shanghai":
            if type(value) is str and len(value) == 19:
                return _wall_clock_ns(value)
            raise ValueError
        if fmt in ("epoch_s", "epoch_ms"):
            if not (type(value) is str and value.isdigit() and int(value) > 0):
                raise ValueError
            return _to_ns(int(value), fmt)
        return time_ns(value)
    except ValueError as exc:
        if "milliseconds" in str(exc):
            raise
        raise ValueError(f"{value!r} is not a time ({_SHOWN_FORMAT.get(fmt, fmt)}) / 时间格式无效") from None


_REQUIRED = "required / 必填字段缺失"
#: Types a value must have to be looked up in a set of codes (a list or object never matches).
_SCALAR = frozenset({str, int, bool})


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
        self._complete_when_path, self._receiver_path = c.complete_when_path, c.receiver_path
        self._hook = c.hook
        # The fields the hot path reads, each one attribute away.
        f, lf = c.fields, c.line_fields
        self._id, self._status = f["id"], f["status"]
        self._buyer, self._buyer_remark, self._seller_remark = (
            f.get("buyer"), f.get("buyer_remark"), f.get("seller_remark"),
        )  # fmt: skip
        self._freight, self._paid_total, self._discount = (
            f.get("freight"),
            f.get("paid_total"),
            f.get("discount"),
        )
        self._sku_getters, self._sku_path = lf["sku"].getters, lf["sku"].paths[0]
        self._qty, self._price = lf["quantity"], lf["price"]
        self._line_discount, self._gift, self._title = lf.get("discount"), lf.get("gift"), lf.get("title")
        self._line_id = lf.get("line_id")
        fields = dict(c.receiver[1]) if c.receiver else {}
        self._phone_field = fields.get("phone")
        self._phone_masked = "phone" in c.receiver_masked
        self._masked_paths = c.receiver_masked - set(fields)
        self._masked_parts = tuple(k for k in fields if k in c.receiver_masked)
        self._status_tags = c.status_tags
        self._field_tags = c.field_tags
        # The same reading as one generated function (its fast path, see .compiled).
        from ordo.adapters.channels.compiled import compile_parse

        self._fast = compile_parse(self)

    def __repr__(self) -> str:
        return f"DeclarativeAdapter({self.channel!r}, {self.source!r})"

    # -- envelopes -------------------------------------------------------------------
    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The order objects a payload carries: each element of a list/increment answer,
        or the payload itself (a detail envelope or a bare order) as the one element."""
        payload = open_middleman(payload)
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
        if code is not None and not (type(code) in _SCALAR and code in ok) and str(code) not in ok:
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
        # An ISV / ERP middleman's envelope (raw_data as an object or JSON text …) first.
        payload = open_middleman(payload)
        self._check_error(payload)
        for get in self._envelopes:
            found = get(payload)
            if type(found) is dict:
                return found
        return payload

    # -- parse -------------------------------------------------------------------------
    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        o = self._order_object(payload)
        if type(o) is dict:
            co = self._fast(o)
            if co is not None:
                return co if self._hook is None else self._hook(o, co)
        return self.read_order(o)

    def read_order(self, o: Mapping[str, Any]) -> ChannelOrder:
        """The reference reader of one order object: every problem named, field by field.
        :meth:`parse` takes the generated fast path first and comes here when it gives up."""
        p = _Problems()
        id_field, status_field = self._id, self._status

        raw_id = id_field.read(o)
        external_id = ""
        if raw_id is None:
            p.fail("missing_field", id_field.where(o), _REQUIRED)
        else:
            try:
                external_id = _to_text(raw_id, id_like=True)
            except ValueError as exc:
                p.fail("bad_value", id_field.where(o), str(exc))
        raw_status = status_field.read(o)
        status = ""
        implied = None
        if raw_status is None:
            p.fail("missing_field", status_field.where(o), _REQUIRED)
        else:
            status = raw_status if type(raw_status) is str else str(raw_status)
            implied = self.statuses.get(status)
            if implied is None:
                status = status.strip()
                implied = self.statuses.get(status)
                if implied is None:
                    p.fail(
                        "unknown_status", status_field.where(o), f"unknown status {status!r} / 未知订单状态"
                    )

        complete = self._complete_when(o) is not None
        times: dict[str, int | None] = {}
        placeholders = self._placeholders
        for key, field in self._time_fields:
            value = field.read(o)
            if value is None or value == 0 or (type(value) in (str, int) and value in placeholders):
                times[key] = None
                if key == "created" and complete:
                    p.fail("missing_field", field.where(o), _REQUIRED)
                continue
            try:
                times[key] = _to_ns(value, field.format)
            except ValueError as exc:
                times[key] = None
                p.fail("bad_time", field.where(o), str(exc))

        lines = self._read_lines(o, p) if complete else ()
        freight = self._amount(self._freight, o, p, False) or 0
        paid_total = self._amount(self._paid_total, o, p, complete) if complete else None
        discount = self._amount(self._discount, o, p, False) or 0

        address, phone_path = self._read_receiver(o, p)
        buyer = ""
        if self._buyer is not None:
            try:
                buyer = _to_text(self._buyer.read(o))
            except ValueError as exc:
                p.fail("bad_value", self._buyer.where(o), str(exc))
        if p.reasons:
            raise Unmappable(p.reasons)
        assert implied is not None

        created = times.get("created") or 0
        fallback = times.get("updated") or created
        tags = self._status_tags.get(status, ())
        for tag, field, values in self._field_tags:
            value = field.read(o)
            if type(value) in _SCALAR and value in values:
                tags = (*tags, tag)
        if address is not _NO_ADDRESS and (
            receiver_tags(address) or any(getattr(address, k) for k in self._masked_parts)
        ):
            tags = (*tags, RECEIVER_MASKED)
        co = ChannelOrder(
            self.channel,
            external_id,
            status,
            tuple((m, times.get(m.value) or fallback) for m in implied),
            complete,
            lines,
            address,
            created,
            times.get("paid"),
            freight,
            paid_total,
            discount,
            self._remark(o),
            buyer,
            self._identifiers(o, address.phone, phone_path),
            tags,
        )
        if self._hook is not None:
            co = self._hook(o, co)
        return co

    @staticmethod
    def _amount(field: Field | None, o: Any, p: _Problems, required: bool) -> int | None:
        if field is None:
            return None
        value = field.read(o)
        if value is None:
            if required:
                p.fail("missing_field", field.where(o), _REQUIRED)
            return None
        if type(value) is int and value >= 0 and field.unit == "fen":
            return value
        try:
            return _to_fen(value, field.unit)
        except ValueError as exc:
            p.fail("bad_amount", field.where(o), str(exc))
            return 0

    def _read_lines(self, o: Mapping[str, Any], p: _Problems) -> tuple[ChannelLine, ...]:
        get, path = self._lines
        items = get(o)
        if type(items) is not list or not all(type(i) is dict for i in items):
            p.fail("missing_field", path, "expected a list of objects / 缺少商品列表")
            return ()
        if not items:
            p.fail("no_lines", path, "no items / 没有商品行")
            return ()
        sku_getters, sku_path = self._sku_getters, self._sku_path
        qty_field, price_field = self._qty, self._price
        discount_field, gift_field, title_field = self._line_discount, self._gift, self._title
        gift_values, gift_when_free, nulls = self._gift_values, self._gift_when_free, self._nulls
        out: list[ChannelLine] = []
        for i, item in enumerate(items):
            skus: list[str] = []
            for sku_get in sku_getters:
                value = sku_get(item)
                if value is None or value == "" or (type(value) is str and value in nulls):
                    continue
                try:
                    text = _to_text(value, id_like=True)
                except ValueError as exc:
                    p.fail("bad_value", f"{path}[{i}].{sku_path}", str(exc))
                    continue
                if text and text not in skus:
                    skus.append(text)
            if not skus:
                p.fail("missing_field", f"{path}[{i}].{sku_path}", "no SKU id / 缺少商品编码")
            quantity = qty_field.read(item)
            if type(quantity) is not int or quantity <= 0:
                try:
                    quantity = fen_value(quantity)
                except ValueError:
                    quantity = 0
                if quantity <= 0:
                    shown = qty_field.read(item)
                    p.fail(
                        "bad_quantity",
                        f"{path}[{i}].{qty_field.where(item)}",
                        f"{shown!r} is not a positive whole quantity / 数量无效",
                    )
            before = len(p.reasons)
            price = self._amount(price_field, item, p, True) or 0
            if len(p.reasons) > before:
                self._relocate(p, price_field.where(item), f"{path}[{i}]")
            discount = 0
            if discount_field is not None:
                before = len(p.reasons)
                discount = self._amount(discount_field, item, p, False) or 0
                if len(p.reasons) > before:
                    self._relocate(p, discount_field.where(item), f"{path}[{i}]")
            gift = gift_when_free and price == 0
            if gift_field is not None and not gift:
                flag = gift_field.read(item)
                gift = type(flag) in _SCALAR and (flag in gift_values or str(flag) in gift_values)
            title = ""
            if title_field is not None:
                t = title_field.read(item)
                title = t.strip() if type(t) is str else ("" if t is None else str(t))
            out.append(ChannelLine(tuple(skus), quantity, price, discount, gift, title, self._line_of(item)))
        return tuple(out)

    def _line_of(self, item: Mapping[str, Any]) -> str:
        """The platform's id of a line: ``line_id``'s paths read and joined with ``:``
        (WeChat Channels names a line by product and SKU id); empty if the spec has none."""
        field = self._line_id
        if field is None:
            return ""
        parts = []
        for get in field.getters:
            value = get(item)
            if (type(value) is str and value) or type(value) is int:
                parts.append(_to_text(value))
        return ":".join(parts)

    @staticmethod
    def _relocate(p: _Problems, field: str, at: str) -> None:
        """The last reason, named at ``field`` inside one line, gets the line's path in front."""
        if p.reasons and p.reasons[-1].field == field:
            last = p.reasons.pop()
            where = f"{at}.{field}"
            p.reasons.append(Reason(last.code, where, where + last.message[len(field) :]))

    def _read_receiver(self, o: Mapping[str, Any], p: _Problems) -> tuple[RawAddress, str]:
        if self._receiver is None:
            return _NO_ADDRESS, ""
        base_get, fields = self._receiver
        src = base_get(o)
        if type(src) is not dict:
            return _NO_ADDRESS, ""
        parts: dict[str, str] = {}
        for key, field in fields:
            value = field.read(src)
            if type(value) is str:
                parts[key] = value.strip()
            elif value is not None:
                try:
                    parts[key] = _to_text(value)
                except ValueError as exc:
                    p.fail("bad_value", field.where(src), str(exc))
        phone = self._phone_field
        phone_path = phone.where(src) if phone is not None and "phone" in parts and self._masked_paths else ""
        return RawAddress(**parts), phone_path

    def _remark(self, o: Mapping[str, Any]) -> str:
        buyer = seller = ""
        if self._buyer_remark is not None:
            value = self._buyer_remark.read(o)
            buyer = str(value).strip() if value is not None else ""
        if self._seller_remark is not None:
            value = self._seller_remark.read(o)
            seller = str(value).strip() if value is not None else ""
        if seller:
            return f"{buyer}\n[卖家备注 seller] {seller}" if buyer else f"[卖家备注 seller] {seller}"
        return buyer

    def _identifiers(self, o: Mapping[str, Any], phone: str, phone_path: str) -> tuple[Identifier, ...]:
        found: list[Identifier | None] = []
        if phone:
            if self._phone_masked or (phone_path and phone_path in self._masked_paths):
                found.append(identifier(IdentifierKind.PHONE, phone, masked=True))
            else:
                found.append(phone_identifier(phone))
        for kind, field, masked in self._idents:
            value = field.read(o)
            if value is None or isinstance(value, bool | dict | list):
                continue
            # Platform-issued buyer ids are opaque but plain: masked only where the file says so.
            found.append(identifier(kind, str(value), masked=masked))
        return identifiers(*found)


_NO_ADDRESS = RawAddress()


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
        self.complete_when_path = self._path(order.get("complete_when", ""), "order.complete_when")
        self.complete_when = compile_path(self.complete_when_path, self.where("order.complete_when"))
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
        for key in ("discount", "gift", "title", "line_id"):
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

        self.receiver: tuple[Getter, tuple[tuple[str, Field], ...]] | None = None
        self.receiver_path = ""
        self.receiver_masked: frozenset[str] = frozenset()
        if "receiver" in spec:
            rec = self._table(spec, "receiver")
            self._keys(rec, _RECEIVER, "receiver")
            base = self.receiver_path = self._path(rec.get("path", ""), "receiver.path")
            self.receiver = (
                compile_path(base, self.where("receiver.path")),
                tuple((k, self._field(rec, k, "receiver")) for k in _RECEIVER_PARTS if k in rec),
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

        # [tags] tag = [status codes]: what a status says about the order beyond its milestones
        # (partially_shipped for 部分发货), put on the order for rules and filters to match.
        # A tag may also follow any other field: tag = { path = "…", values = [...] }
        # (小红书 orderAfterSalesStatus 2 售后处理中 → after_sale_open).
        tags = self._table(spec, "tags")
        by_status: dict[str, list[str]] = {}
        by_field: list[tuple[str, Field, frozenset[Any]]] = []
        for tag, codes in tags.items():
            if not re.match(r"^[a-z][a-z0-9_]{1,31}$", tag):
                self.fail(f"tags.{tag}", "a lower-case tag name / 标签名须为小写字母数字下划线")
            if isinstance(codes, dict):
                extra = set(codes) - {"path", "values"}
                if extra:
                    self.fail(
                        f"tags.{tag}", f"unknown key {sorted(extra)[0]!r} (known: path, values) / 未知配置项"
                    )
                values = self._scalars(codes.get("values"), f"tags.{tag}.values")
                field = self._field(codes, "path", f"tags.{tag}", required=True)
                by_field.append((tag, field, frozenset(values) | frozenset(str(v) for v in values)))
                continue
            for code in self._strings(codes, f"tags.{tag}"):
                if code not in vocab:
                    self.fail(f"tags.{tag}", f"{code!r} is not in [statuses] / 状态不在状态表中")
                by_status.setdefault(code, []).append(tag)
        self.status_tags: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {code: tuple(names) for code, names in by_status.items()}
        )
        self.field_tags = tuple(by_field)

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
        getters = tuple(compile_path(t, self.where(name)) for t in paths)
        return Field(getters, tuple(paths), unit, fmt, _reader(tuple(paths), getters, self.nulls))


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
