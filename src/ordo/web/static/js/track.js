// The customer tracking page: reads its token from the address, asks the public
// tracking API (no key), and shows the platform order number, the items, the waybill
// with its carrier, the promise and the live estimate, and a simple timeline in the
// buyer's words. Re-reads itself every minute while the parcel is on its way. Works on
// a phone screen.
import { h } from "./dom.js";
import { applyTexts, fmtNum, fmtTime, lang, loadTexts, pick, setLang, t } from "./i18n.js";

const token = decodeURIComponent(location.pathname.split("/").pop() || "");
const REFRESH_MS = 60_000;
const FINAL = new Set(["delivered", "completed", "cancelled", "returned", "refunded"]);
let view = null;

function draw() {
  const root = document.getElementById("track");
  applyTexts();
  if (!view) {
    root.replaceChildren(h("p", { class: "error", id: "track-missing" }, t("track.not_found")));
    return;
  }
  const s = view.ship_to;
  const bills = view.waybills || [];
  const when = view.delivered_at
    ? [h("dt", {}, t("track.delivered_at")), h("dd", { id: "track-delivered" }, fmtTime(view.delivered_at))]
    : [h("dt", {}, t("track.eta")), h("dd", { id: "track-eta" }, fmtTime(view.eta))];
  root.replaceChildren(
    h("section", { class: "card" },
      h("h1", { id: "track-status" }, pick(view.status_label)),
      h("dl", { class: "facts" },
        h("dt", {}, t("track.order")), h("dd", { id: "track-order" }, view.order_no || view.order_id),
        ...when,
        h("dt", {}, t("track.promise")), h("dd", { id: "track-promise" }, fmtTime(view.promised_at)),
        h("dt", {}, t("track.carrier")), h("dd", { id: "track-carrier" }, view.carrier || "—"),
        h("dt", {}, t("track.waybill")),
        h("dd", { id: "track-waybill" }, bills.length ? bills.map((b) => `${b.carrier ? `${b.carrier} ` : ""}${b.number}`).join("；") : "—"),
        h("dt", {}, t("track.recipient")), h("dd", { id: "track-recipient" }, `${s.name} ${s.phone}`),
        h("dt", {}, t("track.address")), h("dd", {}, `${s.province}${s.city}${s.district} ${s.detail}`))),
    (view.items || []).length
      ? h("section", { class: "card" }, h("h2", {}, t("track.items")),
        h("ul", { class: "items", id: "track-items" }, view.items.map((it) => h("li", {}, `${it.name} × ${fmtNum(it.quantity)}`))))
      : "",
    h("section", { class: "card" },
      h("ol", { class: "milestones simple", id: "track-steps" },
        view.steps.map((st) => h("li", { class: st.at ? "done" : "todo", dataset: { milestone: st.milestone } },
          h("span", { class: "step-name" }, pick(st.label)), h("span", { class: "step-when" }, st.at ? fmtTime(st.at) : "—"))))),
  );
}

async function fetchView() {
  const r = await fetch(`/api/v1/track/${encodeURIComponent(token)}`);
  return r.ok ? r.json() : null;
}

async function main() {
  await loadTexts();
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    draw();
  });
  view = await fetchView();
  draw();
  // Live: re-read while the order is still moving (a plain poll: the link carries no key
  // for the staff event stream, and a buyer's page need not be faster than a minute).
  const timer = setInterval(async () => {
    if (!view || FINAL.has(view.status)) { clearInterval(timer); return; }
    const fresh = await fetchView().catch(() => null);
    if (fresh) { view = fresh; draw(); }
  }, REFRESH_MS);
}

main();
