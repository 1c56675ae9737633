"""What a playbook step did, in the words an operations team uses (Chinese and English).

The queue stores a step's result as codes (``remind_warehouse`` / ``done``); people read
"已催仓 / reminded the warehouse" and "重试锁库存失败 / retrying the stock lock failed".
Pure data: the service adds ``text`` to each step it shows.
"""

from __future__ import annotations

from collections.abc import Mapping

from ordo.domain.incidents.playbooks import STEP_LABELS, Step, StepOutcome

# (done, failed) per step, as (English, Chinese).
_RESULTS: Mapping[Step, tuple[tuple[str, str], tuple[str, str]]] = {
    Step.RETRY_STOCK_LOCK: (
        ("stock locked on retry", "重试锁库存成功"),
        ("retrying the stock lock failed", "重试锁库存失败"),
    ),
    Step.REROUTE: (
        ("moved to another warehouse", "已改派其他仓"),
        ("no other warehouse could take it", "改派失败：无其他仓可发"),
    ),
    Step.SWITCH_CARRIER: (
        ("switched to another carrier", "已更换快递"),
        ("switching carrier failed", "更换快递失败"),
    ),
    Step.RECOMPUTE_PROMISE: (
        ("new promise date told to the customer", "已重算承诺时效并告知客户"),
        ("recomputing the promise failed", "重算承诺时效失败"),
    ),
    Step.ISSUE_COUPON: (
        ("compensation coupon issued", "已发补偿券"),
        ("issuing the coupon failed", "发放补偿券失败"),
    ),
    Step.NOTIFY_CUSTOMER: (
        ("customer notified", "已通知客户"),
        ("notifying the customer failed", "通知客户失败"),
    ),
    Step.NOTIFY_OPS: (("operations notified", "已通知运营"), ("notifying operations failed", "通知运营失败")),
    Step.REMIND_WAREHOUSE: (
        ("reminded the warehouse", "已催仓"),
        ("reminding the warehouse failed", "催仓失败"),
    ),
    Step.RESEND_WAYBILL: (
        ("waybill request sent again", "已重推面单"),
        ("resending the waybill request failed", "重推面单失败"),
    ),
    Step.QUARANTINE: (
        ("parcel quarantined", "已隔离问题包裹"),
        ("quarantining the parcel failed", "隔离包裹失败"),
    ),
    Step.RESHIP: (("replacement goods shipped", "已补发"), ("re-shipping failed", "补发失败")),
    Step.INTERCEPT: (
        ("warehouse asked to intercept", "已通知仓库拦截"),
        ("asking the warehouse to intercept failed", "通知仓库拦截失败"),
    ),
}


def step_text(step: str, outcome: str) -> dict[str, str]:
    """``{"en": …, "zh": …}`` for one step's result; an unknown code is shown as it is."""
    try:
        s, o = Step(step), StepOutcome(outcome)
    except ValueError:
        return {"en": f"{step}: {outcome}", "zh": f"{step}：{outcome}"}
    done, failed = _RESULTS[s]
    if o is StepOutcome.DONE:
        en, zh = done
    elif o is StepOutcome.FAILED:
        en, zh = failed
    else:
        label_en, label_zh = STEP_LABELS[s]
        en, zh = f"{label_en}: not applicable, skipped", f"{label_zh}：不适用，已跳过"
    return {"en": en, "zh": zh}
