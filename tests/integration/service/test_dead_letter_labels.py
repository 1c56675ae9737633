"""An unreadable answer is dead-lettered under the platform's order id however deep its
envelope holds it (JD's detail answer, Youzan's, an ERP's JSON text)."""

from __future__ import annotations

import json

from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import ChannelOutcome, Receipt, dead_letters
from ordo.service.runtime.app import Ordo


def test_unreadable_envelopes_are_labelled_with_the_order_id(world: Ordo) -> None:
    jd = {
        "jingdong_pop_order_get_responce": {
            "code": "0",
            "orderDetailInfo": {"orderInfo": {"orderId": "281046817987", "orderTotalPrice": ["?"]}},
        }
    }
    youzan = {
        "data": {"full_order_info": {"order_info": {"tid": "E2026000001", "created": []}, "orders": []}}
    }
    erp = {
        "platform": "jd",
        "raw_data": json.dumps({"orderInfo": {"orderId": 301234567890, "itemInfoList": 5}}),
    }
    out = receive_batch(
        world, [Push("jd", json.dumps(jd)), Push("youzan", json.dumps(youzan)), Push("jd", json.dumps(erp))]
    )
    assert all(isinstance(r, Receipt) and r.outcome is ChannelOutcome.DEAD_LETTERED for r in out), out
    labels = {(d["channel"], d["external_id"]) for d in dead_letters(world)}
    assert labels == {("jd", "281046817987"), ("youzan", "E2026000001"), ("jd", "301234567890")}
