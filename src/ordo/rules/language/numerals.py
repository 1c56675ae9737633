"""Chinese numerals and discount shorthand in a rule sentence → Arabic digits.

Owns one text-to-text step of the tolerant reader (:mod:`ordo.rules.language.tolerant`):
``二百九十九`` → ``299``, ``两件`` → ``2件``, ``五十万`` → ``50万``, ``百分之三十`` → ``30%``,
``九五折`` / ``95折`` → ``9.5折``, ``七折`` → ``7折``. A numeral is converted only when a
unit, a magnitude or a threshold word sits beside it (``一单`` stays as written), so the
change is never a guess about meaning. It never parses a rule.
"""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_NUM_CHARS = "零〇一二两三四五六七八九十百千"
_RUN = f"[{_NUM_CHARS}]+"
#: What may follow a numeral for it to be read as a number (units, magnitudes, 以上 / 以下).
_AFTER = r"(?=万|亿|元|块|件|个|小时|天|分钟|秒|公斤|千克|斤|克|吨|%|行|\s*(?:及)?以[上下内]|之间)"
#: What may precede a bare numeral (thresholds and comparisons: 满一百减十, 超过一千).
_BEFORE = r"(?<=满|减|过|超|于|少|低|高|足|到|至|多|顶|限|送|赠|和)"

_ZHE_WORDS = re.compile(f"([{_NUM_CHARS[2:12]}])([{_NUM_CHARS[2:12]}])?折")
_ZHE_DIGITS = re.compile(r"(?<![\d.])([1-9])([0-9])折")
_PERCENT = re.compile(f"百分之({_RUN})")
_WITH_UNIT = re.compile(f"{_RUN}{_AFTER}")
_AFTER_WORD = re.compile(f"{_BEFORE}{_RUN}")
#: Digits and 千 (``3千元``, ``1.5千``): thousands, not 千克 (a weight unit).
_DIGIT_THOUSAND = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*千(?!克)")


def chinese_number(s: str) -> int | None:
    """``二百九十九`` → 299, ``十五`` → 15, ``两`` → 2, ``一零零`` → 100, ``一百五`` → 150,
    ``三百九九`` → 399, ``一百零五`` → 105; None if not a number."""
    if not s:
        return None
    if all(c in _DIGITS for c in s):
        return int("".join(str(_DIGITS[c]) for c in s))
    total, current = 0, 0
    magnitude, trailing = 0, ""  # the last 百/千 and the digits written after it
    for c in s:
        if c in _DIGITS:
            current = _DIGITS[c]
            trailing = "" if _DIGITS[c] == 0 else trailing + c
            if _DIGITS[c] == 0:
                magnitude = 0  # 一百零五: the digit after 零 is itself
        elif c in _SMALL:
            total += (current or 1) * _SMALL[c]
            current, magnitude, trailing = 0, _SMALL[c], ""
        else:
            return None
    if trailing and magnitude >= 100 and len(trailing) < len(str(magnitude)):
        # Spoken shorthand: 一百五 is 150, 三百九九 is 399, 两千五 is 2500.
        digits = int("".join(str(_DIGITS[c]) for c in trailing))
        scale = magnitude // int("1" + "0" * len(trailing))
        return total + digits * scale
    return total + current


def _zhe(m: re.Match[str]) -> str:
    a = _DIGITS[m.group(1)]
    b = m.group(2)
    return f"{a}.{_DIGITS[b]}折" if b else f"{a}折"


def _thousands(m: re.Match[str]) -> str:
    n = float(m.group(1)) * 1000
    return str(int(n)) if n == int(n) else m.group(0)


def _num(m: re.Match[str]) -> str:
    n = chinese_number(m.group(0))
    return m.group(0) if n is None else f" {n}"


#: Financial (大写) numerals as the everyday ones: 伍佰 is 五百.
_FINANCIAL = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟", "一二二三三四五六六七八九十百千")


def convert(text: str) -> str:
    """The sentence with its Chinese numerals and 折 shorthand as digits (unchanged if none)."""
    out = _ZHE_WORDS.sub(_zhe, text.translate(_FINANCIAL)).replace("千克", "公斤")  # 千克: a unit, not 千
    out = _DIGIT_THOUSAND.sub(_thousands, out)
    out = _ZHE_DIGITS.sub(lambda m: f"{m.group(1)}.{m.group(2)}折" if m.group(2) != "0" else m.group(0), out)
    out = _PERCENT.sub(lambda m: f"{chinese_number(m.group(1))}%", out)
    out = _WITH_UNIT.sub(_num, out)
    return _AFTER_WORD.sub(_num, out)
