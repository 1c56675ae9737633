"""Each platform's request signature, as its open-platform documentation specifies it.

Pure functions over the request's parameters (every parameter but ``sign``):

* **Taobao/Tmall TOP** — parameters sorted by name, concatenated as ``name + value``;
  ``sign_method=md5``: ``MD5(secret + s + secret)``; ``sign_method=hmac``: HMAC-MD5 of
  ``s`` keyed by the secret; ``hmac-sha256`` likewise with SHA-256. Upper-case hex.
* **JD (京东, 360buy router)** — the same concatenation of the sorted system parameters
  (``360buy_param_json`` among them), ``MD5(secret + s + secret)``, upper-case hex.
* **Pinduoduo (拼多多)** — the same: ``MD5(client_secret + s + client_secret)``, upper-case.
* **Douyin shop (抖店)** — ``param_json`` is the business parameters as JSON with sorted
  keys and no spaces; the signed string is ``secret + "app_key" + k + "method" + m +
  "param_json" + p + "timestamp" + t + "v" + v + secret``; ``sign_method=md5`` (MD5,
  lower-case hex) or ``hmac-sha256`` (keyed by the secret).
* **Kuaishou (快手小店)** — every system parameter (``access_token``, ``appkey``,
  ``method``, ``param``, ``signMethod``, ``timestamp`` in ms, ``version``) as ``k=v``
  sorted by name and joined by ``&``, then ``&signSecret=`` + the app's sign secret;
  ``signMethod=MD5``: MD5 of that, ``HMAC_SHA256``: HMAC-SHA256 keyed by the sign secret;
  lower-case hex.
* **Xiaohongshu (小红书 ark)** — ``MD5(method + "?appId=" + appId + "&timestamp=" +
  timestamp + "&version=" + version + appSecret)``, lower-case hex; the business
  parameters are not signed.
* **WeChat Channels shop (视频号小店)** and **Youzan (有赞)** sign nothing: the
  ``access_token`` in the query (issued for the app's id and secret) is the credential.

The emulator (:mod:`ordo.sim.platforms`) checks requests with these same functions;
:func:`check` compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any


def _concat(params: Mapping[str, str]) -> str:
    return "".join(k + v for k, v in sorted(params.items()) if k != "sign" and v != "")


def top_sign(params: Mapping[str, str], secret: str) -> str:
    s = _concat(params)
    method = params.get("sign_method", "md5")
    if method == "hmac":
        return hmac.new(secret.encode(), s.encode(), hashlib.md5).hexdigest().upper()
    if method == "hmac-sha256":
        return hmac.new(secret.encode(), s.encode(), hashlib.sha256).hexdigest().upper()
    return hashlib.md5((secret + s + secret).encode()).hexdigest().upper()


def router_md5_sign(params: Mapping[str, str], secret: str) -> str:
    """JD's and Pinduoduo's: MD5 of the secret around the sorted name+value pairs, upper-case."""
    return hashlib.md5((secret + _concat(params) + secret).encode()).hexdigest().upper()


def douyin_param_json(business: Mapping[str, Any]) -> str:
    return json.dumps(business, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def douyin_sign(params: Mapping[str, str], secret: str) -> str:
    keys = ("app_key", "method", "param_json", "timestamp", "v")
    s = "".join(k + params.get(k, "") for k in keys)
    if params.get("sign_method") == "hmac-sha256":
        return hmac.new(secret.encode(), (secret + s + secret).encode(), hashlib.sha256).hexdigest()
    return hashlib.md5((secret + s + secret).encode()).hexdigest()


def kuaishou_sign(params: Mapping[str, str], secret: str) -> str:
    s = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign") + "&signSecret=" + secret
    if params.get("signMethod") == "HMAC_SHA256":
        return hmac.new(secret.encode(), s.encode(), hashlib.sha256).hexdigest()
    return hashlib.md5(s.encode()).hexdigest()


def xiaohongshu_sign(params: Mapping[str, str], secret: str) -> str:
    s = (
        f"{params.get('method', '')}?appId={params.get('appId', '')}"
        f"&timestamp={params.get('timestamp', '')}&version={params.get('version', '')}{secret}"
    )
    return hashlib.md5(s.encode()).hexdigest()


def sign(platform: str, params: Mapping[str, str], secret: str) -> str:
    if platform in ("taobao", "tmall"):
        return top_sign(params, secret)
    if platform == "douyin":
        return douyin_sign(params, secret)
    if platform == "kuaishou":
        return kuaishou_sign(params, secret)
    if platform == "xiaohongshu":
        return xiaohongshu_sign(params, secret)
    return router_md5_sign(params, secret)


def check(platform: str, params: Mapping[str, str], secret: str) -> bool:
    given = params.get("sign", "")
    return hmac.compare_digest(given.lower(), sign(platform, params, secret).lower())
