"""Every text the pages ask for exists in Chinese and English, and the labels the domain
owns (milestones, statuses) read the same on the pages as in the API."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ordo.domain.orders.milestones import MILESTONE_LABELS, STATUS_LABELS

STATIC = Path(__file__).parents[3] / "src" / "ordo" / "web" / "static"
TEXTS = json.loads((STATIC / "i18n.json").read_text(encoding="utf-8"))
SOURCES = [*sorted((STATIC / "js").rglob("*.js")), STATIC / "index.html", STATIC / "track.html"]


def _static_keys() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"""\bt\(\s*"([a-z_]+\.[a-z_.]+)""", text))
        found |= set(re.findall(r'data-i18n(?:-ph)?="([a-z_.]+)"', text))
        found |= set(re.findall(r'kpi\("[a-z-]+", "([a-z_.]+)"\)', text))
    return found


def test_every_text_the_pages_use_exists_in_both_languages() -> None:
    keys = _static_keys()
    assert len(keys) > 100
    for lang in ("zh", "en"):
        missing = sorted(k for k in keys if not TEXTS[lang].get(k))
        assert not missing, f"{lang} lacks {missing}"
    assert set(TEXTS["zh"]) == set(TEXTS["en"])


def test_milestone_and_status_labels_match_the_domain() -> None:
    for m, (en, zh) in MILESTONE_LABELS.items():
        assert (TEXTS["en"][f"ms.{m.value}"], TEXTS["zh"][f"ms.{m.value}"]) == (en, zh)
    for s, (en, zh) in STATUS_LABELS.items():
        assert (TEXTS["en"][f"status.{s.value}"], TEXTS["zh"][f"status.{s.value}"]) == (en, zh)
