"""AST → canonical text in Chinese or English, so a parsed rule can be shown back.

Owns the canonical spelling: the first glossary surface of every word, money in 元
(zh ``50万元``, en bare yuan), durations with their unit, ratios as percentages, open
values that the glossary does not know in quotes. The contract, held by a property
test: ``parse_rule(render_rule(r, lang)) == r`` for both languages. It never parses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ordo.rules.language import ast as A
from ordo.rules.language.glossary import Glossary, Lang, default_glossary

_WORD_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _num(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _quote(s: str) -> str:
    return f'"{s}"'


class _Renderer:
    def __init__(self, g: Glossary, lang: Lang) -> None:
        self.g, self.lang = g, lang
        self.zh = lang == "zh"

    def kw(self, kind: str, value: str = "") -> str:
        return self.g.keyword(kind, self.lang, value)

    def field(self, fid: str) -> str:
        return self.g.fields[fid].label(self.lang)

    # -- values ---------------------------------------------------------------------

    def money(self, fen: int) -> str:
        yuan = Decimal(fen) / 100
        if self.zh and yuan > 0 and yuan % 10_000 == 0:
            return f"{_num(yuan / 10_000)}万元"
        return f"{_num(yuan)}元" if self.zh else _num(yuan)

    def duration(self, s: int) -> str:
        for size, zh, en in ((86400, "天", "d"), (3600, "小时", "h"), (60, "分钟", "min")):
            if s and s % size == 0:
                return f"{s // size}{zh if self.zh else en}"
        return f"{s}{'秒' if self.zh else 's'}"

    def scalar(self, fid: str, v: A.Scalar) -> str:
        kind = self.g.fields[fid].type
        if isinstance(v, date):
            return v.isoformat()
        if kind == "money":
            return self.money(int(v))
        if kind == "duration":
            return self.duration(int(v))
        if kind == "weight":
            return f"{v}{'克' if self.zh else 'g'}"
        if kind == "ratio":
            return f"{_num(Decimal(str(v)) * 100)}%"
        return str(v)

    def word(self, domain: str | None, v: str) -> str:
        """The label of a domain value, or the literal in quotes when the glossary does not know it."""
        if domain is not None:
            label = self.g.value_label(domain, v, self.lang)
            if self.g.resolve(domain, label) == v:
                return label
        # A plain SKU / warehouse code (GIFT-001) reads back as itself unless a glossary word.
        if (
            domain in ("sku", "warehouse")
            and v
            and set(v) <= _WORD_OK
            and v[0].isalpha()
            and all(e.surface.lower() != v.lower() for e in self.g.candidates(v[0]))
        ):
            return v
        return _quote(v)

    def join(self, items: list[str]) -> str:
        return ("、" if self.zh else ", ").join(items)

    # -- conditions -----------------------------------------------------------------

    def cond(self, c: A.Condition, nested: bool = False) -> str:
        if isinstance(c, A.All | A.AnyOf):
            sep = f" {self.kw('AND')} " if isinstance(c, A.All) else f" {self.kw('OR')} "
            text = sep.join(self.cond(i, nested=True) for i in c.items)
            return f"({text})" if nested else text
        if isinstance(c, A.Not):
            # 未 reads right before a milestone (未 库存锁定), 不 before everything else.
            word = "未" if self.zh and isinstance(c.item, A.Reached) else self.kw("NOT")
            return f"{word} {self.cond(c.item, nested=True)}"
        return self.atom(c)

    def atom(self, c: A.Condition) -> str:
        if isinstance(c, A.Compare):
            return f"{self.field(c.field)} {self.g.op_label(c.op, self.lang)} {self.scalar(c.field, c.value)}"
        if isinstance(c, A.InSet):
            fd = self.g.fields[c.field]
            if fd.type == "place":
                vals = [
                    self.g.place_label(v, self.lang) if self.g.resolve_place(v) == v else _quote(v)
                    for v in c.values
                ]
                vals += [self.g.group_label(gid, self.lang) for gid in c.groups]
            else:
                vals = [self.word(fd.domain, v) for v in c.values]
            if len(vals) == 1:
                return f"{self.field(c.field)} {self.g.op_label('=', self.lang)} {vals[0]}"
            body = self.join(vals) if self.zh else f"({self.join(vals)})"
            return f"{self.field(c.field)} {self.kw('IN')} {body}"
        if isinstance(c, A.Contains):
            fd = self.g.fields[c.field]
            vals = [_quote(v) if fd.type == "text" else self.word(fd.domain, v) for v in c.values]
            return f"{self.field(c.field)} {self.kw('CONTAINS')} {self.join(vals)}"
        if isinstance(c, A.IsTrue):
            return self.field(c.field)
        if isinstance(c, A.DateRange):
            return f"{self.field(c.field)} {c.start.isoformat()} {self.kw('TO')} {c.end.isoformat()}"
        if isinstance(c, A.Reached):
            return self.g.milestone_label(c.milestone, self.lang)
        if isinstance(c, A.Elapsed):
            ms = self.g.milestone_label(c.milestone, self.lang)
            return f"{ms} {self.g.op_label(c.op, self.lang)} {self.duration(c.seconds)}"
        if isinstance(c, A.Always):
            return ""
        raise TypeError(f"not a condition: {c!r}")

    # -- actions --------------------------------------------------------------------

    def action(self, a: A.Action) -> str:
        stack = f"{self.kw('STACK')} " if getattr(a, "stackable", False) else ""
        if isinstance(a, A.Tag):
            return f"{self.kw('TAG')} {self.word('tag', a.tag)}"
        if isinstance(a, A.RedFlag):
            return self.kw("REDFLAG")
        if isinstance(a, A.Notify):
            return f"{self.kw('NOTIFY')} {self.word('role', a.role)}"
        if isinstance(a, A.Hold):
            return (
                f"{self.kw('HOLD')} {self.kw('REASON')} {_quote(a.reason)}" if a.reason else self.kw("HOLD")
            )
        if isinstance(a, A.Approve):
            return self.kw("APPROVE")
        if isinstance(a, A.ThresholdOff):
            each = f"{self.kw('EACH')} " if a.each else ""
            cap = f" {self.kw('CAP')} {self.money(a.cap_fen)}" if a.cap_fen is not None else ""
            if self.zh:
                t, off = _num(Decimal(a.threshold_fen) / 100), _num(Decimal(a.off_fen) / 100)
                return f"{stack}{each}满{t}减{off}{cap}"
            return (
                f"{stack}{each}{self.kw('THRESHOLD')} {self.money(a.threshold_fen)} "
                f"{self.kw('OFF')} {self.money(a.off_fen)}{cap}"
            )
        if isinstance(a, A.Discount):
            if self.zh:
                return f"{stack}{self.kw('DISCOUNT')} {_num((Decimal(10_000) - a.off_bp) / 1000)}折"
            return f"{stack}{self.kw('DISCOUNT')} {_num(Decimal(a.off_bp) / 100)}%"
        if isinstance(a, A.FreightWaive):
            return self.kw("FREIGHT_FREE")
        if isinstance(a, A.FreightOff):
            return f"{self.kw('FREIGHT_OFF')} {self.money(a.fen)}"
        if isinstance(a, A.Gift):
            unit = "件" if self.zh else "pcs"
            head = ""
            if a.min_fen is not None:
                each = f"{self.kw('EACH')} " if a.each else ""
                head = f"{each}{self.kw('THRESHOLD')} {self.money(a.min_fen)} "
            qty = f" {a.qty}{unit}" if a.qty != 1 else ""
            cap = f" {self.kw('CAP')} {a.cap}{unit}" if a.cap is not None else ""
            return f"{stack}{head}{self.kw('GIFT')} {self.word('sku', a.sku)}{qty}{cap}"
        if isinstance(a, A.UseCarrier):
            return f"{self.kw('CARRIER')} {self.word('carrier', a.carrier)}"
        if isinstance(a, A.AvoidCarrier):
            return f"{self.kw('AVOID')} {self.word('carrier', a.carrier)}"
        if isinstance(a, A.MergeWindow):
            return f"{self.kw('MERGE')} {self.kw('WAIT')} {self.duration(a.seconds)}"
        if isinstance(a, A.UseProfile):
            return f"{self.kw('PROFILE')} {self.word('profile', a.profile)}"
        if isinstance(a, A.PreferWarehouse):
            return f"{self.kw('PREFER')} {self.word('warehouse', a.warehouse)}"
        if isinstance(a, A.ExcludeWarehouse):
            return f"{self.kw('EXCLUDE')} {self.word('warehouse', a.warehouse)}"
        if isinstance(a, A.SplitPolicy):
            return self.kw("SPLIT" if a.allowed else "NOSPLIT")
        if isinstance(a, A.Playbook):
            return self.kw("PLAYBOOK", a.step)
        if isinstance(a, A.Freeze):
            dom = "permission" if a.kind == "permission" else "rule_category"
            target = self.word(dom, a.target)
            if a.role is None:
                return f"{self.kw('FREEZE')} {target}"
            role = self.word("role", a.role)
            if self.zh:
                return f"{self.kw('FREEZE')} {role} {target}"
            return f"{self.kw('FREEZE')} {target} {self.kw('FOR')} {role}"
        if isinstance(a, A.CreateTask):
            owner = self.word("role", a.role) if a.role is not None else _quote(a.user or "")
            out = f"{self.kw('TASK')} {self.kw('ASSIGN')} {owner} {self.kw('DUE')} {self.duration(a.due_s)}"
            return f"{out} {_quote(a.title)}" if a.title else out
        raise TypeError(f"not an action: {a!r}")

    def pattern(self, p: A.Pattern) -> str:
        """A trigger's sequence: ``30天以内 退货 2次`` / ``return 2 times in the last 30d``."""
        event = self.kw("EVENT", p.kind)
        where = ""
        if p.channel is not None:
            where = f"{'在' if self.zh else self.kw('ON')} {self.word('channel', p.channel)} "
        if isinstance(p, A.Single):
            return f"{where}{event}"
        if isinstance(p, A.Count):
            times = f"{p.at_least}次" if self.zh else f"{p.at_least} times"
            if self.zh:
                return f"{self.duration(p.window_s)}{self.kw('WITHIN')} {where}{event} {times}"
            return f"{event} {where}{times} {self.kw('WITHIN')} {self.duration(p.window_s)}"
        unless = ""
        if p.unless is not None:
            if ("UNLESS", p.unless) in self.g.keywords:
                unless = " " + self.kw("UNLESS", p.unless)
            else:
                unless = f" {self.kw('NOT') if self.zh else self.kw('WITHOUT')} {self.kw('EVENT', p.unless)}"
        if self.zh:
            window = f"{self.duration(p.window_s)}{self.kw('WITHIN')} " if p.window_s is not None else ""
            return f"{window}{self.kw('STREAK')}{p.times}次 {where}{event}{unless}"
        window = f" {self.kw('WITHIN')} {self.duration(p.window_s)}" if p.window_s is not None else ""
        out = f"{p.times} {self.kw('STREAK')} {event} {where}{unless.strip()}{window}"
        return " ".join(out.split())

    def rule(self, r: A.Rule) -> str:
        sep = " 并 " if self.zh else ", "
        actions = sep.join(self.action(a) for a in r.actions)
        scope = "" if isinstance(r.scope, A.Always) else f" ({self.cond(r.scope)})"
        if r.trigger is not None:
            when = self.pattern(r.trigger)
            if not isinstance(r.condition, A.Always):
                when = f"{when} {self.kw('AND')} {self.cond(r.condition)}"
            return f"如果 {when} 则 {actions}" if self.zh else f"when {when} then {actions}"
        if isinstance(r.condition, A.Always):
            return f"{actions}{scope}"
        if self.zh:
            return f"如果 {self.cond(r.condition)} 则 {actions}{scope}"
        return f"when {self.cond(r.condition)} then {actions}{scope}"


def render_rule(rule: A.Rule, lang: Lang = "zh", glossary: Glossary | None = None) -> str:
    return _Renderer(glossary or default_glossary(), lang).rule(rule)


def render_condition(cond: A.Condition, lang: Lang = "zh", glossary: Glossary | None = None) -> str:
    return _Renderer(glossary or default_glossary(), lang).cond(cond)
