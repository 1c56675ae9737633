// Customer segments (客户分群): the six high-value groups of the value model and the rest, each
// with its customers, share and spend; the R × F grid; each group's top customers by spend
// (name and phone masked by the server) with a link to the customer's orders. A customer's
// page (#/segments/customer/REF) lists their orders, each linking to the order's page.
import { api } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtPct, fmtTime, lang, t, yuan } from "../i18n.js";

const TOP = 10;
const name = (g) => (lang() === "zh" ? g.zh : g.en);
const about = (g) => (lang() === "zh" ? g.about_zh : g.about_en);

export async function render(root, ctx, args) {
  if (args[0] === "customer" && args[1]) return customer(root, args[1]);
  const data = await api("/api/v1/segments", { query: { top: TOP } });
  root.append(
    h("h1", {}, t("nav.segments")),
    h("p", { class: "muted", id: "segments-as-of" },
      t("segments.as_of", { n: fmtNum(data.customers), at: fmtTime(data.as_of) })),
    h("div", { class: "kpis", id: "segment-cards" }, data.groups.map((g) =>
      h("div", { class: "kpi segment-card", dataset: { segment: g.id } },
        h("div", { class: "kpi-label" }, name(g)),
        h("div", { class: "kpi-value" }, fmtNum(g.customers)),
        h("div", { class: "muted" }, `${fmtPct(g.share)} · ${yuan(g.spend_fen)}`),
        h("div", { class: "muted small" }, about(g))))),
    h("div", { class: "grid2" }, grid(data), thresholds(data.model.rfm)),
    ...data.groups.map((g) => leaders(g)),
  );
}

function grid(data) {
  const cells = new Map(data.rfm_grid.map((c) => [`${c.r}:${c.f}`, c]));
  const most = Math.max(1, ...data.rfm_grid.map((c) => c.customers));
  const F = [1, 2, 3, 4, 5];
  return h("section", { class: "card", id: "rfm-grid" },
    h("h2", {}, t("segments.grid")),
    table([`R \\ F`, ...F.map((f) => `F${f}`)],
      [5, 4, 3, 2, 1].map((r) => h("tr", {}, h("th", {}, `R${r}`), F.map((f) => {
        const c = cells.get(`${r}:${f}`);
        const share = c ? c.customers / most : 0;
        return h("td", {
          class: "num", dataset: { r, f }, title: c ? `${fmtNum(c.customers)} · ${yuan(c.spend_fen)}` : "",
          style: `background: rgba(37, 99, 235, ${(share * 0.45).toFixed(2)})`,
        }, c ? fmtNum(c.customers) : "·");
      }))), { class: "data" }),
    h("p", { class: "muted" }, t("segments.grid_hint")));
}

function thresholds(rfm) {
  const days = rfm.recency_days.map((d) => `≤ ${d}`);
  const orders = rfm.frequency.map((n) => `≥ ${n}`);
  const money = rfm.monetary_fen.map((f) => `≥ ${yuan(f)}`);
  return h("section", { class: "card", id: "rfm-thresholds" },
    h("h2", {}, t("segments.thresholds")),
    table([t("segments.score"), "2", "3", "4", "5"], [
      h("tr", {}, h("th", {}, t("segments.r")), days.map((x) => h("td", {}, x))),
      h("tr", {}, h("th", {}, t("segments.f")), orders.map((x) => h("td", {}, x))),
      h("tr", {}, h("th", {}, t("segments.m")), money.map((x) => h("td", {}, x))),
    ], { class: "data" }));
}

function leaders(g) {
  const top = g.top || [];
  return h("section", { class: "card segment-top", id: `segment-${g.id}` },
    h("h2", {}, name(g), " ", h("span", { class: "badge" }, fmtNum(g.customers))),
    top.length ? table(
      [t("segments.customer"), t("segments.name"), t("segments.phone"), t("orders.channel"), t("segments.orders"),
        t("segments.spend"), t("segments.return_rate"), t("segments.recency"), "RFM", ""],
      top.map((c) => h("tr", { dataset: { customer: c.customer_ref } },
        h("td", {}, h("code", {}, c.customer_ref)),
        h("td", { class: "masked-name" }, c.name || "—"),
        h("td", { class: "masked-phone" }, c.phone || "—"),
        h("td", {}, c.channel ? t(`channel.${c.channel}`) : "—"),
        h("td", { class: "num" }, fmtNum(c.orders)),
        h("td", { class: "num" }, yuan(c.spend_fen)),
        h("td", { class: "num" }, fmtPct(c.return_rate)),
        h("td", { class: "num" }, c.recency_days === null ? "—" : t("segments.days", { n: c.recency_days })),
        h("td", {}, h("code", {}, c.rfm)),
        h("td", {}, h("a", { class: "customer-orders", href: `#/segments/customer/${encodeURIComponent(c.customer_ref)}` },
          t("segments.see_orders"))))),
      { class: "data" }) : h("p", { class: "muted" }, t("segments.empty")));
}

async function customer(root, ref) {
  const page = await api("/api/v1/orders", { query: { customer_ref: ref, limit: 100 } });
  const orders = page.orders || page.items || [];
  root.append(
    h("p", {}, h("a", { href: "#/segments" }, `← ${t("nav.segments")}`)),
    h("h1", {}, t("segments.customer_orders", { ref })),
    orders.length ? table(
      [t("segments.order"), t("orders.channel"), t("segments.placed"), t("segments.amount"), t("segments.status")],
      orders.map((o) => h("tr", {},
        h("td", {}, h("a", { href: `#/orders/${encodeURIComponent(o.id)}` }, o.id)),
        h("td", {}, t(`channel.${o.channel}`)),
        h("td", {}, fmtTime(o.placed_at)),
        h("td", { class: "num" }, yuan(o.total_fen)),
        h("td", {}, t(`status.${o.status}`)))),
      { class: "data", id: "customer-orders" }) : h("p", { class: "muted", id: "customer-orders" }, t("segments.no_orders")));
}
