// Inventory: per warehouse and SKU, on hand / reserved / safety / available, low stock first-class.
import { api } from "../api.js";
import { clear, h, table } from "../dom.js";
import { fmtNum, t } from "../i18n.js";

export async function render(root) {
  const { warehouses } = await api("/api/v1/warehouses");
  const form = h("form", { class: "filters", id: "inventory-filters" },
    h("label", {}, t("orders.warehouse"), h("select", { name: "warehouse_id" }, h("option", { value: "" }, t("common.all")),
      warehouses.map((w) => h("option", { value: w.id }, `${w.name} (${w.id})`)))),
    h("label", {}, "SKU", h("input", { name: "sku" })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "low_only", id: "low-only" }), t("inventory.low_only")),
    h("button", { type: "submit" }, t("common.search")));
  const out = h("div", { id: "inventory-results" });
  const more = h("button", { type: "button", class: "ghost", hidden: true }, t("common.more"));
  root.append(h("h1", {}, t("nav.inventory")), form, out, more);
  const names = Object.fromEntries(warehouses.map((w) => [w.id, w.name]));
  let cursor = null;
  let rows = [];
  async function load(reset) {
    const f = new FormData(form);
    const page = await api("/api/v1/inventory", { query: {
      warehouse_id: f.get("warehouse_id"), sku: f.get("sku").trim(), low_only: f.get("low_only") ? "true" : "", limit: 100,
      cursor: reset ? null : cursor,
    } });
    rows = reset ? page.items : rows.concat(page.items);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    clear(out).append(table(
      [t("orders.warehouse"), "SKU", t("inventory.on_hand"), t("inventory.reserved"), t("inventory.safety"), t("inventory.available"), ""],
      rows.map((s) => h("tr", { class: s.low ? "low" : "" }, h("td", {}, names[s.warehouse_id] || s.warehouse_id), h("td", {}, s.sku),
        h("td", { class: "num" }, fmtNum(s.on_hand)), h("td", { class: "num" }, fmtNum(s.reserved)), h("td", { class: "num" }, fmtNum(s.safety)),
        h("td", { class: "num" }, fmtNum(s.available)), h("td", {}, s.low ? h("span", { class: "badge warn" }, t("inventory.low")) : ""))),
      { class: "data", id: "inventory-table" }));
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(true); });
  more.addEventListener("click", () => load(false));
  await load(true);
}
