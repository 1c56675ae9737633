"""The Rules page's palette: every field and action the language knows, each with an example
sentence in Chinese and English, and the words the editor completes while typing.

Fields and words come from the glossary (``rules/language/glossary.json``), the examples from
``rules/language/palette.json`` (a test parses each pair and checks both mean the same rule).
A field nothing feeds yet carries lint's reason (``NO_LIVE_SOURCE``). Read-only; no store.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ordo.rules.language.glossary import Glossary, default_glossary
from ordo.rules.language.lint import NO_LIVE_SOURCE

__all__ = ["palette"]

#: Domains whose values the editor offers (open ones such as SKUs or warehouses are the shop's).
_OFFERED = ("channel", "tier", "carrier", "role", "permission", "rule_category", "profile", "tag")


def _examples() -> dict[str, Any]:
    text = resources.files("ordo.rules.language").joinpath("palette.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def palette(glossary: Glossary | None = None) -> dict[str, Any]:
    """``fields`` and ``actions`` (surfaces in both languages, an example pair each) and
    ``words`` (what the editor completes, by language, each with its kind)."""
    g = glossary or default_glossary()
    data = _examples()
    fields = []
    for fd in g.fields.values():
        example = data["fields"].get(fd.id)
        missing = NO_LIVE_SOURCE.get(fd.column)
        fields.append(
            {
                "id": fd.id,
                "type": fd.type,
                "zh": list(fd.zh),
                "en": list(fd.en),
                "example": {"zh": example[0], "en": example[1]} if example else None,
                "live": missing is None,
                "no_live_source": {"zh": missing[0], "en": missing[1]} if missing else None,
            }
        )
    actions = []
    for a in data["actions"]:
        zh: list[str] = []
        en: list[str] = []
        for (token, _value), (z, e) in g.keywords.items():
            if token == a["token"]:
                zh += z
                en += e
        actions.append(
            {"id": a["id"], "zh": zh, "en": en, "example": {"zh": a["example"][0], "en": a["example"][1]}}
        )
    return {"fields": fields, "actions": actions, "words": {"zh": _words(g, 0), "en": _words(g, 1)}}


def _words(g: Glossary, i: int) -> list[dict[str, str]]:
    out: dict[str, str] = {}

    def add(kind: str, surfaces: tuple[str, ...] | list[str]) -> None:
        for s in surfaces:
            out.setdefault(s, kind)

    for fd in g.fields.values():
        add("field", (fd.zh, fd.en)[i])
    for pair in g.keywords.values():
        add("keyword", pair[i])
    for pair in g.milestones.values():
        add("milestone", pair[i])
    for pair in g.operators.values():
        add("operator", pair[i])
    for name in _OFFERED:
        dom = g.domains.get(name)
        if dom is not None:
            for pair in dom.values.values():
                add("value", pair[i])
    add("place", g.domain_surfaces("place", "zh" if i == 0 else "en"))
    return [{"word": w, "kind": k} for w, k in out.items() if w]
