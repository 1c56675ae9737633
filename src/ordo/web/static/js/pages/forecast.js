// Demand forecast (需求预测): pick a warehouse and a target days of cover; every SKU it sold
// in the history gets its forecast for the next 72 hours and 14 days, the stock on hand and
// available, the predicted stock risk (预测库存风险, SKUs most at risk first) and the units to
// replenish to reach the target cover. Products and warehouses are shown by name.
import { api } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtTime, pick, t } from "../i18n.js";

// Kept across re-renders (a language switch re-renders the page).
const state = { warehouse: "", days: 14 };

async function stockOf(warehouseId) {
  const out = new Map();
  let cursor = null;
  for (let i = 0; i < 20; i++) {
    const page = await api("/api/v1/inventory", { query: { warehouse_id: warehouseId, limit: 500, cursor } });
    for (const s of page.items) out.set(s.sku, s);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export async function render(root, ctx, args) {
  const { warehouses } = await api("/api/v1/warehouses");
  if (args && args[0]) state.warehouse = decodeURIComponent(args[0]);
  if (!warehouses.some((w) => w.id === state.warehouse)) state.warehouse = warehouses.length ? warehouses[0].id : "";
  const names = Object.fromEntries(warehouses.map((w) => [w.id, w.name]));
  const select = h("select", { name: "warehouse_id", id: "forecast-warehouse" },
    warehouses.map((w) => h("option", { value: w.id, selected: w.id === state.warehouse }, `${w.name} (${w.id})`)));
  const days = h("input", { type: "number", name: "target_days", id: "forecast-days", min: 1, max: 90, step: 1, value: state.days });
  const form = h("form", { class: "filters", id: "forecast-form" },
    h("label", {}, t("orders.warehouse"), select),
    h("label", {}, t("forecast.target_days"), days),
    h("button", { type: "submit" }, t("forecast.run")));
  const message = h("p", { class: "notice", role: "status", id: "forecast-message" });
  const out = h("div", { id: "forecast-results" });
  root.append(h("h1", {}, t("nav.forecast")), h("p", { class: "muted" }, t("forecast.intro")), form, message, out);

  let seq = 0;
  async function load() {
    const n = Number(days.value);
    if (!Number.isInteger(n) || n < 1 || n > 90) {
      message.textContent = t("forecast.bad_days");
      return;
    }
    message.textContent = "";
    state.warehouse = select.value;
    state.days = n;
    const mine = ++seq;
    out.dataset.state = "loading";
    const [data, stock] = await Promise.all([
      api(`/api/v1/forecast/warehouses/${encodeURIComponent(state.warehouse)}`, { query: { target_days: n } }),
      stockOf(state.warehouse),
    ]);
    if (mine !== seq) return;
    clear(out).append(...view(data, stock, names));
    out.dataset.state = "ready";
    out.dataset.targetDays = String(data.target_days);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    load().catch((err) => { message.textContent = err.message; });
  });
  select.addEventListener("change", () => load().catch((err) => { message.textContent = err.message; }));
  days.addEventListener("change", () => load().catch((err) => { message.textContent = err.message; }));
  if (state.warehouse) await load();
  else out.append(h("p", { class: "muted", id: "forecast-empty" }, t("forecast.no_warehouses")));
}

function view(data, stock, names) {
  const wh = names[data.warehouse_id] || data.warehouse_id;
  const c = data.risk_counts || {};
  const head = [
    h("p", { class: "muted", id: "forecast-as-of" },
      t("forecast.as_of", { wh, from: fmtTime(data.first_day), history: data.history_days, target: data.target_days })),
    h("div", { class: "kpis", id: "forecast-counts" }, ["high", "medium", "low", "none"].map((level) =>
      h("div", { class: "kpi", dataset: { risk: level } },
        h("div", { class: "kpi-label" }, t(`forecast.risk_${level}`)),
        h("div", { class: "kpi-value" }, fmtNum(c[level] || 0))))),
  ];
  if (!data.items.length) {
    return [...head, h("p", { class: "muted", id: "forecast-empty" }, t("forecast.empty", { wh }))];
  }
  const name = (sku) => (stock.get(sku) || {}).name;
  const product = (sku) => (name(sku) ? [h("span", {}, name(sku)), " ", h("code", {}, sku)] : h("code", {}, sku));
  const daily = (xs) => xs.map((x) => fmtNum(x, 1)).join(" / ");
  const rows = data.items.map((i) => {
    const s = stock.get(i.sku);
    const level = i.risk.level;
    return h("tr", { class: level === "high" ? "low" : "", dataset: { sku: i.sku, risk: level } },
      h("td", { class: "product" }, product(i.sku)),
      h("td", { class: "num demand-72h", title: daily(i.forecast_72h) }, fmtNum(i.demand_72h, 1)),
      h("td", { class: "num demand-14d", title: daily(i.forecast_14d) }, fmtNum(i.demand_14d, 1)),
      h("td", { class: "num on-hand" }, s ? fmtNum(s.on_hand) : "—"),
      h("td", { class: "num available" }, fmtNum(i.available)),
      h("td", { class: "num cover" }, i.days_of_cover === null ? "—" : t("forecast.days", { n: fmtNum(i.days_of_cover, 1) })),
      h("td", {}, fmtTime(i.runout_at)),
      h("td", { class: "risk" }, h("span", { class: level === "high" || level === "medium" ? "badge warn" : "badge" }, pick(i.risk))),
      h("td", { class: "num suggest" }, fmtNum(i.suggest_units)));
  });
  const repl = data.replenishment.length
    ? table([t("inventory.product"), t("forecast.suggest"), t("forecast.risk")],
      data.replenishment.map((r) => h("tr", { dataset: { sku: r.sku } },
        h("td", {}, product(r.sku)),
        h("td", { class: "num" }, fmtNum(r.units)),
        h("td", {}, t(`forecast.risk_${r.risk}`)))),
      { class: "data", id: "forecast-replenishment" })
    : h("p", { class: "muted", id: "forecast-replenishment" }, t("forecast.no_replenishment", { n: data.target_days }));
  return [
    ...head,
    h("section", { class: "card" },
      h("h2", {}, t("forecast.by_sku", { wh })),
      table([t("inventory.product"), t("forecast.next_hours"), t("forecast.next_days"), t("inventory.on_hand"),
        t("inventory.available"), t("forecast.cover"), t("forecast.runout"), t("forecast.risk"),
        t("forecast.suggest_for", { n: data.target_days })], rows, { class: "data", id: "forecast-table" }),
      h("p", { class: "muted small" }, t("forecast.hint"))),
    h("section", { class: "card" }, h("h2", {}, t("forecast.replenishment", { n: data.target_days })), repl),
  ];
}
