// Rules: versions by category, an editor that parses as you type, backtest diff,
// submit / approve / publish / roll back as the role allows, and the audit history.
import { api, ApiError } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtTime, lang, t, yuan } from "../i18n.js";

const fmtNs = (ns) => (ns ? fmtTime(new Date(ns / 1e6 + 8 * 3600e3).toISOString()) : "—");

export async function render(root, ctx) {
  const editorCan = ctx.can("rules_edit");
  const approver = ctx.can("rules_approve_l2") || ctx.can("rules_approve_l3");
  const [hist, { drafts }, { entries }, { rollbacks }] = await Promise.all([
    api("/api/v1/rules/versions"),
    api("/api/v1/rules/drafts"),
    api("/api/v1/rules/audit", { query: { limit: 50 } }),
    api("/api/v1/rules/rollbacks"),
  ]);
  let draft = null;
  const text = h("textarea", { id: "rule-text", rows: 6, spellcheck: "false", placeholder: "满299减50" });
  const note = h("input", { id: "rule-note", placeholder: t("rules.note"), value: "" });
  const parsed = h("div", { id: "parse-result", class: "parse" });
  const status = h("p", { id: "draft-status", class: "muted" }, t("rules.new_draft"));
  const outcome = h("div", { id: "backtest-result" });
  const message = h("p", { id: "rules-message", class: "notice", role: "status" });

  async function doParse() {
    const value = text.value;
    if (!value.trim()) return clear(parsed);
    try {
      const r = await api("/api/v1/rules/parse", { method: "POST", body: { text: value, lang: lang() } });
      parsed.className = "parse ok";
      clear(parsed).append(
        h("p", {}, t("rules.parsed", { n: r.rules.length, tier: r.tier })),
        h("ul", {}, r.rules.map((x) => h("li", {}, `[${t(`category.${x.category}`)} · ${x.tier}] `, lang() === "zh" ? x.zh : x.en))),
        r.lint.length ? h("ul", { class: "lint" }, r.lint.map((w) => h("li", {}, w.message))) : null,
      );
    } catch (e) {
      if (!(e instanceof ApiError) || e.body.error !== "rule_syntax") throw e;
      const d = e.body.details || {};
      parsed.className = "parse bad";
      clear(parsed).append(
        h("p", { class: "error", id: "parse-error" }, t("rules.error_at", { line: d.line ?? "?", column: d.column ?? "?", word: d.word ?? "" })),
        d.pointer ? h("pre", { class: "pointer" }, d.pointer) : null,
        d.suggestion ? h("p", { id: "parse-suggestion" }, t("rules.suggest", { word: d.suggestion })) : null,
      );
    }
  }
  let timer = null;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => doParse().catch((e) => (message.textContent = e.message)), 250);
  });

  const act = (fn) => async () => {
    message.textContent = "";
    try {
      await fn();
    } catch (e) {
      message.textContent = e.message;
    }
  };
  function show(d) {
    draft = d;
    status.textContent = t("rules.draft_status", { id: d.id, status: t(`draft.${d.status}`), tier: d.required_tier || d.tier });
    status.dataset.status = d.status;
    if (d.backtest) outcome.replaceChildren(diff(d.backtest));
  }
  const noteOr = (fallback) => note.value.trim() || fallback;
  const buttons = [];
  if (editorCan) {
    buttons.push(
      h("button", { type: "button", id: "save-draft", onclick: act(async () => {
        const body = { text: text.value, note: noteOr(t("rules.default_note")) };
        show(draft && ["draft", "backtested"].includes(draft.status)
          ? await api(`/api/v1/rules/drafts/${draft.id}`, { method: "PATCH", body })
          : await api("/api/v1/rules/drafts", { method: "POST", body: { ...body, title: body.note.slice(0, 200) } }));
      }) }, t("rules.save")),
      h("button", { type: "button", id: "run-backtest", onclick: act(async () => {
        show(await api(`/api/v1/rules/drafts/${draft.id}/backtest`, { method: "POST", body: { note: noteOr("backtest") } }));
      }) }, t("rules.backtest")),
      h("button", { type: "button", id: "submit-draft", onclick: act(async () => {
        show(await api(`/api/v1/rules/drafts/${draft.id}/submit`, { method: "POST", body: { note: noteOr(t("rules.default_note")) } }));
      }) }, t("rules.submit")),
      h("button", { type: "button", id: "publish-draft", onclick: act(async () => {
        const r = await api(`/api/v1/rules/drafts/${draft.id}/publish`, { method: "POST", body: { note: noteOr(t("rules.default_note")) } });
        message.textContent = t("rules.published", { version: r.version });
        show(await api(`/api/v1/rules/drafts/${draft.id}`));
      }) }, t("rules.publish")),
    );
  }
  if (approver) {
    buttons.push(h("button", { type: "button", id: "approve-draft", onclick: act(async () => {
      show(await api(`/api/v1/rules/drafts/${draft.id}/approve`, { method: "POST", body: { note: noteOr(t("rules.default_note")) } }));
    }) }, t("rules.approve")));
  }
  const open = (d) => act(async () => {
    const full = await api(`/api/v1/rules/drafts/${d.id}`);
    text.value = full.text;
    show(full);
    await doParse();
  });
  const queue = drafts.filter((d) => d.status === "backtested" && d.submitted_at_ns);
  const versions = hist.versions;
  const active = versions.find((v) => v.version === hist.state.active_version);
  let byCategory = h("p", { class: "muted" }, t("rules.no_active"));
  if (active) {
    const r = await api("/api/v1/rules/parse", { method: "POST", body: { text: active.text, lang: lang() } });
    const groups = {};
    for (const x of r.rules) (groups[x.category] ||= []).push(x);
    byCategory = h("div", {}, Object.entries(groups).map(([c, xs]) =>
      h("div", {}, h("h4", {}, `${t(`category.${c}`)} (${xs[0].tier})`), h("ul", {}, xs.map((x) => h("li", {}, lang() === "zh" ? x.zh : x.en))))));
  }
  root.append(
    h("h1", {}, t("nav.rules")),
    h("div", { class: "grid2" },
      h("div", { class: "card" },
        h("h3", {}, t("rules.active"), ` v${hist.state.active_version ?? "—"}`,
          hist.state.canary_version ? ` · ${t("rules.canary")} v${hist.state.canary_version}` : ""),
        byCategory),
      approver ? h("div", { class: "card", id: "approval-queue" }, h("h3", {}, t("rules.queue")),
        queue.length ? h("ul", {}, queue.map((d) => h("li", {}, h("a", { href: "#/rules", onclick: (ev) => { ev.preventDefault(); open(d)(); } }, `#${d.id} ${d.title || d.note}`), ` · ${d.required_tier} · ${t(`role.${d.author_role}`)}`)))
          : h("p", { class: "muted" }, t("common.none"))) : null,
      approver && rollbacks.length ? h("div", { class: "card", id: "rollback-queue" }, h("h3", {}, t("rules.rollback_queue")),
        h("ul", {}, rollbacks.map((r) => h("li", {}, `#${r.id} → v${r.version} · ${r.tier} · ${r.requested_by} · ${r.note} `,
          h("button", { type: "button", class: "ghost approve-rollback", onclick: act(async () => {
            await api(`/api/v1/rules/rollbacks/${r.id}/approve`, { method: "POST", body: { note: noteOr(t("rules.default_note")) } });
            location.reload();
          }) }, t("rules.approve")))))) : null,
    ),
    h("div", { class: "card" }, h("h3", {}, t("rules.editor")), text, parsed, note, status, h("div", { class: "actions" }, buttons), message, outcome),
    h("div", { class: "card" }, h("h3", {}, t("rules.drafts")),
      table([t("rules.id"), t("rules.title"), t("rules.status"), t("rules.tier"), t("rules.author")],
        drafts.slice(0, 30).map((d) => h("tr", {}, h("td", {}, h("a", { href: "#/rules", class: "open-draft", onclick: (ev) => { ev.preventDefault(); open(d)(); } }, `#${d.id}`)),
          h("td", {}, d.title || d.note), h("td", {}, t(`draft.${d.status}`)), h("td", {}, d.required_tier || d.tier), h("td", {}, t(`role.${d.author_role}`)))),
        { class: "data" })),
    h("div", { class: "card" }, h("h3", {}, t("rules.versions")),
      table([t("rules.version"), t("rules.status"), t("rules.tier"), t("rules.note_col"), t("rules.published_at"), ""],
        versions.map((v) => h("tr", {}, h("td", {}, `v${v.version}`), h("td", {}, t(`version.${v.status}`)), h("td", {}, v.tier), h("td", {}, v.note), h("td", {}, fmtNs(v.published_at_ns)),
          h("td", {}, editorCan && v.version !== hist.state.active_version
            ? h("button", { type: "button", class: "ghost rollback", dataset: { version: v.version }, onclick: act(async () => {
              const out = await api("/api/v1/rules/rollback", { method: "POST", body: { version: v.version, note: noteOr(t("rules.rollback_note")) } });
              // An L2/L3 rollback waits for a second person with the tier's right (or an emergency).
              if (out.status === "pending") message.textContent = t("rules.rollback_pending", { id: out.request_id, tier: out.tier });
              else location.reload();
            }) }, t("rules.rollback")) : ""))),
        { class: "data", id: "versions" })),
    h("div", { class: "card" }, h("h3", {}, t("rules.history")),
      table([t("orders.when"), t("rules.action"), t("rules.actor"), t("rules.note_col")],
        entries.map((a) => h("tr", {}, h("td", {}, fmtNs(a.at_ns)), h("td", {}, t(`action.${a.action}`)), h("td", {}, `${a.actor} (${a.role ? t(`role.${a.role}`) : "—"})`), h("td", {}, a.note))),
        { class: "data", id: "audit" })),
  );
  return () => clearTimeout(timer);
}

function diff(bt) {
  const m = bt.money || {};
  return h("div", { class: "backtest" },
    h("p", { id: "backtest-summary" }, t("rules.bt_summary", { orders: bt.orders, matched: bt.matched, changed: bt.changed })),
    h("ul", {},
      h("li", {}, t("rules.bt_money", { total: yuan(m.total_delta_fen), discount: yuan(m.discount_fen_delta) })),
      h("li", {}, t("rules.bt_holds", { added: bt.holds?.added ?? 0, removed: bt.holds?.removed ?? 0 })),
      h("li", {}, t("rules.bt_routing", { n: bt.routing_changes ?? 0 })),
      bt.escalation ? h("li", { class: "error" }, bt.escalation) : null),
    bt.by_channel ? table([t("orders.channel"), t("rules.bt_orders"), t("rules.bt_changed"), t("rules.bt_money_col")],
      bt.by_channel.map((c) => h("tr", {}, h("td", {}, t(`channel.${c.channel}`)), h("td", {}, c.orders), h("td", {}, c.changed), h("td", {}, yuan(c.money_delta_fen)))), { class: "data" }) : null,
    bt.samples && bt.samples.length ? h("details", {}, h("summary", {}, t("rules.bt_samples")),
      h("pre", {}, bt.samples.map((s) => JSON.stringify(s)).join("\n"))) : null);
}
