// The Rules page's helpers: the palette of fields and actions (examples in both languages,
// one click inserts one) and word completion for the editor. Data from /api/v1/rules/palette.
import { h } from "./dom.js";
import { lang, t } from "./i18n.js";

const MAX_COMPLETIONS = 8;
const ASCII_WORD = /[A-Za-z_.]/;

// What is being typed before the caret, as the longest tail of ``before`` that starts at
// least one known word (a word already complete is not offered again). An ASCII tail starts
// at a word boundary; Chinese has none, so any tail of up to ten characters may be the start.
export function currentWord(before, words) {
  const tail = before.slice(-10);
  for (let k = tail.length; k >= 1; k -= 1) {
    const typed = tail.slice(-k);
    if (/\s/.test(typed)) continue;
    const at = before.length - k;
    if (ASCII_WORD.test(typed[0]) && at > 0 && ASCII_WORD.test(before[at - 1])) continue;
    if (words.some((w) => w.word !== typed && w.word.toLowerCase().startsWith(typed.toLowerCase()))) {
      return { typed };
    }
  }
  return null;
}

const KIND_ORDER = { field: 0, keyword: 1, value: 2, milestone: 3, operator: 4, place: 5 };

export function completions(found, words) {
  const typed = found.typed.toLowerCase();
  return words
    .filter((w) => w.word !== found.typed && w.word.toLowerCase().startsWith(typed))
    .sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.word.length - b.word.length)
    .slice(0, MAX_COMPLETIONS);
}

// The palette card: a filter, the fields and the actions, each with its words in both
// languages, its example sentences in both, and a button that inserts the example in the
// page's language. A field nothing feeds yet says so (lint would say the same).
export function paletteCard(palette, insert) {
  const zh = lang() === "zh";
  const filter = h("input", { id: "palette-filter", type: "search", placeholder: t("rules.palette_filter"), "aria-label": t("rules.palette_filter") });
  const entry = (kind, item) => {
    const name = (zh ? item.zh : item.en)[0] || item.id;
    const other = (zh ? item.en : item.zh)[0] || "";
    const ex = item.example;
    return h("li", { class: `palette-item palette-${kind}`, dataset: { id: item.id, search: [...item.zh, ...item.en, item.id].join(" ").toLowerCase() } },
      h("strong", {}, name), other ? h("span", { class: "muted" }, ` · ${other}`) : null,
      item.type ? h("span", { class: "muted" }, ` (${item.type})`) : null,
      item.live === false && item.no_live_source
        ? h("p", { class: "lint no-live" }, t("rules.no_live_source", { why: zh ? item.no_live_source.zh : item.no_live_source.en })) : null,
      ex ? h("div", { class: "palette-examples" },
        h("div", { class: "example-zh", lang: "zh" }, h("span", { class: "muted" }, `${t("rules.example_zh")}: `), h("code", {}, ex.zh)),
        h("div", { class: "example-en", lang: "en" }, h("span", { class: "muted" }, `${t("rules.example_en")}: `), h("code", {}, ex.en)),
        h("button", { type: "button", class: "ghost palette-insert", onclick: () => insert(zh ? ex.zh : ex.en) }, t("rules.insert"))) : null);
  };
  const fields = h("ul", { id: "palette-fields", class: "palette" }, palette.fields.map((f) => entry("field", f)));
  const actions = h("ul", { id: "palette-actions", class: "palette" }, palette.actions.map((a) => entry("action", a)));
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    for (const li of [...fields.children, ...actions.children]) li.hidden = Boolean(q) && !li.dataset.search.includes(q);
  });
  const card = h("div", { class: "card", id: "rule-palette" }, h("h3", {}, t("rules.palette")), filter,
    h("details", { open: true }, h("summary", {}, t("rules.palette_actions")), actions),
    h("details", {}, h("summary", {}, t("rules.palette_fields")), fields));
  return card;
}

