// Exceptions workbench (异常工作台): the human queue, live over the event stream, with each
// playbook step's result in words, the breach (which step, deadline, time over), the SLA
// countdown, reassignment, a note required to resolve, and bulk actions with a result per
// incident; per-detector closure and precision below. Acting needs exceptions_write;
// others see the queue without buttons.
import { api, optional, stream } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtPct, fmtTime, pick, t } from "../i18n.js";
import { tasksSection } from "./tasks.js";

const STATES = ["open", "acknowledged", "auto_resolved", "resolved", "dismissed"];
const DETECTORS = ["sla", "missing_step", "status_conflict", "address", "stock_out", "pickup_failure", "cold_chain", "hold_violated", "carrier_mismatch", "rule_red_flag"];
const CLOSED = new Set(["auto_resolved", "resolved", "dismissed"]);
const TYPES = ["opened", "step_done", "escalated", "assigned", "acknowledged", "auto_resolved", "resolved", "dismissed"];

function select(name, values, prefix) {
  return h("select", { name }, h("option", { value: "" }, t("common.all")), values.map((v) => h("option", { value: v }, t(`${prefix}.${v}`))));
}

// 1小时5分 / 1 h 5 min
export function duration(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60);
  const parts = [];
  if (d) parts.push(t("dur.d", { n: d }));
  if (hh) parts.push(t("dur.h", { n: hh }));
  if (mm || !parts.length) parts.push(t("dur.m", { n: mm }));
  return parts.join(t("dur.sep"));
}

function slaText(left) {
  if (left === null || left === undefined) return "—";
  return left >= 0 ? t("exceptions.sla_left", { d: duration(left) }) : t("exceptions.sla_over", { d: duration(left) });
}

function breachText(b) {
  if (!b) return null;
  return t("exceptions.breach", {
    expect: t(`ms.${b.expect}`), after: b.after ? t(`ms.${b.after}`) : "—",
    deadline: fmtTime(b.deadline), over: duration(b.over_s),
  });
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
  const live = h("span", { class: "live", id: "exception-live" }, t("overview.connecting"));
  const selected = new Set();
  const bulkAction = h("select", { name: "action", id: "bulk-action" },
    ["acknowledge", "assign", "resolve", "dismiss"].map((a) => h("option", { value: a }, t(`exaction.${a}`))));
  const bulkAssignee = h("input", { name: "assignee", id: "bulk-assignee", placeholder: t("exceptions.login") });
  const bulkNote = h("input", { name: "note", id: "bulk-note", placeholder: t("exceptions.note") });
  const bulkResults = h("ul", { id: "exception-bulk-results", class: "results" });
  const bulkCount = h("span", { id: "bulk-count" }, t("exceptions.selected", { n: 0 }));
  const bulk = canAct
    ? h("form", { class: "filters bulk", id: "exception-bulk" }, bulkCount,
      h("label", {}, t("exceptions.bulk_action"), bulkAction), h("label", {}, t("exceptions.assignee"), bulkAssignee),
      h("label", {}, t("exceptions.note"), bulkNote), h("button", { type: "submit" }, t("exceptions.apply")), bulkResults)
    : "";
  const rates = (m) => [h("td", { class: "num" }, fmtNum(m.open)), h("td", { class: "num" }, fmtNum(m.closed)),
    h("td", { class: "num" }, fmtPct(m.auto_closure_rate)), h("td", { class: "num" }, fmtPct(m.alert_precision))];
  const tasks = await tasksSection(ctx);
  root.append(form, h("p", {}, live), message, bulk, out, tasks.el,
    h("div", { class: "card" }, h("h3", {}, t("exceptions.detectors")),
      table([t("exceptions.detector"), t("exceptions.open"), t("exceptions.closed"), t("overview.auto_closure_rate"), t("overview.alert_precision")],
        [...Object.entries(metrics.by_detector || {}).map(([d, m]) => h("tr", {}, h("td", {}, t(`detector.${d}`)), rates(m))),
          h("tr", { class: "total" }, h("td", {}, t("exceptions.all_detectors")), rates(metrics))],
        { class: "data", id: "detector-metrics" })));

  // The SLA countdown ticks locally from the server's "seconds left" at load time.
  let loadedAt = Date.now();
  const tick = setInterval(() => {
    for (const cell of out.querySelectorAll(".ex-sla[data-left]")) {
      const left = Number(cell.dataset.left) - (Date.now() - loadedAt) / 1000;
      cell.textContent = slaText(left);
      cell.classList.toggle("overdue", left < 0);
    }
  }, 1000);

  function row(x) {
    const closed = CLOSED.has(x.state);
    const steps = h("ul", { class: "ex-steps" }, (x.steps || []).map((s) =>
      h("li", { class: `step-${s.outcome}`, title: `${s.step}: ${s.outcome}` }, pick(s.text))));
    const breach = breachText(x.breach);
    const note = h("input", { class: "ex-note", placeholder: t("exceptions.note_needed"), "aria-label": t("exceptions.note") });
    const who = h("input", { class: "ex-who", placeholder: t("exceptions.login"), "aria-label": t("exceptions.reassign") });
    const actions = canAct && !closed
      ? h("div", { class: "ex-actions" },
        h("button", { type: "button", class: "ghost ex-assign", onclick: () => act(x, "assign", { assignee: ctx.me.label }) }, t("exaction.assign")),
        h("button", { type: "button", class: "ghost ex-acknowledge", onclick: () => act(x, "acknowledge", { note: note.value.trim() }) }, t("exaction.acknowledge")),
        who, h("button", { type: "button", class: "ghost ex-reassign", onclick: () => act(x, "assign", { assignee: who.value.trim() }) }, t("exceptions.reassign")),
        note,
        h("button", { type: "button", class: "ghost ex-resolve", onclick: () => {
          if (!note.value.trim()) { message.textContent = t("exceptions.note_needed"); note.focus(); return; }
          act(x, "resolve", { note: note.value.trim() });
        } }, t("exaction.resolve")),
        h("button", { type: "button", class: "ghost ex-dismiss", onclick: () => act(x, "dismiss", { note: note.value.trim() }) }, t("exaction.dismiss")))
      : (x.resolution ? h("span", { class: "ex-resolution" }, x.resolution) : "");
    const check = canAct && !closed
      ? h("input", { type: "checkbox", class: "ex-pick", "aria-label": String(x.id), checked: selected.has(x.id), onchange: (ev) => {
        if (ev.target.checked) selected.add(x.id); else selected.delete(x.id);
        bulkCount.textContent = t("exceptions.selected", { n: selected.size });
      } })
      : "";
    return h("tr", { dataset: { exception: x.id }, class: x.sla_left_s !== null && x.sla_left_s < 0 ? "overdue" : "" },
      h("td", {}, check), h("td", {}, String(x.id)),
      h("td", {}, x.order_id ? h("a", { href: `#/orders/${encodeURIComponent(x.order_id)}` }, x.order_id) : "—"),
      h("td", {}, t(`detector.${x.detector}`), breach ? h("div", { class: "ex-breach" }, breach) : ""),
      h("td", { class: "ex-state" }, t(`exstate.${x.state}`)),
      h("td", { class: "num" }, x.priority ?? "—"), h("td", { class: "ex-assignee" }, x.assignee_name || x.assignee || "—"),
      h("td", {}, fmtTime(x.opened_at)),
      h("td", x.sla_left_s === null || x.sla_left_s === undefined ? { class: "ex-sla" } : { class: "ex-sla", dataset: { left: x.sla_left_s } }, slaText(x.sla_left_s)),
      h("td", {}, steps), h("td", {}, actions));
  }

  async function load() {
    const f = new FormData(form);
    const r = await api("/api/v1/incidents", { query: {
      state: f.get("state"), detector: f.get("detector"), order_id: f.get("order_id").trim(),
      assignee: f.get("assignee").trim(), queued: f.get("queued") ? "true" : "", limit: 100,
    } });
    loadedAt = Date.now();
    clear(out).append(table(
      ["", t("exceptions.id"), t("orders.order"), t("exceptions.detector"), t("exceptions.state"), t("exceptions.priority"),
        t("exceptions.assignee"), t("exceptions.opened"), t("exceptions.sla"), t("exceptions.steps"), ""],
      r.exceptions.map(row), { class: "data", id: "exceptions-table" }));
  }
  async function act(x, action, body) {
    try {
      await api(`/api/v1/incidents/${encodeURIComponent(x.id)}/${action}`, { method: "POST", body });
      message.textContent = t("exceptions.done", { id: x.id, action: t(`exaction.${action}`) });
      await load();
    } catch (e) {
      message.textContent = e.message;
    }
  }
  if (canAct) {
    bulk.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!selected.size) { message.textContent = t("exceptions.pick_some"); return; }
      const action = bulkAction.value;
      const body = { ids: [...selected], action, note: bulkNote.value.trim() };
      if (action === "assign") body.assignee = bulkAssignee.value.trim() || ctx.me.label;
      try {
        const r = await api("/api/v1/incidents/bulk", { method: "POST", body });
        clear(bulkResults).append(...r.results.map((x) => h("li", { class: x.ok ? "ok" : "failed", dataset: { exception: x.id } },
          `#${x.id} `, x.ok ? t(`exstate.${x.state}`) : x.message)));
        message.textContent = t("exceptions.bulk_done", { ok: r.ok, failed: r.failed });
        selected.clear();
        bulkCount.textContent = t("exceptions.selected", { n: 0 });
        await load();
      } catch (e) {
        message.textContent = e.message;
      }
    });
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  await load();

  // Live: any incident event re-reads the queue, unless incidents are being chosen.
  let pending = null;
  const stop = stream(`/api/v1/stream?type=${TYPES.map((x) => `exception.${x}`).join(",")}`, () => {
    if (pending || selected.size || document.activeElement?.closest?.("#exception-results")) return;
    pending = setTimeout(() => { pending = null; load().catch(() => {}); }, 300);
  }, (state) => { live.textContent = state === "open" ? t("overview.live") : t("overview.connecting"); out.dataset.live = state; });
  return () => { stop(); tasks.stop(); clearTimeout(pending); clearInterval(tick); };
}
