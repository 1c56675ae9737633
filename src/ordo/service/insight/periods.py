"""Time words → a period: 昨日, 上周, 本月, 近7天, 双11期间, ``last week`` … as half-open
``[since, until)`` UTC nanosecond windows on the Asia/Shanghai calendar.

Pure: the caller passes the injected clock's now. Weeks start on Monday, as Chinese
calendars and ops reports do. Campaign periods (双11, 618, 年货节) are data (``CAMPAIGNS``): the
most recent one that has started, so 双11期间 asked in December means this November's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ordo.rules.language.numerals import chinese_number

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NS = 1_000_000_000
DAY_NS = 86_400 * NS

#: Named campaign periods, (month, first day) to (month, last day), inclusive.
CAMPAIGNS: dict[str, tuple[str, str, tuple[int, int], tuple[int, int]]] = {
    "double11": ("双11期间", "during Double 11", (10, 20), (11, 11)),
    "618": ("618期间", "during 618", (6, 1), (6, 18)),
    "double12": ("双12期间", "during Double 12", (12, 1), (12, 12)),
}
_CAMPAIGN_WORDS = {
    "double11": ("双11", "双十一", "双 11", "double 11", "double eleven", "singles day", "11.11"),
    "618": ("618", "六一八", "6.18"),
    "double12": ("双12", "双十二", "double 12", "12.12"),
}

_RECENT = re.compile(r"(?:近|最近|过去|前)\s*([0-9]+|[一二两三四五六七八九十]{1,3})\s*(天|日|周|个月)")
_RECENT_EN = re.compile(r"(?:last|past|previous)\s+([0-9]+)\s+(days?|weeks?|months?)")


@dataclass(frozen=True, slots=True)
class Period:
    since_ns: int
    until_ns: int
    zh: str
    en: str
    #: The words of the question that named it ("" for the default).
    words: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "since_ns": self.since_ns,
            "until_ns": self.until_ns,
            "zh": self.zh,
            "en": self.en,
            "from": _date(self.since_ns).isoformat(),
            "to": _date(self.until_ns - 1).isoformat(),
        }


def _date(ns: int) -> dt.date:
    return dt.datetime.fromtimestamp(ns // NS, SHANGHAI).date()


def _start(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp()) * NS


def _cn_number(text: str) -> int:
    """``7`` or ``七`` / ``十四`` / ``三十`` (the rules' reading of Chinese numerals)."""
    return int(text) if text.isdigit() else chinese_number(text) or 0


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    y, m = day.year, day.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def _days(today: dt.date, n: int, words: str) -> Period:
    """The last ``n`` whole days including today (近7天 = today and the six before)."""
    return Period(
        _start(today - dt.timedelta(days=n - 1)),
        _start(today + dt.timedelta(days=1)),
        f"近{n}天",
        f"the last {n} days",
        words,
    )


def _campaign(today: dt.date, key: str, words: str) -> Period:
    zh, en, (m0, d0), (m1, d1) = CAMPAIGNS[key]
    year = today.year if today >= dt.date(today.year, m0, d0) else today.year - 1
    first, last = dt.date(year, m0, d0), dt.date(year, m1, d1)
    return Period(_start(first), _start(last + dt.timedelta(days=1)), f"{year}年{zh}", f"{en} {year}", words)


def find_period(text: str, now_ns: int) -> Period | None:
    """The period a question names, or None when it names none. ``text`` is lower-cased."""
    today = _date(now_ns)
    tomorrow = today + dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    fixed: list[tuple[tuple[str, ...], Period]] = [
        (("今天", "今日", "today"), Period(_start(today), _start(tomorrow), "今日", "today")),
        (
            ("昨天", "昨日", "yesterday"),
            Period(_start(today - dt.timedelta(days=1)), _start(today), "昨日", "yesterday"),
        ),
        (
            ("前天", "the day before yesterday"),
            Period(
                _start(today - dt.timedelta(days=2)),
                _start(today - dt.timedelta(days=1)),
                "前天",
                "the day before yesterday",
            ),
        ),
        (
            ("上周", "上星期", "上礼拜", "last week"),
            Period(_start(monday - dt.timedelta(days=7)), _start(monday), "上周", "last week"),
        ),
        (
            ("本周", "这周", "这星期", "this week"),
            Period(_start(monday), _start(tomorrow), "本周", "this week"),
        ),
        (
            ("上个月", "上月", "last month"),
            Period(_start(_month_start(today, 1)), _start(_month_start(today)), "上月", "last month"),
        ),
        (
            ("本月", "这个月", "当月", "this month"),
            Period(_start(_month_start(today)), _start(tomorrow), "本月", "this month"),
        ),
        (
            ("今年", "本年", "this year"),
            Period(_start(dt.date(today.year, 1, 1)), _start(tomorrow), "今年", "this year"),
        ),
    ]
    # Longest words first, so 前天 is not read as 前 + 天 and "the day before yesterday" wins.
    for key, words in sorted(_CAMPAIGN_WORDS.items(), key=lambda kv: -max(len(w) for w in kv[1])):
        for w in sorted(words, key=len, reverse=True):
            if w in text:
                return _campaign(today, key, w)
    match = _RECENT.search(text) or _RECENT_EN.search(text)
    if match:
        n, unit = _cn_number(match.group(1)), match.group(2)
        if unit.startswith(("周", "week")):
            return _days(today, 7 * n, match.group(0))
        if unit.startswith(("个月", "month")):  # rolling: 近1个月 is the last 30 days, not this month
            return Period(
                _start(today - dt.timedelta(days=30 * max(1, n) - 1)),
                _start(tomorrow),
                f"近{n}个月",
                f"the last {n} months",
                match.group(0),
            )
        return _days(today, max(1, n), match.group(0))
    found = [(w, p) for words, p in fixed for w in words if w in text]
    if found:
        w, p = max(found, key=lambda wp: len(wp[0]))
        return Period(p.since_ns, p.until_ns, p.zh, p.en, w)
    return None


def default_period(now_ns: int) -> Period:
    """What a question without a time word covers: the last 7 days."""
    return _days(_date(now_ns), 7, "")


def day_label(epoch_day: int) -> str:
    """The Shanghai calendar date of a day number (days since 1970-01-01 in UTC+8)."""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=epoch_day)).isoformat()
