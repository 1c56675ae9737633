"""The one signer: what channels sign and Ordo checks is what Ordo signs for its subscribers."""

from __future__ import annotations

import hashlib
import hmac

from ordo.adapters.signing import WINDOW_S, check, sign, verify

SECRET = "s3cret-0123456789"
BODY = '{"tid": "1", "金额": "128.00"}'.encode()


def test_a_signature_is_hmac_sha256_of_timestamp_dot_body_in_lowercase_hex():
    want = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1_700_000_000, BODY) == sign(SECRET, "1700000000", BODY) == "sha256=" + want


def test_verify_takes_the_signature_as_sent_and_refuses_another_secret_or_body():
    sig = sign(SECRET, 1_700_000_000, BODY)
    assert verify(SECRET, 1_700_000_000, BODY, sig) and verify(
        SECRET, 1_700_000_000, BODY, f" {sig.upper()} "
    )
    assert not verify("another-secret-xxxx", 1_700_000_000, BODY, sig)
    assert not verify(SECRET, 1_700_000_000, BODY + b" ", sig)
    assert not verify(SECRET, 1_700_000_001, BODY, sig)


def test_check_wants_both_headers_unix_seconds_a_fresh_time_and_the_right_signature():
    now = 1_700_000_000
    sig = sign(SECRET, now, BODY)
    assert check(SECRET, str(now), sig, BODY, now) is None
    assert check(SECRET, str(now), "sha256=" + "0" * 64, BODY, now) is not None
    assert "required" in (check(SECRET, None, sig, BODY, now) or "")
    assert "Unix" in (check(SECRET, "yesterday", sig, BODY, now) or "")
    assert "window" in (
        check(SECRET, str(now - WINDOW_S - 1), sign(SECRET, now - WINDOW_S - 1, BODY), BODY, now) or ""
    )
    assert check(SECRET, str(now + WINDOW_S), sign(SECRET, now + WINDOW_S, BODY), BODY, now) is None
