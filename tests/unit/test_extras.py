"""Optional parts (pip extras): a missing one is named in both languages, never a bare traceback,
and nothing on the server / demo import path needs one."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest

from ordo import extras
from ordo.extras import EXTRAS, MissingExtra


def _block(monkeypatch: pytest.MonkeyPatch, *tops: str) -> None:
    """Make these top-level packages unimportable, as if not installed."""
    for top in tops:
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")] + [top]:
            monkeypatch.setitem(sys.modules, name, None)


def test_every_extra_is_installed_in_the_dev_environment() -> None:
    assert all(extras.available(name) for name in EXTRAS)


def test_a_missing_extra_says_which_extra_to_install_in_english_and_chinese() -> None:
    message = str(extras.missing("optimise"))
    assert "pip install 'ordo[optimise]'" in message
    assert "OR-Tools" in message and "未安装可选组件 ordo[optimise]" in message
    assert isinstance(extras.missing("mqtt"), ImportError)


def test_require_fails_when_any_module_of_the_extra_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    _block(monkeypatch, "pyarrow")
    assert not extras.available("columnar")
    with pytest.raises(MissingExtra, match=r"ordo\[columnar\]"):
        extras.require("columnar")


@pytest.mark.parametrize(("module", "top", "extra"), [("mqtt", "paho", "mqtt"), ("nats", "nats", "nats")])
def test_the_outbound_publishers_name_their_extra_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch, module: str, top: str, extra: str
) -> None:
    _block(monkeypatch, top)
    monkeypatch.delitem(sys.modules, f"ordo.adapters.outbound.{module}", raising=False)
    with pytest.raises(MissingExtra, match=rf"pip install 'ordo\[{extra}\]'"):
        importlib.import_module(f"ordo.adapters.outbound.{module}")


def test_the_optimiser_names_its_extra_when_or_tools_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from ordo.domain.routing.optimise import optimise_wave

    _block(monkeypatch, "ortools")
    with pytest.raises(MissingExtra, match=r"ordo\[optimise\]"):
        optimise_wave([], None)  # type: ignore[arg-type]  # fails before it reads either


def test_columnar_reads_fall_back_to_row_by_row_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from ordo.adapters.store import columnar

    _block(monkeypatch, "connectorx")
    assert columnar._have_connectorx() is False


def test_the_cli_prints_the_message_alone_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ordo.cli import main

    _block(monkeypatch, "ortools")
    monkeypatch.setattr(sys, "argv", ["ordo", "bench", "optimise", "--orders", "10"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "pip install 'ordo[optimise]'" in err and "Traceback" not in err


def test_no_module_but_the_guarded_publishers_imports_an_optional_package_at_import_time() -> None:
    # In a fresh interpreter with every optional package blocked: the server, the demo,
    # the CLI and everything else must import; only the MQTT / NATS publishers may refuse.
    blocked = sorted({m for e in EXTRAS.values() for m in e.modules} | {"zen"})
    script = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        for top in {blocked!r}:
            sys.modules[top] = None
        import ordo
        from ordo.extras import MissingExtra
        refused = []
        for m in pkgutil.walk_packages(ordo.__path__, "ordo."):
            if ".migrations" in m.name or m.name.endswith("__main__"):
                continue
            try:
                importlib.import_module(m.name)
            except MissingExtra:
                refused.append(m.name)
        print(sorted(refused))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "['ordo.adapters.outbound.mqtt', 'ordo.adapters.outbound.nats']"
