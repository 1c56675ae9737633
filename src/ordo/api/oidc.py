"""Dashboard sign-in through an OpenID Connect provider: the authorization-code flow with PKCE.

Configured by ``ORDO_OIDC_*`` (:meth:`OidcConfig.from_env`; without an issuer it is off):
the issuer, the client id and secret, the redirect URL registered with the provider (this
server's ``/api/v1/session/oidc/callback``), the claim that carries groups or roles and its
mapping to Ordo roles (``ORDO_OIDC_ROLES="ordo-admins=admin,ops-team=ops"``), and the email
domains allowed to sign in.

Discovery, the JWKS and the token endpoint are fetched from the configured issuer only: a
discovery document naming another issuer, or endpoints on another origin, is refused. The ID
token is checked with PyJWT (signature by the provider's JWKS, ``iss``, ``aud``, ``exp``,
``iat``, and the ``nonce`` this server chose); state, nonce and the PKCE verifier travel in a
short-lived HttpOnly cookie, so any node of a cluster can finish a sign-in another began.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import jwt

from ordo.domain.access import Role
from ordo.domain.errors import OrdoError, PermissionDenied, Unauthenticated

#: The cookie that carries state, nonce and PKCE verifier between start and callback.
FLOW_COOKIE = "ordo_oidc"
FLOW_TTL_S = 600
TIMEOUT_S = 10.0
MAX_DOCUMENT = 256 * 1024


class OidcUnavailable(OrdoError):
    code = "oidc_unavailable"
    http_status = 503


class OidcRefused(PermissionDenied):
    code = "oidc_refused"


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str
    #: The ID token claim holding the person's groups or roles (a string or a list).
    role_claim: str = "groups"
    #: Claim value → Ordo role, first match in this order wins.
    roles: tuple[tuple[str, Role], ...] = ()
    #: Email domains allowed to sign in (empty: any).
    allowed_domains: tuple[str, ...] = ()
    scopes: str = "openid email profile"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcConfig | None:
        issuer = env.get("ORDO_OIDC_ISSUER", "").strip().rstrip("/")
        if not issuer:
            return None
        roles = []
        for pair in env.get("ORDO_OIDC_ROLES", "").split(","):
            value, _, role = pair.strip().rpartition("=")
            if value and role:
                roles.append((value.strip(), Role(role.strip())))
        domains = tuple(
            d.strip().lower().lstrip("@")
            for d in env.get("ORDO_OIDC_ALLOWED_DOMAINS", "").split(",")
            if d.strip()
        )
        return cls(
            issuer=issuer,
            client_id=env.get("ORDO_OIDC_CLIENT_ID", ""),
            client_secret=env.get("ORDO_OIDC_CLIENT_SECRET", ""),
            redirect_url=env.get("ORDO_OIDC_REDIRECT_URL", ""),
            role_claim=env.get("ORDO_OIDC_ROLE_CLAIM", "groups"),
            roles=tuple(roles),
            allowed_domains=domains,
        )


@dataclass(slots=True)
class OidcClient:
    """One provider: its discovery document and keys, fetched once and kept (keys are fetched
    again when a token names a key id not seen yet)."""

    config: OidcConfig
    transport: httpx.BaseTransport | None = None
    _discovery: dict[str, Any] | None = None
    _keys: jwt.PyJWKSet | None = None
    _seen_kids: set[str] = field(default_factory=set)

    # -- fetching, from the issuer only ------------------------------------------------
    def _get_json(self, url: str, *, form: Mapping[str, str] | None = None) -> dict[str, Any]:
        self._same_origin(url)
        try:
            with httpx.Client(timeout=TIMEOUT_S, transport=self.transport, follow_redirects=False) as http:
                r = http.post(url, data=dict(form)) if form is not None else http.get(url)
        except httpx.HTTPError as exc:
            raise OidcUnavailable(
                f"the sign-in provider did not answer ({type(exc).__name__}) / 登录服务无响应",
                details={"url": url},
            ) from None
        if r.status_code != 200 or len(r.content) > MAX_DOCUMENT:
            raise OidcRefused(
                f"the sign-in provider answered {r.status_code} / 登录服务拒绝了请求",
                details={"url": url, "status": r.status_code},
            )
        try:
            body = json.loads(r.content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise OidcUnavailable("the sign-in provider's answer is not JSON / 登录服务的应答不是 JSON")
        return body

    def _same_origin(self, url: str) -> None:
        want, got = urlsplit(self.config.issuer), urlsplit(url)
        if (got.scheme, got.netloc) != (want.scheme, want.netloc):
            raise OidcRefused(
                "the provider named an endpoint outside its issuer / 登录服务给出了发行方之外的地址",
                details={"url": url, "issuer": self.config.issuer},
            )

    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            doc = self._get_json(f"{self.config.issuer}/.well-known/openid-configuration")
            if str(doc.get("issuer", "")).rstrip("/") != self.config.issuer:
                raise OidcRefused(
                    "the discovery document names another issuer / 发现文档中的发行方不符",
                    details={"issuer": doc.get("issuer")},
                )
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(doc.get(name), str):
                    raise OidcRefused(f"the discovery document lacks {name} / 发现文档缺少 {name}")
                self._same_origin(doc[name])
            self._discovery = doc
        return self._discovery

    def _key(self, kid: str | None) -> Any:
        if self._keys is None or (kid is not None and kid not in self._seen_kids):
            self._keys = jwt.PyJWKSet.from_dict(self._get_json(self.discovery()["jwks_uri"]))
            self._seen_kids = {k.key_id for k in self._keys.keys if k.key_id}
        for k in self._keys.keys:
            if kid is None or k.key_id == kid:
                return k.key
        raise OidcRefused(
            "the ID token is signed by a key the provider does not publish / ID 令牌签名密钥未知"
        )

    # -- the flow ----------------------------------------------------------------------
    def start(self) -> tuple[str, str]:
        """The provider's authorization URL and the flow cookie's value."""
        state, nonce, verifier = (secrets.token_urlsafe(24), secrets.token_urlsafe(24),
                                  secrets.token_urlsafe(48))  # fmt: skip
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_url,
                "scope": self.config.scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.discovery()['authorization_endpoint']}?{query}", f"{state}.{nonce}.{verifier}"

    def finish(self, code: str, state: str, cookie: str | None) -> dict[str, Any]:
        """The ID token's claims once the code is exchanged and the token checked."""
        parts = (cookie or "").split(".")
        if len(parts) != 3 or not secrets.compare_digest(parts[0], state or ""):
            raise Unauthenticated("the sign-in was not started here, or it expired / 登录流程无效或已过期")
        _, nonce, verifier = parts
        tokens = self._get_json(
            self.discovery()["token_endpoint"],
            form={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.config.redirect_url,
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
                "code_verifier": verifier,
            },
        )
        raw = tokens.get("id_token")
        if not isinstance(raw, str):
            raise OidcRefused("the provider returned no ID token / 登录服务未返回 ID 令牌")
        try:
            header = jwt.get_unverified_header(raw)
            if header.get("alg") not in ("RS256", "ES256", "PS256", "EdDSA"):
                raise OidcRefused("the ID token's algorithm is not accepted / ID 令牌的签名算法不被接受")
            claims: dict[str, Any] = jwt.decode(
                raw, self._key(header.get("kid")), algorithms=[header["alg"]], audience=self.config.client_id,
                issuer=self.config.issuer, options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )  # fmt: skip
        except jwt.PyJWTError as exc:
            raise OidcRefused(
                f"the ID token does not verify ({type(exc).__name__}) / ID 令牌校验失败",
                details={"reason": str(exc)[:200]},
            ) from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcRefused("the ID token's nonce is not this sign-in's / ID 令牌的 nonce 不符")
        return claims

    # -- who, and with which role ------------------------------------------------------
    def admit(self, claims: Mapping[str, Any]) -> tuple[str, str, Role]:
        """(subject, display name, role) for a person the configuration admits; 403 otherwise."""
        email = str(claims.get("email") or "")
        if self.config.allowed_domains:
            domain = email.rpartition("@")[2].lower()
            if (
                not email
                or domain not in self.config.allowed_domains
                or claims.get("email_verified") is False
            ):
                raise OidcRefused(
                    f"email domain {domain or '-'!r} may not sign in / 该邮箱域名不允许登录",
                    details={"domain": domain, "allowed_domains": list(self.config.allowed_domains)},
                )
        held = claims.get(self.config.role_claim)
        values = (
            {held} if isinstance(held, str) else {str(v) for v in held} if isinstance(held, list) else set()
        )
        role = next((r for value, r in self.config.roles if value in values), None)
        if role is None:
            raise OidcRefused(
                f"no Ordo role is mapped for this person's {self.config.role_claim} "
                "/ 该用户的身份组未映射到任何角色",
                details={"claim": self.config.role_claim},
            )
        name = str(claims.get("name") or claims.get("preferred_username") or email or claims["sub"])
        return str(claims["sub"]), name, role
