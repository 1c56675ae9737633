// Risk radar (供应链风险雷达): live outside events over the warehouses on the China map, an
// event's exposure (open orders and parcels in transit by channel and region, promises at
// risk, money at stake, the first exposed orders), a feed document read in, and the
// disposal plan: propose → approve (by the tier's role, never one's own) → execute → revert.
// Data from /api/v1/risk only; the server checks every role and step again.
import { api, ApiError } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtTime, pick, t, yuan } from "../i18n.js";

const OPERATORS = ["ops", "admin"];
const WRITERS = ["ops", "admin", "risk"];
const SEVERITY_COLOUR = { minor: "#4dabf7", moderate: "#fab005", severe: "#fd7e14", extreme: "#e03131" };

function message(el, e) {
  el.textContent = e instanceof ApiError ? e.message : String(e && e.message ? e.message : e);
  el.dataset.state = "error";
}

function mapOption(radar) {
  const covered = new Set(radar.events.flatMap((e) => e.covered.warehouses));
  const areas = radar.events.filter((e) => e.outline && e.outline.length > 2);
  return {
    animation: false,
    tooltip: { trigger: "item" },
    geo: { map: "china", roam: true, itemStyle: { areaColor: "#eef2f7" } },
    series: [
      {
        id: "events",
        name: t("risk.events"),
        type: "lines",
        coordinateSystem: "geo",
        polyline: true,
        silent: true,
        lineStyle: { width: 2, opacity: 0.9 },
        data: areas.map((e) => ({ name: e.title, coords: [...e.outline, e.outline[0]],
          lineStyle: { color: SEVERITY_COLOUR[e.severity] || "#e03131" } })),
      },
      {
        id: "warehouses",
        name: t("risk.warehouses"),
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 9,
        label: { show: true, position: "right", formatter: "{b}", fontSize: 11 },
        labelLayout: { hideOverlap: true },
        data: radar.warehouses.map((w) => ({
          name: w.name, value: [w.lng, w.lat], itemStyle: { color: covered.has(w.id) ? "#e03131" : "#2b8a3e" },
        })),
      },
    ],
  };
}

function totalsCard(totals) {
  const cell = (key, value) => h("div", { class: "kpi", dataset: { key } }, h("div", { class: "kpi-label" }, t(`risk.${key}`)),
    h("div", { class: "kpi-value" }, value));
  return h("div", { class: "kpis", id: "risk-totals" },
    cell("orders", fmtNum(totals.orders)), cell("open", fmtNum(totals.open)), cell("in_transit", fmtNum(totals.in_transit)),
    cell("promises_at_risk", fmtNum(totals.promises_at_risk)), cell("money", yuan(totals.money_fen)));
}

function planCard(plan, ctx, reload) {
  const out = h("p", { class: "notice", role: "status", id: "plan-result" });
  const act = async (verb) => {
    try {
      const got = await api(`/api/v1/risk/plans/${encodeURIComponent(plan.id)}/${verb}`, { method: "POST", body: {} });
      out.textContent = t(`risk.plan_${got.status}`);
      out.dataset.state = got.status;
      await reload(got);
    } catch (e) {
      message(out, e);
    }
  };
  const role = ctx.me.role;
  const buttons = [];
  if (plan.status === "proposed") buttons.push(h("button", { id: "plan-approve", onclick: () => act("approve") }, t("risk.approve")));
  if (plan.status === "approved" && OPERATORS.includes(role)) buttons.push(h("button", { id: "plan-execute", onclick: () => act("execute") }, t("risk.execute")));
  if (plan.status === "executed" && OPERATORS.includes(role)) buttons.push(h("button", { id: "plan-revert", class: "ghost", onclick: () => act("revert") }, t("risk.revert")));
  const rows = plan.actions.slice(0, 200).map((a) => h("tr", { dataset: { order: a.order_id, action: a.action } },
    h("td", {}, h("a", { href: `#/orders/${a.order_id}` }, a.order_id)),
    h("td", {}, t(`risk.action.${a.action}`)),
    h("td", {}, `${a.from_warehouse || "—"} → ${a.to_warehouse || "—"}`),
    h("td", {}, a.to_carrier || "—"),
    h("td", {}, yuan(a.cost_delta_fen)),
    h("td", {}, a.hours_delta === null ? "—" : `${a.hours_delta > 0 ? "+" : ""}${a.hours_delta} h`),
    h("td", {}, yuan(a.total_fen))));
  const done = plan.result && plan.result.done !== undefined ? t("risk.plan_done", { done: plan.result.done, refused: plan.result.refused }) : "";
  return h("div", { class: "card", id: "plan", dataset: { status: plan.status, tier: plan.tier } },
    h("h3", {}, `${t("risk.plan")} ${plan.id}`),
    h("p", {}, h("span", { id: "plan-status" }, t(`risk.plan_${plan.status}`)), " · ",
      h("span", { id: "plan-tier" }, t("risk.tier", { tier: plan.tier })), " · ",
      t("risk.plan_summary", { orders: plan.orders, money: yuan(plan.money_fen), cost: yuan(plan.cost_delta_fen) })),
    plan.result && plan.result.escalated ? h("p", { class: "muted" }, plan.result.escalated) : "",
    done ? h("p", { id: "plan-done" }, done) : "",
    h("div", { class: "actions" }, buttons), out,
    table([t("risk.order"), t("risk.action"), t("risk.move"), t("risk.carrier"), t("risk.cost_delta"), t("risk.time_delta"), t("risk.money")],
      rows, { id: "plan-actions" }));
}

async function showEvent(panel, ctx, id, redraw) {
  clear(panel);
  const scan = await api(`/api/v1/risk/events/${encodeURIComponent(id)}/impact`);
  const ev = scan.event;
  const note = h("p", { class: "notice", role: "status", id: "event-result" });
  const planBox = h("div", { id: "plan-box" });
  const showPlan = async (plan) => {
    const full = await api(`/api/v1/risk/plans/${encodeURIComponent(plan.id)}`);
    planBox.replaceChildren(planCard(full, ctx, showPlan));
  };
  const buttons = [];
  if (OPERATORS.includes(ctx.me.role) && ev.active) {
    buttons.push(h("button", { id: "propose-plan", onclick: async () => {
      try {
        await showPlan(await api(`/api/v1/risk/events/${encodeURIComponent(id)}/plans`, { method: "POST", body: {} }));
      } catch (e) {
        message(note, e);
      }
    } }, t("risk.propose")));
  }
  if (WRITERS.includes(ctx.me.role) && ev.status !== "restored") {
    buttons.push(h("button", { id: "end-event", class: "ghost", onclick: async () => {
      try {
        await api(`/api/v1/risk/events/${encodeURIComponent(id)}/end`, { method: "POST", body: {} });
        await redraw(id);
      } catch (e) {
        message(note, e);
      }
    } }, t("risk.end")));
  }
  const region = scan.by_region.map((r) => h("tr", {}, h("td", {}, pick(r.province) || r.province.zh || "—"),
    h("td", {}, fmtNum(r.orders)), h("td", {}, fmtNum(r.promises_at_risk)), h("td", {}, yuan(r.money_fen))));
  const channel = scan.by_channel.map((r) => h("tr", {}, h("td", {}, t(`channel.${r.channel}`)),
    h("td", {}, fmtNum(r.orders)), h("td", {}, fmtNum(r.promises_at_risk)), h("td", {}, yuan(r.money_fen))));
  const origin = scan.by_warehouse.map((r) => h("tr", { dataset: { warehouse: r.warehouse_id } }, h("td", {}, r.warehouse_id),
    h("td", {}, fmtNum(r.orders)), h("td", {}, fmtNum(r.promises_at_risk)), h("td", {}, yuan(r.money_fen))));
  const orders = scan.orders.map((o) => h("tr", { dataset: { order: o.id } },
    h("td", {}, h("a", { href: `#/orders/${o.id}` }, o.id)), h("td", {}, t(`channel.${o.channel}`)),
    h("td", {}, t(`status.${o.status}`)), h("td", {}, o.warehouse_id || "—"), h("td", {}, `${o.province}${o.city}`),
    h("td", {}, o.promised_at ? fmtTime(o.promised_at) : "—"), h("td", {}, yuan(o.total_fen)),
    h("td", {}, o.why.map((w) => t(`risk.why.${w}`)).join(" / "))));
  // The event's latest plan, whoever proposed it: the next person approves or executes it here.
  const known = await api(`/api/v1/risk/events/${encodeURIComponent(id)}`);
  if (known.plans.length) await showPlan({ id: known.plans[known.plans.length - 1] });
  const heads = [t("risk.region"), t("risk.orders"), t("risk.promises_at_risk"), t("risk.money")];
  panel.append(
    h("div", { class: "card", id: "event", dataset: { id: ev.id, status: ev.status } },
      h("h2", {}, `${pick(ev.kind_label)} · ${ev.title}`),
      h("p", {}, h("span", { id: "event-status" }, t(`risk.status.${ev.status}`)), " · ", t(`risk.severity.${ev.severity}`),
        " · ", t("risk.window", { from: fmtTime(ev.starts_at), to: ev.ends_at ? fmtTime(ev.ends_at) : "—" }),
        " · ", t("risk.scan_ms", { ms: scan.scan_ms })),
      h("p", { class: "muted" }, t("risk.covered", { warehouses: ev.covered.warehouses.join("、") || "—", n: ev.covered.divisions })),
      h("div", { class: "actions" }, buttons), note, totalsCard(scan.totals),
      h("div", { class: "grid2" },
        table(heads, region, { id: "risk-regions" }),
        table([t("risk.channel"), ...heads.slice(1)], channel, { id: "risk-channels" })),
      origin.length ? h("div", {}, h("h3", {}, t("risk.by_warehouse")),
        table([t("risk.warehouse"), ...heads.slice(1)], origin, { id: "risk-warehouses" })) : "",
      h("h3", {}, t("risk.exposed_orders")),
      table([t("risk.order"), t("risk.channel"), t("risk.order_status"), t("risk.warehouse"), t("risk.region"), t("risk.promise"), t("risk.money"), t("risk.why")],
        orders, { id: "risk-orders" })),
    planBox);
}

export async function render(root, ctx) {
  const charts = window.echarts;
  const panel = h("div", { id: "risk-event" });
  const list = h("div", { id: "risk-list" });
  const feedOut = h("p", { class: "notice", role: "status", id: "feed-result" });
  const feedText = h("textarea", { id: "feed-document", rows: 4, cols: 60, placeholder: t("risk.feed_hint") });
  const feedForm = h("form", { id: "feed-form", class: "card" }, h("h3", {}, t("risk.feed")), feedText,
    h("div", {}, h("button", { type: "submit", id: "feed-submit" }, t("risk.read_feed"))), feedOut);
  root.append(h("h1", {}, t("nav.risk")),
    h("div", { class: "grid2" },
      h("div", { class: "card" }, h("h3", {}, t("risk.map")), h("div", { id: "risk-map", class: "chart tall" })), list),
    WRITERS.includes(ctx.me.role) ? feedForm : "", panel);
  if (!charts) root.prepend(h("p", { class: "notice" }, t("overview.no_charts")));
  const map = charts ? charts.init(document.getElementById("risk-map")) : null;

  async function redraw(selected) {
    const radar = await api("/api/v1/risk/radar");
    if (map) map.setOption(mapOption(radar), true);
    const rows = radar.events.map((e) => h("tr", { dataset: { id: e.id, kind: e.kind } },
      h("td", {}, h("a", { href: "#", class: "event-link", onclick: (ev) => {
        ev.preventDefault();
        showEvent(panel, ctx, e.id, redraw).catch((err) => message(feedOut, err));
      } }, `${pick(e.kind_label)} · ${e.title}`)),
      h("td", {}, t(`risk.severity.${e.severity}`)), h("td", {}, t(`risk.status.${e.status}`)),
      h("td", {}, fmtNum(e.totals.orders)), h("td", {}, yuan(e.totals.money_fen))));
    list.replaceChildren(h("div", { class: "card" }, h("h3", {}, t("risk.live_events")),
      rows.length ? table([t("risk.event"), t("risk.severity"), t("risk.status"), t("risk.orders"), t("risk.money")], rows, { id: "risk-events" })
        : h("p", { class: "muted", id: "risk-none" }, t("risk.none"))));
    if (selected) await showEvent(panel, ctx, selected, redraw);
  }

  feedForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const got = await api("/api/v1/risk/feeds", { method: "POST", body: { document: feedText.value } });
      feedOut.textContent = t("risk.feed_read", { n: got.events.length });
      feedOut.dataset.state = "ok";
      feedText.value = "";
      await redraw(got.events.length ? got.events[0].id : null);
    } catch (e) {
      message(feedOut, e);
    }
  });
  await redraw(null);
  const resize = () => map && map.resize();
  window.addEventListener("resize", resize);
  return () => {
    window.removeEventListener("resize", resize);
    if (map) map.dispose();
  };
}
