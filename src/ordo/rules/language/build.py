"""Parse tree → AST: values in the AST's units, domain words resolved through the glossary.

Owns the meaning of each grammar alternative (``compare``, ``member``, ``threshold_off`` …)
and the errors a well-formed sentence can still raise (an unknown tier, a duration
without a unit, a ratio of 30). Units, one rule for all sentences: a bare number on a
money field is 元; on a weight field kg; on a ratio field a fraction in [0, 1] (or write
``15%``); a duration always needs its unit. It never runs the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from lark import Token, Tree

from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import PLACE_FIELD, FieldDef, Glossary, Lang, nearest
from ordo.rules.language.lexer import Lexeme

Node = Tree[Token] | Token
#: The largest number a rule may state in its base unit (fen, grams, seconds, items).
_MAX_INTEGER = 10**15


class Builder:
    """Parse tree → AST, with values converted to the AST's units."""

    def __init__(self, g: Glossary, text: str, by_pos: dict[int, Lexeme], lang: Lang) -> None:
        self.g, self.text, self.by_pos, self.lang = g, text, by_pos, lang

    # -- helpers -------------------------------------------------------------------

    def lex(self, tok: Token) -> Lexeme:
        return self.by_pos[tok.start_pos or 0]

    def err(
        self,
        code: str,
        tok: Token,
        *,
        fd: FieldDef | None = None,
        suggestion: str | None = None,
        detail: str = "",
        word: str | None = None,
    ) -> RuleSyntaxError:
        return RuleSyntaxError(
            code,
            self.text,
            tok.start_pos or 0,
            str(tok) if word is None else word,
            self.lang,
            suggestion=suggestion,
            field=fd.label(self.lang) if fd else "",
            detail=detail,
        )

    @staticmethod
    def toks(node: Node, kind: str | None = None) -> list[Token]:
        kids = node.children if isinstance(node, Tree) else [node]
        return [c for c in kids if isinstance(c, Token) and (kind is None or c.type == kind)]

    @staticmethod
    def sub(node: Tree[Token], data: str) -> list[Tree[Token]]:
        return [c for c in node.children if isinstance(c, Tree) and c.data == data]

    def field(self, tok: Token) -> FieldDef:
        return self.g.fields[self.lex(tok).value]

    def values(self, node: Tree[Token]) -> list[Token]:
        if node.data == "in_values":
            (inner,) = self.sub(node, "values")
            node = inner
        return [c for c in node.children if isinstance(c, Token) and c.type != "LISTSEP"]

    # -- numbers -------------------------------------------------------------------

    def number(self, tok: Token, kind: str, fd: FieldDef | None = None) -> int | float:
        """A NUMBER token in the base unit of ``kind`` (money/count/ratio/duration/weight)."""
        lx = self.lex(tok)
        if lx.quantity is None:
            raise self.err("bad_number", tok, fd=fd)
        q = lx.quantity
        if q.unit is not None and q.unit != kind and not (kind == "count" and q.unit is None):
            raise self.err("bad_unit", tok, fd=fd, word=q.unit_text)
        if kind == "money":
            fen = q.amount * (q.factor if q.unit else Decimal(100))
            return self._integral(fen, tok, fd)
        if kind == "weight":
            return self._integral(q.amount * (q.factor if q.unit else Decimal(1000)), tok, fd)
        if kind == "duration":
            if q.unit is None:
                raise self.err("needs_unit", tok, fd=fd, detail="10分钟" if self.lang == "zh" else "10min")
            return self._integral(q.amount * q.factor, tok, fd)
        if kind == "ratio":
            r = q.amount * q.factor
            if q.unit is None and not (0 <= r <= 1):
                raise self.err("bad_ratio", tok, fd=fd)
            return float(r)
        return self._integral(q.amount, tok, fd)

    def _integral(self, v: Decimal, tok: Token, fd: FieldDef | None) -> int:
        # Bounded so every store and compiler keeps it in a 64-bit integer.
        if abs(v) > _MAX_INTEGER or v != v.to_integral_value():
            raise self.err("bad_number", tok, fd=fd)
        return int(v)

    # -- values of a domain ---------------------------------------------------------

    def word(self, tok: Token, domain: str | None, fd: FieldDef | None = None) -> str:
        lx = self.lex(tok)
        literal = lx.value if tok.type in ("STRING", "WORD") else lx.text
        if tok.type in ("NUMBER", "DATE"):
            return lx.text
        if domain is None:
            return literal
        found = self.g.resolve(domain, literal)
        if found is not None:
            return found
        if tok.type == "STRING" or not self.g.is_closed(domain):
            return literal
        sugg = nearest(literal, self.g.domain_surfaces(domain, self.lang))
        raise self.err("unknown_value", tok, fd=fd, suggestion=sugg, word=literal)

    def places(self, toks: list[Token], fd: FieldDef) -> A.InSet:
        values: list[str] = []
        groups: list[str] = []
        for t in toks:
            lx = self.lex(t)
            raw = lx.value if t.type in ("STRING", "WORD") else lx.text
            gid = self.g.resolve_group(raw)
            if gid is not None:
                groups.append(gid)
                continue
            place = self.g.resolve_place(raw)
            if place is None and t.type == "STRING":
                place = raw  # quoted: taken as written (a district the glossary does not list)
            if place is None:
                sugg = nearest(raw, self.g.domain_surfaces("place", self.lang))
                raise self.err("unknown_value", t, fd=fd, suggestion=sugg, word=raw)
            values.append(place)
        return A.InSet(fd.id, tuple(dict.fromkeys(values)), tuple(dict.fromkeys(groups)))

    def members(self, fd: FieldDef, toks: list[Token], op_tok: Token | None = None) -> A.Condition:
        """``field`` is one of the values: InSet for enums and places, Contains for lists."""
        if fd.type == "place":
            return self.places(toks, fd)
        if fd.type == "enum":
            return A.InSet(fd.id, tuple(dict.fromkeys(self.word(t, fd.domain, fd) for t in toks)))
        if fd.type == "list":
            return A.Contains(fd.id, tuple(dict.fromkeys(self.word(t, fd.domain, fd) for t in toks)))
        raise self.err("bad_operator", op_tok or toks[0], fd=fd)

    # -- sentence ------------------------------------------------------------------

    def sentence(self, tree: Tree[Token]) -> tuple[A.Condition, tuple[A.Action, ...], A.Condition]:
        scope: A.Condition = A.Always()
        for s in self.sub(tree, "scope"):
            (c,) = self.sub(s, "cond")
            scope = self.cond(c)
        if tree.data == "carrier_policy":
            places, *avoided = self.sub(tree, "values")
            cond = self.from_(self.values(places))
            if avoided:  # 偏远地区 不用 极兔
                toks = self.values(avoided[0])
                return cond, tuple(A.AvoidCarrier(self.word(t, "carrier")) for t in toks), scope
            carrier = [c for c in tree.children if isinstance(c, Token) and c.type != "CARRIER"][-1]
            return cond, (A.UseCarrier(self.word(carrier, "carrier")),), scope
        if tree.data == "trigger":
            (task,) = self.sub(tree, "task")
            conds = self.sub(tree, "cond")
            cond = self.customer_cond(conds[0]) if conds else A.Always()
            return cond, (self.task(task),), scope
        (acts,) = self.sub(tree, "actions")
        actions = self.actions(acts)
        if tree.data == "conditional":
            (c,) = self.sub(tree, "cond")
            return self.cond(c), actions, scope
        return A.Always(), actions, scope

    def cond(self, node: Node) -> A.Condition:
        assert isinstance(node, Tree)
        kind = str(node.data)
        if kind in ("cond", "conj"):
            items = tuple(self.cond(c) for c in node.children if isinstance(c, Tree))
            if len(items) == 1:
                return items[0]
            return A.AnyOf(items) if kind == "cond" else A.All(items)
        if kind == "negated":
            return A.Not(self.cond(node.children[1]))
        if kind == "group":
            return self.cond(node.children[1])
        handler: Callable[[Tree[Token]], A.Condition] = getattr(self, "c_" + kind.rstrip("_"))
        return handler(node)

    def c_compare(self, node: Tree[Token]) -> A.Condition:
        ftok, optok = self.toks(node)
        fd, op = self.field(ftok), A.Op(self.lex(optok).value)
        (vals,) = self.sub(node, "values")
        toks = self.values(vals)
        if fd.type in ("enum", "place", "text") or (fd.type == "list" and op in (A.Op.EQ, A.Op.NE)):
            if op not in (A.Op.EQ, A.Op.NE):
                raise self.err("bad_operator", optok, fd=fd)
            if fd.type == "text":
                c: A.Condition = A.InSet(fd.id, tuple(self.word(t, None) for t in toks))
            else:
                c = self.members(fd, toks, optok)
            return c if op is A.Op.EQ else A.Not(c)
        if len(toks) != 1:
            raise self.err("bad_operator", optok, fd=fd)
        (vt,) = toks
        if fd.type == "bool":
            if op not in (A.Op.EQ, A.Op.NE):
                raise self.err("bad_operator", optok, fd=fd)
            truth = self.word(vt, "bool", fd) == "true"
            return A.IsTrue(fd.id) if truth == (op is A.Op.EQ) else A.Not(A.IsTrue(fd.id))
        if fd.type == "date":
            day = self.lex(vt).day
            if day is None:
                raise self.err("bad_number", vt, fd=fd)
            return A.Compare(fd.id, op, day)
        if vt.type != "NUMBER":
            raise self.err("bad_number", vt, fd=fd)
        return A.Compare(fd.id, op, self.number(vt, fd.type, fd))

    def c_member(self, node: Tree[Token]) -> A.Condition:
        ftok = self.toks(node, "FIELD")[0]
        (vals,) = self.sub(node, "in_values")
        c = self.members(self.field(ftok), self.values(vals), self.toks(node, "IN")[0])
        return A.Not(c) if self.toks(node, "NOT") else c

    def c_contains(self, node: Tree[Token]) -> A.Condition:
        fd = self.field(self.toks(node, "FIELD")[0])
        (vals,) = self.sub(node, "values")
        c = self._contains(fd, self.values(vals), self.toks(node, "CONTAINS")[0])
        return A.Not(c) if self.toks(node, "NOT") else c

    def c_contains_before(self, node: Tree[Token]) -> A.Condition:
        ftoks = self.toks(node, "FIELD")
        fd = self.field(ftoks[0]) if ftoks else self.g.fields["order.skus"]
        (vals,) = self.sub(node, "values")
        return self._contains(fd, self.values(vals), self.toks(node, "CONTAINS")[0])

    def _contains(self, fd: FieldDef, toks: list[Token], kw: Token) -> A.Condition:
        if fd.type == "text":
            return A.Contains(fd.id, tuple(self.word(t, None) for t in toks))
        if fd.type != "list":
            raise self.err("bad_operator", kw, fd=fd)
        return A.Contains(fd.id, tuple(dict.fromkeys(self.word(t, fd.domain, fd) for t in toks)))

    def c_truthy(self, node: Tree[Token]) -> A.Condition:
        (ftok,) = self.toks(node)
        fd = self.field(ftok)
        if fd.type != "bool":
            raise self.err("not_boolean", ftok, fd=fd)
        return A.IsTrue(fd.id)

    def c_date_range(self, node: Tree[Token]) -> A.Condition:
        ftok, lo, _to, hi = self.toks(node)
        fd = self.field(ftok)
        start, end = self.lex(lo).day, self.lex(hi).day
        if fd.type != "date":
            raise self.err("bad_operator", ftok, fd=fd)
        if start is None or end is None or start > end:
            raise self.err("bad_date", lo if start is None else hi, fd=fd)
        return A.DateRange(fd.id, start, end)

    def c_from(self, node: Tree[Token]) -> A.Condition:
        (vals,) = self.sub(node, "values")
        return self.from_(self.values(vals))

    def from_(self, toks: list[Token]) -> A.Condition:
        """``来自 X``: a channel when every X is a channel (来自天猫), else a ship-to place."""
        chans = [self.g.resolve("channel", self.lex(t).value or self.lex(t).text) for t in toks]
        if all(c is not None for c in chans):
            return A.InSet("channel", tuple(c for c in chans if c is not None))
        if any(c is not None for c in chans):
            bad = next(t for t, c in zip(toks, chans, strict=True) if c is None)
            raise self.err("mixed_place", bad)
        return self.places(toks, self.g.fields[PLACE_FIELD])

    def c_elapsed(self, node: Tree[Token]) -> A.Condition:
        toks = self.toks(node)
        m, optok, vt = toks[0], toks[1], toks[2]
        dur = self.number(vt, "duration")
        c = A.Elapsed(self.lex(m).value, A.Op(self.lex(optok).value), int(dur))
        if len(toks) == 5:
            return A.All((c, A.Not(A.Reached(self.lex(toks[4]).value))))
        return c

    def c_reached(self, node: Tree[Token]) -> A.Condition:
        return A.Reached(self.lex(self.toks(node)[0]).value)

    # -- actions -------------------------------------------------------------------

    def actions(self, node: Tree[Token]) -> tuple[A.Action, ...]:
        out: list[A.Action] = []
        for act in node.children:
            if isinstance(act, Tree):
                out.extend(self.action(act))
        return tuple(out)

    def action(self, node: Tree[Token]) -> list[A.Action]:
        kind = str(node.data)
        toks = self.toks(node)
        vals = [t for t in toks if t.type in ("VALUE", "WORD", "STRING", "NUMBER", "DATE")]
        stack = any(t.type == "STACK" for t in toks)
        each = any(t.type == "EACH" for t in toks)
        lists = [self.values(v) for v in self.sub(node, "values")]
        if kind == "tag":
            return [A.Tag(self.word(t, "tag")) for t in lists[0]]
        if kind == "notify":
            return [A.Notify(self.word(t, "role")) for t in lists[0]]
        if kind == "red_flag":
            return [A.RedFlag()]
        if kind == "hold":
            return [A.Hold(self.word(vals[0], None) if vals else "")]
        if kind == "approve":
            return [A.Approve()]
        if kind == "freeze":
            return [self.freeze(vals)]
        if kind == "freight_off":
            return [A.FreightOff(int(self.number(vals[0], "money")))]
        if kind == "freight_free":
            return [A.FreightWaive()]
        if kind == "threshold_off":
            cap = int(self.number(vals[2], "money")) if len(vals) > 2 else None
            return [
                A.ThresholdOff(
                    int(self.number(vals[0], "money")), int(self.number(vals[1], "money")), each, cap, stack
                )
            ]
        if kind == "threshold_gift":
            return [self.gift(vals[1:], stack, int(self.number(vals[0], "money")), each, toks)]
        if kind == "gift":
            return [self.gift(vals, stack, None, False, toks)]
        if kind == "zhe":
            zt = self.toks(node, "ZHE")[0]
            q = self.lex(zt).quantity
            assert q is not None
            if not (0 < q.amount < 10):
                raise self.err("bad_number", zt)
            return [A.Discount(int(self._integral((10 - q.amount) * 1000, zt, None)), stack)]
        if kind == "discount":
            return [A.Discount(round(self.number(vals[0], "ratio") * 10_000), stack)]
        if kind == "carrier":
            return [A.UseCarrier(self.word(vals[0], "carrier"))]
        if kind == "avoid":
            return [A.AvoidCarrier(self.word(t, "carrier")) for t in lists[0]]
        if kind == "merge":
            wait = int(self.number(vals[0], "duration")) if vals else A.DEFAULT_MERGE_WINDOW_S
            return [A.MergeWindow(wait)]
        if kind == "profile":
            return [A.UseProfile(self.word(vals[0], "profile"))]
        if kind == "prefer":
            return [A.PreferWarehouse(self.word(t, "warehouse")) for t in lists[0]]
        if kind == "exclude":
            return [A.ExcludeWarehouse(self.word(t, "warehouse")) for t in lists[0]]
        if kind in ("split", "no_split"):
            return [A.SplitPolicy(kind == "split")]
        assert kind == "playbook", kind
        return [A.Playbook(self.lex(toks[0]).value)]

    def gift(
        self, vals: list[Token], stack: bool, min_fen: int | None, each: bool, toks: list[Token]
    ) -> A.Gift:
        has_cap = any(t.type == "CAP" for t in toks)
        cap = int(self.number(vals[-1], "count")) if has_cap else None
        rest = vals[:-1] if has_cap else vals
        qty = int(self.number(rest[1], "count")) if len(rest) > 1 else 1
        return A.Gift(self.word(rest[0], "sku"), qty, min_fen, each, cap, stack)

    def freeze(self, vals: list[Token]) -> A.Freeze:
        """``冻结 导购 价格调整`` / ``freeze price_change for sales_guide``: each word is a role,
        a permission or a rule category, told apart by the glossary."""
        role: str | None = None
        target: tuple[str, str] | None = None
        for t in vals:
            raw = self.lex(t).value if t.type in ("STRING", "WORD") else self.lex(t).text
            for dom in ("permission", "rule_category", "role"):
                found = self.g.resolve(dom, raw)
                if found is None:
                    continue
                if dom == "role":
                    role = found
                else:
                    target = (found, "permission" if dom == "permission" else "category")
                break
            else:
                pool = self.g.domain_surfaces("permission", self.lang) + self.g.domain_surfaces(
                    "role", self.lang
                )
                raise self.err("unknown_value", t, suggestion=nearest(raw, pool), word=raw)
        if target is None:
            pool = self.g.domain_surfaces("permission", self.lang)
            raise self.err("incomplete", vals[0], suggestion=pool[0] if pool else None)
        return A.Freeze(target[0], target[1], role)

    # -- triggers ------------------------------------------------------------------

    def pattern(self, tree: Tree[Token]) -> A.Pattern:
        """The sequence of a trigger sentence (``30天内 退货 2次``, ``连续3次 在抖音 咨询 未下单``)."""
        kinds = ("count", "streak", "single")
        (node,) = [c for c in tree.children if isinstance(c, Tree) and c.data in kinds]
        kind = str(node.data)
        events = self.toks(node, "EVENT")
        event = self.lex(events[0]).value
        channel = self._channel(node)
        windows = self.sub(node, "window")
        window = int(self.number(self.toks(windows[0], "NUMBER")[0], "duration")) if windows else None
        if kind == "single":
            return A.Single(event, channel)
        (ntok,) = self.toks(node, "NUMBER")
        n = int(self.number(ntok, "count"))
        if n < 1 or n > 1000:
            raise self.err("bad_number", ntok)
        if kind == "streak":
            unless: str | None = None
            for u in self.sub(node, "unless"):
                marks = self.toks(u, "UNLESS") or self.toks(u, "EVENT")
                unless = self.lex(marks[0]).value
            return A.Streak(event, n, unless, channel, window)
        ops = self.toks(node, "OP")
        op = A.Op(self.lex(ops[0]).value) if ops else A.Op.GE
        if op not in (A.Op.GE, A.Op.GT, A.Op.EQ):
            raise self.err("bad_operator", ops[0], word=str(ops[0]))
        assert window is not None  # the grammar requires it for a count
        return A.Count(event, n + 1 if op is A.Op.GT else n, window, channel)

    def _channel(self, node: Tree[Token]) -> str | None:
        for ch in self.sub(node, "channel"):
            vt = [c for c in ch.children if isinstance(c, Token) and c.type in ("VALUE", "WORD", "STRING")]
            if vt:
                return self.word(vt[0], "channel")
        return None

    def customer_cond(self, node: Tree[Token]) -> A.Condition:
        """A trigger's condition: fields of the customer only (the event has no order facts)."""
        c = self.cond(node)
        fields: set[str] = set()
        _fields_of(c, fields)
        bad = sorted(f for f in fields if not f.startswith("customer."))
        if bad:
            first = next(t for t in node.scan_values(lambda v: isinstance(v, Token)))
            raise self.err("trigger_field", first, word=self.g.fields[bad[0]].label(self.lang))
        return c

    def task(self, node: Tree[Token]) -> A.CreateTask:
        """``创建任务 交给 客服 期限 2小时 "回访"``: an owner (a role, or a quoted user name), a due
        time (a day when not written) and a title."""
        toks = [t for t in self.toks(node) if t.type not in ("TASK", "ASSIGN", "FOR", "TO")]
        owner = toks[0]
        raw = self.lex(owner).value if owner.type in ("STRING", "WORD") else self.lex(owner).text
        role = self.g.resolve("role", raw)
        user: str | None = None
        if role is None:
            if owner.type != "STRING":
                sugg = nearest(raw, self.g.domain_surfaces("role", self.lang))
                raise self.err("unknown_value", owner, suggestion=sugg, word=raw)
            user = raw.strip()
            if not user:
                raise self.err("unknown_value", owner, word=raw)
        due = A.DEFAULT_TASK_DUE_S
        rest = toks[1:]
        if rest and rest[0].type in ("DUE", "WAIT"):
            due = int(self.number(rest[1], "duration"))
            if due <= 0:
                raise self.err("bad_number", rest[1])
            rest = rest[2:]
        title = self.lex(rest[0]).value if rest else ""
        return A.CreateTask(role, user, due, title)


def _fields_of(c: A.Condition, out: set[str]) -> None:
    if isinstance(c, A.Not):
        _fields_of(c.item, out)
    elif isinstance(c, A.All | A.AnyOf):
        for i in c.items:
            _fields_of(i, out)
    elif isinstance(c, A.Compare | A.InSet | A.Contains | A.IsTrue | A.DateRange):
        out.add(c.field)
    elif isinstance(c, A.Reached | A.Elapsed):
        out.add("milestone." + c.milestone)
