"""Chromium: the dashboard offers sign-in through the company's identity provider when one is
configured (a local OpenID provider here), and the person comes back signed in with the mapped
role; without configuration the button is not shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ordo.api.oidc import OidcClient, OidcConfig
from tests.e2e.conftest import Server
from tests.integration.api.test_oidc_sign_in import Provider


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.server.shutdown()
    p.server.server_close()


def test_a_person_signs_in_through_the_identity_provider_from_the_dashboard(
    server: Server, browser: Any, provider: Provider
) -> None:
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        server.app.state.oidc_client = None
        page.goto(f"{server.base}/")
        page.wait_for_selector("#login:not([hidden])")
        assert page.locator("#oidc-signin").is_hidden()  # not configured: not offered

        config = OidcConfig.from_env(
            {
                "ORDO_OIDC_ISSUER": provider.issuer,
                "ORDO_OIDC_CLIENT_ID": "ordo",
                "ORDO_OIDC_CLIENT_SECRET": "s3cret",
                "ORDO_OIDC_REDIRECT_URL": f"{server.base}/api/v1/session/oidc/callback",
                "ORDO_OIDC_ROLES": "ops-team=ops",
            }
        )
        assert config is not None
        server.app.state.oidc_client = OidcClient(config)
        provider.claims = {
            "sub": "e2e-1",
            "email": "lei@corp.example",
            "name": "李雷",
            "groups": ["ops-team"],
        }
        page.reload()
        page.wait_for_selector("#oidc-signin:not([hidden])")
        assert "统一身份" in page.inner_text("#oidc-signin")
        page.click("#oidc-signin")
        page.wait_for_selector("#whoami[data-role='ops']")
        assert "李雷" in page.inner_text("#whoami")
        [cookie] = [c for c in ctx.cookies() if c["name"] == "ordo_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    finally:
        server.app.state.oidc_client = None
        ctx.close()
