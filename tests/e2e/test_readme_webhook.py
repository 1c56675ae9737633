"""The README's signed-webhook example, run exactly as written against a running ``ordo demo``.

The shell block is taken from README.md as it stands and run with bash from the
repository's root. Only the environment differs from a newcomer's terminal, through
the variables the README names: ``ORDO_URL`` (the demo's port) and
``ORDO_DATABASE_URL`` (the test's own SQLite file, which ``.venv/bin/ordo`` reads too).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.demo_process import running_demo

ROOT = Path(__file__).parents[2]
SECTION = "### Send a channel webhook with curl"


def readme_webhook_block() -> str:
    """The first ```sh block of the README's webhook section, verbatim."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(SECTION) :]
    found = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M)
    assert found, f"no sh block under {SECTION!r}"
    return found.group(1)


def test_the_readme_block_is_the_one_a_newcomer_pastes() -> None:
    block = readme_webhook_block()
    assert ".venv/bin/ordo channels secret taobao" in block
    assert "tests/fixtures/channels/taobao/create.json" in block
    assert "http://127.0.0.1:8000" in block, "the default is make demo's address"


@pytest.mark.skipif(not (ROOT / ".venv/bin/ordo").exists(), reason="the README calls .venv/bin/ordo (make)")
@pytest.mark.skipif(shutil.which("openssl") is None, reason="the README signs with openssl")
def test_the_readme_webhook_example_creates_the_order_against_the_demo(tmp_path: Path) -> None:
    block = readme_webhook_block()
    with running_demo(tmp_path, tmp_path / "demo.db") as demo:
        env = {**os.environ, "ORDO_URL": demo.base, "ORDO_DATABASE_URL": demo.db_url}
        ran = subprocess.run(
            ["bash", "-e", "-c", block], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        body, status = ran.stdout.strip().rsplit("\n", 1)
        assert status == "HTTP 200", ran.stdout + ran.stderr
        receipt = json.loads(body)
        assert receipt["outcome"] == "created", receipt
        assert receipt["channel"] == "taobao" and receipt["external_id"] == "3312456789012345678"

        order = httpx.get(f"{demo.base}/api/v1/orders/{receipt['order_id']}", headers=demo.headers)
        assert order.status_code == 200, order.text
        assert order.json()["channel"] == "taobao" and order.json()["total_fen"] == 28300
