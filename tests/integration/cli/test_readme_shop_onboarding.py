"""The README's "Onboarding a platform shop" block, run exactly as written (in a scratch
directory, against the local platform emulator it starts)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]


def _block() -> str:
    text = (REPO / "README.md").read_text("utf-8")
    section = text[text.index("### Onboarding a platform shop") :]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def test_the_onboarding_walkthrough_pulls_ships_and_confirms(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    env = {k: v for k, v in os.environ.items() if k != "ORDO_DATABASE_URL"}
    done = subprocess.run(
        ["bash", "-e", "-c", _block()], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert '"created": 50' in out and '"error": ""' in out
    assert '"state": "acked"' in out and '"waybill": "SF1234567890"' in out
    assert '"version": 2' in out
