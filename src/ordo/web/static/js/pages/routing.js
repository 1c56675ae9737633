// The routing explanation of one order (GET /api/v1/orders/{id}/routing): every attempt
// (intake, re-routes, outages) with its candidates, scores, why the others were not
// chosen, and the rules that fired; ops and admins may re-route from here.
import { api, ApiError } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, fmtTime, lang, t } from "../i18n.js";

const REROUTERS = ["ops", "admin"];
const list = (xs) => (xs && xs.length ? xs.join(", ") : "—");
const score = (x) => (x === null || x === undefined ? "—" : fmtNum(x, 3));

function objectives(obj) {
  const names = Object.keys(obj || {}).sort();
  if (!names.length) return "—";
  return names.map((k) => `${k} ${fmtNum(obj[k].raw, 2)} → ${fmtNum(obj[k].norm, 3)}`).join(" · ");
}

function attemptView(a) {
  const chosen = (a.candidates || []).filter((c) => c.chosen).length;
  return h(
    "div",
    { class: "routing-attempt", dataset: { attempt: a.attempt, trigger: a.trigger, status: a.status } },
    h(
      "h4",
      {},
      `#${a.attempt} · ${t(`routing.trigger.${a.trigger}`)} · `,
      h("span", { class: `status r-${a.status}` }, t(`routing.status.${a.status}`)),
      ` · ${fmtTime(a.at)}`,
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("routing.warehouses")), h("dd", { class: "routing-warehouses" }, list(a.warehouse_ids)),
      h("dt", {}, t("routing.carriers")), h("dd", {}, list(a.carrier_ids)),
      h("dt", {}, t("orders.promised")), h("dd", {}, fmtTime(a.promise_at)),
      h("dt", {}, t("routing.profile")), h("dd", {}, a.profile || "—"),
      h("dt", {}, t("routing.weights")),
      h("dd", {}, Object.entries(a.weights || {}).map(([k, w]) => `${k} ${fmtNum(w, 2)}`).join(" · ") || "—"),
    ),
    h("p", { class: "routing-explanation" }, a.explanation || ""),
    table(
      [t("orders.warehouse"), t("routing.chosen"), t("routing.score"), t("routing.objectives"), t("routing.excluded")],
      (a.candidates || []).map((c) =>
        h(
          "tr",
          { class: c.chosen ? "chosen" : c.excluded && c.excluded.length ? "excluded" : "" },
          h("td", {}, c.warehouse_id),
          h("td", {}, c.chosen ? "✓" : ""),
          h("td", { class: "num" }, score(c.score)),
          h("td", {}, objectives(c.objectives)),
          h("td", {}, list(c.excluded)),
        ),
      ),
      { class: "data routing-candidates", dataset: { chosen } },
    ),
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
    clear(body).append(
      attempts.length
        ? h("div", { id: "routing-attempts" }, attempts.slice().reverse().map(attemptView))
        : h("p", { class: "muted", id: "routing-empty" }, t("routing.not_routed")),
    );
    if (ctx.me && REROUTERS.includes(ctx.me.role)) body.append(rerouteForm());
  }

  function rerouteForm() {
    const reason = h("input", { id: "reroute-reason", placeholder: t("routing.reroute_reason") });
    const exclude = h("input", { id: "reroute-exclude", placeholder: t("routing.reroute_exclude") });
    const result = h("p", { class: "notice", role: "status", id: "reroute-result" });
    const button = h("button", { type: "button", id: "reroute-order" }, t("routing.reroute"));
    button.addEventListener("click", async () => {
      const text = reason.value.trim();
      if (!text) {
        result.textContent = t("routing.reason_needed");
        return;
      }
      const ids = exclude.value.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
      button.disabled = true;
      try {
        const a = await api(`${path}/reroute`, { method: "POST", body: { reason: text, exclude_warehouses: ids } });
        await load();
        body.querySelector("#reroute-result").textContent = t("routing.rerouted", { n: a.attempt, status: t(`routing.status.${a.status}`), to: list(a.warehouse_ids) });
        onRerouted();
      } catch (e) {
        result.textContent = e instanceof ApiError && e.status === 409 ? `${t("routing.reroute_refused")} ${e.message}` : e.message;
      } finally {
        button.disabled = false;
      }
    });
    return h("div", { class: "actions" }, reason, exclude, button, result);
  }

  load();
  return card;
}
