// Tasks raised by event-stream triggers (任务), shown on the exceptions workbench: each open
// task's customer, owner (a role or a person), what to do and its due time (overdue marked),
// with "take it" and "close" for those who work the queues. Live over the event stream.
import { api, optional, stream } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtTime, lang, t } from "../i18n.js";

export async function tasksSection(ctx) {
  let first = null;
  try {
    first = await optional("/api/v1/tasks", { query: { status: "open", limit: 100 } });
  } catch {
    first = null; // a caller bound to channels does not see tasks (they span channels)
  }
  if (first === null) return { el: "", stop: () => {} };
  const canAct = ctx.can("exceptions_write");
  const out = h("div", { id: "task-results" });
  const message = h("p", { class: "notice", role: "status", id: "task-message" });

  function owner(x) {
    if (x.assignee) return x.assignee;
    return x.role ? t(`tasks.role.${x.role}`) : "—";
  }
  // A trigger's own title is shown as written; the default one says it in both languages.
  function title(x) {
    const parts = x.title.split(" / ");
    return parts.length === 2 ? parts[lang() === "zh" ? 0 : 1] : x.title;
  }
  function row(x) {
    const actions = canAct
      ? h("div", { class: "ex-actions" },
        h("button", { type: "button", class: "ghost task-take", onclick: () => act(x, "assign", { assignee: ctx.me.label }) }, t("tasks.take")),
        h("button", { type: "button", class: "ghost task-close", onclick: () => act(x, "close", {}) }, t("tasks.close")))
      : "";
    return h("tr", { dataset: { task: x.id }, class: x.overdue ? "overdue" : "" },
      h("td", {}, String(x.id)), h("td", {}, x.customer_ref),
      h("td", {}, x.order_id ? h("a", { href: `#/orders/${encodeURIComponent(x.order_id)}` }, x.order_id) : "—"),
      h("td", { class: "task-owner" }, owner(x)), h("td", { class: "task-title" }, title(x)),
      h("td", {}, fmtTime(x.due_at), x.overdue ? h("span", { class: "overdue" }, ` ${t("tasks.overdue")}`) : ""),
      h("td", {}, actions));
  }
  function show(r) {
    clear(out).append(r.items.length
      ? table(["#", t("tasks.customer"), t("orders.order"), t("tasks.owner"), t("tasks.what"), t("tasks.due"), ""],
        r.items.map(row), { class: "data", id: "tasks-table" })
      : h("p", { class: "muted", id: "tasks-none" }, t("tasks.none")));
  }
  async function load() {
    show(await api("/api/v1/tasks", { query: { status: "open", limit: 100 } }));
  }
  async function act(x, action, body) {
    try {
      const r = await api(`/api/v1/tasks/${encodeURIComponent(x.id)}/${action}`, { method: "POST", body });
      await load();
      message.textContent = action === "close" ? t("tasks.closed", { id: x.id }) : t("tasks.assigned", { id: x.id, who: r.assignee });
    } catch (e) {
      message.textContent = e.message;
    }
  }
  show(first);
  let pending = null;
  const stop = stream("/api/v1/stream?type=task.raised,task.assigned,task.closed", () => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; load().catch(() => {}); }, 300);
  });
  const el = h("div", { class: "card", id: "tasks" }, h("h3", {}, t("tasks.title")), message, out);
  return { el, stop: () => { stop(); clearTimeout(pending); } };
}
