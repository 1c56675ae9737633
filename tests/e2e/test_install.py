"""``pip install .`` into an empty venv, then ``ordo demo``: what a newcomer without the
dev tools gets.

The venv has no system site packages and gets neither the dev extra nor any optional
extra; pip uses the machine's settings (PIP_FIND_LINKS, its cache). The project is copied
to a temporary folder first (its ``pyproject.toml``, ``README.md``, ``LICENSE``,
``NOTICE`` and ``src/``, as an sdist would hold them) so the build leaves no ``build/``
folder in the work tree and cannot pick up stale files from one. The demo runs from the
installed copy, in a folder of its own, and is checked the way a user would: health,
orders through the API with the admin key it printed, the dashboard page with every file
it loads, the favicon.

Cost, measured on the 2-core machine while others worked on it: about 30 s of CPU and
80–130 s of wall time for the install (half of it pip resolving against the indexes,
which the upgraded pip does twice as fast as the venv's bundled one; the rest unpacking
wheels), then about 50 s for the demo to start (it generates its world) and 10 s of checks.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.demo_process import free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "ordo" / "web" / "static" / "vendor"
#: Packages a clean install must not bring: the optional extras, the old cpca/pandas, dev tools.
NOT_INSTALLED = ("ortools", "nats", "paho", "connectorx", "pyarrow", "cpca", "pandas", "pytest", "zen")


def _env() -> dict[str, str]:
    """The machine's environment (pip settings included), without what points at this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _copy_project(to: Path) -> Path:
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        shutil.copy2(ROOT / name, to / name)
    shutil.copytree(
        ROOT / "src", to / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    )
    return to


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a new venv with ``pip install <project>`` done in it."""
    tmp = tmp_path_factory.mktemp("install")
    project = _copy_project(tmp_path_factory.mktemp("project"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True, env=_env(), timeout=120)
    bin_ = tmp / "venv" / "bin"
    started = time.monotonic()
    # As the Makefile does: the venv's bundled pip resolves these dependencies twice as slowly.
    upgrade = [str(bin_ / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"]
    up = subprocess.run(upgrade, capture_output=True, text=True, env=_env(), cwd=tmp, timeout=600)
    assert up.returncode == 0, f"pip upgrade failed:\n{up.stdout[-2000:]}\n{up.stderr[-2000:]}"
    # --no-compile: the .pyc files are written as the demo imports; it only saves time here.
    pip = subprocess.run(
        [str(bin_ / "python"), "-m", "pip", "install", "--no-compile", str(project)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp,
        timeout=1200,
    )
    assert pip.returncode == 0, f"pip install failed:\n{pip.stdout[-4000:]}\n{pip.stderr[-4000:]}"
    print(f"pip install took {time.monotonic() - started:.0f} s")
    return bin_


def test_a_plain_install_brings_ordo_and_no_optional_or_dev_package(venv: Path) -> None:
    probe = (
        "import importlib.util, ordo\n"
        "from ordo.adapters.geo import load_divisions\n"
        "print(ordo.__file__)\n"
        f"print([m for m in {NOT_INSTALLED!r} if importlib.util.find_spec(m)])\n"
        "print(len(load_divisions().by_code), load_divisions().find('杭州').adcode)\n"
    )
    out = subprocess.run(
        [str(venv / "python"), "-c", probe], capture_output=True, text=True, env=_env(), cwd=venv, timeout=120
    )
    assert out.returncode == 0, out.stderr
    where, present, divisions = out.stdout.splitlines()
    assert Path(where).is_relative_to(venv.parent), where  # the installed copy, not this checkout
    assert present == "[]"
    assert divisions == "3218 330100"  # the division table ships inside the package


@pytest.fixture
def demo(venv: Path, tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[bytes], Path]]:
    port = free_port()
    key_file, log = tmp_path / "admin.key", tmp_path / "demo.log"
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    command = [str(venv / "ordo"), "demo", "--port", str(port), "--speed", "600"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--db", db, "--key-file", str(key_file)],
            cwd=tmp_path,
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:  # or stopped: then say why, not "timed out"
            return proc.poll() is not None or httpx.get(f"{base}/healthz").status_code == 200

        wait_for(up, 240, "healthz")
        assert proc.poll() is None, log.read_text(errors="replace")[-4000:]
        yield base, key_file.read_text().strip(), proc, log
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _local_assets(page: str) -> list[str]:
    return sorted(set(re.findall(r'(?:src|href)="(/[^"]*)"', page)))


def test_ordo_demo_from_a_plain_install_serves_orders_and_the_dashboard(
    demo: tuple[str, str, subprocess.Popen[bytes], Path],
) -> None:
    base, key, proc, log = demo
    assert httpx.get(f"{base}/healthz").status_code == 200
    printed = re.sub(r"\s", "", log.read_text(errors="replace"))
    assert key.startswith("ordo_") and key in printed, "the demo prints its admin key"

    headers = {"Authorization": f"Bearer {key}"}

    def orders() -> list[dict[str, object]]:
        r = httpx.get(f"{base}/api/v1/orders", params={"limit": 50}, headers=headers)
        assert r.status_code == 200, r.text
        return list(r.json()["orders"])

    first = wait_for(orders, 120, "orders to appear")
    assert all(str(o["id"]).startswith("OR") for o in first)

    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and "<title>Ordo</title>" in page.text
    assets = _local_assets(page.text)
    assert "/static/js/app.js" in assets and "/favicon.ico" in assets
    if not (VENDOR / "echarts.min.js").is_file():  # `make assets` not run here: nothing to ship
        assets = [a for a in assets if not a.startswith("/static/vendor/")]
    for path in [*assets, "/static/i18n.json", "/docs"]:
        r = httpx.get(f"{base}{path}")
        assert r.status_code == 200 and r.content, path
    assert httpx.get(f"{base}/favicon.ico").headers["content-type"] == "image/x-icon"

    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")[-4000:]
