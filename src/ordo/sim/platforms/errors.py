"""The emulated platforms' error answers and shipment acknowledgements, each in its
platform's own shape (codes as the platforms document them where known; the emulator's
own where a platform documents none for the case)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Error answers in each platform's shape (codes as the platforms document them where known;
#: the emulator's own where a platform documents none for the case).
ERRORS: Mapping[str, Mapping[str, dict[str, Any]]] = {
    "top": {
        "throttled": {
            "code": 7,
            "msg": "App Call Limited",
            "sub_code": "accesscontrol.limited-by-app-access-count",
            "sub_msg": "调用频率超限",
        },
        "transient": {
            "code": 15,
            "msg": "Remote service error",
            "sub_code": "isp.remote-service-error",
            "sub_msg": "服务暂不可用",
        },
        "auth": {
            "code": 27,
            "msg": "Invalid session",
            "sub_code": "invalid-sessionkey",
            "sub_msg": "SessionKey非法",
        },
        "sign": {"code": 25, "msg": "Invalid signature", "sub_msg": "签名无效"},
        "window": {
            "code": 41,
            "msg": "Invalid arguments",
            "sub_code": "isv.invalid-parameter",
            "sub_msg": "时间跨度不能超过一天",
        },
        "missing": {"code": 40, "msg": "Missing required arguments"},
        "already_shipped": {
            "code": 15,
            "msg": "Remote service error",
            "sub_code": "isv.logistics-offline-service-error:B04",
            "sub_msg": "订单已发货 / already consigned",
        },
        "method": {"code": 22, "msg": "Invalid method"},
    },
    "jd": {
        "throttled": {"code": "85", "zh_desc": "调用频率超过限制", "en_desc": "call limit exceeded"},
        "transient": {"code": "66", "zh_desc": "平台连接后端服务不可用", "en_desc": "service unavailable"},
        "auth": {"code": "19", "zh_desc": "token已过期或者不存在", "en_desc": "invalid access_token"},
        "sign": {"code": "14", "zh_desc": "签名无效", "en_desc": "invalid signature"},
        "missing": {"code": "60", "zh_desc": "缺少参数", "en_desc": "missing parameter"},
        "already_shipped": {"code": "already_shipped", "zh_desc": "订单已出库", "en_desc": "already shipped"},
        "method": {"code": "22", "zh_desc": "无效方法", "en_desc": "invalid method"},
    },
    "pinduoduo": {
        "throttled": {"error_code": 70031, "error_msg": "调用过于频繁，请调整调用频率"},
        "transient": {"error_code": 50000, "error_msg": "系统内部错误"},
        "auth": {"error_code": 10019, "error_msg": "access_token已过期"},
        "sign": {"error_code": 10016, "error_msg": "签名错误"},
        "window": {"error_code": 10000, "error_msg": "参数错误：时间跨度不能超过30分钟"},
        "missing": {"error_code": 10000, "error_msg": "参数错误"},
        "already_shipped": {"error_code": 52101, "sub_code": "already_shipped", "error_msg": "订单已发货"},
        "method": {"error_code": 10001, "error_msg": "接口不存在"},
    },
    "douyin": {
        "throttled": {
            "code": 50002,
            "msg": "调用频率超限",
            "sub_code": "isv.rate-limit",
            "sub_msg": "请求频率过高",
        },
        "transient": {
            "code": 20000,
            "msg": "服务繁忙",
            "sub_code": "isp.service-error",
            "sub_msg": "系统错误",
        },
        "auth": {"code": 30001, "msg": "access_token无效", "sub_code": "isv.access-token-no-existed"},
        "sign": {"code": 30001, "msg": "签名错误", "sub_code": "isv.sign-invalid"},
        "missing": {"code": 40004, "msg": "参数错误", "sub_code": "isv.parameter-invalid"},
        "already_shipped": {"code": 10000, "msg": "success"},
        "method": {"code": 40004, "msg": "接口不存在", "sub_code": "isv.method-invalid"},
    },
}


#: Kuaishou, WeChat Channels, Youzan and Xiaohongshu: (code, message) per kind, in each
#: platform's own answer shape (:func:`error`). WeChat's errcodes are its documented
#: global codes (-1 system busy, 42001 token expired, 45009 frequency limit, 47001 bad
#: data); the others are the emulator's own where the platform documents none.
MORE: Mapping[str, Mapping[str, tuple[int, str]]] = {
    "kuaishou": {
        "throttled": (9, "调用频率超限 / call limit exceeded"),
        "transient": (500, "系统繁忙 / system busy"),
        "auth": (28, "access_token无效 / invalid access_token"),
        "sign": (25, "签名错误 / invalid signature"),
        "missing": (10, "参数错误 / bad parameter"),
        "window": (10, "时间跨度超过限制 / time range too wide"),
        "already_shipped": (10, "订单已发货 / already shipped"),
        "method": (11, "接口不存在 / no such method"),
    },
    "wechat_channels": {
        "throttled": (45009, "reach max api daily quota limit / 调用超过频率限制"),
        "transient": (-1, "system error / 系统繁忙"),
        "auth": (42001, "access_token expired / access_token 已过期"),
        "missing": (47001, "data format error / 数据格式错误"),
        "window": (47001, "update_time_range over 7 days / 时间范围超过 7 天"),
        "already_shipped": (10020063, "order already shipped / 订单已发货"),
        "method": (48001, "api unauthorized / 接口未授权"),
    },
    "youzan": {
        "throttled": (4291, "请求过于频繁 / too many requests"),
        "transient": (500, "系统繁忙 / system busy"),
        "auth": (4203, "access_token无效 / invalid access_token"),
        "missing": (4000, "参数错误 / bad parameter"),
        "window": (4000, "时间跨度不能超过一天 / at most one day"),
        "already_shipped": (141502, "订单已发货 / already shipped"),
        "method": (4004, "接口不存在 / no such api"),
    },
    "xiaohongshu": {
        "throttled": (-1010, "请求过于频繁 / too many requests"),
        "transient": (-1, "系统繁忙 / system busy"),
        "auth": (-1001, "accessToken无效 / invalid accessToken"),
        "sign": (-1002, "签名错误 / invalid signature"),
        "missing": (-100, "参数错误 / bad parameter"),
        "window": (-100, "时间跨度不能超过30分钟 / at most 30 minutes"),
        "already_shipped": (-100, "订单已发货 / already shipped"),
        "method": (-100, "方法不存在 / no such method"),
    },
}


def error(platform: str, kind: str) -> dict[str, Any]:
    if platform in MORE:
        table = MORE[platform]
        code, msg = table.get(kind) or table["missing"]
        if platform == "kuaishou":
            return {"result": code, "error_msg": msg, "code": str(code)}
        if platform == "wechat_channels":
            return {"errcode": code, "errmsg": msg}
        if platform == "youzan":
            return {"success": False, "code": code, "message": msg}
        return {"success": False, "code": code, "msg": msg, "data": None}
    shape = dict(ERRORS[platform].get(kind) or ERRORS[platform]["missing"])
    if platform == "douyin":
        return {**shape, "data": {}}
    return {"error_response": {**shape, "request_id": "emulated"}}


def shipped(platform: str) -> dict[str, Any]:
    if platform == "top":
        return {"logistics_offline_send_response": {"shipping": {"is_success": True}}}
    if platform == "jd":
        return {
            "jingdong_pop_order_shipment_responce": {"code": "0", "sopjosshipment_result": {"success": True}}
        }
    if platform == "pinduoduo":
        return {"logistics_online_send_response": {"is_success": True}}
    if platform == "kuaishou":
        return {"result": 1, "error_msg": "", "data": {}}
    if platform == "wechat_channels":
        return {"errcode": 0, "errmsg": "ok"}
    if platform == "youzan":
        return {"success": True, "code": 200, "message": "successful", "data": {"is_success": True}}
    if platform == "xiaohongshu":
        return {"success": True, "code": 0, "msg": "成功", "data": None}
    return {"code": 10000, "msg": "success", "data": {}}
