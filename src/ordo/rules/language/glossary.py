"""The rule language's vocabulary, loaded from ``glossary.json`` (editable data).

Owns: field definitions (id, fact column, type, value domain), keyword / operator /
milestone surfaces in Chinese and English, value domains (channels, tiers, roles,
carriers …), places and region groups, and the longest-first surface index the lexer
uses. It never parses a sentence and never evaluates anything.

Chinese has no spaces, so every word a sentence may use must be a surface here; the
lexer matches them longest-first (``订单金额`` before ``金额``). The first surface of
each entry in a language is its canonical spelling when a rule is shown back.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

Lang = Literal["zh", "en"]
FieldType = Literal[
    "money", "count", "ratio", "duration", "weight", "date", "enum", "list", "text", "bool", "place"
]
FIELD_TYPES: frozenset[str] = frozenset(FieldType.__args__)  # type: ignore[attr-defined]

#: The virtual field that matches any level of the ship-to address.
PLACE_FIELD = "ship_to.place"
PLACE_COLUMNS = ("province", "city", "district")

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市", "地区", "盟")
_ETHNIC = re.compile(
    r"^(.{2,}?)(?:藏族|羌族|彝族|苗族|土家族|侗族|布依族|哈尼族|傣族|景颇族|傈僳族|白族|壮族|朝鲜族|回族"
    r"|蒙古族|蒙古|哈萨克|柯尔克孜|纳西族|瑶族|黎族|土族|满族)+自治[州县旗]$"
)


def short_place_name(name: str) -> str:
    """``新疆维吾尔自治区`` → ``新疆``, ``杭州市`` → ``杭州``, ``甘孜藏族自治州`` → ``甘孜``.

    Rules and order facts both use the short name, so ``上海``, ``上海市`` and an
    address saying ``上海市`` all meet on one spelling.
    """
    name = name.strip()
    m = _ETHNIC.match(name)
    if m:
        return m.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True, slots=True)
class FieldDef:
    id: str
    column: str  # "" for the virtual place field
    type: FieldType
    domain: str | None
    zh: tuple[str, ...]
    en: tuple[str, ...]

    def label(self, lang: Lang) -> str:
        return (self.zh if lang == "zh" else self.en)[0]


@dataclass(frozen=True, slots=True)
class Entry:
    """One surface word and the token it stands for."""

    surface: str
    lang: Lang
    kind: str  # FIELD, MILESTONE, OP, VALUE, FILLER or a keyword terminal name
    value: str  # field id, milestone, operator, keyword value, or the surface for VALUE


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    closed: bool
    #: canonical id → (zh surfaces, en surfaces)
    values: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]


class Glossary:
    """Everything the language knows, indexed for the lexer, the parser and the renderer."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.fields: dict[str, FieldDef] = {}
        for f in data["fields"]:
            if f["type"] not in FIELD_TYPES:
                raise ValueError(f"glossary: field {f['id']} has unknown type {f['type']!r}")
            self.fields[f["id"]] = FieldDef(
                f["id"], f["column"], f["type"], f.get("domain"), tuple(f["zh"]), tuple(f["en"])
            )
        self.domains: dict[str, Domain] = {
            name: Domain(
                name, d["closed"], {k: (tuple(v["zh"]), tuple(v["en"])) for k, v in d["values"].items()}
            )
            for name, d in data["domains"].items()
        }
        provinces = data["places"]["provinces"]
        cities = data["places"]["cities"]
        self.places: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for p in provinces:
            self.places[p["name"]] = ((p["name"], p["full"]), tuple(p.get("en", ())))
        for c in cities:
            self.places.setdefault(c["name"], ((c["name"], c["name"] + "市"), tuple(c.get("en", ()))))
        self.groups: dict[str, tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]] = {
            gid: (tuple(g["zh"]), tuple(g["en"]), frozenset(short_place_name(m) for m in g["members"]))
            for gid, g in data["region_groups"].items()
        }
        self.milestones: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
            m: (tuple(v["zh"]), tuple(v["en"])) for m, v in data["milestones"].items()
        }
        self.operators: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
            op: (tuple(v["zh"]), tuple(v["en"])) for op, v in data["operators"].items()
        }
        self.keywords: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for k in data["keywords"]:
            self.keywords[(k["token"], k.get("value", ""))] = (tuple(k["zh"]), tuple(k["en"]))
        entries: list[Entry] = []

        def add(kind: str, value: str, zh: Iterable[str], en: Iterable[str]) -> None:
            entries.extend(Entry(s, "zh", kind, value if kind != "VALUE" else s) for s in zh)
            entries.extend(Entry(s, "en", kind, value if kind != "VALUE" else s) for s in en)

        for fd in self.fields.values():
            add("FIELD", fd.id, fd.zh, fd.en)
        for m, (zh, en) in self.milestones.items():
            add("MILESTONE", m, zh, en)
        for op, (zh, en) in self.operators.items():
            add("OP", op, zh, en)
        for (kind, value), (zh, en) in self.keywords.items():
            add(kind, value, zh, en)
        for dom in self.domains.values():
            for zh, en in dom.values.values():
                add("VALUE", "", zh, en)
        for zh, en in self.places.values():
            add("VALUE", "", zh, en)
        for zh, en, _ in self.groups.values():
            add("VALUE", "", zh, en)
        add("FILLER", "", data["fillers"]["zh"], data["fillers"]["en"])
        self.entries = tuple(entries)
        # Longest-first per first character: the lexer's whole matching strategy.
        index: dict[str, list[Entry]] = {}
        seen: set[tuple[str, str]] = set()
        for e in entries:
            key = (e.surface.lower(), e.kind)
            if key in seen:
                continue
            seen.add(key)
            index.setdefault(e.surface[0].lower(), []).append(e)
        for bucket in index.values():
            # Longer first; a structural word beats a value of the same spelling
            # (so ``是`` is the operator, not a value).
            bucket.sort(key=lambda e: (-len(e.surface), e.kind == "VALUE"))
        self._index = index

    # -- lexer support -------------------------------------------------------------

    def candidates(self, ch: str) -> list[Entry]:
        return self._index.get(ch.lower(), [])

    # -- value resolution ---------------------------------------------------------

    def resolve(self, domain: str, word: str) -> str | None:
        """The canonical id of ``word`` in ``domain`` (case-insensitive), or None."""
        w = word.lower()
        dom = self.domains.get(domain)
        if dom is None:
            return None
        if word in dom.values:
            return word
        for vid, (zh, en) in dom.values.items():
            if w == vid.lower() or word in zh or w in (s.lower() for s in en):
                return vid
        return None

    def resolve_place(self, word: str) -> str | None:
        w = word.lower()
        for name, (zh, en) in self.places.items():
            if word in zh or w in en:
                return name
        short = short_place_name(word)
        return short if short in self.places else None

    def resolve_group(self, word: str) -> str | None:
        w = word.lower()
        for gid, (zh, en, _) in self.groups.items():
            if word in zh or w in en or w == gid:
                return gid
        return None

    def group_members(self, gid: str) -> frozenset[str]:
        return self.groups[gid][2]

    def is_closed(self, domain: str) -> bool:
        dom = self.domains.get(domain)
        return bool(dom and dom.closed)

    # -- labels (for render and messages) ----------------------------------------

    def value_label(self, domain: str, vid: str, lang: Lang) -> str:
        dom = self.domains.get(domain)
        if dom is None or vid not in dom.values:
            return vid
        zh, en = dom.values[vid]
        surfaces = zh if lang == "zh" else en
        return surfaces[0] if surfaces else vid

    def place_label(self, name: str, lang: Lang) -> str:
        zh, en = self.places.get(name, ((name,), ()))
        return en[0] if lang == "en" and en else zh[0]

    def group_label(self, gid: str, lang: Lang) -> str:
        zh, en, _ = self.groups[gid]
        return (zh if lang == "zh" else en)[0]

    def milestone_label(self, m: str, lang: Lang) -> str:
        zh, en = self.milestones[m]
        return (zh if lang == "zh" else en)[0]

    def op_label(self, op: str, lang: Lang) -> str:
        zh, en = self.operators[op]
        return (zh if lang == "zh" else en)[0]

    def keyword(self, kind: str, lang: Lang, value: str = "") -> str:
        zh, en = self.keywords[(kind, value)]
        return (zh if lang == "zh" else en)[0]

    # -- suggestions --------------------------------------------------------------

    def surfaces(self, kinds: Iterable[str], lang: Lang) -> list[str]:
        wanted = set(kinds)
        return [e.surface for e in self.entries if e.kind in wanted and e.lang == lang]

    def domain_surfaces(self, domain: str, lang: Lang) -> list[str]:
        if domain == "place":
            out = [zh[0] if lang == "zh" else (en[0] if en else zh[0]) for zh, en in self.places.values()]
            out += [self.group_label(g, lang) for g in self.groups]
            return out
        dom = self.domains.get(domain)
        if dom is None:
            return []
        return [s for zh, en in dom.values.values() for s in (zh if lang == "zh" else en)]


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate by difflib's ratio, or None when nothing is close.

    Chinese words are short, so the cutoff is lower than difflib's default: ``订单金鹅``
    vs ``订单金额`` is 0.75, and a single shared character of a two-character word
    (0.5) is still worth offering as a question, never applied.
    """
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[hits[0]] if hits else None


@functools.cache
def default_glossary() -> Glossary:
    """The glossary shipped with Ordo (``ordo/rules/glossary.json``)."""
    text = resources.files("ordo.rules.language").joinpath("glossary.json").read_text(encoding="utf-8")
    return Glossary(json.loads(text))


def load_glossary(text: str) -> Glossary:
    """A glossary from JSON text (an operator's edited copy)."""
    return Glossary(json.loads(text))
