"""A mapping file's fast path: its order reader generated as one Python function, once, at load.

:class:`~ordo.adapters.channels.declarative.DeclarativeAdapter` reads an order by walking the
compiled fields of its mapping file, one small function call per path and per value. Here the
same reading is written out as straight code for one file: each path's keys inline, a parent
object many fields share (``order_info``, ``pay_info``) looked up once, no call per field.

It covers the well-formed order only. At the first value the reference reader would complain
about (a missing id, an unknown status, a bad amount, quantity or time …) or any value of an
unusual type, the generated function gives up and returns None, and the adapter reads the
order again by the reference path, which names every problem. So a payload maps to the same
``ChannelOrder`` either way, and a refused one is refused with the same reasons;
``tests/unit/channels/test_compiled.py`` compares the two over the fixtures and their mutations.

The generated source holds no text from the mapping file: every key, path getter and set of
values is a constant handed to it by name (``_k3``), so a mapping file cannot inject code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ordo.adapters.channels.base import (
    RECEIVER_MASKED,
    ChannelLine,
    ChannelOrder,
    RawAddress,
    identifiers,
    phone_identifier,
    receiver_tags,
)
from ordo.adapters.channels.values import _text_fen, _wall_clock_ns, fen_value
from ordo.domain.orders.model import Identifier, IdentifierKind

if TYPE_CHECKING:
    from ordo.adapters.channels.declarative import DeclarativeAdapter, Field

#: What a path's parent reads as when it is not an object: nothing under it.
_NO_OBJECT: Mapping[str, Any] = MappingProxyType({})
#: The generated reader: the order object (a dict) → its ChannelOrder, or None to take the
#: reference path (which raises with every reason, or maps what the fast path would not try).
FastParse = Callable[[dict[str, Any]], ChannelOrder | None]


class _Source:
    """The generated function's text and the constants it names."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        self.lines: list[str] = []
        self.ns: dict[str, Any] = dict(names)
        self._consts: dict[int, str] = {}
        self._nodes: dict[tuple[str, tuple[str | int, ...]], str] = {}
        self._n = 0

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def const(self, value: Any) -> str:
        name = self._consts.get(id(value))
        if name is None:
            name = self._consts[id(value)] = f"_k{len(self._consts)}"
            self.ns[name] = value
        return name

    def var(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def scope(self, root: str) -> None:
        """Forget the parents looked up under ``root`` (a new loop iteration)."""
        self._nodes = {k: v for k, v in self._nodes.items() if k[0] != root}

    def _as_dict(self, indent: int, root: str, keys: tuple[str | int, ...]) -> str:
        """A variable holding the node at ``keys`` if it is a dict, else an empty mapping: its
        children are then read with one ``.get`` each (None under a non-object, as before)."""
        if not keys:
            return root  # the root is a dict (checked before the function is called)
        known = self._nodes.get((root, (*keys, "{}")))
        if known is not None:
            return known
        node = self.node(indent, root, keys)
        name = self.var("d")
        self.emit(indent, f"{name} = {node} if type({node}) is dict else {self.const(_NO_OBJECT)}")
        self._nodes[(root, (*keys, "{}"))] = name
        return name

    def node(self, indent: int, root: str, keys: tuple[str | int, ...]) -> str:
        """A variable holding the value at ``keys`` (keys and list indexes) under the dict
        ``root``, None where a level is missing or of another type (as ``compile_path``
        reads it), each parent looked up once per scope."""
        if not keys:
            return root
        known = self._nodes.get((root, keys))
        if known is not None:
            return known
        parent = self.node(indent, root, keys[:-1])
        name = self.var("n")
        step = keys[-1]
        if type(step) is int:
            i = int(step)  # digits from the path, as a literal
            self.emit(
                indent, f"{name} = {parent}[{i}] if type({parent}) is list and len({parent}) > {i} else None"
            )
        else:
            self.emit(indent, f"{name} = {self._as_dict(indent, root, keys[:-1])}.get({self.const(step)})")
        self._nodes[(root, keys)] = name
        return name


def _keys_of(path: str) -> tuple[str | int, ...] | None:
    """The steps of an ``a.b[0].c`` path: keys and list indexes (None for one with ``@json``,
    read by its compiled getter)."""
    if path == "":
        return ()
    if "@" in path:
        return None
    steps: list[str | int] = []
    for part in path.split("."):
        key, bracket, rest = part.partition("[")
        steps.append(key)
        if bracket:
            steps += [int(i) for i in rest.rstrip("]").split("][")]
    return tuple(steps)


class _Generator:
    def __init__(self, adapter: DeclarativeAdapter) -> None:
        self.a = adapter
        self.s = _Source(
            {
                "ChannelLine": ChannelLine, "ChannelOrder": ChannelOrder, "RawAddress": RawAddress,
                "receiver_tags": receiver_tags, "RECEIVER_MASKED": RECEIVER_MASKED,
                "_text_fen": _text_fen, "_wall_clock_ns": _wall_clock_ns, "fen_value": fen_value,
                "Identifier": Identifier, "identifiers": identifiers, "phone_identifier": phone_identifier,
            }
        )  # fmt: skip
        from ordo.adapters.channels import declarative as d

        self.d = d
        self.s.ns.update(_to_ns=d._to_ns, _to_fen=d._to_fen, _to_text=d._to_text, _SCALAR=d._SCALAR)
        self.nulls = self.s.const(adapter._nulls) if adapter._nulls else ""

    # -- reading a field ------------------------------------------------------------
    def _raw(self, indent: int, root: str, path: str, getter: Any) -> str:
        """An expression for the raw value at ``path`` (compile_path semantics, no nulls)."""
        keys = _keys_of(path)
        if keys is None:
            return f"{self.s.const(getter)}({root})"
        return self.s.node(indent, root, keys)

    def _empty(self, v: str) -> str:
        """True when the reference reader treats ``v`` as absent: ``""`` or a null text."""
        if self.nulls:
            return f"{v} == '' or (type({v}) is str and {v} in {self.nulls})"
        return f"{v} == ''"

    def read(self, indent: int, root: str, field: Field, target: str) -> None:
        """``target = field.read(root)``: the first present path's value, else None."""
        exprs = [self._raw(indent, root, p, g) for p, g in zip(field.paths, field.getters, strict=True)]
        if not exprs:
            self.s.emit(indent, f"{target} = None")
            return
        self.s.emit(indent, f"{target} = {exprs[0]}")
        if len(exprs) == 1:
            self.s.emit(indent, f"if {self._empty(target)}:")
            self.s.emit(indent + 1, f"{target} = None")
            return
        level = indent
        for expr in exprs[1:]:
            self.s.emit(level, f"if {target} is None or {self._empty(target)}:")
            level += 1
            self.s.emit(level, f"{target} = {expr}")
        self.s.emit(level, f"if {target} is None or {self._empty(target)}:")
        self.s.emit(level + 1, f"{target} = None")

    def amount(self, indent: int, root: str, field: Field, target: str, *, required: bool) -> None:
        """``target`` = the field's exact fen (None when absent and not required); gives up
        (returns None) where the reference would report a problem."""
        self.read(indent, root, field, target)
        emit = self.s.emit
        emit(indent, f"if {target} is not None:")
        if field.unit == "fen":
            emit(indent + 1, f"if type({target}) is not int or {target} < 0:")
            emit(indent + 2, "try:")
            emit(indent + 3, f"{target} = _to_fen({target}, 'fen')")
            emit(indent + 2, "except ValueError:")
            emit(indent + 3, "return None")
        else:
            emit(indent + 1, f"if type({target}) is str:")
            emit(indent + 2, "try:")
            emit(indent + 3, f"{target} = _text_fen({target})")
            emit(indent + 2, "except ValueError:")
            emit(indent + 3, "return None")
            emit(indent + 2, f"if {target} < 0:")
            emit(indent + 3, "return None")
            emit(indent + 1, "else:")
            emit(indent + 2, "try:")
            emit(indent + 3, f"{target} = _to_fen({target}, 'yuan')")
            emit(indent + 2, "except ValueError:")
            emit(indent + 3, "return None")
        if required:
            emit(indent, "else:")
            emit(indent + 1, "return None")

    # -- the function ----------------------------------------------------------------
    def build(self) -> FastParse:
        a, s, emit = self.a, self.s, self.s.emit
        s.emit(0, "def fast(o):")
        # id: text or a JSON integer; anything else (absent, a decimal …) is the reference's to say.
        self.read(1, "o", a._id, "v")
        emit(1, "if type(v) is str:")
        emit(2, "external_id = v.strip()")
        emit(1, "elif type(v) is int:")
        emit(2, "external_id = str(v)")
        emit(1, "else:")
        emit(2, "return None")
        # status
        statuses = s.const(a.statuses)
        self.read(1, "o", a._status, "v")
        emit(1, "if type(v) is str:")
        emit(2, "status = v")
        emit(1, "elif type(v) is int:")
        emit(2, "status = str(v)")
        emit(1, "else:")
        emit(2, "return None")
        emit(1, f"implied = {statuses}.get(status)")
        emit(1, "if implied is None:")
        emit(2, "status = status.strip()")
        emit(2, f"implied = {statuses}.get(status)")
        emit(2, "if implied is None:")
        emit(3, "return None")
        # complete: the path of the full order's lines is present (any value, "" included)
        cw = _keys_of(a._complete_when_path)
        cw_value = s.node(1, "o", cw) if cw is not None else f"{s.const(a._complete_when)}(o)"
        emit(1, f"complete = {cw_value} is not None")
        self._times()
        self._lines()
        if a._freight is not None:
            self.amount(1, "o", a._freight, "freight", required=False)
            emit(1, "freight = freight or 0")
        else:
            emit(1, "freight = 0")
        if a._paid_total is not None:
            self.amount(1, "o", a._paid_total, "paid_total", required=False)
            emit(1, "if complete:")
            emit(2, "if paid_total is None:")
            emit(3, "return None")
            emit(1, "else:")
            emit(2, "paid_total = None")
        else:
            emit(1, "paid_total = None")
        if a._discount is not None:
            self.amount(1, "o", a._discount, "discount", required=False)
            emit(1, "discount = discount or 0")
        else:
            emit(1, "discount = 0")
        self._receiver()
        if a._buyer is not None:
            self.read(1, "o", a._buyer, "v")
            emit(1, "if type(v) is str:")
            emit(2, "buyer = v.strip()")
            emit(1, "elif type(v) is int:")
            emit(2, "buyer = str(v)")
            emit(1, "elif v is None:")
            emit(2, "buyer = ''")
            emit(1, "else:")
            emit(2, "return None")
        else:
            emit(1, "buyer = ''")
        self._finish()
        namespace = dict(s.ns)
        exec(compile("\n".join(s.lines), f"<mapping {a.source}>", "exec"), namespace)
        fast: FastParse = namespace["fast"]
        return fast

    def _times(self) -> None:
        a, s, emit = self.a, self.s, self.s.emit
        placeholders = s.const(a._placeholders)
        names: list[tuple[str, str]] = []
        for key, field in a._time_fields:
            t = s.var("t")
            names.append((key, t))
            self.read(1, "o", field, t)
            check = f"{t} is None or {t} == 0 or (type({t}) in (str, int) and {t} in {placeholders})"
            emit(1, f"if {check}:")
            emit(2, f"{t} = None")
            if key == "created":
                emit(2, "if complete:")
                emit(3, "return None")
            emit(1, "else:")
            if field.format == "shanghai":
                emit(2, f"if type({t}) is str and len({t}) == 19:")
                emit(3, "try:")
                emit(4, f"{t} = _wall_clock_ns({t})")
                emit(3, "except ValueError:")
                emit(4, "return None")
                emit(2, "else:")
                emit(3, "return None")
            else:
                emit(2, "try:")
                emit(3, f"{t} = _to_ns({t}, {s.const(field.format)})")
                emit(2, "except ValueError:")
                emit(3, "return None")
        pairs = ", ".join(f"{s.const(key)}: {t}" for key, t in names)
        emit(1, f"times = {{{pairs}}}")

    def _lines(self) -> None:
        a, s, emit = self.a, self.s, self.s.emit
        get, path = a._lines
        keys = _keys_of(path)
        items = s.node(1, "o", keys) if keys is not None else f"{s.const(get)}(o)"
        emit(1, "lines = ()")
        emit(1, "if complete:")
        emit(2, f"items = {items}")
        emit(2, "if type(items) is not list or not items:")
        emit(3, "return None")
        emit(2, "out = []")
        emit(2, "for item in items:")
        emit(3, "if type(item) is not dict:")
        emit(4, "return None")
        s.scope("item")
        lf = a._line_fields
        # SKU candidates, best first, each once; at least one.
        emit(3, "skus = []")
        sku = lf["sku"]
        for p, g in zip(sku.paths, sku.getters, strict=True):
            v = s.var("v")
            emit(3, f"{v} = {self._raw(3, 'item', p, g)}")
            emit(3, f"if {v} is not None and not ({self._empty(v)}):")
            emit(4, f"if type({v}) is str:")
            emit(5, f"{v} = {v}.strip()")
            emit(4, f"elif type({v}) is int:")
            emit(5, f"{v} = str({v})")
            emit(4, "else:")
            emit(5, "return None")
            emit(4, f"if {v} and {v} not in skus:")
            emit(5, f"skus.append({v})")
        emit(3, "if not skus:")
        emit(4, "return None")
        self.read(3, "item", lf["quantity"], "quantity")
        emit(3, "if type(quantity) is not int or quantity <= 0:")
        emit(4, "try:")
        emit(5, "quantity = fen_value(quantity)")
        emit(4, "except ValueError:")
        emit(5, "return None")
        emit(4, "if quantity <= 0:")
        emit(5, "return None")
        self.amount(3, "item", lf["price"], "price", required=True)
        if "discount" in lf:
            self.amount(3, "item", lf["discount"], "ldiscount", required=False)
            emit(3, "ldiscount = ldiscount or 0")
        else:
            emit(3, "ldiscount = 0")
        emit(3, f"gift = {bool(a._gift_when_free)} and price == 0")
        if "gift" in lf:
            values = s.const(a._gift_values)
            self.read(3, "item", lf["gift"], "flag")
            emit(3, "if not gift:")
            emit(4, f"gift = type(flag) in _SCALAR and (flag in {values} or str(flag) in {values})")
        if "title" in lf:
            self.read(3, "item", lf["title"], "title")
            emit(3, "title = title.strip() if type(title) is str else ('' if title is None else str(title))")
        else:
            emit(3, "title = ''")
        if "line_id" in lf:
            field = lf["line_id"]
            emit(3, "parts = []")
            for p, g in zip(field.paths, field.getters, strict=True):
                v = s.var("v")
                emit(3, f"{v} = {self._raw(3, 'item', p, g)}")
                emit(3, f"if type({v}) is str and {v}:")
                emit(4, f"parts.append({v}.strip())")
                emit(3, f"elif type({v}) is int:")
                emit(4, f"parts.append(str({v}))")
            emit(3, "line_id = ':'.join(parts)")
        else:
            emit(3, "line_id = ''")
        emit(3, "out.append(ChannelLine(tuple(skus), quantity, price, ldiscount, gift, title, line_id))")
        emit(2, "lines = tuple(out)")

    def _receiver(self) -> None:
        a, s, emit = self.a, self.s, self.s.emit
        emit(1, "phone_path = ''")
        if a._receiver is None:
            emit(1, f"address = {s.const(self.d._NO_ADDRESS)}")
            return
        base_get, fields = a._receiver
        emit(1, f"address = {s.const(self.d._NO_ADDRESS)}")
        base = _keys_of(a._receiver_path)
        emit(1, f"src = {s.node(1, 'o', base) if base is not None else s.const(base_get) + '(o)'}")
        emit(1, "if type(src) is dict:")
        s.scope("src")
        parts: list[str] = []
        for key, field in fields:
            v = s.var("r")
            parts.append(f"{key}={v}")
            self.read(2, "src", field, v)
            emit(2, f"if type({v}) is str:")
            emit(3, f"{v} = {v}.strip()")
            emit(2, f"elif {v} is None:")
            emit(3, f"{v} = ''")
            emit(2, "else:")
            emit(3, "try:")
            emit(4, f"{v} = _to_text({v})")
            emit(3, "except ValueError:")
            emit(4, "return None")
        emit(2, f"address = RawAddress({', '.join(parts)})")
        if a._phone_field is not None and a._masked_paths:
            # The reference names the phone's path only when some part is present: an absent
            # phone reads as "" here, so look again at whether one was read.
            emit(2, f"if {self._phone_present()}:")
            emit(3, f"phone_path = {s.const(a._phone_field)}.where(src)")

    def _phone_present(self) -> str:
        """Whether the reference put a phone in its parts: the field read a value (not None)."""
        return f"{self.s.const(self.a._phone_field)}.read(src) is not None"

    def _finish(self) -> None:
        a, s, emit = self.a, self.s, self.s.emit
        emit(1, "created = times.get('created') or 0")
        emit(1, "fallback = times.get('updated') or created")
        emit(1, f"tags = {s.const(a._status_tags)}.get(status, ())")
        for tag, field, values in a._field_tags:
            v = s.var("v")
            self.read(1, "o", field, v)
            emit(1, f"if type({v}) in _SCALAR and {v} in {s.const(values)}:")
            emit(2, f"tags = (*tags, {s.const(tag)})")
        masked = "".join(f" or address.{k}" for k in a._masked_parts)
        no_address = s.const(self.d._NO_ADDRESS)
        emit(1, f"if address is not {no_address} and (receiver_tags(address){masked}):")
        emit(2, "tags = (*tags, RECEIVER_MASKED)")
        self._remark()
        self._identifiers()
        # Each implied milestone with its own time, else the order's last update (or creation).
        pairs = {code: tuple((m, m.value) for m in ms) for code, ms in a.statuses.items()}
        steps = s.const(MappingProxyType(pairs))
        emit(1, f"steps = tuple([(m, times.get(k) or fallback) for m, k in {steps}[status]])")
        emit(
            1,
            f"return ChannelOrder({s.const(a.channel)}, external_id, status, steps, complete, lines, "
            "address, created, times.get('paid'), freight, paid_total, discount, remark, buyer, "
            "idents, tags)",
        )

    def _remark(self) -> None:
        """``remark``: the buyer's remark, then the seller's marked as such (as ``_remark``)."""
        a, emit = self.a, self.s.emit
        for name, field in (("buyer_note", a._buyer_remark), ("seller_note", a._seller_remark)):
            if field is None:
                emit(1, f"{name} = ''")
                continue
            self.read(1, "o", field, name)
            emit(1, f"{name} = str({name}).strip() if {name} is not None else ''")
        emit(1, "if seller_note:")
        emit(2, "remark = f'[卖家备注 seller] {seller_note}'")
        emit(2, "if buyer_note:")
        emit(3, "remark = f'{buyer_note}\\n{remark}'")
        emit(1, "else:")
        emit(2, "remark = buyer_note")

    def _identifiers(self) -> None:
        """``idents``: the receiver's phone, then the file's identifiers (as ``_identifiers``)."""
        a, s, emit = self.a, self.s, self.s.emit
        emit(1, "found = []")
        emit(1, "phone = address.phone")
        emit(1, "if phone:")
        kind = s.const(IdentifierKind.PHONE.value)
        if a._phone_masked:
            emit(2, f"found.append(Identifier({kind}, phone, masked=True))")
        else:
            if a._masked_paths:
                emit(2, f"if phone_path and phone_path in {s.const(a._masked_paths)}:")
                emit(3, f"found.append(Identifier({kind}, phone, masked=True))")
                emit(2, "else:")
                emit(3, "found.append(phone_identifier(phone))")
            else:
                emit(2, "found.append(phone_identifier(phone))")
        for kind, field, masked in a._idents:
            v = s.var("v")
            self.read(1, "o", field, v)
            emit(1, f"if {v} is not None and not isinstance({v}, {s.const((bool, dict, list))}):")
            emit(2, f"{v} = str({v})")
            emit(2, f"if {v}:")
            emit(3, f"found.append(Identifier({s.const(kind.value)}, {v}, masked={bool(masked)}))")
        emit(1, "idents = identifiers(*found)")


def compile_parse(adapter: DeclarativeAdapter) -> FastParse:
    """The adapter's order reader as one generated function (see the module's docstring)."""
    return _Generator(adapter).build()
