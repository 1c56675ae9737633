"""The rule language (C4): glossary, lexer, Lark grammar and parser, the AST, rendering
and lint.

Imports the standard library, Lark and ``ordo.domain``; never the service, adapters or API.
"""

__all__ = ["ast", "build", "errors", "glossary", "lexer", "lint", "parser", "render"]
