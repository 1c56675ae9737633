"""Sign-in through an OpenID Connect provider: a tiny provider on a local port (discovery, JWKS,
authorize, token with PKCE, RS256 ID tokens), the authorization-code flow through the API, the
first sign-in creating the user with the mapped role, and each refusal."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from ordo.api.oidc import OidcClient, OidcConfig
from ordo.domain.access import Role
from ordo.service.people.users import oidc_login
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import TestClient

REDIRECT = "http://testserver/api/v1/session/oidc/callback"


class Provider:
    """A minimal OpenID provider: one client, codes bound to their nonce and PKCE challenge."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.discovery_issuer: str | None = None  # set to lie about the issuer
        self.sign_with: Any = None  # set to sign with a key the JWKS does not hold
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self._json(200, {"keys": [{**jwk, "kid": provider.kid, "use": "sig", "alg": "RS256"}]})
                elif url.path == "/authorize":
                    q = {k: v[0] for k, v in parse_qs(url.query).items()}
                    assert q["response_type"] == "code" and q["code_challenge_method"] == "S256"
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = q
                    self.send_response(302)
                    self.send_header(
                        "Location", f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
                    )
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                form = {
                    k: v[0]
                    for k, v in parse_qs(
                        self.rfile.read(int(self.headers["Content-Length"])).decode()
                    ).items()
                }
                asked = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "").encode()
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                if (
                    asked is None
                    or form.get("client_secret") != "s3cret"
                    or form.get("redirect_uri") != asked["redirect_uri"]
                    or challenge != asked["code_challenge"]
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                now = int(time.time())
                claims = {"iss": provider.issuer, "aud": "ordo", "iat": now, "exp": now + 300,
                          "nonce": asked["nonce"], **provider.claims}  # fmt: skip
                key = provider.sign_with or provider.key
                token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": provider.kid})
                self._json(200, {"id_token": token, "access_token": "x", "token_type": "Bearer"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.discovery_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
        }


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.server.shutdown()
    p.server.server_close()


@pytest.fixture
def oidc(api: FastAPI, provider: Provider) -> OidcClient:
    config = OidcConfig.from_env(
        {
            "ORDO_OIDC_ISSUER": provider.issuer,
            "ORDO_OIDC_CLIENT_ID": "ordo",
            "ORDO_OIDC_CLIENT_SECRET": "s3cret",
            "ORDO_OIDC_REDIRECT_URL": REDIRECT,
            "ORDO_OIDC_ROLE_CLAIM": "groups",
            "ORDO_OIDC_ROLES": "ordo-admins=admin,ops-team=ops",
            "ORDO_OIDC_ALLOWED_DOMAINS": "corp.example",
        }
    )
    assert config is not None and config.roles == (("ordo-admins", Role.ADMIN), ("ops-team", Role.OPS))
    api.state.oidc_client = client = OidcClient(config)
    return client


def _sign_in(client: TestClient) -> Any:
    """What the browser does: start, follow to the provider, come back with the code."""
    start = client.get("/api/v1/session/oidc/start", follow_redirects=False)
    assert start.status_code == 302, start.text
    sent = parse_qs(urlsplit(start.headers["location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["redirect_uri"] == [REDIRECT]
    back = httpx.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    return client.get(f"{callback.path}?{callback.query}", follow_redirects=False)


def test_a_person_of_a_mapped_group_signs_in_and_is_created_once_with_that_role(
    client: TestClient, provider: Provider, oidc: OidcClient, world: Ordo
) -> None:
    assert client.get("/api/v1/session/oidc").json()["enabled"] is True
    provider.claims = {"sub": "u-42", "email": "mei@corp.example", "email_verified": True,
                       "name": "韩梅梅", "groups": ["staff", "ops-team"]}  # fmt: skip
    done = _sign_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/", done.text
    me = client.get("/api/v1/session").json()
    assert (me["role"], me["name"], me["session"]) == ("ops", "韩梅梅", True) and me["csrf_token"]
    login = oidc_login(provider.issuer, "u-42")
    with world.store.uow(read_only=True) as uow:
        user = uow.people.user_by_login(login)
        audit = [r for r in uow.rules.audit_log(limit=20) if r["action"] == "user_added_oidc"]
    assert user is not None and user["password_hash"] is None and user["role"] == "ops"
    assert len(audit) == 1 and audit[0]["details"]["login"] == login
    # Signing in again finds the same person; a sign-out ends it as for a password.
    assert _sign_in(client).status_code == 303
    with world.store.uow(read_only=True) as uow:
        assert sum(r["login"] == login for r in uow.people.users()) == 1


def test_no_mapped_role_or_a_foreign_domain_is_refused_and_creates_no_one(
    client: TestClient, provider: Provider, oidc: OidcClient, world: Ordo
) -> None:
    with world.store.uow(read_only=True) as uow:
        before = len(uow.people.users())
    for claims, why in (
        ({"sub": "u-1", "email": "a@corp.example", "groups": ["staff"]}, "claim"),
        ({"sub": "u-2", "email": "a@evil.example", "groups": ["ordo-admins"]}, "domain"),
        (
            {"sub": "u-3", "email": "a@corp.example", "email_verified": False, "groups": ["ops-team"]},
            "domain",
        ),
    ):
        provider.claims = claims
        r = _sign_in(client)
        assert r.status_code == 403 and r.json()["error"] == "oidc_refused", r.text
        assert why in r.json()["details"] and "ordo_session" not in r.cookies
    with world.store.uow(read_only=True) as uow:
        assert len(uow.people.users()) == before


def test_a_token_signed_by_another_key_a_lying_issuer_or_a_forged_state_is_refused(
    client: TestClient, provider: Provider, oidc: OidcClient
) -> None:
    provider.claims = {"sub": "u-9", "email": "x@corp.example", "groups": ["ops-team"]}
    provider.sign_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    r = _sign_in(client)
    assert r.status_code == 403 and "InvalidSignature" in r.json()["message"], r.text
    provider.sign_with = None
    # A callback whose state is not the one this browser started with.
    client.get("/api/v1/session/oidc/start", follow_redirects=False)
    forged = client.get("/api/v1/session/oidc/callback", params={"code": "c", "state": "other"})
    assert forged.status_code == 401
    # A discovery document naming another issuer is not trusted.
    fresh = OidcClient(oidc.config)
    provider.discovery_issuer = "https://accounts.example.com"
    with pytest.raises(Exception) as refused:
        fresh.discovery()
    assert getattr(refused.value, "code", "") == "oidc_refused"


def test_without_configuration_there_is_no_provider_sign_in(api: FastAPI, client: TestClient) -> None:
    api.state.oidc_client = None
    assert client.get("/api/v1/session/oidc").json() == {"enabled": False, "start": None}
    assert client.get("/api/v1/session/oidc/start", follow_redirects=False).status_code == 404
