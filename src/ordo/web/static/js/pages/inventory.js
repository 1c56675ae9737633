// Inventory: per product and warehouse, on hand / reserved / safety / available, the total
// available across warehouses, and what each channel may sell (its stock rules over the
// pool); low stock first-class. People with inventory_write edit the safety stock in place.
import { api } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, t } from "../i18n.js";

const CHANNELS = ["tmall", "taobao", "jd", "pinduoduo", "douyin", "kuaishou", "xiaohongshu", "wechat_channels", "wechat_mp", "youzan", "pos", "b2b", "api"];

export async function render(root, ctx) {
  const { warehouses } = await api("/api/v1/warehouses");
  const canEdit = ctx && ctx.can && ctx.can("inventory_write");
  const form = h("form", { class: "filters", id: "inventory-filters" },
    h("label", {}, t("orders.warehouse"), h("select", { name: "warehouse_id" }, h("option", { value: "" }, t("common.all")),
      warehouses.map((w) => h("option", { value: w.id }, `${w.name} (${w.id})`)))),
    h("label", {}, "SKU", h("input", { name: "sku" })),
    h("label", {}, t("inventory.channel"), h("select", { name: "channel", id: "inventory-channel" }, h("option", { value: "" }, t("common.all")),
      CHANNELS.map((c) => h("option", { value: c }, t(`channel.${c}`))))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "low_only", id: "low-only" }), t("inventory.low_only")),
    h("button", { type: "submit" }, t("common.search")));
  const out = h("div", { id: "inventory-results" });
  const message = h("p", { class: "notice", role: "status", id: "inventory-message" });
  const more = h("button", { type: "button", class: "ghost", hidden: true }, t("common.more"));
  root.append(h("h1", {}, t("nav.inventory")), form, message, out, more);
  const names = Object.fromEntries(warehouses.map((w) => [w.id, w.name]));
  let cursor = null;
  let rows = [];

  function safetyCell(s) {
    if (!canEdit) return h("td", { class: "num" }, fmtNum(s.safety));
    const input = h("input", { type: "number", min: 0, step: 1, value: s.safety, class: "safety-input", "aria-label": t("inventory.safety") });
    const save = h("button", { type: "button", class: "ghost safety-save" }, t("inventory.save"));
    save.addEventListener("click", async () => {
      const value = Number(input.value);
      try {
        const r = await api(`/api/v1/inventory/${encodeURIComponent(s.warehouse_id)}/${encodeURIComponent(s.sku)}`, { method: "PUT", body: { safety: value } });
        message.textContent = t("inventory.saved", { sku: s.sku, wh: s.warehouse_name || names[s.warehouse_id] || s.warehouse_id, n: fmtNum(r.safety), available: fmtNum(r.available) });
        await load(true);
      } catch (e) {
        message.textContent = e.message;
      }
    });
    return h("td", { class: "safety" }, input, save);
  }

  async function load(reset) {
    const f = new FormData(form);
    const page = await api("/api/v1/inventory", { query: {
      warehouse_id: f.get("warehouse_id"), sku: f.get("sku").trim(), low_only: f.get("low_only") ? "true" : "",
      channel: f.get("channel"), limit: 100, cursor: reset ? null : cursor,
    } });
    rows = reset ? page.items : rows.concat(page.items);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    clear(out).append(table(
      [t("inventory.product"), t("orders.warehouse"), t("inventory.on_hand"), t("inventory.reserved"), t("inventory.safety"),
        t("inventory.available"), t("inventory.total"), t("inventory.sellable"), ""],
      rows.map((s) => h("tr", { class: s.low ? "low" : "", dataset: { sku: s.sku, warehouse: s.warehouse_id } },
        h("td", { class: "product" }, s.name ? [h("span", {}, s.name), " ", h("code", {}, s.sku)] : h("code", {}, s.sku)),
        h("td", {}, s.warehouse_name || names[s.warehouse_id] || s.warehouse_id),
        h("td", { class: "num" }, fmtNum(s.on_hand)), h("td", { class: "num" }, fmtNum(s.reserved)), safetyCell(s),
        h("td", { class: "num available" }, fmtNum(s.available)), h("td", { class: "num pool" }, fmtNum(s.pool)),
        h("td", { class: "sellable" }, Object.entries(s.sellable || {}).map(([c, n]) => `${t(`channel.${c}`)} ${fmtNum(n)}`).join(" · ") || "—"),
        h("td", {}, s.low ? h("span", { class: "badge warn" }, t("inventory.low")) : ""))),
      { class: "data", id: "inventory-table" }));
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(true); });
  more.addEventListener("click", () => load(false));
  await load(true);
}
