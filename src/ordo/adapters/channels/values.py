"""Reading a platform's values exactly: money to integer fen, times to UTC nanoseconds.

Platforms disagree: Taobao and JD send yuan as decimal strings ("200.07"), Douyin,
Kuaishou and WeChat send fen as integers, Pinduoduo sends yuan as JSON numbers.
Everything goes through :class:`decimal.Decimal`, never through float arithmetic,
and a value that is not a whole number of fen is refused, not rounded.
Times come as epoch seconds, epoch milliseconds or ``YYYY-MM-DD HH:MM:SS`` in
Asia/Shanghai (UTC+8 all year; China has had no daylight saving since 1991).

:class:`Reader` wraps one payload and collects every problem it finds, so a payload
that cannot be mapped says all of its reasons at once, each naming its field.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

NS = 1_000_000_000
_SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: Epoch values above this are milliseconds (it is 2286-11-20 in seconds).
_MS_THRESHOLD = 10_000_000_000
_HUNDRED = Decimal(100)
#: Bound of the memo of amount and time texts already converted (least recently used go first).
_SEEN_MAX = 4096
#: Times before 2000-01-01 are placeholders meaning "not yet" (``0000-00-00 00:00:00``,
#: ``1970-01-01 08:00:00``, epoch 0), never a real order's time.
_PLACEHOLDER_BEFORE_NS = 946_684_800 * NS


class Unmappable(Exception):
    """A payload Ordo cannot turn into an order; ``reasons`` says why, field by field."""

    def __init__(self, reasons: Sequence[Reason]) -> None:
        super().__init__("; ".join(r.message for r in reasons))
        self.reasons = tuple(reasons)


class Reason:
    __slots__ = ("code", "field", "message")

    def __init__(self, code: str, field: str, message: str) -> None:
        self.code = code
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.field!r})"


def yuan_to_fen(value: Any) -> int:
    """Yuan (str, int, Decimal or a JSON float) as exact integer fen; ValueError otherwise."""
    if type(value) is str:
        return _text_fen(value)
    return _yuan_to_fen(value)


@functools.lru_cache(maxsize=_SEEN_MAX)
def _text_fen(text: str) -> int:
    # Cached: prices repeat across payloads ("128.00", "0.00"). A ValueError is not cached.
    return _yuan_to_fen(text)


def _yuan_to_fen(value: Any) -> int:
    if type(value) is str:
        # Fast path for the common "128.00" / "39.9" / "12": integer arithmetic, still exact.
        whole, dot, frac = value.partition(".")
        if (
            whole.isdigit()
            and whole.isascii()
            and len(frac) <= 2
            and (not dot or (frac.isdigit() and frac.isascii()))
        ):
            return int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    elif type(value) is int:
        return value * 100
    if isinstance(value, bool) or value is None:
        raise ValueError("not an amount")
    if type(value) is Decimal:  # a JSON number read exactly: its text would parse back to itself
        amount = value
    else:
        if isinstance(value, float):
            value = repr(value)  # the shortest text that round-trips: 39.9 → "39.9", not 39.89999…
        try:
            amount = Decimal(str(value).strip().replace(",", "").removeprefix("¥").removeprefix("￥"))
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    fen = amount * _HUNDRED
    if not fen.is_finite() or fen != fen.to_integral_value():
        raise ValueError(f"not a whole number of fen: {value!r}")
    return int(fen)


def fen_value(value: Any) -> int:
    """An amount the platform already sends in fen (int or digit string)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not an amount")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError(f"fen must be whole: {value!r}")
        return int(value)
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise ValueError(f"fen must be whole: {value!r}")
    return int(text)


def time_ns(value: Any) -> int:
    """Epoch s / epoch ms / ``YYYY-MM-DD HH:MM:SS`` (Asia/Shanghai) as UTC nanoseconds."""
    if type(value) is str:
        return _text_time_ns(value)
    return _time_ns(value)


@functools.lru_cache(maxsize=_SEEN_MAX)
def _text_time_ns(text: str) -> int:
    # Cached: a push repeats its times, and platforms send the same second many times over.
    return _time_ns(text)


def _time_ns(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        raise ValueError("not a time")
    if isinstance(value, int | Decimal) or (isinstance(value, str) and value.strip().isdigit()):
        n = int(value)
        if n <= 0:
            raise ValueError("not a time")
        return n * 1_000_000 if n > _MS_THRESHOLD else n * NS
    text = str(value).strip()
    if len(text) == 19 and text[4] == "-" and text[7] == "-" and text[10] in " T" and text[13] == ":":
        return _wall_clock_ns(text)
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time: {value!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_SHANGHAI)
    return int(t.timestamp()) * NS + t.microsecond * 1000


@functools.lru_cache(maxsize=4096)
def _wall_clock_ns(text: str) -> int:
    """``YYYY-MM-DD HH:MM:SS`` in Asia/Shanghai as UTC ns (cached: pushes repeat their times)."""
    try:
        t = dt.datetime(
            int(text[0:4]), int(text[5:7]), int(text[8:10]),
            int(text[11:13]), int(text[14:16]), int(text[17:19]), tzinfo=_SHANGHAI,
        )  # fmt: skip
    except ValueError:
        raise ValueError(f"not a time: {text!r}") from None
    return int(t.timestamp()) * NS


def is_placeholder_time(value: Any) -> bool:
    """``0000-00-00 00:00:00``, ``0000-00-00``, ``1970-01-01 …``: a platform's "no time yet"."""
    text = str(value).strip()
    return text.startswith(("0000-00-00", "1970-01-01")) or text in {"0", "-1"}


#: One decoder with exact decimals, built once: ``json.loads(…, parse_float=Decimal)`` builds a
#: new decoder and scanner per call, a third of the time of a middleman's 1.5 kB JSON text.
#: It holds no state between calls (the C scanner clears its key memo after each).
_JSON = json.JSONDecoder(parse_float=Decimal)
_JSON_SPACE = " \t\n\r"


def decode_json(text: str) -> Any:
    """``text`` as JSON with exact decimals (as ``json.loads(text, parse_float=Decimal)``);
    ValueError if it is not JSON. For text starting with ``{`` or ``[`` (no leading space)."""
    value, end = _JSON.raw_decode(text)
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ValueError("extra data after the JSON value")
    return value


def embedded_json(value: Any) -> Any:
    """A value that is JSON inside a string (``jdp_response``, ``orderExt``), decoded with exact
    decimals; any other value as it is. A string that is not JSON stays a string."""
    if type(value) is str and value[:1] in ("{", "["):
        try:
            return decode_json(value)
        except ValueError:
            return value
    return value


def _at(at: str, key: str) -> str:
    """A field's dotted path, built only when a problem is reported."""
    return f"{at}.{key}" if at else key


class Reader:
    """Typed reads from one payload that collect problems instead of raising at the first."""

    __slots__ = ("reasons",)

    def __init__(self) -> None:
        self.reasons: list[Reason] = []

    def fail(self, code: str, field: str, message: str) -> None:
        self.reasons.append(Reason(code, field, f"{field}: {message}"))

    def check(self) -> None:
        if self.reasons:
            raise Unmappable(self.reasons)

    def obj(self, src: Any, key: str, at: str = "", *, required: bool = True) -> Mapping[str, Any]:
        value = src.get(key) if isinstance(src, dict) else None
        if isinstance(value, dict):
            return value
        if value is not None or required:
            self.fail("missing_field", _at(at, key), "expected an object / 缺少对象字段")
        return {}

    def items(self, src: Any, key: str, at: str = "", *, required: bool = True) -> list[Mapping[str, Any]]:
        value = src.get(key) if isinstance(src, dict) else None
        # A list of objects (told without a generator: this runs for every payload's lines).
        if isinstance(value, list) and all([isinstance(v, dict) for v in value]):
            if not value and required:
                self.fail("no_lines", _at(at, key), "no items / 没有商品行")
            return value
        if value is not None or required:
            self.fail("missing_field", _at(at, key), "expected a list of objects / 缺少列表字段")
        return []

    def text(self, src: Mapping[str, Any], key: str, at: str = "", *, required: bool = True) -> str:
        value = src.get(key)
        if type(value) is str and value:
            return value.strip()
        if value is None or value == "":
            if required:
                self.fail("missing_field", _at(at, key), "required / 必填字段缺失")
            return ""
        if isinstance(value, bool | dict | list):
            self.fail("bad_value", _at(at, key), "expected text / 应为文本")
            return ""
        return str(value).strip()

    def texts(self, src: Mapping[str, Any], keys: Sequence[str], at: str = "") -> tuple[str, ...]:
        """The non-empty ones of several optional text fields, in ``keys`` order (SKU candidates)."""
        out: list[str] = []
        for key in keys:
            value = src.get(key)
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                text = value.strip()
            elif kind is int:  # numeric ids (num_iid, product_id): the common non-text case
                text = str(value)
            else:
                text = self.text(src, key, at, required=False)
            if text:
                out.append(text)
        return tuple(out)

    def yuan(self, src: Mapping[str, Any], key: str, at: str = "", *, default: int | None = None) -> int:
        value = src.get(key)
        if type(value) is str:  # the usual price text: its exact fen (remembered) without the checks
            try:
                known = _text_fen(value)
            except ValueError:
                known = -1  # the checks below say what is wrong with it
            if known >= 0:
                return known
        return self._amount(src, key, at, default, yuan_to_fen, "yuan / 元")

    def fen(self, src: Mapping[str, Any], key: str, at: str = "", *, default: int | None = None) -> int:
        value = src.get(key)
        if type(value) is int and value >= 0:  # the usual JSON integer: nothing to check further
            return value
        return self._amount(src, key, at, default, fen_value, "fen / 分")

    def _amount(self, src: Mapping[str, Any], key: str, at: str, default: int | None,
                convert: Any, unit: str) -> int:  # fmt: skip
        value = src.get(key)
        if value is None or value == "":
            if default is None:
                self.fail("missing_field", _at(at, key), "required / 必填字段缺失")
                return 0
            return default
        try:
            fen: int = convert(value)
        except ValueError:
            self.fail("bad_amount", _at(at, key), f"{value!r} is not an exact amount in {unit} / 金额无效")
            return 0
        if fen < 0:
            self.fail("bad_amount", _at(at, key), "negative amount / 金额为负")
        return fen

    def count(self, src: Mapping[str, Any], key: str, at: str = "") -> int:
        value = src.get(key)
        if type(value) is int and value > 0:
            return value
        field = _at(at, key)
        try:
            n = fen_value(value)
        except ValueError:
            self.fail("bad_quantity", field, f"{value!r} is not a whole quantity / 数量无效")
            return 0
        if n <= 0:
            self.fail("bad_quantity", field, "quantity must be positive / 数量必须大于零")
        return n

    def time(self, src: Mapping[str, Any], key: str, at: str = "", *, required: bool = True) -> int | None:
        value = src.get(key)
        if type(value) is int and value > 0:  # epoch s or ms, the common case
            ns = value * 1_000_000 if value > _MS_THRESHOLD else value * NS
        elif value is None or value == "" or value == 0 or (type(value) is str and value[:4] == "0000"):
            ns = 0  # absent, or 0000-00-00 …: "none" (read without a failed parse)
        else:
            try:
                ns = _text_time_ns(value) if type(value) is str else _time_ns(value)
            except ValueError:
                if not is_placeholder_time(value):
                    self.fail("bad_time", _at(at, key), f"{value!r} is not a time / 时间格式无效")
                    return None
                ns = 0
        if ns >= _PLACEHOLDER_BEFORE_NS:
            return ns
        # Empty, zero or a placeholder date: the platform's way of saying "not yet".
        if required:
            self.fail("missing_field", _at(at, key), "required / 必填字段缺失")
        return None

    def ident(self, src: Mapping[str, Any], key: str, at: str = "", *, required: bool = True) -> str:
        """An id exactly as sent: text or a JSON integer of any size (ids pass 2^53), never a
        JSON float, whose digits a sender's double may already have rounded away."""
        value = src.get(key)
        if type(value) is str:
            text = value.strip()
            if text:
                return text
        elif type(value) is int:
            return str(value)
        elif isinstance(value, float | Decimal):
            self.fail(
                "bad_id", _at(at, key),
                f"{value!r} is a floating-point number and may have lost digits; send the id as text "
                "/ 订单号为浮点数，可能已丢失精度，请以字符串发送",
            )  # fmt: skip
            return ""
        elif value is not None and not isinstance(value, bool | dict | list):
            return str(value).strip()
        if value is not None and type(value) is not str:
            self.fail("bad_value", _at(at, key), "expected text / 应为文本")
        elif required:
            self.fail("missing_field", _at(at, key), "required / 必填字段缺失")
        return ""
