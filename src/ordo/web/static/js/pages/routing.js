// The routing explanation of one order (GET /api/v1/orders/{id}/routing): every attempt
// (intake, re-routes, outages) with warehouse and carrier names, cost in yuan, distances,
// the scored candidates with objective bars (absolute spans: tiny differences stay tiny)
// and a "why not" each, then the excluded warehouses folded by reason; the rules that
// fired. A stock-out names the missing SKUs, where stock exists and the substitutes set for
// them (with their stock); ops and admins may re-route, or choose a warehouse themselves
// and see the router's score for it.
import { api, ApiError } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtTime, lang, pick, t, yuan } from "../i18n.js";

const REROUTERS = ["ops", "admin"];
const list = (xs) => (xs && xs.length ? xs.join("、") : "—");
const score = (x) => (x === null || x === undefined ? "—" : fmtNum(x, 3));
const km = (x) => (x === null || x === undefined ? "—" : t("routing.km", { n: fmtNum(x, 0) }));

function value(label, raw) {
  if (label.unit === "fen") return yuan(Math.round(raw));
  if (label.unit === "h") return t("routing.hours", { n: fmtNum(raw, 1) });
  if (label.unit) return `${fmtNum(raw, 1)} ${label.unit}`;
  return fmtNum(raw, 4);
}

function objectives(a, obj) {
  const names = Object.keys(obj || {});
  if (!names.length) return "—";
  return h("ul", { class: "objective-bars" }, names.map((k) => {
    const label = (a.objective_labels || {})[k] || { zh: k, en: k, unit: "" };
    return h("li", { dataset: { objective: k } },
      h("span", { class: "objective-name" }, pick(label)), " ",
      h("meter", { min: 0, max: 1, value: obj[k].bar ?? 0, title: value(label, obj[k].raw) }), " ",
      h("span", { class: "objective-value" }, value(label, obj[k].raw)));
  }));
}

function attemptView(a, force) {
  const scored = (a.candidates || []).filter((c) => c.excluded === null);
  const chosen = scored.filter((c) => c.chosen).length;
  const name = (c) => h("span", { class: "wh-name", title: c.warehouse_id }, c.warehouse_name || c.warehouse_id);
  return h(
    "div",
    { class: "routing-attempt", dataset: { attempt: a.attempt, trigger: a.trigger, status: a.status } },
    h("h4", {}, `#${a.attempt} · ${t(`routing.trigger.${a.trigger}`)} · `,
      h("span", { class: `status r-${a.status}` }, t(`routing.status.${a.status}`)), ` · ${fmtTime(a.at)}`),
    h("dl", { class: "facts" },
      h("dt", {}, t("routing.warehouses")), h("dd", { class: "routing-warehouses" }, list(a.warehouse_names || a.warehouse_ids)),
      h("dt", {}, t("routing.carriers")), h("dd", { class: "routing-carriers" }, list(a.carrier_names || a.carrier_ids)),
      h("dt", {}, t("orders.promised")), h("dd", {}, fmtTime(a.promise_at)),
      h("dt", {}, t("routing.profile")), h("dd", {}, a.profile || "—"),
      h("dt", {}, t("routing.weights")),
      h("dd", {}, Object.entries(a.weights || {}).map(([k, w]) => `${pick((a.objective_labels || {})[k]) || k} ${fmtNum(w, 2)}`).join(" · ") || "—")),
    h("div", { class: "routing-explanation" }, (a.explanation || "").split("\n").map((line) => h("p", {}, line))),
    (a.parcels || []).length
      ? table([t("orders.warehouse"), t("orders.parcel_items"), t("routing.carrier"), t("routing.freight"), t("routing.distance"), t("orders.promised")],
        a.parcels.map((p) => h("tr", { dataset: { warehouse: p.warehouse_id } }, h("td", {}, p.warehouse_name),
          h("td", { class: "parcel-lines" }, (p.lines || []).map(([sku, q]) => `${sku} × ${q}`).join("、") || "—"),
          h("td", { class: "carrier-name" }, p.carrier_name),
          h("td", { class: "num freight" }, yuan(p.cost_fen)), h("td", { class: "num" }, km(p.km)),
          h("td", {}, p.promise_ns ? fmtTime(new Date(p.promise_ns / 1e6).toISOString()) : "—"))),
        { class: "data routing-parcels" })
      : "",
    scored.length
      ? table([t("orders.warehouse"), t("routing.chosen"), t("routing.score"), t("routing.distance"), t("routing.objectives"), t("routing.why_not"), ""],
        scored.map((c) => h("tr", { class: c.chosen ? "chosen" : "", dataset: { warehouse: c.warehouse_id } },
          h("td", {}, name(c)), h("td", {}, c.chosen ? "✓" : ""), h("td", { class: "num" }, score(c.score)),
          h("td", { class: "num" }, km(c.km)), h("td", {}, objectives(a, c.objectives)),
          h("td", { class: "why-not" }, c.why_not || ""),
          h("td", {}, force && !c.chosen ? force(c.warehouse_id, c.warehouse_name) : ""))),
        { class: "data routing-candidates", dataset: { chosen } })
      : h("p", { class: "muted routing-no-candidates" }, t("routing.no_candidates")),
    (a.excluded_groups || []).length
      ? h("div", { class: "excluded-groups" }, h("h4", {}, t("routing.excluded")),
        a.excluded_groups.map((g) => h("details", { class: "excluded-group" },
          h("summary", {}, `${list(g.labels)} × ${g.count}`),
          h("ul", {}, g.warehouses.map((w) => h("li", { title: w.id }, `${w.name} · ${km(w.km)}`))))))
      : "",
    h("h4", {}, t("routing.rules_fired")),
    a.rules_fired && a.rules_fired.length
      ? h("ul", { class: "rules-fired" }, a.rules_fired.map((r) => h("li", {}, `${r.name} (${r.rule_id} · ${r.category})`)))
      : h("p", { class: "muted rules-fired-none" }, t("routing.no_rules")),
  );
}

// A card that fills itself; ``onRerouted`` lets the page refresh its other parts.
export function routingPanel(orderId, ctx, onRerouted = () => {}) {
  const body = h("div", { id: "routing-body" }, h("p", { class: "muted" }, t("routing.loading")));
  const card = h("div", { class: "card", id: "routing-panel" }, h("h3", {}, t("routing.title")), body);
  const path = `/api/v1/orders/${encodeURIComponent(orderId)}`;
  const canReroute = ctx.me && REROUTERS.includes(ctx.me.role);
  const result = h("p", { class: "notice", role: "status", id: "reroute-result" });

  async function reroute(payload) {
    try {
      const a = await api(`${path}/reroute`, { method: "POST", body: payload, query: { lang: lang() } });
      await load();
      const mine = (a.candidates || []).find((c) => c.warehouse_id === payload.force_warehouse);
      const scoreText = mine && mine.score !== null ? t("routing.forced_score", { score: score(mine.score) })
        : mine && mine.excluded ? list(mine.excluded) : "";
      body.querySelector("#reroute-result").textContent = `${t("routing.rerouted", { n: a.attempt, status: t(`routing.status.${a.status}`), to: list(a.warehouse_names || a.warehouse_ids) })} ${scoreText}`;
      onRerouted();
    } catch (e) {
      body.querySelector("#reroute-result").textContent = e instanceof ApiError && e.status === 409 ? `${t("routing.reroute_refused")} ${e.message}` : e.message;
    }
  }

  // "Ship from here": a person's choice; the router scores that warehouse alone.
  function forceButton(id, title) {
    return h("button", { type: "button", class: "ghost force-warehouse", dataset: { warehouse: id }, onclick: () => {
      const reason = body.querySelector("#reroute-reason");
      const text = (reason && reason.value.trim()) || t("routing.forced_reason", { name: title });
      reroute({ reason: text, force_warehouse: id });
    } }, t("routing.force"));
  }

  async function stockOut(a) {
    // Which SKUs are short and where their stock is.
    const box = h("div", { class: "card stock-out", id: "stock-out" }, h("h4", {}, t("routing.stock_out")));
    for (const line of a.lines || []) {
      const page = await api("/api/v1/inventory", { query: { sku: line.sku, limit: 100 } });
      const rows = page.items.filter((r) => r.available > 0).sort((x, y) => y.available - x.available);
      const total = rows.reduce((n, r) => n + r.available, 0);
      const short = rows.every((r) => r.available < line.quantity);
      const product = (page.items[0] && page.items[0].name) || "";
      box.append(h("div", { class: "stock-line", dataset: { sku: line.sku, short: short ? "1" : "" } },
        h("p", {}, h("strong", {}, `${product} ${line.sku}`), " ",
          t("routing.needs", { n: line.quantity, total }), short ? h("span", { class: "badge warn" }, t("routing.no_single")) : ""),
        rows.length
          ? table([t("orders.warehouse"), t("inventory.available"), ""], rows.map((r) => h("tr", { dataset: { warehouse: r.warehouse_id } },
            h("td", {}, r.warehouse_name || r.warehouse_id), h("td", { class: "num" }, fmtNum(r.available)),
            h("td", {}, canReroute ? forceButton(r.warehouse_id, r.warehouse_name) : ""))), { class: "data stock-where" })
          : h("p", { class: "muted" }, t("routing.nowhere")),
        await substitutes(line.sku)));
    }
    return box;
  }

  // The substitute SKUs set for a short SKU (the table is the policy), with their stock.
  async function substitutes(sku) {
    const found = (await api("/api/v1/substitutes", { query: { sku } })).items || [];
    if (!found.length) return h("p", { class: "muted no-substitutes" }, t("routing.no_substitutes"));
    return h("div", { class: "substitutes" }, h("h5", {}, t("routing.substitutes")),
      table([t("routing.substitutes"), t("orders.qty"), t("orders.channel"), t("inventory.available"), t("orders.warehouse")],
        found.map((s) => h("tr", { dataset: { substitute: s.substitute } },
          h("td", {}, `${s.substitute_name || ""} ${s.substitute}`.trim()),
          h("td", {}, t("routing.substitute_ratio", { n: s.ratio })),
          h("td", {}, s.channel ? t(`channel.${s.channel}`) : t("routing.any_channel")),
          h("td", { class: "num" }, fmtNum(s.available)),
          h("td", {}, list(s.warehouses.map((w) => `${w.warehouse_name} ${fmtNum(w.available)}`))))),
        { class: "data substitute-list" }));
  }

  async function load() {
    let data;
    try {
      data = await api(`${path}/routing`, { query: { lang: lang() } });
    } catch (e) {
      const gone = e instanceof ApiError && (e.status === 404 || e.status === 405);
      clear(body).append(h("p", { class: "notice", id: "routing-unavailable" }, gone ? t("routing.unavailable") : e.message));
      return;
    }
    const attempts = data.attempts || [];
    const force = canReroute ? forceButton : null;
    clear(body).append(
      attempts.length
        ? h("div", { id: "routing-attempts" }, attempts.slice().reverse().map((a) => attemptView(a, force)))
        : h("p", { class: "muted", id: "routing-empty" }, t("routing.not_routed")),
    );
    const last = attempts.at(-1);
    if (last && last.status === "held") body.prepend(await stockOut(last).catch((e) => h("p", { class: "notice" }, e.message)));
    if (canReroute) body.append(rerouteForm());
  }

  function rerouteForm() {
    const reason = h("input", { id: "reroute-reason", placeholder: t("routing.reroute_reason") });
    const exclude = h("input", { id: "reroute-exclude", placeholder: t("routing.reroute_exclude") });
    const button = h("button", { type: "button", id: "reroute-order" }, t("routing.reroute"));
    button.addEventListener("click", async () => {
      const text = reason.value.trim();
      if (!text) {
        body.querySelector("#reroute-result").textContent = t("routing.reason_needed");
        return;
      }
      const ids = exclude.value.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
      button.disabled = true;
      await reroute({ reason: text, exclude_warehouses: ids });
      button.disabled = false;
    });
    return h("div", { class: "actions" }, reason, exclude, button, result);
  }

  load();
  return card;
}
