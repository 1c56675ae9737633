"""The tolerant reader's repairs: one pass each over a sentence's lexemes, every change noted.

Owns what each repair does (see :mod:`ordo.rules.language.tolerant` for the order they run
in and for what happens to their result): text-level numerals, aliases and patterns; then,
over tokens, fillers, a tag glued to a keyword, unknown runs cut at the reader's words,
carrier and profile verbs, 满 as a comparison, the field a bare value / number / date / bought
SKU stands for, and a missing 则 or 且. Every change is a :class:`Rewrite`. It never parses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ordo.rules.language import numerals
from ordo.rules.language.glossary import Glossary, Lang
from ordo.rules.language.lexer import Lexeme, normalise, tokenise

#: Terminals an action may start with (a condition before one of these wants a 则).
_ACTION_START = frozenset(
    {"TAG", "REDFLAG", "NOTIFY", "HOLD", "APPROVE", "FREEZE", "FREIGHT_OFF", "FREIGHT_FREE", "THRESHOLD"}
    | {"EACH", "DISCOUNT", "STACK", "GIFT", "CARRIER", "PROFILE", "PREFER", "EXCLUDE", "SPLIT", "NOSPLIT"}
    | {"PLAYBOOK", "ZHE", "MERGE", "SEAL", "AVOID"}
)
#: Terminals a promotion starts with (what a 叠加 qualifies).
_PROMOTION_START = frozenset({"THRESHOLD", "DISCOUNT", "ZHE", "GIFT", "EACH"})
#: Actions that take no argument: a field right after one starts the condition (hold blacklisted).
_BARE_ACTIONS = frozenset({"HOLD", "APPROVE", "SPLIT", "NOSPLIT", "FREIGHT_FREE", "REDFLAG"})
#: Tokens that may be part of a remark's text written after 有 / 提到 (改地址 is an event word too).
_CONTENT = frozenset({"WORD", "TO", "EVENT", "VALUE", "NUMBER"})
#: Tokens that end a complete condition atom (a field after one of these wants a 且).
_ATOM_END = frozenset({"NUMBER", "VALUE", "STRING", "DATE", "WORD"})
_COND_START = frozenset({"IF", "AND", "OR", "NOT", "LPAR"})
_VALUE_KINDS = frozenset({"VALUE", "WORD", "STRING", "NUMBER", "DATE"})
#: After a ranked value: 以上/以下 (and above/below), then the noun it qualifies.
_ORDERED_TAIL = (
    r"\s*(?:及|或)?\s*(以上|以下|及以上|及以下|and above|or above|and below|or below)"
    r"(?:的)?(?:客户|会员|用户|customers|members)?"
)
#: A loosely written date range: a full date, 到/至/-/~, a date with or without its year.
_DATE_RANGE = re.compile(
    r"(?:[\u4e00-\u9fff]{1,4}(?:节|大促|促销|活动)(?:期间)?|大促期间|活动期间|双十一|双11|双十二|双12|618)?\s*[（(]?\s*"
    r"(?P<y1>20\d\d)\s*[年./-]\s*(?P<m1>\d{1,2})\s*[月./-]\s*(?P<d1>\d{1,2})\s*[日号]?\s*"
    r"(?:到|至|-|~|～|—|－|to)\s*"
    r"(?:(?P<y2>20\d\d)\s*[年./-]\s*)?(?P<m2>\d{1,2})\s*[月./-]\s*(?P<d2>\d{1,2})\s*[日号]?\s*[)）]?"
)


@dataclass(frozen=True, slots=True)
class Rewrite:
    """One change the reader made: its kind (numeral, alias, filler, field, then, and, typo …)."""

    kind: str
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class Tolerance:
    aliases: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    fillers: frozenset[str]
    buy_words: frozenset[str]
    has_words: frozenset[str]
    unit_words: Mapping[str, str]
    after_tag: frozenset[str]
    carrier_verbs: frozenset[str]
    postfix: Mapping[str, str]
    field_by_domain: Mapping[str, Mapping[str, list[str]]]
    field_by_unit: Mapping[str, Mapping[str, str]]
    date_field: Mapping[str, str]
    sku_field: Mapping[str, str]
    content_suffixes: tuple[str, ...] = ()
    sku_has_words: frozenset[str] = frozenset()
    warehouse_words: frozenset[str] = frozenset()
    list_words: frozenset[str] = frozenset()
    copulas: frozenset[str] = frozenset()
    qualifiers: frozenset[str] = frozenset()
    ordered_domains: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tag_field: Mapping[str, list[str]] = field(default_factory=dict)
    not_words: frozenset[str] = frozenset()
    carrier_field: Mapping[str, list[str]] = field(default_factory=dict)


def load_tolerance(data: Mapping[str, Any]) -> Tolerance:
    aliases = sorted(((a, b) for a, b in data["aliases"]), key=lambda p: -len(p[0]))
    return Tolerance(
        aliases=tuple(aliases),
        patterns=tuple((re.compile(a), b) for a, b in data["patterns"]),
        fillers=frozenset(w.lower() for ws in data["fillers"].values() for w in ws),
        buy_words=frozenset(data["buy_words"]),
        has_words=frozenset(data["has_words"]),
        unit_words=dict(data["unit_words"]),
        after_tag=frozenset(data["after_tag"]),
        carrier_verbs=frozenset(w.lower() for w in data["carrier_verbs"]),
        postfix=dict(data["postfix"]),
        field_by_domain=data["field_by_domain"],
        field_by_unit=data["field_by_unit"],
        date_field=data["date_field"],
        sku_field=data["sku_field"],
        content_suffixes=tuple(sorted(data.get("content_suffixes", ()), key=len, reverse=True)),
        sku_has_words=frozenset(data.get("sku_has_words", ())),
        warehouse_words=frozenset(data.get("warehouse_words", ())),
        list_words=frozenset(w.lower() for w in data.get("list_words", ())),
        copulas=frozenset(data.get("copulas", ())),
        qualifiers=frozenset(data.get("qualifiers", ())),
        ordered_domains=data.get("ordered_domains", {}),
        not_words=frozenset(data.get("not_words", ())),
        carrier_field=data.get("carrier_field", {"zh": ["承运商", "为"], "en": ["carrier", "is"]}),
        tag_field=data.get("tag_field", {"zh": ["订单标签", "含"], "en": ["tags", "contains"]}),
    )


@dataclass(slots=True)
class Tok:
    kind: str
    text: str
    unit: str | None = None
    lexeme: Lexeme | None = None


@dataclass(slots=True)
class Repair:
    g: Glossary
    t: Tolerance
    lang: Lang
    rewrites: list[Rewrite] = field(default_factory=list)

    def note(self, kind: str, before: str, after: str) -> None:
        self.rewrites.append(Rewrite(kind, before, after))

    # -- text level -------------------------------------------------------------------

    def text(self, s: str) -> str:
        out = normalise(s)
        for verb in self.t.carrier_verbs:
            for zh, en in self.g.domains["carrier"].values.values():
                for surface in (*zh, *en):
                    if verb + surface in out:
                        out = out.replace(verb + surface, f" {verb} {surface}")
        for a, b in self.t.aliases:
            # 转人工 → 转人工审核 must not touch a 转人工审核 already written.
            pattern = re.escape(a) + (f"(?!{re.escape(b[len(a) :])})" if b.startswith(a) and b != a else "")
            changed = re.sub(pattern, b, out)
            if changed != out:
                out = changed
                self.note("alias", a, b)
        converted = numerals.convert(out)  # after the aliases: 一半 → 50% is one of them
        if converted != out:
            self.note("numeral", out, converted)
            out = converted
        for rx, repl in self.t.patterns:
            m = rx.search(out)
            changed = rx.sub(repl, out)
            if m is not None and changed != out:
                self.note("alias", m.group(0), m.expand(repl).strip())  # what was written, not the pattern
                out = changed
        return self._carried_orders(self._tagged_orders(self._ordered(self._date_ranges(out))))

    def _carried_orders(self, s: str) -> str:
        """``发申通的订单通知客服``: a carrier verb and a carrier before 的(订单) names the
        orders shipped with it (承运商 为 申通), not an order to ship with it."""
        if self.lang != "zh":
            return s
        verbs = "|".join(
            sorted((re.escape(v) for v in self.t.carrier_verbs if not v.isascii()), key=len, reverse=True)
        )
        for zh, _en in self.g.domains["carrier"].values.values():
            for surface in sorted(zh, key=len, reverse=True):
                rx = re.compile(rf"(?:{verbs}|走)\s*{re.escape(surface)}\s*的\s*(?:订单|单子|单)?")
                m = rx.search(s)
                if m is None:
                    continue
                field_word, op = self.t.carrier_field[self.lang]
                after = f" {field_word} {op} {surface} "
                self.note("field", m.group(0).strip(), after.strip())
                s = s[: m.start()] + after + s[m.end() :]
        return s

    def _date_ranges(self, s: str) -> str:
        """``2026年6月1日到6月18日`` / ``2026.11.1-11.11`` / ``（2026/11/10-2026/11/12）``: a
        date range written loosely, the second date's year taken from the first, reads as the
        placed-date field between two ISO dates; a festival's name before it (年货节, 大促期间)
        is dropped."""

        def one(m: re.Match[str]) -> str:
            y1, m1, d1, y2, m2, d2 = m.group("y1", "m1", "d1", "y2", "m2", "d2")
            a = f"{int(y1):04d}-{int(m1):02d}-{int(d1):02d}"
            b = f"{int(y2 or y1):04d}-{int(m2):02d}-{int(d2):02d}"
            before = m.string[: m.start()].rstrip().lower()
            named = any(
                before.endswith(w.lower())
                for f in self.g.fields.values()
                if f.type == "date"
                for w in (*f.zh, *f.en)
            )
            field_word = "" if named else self.t.date_field[self.lang]  # 活动期2026-06-01至…: named already
            after = f" {field_word} {a} {self.g.keyword('TO', self.lang)} {b} "
            self.note("date", m.group(0).strip(), after.strip())
            return after

        return _DATE_RANGE.sub(one, s)

    def _ordered(self, s: str) -> str:
        """``金卡以上客户``: a value of an ordered domain (tiers) and 以上/以下 is the list of the
        values from it up (down), e.g. 客户等级 属于 钻石、金卡."""
        for domain, spec in self.t.ordered_domains.items():
            order: list[str] = spec["order"]  # highest first
            values = self.g.domains[domain].values
            for key in order:
                zh, en = values[key]
                for surface in sorted(zh if self.lang == "zh" else en, key=len, reverse=True):
                    rx = re.compile(re.escape(surface) + _ORDERED_TAIL)
                    m = rx.search(s)
                    if m is None:
                        continue
                    k = order.index(key)
                    up = m.group(1) in ("以上", "及以上", "and above", "or above")
                    keys = order[: k + 1] if up else order[k:]
                    names = [values[x][0 if self.lang == "zh" else 1][0] for x in keys]
                    field_word, op = spec[self.lang]
                    sep = "、" if self.lang == "zh" else ", "
                    after = f" {field_word} {op} {sep.join(names)} "
                    self.note("ordered", m.group(0), after.strip())
                    s = s[: m.start()] + after + s[m.end() :]
        return s

    def _tagged_orders(self, s: str) -> str:
        """``加急单`` / ``加急订单``: a tag the glossary knows, written before 单, stands for
        the orders carrying that tag (订单标签 含 加急); not after a has-word (备注写了加急的订单:
        加急 is the remark's text)."""
        if self.lang != "zh":
            return s
        after_has = tuple(self.t.has_words | self.t.sku_has_words)
        for zh, _en in self.g.domains["tag"].values.values():
            for surface in sorted(zh, key=len, reverse=True):
                rx = re.compile(re.escape(surface) + r"(?:的)?(?:订单|单子|单)(?![号价据])")
                m = rx.search(s)
                if m is None or s[: m.start()].rstrip().endswith(after_has):
                    continue
                field_word, op = self.t.tag_field[self.lang]
                after = f" {field_word} {op} {surface} "
                self.note("field", m.group(0), after.strip())
                s = s[: m.start()] + after + s[m.end() :]
        return s

    # -- token level ------------------------------------------------------------------

    def value_field(self, word: str) -> list[str] | None:
        """The field and operator surfaces a bare value stands for, if it has exactly one home."""
        homes = []
        if self.g.resolve("channel", word) is not None:
            homes.append("channel")
        if self.g.resolve("tier", word) is not None:
            homes.append("tier")
        if self.g.resolve_group(word) is not None or self.g.resolve_place(word) is not None:
            homes.append("place")
        if len(homes) != 1:
            return None
        return list(self.t.field_by_domain[homes[0]][self.lang])

    def toks(self, lexemes: list[Lexeme]) -> list[Tok]:
        out = []
        for lx in lexemes:
            unit = lx.quantity.unit if lx.quantity else None
            out.append(Tok(lx.kind, lx.text, unit, lx))
        return out

    def vocabulary(self) -> frozenset[str]:
        t = self.t
        return (
            t.fillers
            | t.buy_words
            | t.carrier_verbs
            | t.has_words
            | frozenset(t.postfix)
            | frozenset(t.unit_words)
        )

    def split_words(self, ts: list[Tok]) -> list[Tok]:
        """Cut an unknown run of Chinese (``客户一律发``) at the reader's own words, longest first,
        so fillers and verbs inside it are seen; a run with none of them stays whole."""
        vocab = self.vocabulary()
        longest = max(map(len, vocab))
        out: list[Tok] = []
        for t in ts:
            if t.kind != "WORD" or len(t.text) < 2 or t.text.isascii() or t.text.lower() in vocab:
                out.append(t)
                continue
            pieces: list[str] = []
            rest, i = "", 0
            while i < len(t.text):
                for k in range(min(longest, len(t.text) - i), 0, -1):
                    if t.text[i : i + k] in vocab:
                        if rest:
                            pieces.append(rest)
                            rest = ""
                        pieces.append(t.text[i : i + k])
                        i += k
                        break
                else:
                    rest += t.text[i]
                    i += 1
            if rest:
                pieces.append(rest)
            if len(pieces) > 1:
                self.note("split", t.text, " ".join(pieces))
                out += [self._piece(p) for p in pieces]
            else:
                out.append(t)
        return out

    def _piece(self, text: str) -> Tok:
        """A piece of a cut run, read again: a whole keyword inside it (人工审核) is that keyword."""
        if text.lower() in self.vocabulary():
            return Tok("WORD", text)
        lexemes = tokenise(text, self.g)
        if len(lexemes) == 1 and lexemes[0].kind != "WORD" and lexemes[0].text == text:
            return self.toks(lexemes)[0]
        return Tok("WORD", text)

    def drop_fillers(self, ts: list[Tok]) -> list[Tok]:
        out: list[Tok] = []
        for k, t in enumerate(ts):
            nxt = ts[k + 1] if k + 1 < len(ts) else None
            noun_suffix = t.kind == "ORDERS" and (
                not out
                or out[-1].kind in _ATOM_END | {"FIELD", "MILESTONE"}
                or (
                    out[-1].kind == "COMMA" and len(out) > 1 and out[-2].kind in _ATOM_END
                )  # …的买家，订单转…
            )
            if t.kind == "COMMA" and nxt is not None and nxt.kind in ("CAP", "REASON"):
                continue
            twice = t.kind == "GIFT" and out and out[-1].kind == "GIFT"  # 送赠品: one gift word
            leading = (
                t.kind == "FOR"
                and not out
                and (t.text.lower() in self.t.fillers or (nxt is not None and nxt.kind == "VALUE"))
            )  # 对抖音订单… / (orders) for gold members …
            if noun_suffix or twice or leading or (t.kind == "WORD" and t.text.lower() in self.t.fillers):
                self.note("filler", t.text, "")
                continue
            postfix_word = t.kind == "WORD" or (t.kind == "WITHIN" and out and out[-1].unit != "duration")
            if postfix_word and t.text in self.t.postfix and out and out[-1].kind == "NUMBER":
                op = self.t.postfix[t.text]
                self.note("postfix", t.text, op)
                if len(out) > 1 and out[-2].kind in ("THRESHOLD", "OP"):
                    out[-2] = Tok("OP", op)
                else:
                    out.insert(len(out) - 1, Tok("OP", op))
                continue
            between_values = (
                out and nxt is not None and _listable(out[-1]) and _listable(nxt) and out[-1].kind == nxt.kind
            )
            same_home = (
                between_values
                and t.kind == "AND"
                and nxt is not None
                and out[-1].kind == "VALUE"
                and (
                    (
                        self.value_field(out[-1].text) is not None
                        and self.value_field(out[-1].text) == self.value_field(nxt.text)
                    )
                    or (
                        self.g.resolve("role", out[-1].text) is not None
                        and self.g.resolve("role", nxt.text) is not None
                    )
                )
            )  # from kuaishou and douyin: one channel cannot be both, so a list; notify ops and finance
            if (t.kind == "WORD" or same_home) and t.text.lower() in self.t.list_words and between_values:
                self.note("list", t.text, "、")  # 财务和区域总监: two values listed
                out.append(Tok("LISTSEP", "、"))
                continue
            if t.kind == "WORD" and t.text in self.t.unit_words and out and out[-1].kind == "NUMBER":
                out[-1].unit = self.t.unit_words[t.text]  # 8行: a count of order lines
                self.note("unit", t.text, "")
                continue
            if t.kind == "WORD" and t.text in self.t.has_words and out and self._is_listy(out[-1]):
                word = self.g.keyword("CONTAINS", self.lang)
                self.note("alias", t.text, word)
                out.append(Tok("CONTAINS", word))
                continue
            out.append(t)
        return out

    def tag_words(self, ts: list[Tok]) -> list[Tok]:
        """``打标签赠品单``: a tag written against a keyword (赠品) is one word, not two."""
        out: list[Tok] = []
        i = 0
        while i < len(ts):
            t = ts[i]
            out.append(t)
            i += 1
            if t.kind != "TAG" or i >= len(ts):
                continue
            if ts[i].text in self.t.after_tag and ts[i].kind != "WORD" and i + 1 < len(ts):
                self.note("filler", ts[i].text, "")
                i += 1  # 标记为贵宾
            filler = ts[i].kind == "WORD" and ts[i].text.lower() in self.t.fillers
            if (ts[i].kind == "FIELD" or filler) and (i + 1 >= len(ts) or not _glued(ts[i], ts[i + 1])):
                # 打标有赠品 / 打标新客: a tag that reads like a field or a filler is the tag's text.
                self.note("word", ts[i].text, f'"{ts[i].text}"')
                out.append(Tok("STRING", f'"{ts[i].text}"'))
                i += 1
                continue
            if i + 1 >= len(ts):
                continue
            a, b = ts[i], ts[i + 1]
            if a.kind not in _VALUE_KINDS - {"VALUE"} and b.kind == "WORD" and _glued(a, b):
                merged = a.text + b.text
                self.note("word", f"{a.text} {b.text}", merged)
                out.append(Tok("STRING", f'"{merged}"'))
                i += 2
        return out

    def remark_words(self, ts: list[Tok]) -> list[Tok]:
        """``备注里要发票`` / ``买家备注提到改地址``: after a text or list field, a run written
        against a has-word (有, 要, 提到 …) is 含 and the rest of the run is the text looked for,
        kept whole (``发票`` is not cut at 发) and without a trailing 字样."""
        out: list[Tok] = []
        i = 0
        while i < len(ts):
            t = ts[i]
            out.append(t)
            i += 1
            if not self._is_listy(t) or i >= len(ts) or ts[i].kind not in ("WORD", "TO"):
                continue
            j = i + 1
            while j < len(ts) and ts[j].kind in _CONTENT and _glued(ts[j - 1], ts[j]):
                j += 1
            run = "".join(x.text for x in ts[i:j])
            has = sorted(self.t.has_words, key=len, reverse=True)
            prefix, rest = "", run
            while (w := next((w for w in has if rest.startswith(w)), "")) and len(rest) > len(w):
                prefix, rest = prefix + w, rest[len(w) :]  # 里说要开发票: 开发票
            for suffix in self.t.content_suffixes:
                if rest.endswith(suffix) and len(rest) > len(suffix):
                    rest = rest[: -len(suffix)]
                    break
            if not prefix or not rest or '"' in rest:
                continue
            word = self.g.keyword("CONTAINS", self.lang)
            self.note("alias", run, f'{word} "{rest}"')
            out += [Tok("CONTAINS", word), Tok("STRING", f'"{rest}"')]
            i = j
        return out

    def warehouse_verbs(self, ts: list[Tok]) -> list[Tok]:
        """``走南京仓`` / ``发WH-NJ仓`` / ``优先北京仓``: a carrier verb (or 优先 / 排除) before a
        name written against 仓 prefers (excludes) that warehouse (a code stays a code:
        ``WH-NJ``; a name keeps its 仓: ``"南京仓"``)."""
        out: list[Tok] = []
        i = 0
        while i < len(ts):
            t = ts[i]
            verb = t.kind == "CARRIER" or (t.kind == "WORD" and t.text.lower() in self.t.carrier_verbs)
            if t.kind == "PREFER" and i + 2 < len(ts) and self._carrier_verb(ts[i + 1], ts[i + 2]):
                self.note("filler", t.text, "")  # 优先发顺丰: a carrier is used, not preferred
                i += 1
                continue
            end = i + 1
            while end < len(ts) and ts[end].kind in ("VALUE", "WORD") and _glued(ts[end - 1], ts[end]):
                if ts[end].text in self.t.warehouse_words:
                    break
                end += 1
            name = "".join(x.text for x in ts[i + 1 : end])
            if (
                (verb or t.kind in ("PREFER", "EXCLUDE"))
                and name
                and end < len(ts)
                and ts[end].text in self.t.warehouse_words
                and _glued(ts[end - 1], ts[end])
            ):
                value = name if _is_code(name) else f'"{name}{ts[end].text}"'
                kind = t.kind if t.kind in ("PREFER", "EXCLUDE") else "PREFER"
                if verb and out and out[-1].kind in ("PREFER", "EXCLUDE"):
                    kind = out.pop().kind  # 优先使用南京仓 / 不用…: the verb after 优先 is a filler
                word = self.g.keyword(kind, self.lang)
                self.note("warehouse", f"{t.text}{name}{ts[end].text}", f"{word} {value}")
                out += [Tok(kind, word), Tok("STRING" if value.startswith('"') else "WORD", value)]
                i = end + 1
                continue
            out.append(t)
            i += 1
        return out

    def avoid_verbs(self, ts: list[Tok]) -> list[Tok]:
        """``不要发申通`` / ``别用中通``: 不 before a carrier verb and a carrier avoids it."""
        out: list[Tok] = []
        i = 0
        while i < len(ts):
            t = ts[i]
            negation = t.kind == "NOT" or (t.kind == "WORD" and t.text in self.t.not_words)
            if negation and i + 2 < len(ts) and self._carrier_verb(ts[i + 1], ts[i + 2]):
                word = self.g.keyword("AVOID", self.lang)
                self.note("carrier", f"{t.text}{ts[i + 1].text}", word)
                out.append(Tok("AVOID", word))
                i += 2
                continue
            out.append(t)
            i += 1
        return out

    def _carrier_verb(self, verb: Tok, value: Tok) -> bool:
        is_verb = verb.kind == "CARRIER" or (
            verb.kind == "WORD" and verb.text.lower() in self.t.carrier_verbs
        )
        return is_verb and value.kind == "VALUE" and self.g.resolve("carrier", value.text) is not None

    def carrier_verbs(self, ts: list[Tok]) -> None:
        for i, t in enumerate(ts[:-1]):
            nxt = ts[i + 1]
            verb = (t.kind == "WORD" and t.text.lower() in self.t.carrier_verbs) or t.kind == "CARRIER"
            if verb and nxt.kind == "VALUE" and self.g.resolve("profile", nxt.text) is not None:
                word = self.g.keyword("PROFILE", self.lang)
                self.note("profile", t.text, word)
                ts[i] = Tok("PROFILE", word)
            elif (
                verb
                and t.kind == "WORD"
                and nxt.kind == "VALUE"
                and self.g.resolve("carrier", nxt.text) is not None
            ):
                word = self.g.keyword("CARRIER", self.lang)
                self.note("carrier", t.text, word)
                ts[i] = Tok("CARRIER", word)

    def thresholds(self, ts: list[Tok]) -> list[Tok]:
        """``满99包邮`` / ``金额满199送`` / ``满2件包邮``: a 满 that is a condition, not a promotion."""
        out: list[Tok] = []
        for i, t in enumerate(ts):
            promo = len(out) >= 2 and out[-1].kind == "NUMBER" and out[-2].kind == "THRESHOLD"
            if t.kind == "THEN" and promo and i + 1 < len(ts) and ts[i + 1].kind in ("GIFT", "OFF"):
                self.note("filler", t.text, "")  # 满500元就送…: 就 is inside the promotion
                continue
            if t.kind == "THRESHOLD" and i + 1 < len(ts) and ts[i + 1].kind == "NUMBER":
                after = ts[i + 2].kind if i + 2 < len(ts) else "$END"
                prev = out[-1].kind if out else ""
                numeric = prev == "FIELD" and self._is_numeric(out[-1])
                if numeric or (
                    after not in ("OFF", "GIFT")
                    and after in ("FREIGHT_FREE", "FREIGHT_OFF", "DISCOUNT", "ZHE", "OP", "WORD")
                ):
                    self.note("threshold", t.text, ">=")
                    if ts[i + 1].unit is None and prev != "FIELD":
                        ts[i + 1].unit = "money"
                    out.append(Tok("OP", ">="))
                    continue
                if after == "GIFT" and ts[i + 1].unit == "count":
                    self.note("threshold", t.text, ">=")
                    out.append(Tok("OP", ">="))
                    continue
            out.append(t)
        return out

    def fields(self, ts: list[Tok]) -> list[Tok]:
        """Insert the field a bare value, number, date or bought SKU stands for."""
        out: list[Tok] = []
        i = 0
        while i < len(ts):
            t = ts[i]
            prev = out[-1].kind if out else "IF"
            # A value after a finished atom starts the next one (退货率低于10%的金卡客户…).
            at_start = prev in _COND_START or (
                prev in {"COMMA", "MILESTONE"} | _ATOM_END and not _has_action(out)
            )
            in_cond = not _has_kind(out, "THEN") and not _has_action(out)
            if t.kind == "WORD" and t.text in self.t.buy_words and i + 1 < len(ts):
                nxt = ts[i + 1]
                self.note("filler", t.text, "")
                if nxt.kind == "NUMBER" and nxt.unit == "count":
                    fld = self.t.field_by_unit["count"][self.lang]
                    self.note("field", nxt.text, f"{fld} >= {nxt.text}")
                    out += [Tok("FIELD", fld), Tok("OP", ">="), nxt]
                    i += 2
                    continue
                spoken_number = all(
                    c in "零〇一二两三四五六七八九十百千" for c in nxt.text
                )  # 买一送一: no SKU
                if nxt.kind in ("WORD", "STRING") and not spoken_number:
                    fld = self.t.sku_field[self.lang]
                    word = self.g.keyword("CONTAINS", self.lang)
                    self.note("field", nxt.text, f"{fld} {word} {nxt.text}")
                    out += [Tok("FIELD", fld), Tok("CONTAINS", word), nxt]
                    i += 2
                    continue
                i += 1
                continue
            nxt_tok = ts[i + 1] if i + 1 < len(ts) else None
            num = ts[i + 2] if i + 2 < len(ts) else None
            if (
                in_cond
                and self._is_listy(t)
                and nxt_tok is not None
                and nxt_tok.kind == "OP"
                and num is not None
                and num.kind == "NUMBER"
                and num.unit is not None
                and num.unit in self.t.field_by_unit
            ):
                # 商品超过10件: the items counted, not the SKU list.
                fld = self.t.field_by_unit[num.unit][self.lang]
                self.note("field", t.text, fld)
                t = Tok("FIELD", fld)
            if (
                in_cond
                and at_start
                and t.kind == "WORD"
                and t.text in self.t.sku_has_words
                and nxt_tok is not None
                and nxt_tok.kind in ("WORD", "STRING")
                and _is_code(nxt_tok.text)
            ):
                # 有SKU-88的订单…: a product code after 有 is a bought SKU.
                fld = self.t.sku_field[self.lang]
                word = self.g.keyword("CONTAINS", self.lang)
                self.note("field", f"{t.text}{nxt_tok.text}", f"{fld} {word} {nxt_tok.text}")
                out += [Tok("FIELD", fld), Tok("CONTAINS", word), nxt_tok]
                i += 2
                continue
            fd_here = self._field_of(t)
            if (
                in_cond
                and fd_here is not None
                and fd_here.type in ("enum", "place")
                and nxt_tok is not None
                and nxt_tok.kind == "VALUE"
            ):
                # 收货地新疆: a field written straight before its value is 为.
                op = self.g.keyword("IN", self.lang) if _listed(ts, i + 1) else None
                op = op or self.t.field_by_domain["channel"][self.lang][1]
                self.note("op", f"{t.text}{nxt_tok.text}", f"{t.text} {op} {nxt_tok.text}")
                out += [t, Tok("IN" if _listed(ts, i + 1) else "OP", op)]
                i += 1
                continue
            numeric = in_cond and self._is_numeric(t)
            if numeric and i + 1 < len(ts) and ts[i + 1].kind == "IN" and self._range(ts, i + 2):
                self.note("filler", ts[i + 1].text, "")  # 金额在100到500之间: 在 is not 属于
                del ts[i + 1]
            if numeric and self._range(ts, i + 1):
                # 金额在100到500之间 / 介于100和500: both ends included.
                lo, hi = ts[i + 1], ts[i + 3]
                word = self.g.keyword("AND", self.lang)
                self.note("range", f"{lo.text}{ts[i + 2].text}{hi.text}", f">= {lo.text} {word} <= {hi.text}")
                out += [t, Tok("OP", ">="), lo, Tok("AND", word), t, Tok("OP", "<="), hi]
                i += 4
                continue
            if in_cond and at_start and t.kind == "VALUE":
                j = i
                run = []
                home = self.value_field(t.text)
                while j < len(ts) and ts[j].kind in ("VALUE", "LISTSEP", "COMMA"):
                    if ts[j].kind == "VALUE":
                        if self.value_field(ts[j].text) != home:
                            break
                        run.append(ts[j])
                    j += 1
                while j > i and ts[j - 1].kind != "VALUE":
                    j -= 1
                homes = [self.value_field(v.text) for v in run]
                if homes and homes[0] is not None and all(h == homes[0] for h in homes):
                    fld, op = homes[0]
                    # The value's own field written after it (抖音渠道) is dropped.
                    if j < len(ts) and ts[j].kind == "FIELD" and ts[j].text in (fld, *self._same_field(fld)):
                        j += 1
                    if len(run) > 1:
                        op = self.g.keyword("IN", self.lang)
                    listed = []
                    for k, v in enumerate(run):
                        if k:
                            listed.append(Tok("LISTSEP", "、"))
                        listed.append(v)
                    self.note(
                        "field", "".join(v.text for v in run), f"{fld} {op} {'、'.join(v.text for v in run)}"
                    )
                    out += [Tok("FIELD", fld), Tok("OP" if len(run) == 1 else "IN", op), *listed]
                    i = j
                    continue
            if in_cond and at_start and t.kind in ("VALUE", "WORD", "STRING") and i + 1 < len(ts):
                nxt = ts[i + 1]
                fd = self._field_of(nxt)
                if nxt.kind == "FIELD" and fd is not None and fd.type in ("list", "text", "enum"):
                    op = self.g.keyword("CONTAINS", self.lang) if fd.type in ("list", "text") else "="
                    self.note("field", f"{t.text}{nxt.text}", f"{nxt.text} {op} {t.text}")
                    out += [nxt, Tok("CONTAINS" if fd.type != "enum" else "OP", op), t]
                    i += 2
                    continue
            if in_cond and t.kind == "OP" and (prev in _COND_START or prev in ("COMMA", "VALUE", "NUMBER")):
                num = ts[i + 1] if i + 1 < len(ts) else None
                if num is not None and num.kind == "NUMBER" and (num.unit or "money") in self.t.field_by_unit:
                    # A bare number with no field is money (超过1000 → 订单金额 超过 1000).
                    fld = self.t.field_by_unit[num.unit or "money"][self.lang]
                    self.note("field", f"{t.text}{num.text}", f"{fld} {t.text} {num.text}")
                    out += [Tok("FIELD", fld), t]
                    i += 1
                    continue
            if in_cond and at_start and t.kind == "NUMBER" and t.unit == "count":
                act = ts[i + 1] if i + 1 < len(ts) else None
                if act is not None and act.kind in _ACTION_START:
                    fld = self.t.field_by_unit["count"][self.lang]
                    self.note("field", t.text, f"{fld} >= {t.text}")
                    out += [Tok("FIELD", fld), Tok("OP", ">="), t]
                    i += 1
                    continue
            if in_cond and at_start and t.kind == "DATE":
                fld = self.t.date_field[self.lang]
                self.note("field", t.text, f"{fld} {t.text}")
                out += [Tok("FIELD", fld), t]
                i += 1
                continue
            if t.kind == "MILESTONE" and i + 1 < len(ts) and ts[i + 1].unit == "duration":
                self.note("op", t.text, f"{t.text} >")
                out += [t, Tok("OP", ">")]
                i += 1
                continue
            created = t.kind == "MILESTONE" and t.lexeme is not None and t.lexeme.value == "created"
            verb_first = created and not out and i + 1 < len(ts) and ts[i + 1].kind in _ACTION_START
            if verb_first or (created and out and out[-1].kind in _ATOM_END | {"FIELD"}):
                self.note("filler", t.text, "")  # 小程序下单送…: 下单 is the verb, not a milestone
                i += 1
                continue
            copula = t.kind == "OP" and t.text in self.t.copulas and prev in _COND_START
            if copula and i + 1 < len(ts) and ts[i + 1].kind in ("VALUE", "FIELD", "NUMBER"):
                self.note("filler", t.text, "")  # 如果是抖音 / 且是快手: 是 joins, it compares nothing
                i += 1
                continue
            if t.kind in ("IN", "OP") and i + 1 < len(ts) and self._is_bool(ts[i + 1]) and at_start:
                self.note("filler", t.text, "")
                i += 1
                continue
            out.append(t)
            i += 1
        return out

    def _range(self, ts: list[Tok], i: int) -> bool:
        """``100 到 500`` / ``100 和 500`` at ``i``: two numbers with 到 or a list word between."""
        if i + 2 >= len(ts) or ts[i].kind != "NUMBER" or ts[i + 2].kind != "NUMBER":
            return False
        mid = ts[i + 1]
        listed = mid.kind in ("WORD", "LISTSEP") and mid.text.lower() in {*self.t.list_words, "、"}
        return mid.kind == "TO" or listed

    def _field_of(self, t: Tok) -> Any:
        if t.kind != "FIELD" or t.lexeme is None:
            return None
        return self.g.fields.get(t.lexeme.value)

    def _is_listy(self, t: Tok) -> bool:
        fd = self._field_of(t)
        return fd is not None and fd.type in ("list", "text")

    def _is_numeric(self, t: Tok) -> bool:
        fd = self._field_of(t)
        return fd is not None and fd.type in ("money", "count", "weight", "ratio", "duration")

    def _is_bool(self, t: Tok) -> bool:
        fd = self._field_of(t)
        return fd is not None and fd.type == "bool"

    def _same_field(self, surface: str) -> tuple[str, ...]:
        for fd in self.g.fields.values():
            if surface in fd.zh or surface in fd.en:
                return (*fd.zh, *fd.en)
        return ()

    def action_first(self, ts: list[Tok]) -> list[Tok]:
        """``notify finance when amount over 20000`` / ``approve orders under 100 yuan`` /
        ``no split for diamond``: an action written before its condition goes after it. The
        condition starts at 如果/when, at 订单/orders, at 对/for (not after 冻结), or at a
        comparison; the action is what comes before."""
        if not ts or _has_kind(ts, "THEN") or ts[0].kind not in _ACTION_START - {"THRESHOLD", "EACH", "ZHE"}:
            return ts
        for k in range(1, len(ts)):
            kind = ts[k].kind
            bare = ts[0].kind in _BARE_ACTIONS and k == 1 and kind in ("FIELD", "NOT", "MILESTONE", "VALUE")
            after_arg = kind == "FIELD" and ts[k - 1].kind in _VALUE_KINDS | {"ZHE"}  # 10% off order.date …
            starts = (
                bare
                or after_arg
                or kind in ("IF", "ORDERS", "OP")
                or (kind == "FOR" and ts[0].kind != "FREEZE")
            )
            if not starts:
                continue
            cond = ts[k + 1 :] if kind in ("IF", "ORDERS", "FOR") else ts[k:]
            if (
                kind in ("ORDERS", "FOR")
                and cond
                and cond[0].kind == ("FOR" if kind == "ORDERS" else "ORDERS")
            ):
                cond = cond[1:]  # no_split orders for diamond / allow split for orders over …
            if kind == "ORDERS" and len(cond) > 1 and cond[0].kind == "FROM" and cond[1].kind == "FIELD":
                cond = cond[1:]  # red flag orders from blacklisted customers
            more: list[Tok] = []  # hold orders from blacklisted buyers and notify risk
            j = next((j for j, t in enumerate(cond) if t.kind in _ACTION_START), None)
            if j is not None and j > 1 and cond[j - 1].kind == "AND":
                cond, more = cond[: j - 1], cond[j - 1 :]
            if not cond or any(t.kind in _ACTION_START for t in cond):
                return ts
            for j in range(1, len(cond)):
                if cond[j].kind == "FOR" and cond[j - 1].kind in _ATOM_END:
                    # free shipping on orders of 199 or more for gold members: for joins a condition
                    word = self.g.keyword("AND", self.lang)
                    self.note("and", cond[j].text, word)
                    cond = [*cond[:j], Tok("AND", word), *cond[j + 1 :]]
            act = " ".join(t.text for t in ts[:k])
            self.note("order", act, f"{' '.join(t.text for t in cond)} → {act}")
            return [*cond, *ts[:k], *more]
        return ts

    def trailing_stack(self, ts: list[Tok]) -> list[Tok]:
        """``满299减50可叠加``: a 叠加 written last, after the one promotion it qualifies, goes
        before that promotion (``叠加 满299减50``)."""
        if len(ts) < 3 or ts[-1].kind != "STACK":
            return ts
        starts = [
            k
            for k, t in enumerate(ts[:-1])
            if t.kind in _PROMOTION_START and not (t.kind == "ZHE" and k and ts[k - 1].kind == "DISCOUNT")
        ]  # 打 9.5折 is one promotion
        if len(starts) != 1 or any(t.kind in _ACTION_START - _PROMOTION_START for t in ts[starts[0] : -1]):
            return ts
        k = starts[0]
        if k and ts[k - 1].kind == "STACK":
            return ts
        self.note("order", ts[-1].text, f"{ts[-1].text} {ts[k].text}")
        return [*ts[:k], ts[-1], *ts[k:-1]]

    def joints(self, ts: list[Tok]) -> list[Tok]:
        """A missing 则 before the first action, a missing 且 between two conditions."""
        out: list[Tok] = []
        has_then = _has_kind(ts, "THEN")
        for k, t in enumerate(ts):
            in_cond = not has_then and not _has_action(out)
            # 付款后12小时未出库: the 未 belongs to the elapsed time (one atom), no 且 between.
            unless = (
                t.kind == "NOT"
                and k + 1 < len(ts)
                and ts[k + 1].kind == "MILESTONE"
                and len(out) >= 3
                and out[-3].kind == "MILESTONE"
                and out[-2].kind == "OP"
            )
            if in_cond and t.kind in _ACTION_START and out and _is_condition(out):
                then = self.g.keyword("THEN", self.lang)
                if out[-1].kind in ("COMMA", "AND"):
                    self.note("then", out[-1].text, then)
                    out.pop()
                else:
                    self.note("then", "", then)
                out.append(Tok("THEN", then))
                has_then = True
            elif (
                in_cond
                and not unless
                and t.kind in ("FIELD", "NOT", "MILESTONE", "FROM")
                and out
                and (out[-1].kind in _ATOM_END | {"MILESTONE"} or self._is_bool(out[-1]))
            ):
                word = self.g.keyword("AND", self.lang)
                self.note("and", "", word)
                out.append(Tok("AND", word))
            out.append(t)
        return out


def _glued(a: Tok, b: Tok) -> bool:
    """The two tokens were written against each other (no space between them)."""
    return a.lexeme is not None and b.lexeme is not None and a.lexeme.end == b.lexeme.start


def _listable(t: Tok) -> bool:
    """A value that can stand in a list: a glossary value or a code (SKU-1、SKU-2)."""
    return t.kind == "VALUE" or (t.kind == "WORD" and _is_code(t.text))


def _listed(ts: list[Tok], i: int) -> bool:
    """The value at ``i`` starts a list (新疆、西藏)."""
    return i + 2 < len(ts) and ts[i + 1].kind == "LISTSEP" and ts[i + 2].kind == "VALUE"


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+|[A-Za-z]+\d[A-Za-z0-9]*")


def _is_code(text: str) -> bool:
    """A code (SKU-88, A1001, WH-NJ): letters with digits or a dash, no spaces; quotes stripped."""
    return bool(_CODE.fullmatch(text.strip('"')))


def _has_kind(ts: list[Tok], kind: str) -> bool:
    return any(t.kind == kind for t in ts)


def _has_action(ts: list[Tok]) -> bool:
    return any(t.kind in _ACTION_START - {"ZHE", "THRESHOLD"} for t in ts) or _has_kind(ts, "THEN")


def _is_condition(ts: list[Tok]) -> bool:
    return any(t.kind in ("FIELD", "MILESTONE", "FROM", "CONTAINS") for t in ts)


def sentence_of(ts: list[Tok]) -> str:
    return " ".join(t.text for t in ts)
