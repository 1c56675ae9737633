"""Customer identity (the seeds' 客户数字身份总线, ID-Mapping): identifiers linked into customers.

An identifier (phone, OpenID, UnionID, buyer id / OAID, device, member number, email)
becomes a *key*; every linkable key belongs to exactly one customer. An order that
carries two keys links them: if they belonged to two customers, those customers
merge (union-find, the older customer wins) and the merge is recorded with its
evidence. Masked identifiers (138****1234, ciphertext) and kinds Ordo does not know
are kept with the order but never link anyone.

Merges form a forest: each absorbed customer points at the customer it merged
into (``merged_into``), which is never compressed, so undoing one merge (a split)
detaches exactly the subtree that merge brought in. Keys remember the customer
they were first given (their *origin*), and an order follows its *primary* key
(its first linkable one), so a split knows where every key and order goes.

Phones and emails are keyed by HMAC-SHA256 under a pepper the caller passes in,
never by their plaintext. Batch first: ``resolve`` takes a whole batch of orders.
This module does no I/O and reads no clock; ids come from the caller's factory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from ordo.domain.errors import Conflict
from ordo.domain.orders.model import Identifier, IdentifierKind
from ordo.domain.pii import mask_phone

#: Kinds that are personal data in themselves: keyed by HMAC, shown masked.
HASHED_KINDS = frozenset({IdentifierKind.PHONE.value, IdentifierKind.EMAIL.value})
_KINDS = frozenset(k.value for k in IdentifierKind)
#: Longest identifier value that can link; longer ones are kept but are not ids.
MAX_VALUE = 128


class IdKey(NamedTuple):
    """A linkable identifier: ``key`` is what links (``phone:<hmac>``), ``display`` what may be shown."""

    kind: str
    key: str
    display: str


class Kept(NamedTuple):
    """One identifier as an order carried it; ``key`` is None when it links no one."""

    kind: str
    display: str
    key: str | None


_PHONE, _EMAIL = IdentifierKind.PHONE.value, IdentifierKind.EMAIL.value
_NOT_DIGIT = re.compile(r"[^0-9]")


def normalize(kind: str, value: str) -> str:
    """The form two channels would agree on: phones as 11 digits, emails lower-case."""
    value = value.strip()
    if kind == _PHONE:
        if len(value) != 11 or not value.isascii() or not value.isdigit():  # fast path: already clean
            value = _NOT_DIGIT.sub("", value)
            if len(value) == 13 and value.startswith("86"):
                value = value[2:]
        return value
    if kind == _EMAIL:
        return value.lower()
    return value


def _display(kind: str, norm: str) -> str:
    if kind == _PHONE:
        return mask_phone(norm)
    if kind == _EMAIL:
        name, _, domain = norm.partition("@")
        return f"{name[:1]}***@{domain}"
    return norm


@lru_cache(maxsize=8)
def _hmac_pads(pepper: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's keyed inner and outer states (RFC 2104), computed once per pepper:
    copying them costs a third of what ``hmac.digest`` spends setting them up per call.

    Why :func:`hmac_sha256_hex` is not ``hmac.digest``: 2.5 against 5.2 µs a key (one
    process, 2026-12-06; a test checks both give the same digest), and keying is the
    figure BENCHMARKS.md "Identity" gives as 253,057 links/s."""
    key = hashlib.sha256(pepper).digest() if len(pepper) > 64 else pepper
    key = key.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def hmac_sha256_hex(pepper: bytes, message: bytes) -> str:
    inner_pad, outer_pad = _hmac_pads(pepper)
    inner = inner_pad.copy()
    inner.update(message)
    outer = outer_pad.copy()
    outer.update(inner.digest())
    return str(outer.hexdigest())


def _key(kind: str, norm: str, pepper: bytes) -> str | None:
    if not norm or len(norm) > MAX_VALUE:
        return None
    if kind in HASHED_KINDS:
        return f"{kind}:{hmac_sha256_hex(pepper, norm.encode())}"
    return f"{kind}:{norm}"


def key_of(kind: str, value: str, pepper: bytes) -> str | None:
    """The linking key of an identifier, or None when it can link no one."""
    if kind not in _KINDS or "*" in value:
        return None
    return _key(kind, normalize(kind, value), pepper)


def phone_lookup(phone: str, pepper: bytes) -> str | None:
    """The keyed hash an order is found by its recipient's phone with: HMAC-SHA256 of the
    normalised number (``+86 139-0000-1111`` and ``13900001111`` agree), the same digest as
    the phone's identity key without its kind. None for a masked or empty phone."""
    key = key_of(_PHONE, phone, pepper)
    return None if key is None else key.partition(":")[2]


def keys_of(identifiers: Iterable[Identifier], pepper: bytes) -> tuple[list[IdKey], list[Kept]]:
    """An order's linkable keys (distinct, in the order sent) and every identifier as kept."""
    linkable: list[IdKey] = []
    kept: list[Kept] = []
    seen: set[str] = set()
    for ident in identifiers:
        kind, value = str(ident.kind), ident.value
        key = norm = None
        if not ident.masked and kind in _KINDS and "*" not in value:
            norm = normalize(kind, value)
            key = _key(kind, norm, pepper)
        if key is None or norm is None:
            kept.append(Kept(kind[:16], value[:MAX_VALUE], None))
            continue
        display = _display(kind, norm)
        kept.append(Kept(kind, display, key))
        if key not in seen:
            seen.add(key)
            linkable.append(IdKey(kind, key, display))
    return linkable, kept


class UnionFind:
    """Customers as disjoint sets. The smaller id (ids sort by creation) wins a union.

    ``blocked`` pairs (split by an operator) are never joined again, through any path.
    """

    def __init__(self, blocked: Iterable[tuple[str, str]] = ()) -> None:
        self.parent: dict[str, str] = {}
        self._blocked: dict[str, set[str]] = {}
        for a, b in blocked:
            self._blocked.setdefault(a, set()).add(b)
            self._blocked.setdefault(b, set()).add(a)

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:  # path compression: in memory only, the store keeps the forest
            parent[x], x = root, parent[x]
        return root

    def can_join(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or not self._blocked:
            return True
        return not any(self.find(x) == rb for x in self._blocked.get(ra, ()))

    def union(self, a: str, b: str) -> tuple[str, str] | None:
        """Join the sets of a and b; (winner, loser) roots, or None if already one set."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        winner, loser = (ra, rb) if ra < rb else (rb, ra)
        self.parent[loser] = winner
        if loser in self._blocked:
            self._blocked.setdefault(winner, set()).update(self._blocked.pop(loser))
        return winner, loser


@dataclass(frozen=True, slots=True)
class Merge:
    """Customer ``loser`` merged into ``winner`` because order ``order_index`` carried ``keys``."""

    winner: str
    loser: str
    order_index: int
    keys: tuple[IdKey, ...]


@dataclass(slots=True)
class Resolution:
    """What a batch changes. Customer ids in ``customers`` and ``roots`` are final roots."""

    customers: list[str | None]
    primary: list[str | None]
    new_customers: list[str] = field(default_factory=list)
    #: key -> (origin customer, final root) for keys seen for the first time
    new_keys: dict[str, tuple[str, IdKey]] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    #: (order index, customer, customer) pairs an operator's split keeps apart
    refused: list[tuple[int, str, str]] = field(default_factory=list)
    #: every customer that stopped being a root in this batch -> its final root
    roots: dict[str, str] = field(default_factory=dict)

    @property
    def links(self) -> int:
        return sum(1 for c in self.customers if c is not None)


def resolve(
    batch: Sequence[Sequence[IdKey]],
    known: Mapping[str, str],
    new_id: Callable[[], str],
    blocked: Iterable[tuple[str, str]] = (),
) -> Resolution:
    """Link a batch of orders' keys. ``known`` maps every stored key of the batch to its root."""
    uf = UnionFind(blocked)
    assigned: dict[str, str] = {}  # keys new in this batch -> the customer they were given
    res = Resolution([None] * len(batch), [None] * len(batch))
    known_get, assigned_get, find = known.get, assigned.get, uf.find
    for i, keys in enumerate(batch):
        if not keys:
            continue
        owners = [known_get(k.key) or assigned_get(k.key) for k in keys]
        home: str | None = None
        for other in owners:
            if other is None:
                continue
            if home is None:
                home = find(other)
            elif find(other) != home:
                if not uf.can_join(home, other):
                    res.refused.append((i, home, find(other)))
                    continue
                joined = uf.union(home, other)
                if joined is not None:
                    res.merges.append(Merge(joined[0], joined[1], i, tuple(keys)))
                    home = joined[0]
        if home is None:
            home = new_id()
            res.new_customers.append(home)
        for k, owner in zip(keys, owners, strict=True):
            if owner is None:
                assigned[k.key] = home
                res.new_keys[k.key] = (home, k)
        res.customers[i] = home
        res.primary[i] = keys[0].key
    for i, c in enumerate(res.customers):
        if c is not None:
            res.customers[i] = uf.find(c)
    for m in res.merges:
        res.roots[m.loser] = uf.find(m.loser)
    return res


def subtree(merged_into: Mapping[str, str | None], top: str) -> set[str]:
    """``top`` and every customer whose chain of merges leads to it."""
    children: dict[str, list[str]] = {}
    for child, parent in merged_into.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    out, stack = {top}, [top]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out


def root_of(merged_into: Mapping[str, str | None], customer: str) -> str:
    while (up := merged_into.get(customer)) is not None:
        customer = up
    return customer


def check_splittable(merged_into: Mapping[str, str | None], winner: str, loser: str) -> None:
    """Raise Conflict unless ``loser`` still hangs under ``winner`` (the merge stands)."""
    if merged_into.get(loser) != winner:
        raise Conflict(
            f"customer {loser} is no longer merged into {winner} / 该合并已被拆分",
            details={"winner": winner, "loser": loser},
        )


class IdentityBook:
    """The whole identity state in memory: the reference model the store's tables mirror.

    Used by property tests and the benchmark. Roots are found by walking ``merged_into``
    (never compressed), so a split is one pointer cleared and one pair blocked.
    """

    def __init__(self, new_id: Callable[[], str]) -> None:
        self._new_id = new_id
        self.origin: dict[str, str] = {}
        self.merged_into: dict[str, str | None] = {}
        self.merges: list[Merge] = []
        self.blocks: list[tuple[str, str]] = []
        self.order_primary: dict[str, str] = {}

    def root(self, customer: str) -> str:
        return root_of(self.merged_into, customer)

    def customer_of_key(self, key: str) -> str | None:
        origin = self.origin.get(key)
        return None if origin is None else self.root(origin)

    def customer_of_order(self, order_id: str) -> str | None:
        key = self.order_primary.get(order_id)
        return None if key is None else self.customer_of_key(key)

    def ingest(self, orders: Sequence[tuple[str, Sequence[IdKey]]]) -> Resolution:
        batch = [keys for _, keys in orders]
        known: dict[str, str] = {}
        for keys in batch:
            for k in keys:
                owner = self.customer_of_key(k.key)
                if owner is not None:
                    known[k.key] = owner
        blocked = [(self.root(a), self.root(b)) for a, b in self.blocks]
        res = resolve(batch, known, self._new_id, blocked)
        for c in res.new_customers:
            self.merged_into[c] = None
        for key, (origin, _) in res.new_keys.items():
            self.origin[key] = origin
        for m in res.merges:
            self.merged_into[m.loser] = m.winner
        self.merges.extend(res.merges)
        for (order_id, _), primary in zip(orders, res.primary, strict=True):
            if primary is not None:
                self.order_primary[order_id] = primary
        return res

    def split(self, merge: Merge) -> None:
        check_splittable(self.merged_into, merge.winner, merge.loser)
        self.merged_into[merge.loser] = None
        self.blocks.append((merge.winner, merge.loser))

    def partition(self) -> set[frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for key in self.origin:
            groups.setdefault(self.customer_of_key(key) or "", set()).add(key)
        return {frozenset(g) for g in groups.values()}
