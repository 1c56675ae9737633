// Held orders (挂起订单): every held order with the filters applied on the server (kind of
// hold, channel, region by name, time it was held), how long it has been held, by whom, why,
// and the intercept asked of its warehouse; operators select rows and release them with a
// note, one result per order. Live over the event stream (order.held / order.released and
// the intercept events). The server checks the role and each order's state again.
import { api, ApiError, stream } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtTime, t } from "../i18n.js";
import { duration } from "./exceptions.js";
import { HOLD_KINDS, holdBadge } from "./holds.js";

const ACTORS = ["ops", "admin"];
const EVENTS = ["order.held", "order.released", "order.intercept_requested", "order.intercept_answered"];
const FALLBACK_CHANNELS = ["tmall", "taobao", "jd", "douyin", "pinduoduo", "kuaishou", "xiaohongshu", "youzan", "wechat_mp", "wechat_channels", "pos", "b2b", "api"];
// 2026-12-06 or 2026-12-06 08:30 (read as UTC+8 by the API, like every time without an offset).
const TIME_RE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?$/;

function heldBy(who) {
  if (!who) return "—";
  if (who === "intake") return t("held.by_intake");
  return who.startsWith("api:") ? who.slice(4) : who;
}

function interceptCell(x) {
  if (!x) return h("td", { class: "held-intercept" }, "—");
  return h("td", { class: `held-intercept ic-${x.state}`, dataset: { state: x.state } }, t(`intercept.${x.state}`),
    x.state !== "requested" ? h("div", { class: "muted" }, fmtTime(x.at)) : "");
}

async function channelList() {
  try {
    const r = await api("/api/v1/channels");
    const names = (r.channels || []).map((c) => c.channel).filter(Boolean);
    return names.length ? names : FALLBACK_CHANNELS;
  } catch {
    return FALLBACK_CHANNELS;
  }
}

export async function render(root, ctx) {
  root.append(h("h1", {}, t("nav.holds")));
  const canAct = Boolean(ctx.me && ACTORS.includes(ctx.me.role));
  const channels = await channelList();
  const option = (value, label) => h("option", { value }, label);
  const form = h("form", { class: "filters", id: "held-filters" },
    h("label", {}, t("hold.filter"), h("select", { name: "kind" }, option("", t("common.all")), HOLD_KINDS.map((k) => option(k, t(`hold.kind.${k}`))))),
    h("label", {}, t("held.channel"), h("select", { name: "channel" }, option("", t("common.all")), channels.map((c) => option(c, t(`channel.${c}`))))),
    h("label", {}, t("held.region"), h("input", { name: "province", placeholder: t("held.region_hint"), size: 10 })),
    h("label", {}, t("held.from"), h("input", { name: "held_from", placeholder: "2026-12-06", size: 16 })),
    h("label", {}, t("held.to"), h("input", { name: "held_to", placeholder: "2026-12-07 18:00", size: 16 })),
    h("button", { type: "submit" }, t("common.search")));
  const live = h("span", { class: "live", id: "held-live" }, t("overview.connecting"));
  const count = h("span", { id: "held-count", class: "muted" });
  const message = h("p", { class: "notice", role: "status", id: "held-message" });
  const out = h("div", { id: "held-results" });
  const more = h("button", { type: "button", class: "ghost", id: "held-more", hidden: true }, t("common.more"));
  const selected = new Set();
  const picked = h("span", { id: "held-selected" }, t("held.selected", { n: 0 }));
  const note = h("input", { id: "held-note", name: "note", placeholder: t("held.note"), size: 30 });
  const results = h("ul", { id: "held-release-results", class: "results" });
  const releaseButton = h("button", { type: "submit", id: "held-release" }, t("held.release_selected"));
  const bulk = canAct
    ? h("form", { class: "filters bulk", id: "held-bulk" }, picked, h("label", {}, t("held.note"), note), releaseButton, results)
    : "";
  root.append(form, h("p", {}, live, " ", count), message, bulk, out, more);

  let rows = [];
  let cursor = null;
  let busy = false;

  function pickedText() {
    picked.textContent = t("held.selected", { n: selected.size });
  }

  function query(after) {
    const f = new FormData(form);
    const q = { kind: f.get("kind"), channel: f.get("channel"), province: f.get("province").trim(), limit: 100 };
    for (const name of ["held_from", "held_to"]) {
      const v = f.get(name).trim();
      if (v && !TIME_RE.test(v)) throw new Error(t("held.bad_time", { v }));
      if (v) q[name] = v.replace(" ", "T");
    }
    if (after) q.cursor = after;
    return q;
  }

  function row(x) {
    const check = canAct
      ? h("input", { type: "checkbox", class: "held-pick", "aria-label": x.id, checked: selected.has(x.id), onchange: (ev) => {
        if (ev.target.checked) selected.add(x.id); else selected.delete(x.id);
        pickedText();
      } })
      : "";
    const heldMs = x.held_at_ns / 1e6;
    return h("tr", { dataset: { order: x.id, kind: x.hold_kind || "" } },
      h("td", {}, check),
      h("td", {}, h("a", { href: `#/orders/${encodeURIComponent(x.id)}` }, x.id), h("div", { class: "muted" }, x.external_id)),
      h("td", {}, t(`channel.${x.channel}`)),
      h("td", { class: "held-region" }, [x.province, x.city].filter(Boolean).join(" ")),
      h("td", { class: "held-reason" }, holdBadge(x.hold_reason)),
      h("td", { class: "held-since" }, fmtTime(x.held_at)),
      h("td", { class: "held-duration", dataset: { since: heldMs } }, duration((Date.now() - heldMs) / 1000)),
      h("td", { class: "held-by" }, heldBy(x.held_by)),
      interceptCell(x.intercept));
  }

  function draw() {
    const headers = ["", t("orders.order"), t("held.channel"), t("held.region"), t("held.reason"), t("held.at"), t("held.duration"), t("held.by"), t("held.intercept")];
    clear(out).append(rows.length
      ? table(headers, rows.map(row), { class: "data", id: "held-table" })
      : h("p", { class: "muted", id: "held-empty" }, t("held.none")));
    count.textContent = t(cursor ? "held.shown_more" : "held.shown", { n: rows.length });
    more.hidden = !cursor;
  }

  async function load() {
    let q;
    try {
      q = query(null);
    } catch (e) {
      message.textContent = e.message;
      return;
    }
    const r = await api("/api/v1/holds", { query: q });
    rows = r.orders;
    cursor = r.next_cursor;
    const shown = new Set(rows.map((x) => x.id));
    for (const id of [...selected]) if (!shown.has(id)) selected.delete(id);
    pickedText();
    draw();
  }

  async function refresh() {
    try {
      message.textContent = "";
      await load();
    } catch (e) {
      message.textContent = e instanceof ApiError && e.body && e.body.field ? `${e.body.field}: ${e.message}` : e.message;
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    refresh();
  });
  more.addEventListener("click", async () => {
    try {
      const r = await api("/api/v1/holds", { query: query(cursor) });
      rows = rows.concat(r.orders);
      cursor = r.next_cursor;
      draw();
    } catch (e) {
      message.textContent = e.message;
    }
  });

  if (canAct) {
    bulk.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!selected.size) {
        message.textContent = t("held.pick_first");
        return;
      }
      busy = true;
      releaseButton.disabled = true;
      clear(results);
      const text = note.value.trim();
      let done = 0;
      for (const id of [...selected]) {
        let line;
        try {
          const r = await api(`/api/v1/orders/${encodeURIComponent(id)}/release`, { method: "POST", body: { note: text } });
          done += 1;
          selected.delete(id);
          const said = r.warehouse_id ? t("hold.released_to", { to: r.warehouse_id }) : r.hold_reason ? t("hold.released_no_stock") : t("hold.released");
          line = h("li", { class: "ok", dataset: { order: id, outcome: "released" } }, `${id}: ${said}`);
        } catch (e) {
          const code = e instanceof ApiError ? e.body.error || String(e.status) : "error";
          line = h("li", { class: "error", dataset: { order: id, outcome: code } }, `${id}: ${t("hold.refused")} ${e.message}`);
        }
        results.append(line);
      }
      message.textContent = t("held.released_n", { n: done });
      releaseButton.disabled = false;
      busy = false;
      await refresh();
    });
  }

  await load();
  const tick = setInterval(() => {
    for (const cell of out.querySelectorAll(".held-duration[data-since]")) {
      cell.textContent = duration((Date.now() - Number(cell.dataset.since)) / 1000);
    }
  }, 30_000);
  let pending = null;
  const stop = stream(`/api/v1/stream?type=${EVENTS.join(",")}`, () => {
    if (pending || busy) return;
    pending = setTimeout(() => { pending = null; refresh(); }, 300);
  }, (state) => { live.textContent = state === "open" ? t("overview.live") : t("overview.connecting"); out.dataset.live = state; });
  return () => { stop(); clearTimeout(pending); clearInterval(tick); };
}
