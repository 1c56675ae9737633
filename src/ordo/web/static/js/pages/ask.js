// Ask: a question in Chinese or English over the metrics layer (POST /api/v1/ask), answered
// with the same words, rows, definition (口径) and SQL as `ordo ask` and the chat bots. A
// question Ordo cannot read shows the closest ones it can, each one click away.
import { api, ApiError } from "../api.js";
import { clear, h, table } from "../dom.js";
import { pick, t } from "../i18n.js";

const EXAMPLES = ["南京仓昨日准时率", "上周各渠道的拆单率", "近7天各快递的揽收及时率", "本月各省的成交额",
  "which carrier had the most late deliveries in 广东 last week"];

export async function render(root, ctx, rest) {
  const input = h("input", { name: "question", id: "ask-question", maxlength: 300, autocomplete: "off",
    placeholder: t("ask.placeholder"), "aria-label": t("ask.question") });
  const form = h("form", { class: "filters", id: "ask-form" }, input, h("button", { type: "submit" }, t("ask.submit")));
  const examples = h("p", { class: "examples", id: "ask-examples" }, t("ask.examples"), " ",
    EXAMPLES.map((q) => h("button", { type: "button", class: "ghost chip", onclick: () => ask(q) }, q)));
  const out = h("section", { id: "ask-answer", "aria-live": "polite" });
  root.append(h("h1", {}, t("nav.ask")), form, examples, out);

  async function ask(question) {
    input.value = question;
    clear(out).append(h("p", { class: "notice" }, t("ask.thinking")));
    try {
      show(await api("/api/v1/ask", { method: "POST", body: { question } }));
    } catch (e) {
      const body = e instanceof ApiError ? e.body : {};
      const hints = (body.details && body.details.suggestions) || [];
      clear(out).append(h("p", { class: "error", id: "ask-error" }, e.message),
        hints.length ? h("p", { id: "ask-suggestions" }, t("ask.did_you_mean"), " ",
          hints.map((s) => h("button", { type: "button", class: "ghost chip", onclick: () => ask(pick(s)) }, pick(s)))) : "");
    }
  }

  function show(a) {
    const dims = a.group_by;
    const rows = dims.length ? table(
      [...dims.map((d) => t(`ask.dim.${d}`)), pick(a.metric), t("ask.base")],
      a.rows.map((r) => h("tr", {}, dims.map((d) => h("td", {}, d === "channel" ? t(`channel.${r.channel}`) : r[d])),
        h("td", { class: "num" }, r.display), h("td", { class: "num" }, r.base ?? "—"))),
      { class: "data", id: "ask-rows" }) : "";
    clear(out).append(
      h("p", { class: "answer", id: "ask-said" }, pick(a.answer)),
      h("p", { class: "muted", id: "ask-reading" }, t("ask.read_as"), " ", pick(a.reading),
        ` (${a.period.from} – ${a.period.to})`),
      a.ignored.length ? h("p", { class: "warn", id: "ask-ignored" }, t("ask.ignored"), " ", a.ignored.join("、")) : "",
      rows,
      h("p", { id: "ask-definition" }, h("strong", {}, `${t("ask.definition")} `), pick(a.metric.definition)),
      h("details", { id: "ask-sql" }, h("summary", {}, t("ask.sql")),
        h("pre", {}, a.sql), h("pre", {}, JSON.stringify(a.params))));
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (input.value.trim()) ask(input.value.trim());
  });
  if (rest && rest[0]) await ask(rest[0]);
}
