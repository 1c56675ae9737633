"""Webhooks under attack: malformed signature headers are 401s, an unauthenticated caller
learns nothing about the configured channels, and nothing a signed platform sends is lost.

Each case once answered 500 (a 5,000-digit or ``²`` timestamp, a non-ASCII signature, a
signed body nested 10,000 deep or holding ``Infinity``) and, for the signed bodies, stored
no dead letter, so the platform's payload was gone.
"""

from __future__ import annotations

import pytest

from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordo.clock import ManualClock
from ordo.service.channels.receive import raw_body
from ordo.service.runtime.app import Ordo
from tests.integration.api import test_channels_webhook as hooks
from tests.integration.api.conftest import Headers, TestClient, count_rows
from tests.integration.api.test_channels_webhook import SECRET, Post

post = hooks.post  # the signed-push fixture, shared

BODY = b'{"tid": "T-1"}'


@pytest.mark.parametrize(
    "headers",
    [
        {TIMESTAMP_HEADER: "9" * 5000},
        {TIMESTAMP_HEADER: "²"},
        {TIMESTAMP_HEADER: "١٢٣٤٥"},  # Arabic-Indic digits: str.isdigit() says yes
        {TIMESTAMP_HEADER: "-1"},
        {SIGNATURE_HEADER: "sha256=" + "é" * 64},
        {SIGNATURE_HEADER: "sha256=" + "0" * 10_000},
        {SIGNATURE_HEADER: "md5=abc"},
    ],
    ids=["5000 digits", "superscript", "arabic digits", "negative", "non-ascii signature", "long", "md5"],
)
def test_a_malformed_signature_header_is_a_clear_401(
    post: Post, world: Ordo, client: TestClient, clock: ManualClock, headers: dict[str, str]
) -> None:
    ts = clock.now_ns() // 1_000_000_000
    sent: dict[str, bytes] = {
        TIMESTAMP_HEADER: str(ts).encode(),
        SIGNATURE_HEADER: sign(SECRET, ts, BODY).encode(),
        # UTF-8 bytes, as a hostile client sends them; the server must not fall over.
        **{k: v.encode() for k, v in headers.items()},
    }
    r = client.post("/api/v1/channels/taobao/webhook", content=BODY, headers=sent)
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["error"] == "unauthenticated" and " / " in body["message"]
    assert count_rows(world, "channel_dead_letters") == 0


def test_unknown_channel_no_secret_and_bad_signature_answer_alike(post: Post) -> None:
    unknown = post("myspace", BODY)
    no_secret = post("kuaishou", BODY)
    bad = post("taobao", BODY, secret="not-the-secret-at-all-000")
    assert unknown.status_code == no_secret.status_code == bad.status_code == 401
    assert unknown.json() == no_secret.json() == bad.json()
    for r in (unknown, no_secret, bad):
        assert "kuaishou" not in r.text.lower() and "ORDO_CHANNEL_SECRET" not in r.text


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"tid": "T-9", "a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        b'{"tid": "T-9", "payment": Infinity}',
        b'{"tid": "T-9", "payment": NaN}',
        b'{"tid": "T-9", "payment": -Infinity}',
        b'{"tid": "T-9", "n": ' + b"1" * 5000 + b"}",
        b'{"tid": "T-9", "deep": ' + b'{"a": ' * 200 + b"1" + b"}" * 200 + b"}",
        b"\xff\xfe not utf-8",
    ],
    ids=[
        "nested 10,000",
        "nested inside",
        "Infinity",
        "NaN",
        "-Infinity",
        "huge int",
        "deep objects",
        "bytes",
    ],
)
def test_a_signed_body_that_cannot_be_parsed_is_a_dead_letter(
    post: Post, world: Ordo, client: TestClient, admin: Headers, body: bytes
) -> None:
    r = post("taobao", body)
    assert r.status_code == 202, r.text
    receipt = r.json()
    assert receipt["outcome"] == "dead_lettered"
    assert receipt["reasons"][0]["code"] == "malformed_payload"
    assert count_rows(world, "channel_dead_letters") == 1
    [row] = client.get("/api/v1/channels/dead-letters", headers=admin).json()["dead_letters"]
    assert raw_body(row["body"]) == body  # kept byte for byte, UTF-8 or not


@pytest.mark.parametrize(
    "body",
    [
        b'{"tid": 12, "orders": "not a list", "payment": {"x": 1}}',
        b'{"tid": "T-3", "orders": [1, 2, 3]}',
        b'{"tid": ["x"], "receiver_name": {"a": []}, "orders": {"order": [null]}}',
    ],
)
def test_a_signed_payload_of_the_wrong_shape_is_a_dead_letter(post: Post, world: Ordo, body: bytes) -> None:
    r = post("taobao", body)
    assert r.status_code == 202, r.text
    assert r.json()["outcome"] == "dead_lettered"
    assert count_rows(world, "channel_dead_letters") == 1
