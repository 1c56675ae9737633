// Exceptions: the human queue (filters, assign, acknowledge, resolve, dismiss as a false
// alarm) and per-detector closure and precision, over /api/v1/incidents. Acting needs
// the exceptions_write permission; others see the queue without buttons.
import { api, optional } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtPct, fmtTime, t } from "../i18n.js";

const STATES = ["open", "acknowledged", "auto_resolved", "resolved", "dismissed"];
const DETECTORS = ["sla", "missing_step", "status_conflict", "address", "stock_out", "pickup_failure", "cold_chain"];
const CLOSED = new Set(["auto_resolved", "resolved", "dismissed"]);

function select(name, values, prefix) {
  return h("select", { name }, h("option", { value: "" }, t("common.all")), values.map((v) => h("option", { value: v }, t(`${prefix}.${v}`))));
}

export async function render(root, ctx) {
  root.append(h("h1", {}, t("nav.exceptions")));
  const metrics = await optional("/api/v1/incidents/metrics");
  if (metrics === null) {
    root.append(h("p", { class: "notice", id: "exceptions-absent" }, t("exceptions.absent")));
    return;
  }
  const canAct = ctx.can("exceptions_write");
  const form = h("form", { class: "filters", id: "exception-filters" },
    h("label", {}, t("exceptions.state"), select("state", STATES, "exstate")),
    h("label", {}, t("exceptions.detector"), select("detector", DETECTORS, "detector")),
    h("label", {}, t("orders.order"), h("input", { name: "order_id" })),
    h("label", {}, t("exceptions.assignee"), h("input", { name: "assignee" })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "queued" }), t("exceptions.queued_only")),
    h("button", { type: "submit" }, t("common.search")));
  const out = h("div", { id: "exception-results" });
  const message = h("p", { class: "notice", role: "status", id: "exception-message" });
  const rates = (m) => [h("td", { class: "num" }, fmtNum(m.open)), h("td", { class: "num" }, fmtNum(m.closed)),
    h("td", { class: "num" }, fmtPct(m.auto_closure_rate)), h("td", { class: "num" }, fmtPct(m.alert_precision))];
  root.append(
    h("div", { class: "card" }, h("h3", {}, t("exceptions.detectors")),
      table([t("exceptions.detector"), t("exceptions.open"), t("exceptions.closed"), t("overview.auto_closure_rate"), t("overview.alert_precision")],
        [...Object.entries(metrics.by_detector || {}).map(([d, m]) => h("tr", {}, h("td", {}, t(`detector.${d}`)), rates(m))),
          h("tr", { class: "total" }, h("td", {}, t("exceptions.all_detectors")), rates(metrics))],
        { class: "data", id: "detector-metrics" })),
    form, message, out);

  async function load() {
    const f = new FormData(form);
    const r = await api("/api/v1/incidents", { query: {
      state: f.get("state"), detector: f.get("detector"), order_id: f.get("order_id").trim(),
      assignee: f.get("assignee").trim(), queued: f.get("queued") ? "true" : "", limit: 100,
    } });
    clear(out).append(table(
      [t("exceptions.id"), t("orders.order"), t("exceptions.detector"), t("exceptions.state"), t("exceptions.priority"),
        t("exceptions.assignee"), t("exceptions.opened"), t("exceptions.last_step"), ""],
      r.exceptions.map((x) => {
        const last = (x.steps || []).at(-1);
        return h("tr", { dataset: { exception: x.id } }, h("td", {}, String(x.id)),
          h("td", {}, x.order_id ? h("a", { href: `#/orders/${encodeURIComponent(x.order_id)}` }, x.order_id) : "—"),
          h("td", {}, t(`detector.${x.detector}`)), h("td", { class: "ex-state" }, t(`exstate.${x.state}`)),
          h("td", { class: "num" }, x.priority ?? "—"), h("td", { class: "ex-assignee" }, x.assignee_name || x.assignee || "—"), h("td", {}, fmtTime(x.opened_at)),
          h("td", {}, last ? `${last.step}: ${last.outcome}` : "—"),
          h("td", {}, canAct && !CLOSED.has(x.state)
            ? ["assign", "acknowledge", "resolve", "dismiss"].map((a) => h("button", { type: "button", class: `ghost ex-${a}`, onclick: () => act(x, a) }, t(`exaction.${a}`)))
            : ""));
      }),
      { class: "data", id: "exceptions-table" }));
  }
  async function act(x, action) {
    try {
      const body = action === "assign" ? { assignee: ctx.me.label } : { note: t(`exaction.${action}`) };
      await api(`/api/v1/incidents/${encodeURIComponent(x.id)}/${action}`, { method: "POST", body });
      message.textContent = t("exceptions.done", { id: x.id, action: t(`exaction.${action}`) });
      await load();
    } catch (e) {
      message.textContent = e.message;
    }
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  await load();
}
