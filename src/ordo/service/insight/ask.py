"""``ask``: a question → its reading → a metric query → the answer with its SQL and the
definitions it used. The one path for ``ordo ask``, ``POST /api/v1/ask``, the page and the bot,
so they all give the same answer.

Safety: the reading becomes a :class:`MetricQuery` whose statement the store builds, passes
through its gate and runs read-only (:mod:`ordo.adapters.store.analytics`); the asker's channel
scope is a filter of every statement, and a question about a channel outside it is refused.
"""

from __future__ import annotations

import functools
import re
import time
from typing import Any, Protocol

from ordo.domain.access import Scope
from ordo.domain.errors import PermissionDenied
from ordo.domain.geo import PROVINCES
from ordo.service.insight.catalog import Catalog, Metric, default_catalog
from ordo.service.insight.facts import catch_up
from ordo.service.insight.periods import day_label
from ordo.service.insight.reader import Name, Reading, Vocabulary, read_question
from ordo.service.ports.insight import MetricQuery, Table
from ordo.service.runtime.app import Ordo

_CARRIER_SUFFIXES = ("速运", "速递", "快递", "快运", "物流", "EMS")


def vocabulary(app: Ordo) -> Vocabulary:
    """Every name a question may use: channels and their aliases, warehouses (by name and as
    ``<city>仓``), carriers (by name, without 快递/速运…, by code), provinces and cities."""
    with app.store.uow(read_only=True) as uow:
        warehouses, carriers = uow.catalog.warehouses(), uow.catalog.carriers()
    names: list[Name] = []
    labels: dict[tuple[str, str], str] = {}
    channel_words: dict[str, list[str]] = {}
    for alias, channel in app.channels.aliases.items():
        channel_words.setdefault(channel, []).append(alias.lower())
    for channel in app.channels.adapters:
        label = app.channels.label(channel)
        words = {channel, label["zh"].lower(), label["en"].lower(), *channel_words.get(channel, [])}
        names.append(Name("channel", channel, tuple(w for w in words if len(w) >= 2)))
        # The built-in channels carry no title: their first Chinese alias (抖音, 拼多多) is the label.
        chinese = sorted(
            (w for w in channel_words.get(channel, []) if re.search(r"[\u4e00-\u9fff]", w)), key=len
        )
        labels["channel", channel] = label["zh"] if label["zh"] != channel or not chinese else chinese[0]
    taken = {w for n in names for w in n.words}
    for w in warehouses:
        city = w.city.removesuffix("市")
        names.append(Name("warehouse", w.name, (w.name.lower(), f"{city}仓", f"{city}的仓", w.id.lower())))
    for c in carriers:
        words = {c.name.lower(), c.id.lower()}
        for suffix in _CARRIER_SUFFIXES:
            short = c.name.removesuffix(suffix).removeprefix("中国")
            if short != c.name and len(short) >= 2 and short.lower() not in taken:
                words.add(short.lower())
        names.append(Name("carrier", c.name, tuple(w for w in words if len(w) >= 2)))
    for p in PROVINCES:
        names.append(Name("province", p.name, (p.name, p.short, *p.english)))
    names.extend(_city_names(app.divisions))
    return Vocabulary(tuple(names), labels)


class _Cities(Protocol):
    def cities(self) -> list[Any]: ...


@functools.lru_cache(maxsize=4)
def _city_names(divisions: _Cities) -> tuple[Name, ...]:
    """The cities of a division registry as names (the registry is built once from shipped
    data and never changes; listing its cities took a third of a question's time)."""
    province_names = {p.name for p in PROVINCES}
    return tuple(
        Name("city", d.name, (d.name, d.name.removesuffix("市")))
        for d in divisions.cities()
        if d.name not in province_names and d.name.endswith("市")
    )


def ask(
    app: Ordo,
    question: str,
    scope: Scope | None = None,
    *,
    catalog: Catalog | None = None,
    now_ns: int | None = None,
) -> dict[str, Any]:
    """The answer to ``question`` as the asker's scope allows (see the module docstring).
    Time words (昨日, last week) count from ``now_ns``, by default the injected clock's now."""
    started = time.perf_counter()
    catalog = catalog or default_catalog()
    scope = scope or Scope()
    if scope.shops:
        raise PermissionDenied(
            "a caller bound to shops cannot ask over all orders / 绑定店铺的账号不能查询全部订单的指标",
            details={"scope": scope.as_dict()},
        )
    vocab = vocabulary(app)
    reading = read_question(question, catalog, vocab, app.clock.now_ns() if now_ns is None else now_ns)
    asked_channels = dict(reading.filters).get("channel", ())
    outside = [c for c in asked_channels if scope.channels and c not in scope.channels]
    if outside:
        raise PermissionDenied(
            f"channel {', '.join(outside)} is outside your scope "
            f"/ 渠道「{'、'.join(outside)}」不在你的权限范围内",
            details={"field": "question", "channels": outside},
        )
    query = MetricQuery(
        numerator=reading.metric.numerator,
        denominator=reading.metric.denominator,
        time_column=reading.metric.time,
        since_ns=reading.period.since_ns,
        until_ns=reading.period.until_ns,
        dimensions=tuple(d.column for d in reading.group_by),
        filters=reading.filters,
        descending=reading.descending,
        channels=scope.channels,
    )
    # The facts follow the outbox in the background; what is left is applied here, so an
    # answer counts every order committed before the question.
    catch_up(app)
    table = app.store.analytics().run(query)
    return answer(reading, table, vocab, started)


def _display(metric: Metric, value: Any) -> str:
    if value is None:
        return "—"
    if metric.kind == "ratio":
        return f"{float(value) * 100:.1f}%"
    if metric.kind == "fen":
        return f"¥{float(value) / 100:,.2f}"
    if metric.kind == "hours":
        return f"{float(value):.1f} h"
    return f"{int(value):,}"


def answer(reading: Reading, table: Table, vocab: Vocabulary, started: float) -> dict[str, Any]:
    """The answer as the API returns it: the rows, a sentence in each language, and its work."""
    m = reading.metric
    dims = [d.column for d in reading.group_by]
    rows: list[dict[str, Any]] = []
    for raw in table.rows:
        row = dict(zip(table.columns, raw, strict=True))
        for d in dims:
            if d == "day":
                row["day"] = day_label(int(row["day"]))
            elif d == "channel":
                row["channel_label"] = vocab.labels.get(("channel", row["channel"]), row["channel"])
        value = row["value"]
        row["value"] = None if value is None else (float(value) if m.kind in ("ratio", "hours") else value)
        if m.kind == "fen" and value is not None:
            row["value"] = round(float(value))
        row["display"] = _display(m, value)
        rows.append(row)
    where_zh = " ".join(
        "、".join(vocab.labels.get((d, v), v) for v in values) for d, values in reading.filters
    )
    groups_zh = "".join(f"各{d.zh}" for d in reading.group_by)
    groups_en = "".join(f" by {d.en}" for d in reading.group_by)
    reading_zh = " ".join(p for p in (reading.period.zh, where_zh, groups_zh, "的", m.zh) if p)
    where_en = " and ".join(", ".join(values) for _, values in reading.filters)
    reading_en = f"{m.en}{groups_en}" + (f" for {where_en}" if where_en else "") + f", {reading.period.en}"
    if not rows:
        said_zh, said_en = f"{reading_zh}：没有数据", f"{reading_en}: no data"
    elif not dims:
        r = rows[0]
        said_zh = f"{reading_zh}：{r['display']}（{_base_zh(m)} {int(r['base'] or 0):,} 单）"
        said_en = f"{reading_en}: {r['display']} ({int(r['base'] or 0):,} orders {_base_en(m)})"
    else:
        top = rows[0]
        label = " / ".join(str(top.get(f"{d}_label", top[d])) for d in dims)
        if "day" in dims:
            top = rows[-1]
            label = " / ".join(str(top.get(f"{d}_label", top[d])) for d in dims)
        lead_zh = "最近一天" if "day" in dims else ("最低" if not reading.descending else "最高")
        said_zh = f"{reading_zh}：共 {len(rows)} 组，{lead_zh}是 {label}（{top['display']}）"
        lead_en = "latest day" if "day" in dims else ("lowest" if not reading.descending else "highest")
        label_en = " / ".join(str(top[d]) for d in dims)
        said_en = f"{reading_en}: {len(rows)} groups; {lead_en} is {label_en} ({top['display']})"
    if reading.ignored:
        said_zh += f"。未读懂的词：{'、'.join(reading.ignored)}（已忽略）"
        said_en += f". Words not understood (ignored): {', '.join(reading.ignored)}"
    return {
        "question": reading.question,
        "reading": {"zh": reading_zh, "en": reading_en},
        "answer": {"zh": said_zh, "en": said_en},
        "metric": m.as_dict(),
        "period": reading.period.as_dict(),
        "filters": [{"dimension": d, "values": list(v)} for d, v in reading.filters],
        "group_by": dims,
        "ignored": list(reading.ignored),
        "rows": rows,
        "sql": table.sql,
        "params": table.params,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _base_zh(m: Metric) -> str:
    return {"delivered_at_ns": "签收", "outbound_at_ns": "出库"}.get(m.time, "下单")


def _base_en(m: Metric) -> str:
    return {"delivered_at_ns": "delivered", "outbound_at_ns": "shipped"}.get(m.time, "placed")
