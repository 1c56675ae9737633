"""Outbound subscriptions reach public addresses only, unless an admin allows a host.

Subscriptions once accepted any URL: loopback, the cloud metadata address, private
networks, ``0.0.0.0``, in any spelling the resolver accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from ordo.adapters.outbound.envelope import PublishFailed
from ordo.adapters.outbound.http import HttpSender
from ordo.adapters.outbound.targets import refusal
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.domain.errors import ValidationError
from ordo.service.events.subscriptions import create_subscription
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import TestClient

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/hook",  # … as hex
    "http://0x7f.1/hook",
    "http://0177.0.0.1/hook",  # … as octal
    "http://127.1/hook",
    "https://user:pw@127.0.0.1/hook",
    "http://inside.example/hook",  # a name that resolves inside
    "http://mixed.example/hook",  # … or to one inside address among public ones
]
ALLOWED = ["https://hooks.example.com/ordo", "http://93.184.216.34/hook", "https://[2606:4700::1111]/hook"]

DNS = {
    "localhost": ["127.0.0.1", "::1"],
    "inside.example": ["10.1.2.3"],
    "mixed.example": ["93.184.216.34", "192.168.0.5"],
    "hooks.example.com": ["93.184.216.34"],
}


def fake_dns(host: str) -> list[str]:
    return DNS.get(host, [])


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_target_is_refused(url: str) -> None:
    reason = refusal(url, (), fake_dns)
    assert reason is not None and "ORDO_OUTBOUND_ALLOW_HOSTS" in reason and " / " in reason


@pytest.mark.parametrize("url", ALLOWED)
def test_a_public_target_is_taken(url: str) -> None:
    assert refusal(url, (), fake_dns) is None


def test_an_allowed_host_is_taken_by_name_or_address() -> None:
    assert refusal("http://127.0.0.1:9000/hook", ("127.0.0.1",), fake_dns) is None
    assert refusal("http://2130706433/hook", ("127.0.0.1",), fake_dns) is None
    assert refusal("http://inside.example/hook", ("INSIDE.example",), fake_dns) is None
    assert refusal("http://[::1]/hook", ("::1",), fake_dns) is None
    assert refusal("http://10.0.0.8/hook", ("10.0.0.7",), fake_dns) is not None


def test_the_allow_list_is_read_from_the_environment() -> None:
    s = Settings.from_env({"ORDO_OUTBOUND_ALLOW_HOSTS": " 127.0.0.1, hooks.internal ,,"})
    assert s.outbound_allow_hosts == ("127.0.0.1", "hooks.internal")
    assert Settings.from_env({}).outbound_allow_hosts == ()


def test_the_service_refuses_loopback_unless_allowed(world: Ordo) -> None:
    with pytest.raises(ValidationError) as exc:
        create_subscription(world, "http://127.0.0.1:9/hook", [])
    assert exc.value.field == "url"
    world.settings = replace(world.settings, outbound_allow_hosts=("127.0.0.1",))
    assert create_subscription(world, "http://127.0.0.1:9/hook", [])["id"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://[::1]/x", "http://169.254.169.254/"])
def test_the_api_answers_422_naming_the_url(
    client: TestClient, auth: Callable[[Role], dict[str, str]], url: str
) -> None:
    r = client.post("/api/v1/subscriptions", json={"url": url, "event_types": []}, headers=auth(Role.ADMIN))
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "url"
    assert client.get("/api/v1/subscriptions", headers=auth(Role.ADMIN)).json()["subscriptions"] == []


def test_delivery_checks_the_target_again(world: Ordo) -> None:
    """A name that pointed outside when subscribed and inside now is refused at delivery."""
    row: dict[str, Any] = {"id": 1, "type": "order.created", "order_id": "O1", "at_ns": 0, "payload": {}}
    sender = HttpSender(timeout_s=0.5, resolver=lambda host: ["10.0.0.9"])
    try:
        with pytest.raises(PublishFailed, match="ORDO_OUTBOUND_ALLOW_HOSTS"):
            sender.send("http://hooks.example.com/ordo", "secret", row, 0)
    finally:
        sender.close()
