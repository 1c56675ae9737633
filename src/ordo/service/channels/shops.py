"""Shops on the platforms: several per platform, each with its own app key, secret and
session token, stored, listed with the secrets masked, and rotated without a restart.

    add_shop(app, shop_id=..., channel="taobao", ...)
    rotate(app, "tb-flagship", app_secret=..., session=...)
    ShopCredentials().get(app.store, "tb-flagship")  -> Credentials

A running puller or write-back holds a :class:`ShopCredentials`: it re-reads the shops'
versions (one small read) at most every :data:`CHECK_S` seconds and reloads a shop
whose version moved, and it drops a shop's credentials at once when the platform
refuses them (:meth:`ShopCredentials.forget`), so a rotation made by ``ordo shops
rotate`` in another process is in use within seconds, with no restart.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from ordo.adapters.platforms import PLATFORMS, Credentials
from ordo.domain.errors import NotFound, ValidationError
from ordo.service.ports import ShopRecord, Store
from ordo.service.runtime.app import Ordo

#: Seconds a process may use a shop's credentials before checking their version again.
CHECK_S = 5.0
_SHOP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def _require(field_name: str, value: str, limit: int, zh: str) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise ValidationError(
            field_name, f"{field_name}: 1..{limit} characters / {zh}须为 1 到 {limit} 个字符"
        )
    return value


def add_shop(
    app: Ordo,
    *,
    shop_id: str,
    channel: str,
    app_key: str,
    app_secret: str,
    session: str,
    endpoint: str,
    name: str = "",
) -> dict[str, Any]:
    """Store a new shop; raises ValidationError naming the field on bad input."""
    if not _SHOP_ID.match(shop_id):
        raise ValidationError(
            "shop_id",
            "letters, digits, '.', '_' or '-', at most 32 / 店铺编号只能含字母、数字、. _ -，至多 32 个字符",
        )
    if channel not in PLATFORMS:
        raise ValidationError(
            "channel",
            f"pull and write-back support {', '.join(PLATFORMS)} "
            f"/ 拉单与回传支持的平台：{'、'.join(PLATFORMS)}",
        )
    if len(app_secret) < 8:
        raise ValidationError("app_secret", "at least 8 characters / 应用密钥至少 8 个字符")
    if not endpoint.startswith(("http://", "https://")):
        raise ValidationError("endpoint", "an http(s) URL / 须为 http(s) 地址")
    now = app.clock.now_ns()
    row: ShopRecord = {
        "id": shop_id,
        "channel": channel,
        "name": (name or shop_id)[:64],
        "app_key": _require("app_key", app_key, 64, "应用 key "),
        "app_secret": _require("app_secret", app_secret, 200, "应用密钥"),
        "session": _require("session", session, 400, "授权令牌"),
        "endpoint": _require("endpoint", endpoint, 200, "接口地址"),
        "version": 1,
        "enabled": True,
        "created_at_ns": now,
        "updated_at_ns": now,
    }
    with app.store.uow() as uow:
        if not uow.platforms.add_shop(row):
            raise ValidationError("shop_id", f"shop {shop_id!r} exists / 店铺「{shop_id}」已存在")
        uow.commit()
    return public(row)


def list_shops(app: Ordo, channel: str | None = None) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        shops = uow.platforms.shops(channel)
        cursors = {s["id"]: uow.platforms.cursor(s["id"]) for s in shops}
    out = []
    for s in shops:
        view = public(s)
        cur = cursors[s["id"]]
        view["cursor_ns"], view["pulled"] = (cur[0], cur[1]) if cur else (None, 0)
        out.append(view)
    return out


def rotate(
    app: Ordo,
    shop_id: str,
    *,
    app_key: str | None = None,
    app_secret: str | None = None,
    session: str | None = None,
) -> int:
    """New credentials for a shop (any of the three); the shop's new version."""
    if app_key is None and app_secret is None and session is None:
        raise ValidationError(
            "app_secret", "give a new app key, secret or session / 请提供新的 key、密钥或授权令牌"
        )
    if app_secret is not None and len(app_secret.strip()) < 8:
        raise ValidationError("app_secret", "at least 8 characters / 应用密钥至少 8 个字符")
    with app.store.uow() as uow:
        version = uow.platforms.rotate(
            shop_id,
            app_key=app_key and _require("app_key", app_key, 64, "应用 key "),
            app_secret=app_secret and _require("app_secret", app_secret, 200, "应用密钥"),
            session=session and _require("session", session, 400, "授权令牌"),
            now_ns=app.clock.now_ns(),
        )
        if version is None:
            raise NotFound(f"no shop {shop_id!r} / 店铺「{shop_id}」不存在", details={"shop_id": shop_id})
        uow.commit()
    return version


def public(row: ShopRecord) -> dict[str, Any]:
    """A shop as shown to people: the secret and session masked."""
    view: dict[str, Any] = dict(row)
    view["app_secret"] = _mask(row["app_secret"])
    view["session"] = _mask(row["session"])
    return view


def _mask(value: str) -> str:
    return value[:3] + "****" + value[-2:] if len(value) > 8 else "****"


def credentials(row: ShopRecord) -> Credentials:
    return Credentials(row["channel"], row["app_key"], row["app_secret"], row["session"], row["endpoint"])


class ShopCredentials:
    """This process's copy of the shops' credentials, checked against their versions."""

    def __init__(self, check_s: float = CHECK_S, now: Callable[[], float] = time.monotonic) -> None:
        self._check_s = check_s
        self._now = now
        self._lock = threading.Lock()
        self._rows: dict[str, ShopRecord] = {}
        self._checked = float("-inf")

    def shops(self, store: Store) -> list[ShopRecord]:
        """Every enabled shop, fresh to within ``check_s``."""
        self._refresh(store)
        with self._lock:
            return [r for r in self._rows.values() if r["enabled"]]

    def get(self, store: Store, shop_id: str) -> ShopRecord:
        self._refresh(store)
        with self._lock:
            row = self._rows.get(shop_id)
        if row is None:
            raise NotFound(f"no shop {shop_id!r} / 店铺「{shop_id}」不存在", details={"shop_id": shop_id})
        return row

    def forget(self, shop_id: str | None = None) -> None:
        """Read again at the next use (the platform refused the credentials held)."""
        with self._lock:
            if shop_id is None:
                self._rows.clear()
            else:
                self._rows.pop(shop_id, None)
            self._checked = float("-inf")

    def _refresh(self, store: Store) -> None:
        if self._now() - self._checked < self._check_s:
            return
        with store.uow(read_only=True) as uow:
            versions = uow.platforms.versions()
            with self._lock:
                stale = [
                    s for s, v in versions.items() if s not in self._rows or self._rows[s]["version"] != v
                ]
            fresh = {s: uow.platforms.shop(s) for s in stale}
        with self._lock:
            for s in list(self._rows):
                if s not in versions:
                    del self._rows[s]
            self._rows.update({s: r for s, r in fresh.items() if r is not None})
            self._checked = self._now()
