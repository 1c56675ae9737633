"""The worst requests the probe found, sent with each role's key: each costs at most a second
of server CPU and answers at most 10 MB, and none is a 5xx.

Before the bounds: a 200,000-character rule line took 154 s of CPU, 1,200 rules linted
took 3.6 s and answered 64 MB (a draft with them 116 MB), nesting and ``²`` were 500s, an
id past 2^63 and a 5,000-digit webhook timestamp too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordo.clock import ManualClock
from ordo.domain.access import Role
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import TestClient

CPU_S = 1.0
MAX_BYTES = 10 * 1024 * 1024
SECRET = "worst-case-secret-0123456789"

_CONTRADICTIONS = "\n".join(["订单金额>5 则 挂起", "订单金额>7 则 自动审核通过"] * 250)  # 500 rules
_LONG_SENTENCE = "如果 " + " 且 ".join(["订单金额>5"] * 180) + " 则 标记 加急"  # ~1,990 characters
_TEXTS = {
    "one 200,000-character line": ("订单金额>5且" * 30_000)[:200_000],
    "200 nested brackets": "(" * 200 + "订单金额>5" + ")" * 200 + " 则 标记 加急",
    "20,000 negations": "非" * 20_000 + "订单金额>5 则 标记 加急",
    "1,999 negations": "非" * 1_999,
    "superscript digit": "订单金额>² 则 标记 加急",
    "1,200 contradicting rules": "\n".join(["订单金额>5 则 挂起", "订单金额>7 则 自动审核通过"] * 600),
    "500 contradicting rules": _CONTRADICTIONS,
    "25 sentences of 2,000 characters": "\n".join([_LONG_SENTENCE] * 25),
    "many unclosed quotes": "“" * 49_000,
}
_NESTED = b'{"tid": "T-9", "a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"


def _requests(clock: ManualClock) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(case, method, path, request kwargs)."""
    out: list[tuple[str, str, str, dict[str, Any]]] = []
    for name, text in _TEXTS.items():
        out.append((f"parse: {name}", "POST", "/api/v1/rules/parse", {"json": {"text": text}}))
        out.append(
            (f"draft: {name}", "POST", "/api/v1/rules/drafts", {"json": {"text": text, "note": "probe"}})
        )
    ts = clock.now_ns() // 1_000_000_000
    webhook = "/api/v1/channels/taobao/webhook"
    long_ts = {TIMESTAMP_HEADER: "9" * 5000, SIGNATURE_HEADER: "sha256=" + "0" * 64}
    signed = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(SECRET, ts, _NESTED)}
    out += [
        ("huge id", "GET", f"/api/v1/rules/drafts/{2**63}", {}),
        ("huge id in a body", "POST", "/api/v1/channels/dead-letters/replay", {"json": {"ids": [2**64]}}),
        ("5,000-digit timestamp", "POST", webhook,
         {"content": b"{}", "headers": long_ts}),
        ("signed body nested 10,000 deep", "POST", webhook,
         {"content": _NESTED, "headers": signed}),
    ]  # fmt: skip
    return out


@pytest.fixture
def signed_wall(world: Ordo, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world, "wall", clock)
    monkeypatch.setenv("ORDO_CHANNEL_SECRET_TAOBAO", SECRET)


@pytest.mark.slow
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_no_request_costs_more_than_a_second_or_ten_megabytes(
    client: TestClient,
    auth: Callable[[Role], dict[str, str]],
    clock: ManualClock,
    signed_wall: None,
    role: Role,
) -> None:
    client.post("/api/v1/rules/parse", json={"text": "订单金额>5 则 挂起"}, headers=auth(role))  # warm
    costs: dict[str, tuple[int, float, int]] = {}
    for case, method, path, kwargs in _requests(clock):
        headers = {**auth(role), **kwargs.pop("headers", {})}
        start = time.process_time()
        r = client.request(method, path, headers=headers, **kwargs)
        cpu = time.process_time() - start
        costs[case] = (r.status_code, cpu, len(r.content))
        if r.status_code == 201 and path.endswith("/drafts"):  # read the stored draft back too
            start = time.process_time()
            again = client.get(f"{path}/{r.json()['id']}", headers=auth(role))
            costs[case + " (read back)"] = (
                again.status_code,
                time.process_time() - start,
                len(again.content),
            )
    worst = {case: c for case, c in costs.items() if c[0] >= 500 or c[1] > CPU_S or c[2] > MAX_BYTES}
    assert not worst, worst
