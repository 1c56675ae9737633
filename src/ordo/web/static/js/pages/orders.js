// Orders: search with filters, and one order's detail with its 17-milestone timeline,
// events and the actions the caller's role allows.
import { api } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtTime, pick, t, yuan } from "../i18n.js";
import { HOLD_KINDS, holdActions, holdBadge } from "./holds.js";
import { routingPanel } from "./routing.js";

export const CHANNELS = ["taobao", "tmall", "jd", "douyin", "pinduoduo", "kuaishou", "wechat_channels", "youzan", "xiaohongshu", "wechat_mp", "pos", "b2b", "api"];
export const STATUSES = [
  "pending_payment", "paid", "processing", "in_warehouse", "shipped", "in_transit", "out_for_delivery",
  "delivered", "completed", "returning", "returned", "cancelled", "refunded",
];
export const MILESTONES = [
  "created", "paid", "risk_checked", "reviewed", "stock_locked", "routed", "released_to_warehouse", "picked",
  "packed", "waybill_issued", "outbound", "collected", "departed", "in_transit", "out_for_delivery", "delivered",
  "completed",
];

function select(name, values, labelOf) {
  return h("select", { name }, h("option", { value: "" }, t("common.all")), values.map((v) => h("option", { value: v }, labelOf(v))));
}

// datetime-local values are read as China Standard Time, as the API's times are.
const cst = (v) => (v ? `${v}:00+08:00` : "");

export async function render(root, ctx, args) {
  if (args[0]) return detail(root, ctx, args[0]);
  const { warehouses } = await api("/api/v1/warehouses");
  const form = h(
    "form",
    { class: "filters", id: "order-filters" },
    h("label", {}, t("orders.channel"), select("channel", CHANNELS, (c) => t(`channel.${c}`))),
    h("label", {}, t("orders.status"), select("status", STATUSES, (s) => t(`status.${s}`))),
    h("label", {}, t("orders.warehouse"), select("warehouse_id", warehouses.map((w) => w.id), (id) => warehouses.find((w) => w.id === id).name)),
    h("label", {}, t("orders.region"), h("input", { name: "province", placeholder: "浙江省" })),
    h("label", {}, t("orders.tag"), h("input", { name: "tag" })),
    h("label", {}, t("hold.filter"), select("hold", ["any", ...HOLD_KINDS], (k) => t(k === "any" ? "hold.filter_any" : `hold.kind.${k}`))),
    h("label", {}, t("orders.from"), h("input", { name: "created_from", type: "datetime-local" })),
    h("label", {}, t("orders.to"), h("input", { name: "created_to", type: "datetime-local" })),
    h("button", { type: "submit" }, t("common.search")),
  );
  const results = h("div", { id: "order-results" });
  const more = h("button", { type: "button", class: "ghost", hidden: true }, t("common.more"));
  root.append(h("h1", {}, t("nav.orders")), form, results, more);
  let cursor = null;
  let rows = [];

  async function load(reset) {
    const f = new FormData(form);
    const hold = f.get("hold");
    // Held orders come from their own index (GET /api/v1/holds): kind, channel and region apply there.
    const held = hold ? { kind: hold === "any" ? null : hold, channel: f.get("channel"), province: f.get("province").trim(), limit: 50, cursor: reset ? null : cursor } : null;
    const query = {
      channel: f.get("channel"), status: f.get("status"), warehouse_id: f.get("warehouse_id"),
      province: f.get("province").trim(), tag: f.get("tag").trim(),
      created_from: cst(f.get("created_from")), created_to: cst(f.get("created_to")),
      limit: 50, cursor: reset ? null : cursor,
    };
    const started = performance.now();
    const page = held ? await api("/api/v1/holds", { query: held }) : await api("/api/v1/orders", { query });
    rows = reset ? page.orders : rows.concat(page.orders);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    clear(results).append(
      h("p", { class: "muted", id: "order-count" }, t("orders.found", { n: rows.length, ms: Math.round(performance.now() - started) })),
      table(
        [t("orders.id"), t("orders.channel"), t("orders.status"), t("orders.warehouse"), t("orders.region"), t("orders.total"), t("orders.placed")],
        rows.map((o) =>
          h(
            "tr",
            {},
            h("td", {}, h("a", { href: `#/orders/${encodeURIComponent(o.id)}` }, o.id)),
            h("td", {}, t(`channel.${o.channel}`)),
            h("td", {}, h("span", { class: `status s-${o.status}` }, t(`status.${o.status}`))),
            h("td", {}, o.warehouse_id || (o.hold_reason ? "" : "—"), o.warehouse_id && o.hold_reason ? " " : "", holdBadge(o.hold_reason)),
            h("td", {}, `${o.province}${o.city}`),
            h("td", { class: "num" }, yuan(o.total_fen)),
            h("td", {}, fmtTime(o.placed_at)),
          ),
        ),
        { class: "data", id: "orders-table" },
      ),
    );
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    load(true);
  });
  more.addEventListener("click", () => load(false));
  await load(true);
}

async function detail(root, ctx, orderId, said = "") {
  const [o, tl] = await Promise.all([
    api(`/api/v1/orders/${encodeURIComponent(orderId)}`),
    api(`/api/v1/orders/${encodeURIComponent(orderId)}/timeline`),
  ]);
  const reached = Object.fromEntries(tl.entries.filter((e) => e.kind === "milestone").map((e) => [e.milestone, e]));
  const steps = MILESTONES.map((m, i) => {
    const e = reached[m];
    return h(
      "li",
      { class: e ? "done" : "todo", dataset: { milestone: m } },
      h("span", { class: "step-no" }, String(i + 1)),
      h("span", { class: "step-name" }, t(`ms.${m}`)),
      h("span", { class: "step-when" }, e ? fmtTime(e.at) : "—"),
      h("span", { class: "step-source" }, e ? t("orders.reported_by", { source: e.source }) : ""),
    );
  });
  const side = tl.entries.filter((e) => e.kind === "milestone" && !MILESTONES.includes(e.milestone));
  const others = tl.entries.filter((e) => e.kind !== "milestone");
  const message = h("p", { class: "notice", role: "status", id: "action-result" }, said);
  const actions = h("div", { class: "actions" });
  const reason = h("input", { id: "cancel-reason", placeholder: t("orders.cancel_reason") });
  if (ctx.can("orders_cancel") && !["cancelled", "refunded", "returned", "completed"].includes(o.status)) {
    actions.append(
      reason,
      h("button", {
        type: "button", class: "danger", id: "cancel-order",
        onclick: async () => {
          try {
            const r = await api(`/api/v1/orders/${encodeURIComponent(orderId)}/cancel`, {
              method: "POST", body: { reason: reason.value.trim() || t("orders.cancel_default") },
            });
            message.textContent = t("orders.cancelled", { status: t(`status.${r.status}`) });
          } catch (e) {
            message.textContent = e.message;
          }
        },
      }, t("orders.cancel")),
    );
  }
  // After a hold, release or new address the whole page is drawn again from the server.
  const redraw = async (text) => detail(clear(root), ctx, orderId, text);
  const holdRows = holdActions(o, ctx, message, redraw);
  actions.append(
    h("button", {
      type: "button", class: "ghost", id: "tracking-link",
      onclick: async () => {
        const r = await api(`/api/v1/orders/${encodeURIComponent(orderId)}/tracking`);
        message.replaceChildren(t("orders.tracking_link"), " ", h("a", { href: r.url, target: "_blank", id: "tracking-url" }, location.origin + r.url));
      },
    }, t("orders.get_tracking")),
  );
  root.append(
    h("p", {}, h("a", { href: "#/orders" }, `← ${t("nav.orders")}`)),
    h("h1", {}, `${t("orders.order")} ${o.id}`, h("span", { class: `status s-${o.status}` }, t(`status.${o.status}`))),
    h(
      "div",
      { class: "grid2" },
      h(
        "dl",
        { class: "card facts" },
        h("dt", {}, t("orders.channel")), h("dd", {}, `${t(`channel.${o.channel}`)} · ${o.external_id}`),
        h("dt", {}, t("orders.warehouse")), h("dd", { id: "order-warehouse" }, o.warehouse_id || (o.hold_reason ? "" : "—"), o.warehouse_id && o.hold_reason ? " " : "", holdBadge(o.hold_reason)),
        h("dt", {}, t("orders.recipient")), h("dd", { id: "recipient" }, `${o.recipient_name} ${o.recipient_phone}`),
        h("dt", {}, t("orders.address")), h("dd", { id: "order-address" }, `${o.province}${o.city}${o.district} ${o.detail}`),
        h("dt", {}, t("orders.total")), h("dd", {}, yuan(o.total_fen)),
        h("dt", {}, t("orders.promised")), h("dd", {}, fmtTime(o.promised_at)),
        h("dt", {}, t("orders.tags")), h("dd", {}, (o.tags || []).join(", ") || "—"),
      ),
      h("div", { class: "card" }, h("h3", {}, t("orders.actions")), actions, holdRows, message),
    ),
    h("div", { class: "card" }, h("h3", {}, t("orders.timeline")), h("ol", { class: "milestones", id: "milestones" }, steps)),
    routingPanel(orderId, ctx),
    side.length ? h("div", { class: "card" }, h("h3", {}, t("orders.side_states")), h("ul", {}, side.map((e) => h("li", {}, `${pick(e.label)} · ${fmtTime(e.at)} · ${e.source}`)))) : "",
    h(
      "div",
      { class: "card" },
      h("h3", {}, t("orders.events")),
      table(
        [t("orders.when"), t("orders.kind"), t("orders.what")],
        others.map((e) => h("tr", {}, h("td", {}, fmtTime(e.at)), h("td", {}, t(`kind.${e.kind}`)), h("td", {}, e.kind === "event" ? e.type : `${e.code}: ${e.message}`))),
        { class: "data" },
      ),
    ),
  );
}
