// The customer tracking page: reads its token from the address, asks the public
// tracking API (no key), and shows a simple timeline. Works on a phone screen.
import { h } from "./dom.js";
import { applyTexts, fmtTime, lang, loadTexts, pick, setLang, t } from "./i18n.js";

const token = decodeURIComponent(location.pathname.split("/").pop() || "");
let view = null;

function draw() {
  const root = document.getElementById("track");
  applyTexts();
  if (!view) {
    root.replaceChildren(h("p", { class: "error", id: "track-missing" }, t("track.not_found")));
    return;
  }
  const s = view.ship_to;
  root.replaceChildren(
    h("section", { class: "card" },
      h("h1", { id: "track-status" }, pick(view.status_label)),
      h("dl", { class: "facts" },
        h("dt", {}, t("track.order")), h("dd", {}, view.order_id),
        h("dt", {}, t("track.promise")), h("dd", { id: "track-promise" }, fmtTime(view.promised_at)),
        h("dt", {}, t("track.carrier")), h("dd", { id: "track-carrier" }, view.carrier || "—"),
        h("dt", {}, t("track.waybill")), h("dd", { id: "track-waybill" }, view.waybill || "—"),
        h("dt", {}, t("track.recipient")), h("dd", { id: "track-recipient" }, `${s.name} ${s.phone}`),
        h("dt", {}, t("track.address")), h("dd", {}, `${s.province}${s.city}${s.district} ${s.detail}`))),
    h("section", { class: "card" },
      h("ol", { class: "milestones simple", id: "track-steps" },
        view.steps.map((st) => h("li", { class: st.at ? "done" : "todo" },
          h("span", { class: "step-name" }, pick(st.label)), h("span", { class: "step-when" }, st.at ? fmtTime(st.at) : "—"))))),
  );
}

async function main() {
  await loadTexts();
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    draw();
  });
  const r = await fetch(`/api/v1/track/${encodeURIComponent(token)}`);
  view = r.ok ? await r.json() : null;
  draw();
}

main();
