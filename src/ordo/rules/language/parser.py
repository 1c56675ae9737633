"""Sentence → :class:`~ordo.rules.language.ast.Rule`: the Lark LALR parse.

Owns: feeding lexemes to the grammar (``grammar.lark``), handing the tree to
:mod:`ordo.rules.language.build`, and turning parse failures into :class:`RuleSyntaxError` with a
position and a suggestion in the sentence's language. It never evaluates a rule.

Units, one rule for all sentences: a bare number on a money field is 元 (``order.amount
> 500000`` and ``订单金额>50万`` are both 50万元 = 50,000,000 fen); on a weight field kg;
on a ratio field a fraction (0.15), or write ``15%``; a duration always needs its unit.
"""

from __future__ import annotations

import functools
from importlib import resources

from lark import Lark, Token
from lark.common import LexerConf
from lark.exceptions import UnexpectedToken
from lark.lexer import Lexer

from ordo.rules.language import ast as A
from ordo.rules.language.build import Builder
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import Glossary, Lang, default_glossary, nearest
from ordo.rules.language.lexer import Lexeme, sentence_lang, tokenise


class _Passthrough(Lexer):
    """The lexing is ours (glossary-driven); Lark receives ready tokens."""

    def __init__(self, conf: LexerConf) -> None:
        pass

    def lex(self, data: list[Token]) -> list[Token]:  # type: ignore[override]
        return data


@functools.cache
def lark_parser() -> Lark:
    """The grammar's LALR parser, built once per process (~36 ms) and shared."""
    grammar = resources.files("ordo.rules.language").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer=_Passthrough)


_GENERIC = {
    "FIELD": ("字段", "a field"),
    "MILESTONE": ("节点", "a milestone"),
    "OP": ("比较符", "a comparison"),
    "VALUE": ("取值", "a value"),
    "NUMBER": ("数值", "a number"),
    "DATE": ("日期", "a date"),
    "STRING": ("引号内的词", "a quoted word"),
    "LPAR": ("(", "("),
    "RPAR": (")", ")"),
    "ZHE": ("折扣", "a discount"),
}


#: The longest sentence read, in characters (a rule is a line, not an essay).
MAX_SENTENCE_CHARS = 2000
#: The deepest nesting of brackets and negations read: the tree, the AST and everything
#: that walks it (render, lint, the compilers) recurse once per level.
MAX_DEPTH = 32


def nesting_depth(lexemes: list[Lexeme]) -> tuple[int, int]:
    """How deep brackets and negations nest, and the offset where that depth is first reached.

    A run of ``非``/``not`` nests one level per word; a bracket one more than the words
    before it; a closing bracket returns to the level its opening one started at."""
    depth, where = 0, 0
    base, run = 0, 0
    opened: list[int] = []
    for lx in lexemes:
        if lx.kind == "NOT":
            run += 1
        elif lx.kind == "LPAR":
            opened.append(base)
            base, run = base + run + 1, 0
        elif lx.kind == "RPAR":
            base, run = (opened.pop() if opened else 0), 0
            continue
        else:
            run = 0
            continue
        if base + run > depth:
            depth, where = base + run, lx.start
    return depth, where


def parse_rule(
    text: str, *, glossary: Glossary | None = None, priority: int = 0, rule_id: str = ""
) -> A.Rule:
    """Read one rule sentence. Raises :class:`RuleSyntaxError` if it cannot be read (or is
    longer than :data:`MAX_SENTENCE_CHARS`, or nests deeper than :data:`MAX_DEPTH`)."""
    g = glossary or default_glossary()
    lang = sentence_lang(text)
    if len(text) > MAX_SENTENCE_CHARS:
        raise RuleSyntaxError("too_long", text, MAX_SENTENCE_CHARS, "", lang, detail=str(MAX_SENTENCE_CHARS))
    lexemes = tokenise(text, g)
    depth, where = nesting_depth(lexemes)
    if depth > MAX_DEPTH:
        raise RuleSyntaxError("too_deep", text, where, text[where], lang, detail=str(MAX_DEPTH))
    tokens = [Token(lx.kind, lx.text, start_pos=lx.start, end_pos=lx.end) for lx in lexemes]
    by_pos = {lx.start: lx for lx in lexemes}
    try:
        tree = lark_parser().parse(tokens)
    except UnexpectedToken as e:
        raise _syntax_error(e, text, lexemes, lang, g) from None
    b = Builder(g, text, by_pos, lang)
    condition, actions, scope = b.sentence(tree)
    return A.Rule(
        category=A.category_of(condition, actions),
        condition=condition,
        actions=actions,
        priority=priority,
        scope=scope,
        id=rule_id,
        source=text,
        trigger=b.pattern(tree) if tree.data == "trigger" else None,
    )


def parse_rules(text: str, *, glossary: Glossary | None = None) -> list[A.Rule]:
    """One rule per non-empty line (``#`` starts a comment); ids are ``r1``, ``r2`` … by line."""
    rules = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            rules.append(parse_rule(line, glossary=glossary, rule_id=f"r{n}"))
    return rules


def _syntax_error(
    e: UnexpectedToken, text: str, lexemes: list[Lexeme], lang: Lang, g: Glossary
) -> RuleSyntaxError:
    # accepts() replays the parser for each terminal: LALR's merged lookahead sets
    # (e.expected) would offer words that cannot actually follow here.
    expected = sorted(e.interactive_parser.accepts())  # type: ignore[no-untyped-call]
    i = 0 if lang == "zh" else 1
    labels = []
    for t in expected:
        if t in _GENERIC:
            labels.append(_GENERIC[t][i])
        elif t not in ("$END", "WORD", "END", "COMMA", "LISTSEP"):
            surfaces = g.surfaces([t], lang)
            if surfaces:
                labels.append(surfaces[0])
    labels = list(dict.fromkeys(labels))[:8]
    tok = e.token
    if tok.type == "$END":
        last = lexemes[-1] if lexemes else None
        return RuleSyntaxError(
            "incomplete", text, len(text), last.text if last else "", lang, expected=tuple(labels)
        )
    word = str(tok)
    pos = tok.start_pos or 0
    if tok.type == "WORD":
        if "FIELD" in expected:
            cands = g.surfaces(["FIELD", "MILESTONE"], lang)
            return RuleSyntaxError(
                "unknown_field",
                text,
                pos,
                word,
                lang,
                suggestion=nearest(word, cands),
                expected=tuple(labels),
            )
        cands = g.surfaces([t for t in expected if t not in _GENERIC], lang)
        return RuleSyntaxError(
            "unknown_word", text, pos, word, lang, suggestion=nearest(word, cands), expected=tuple(labels)
        )
    return RuleSyntaxError("unexpected", text, pos, word, lang, expected=tuple(labels))
