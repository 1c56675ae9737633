// Rules: versions by category, an editor that parses as you type (completing the words the
// language knows, errors inline with the suggestion and the closest readable sentence), a
// palette of fields and actions with examples in both languages, backtest diff with its
// window, submit / approve / publish (after a confirmation) / roll back as the role allows,
// and the audit history. Every failure ends as a message on the page, never a raw error.
import { api, ApiError } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtTime, lang, pick, t, yuan } from "../i18n.js";
import { completions, currentWord, paletteCard } from "../rules_palette.js";

const fmtNs = (ns) => (ns ? fmtTime(new Date(ns / 1e6 + 8 * 3600e3).toISOString()) : "—");
const fmtDay = (ns) => (ns ? new Date(ns / 1e6 + 8 * 3600e3).toISOString().slice(0, 10) : "—");
// A message for anything thrown: the server's bilingual text, or a plain one for a bug.
const says = (e) => (e instanceof ApiError ? e.message : t("rules.unexpected", { detail: e && e.message ? e.message : String(e) }));

export async function render(root, ctx) {
  const editorCan = ctx.can("rules_edit");
  const approver = ctx.can("rules_approve_l2") || ctx.can("rules_approve_l3");
  const [hist, { drafts }, { entries }, { rollbacks }, palette] = await Promise.all([
    api("/api/v1/rules/versions"),
    api("/api/v1/rules/drafts"),
    api("/api/v1/rules/audit", { query: { limit: 50 } }),
    api("/api/v1/rules/rollbacks"),
    api("/api/v1/rules/palette").catch(() => null), // the editor works without its palette
  ]);
  let draft = null;
  const text = h("textarea", { id: "rule-text", rows: 6, spellcheck: "false", placeholder: "满299减50" });
  const note = h("input", { id: "rule-note", placeholder: t("rules.note"), value: "" });
  const parsed = h("div", { id: "parse-result", class: "parse" });
  const status = h("p", { id: "draft-status", class: "muted" }, t("rules.new_draft"));
  const outcome = h("div", { id: "backtest-result" });
  const message = h("p", { id: "rules-message", class: "notice", role: "status" });
  const complete = h("ul", { id: "rule-complete", class: "complete", role: "listbox", "aria-label": t("rules.complete"), hidden: true });
  const btFrom = h("input", { id: "bt-from", type: "date", "aria-label": t("rules.bt_from"), title: t("rules.bt_from") });
  const btTo = h("input", { id: "bt-to", type: "date", "aria-label": t("rules.bt_to"), title: t("rules.bt_to") });
  const confirmBox = h("div", { id: "publish-confirm", class: "confirm", role: "alertdialog", hidden: true });
  const words = palette ? palette.words[lang()] || [] : [];

  // Completion: the words that start with what is being typed before the caret.
  function showCompletions() {
    const before = text.value.slice(0, text.selectionStart ?? text.value.length);
    const found = currentWord(before, words);
    clear(complete);
    if (!found) return (complete.hidden = true);
    complete.hidden = false;
    complete.append(...completions(found, words).map((w, i) => h("li", {
      class: "complete-item", role: "option", "aria-selected": i === 0 ? "true" : "false", dataset: { word: w.word },
      onmousedown: (ev) => { ev.preventDefault(); accept(found.typed, w.word); },
    }, w.word, h("span", { class: "muted" }, ` ${w.kind}`))));
  }
  function accept(typed, word) {
    const at = text.selectionStart ?? text.value.length;
    const start = at - typed.length;
    const ascii = /^[A-Za-z_]/.test(word);
    const insert = word + (ascii ? " " : "");
    text.value = text.value.slice(0, start) + insert + text.value.slice(at);
    const caret = start + insert.length;
    text.setSelectionRange(caret, caret);
    complete.hidden = true;
    text.focus();
    schedule();
  }
  text.addEventListener("keydown", (ev) => {
    if (complete.hidden || !["Tab", "Enter"].includes(ev.key)) return;
    const first = complete.querySelector(".complete-item");
    const before = text.value.slice(0, text.selectionStart ?? text.value.length);
    const found = currentWord(before, words);
    if (!first || !found) return;
    ev.preventDefault();
    accept(found.typed, first.dataset.word);
  });
  text.addEventListener("blur", () => setTimeout(() => (complete.hidden = true), 150));

  // Replace line ``n`` (1-based) of the text with ``sentence`` (a reading the person confirmed).
  function useLine(n, sentence) {
    const lines = text.value.split("\n");
    if (n >= 1 && n <= lines.length) lines[n - 1] = sentence;
    else lines.push(sentence);
    text.value = lines.join("\n");
    schedule();
  }
  const lineOf = (id) => Number(String(id || "").replace(/^r/, "")) || 1;

  // What the last reading of the editor's text said: ``pending`` lines were read only after
  // rewriting them and wait for the person to confirm; a draft is saved only when none wait.
  let reading = { text: null, pending: 0 };
  async function doParse() {
    const value = text.value;
    reading = { text: value, pending: 0 };
    parsed.dataset.pending = "0";
    if (!value.trim()) return clear(parsed);
    try {
      const r = await api("/api/v1/rules/parse", { method: "POST", body: { text: value, lang: lang() } });
      if (text.value !== value) return; // typed on meanwhile: the next reading answers
      // A line read only after rewriting it (a typo, a synonym, a spoken number) waits for the
      // person to confirm the reading: what Ordo read it as in both languages, the rewrites
      // (guesses flagged), and a button that puts the canonical sentence in its place.
      const rewritten = (r.rules || []).filter((x) => x.needs_confirmation);
      reading = { text: value, pending: rewritten.length };
      const firstFix = rewritten.flatMap((x) => (x.rewrites || []).map((w) => ({ ...wholeWord(x.sentence || "", w), line: lineOf(x.id) })))[0];
      parsed.className = rewritten.length ? "parse confirm" : "parse ok";
      parsed.dataset.pending = String(rewritten.length);
      const meant = (x) => (typeof x.did_you_mean === "string" ? x.did_you_mean : pick(x.did_you_mean)) || x.sentence || "";
      const bilingual = (x) => [h("span", { class: "read-zh", lang: "zh" }, x.zh), h("span", { class: "muted" }, " / "), h("span", { class: "read-en", lang: "en" }, x.en)];
      const confirmAll = () => {
        const lines = text.value.split("\n");
        for (const x of rewritten) {
          const n = lineOf(x.id);
          if (n >= 1 && n <= lines.length && meant(x)) lines[n - 1] = meant(x);
        }
        text.value = lines.join("\n");
        message.textContent = t("rules.confirmed");
        schedule();
      };
      clear(parsed).append(...[
        firstFix ? h("p", { class: "error", id: "parse-error" }, t("rules.rewritten", { line: firstFix.line, before: firstFix.before ?? "", after: firstFix.after ?? "" })) : null,
        firstFix && firstFix.after ? h("p", { id: "parse-suggestion" }, t("rules.suggest", { word: firstFix.after })) : null,
        h("p", {}, t("rules.parsed", { n: r.rules.length, tier: r.tier }), " ",
          h("span", { class: "muted", id: "parse-state" }, rewritten.length ? t("rules.confirm_first", { n: rewritten.length }) : t("rules.strict"))),
        h("ul", { id: "parse-readings" }, r.rules.map((x) => h("li", { class: x.needs_confirmation ? "reading pending" : "reading", dataset: { line: lineOf(x.id) } },
          `[${t(`category.${x.category}`)} · ${x.tier}] `, ...bilingual(x)))),
        rewritten.length ? h("div", { id: "parse-confirm", class: "lint" }, h("p", {}, t("rules.needs_confirmation")),
          h("ul", {}, rewritten.map((x) => h("li", { class: "confirm-line", dataset: { line: lineOf(x.id) } },
            h("span", { class: "muted" }, t("rules.read_as_line", { line: lineOf(x.id), sentence: x.sentence || "" })), " → ",
            h("strong", {}, t("rules.read_as")), " ", ...bilingual(x), h("br"),
            h("span", { class: "did-you-mean" }, t("rules.did_you_mean", { sentence: meant(x) })), " ",
            (x.rewrites || []).length ? h("span", { class: "rewrites" }, "(", ...x.rewrites.flatMap((w, i) => [
              i ? (lang() === "zh" ? "，" : ", ") : "",
              h("span", { class: GUESSES.has(w.kind) ? "rewrite uncertain" : "rewrite", title: w.kind },
                `${w.before || "∅"} → ${w.after || "∅"}`, GUESSES.has(w.kind) ? ` ⚠ ${t("rules.uncertain")}` : ""),
            ]), ") ") : null,
            meant(x) ? h("button", { type: "button", class: "confirm-reading", onclick: () => { useLine(lineOf(x.id), meant(x)); message.textContent = t("rules.confirmed"); } }, t("rules.confirm")) : null))),
          rewritten.length > 1 ? h("button", { type: "button", class: "ghost", id: "confirm-all-readings", onclick: confirmAll }, t("rules.confirm_all", { n: rewritten.length })) : null) : null,
        r.lint.length ? h("ul", { class: "lint", id: "parse-lint" }, r.lint.map((w) => h("li", {}, w.message))) : null,
      ].filter(Boolean));
    } catch (e) {
      if (!(e instanceof ApiError) || e.body.error !== "rule_syntax") {
        parsed.className = "parse bad";
        clear(parsed).append(h("p", { class: "error", id: "parse-error" }, says(e)));
        return;
      }
      const d = e.body.details || {};
      parsed.className = "parse bad";
      const list = (xs) => (Array.isArray(xs) ? xs.filter(Boolean).join(lang() === "zh" ? "、" : ", ") : "");
      clear(parsed).append(...[
        h("p", { class: "error", id: "parse-error" }, t("rules.error_at", { line: d.line ?? "?", column: d.column ?? "?", word: d.word ?? "" })),
        e.body.message ? h("p", { class: "muted", id: "parse-message" }, e.body.message) : null,
        d.pointer ? h("pre", { class: "pointer" }, d.pointer) : null,
        d.suggestion ? h("p", { id: "parse-suggestion" }, t("rules.suggest", { word: d.suggestion })) : null,
        d.did_you_mean ? h("p", { id: "parse-did-you-mean" }, t("rules.did_you_mean", { sentence: d.did_you_mean }), " ",
          h("button", { type: "button", class: "ghost", id: "use-did-you-mean", onclick: () => useLine(Number(d.line) || 1, d.did_you_mean) }, t("rules.use_this"))) : null,
        list(d.valid_values) ? h("p", { id: "parse-valid" }, t("rules.valid_values", { values: list(d.valid_values) })) : null,
        list(d.expected) ? h("p", { class: "muted", id: "parse-expected" }, t("rules.expected", { words: list(d.expected) })) : null,
      ].filter(Boolean));
    }
  }
  let timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => doParse().catch((e) => (message.textContent = says(e))), 250);
  }
  text.addEventListener("input", () => {
    showCompletions();
    schedule();
  });

  const act = (fn) => async () => {
    message.textContent = "";
    try {
      await fn();
    } catch (e) {
      message.textContent = says(e);
    }
  };
  function show(d) {
    draft = d;
    status.textContent = t("rules.draft_status", { id: d.id, status: t(`draft.${d.status}`), tier: d.required_tier || d.tier });
    status.dataset.status = d.status;
    if (d.backtest) outcome.replaceChildren(diff(d.backtest));
  }
  const noteOr = (fallback) => note.value.trim() || fallback;
  // Steps that need a draft say so instead of failing on a draft that is not there.
  function needDraft() {
    if (draft) return true;
    message.textContent = t("rules.save_first");
    return false;
  }
  async function save() {
    if (!text.value.trim()) {
      message.textContent = t("rules.empty");
      return false;
    }
    // Only a reading the person confirmed (or text already strict) is saved: read the text as
    // it is now if the last reading was of older text.
    if (reading.text !== text.value) {
      clearTimeout(timer);
      await doParse();
    }
    if (reading.pending) {
      message.textContent = t("rules.confirm_first", { n: reading.pending });
      parsed.querySelector(".confirm-reading")?.focus();
      return false;
    }
    const body = { text: text.value, note: noteOr(t("rules.default_note")) };
    show(draft && ["draft", "backtested"].includes(draft.status)
      ? await api(`/api/v1/rules/drafts/${draft.id}`, { method: "PATCH", body })
      : await api("/api/v1/rules/drafts", { method: "POST", body: { ...body, title: body.note.slice(0, 200) } }));
    return true;
  }
  // The backtest window as the API takes it: whole days in Asia/Shanghai, "to" inclusive.
  function window() {
    const out = {};
    if (btFrom.value) out.placed_from = `${btFrom.value}T00:00:00+08:00`;
    if (btTo.value) {
      const next = new Date(`${btTo.value}T00:00:00+08:00`).getTime() + 86400e3;
      out.placed_to = new Date(next).toISOString().replace(".000Z", "+00:00");
    }
    return out;
  }
  function askToPublish() {
    if (!needDraft()) return;
    clear(confirmBox).append(
      h("h4", {}, t("rules.confirm_publish_title")),
      h("p", { id: "publish-confirm-text" }, t("rules.confirm_publish_text", { id: draft.id, tier: draft.required_tier || draft.tier })),
      draft.backtest ? h("p", { class: "muted" }, t("rules.bt_summary", { orders: draft.backtest.orders, matched: draft.backtest.matched, changed: draft.backtest.changed })) : null,
      h("div", { class: "actions" },
        h("button", { type: "button", id: "confirm-publish", onclick: act(async () => {
          confirmBox.hidden = true;
          const r = await api(`/api/v1/rules/drafts/${draft.id}/publish`, { method: "POST", body: { note: noteOr(t("rules.default_note")) } });
          message.textContent = t("rules.published", { version: r.version });
          show(await api(`/api/v1/rules/drafts/${draft.id}`));
        }) }, t("rules.confirm_publish")),
        h("button", { type: "button", class: "ghost", id: "cancel-publish", onclick: () => (confirmBox.hidden = true) }, t("rules.cancel"))),
    );
    confirmBox.hidden = false;
    confirmBox.querySelector("#confirm-publish").focus();
  }
  const buttons = [];
  if (editorCan) {
    buttons.push(
      h("button", { type: "button", id: "save-draft", onclick: act(save) }, t("rules.save")),
      h("button", { type: "button", id: "run-backtest", onclick: act(async () => {
        // Backtesting unsaved text saves it first (a draft is what a backtest replays).
        if (!draft && !(await save())) return;
        show(await api(`/api/v1/rules/drafts/${draft.id}/backtest`, { method: "POST", body: { note: noteOr("backtest"), ...window() } }));
      }) }, t("rules.backtest")),
      h("button", { type: "button", id: "submit-draft", onclick: act(async () => {
        if (!needDraft()) return;
        show(await api(`/api/v1/rules/drafts/${draft.id}/submit`, { method: "POST", body: { note: noteOr(t("rules.default_note")) } }));
      }) }, t("rules.submit")),
      h("button", { type: "button", id: "publish-draft", onclick: askToPublish }, t("rules.publish")),
    );
  }
  if (approver) {
    buttons.push(h("button", { type: "button", id: "approve-draft", onclick: act(async () => {
      if (!needDraft()) return;
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
    h("div", { class: "grid2 rules-editor" },
      h("div", { class: "card" }, h("h3", {}, t("rules.editor")), h("div", { class: "complete-wrap" }, text, complete), parsed, note,
        editorCan ? h("div", { class: "actions bt-window" }, h("label", {}, t("rules.bt_from"), " ", btFrom), h("label", {}, t("rules.bt_to"), " ", btTo)) : null,
        status, h("div", { class: "actions" }, buttons), confirmBox, message, outcome),
      palette ? paletteCard(palette, (sentence) => {
        text.value = text.value.trim() ? `${text.value.replace(/\s+$/, "")}\n${sentence}` : sentence;
        text.focus();
        schedule();
      }) : null),
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

// Rewrites that guess (a typo, a word cut, the field a bare value stands for, a warehouse,
// an operator or a word moved) are flagged as uncertain; the others only normalise spelling.
const GUESSES = new Set(["typo", "split", "field", "warehouse", "order", "op", "word"]);

// A rewrite may name only the misspelt part of a word (金颜 → 金额): show the whole word as
// written and as read (订单金颜 → 订单金额), the run of characters around it up to a space,
// a number or punctuation.
function wholeWord(sentence, w) {
  const before = w.before ?? "";
  const after = w.after ?? "";
  const i = before ? sentence.indexOf(before) : -1;
  if (i < 0) return { before, after };
  const stop = /[\s\d,，、;；。()（）<>=!≥≤:："'“”]/;
  let a = i;
  while (a > 0 && !stop.test(sentence[a - 1])) a -= 1;
  let b = i + before.length;
  while (b < sentence.length && !stop.test(sentence[b])) b += 1;
  const word = sentence.slice(a, b);
  return { before: word, after: word.slice(0, i - a) + after + word.slice(i - a + before.length) };
}

function diff(bt) {
  const m = bt.money || {};
  const w = bt.window || {};
  const f = bt.filter || {};
  const from = f.placed_from_ns ?? w.from_ns;
  const to = f.placed_to_ns ? f.placed_to_ns - 1e9 : w.to_ns; // "to" is exclusive; ns beyond 2^53 lose a 1
  return h("div", { class: "backtest" },
    h("p", { id: "backtest-summary" }, t("rules.bt_summary", { orders: bt.orders, matched: bt.matched, changed: bt.changed })),
    h("p", { id: "backtest-window", class: "muted" }, from || to ? t("rules.bt_window", { from: fmtDay(from), to: fmtDay(to) }) : t("rules.bt_window_all")),
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
