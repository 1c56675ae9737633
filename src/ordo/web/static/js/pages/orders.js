// Orders: search (platform order number, id, phone, recipient, SKU and the filters) with a
// true total, live over the event stream, saved views, bulk actions and Excel export; and one
// order's page: lines, parcels, remarks, promise, its 17-milestone timeline, who did what.
import { api, session, stream } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtTime, lang, pick, t, yuan } from "../i18n.js";
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

function select(name, values, labelOf, attrs = {}) {
  return h("select", { name, ...attrs }, h("option", { value: "" }, t("common.all")), values.map((v) => h("option", { value: v }, labelOf(v))));
}

// Dates are typed as yyyy-mm-dd in either language (a native date picker follows the
// browser's locale, mm/dd/yyyy in a Chinese UI on an English system) and read as China
// Standard Time, as the API's times are; "to" is the end of that day.
const DATE = "^\\d{4}-\\d{2}-\\d{2}$";
const dayStart = (v) => (v ? `${v}T00:00:00+08:00` : "");
function dayAfter(v) {
  if (!v) return "";
  const d = new Date(`${v}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T00:00:00+08:00`;
}
function dateInput(name, label) {
  return h("label", {}, label, h("input", {
    name, type: "text", inputmode: "numeric", pattern: DATE, placeholder: "yyyy-mm-dd", lang: lang() === "zh" ? "zh-CN" : "en", size: 10,
  }));
}

// What the search box looks up: each one is an index lookup on the server.
export const LOOKUPS = ["external_id", "order_id", "phone", "recipient", "sku"];
const BULK_ACTIONS = ["hold", "release", "approve", "change_warehouse", "change_carrier"];
const BULK_MAX = 500;
const FIELDS = ["channel", "status", "warehouse_id", "province", "tag", "hold", "created_from", "created_to", "lookup", "q"];

async function saveFile(path, name) {
  // Through fetch, so a key in sessionStorage goes out as a header (a plain link would not carry it).
  const headers = session.key ? { Authorization: `Bearer ${session.key}` } : {};
  const r = await fetch(path, { headers, credentials: "same-origin" });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const url = URL.createObjectURL(await r.blob());
  const a = h("a", { href: url, download: name, id: "export-download" }, name);
  return { a, rows: r.headers.get("X-Row-Count") };
}

export async function render(root, ctx, args) {
  if (args[0]) return detail(root, ctx, args[0]);
  const [{ warehouses }, { carriers }] = await Promise.all([api("/api/v1/warehouses"), api("/api/v1/worklist/carriers")]);
  const whName = (id) => (warehouses.find((w) => w.id === id) || { name: id }).name;
  const form = h(
    "form",
    { class: "filters", id: "order-filters" },
    h("label", {}, t("orders.lookup"), select("lookup", LOOKUPS, (k) => t(`orders.lookup.${k}`), { id: "order-lookup" })),
    h("label", {}, t("orders.q"), h("input", { name: "q", id: "order-q", placeholder: t("orders.q_hint") })),
    h("label", {}, t("orders.channel"), select("channel", CHANNELS, (c) => t(`channel.${c}`))),
    h("label", {}, t("orders.status"), select("status", STATUSES, (s) => t(`status.${s}`))),
    h("label", {}, t("orders.warehouse"), select("warehouse_id", warehouses.map((w) => w.id), whName)),
    h("label", {}, t("orders.region"), h("input", { name: "province", placeholder: "广东 / 浙江省 / 杭州" })),
    h("label", {}, t("orders.tag"), h("input", { name: "tag" })),
    h("label", {}, t("hold.filter"), select("hold", ["any", ...HOLD_KINDS], (k) => t(k === "any" ? "hold.filter_any" : `hold.kind.${k}`))),
    dateInput("created_from", t("orders.from")),
    dateInput("created_to", t("orders.to")),
    h("button", { type: "submit" }, t("common.search")),
  );
  form.querySelector("[name=lookup]").options[0].textContent = t("orders.lookup.auto");
  const views = h("select", { id: "saved-views" });
  const viewName = h("input", { id: "view-name", placeholder: t("orders.view_name"), maxlength: 64 });
  const viewBar = h(
    "div", { class: "actions", id: "views-bar" },
    h("label", {}, t("orders.views"), views),
    viewName,
    h("button", { type: "button", class: "ghost", id: "view-save", onclick: () => saveView() }, t("orders.view_save")),
    h("button", { type: "button", class: "ghost", id: "view-delete", onclick: () => deleteView() }, t("orders.view_delete")),
  );
  const exportBar = h("div", { class: "actions", id: "export-bar" },
    h("button", { type: "button", id: "export", onclick: () => exportView() }, t("orders.export")),
    h("progress", { id: "export-bar-progress", max: 1, value: 0, hidden: true }),
    h("span", { id: "export-progress", role: "status" }),
  );
  const selected = new Set();
  const bulkAction = select("action", BULK_ACTIONS, (a) => t(`orders.bulk.${a}`), { id: "bulk-action" });
  const bulkWarehouse = select("warehouse", warehouses.map((w) => w.id), whName, { id: "bulk-warehouse", hidden: true });
  const bulkReason = h("input", { id: "bulk-reason", placeholder: t("orders.bulk_reason"), maxlength: 200 });
  const bulkCount = h("span", { id: "bulk-count" }, t("orders.selected", { n: 0 }));
  const bulkResults = h("div", { id: "bulk-results" });
  const bulkCarrier = select("carrier", carriers.map((c) => c.id), (id) => carriers.find((c) => c.id === id).name, { id: "bulk-carrier", hidden: true });
  bulkAction.addEventListener("change", () => {
    bulkWarehouse.hidden = bulkAction.value !== "change_warehouse";
    bulkCarrier.hidden = bulkAction.value !== "change_carrier";
  });
  const bulkBar = ctx.can("orders_write")
    ? h("div", { class: "card", id: "bulk-bar" }, bulkCount, " ", bulkAction, bulkWarehouse, bulkCarrier, bulkReason,
      h("button", { type: "button", id: "bulk-run", onclick: () => runBulk() }, t("orders.bulk_run")), bulkResults)
    : "";
  const results = h("div", { id: "order-results" });
  const more = h("button", { type: "button", class: "ghost", hidden: true }, t("common.more"));
  root.append(h("h1", {}, t("nav.orders")), form, viewBar, exportBar, bulkBar, results, more);
  let cursor = null;
  let rows = [];
  let total = null;

  function query(f) {
    const q = {
      channel: f.get("channel"), status: f.get("status"), warehouse_id: f.get("warehouse_id"),
      province: f.get("province").trim(), tag: f.get("tag").trim(),
      created_from: dayStart(f.get("created_from").trim()), created_to: dayAfter(f.get("created_to").trim()),
    };
    const text = f.get("q").trim();
    if (text) {
      let field = f.get("lookup");
      if (!field) field = /^\+?[\d \-]{7,}$/.test(text) ? "phone" : /^O[0-9A-Z]{10,}$/.test(text) ? "order_id" : "external_id";
      q[field] = text;
    }
    if (f.get("hold") === "any") q.held = "true";
    return q;
  }
  const countText = () => (total === null ? t("orders.page_n", { n: rows.length }) : t("orders.total_n", { n: total.capped ? `${total.n}+` : total.n }));

  function drawSelection() {
    if (bulkBar) bulkCount.textContent = t("orders.selected", { n: selected.size });
  }

  async function load(reset) {
    const f = new FormData(form);
    for (const name of ["created_from", "created_to"]) {
      const v = f.get(name).trim();
      if (v && !new RegExp(DATE).test(v)) {
        clear(results).append(h("p", { class: "notice", id: "order-count" }, t("orders.bad_date", { v })));
        return;
      }
    }
    const hold = f.get("hold");
    // A hold kind comes from the holds index (GET /api/v1/holds): kind, channel and region apply there.
    const held = hold && hold !== "any" ? { kind: hold, channel: f.get("channel"), province: f.get("province").trim(), limit: 50, cursor: reset ? null : cursor } : null;
    const started = performance.now();
    const page = held
      ? await api("/api/v1/holds", { query: held })
      : await api("/api/v1/worklist/orders", { query: { ...query(f), limit: 50, cursor: reset ? null : cursor } });
    rows = reset ? page.orders : rows.concat(page.orders);
    if (reset) selected.clear();
    total = page.total === undefined ? null : { n: page.total, capped: page.total_capped };
    cursor = page.next_cursor;
    more.hidden = !cursor;
    const all = h("input", { type: "checkbox", id: "select-all", title: t("orders.select_all") });
    all.addEventListener("change", () => {
      for (const o of rows.slice(0, BULK_MAX)) (all.checked ? selected.add(o.id) : selected.delete(o.id));
      for (const box of results.querySelectorAll("input.pick")) box.checked = selected.has(box.value);
      drawSelection();
    });
    clear(results).append(
      h("p", { class: "muted", id: "order-count" }, countText(), " ", t("orders.ms", { ms: Math.round(performance.now() - started) })),
      h("label", {}, all, " ", t("orders.select_all")),
      table(
        [t("orders.id"), t("orders.channel"), t("orders.status"), t("orders.warehouse"), t("orders.region"), t("orders.total"), t("orders.placed"), t("orders.external_id"), t("orders.recipient")],
        rows.map((o) => {
          const box = h("input", { type: "checkbox", class: "pick", value: o.id, "aria-label": o.id });
          box.checked = selected.has(o.id);
          box.addEventListener("change", () => { (box.checked ? selected.add(o.id) : selected.delete(o.id)); drawSelection(); });
          return h(
            "tr",
            { dataset: { id: o.id } },
            h("td", {}, box, " ", h("a", { href: `#/orders/${encodeURIComponent(o.id)}` }, o.id)),
            h("td", {}, t(`channel.${o.channel}`)),
            h("td", {}, h("span", { class: `status s-${o.status}` }, t(`status.${o.status}`))),
            h("td", {}, o.warehouse_id ? whName(o.warehouse_id) : (o.hold_reason ? "" : "—"), o.warehouse_id && o.hold_reason ? " " : "", holdBadge(o.hold_reason)),
            h("td", {}, `${o.province}${o.city}`),
            h("td", { class: "num" }, yuan(o.total_fen)),
            h("td", {}, fmtTime(o.placed_at)),
            h("td", { class: "external-id" }, o.external_id),
            h("td", { class: "recipient" }, `${o.recipient_name} ${o.recipient_phone}`),
          );
        }),
        { class: "data", id: "orders-table" },
      ),
    );
    drawSelection();
  }

  async function runBulk() {
    const ids = [...selected];
    if (!ids.length) { bulkResults.textContent = t("orders.bulk_none"); return; }
    if (ids.length > BULK_MAX) { bulkResults.textContent = t("orders.bulk_too_many", { n: BULK_MAX }); return; }
    const body = { action: bulkAction.value || "hold", order_ids: ids, reason: bulkReason.value.trim() };
    if (body.action === "change_warehouse") body.warehouse_id = bulkWarehouse.value;
    if (body.action === "change_carrier") body.carrier_id = bulkCarrier.value;
    bulkResults.textContent = t("orders.bulk_running", { n: ids.length });
    try {
      const r = await api("/api/v1/worklist/bulk", { method: "POST", body });
      const summary = Object.entries(r.counts).map(([k, n]) => `${t(`orders.outcome.${k}`)} ${n}`).join(" · ");
      clear(bulkResults).append(
        h("p", { id: "bulk-summary", role: "status" }, summary),
        table([t("orders.id"), t("orders.outcome")], r.results.map((x) => h("tr", { dataset: { outcome: x.outcome } },
          h("td", {}, x.order_id), h("td", {}, t(`orders.outcome.${x.outcome}`), x.error ? ` — ${x.error.message}` : "")),
        ), { class: "data", id: "bulk-table" }),
      );
      await load(true);
    } catch (e) {
      bulkResults.textContent = e.message;
    }
  }

  async function exportView() {
    const out = document.getElementById("export-progress");
    const bar = document.getElementById("export-bar-progress");
    try {
      let job = await api("/api/v1/worklist/exports", { method: "POST", query: query(new FormData(form)) });
      bar.hidden = false;
      while (job.state === "running") {
        bar.max = Math.max(job.total, 1);
        bar.value = job.rows;
        out.textContent = t("orders.export_progress", { rows: job.rows, total: job.total });
        await new Promise((r) => setTimeout(r, 300));
        job = await api(`/api/v1/worklist/exports/${job.id}`);
      }
      if (job.state !== "done") throw new Error(job.error || job.state);
      bar.max = 1; bar.value = 1;
      const { a } = await saveFile(`/api/v1/worklist/exports/${job.id}/file`, `orders-${job.id.slice(0, 8)}.xlsx`);
      out.replaceChildren(t("orders.export_done", { rows: job.rows, s: job.seconds }), " ", a);
    } catch (e) {
      out.textContent = e.message;
    }
  }

  async function loadViews(keep) {
    const { views: mine } = await api("/api/v1/worklist/views");
    clear(views).append(h("option", { value: "" }, t("orders.view_none")), mine.map((v) => h("option", { value: v.name, dataset: { query: JSON.stringify(v.query) } }, v.name)));
    if (keep) views.value = keep;
  }
  async function saveView() {
    const name = viewName.value.trim();
    if (!name) return;
    const f = new FormData(form);
    const q = Object.fromEntries(FIELDS.map((k) => [k, String(f.get(k) || "").trim()]).filter(([, v]) => v));
    await api("/api/v1/worklist/views", { method: "PUT", body: { name, query: q } });
    await loadViews(name);
  }
  async function deleteView() {
    if (!views.value) return;
    await api(`/api/v1/worklist/views/${encodeURIComponent(views.value)}`, { method: "DELETE" });
    await loadViews("");
  }
  views.addEventListener("change", () => {
    const opt = views.selectedOptions[0];
    const q = opt && opt.dataset.query ? JSON.parse(opt.dataset.query) : {};
    for (const k of FIELDS) form.elements[k].value = q[k] || "";
    viewName.value = views.value;
    load(true);
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    load(true);
  });
  more.addEventListener("click", () => load(false));
  await Promise.all([load(true), loadViews("").catch(() => {})]);

  // Live: a new order re-reads the first page (the server applies the filters), unless
  // the reader has paged further or is choosing orders for a bulk action.
  let pending = null;
  const stop = stream("/api/v1/stream?type=order.created,order.held,order.released", () => {
    if (pending || rows.length > 50 || selected.size) return;
    pending = setTimeout(() => { pending = null; load(true).catch(() => {}); }, 300);
  }, (state) => { results.dataset.live = state; });
  return () => { stop(); clearTimeout(pending); };
}

async function detail(root, ctx, orderId, said = "") {
  const [o, tl] = await Promise.all([
    api(`/api/v1/worklist/orders/${encodeURIComponent(orderId)}`),
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
        h("dt", {}, t("orders.channel")), h("dd", {}, `${t(`channel.${o.channel}`)} · `, h("span", { id: "order-external-id" }, o.external_id)),
        h("dt", {}, t("orders.warehouse")), h("dd", { id: "order-warehouse" }, o.warehouse_id ? `${o.warehouse_name || ""} ${o.warehouse_id}`.trim() : (o.hold_reason ? "" : "—"), o.warehouse_id && o.hold_reason ? " " : "", holdBadge(o.hold_reason)),
        h("dt", {}, t("orders.recipient")), h("dd", { id: "recipient" }, `${o.recipient_name} ${o.recipient_phone}`),
        h("dt", {}, t("orders.address")), h("dd", { id: "order-address" }, `${o.province}${o.city}${o.district} ${o.detail}`),
        h("dt", {}, t("orders.total")), h("dd", {}, yuan(o.total_fen)),
        h("dt", {}, t("orders.promised")), h("dd", { id: "order-promise" }, o.promised_at ? fmtTime(o.promised_at) : t("orders.no_promise")),
        h("dt", {}, t("orders.buyer_remark")), h("dd", { id: "buyer-remark" }, o.buyer_remark || "—"),
        h("dt", {}, t("orders.seller_remark")), h("dd", { id: "seller-remark" }, o.seller_remark || "—"),
        h("dt", {}, t("orders.tags")), h("dd", {}, (o.tags || []).join(", ") || "—"),
      ),
      h("div", { class: "card" }, h("h3", {}, t("orders.actions")), actions, holdRows, message),
    ),
    linesCard(o),
    parcelsCard(o),
    h("div", { class: "card" }, h("h3", {}, t("orders.timeline")), h("ol", { class: "milestones", id: "milestones" }, steps)),
    h(
      "div",
      { class: "card" },
      h("h3", {}, t("orders.milestone_log")),
      table(
        [t("orders.when"), t("orders.step"), t("orders.source")],
        o.milestones.map((m) => h("tr", {}, h("td", {}, fmtTime(m.at)), h("td", {}, pick(m.label)), h("td", {}, m.source_name))),
        { class: "data", id: "milestone-log" },
      ),
    ),
    h(
      "div",
      { class: "card" },
      h("h3", {}, t("orders.audit")),
      o.audit.length
        ? table(
          [t("orders.when"), t("orders.who"), t("orders.what"), t("orders.why")],
          o.audit.map((e) => h("tr", {}, h("td", {}, fmtTime(e.at)), h("td", {}, e.by_name), h("td", {}, t(`event.${e.type}`) === `event.${e.type}` ? e.type : t(`event.${e.type}`)), h("td", {}, e.reason))),
          { class: "data", id: "order-audit" },
        )
        : h("p", { class: "muted", id: "order-audit" }, t("orders.audit_none")),
    ),
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

function linesCard(o) {
  return h(
    "div",
    { class: "card" },
    h("h3", {}, t("orders.lines")),
    table(
      [t("orders.sku"), t("orders.product"), t("orders.qty"), t("orders.unit_price"), t("orders.discount"), t("orders.amount")],
      o.lines.map((ln) => h(
        "tr",
        { dataset: { sku: ln.sku } },
        h("td", {}, ln.sku),
        h("td", {}, ln.name || "—", ln.gift ? h("span", { class: "badge gift" }, ` ${t("orders.gift")}`) : ""),
        h("td", { class: "num" }, String(ln.quantity)),
        h("td", { class: "num" }, yuan(ln.unit_price_fen)),
        h("td", { class: "num" }, ln.discount_fen ? `-${yuan(ln.discount_fen)}` : "—"),
        h("td", { class: "num" }, yuan(ln.amount_fen)),
      )),
      { class: "data", id: "order-lines" },
    ),
  );
}

// What one parcel carries: "陶瓷杯 (SKU-CUP) × 3"; a line split by units shows its part.
function parcelItems(items) {
  if (!items || !items.length) return "—";
  return h("ul", { class: "parcel-items-list" }, items.map((i) => h("li", { dataset: { sku: i.sku, quantity: i.quantity } },
    `${i.name ? `${i.name} (${i.sku})` : i.sku} × ${i.quantity}`)));
}

function parcelsCard(o) {
  return h(
    "div",
    { class: "card" },
    h("h3", {}, t("orders.parcels")),
    o.parcels.length
      ? table(
        [t("orders.warehouse"), t("orders.parcel_items"), t("orders.carrier"), t("orders.waybill"), t("orders.trace")],
        o.parcels.map((p) => h(
          "tr",
          { dataset: { warehouse: p.warehouse_id } },
          h("td", { class: "parcel-warehouse" }, p.warehouse_name),
          h("td", { class: "parcel-items" }, parcelItems(p.items)),
          h("td", { class: "carrier" }, p.carrier_name || "—"),
          h("td", {}, p.waybill || "—"),
          h("td", {}, p.trace.length ? p.trace.map((s) => `${pick(s.label)} ${fmtTime(s.at)}`).join(" → ") : "—"),
        )),
        { class: "data", id: "order-parcels" },
      )
      : h("p", { class: "muted", id: "order-parcels" }, t("orders.no_parcels")),
  );
}
