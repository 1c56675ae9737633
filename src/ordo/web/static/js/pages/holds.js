// Hold, release and address correction on the order page (ops and admins only), and the
// labels of hold reasons for the order list's held-orders filter. The server checks the
// role and the order's state again; this only leaves out what the caller cannot do.
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export const HOLD_KINDS = ["address", "no_stock", "review", "manual", "merge_window"];
const ACTORS = ["ops", "admin"];
// Once any of these is recorded the order can no longer be held, released or re-addressed.
const FINAL = [
  "outbound", "collected", "departed", "in_transit", "out_for_delivery", "delivered", "completed",
  "cancelled", "return_requested", "returned", "refunded",
];

export function holdKind(reason) {
  if (!reason) return null;
  return reason === "address_unresolved" ? "address" : reason.split(":")[0];
}

// "人工挂起：渠道暂停" from "manual:渠道暂停"; the plain label when the reason has no text.
export function holdLabel(reason) {
  const kind = holdKind(reason);
  if (!kind) return "";
  const cut = reason.indexOf(":");
  const label = HOLD_KINDS.includes(kind) ? t(`hold.kind.${kind}`) : kind;
  return cut >= 0 ? `${label}：${reason.slice(cut + 1)}` : label;
}

export function holdBadge(reason) {
  return reason ? h("span", { class: `hold-badge h-${holdKind(reason)}` }, holdLabel(reason)) : "";
}

// The rows of actions the caller may take on order ``o``; [] for viewers and finished orders.
// ``done(text)`` is called after a change (the page re-renders and shows ``text``).
export function holdActions(o, ctx, message, done) {
  if (!ctx.me || !ACTORS.includes(ctx.me.role)) return [];
  const steps = new Set((o.milestones || []).map((m) => m.milestone));
  if (FINAL.some((m) => steps.has(m))) return [];
  const path = `/api/v1/orders/${encodeURIComponent(o.id)}`;
  const kind = holdKind(o.hold_reason);

  async function act(button, call, said) {
    button.disabled = true;
    try {
      const r = await call();
      await done(said(r));
    } catch (e) {
      message.textContent = e instanceof ApiError && e.status === 409 ? `${t("hold.refused")} ${e.message}` : e.message;
    } finally {
      button.disabled = false;
    }
  }

  const rows = [];
  if (!kind) {
    const reason = h("input", { id: "hold-reason", placeholder: t("hold.reason") });
    const free = h("input", { type: "checkbox", id: "hold-free-stock" });
    const button = h("button", { type: "button", class: "warn", id: "hold-order" }, t("hold.hold"));
    button.addEventListener("click", () => {
      const text = reason.value.trim();
      if (!text) {
        message.textContent = t("hold.reason_needed");
        return;
      }
      const body = { reason: text, release_stock: free.checked };
      act(button, () => api(`${path}/hold`, { method: "POST", body }), () => t("hold.held"));
    });
    rows.push(h("div", { class: "actions", id: "hold-actions" }, reason, h("label", { class: "check" }, free, t("hold.free_stock")), button));
  } else if (kind === "manual" || kind === "review") {
    const button = h("button", { type: "button", id: "release-order" }, t("hold.release"));
    button.addEventListener("click", () =>
      act(
        button,
        () => api(`${path}/release`, { method: "POST", body: {} }),
        (r) => (r.warehouse_id ? t("hold.released_to", { to: r.warehouse_id }) : r.hold_reason ? t("hold.released_no_stock") : t("hold.released")),
      ),
    );
    rows.push(h("div", { class: "actions", id: "release-actions" }, holdBadge(o.hold_reason), button));
  } else {
    rows.push(h("div", { class: "actions" }, holdBadge(o.hold_reason), h("span", { class: "muted" }, t(`hold.hint.${kind === "address" ? "address" : "stock"}`))));
  }
  rows.push(addressForm(o, path, kind === "address", act));
  return rows;
}

function addressForm(o, path, open, act) {
  const input = (name, value, attrs = {}) => h("input", { name, value: value || "", ...attrs });
  const submit = h("button", { type: "submit", id: "correct-address" }, t("hold.correct"));
  const fields = [
    ["province", o.province], ["city", o.city], ["district", o.district], ["detail", o.detail],
    ["receiver", o.recipient_name], ["phone", o.recipient_phone],
  ];
  const form = h(
    "form",
    { class: "filters address-form", id: "address-form", hidden: !open },
    fields.map(([name, value]) => h("label", {}, t(`hold.field.${name}`), input(name, value, name === "detail" ? { size: 30 } : {}))),
    submit,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const body = {};
    for (const name of ["province", "city", "district", "detail"]) body[name] = f.get(name).trim();
    // Receiver and phone go only when changed: the page may show them masked.
    if (f.get("receiver").trim() !== (o.recipient_name || "")) body.receiver = f.get("receiver").trim();
    if (f.get("phone").trim() !== (o.recipient_phone || "")) body.phone = f.get("phone").trim();
    act(
      submit,
      () => api(`${path}/address`, { method: "PUT", body }),
      (r) => (r.routing_attempt && r.warehouse_id ? t("hold.address_routed", { to: r.warehouse_id }) : t("hold.address_fixed")),
    );
  });
  const toggle = h("button", { type: "button", class: "ghost", id: "address-toggle", hidden: open }, t("hold.correct_open"));
  toggle.addEventListener("click", () => {
    form.hidden = false;
    toggle.hidden = true;
  });
  return h("div", { id: "address-actions" }, toggle, form);
}
