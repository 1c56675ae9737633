"""Errors of the rule language, in the language of the sentence that caused them.

    RuleError                      base; ``code`` is stable, ``message`` is for people
     └── RuleSyntaxError           a sentence that could not be read: where, which word,
                                   and the nearest known word as a question, never applied

A parse error never guesses: it names the position (1-based character column) and the
word, and *asks* (``是否指「订单金额」？``). It never imports the parser.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]


class RuleError(ValueError):
    code: str = "rule_error"


_TEMPLATES: dict[str, tuple[str, str]] = {
    # code: (zh, en); {word} {suggestion} {expected} {detail} are filled in
    "unknown_field": ("未知字段「{word}」", 'unknown field "{word}"'),
    "unknown_word": ("无法识别「{word}」", 'cannot read "{word}"'),
    "unknown_value": ("「{field}」没有取值「{word}」", '"{field}" has no value "{word}"'),
    "unexpected": ("此处不应出现「{word}」", 'did not expect "{word}" here'),
    "incomplete": ("句子不完整", "the sentence is incomplete"),
    "bad_character": ("无法识别的字符「{word}」", 'cannot read the character "{word}"'),
    "unclosed_quote": ("引号没有闭合", "a quote is not closed"),
    "bad_date": ("日期「{word}」不存在", 'there is no date "{word}"'),
    "bad_unit": ("「{field}」不能用单位「{word}」", '"{field}" cannot be given in "{word}"'),
    "needs_unit": ("「{field}」需要单位（如 {detail}）", '"{field}" needs a unit (e.g. {detail})'),
    "bad_ratio": ("「{word}」不是比例：请写 15% 或 0.15", '"{word}" is not a ratio: write 15% or 0.15'),
    "bad_number": ("「{word}」不是有效的数", '"{word}" is not a valid number here'),
    "bad_operator": ("「{field}」不能用「{word}」比较", '"{field}" cannot be compared with "{word}"'),
    "not_boolean": ("「{field}」不是是非条件，需要比较", '"{field}" is not a yes/no condition; compare it'),
    "mixed_place": ("「{word}」不能与渠道混在同一列表", '"{word}" cannot be listed together with channels'),
    "trigger_field": (
        "触发器的条件只能读客户字段：「{word}」不是",
        'a trigger\'s condition reads the customer only: "{word}" does not',
    ),
    "too_long": (
        "句子过长：最多 {detail} 个字符",
        "the sentence is too long: at most {detail} characters",
    ),
    "too_deep": (
        "嵌套过深：括号与「非」最多 {detail} 层",
        "nested too deeply: at most {detail} levels of brackets and negations",
    ),
}
_SUGGEST = ("，是否指「{suggestion}」？", ' - did you mean "{suggestion}"?')
_EXPECTED = ("；此处应为：{expected}", "; expected: {expected}")
_WHERE = ("第{col}个字符处：", "at column {col}: ")
_DID_YOU_MEAN = ("。你是不是想写：{sentence}", ". Did you mean: {sentence}")
_VALID = ("。可选值：{values}", ". Valid values: {values}")


class RuleSyntaxError(RuleError):
    """A sentence that could not be read.

    ``position`` is the 0-based offset of ``word`` in ``sentence`` (``column`` is 1-based).
    """

    code = "rule_syntax"

    def __init__(
        self,
        code: str,
        sentence: str,
        position: int,
        word: str,
        lang: Lang,
        *,
        suggestion: str | None = None,
        expected: tuple[str, ...] = (),
        field: str = "",
        detail: str = "",
        did_you_mean: str | None = None,
        valid: tuple[str, ...] = (),
    ) -> None:
        self.code = code
        self.sentence = sentence
        self.position = position
        self.word = word
        self.lang = lang
        self.suggestion = suggestion
        self.expected = expected
        self.field = field
        self.detail = detail
        self.did_you_mean = did_you_mean
        self.valid = valid
        i = 0 if lang == "zh" else 1
        sep = "、" if lang == "zh" else ", "
        text = _WHERE[i].format(col=self.column) + _TEMPLATES[code][i].format(
            word=word, field=field, detail=detail
        )
        if suggestion:
            text += _SUGGEST[i].format(suggestion=suggestion)
        elif expected:
            text += _EXPECTED[i].format(expected=sep.join(expected))
        if valid:
            text += _VALID[i].format(values=sep.join(valid))
        if did_you_mean:
            text += _DID_YOU_MEAN[i].format(sentence=did_you_mean)
        self.message = text
        super().__init__(text)

    @property
    def column(self) -> int:
        return self.position + 1

    def pointer(self) -> str:
        """The sentence with a caret under the word (for a terminal)."""
        pad = "".join("　" if ord(c) > 0x2E80 else " " for c in self.sentence[: self.position])
        marks = "".join("＾" if ord(c) > 0x2E80 else "^" for c in (self.word or " "))
        return f"{self.sentence}\n{pad}{marks}"

    @classmethod
    def bad_character(cls, sentence: str, pos: int, lang: Lang) -> RuleSyntaxError:
        return cls("bad_character", sentence, pos, sentence[pos], lang)

    @classmethod
    def unclosed_quote(cls, sentence: str, pos: int, lang: Lang) -> RuleSyntaxError:
        return cls("unclosed_quote", sentence, pos, sentence[pos:], lang)

    @classmethod
    def bad_date(cls, sentence: str, start: int, end: int, lang: Lang) -> RuleSyntaxError:
        return cls("bad_date", sentence, start, sentence[start:end], lang)
