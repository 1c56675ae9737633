"""From a sentence to lexemes: normalisation and longest-first glossary tokenisation.

Owns: full-width → half-width folding, Chinese punctuation, numbers with Chinese and
English units (``5元``, ``50万``, ``2小时``, ``15%``, ``9折``), dates, quoted strings, and
matching glossary surfaces longest-first so ``订单金额`` wins over ``金额``. Every
lexeme keeps its character offsets in the *original* sentence (folding is one
character for one character) so errors can point at it. It never decides what a
sentence means; the grammar does.

``、`` always separates list items; a ``,``/``，`` separates list items only between two
values (``新疆,西藏``) and otherwise joins clauses, so ``，`` can still end a clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import Glossary, Lang

_FOLD = {0x3000: " ", 0x3002: "。", 0x3001: "、"}

_MAGNITUDE = {
    "万": Decimal(10_000),
    "千": Decimal(1_000),
    "百": Decimal(100),
    "亿": Decimal(100_000_000),
    "k": Decimal(1_000),
}

#: unit surface → (kind, factor to the AST's base unit). Longest first when matched.
UNITS: dict[str, tuple[str, Decimal]] = {
    "元": ("money", Decimal(100)),
    "块钱": ("money", Decimal(100)),
    "块": ("money", Decimal(100)),
    "yuan": ("money", Decimal(100)),
    "rmb": ("money", Decimal(100)),
    "cny": ("money", Decimal(100)),
    "秒钟": ("duration", Decimal(1)),
    "秒": ("duration", Decimal(1)),
    "s": ("duration", Decimal(1)),
    "sec": ("duration", Decimal(1)),
    "seconds": ("duration", Decimal(1)),
    "分钟": ("duration", Decimal(60)),
    "min": ("duration", Decimal(60)),
    "mins": ("duration", Decimal(60)),
    "minutes": ("duration", Decimal(60)),
    "个小时": ("duration", Decimal(3600)),
    "小时": ("duration", Decimal(3600)),
    "h": ("duration", Decimal(3600)),
    "hours": ("duration", Decimal(3600)),
    "hour": ("duration", Decimal(3600)),
    "天": ("duration", Decimal(86400)),
    "d": ("duration", Decimal(86400)),
    "days": ("duration", Decimal(86400)),
    "克": ("weight", Decimal(1)),
    "g": ("weight", Decimal(1)),
    "公斤": ("weight", Decimal(1000)),
    "千克": ("weight", Decimal(1000)),
    "kg": ("weight", Decimal(1000)),
    "斤": ("weight", Decimal(500)),
    "吨": ("weight", Decimal(1_000_000)),
    "%": ("ratio", Decimal("0.01")),
    "percent": ("ratio", Decimal("0.01")),
    "件": ("count", Decimal(1)),
    "个": ("count", Decimal(1)),
    "pcs": ("count", Decimal(1)),
    "次": ("count", Decimal(1)),
    "times": ("count", Decimal(1)),
    "折": ("zhe", Decimal(1)),
}
_UNITS_BY_LEN = sorted(UNITS, key=len, reverse=True)

# ASCII digits only (full-width ones are folded first): ``²`` or ``٣`` are not numbers here.
_DATE = re.compile(r"(\d{4})(?:-|/|年)(\d{1,2})(?:-|/|月)(\d{1,2})日?", re.ASCII)
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?", re.ASCII)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-./]*")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'", "‘": "’"}
_PUNCT = {",": "COMMA", "、": "LISTSEP", "(": "LPAR", ")": "RPAR", ";": "END", "。": "END", "!": "END"}
VALUE_KINDS = frozenset({"VALUE", "WORD", "STRING", "NUMBER", "DATE", "ZHE"})


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _continues(s: str, k: int) -> bool:
    """Whether an ASCII word goes on at ``s[k]`` (``GIFT-001`` is one word, not ``gift``)."""
    if k >= len(s):
        return False
    if _is_word_char(s[k]):
        return True
    return s[k] in "-./" and k + 1 < len(s) and _is_word_char(s[k + 1])


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as written: ``amount`` with any 万/千 applied, its unit kind, factor to base."""

    amount: Decimal
    unit: str | None  # money / duration / weight / ratio / count / zhe, None when bare
    factor: Decimal
    unit_text: str = ""


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: str
    text: str  # as written in the original sentence
    start: int
    end: int
    value: str = ""  # field id, milestone, operator or keyword value
    quantity: Quantity | None = None
    day: date | None = None


def normalise(text: str) -> str:
    """Fold full-width forms to ASCII, one character for one (offsets stay valid)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(_FOLD.get(code, ch))
    return "".join(out)


_LANG_QUOTES = {'"': '"', "“": "”", "「": "」"}


def sentence_lang(text: str) -> Lang:
    """The sentence's language, for messages: Chinese if it has any Chinese outside quotes.

    One pass: a quote with a closing mark after it is skipped to that mark; one without
    is an ordinary character (a regular expression rescanned the rest of the text for
    each unclosed quote, quadratic in the length)."""
    last_close = {q: text.rfind(c) for q, c in _LANG_QUOTES.items()}
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _LANG_QUOTES and last_close[c] > i:
            i = text.index(_LANG_QUOTES[c], i + 1) + 1
            continue
        if _is_cjk(c):
            return "zh"
        i += 1
    return "en"


def _fold_case(s: str) -> str:
    """``s`` lower-cased one character for one (``İ``.lower() is two), so offsets stay valid."""
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in s)


def tokenise(text: str, glossary: Glossary) -> list[Lexeme]:
    """The lexemes of one sentence, in one left-to-right pass (linear in its length)."""
    s = normalise(text)
    low = _fold_case(s)
    lang = sentence_lang(text)
    out: list[Lexeme] = []
    i, n = 0, len(s)
    blank_from = len(s.rstrip())  # a "." followed only by spaces ends the sentence
    while i < n:
        ch = s[i]
        if ch.isspace() or ch == ":":
            i += 1
            continue
        if ch in _QUOTES:
            close = s.find(_QUOTES[ch], i + 1)
            if close < 0:
                raise RuleSyntaxError.unclosed_quote(text, i, lang)
            out.append(Lexeme("STRING", text[i : close + 1], i, close + 1, value=s[i + 1 : close]))
            i = close + 1
            continue
        if _is_digit(ch):
            lex = _number(s, low, text, i, lang)
            out.append(lex)
            i = lex.end
            continue
        entry_len, lexeme = _glossary_match(s, low, text, i, glossary)
        if lexeme is not None:
            if lexeme.kind != "FILLER":
                out.append(lexeme)
            i += entry_len
            continue
        if ch in _PUNCT:
            kind = _PUNCT[ch]
            out.append(Lexeme(kind, text[i], i, i + 1))
            i += 1
            continue
        if ch == "." and i + 1 >= blank_from:
            out.append(Lexeme("END", text[i], i, i + 1))
            i += 1
            continue
        m = _WORD.match(s, i)
        if m:
            word = m.group(0).rstrip(".-/")
            out.append(Lexeme("WORD", text[i : i + len(word)], i, i + len(word), value=word))
            i += len(word)
            continue
        if _is_cjk(ch):
            j = i + 1
            while j < n and _is_cjk(s[j]) and _glossary_match(s, low, text, j, glossary)[1] is None:
                j += 1
            out.append(Lexeme("WORD", text[i:j], i, j, value=s[i:j]))
            i = j
            continue
        raise RuleSyntaxError.bad_character(text, i, lang)
    return _tidy(_events_as_words(out))


def _events_as_words(lexemes: list[Lexeme]) -> list[Lexeme]:
    """Event words (退货, 取消, 投诉 …) are events only in a sentence that raises a task;
    anywhere else they are plain words, glued to the unknown text around them, so a tag
    like 高退货 or a remark containing 退货 reads as it did before triggers existed."""
    if not any(lx.kind == "EVENT" for lx in lexemes) or any(lx.kind == "TASK" for lx in lexemes):
        return lexemes
    out: list[Lexeme] = []
    glued_event = False  # the last lexeme in ``out`` holds an event word
    for lx in lexemes:
        was_event = lx.kind == "EVENT"
        if was_event:
            lx = Lexeme("WORD", lx.text, lx.start, lx.end, value=lx.text)
        prev = out[-1] if out else None
        if (
            prev is not None
            and (was_event or glued_event)
            and lx.kind == prev.kind == "WORD"
            and prev.end == lx.start
            and _is_cjk(prev.text[-1])
            and _is_cjk(lx.text[0])
        ):
            out[-1] = Lexeme("WORD", prev.text + lx.text, prev.start, lx.end, value=prev.value + lx.value)
            glued_event = True
            continue
        out.append(lx)
        glued_event = was_event
    return out


def _glossary_match(s: str, low: str, text: str, i: int, glossary: Glossary) -> tuple[int, Lexeme | None]:
    for e in glossary.candidates(s[i]):
        k = len(e.surface)
        if low.startswith(e.surface.lower(), i):
            # An English word must end at a word boundary (``in`` is not the start of ``income``).
            if _is_word_char(e.surface[-1]) and _continues(s, i + k):
                continue
            if e.surface[0].isascii() and e.surface[0].isalnum() and i > 0 and _is_word_char(s[i - 1]):
                continue
            # ``订单`` (the subject of 广东的订单使用顺丰) only when what follows is known or
            # apart: ``订单金鹅`` stays one unknown word, for the nearest field to be suggested.
            if e.kind == "ORDERS" and _unknown_cjk_at(s, low, text, i + k, glossary):
                continue
            return k, Lexeme(e.kind, text[i : i + k], i, i + k, value=e.value)
    return 0, None


def _unknown_cjk_at(s: str, low: str, text: str, j: int, glossary: Glossary) -> bool:
    return j < len(s) and _is_cjk(s[j]) and _glossary_match(s, low, text, j, glossary)[1] is None


def _number(s: str, low: str, text: str, i: int, lang: Lang) -> Lexeme:
    m = _DATE.match(s, i)
    if m:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise RuleSyntaxError.bad_date(text, i, m.end(), lang) from None
        return Lexeme("DATE", text[i : m.end()], i, m.end(), day=day)
    m = _NUMBER.match(s, i)
    assert m is not None  # s[i] is a digit
    amount = Decimal(m.group(0).replace(",", ""))
    j = m.end()
    if j < len(s) and (s[j] in _MAGNITUDE or (s[j] == "k" and not _is_word_char(s[j + 1 : j + 2] or " "))):
        amount *= _MAGNITUDE[s[j]]
        j += 1
    k = j
    while k < len(s) and s[k] == " ":
        k += 1
    for unit in _UNITS_BY_LEN:
        if low.startswith(unit, k):
            end = k + len(unit)
            if _is_word_char(unit[-1]) and end < len(s) and _is_word_char(s[end]):
                continue
            kind, factor = UNITS[unit]
            q = Quantity(amount, kind, factor, unit)
            return Lexeme("ZHE" if kind == "zhe" else "NUMBER", text[i:end], i, end, quantity=q)
    return Lexeme("NUMBER", text[i:j], i, j, quantity=Quantity(amount, None, Decimal(1)))


def _tidy(lexemes: list[Lexeme]) -> list[Lexeme]:
    """Resolve commas and drop trailing sentence ends (see the module docstring)."""
    while lexemes and lexemes[-1].kind == "END":
        lexemes.pop()
    out: list[Lexeme] = []
    for idx, lx in enumerate(lexemes):
        if lx.kind == "COMMA":
            prev = out[-1] if out else None
            nxt = lexemes[idx + 1] if idx + 1 < len(lexemes) else None
            if prev is None or nxt is None or prev.kind in ("THEN", "IF", "LPAR", "COMMA", "AND", "OR"):
                continue
            if nxt.kind in ("THEN", "RPAR", "COMMA", "AND", "OR"):
                continue
            if prev.kind in VALUE_KINDS and nxt.kind in VALUE_KINDS:
                lx = Lexeme("LISTSEP", lx.text, lx.start, lx.end)
        out.append(lx)
    return out
