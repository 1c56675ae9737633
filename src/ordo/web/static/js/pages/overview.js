// Overview: live KPIs (SSE), order flow by channel (the top five channels and the rest as
// 其他, plain lines: a stacked smoothed area of nine channels cannot be read), the China map
// with the warehouses named, the on-time rate (delivered by the promise stored at
// routing), top problems.
// Figures owned by other parts (exceptions, health) come from their endpoints and
// show "—" while those are absent.
import { api, optional, stream } from "../api.js";
import { h } from "../dom.js";
import { fmtNum, fmtPct, t } from "../i18n.js";

const SUFFIX = /(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市)$/;
export const shortProvince = (p) => (p || "").replace(SUFFIX, "");
const first = (obj, ...keys) => {
  for (const k of keys) if (obj && obj[k] !== undefined && obj[k] !== null) return obj[k];
  return null;
};

const CLOCK = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit" });
const hhmm = (ns) => CLOCK.format(new Date(Math.floor(ns / 1e6)));
export const TOP_CHANNELS = 5;

// The busiest channels by orders over the window, each as its own line, and the rest summed.
export function flowSeries(series, top = TOP_CHANNELS) {
  const total = (data) => data.reduce((n, v) => n + (v || 0), 0);
  const ranked = Object.entries(series).sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
  const shown = ranked.slice(0, top);
  const rest = ranked.slice(top);
  const out = shown.map(([ch, data]) => ({ key: ch, name: t(`channel.${ch}`), data }));
  if (rest.length) {
    const width = Math.max(...rest.map(([, d]) => d.length));
    out.push({ key: "other", name: t("overview.other_channels"),
      data: Array.from({ length: width }, (_, i) => rest.reduce((n, [, d]) => n + (d[i] || 0), 0)) });
  }
  return out;
}

function kpi(id, key) {
  return h("div", { class: "kpi", id }, h("div", { class: "kpi-label" }, t(key)), h("div", { class: "kpi-value" }, "—"),
    h("div", { class: "kpi-detail muted" }));
}
const setKpi = (id, text) => {
  document.querySelector(`#${id} .kpi-value`).textContent = text;
};

function problemList(title, rows, labelOf) {
  return h(
    "div",
    { class: "card" },
    h("h3", {}, title),
    rows.length
      ? h("ol", {}, rows.map((r) => h("li", {}, `${labelOf(r.key)} · ${fmtNum(r.count)}`)))
      : h("p", { class: "muted" }, t("common.none")),
  );
}

export async function render(root, ctx) {
  const charts = window.echarts;
  root.append(
    h("h1", {}, t("nav.overview"), h("span", { id: "live", class: "live" }, t("overview.connecting"))),
    h(
      "div",
      { class: "kpis" },
      kpi("kpi-total", "overview.total_orders"),
      kpi("kpi-rate", "overview.orders_per_minute"),
      kpi("kpi-ontime", "overview.on_time_rate"),
      kpi("kpi-exception", "overview.exception_rate"),
      kpi("kpi-closure", "overview.auto_closure_rate"),
      kpi("kpi-precision", "overview.alert_precision"),
      kpi("kpi-health", "overview.health"),
    ),
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "card" }, h("h3", {}, t("overview.flow")), h("div", { id: "flow", class: "chart" })),
      h("div", { class: "card" }, h("h3", {}, t("overview.map")), h("div", { id: "map", class: "chart tall" })),
    ),
    h("div", { id: "problems", class: "grid3" }),
  );
  if (!charts) root.prepend(h("p", { class: "notice" }, t("overview.no_charts")));
  const flow = charts ? charts.init(document.getElementById("flow")) : null;
  const map = charts ? charts.init(document.getElementById("map")) : null;
  const { warehouses } = await api("/api/v1/warehouses");
  const names = Object.fromEntries(warehouses.map((w) => [w.id, w.name]));
  let total = 0;
  let stats = null;
  // Ids of order.created events seen live; those past the last snapshot's cursor add to its count.
  const seen = new Set();
  const recount = () => {
    for (const id of seen) if (id <= stats.cursor) seen.delete(id);
    total = stats.total_orders + seen.size;
  };

  function draw() {
    setKpi("kpi-total", fmtNum(total));
    setKpi("kpi-rate", fmtNum(stats.orders_per_minute, 1));
    setKpi("kpi-ontime", fmtPct(stats.on_time.rate));
    document.querySelector("#kpi-ontime .kpi-detail").textContent = stats.on_time.delivered
      ? t("overview.on_time_of", { n: fmtNum(stats.on_time.on_time), m: fmtNum(stats.on_time.delivered) })
      : t("overview.none_delivered");
    if (flow) {
      const series = flowSeries(stats.flow.series).map((x) => ({
        id: x.key, name: x.name, type: "line", smooth: false, showSymbol: false, lineStyle: { width: 2 }, data: x.data,
      }));
      flow.setOption(
        {
          animation: false,
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          grid: { left: 40, right: 10, top: 30, bottom: 25 },
          xAxis: { type: "category", data: stats.flow.minutes_ns.map(hhmm) },
          yAxis: { type: "value", minInterval: 1 },
          series,
        },
        true,
      );
    }
    if (map) {
      const density = Object.entries(stats.by_province).map(([p, n]) => ({ name: shortProvince(p), value: n }));
      const max = Math.max(1, ...density.map((d) => d.value));
      map.setOption(
        {
          animation: false,
          tooltip: { trigger: "item" },
          visualMap: { min: 0, max, left: 0, bottom: 0, calculable: true, text: [t("overview.more"), t("overview.less")], seriesIndex: 0 },
          geo: { map: "china", roam: true, itemStyle: { areaColor: "#eef2f7" } },
          series: [
            { name: t("overview.orders"), type: "map", geoIndex: 0, data: density },
            {
              name: t("overview.warehouses"),
              type: "scatter",
              coordinateSystem: "geo",
              symbolSize: 9,
              itemStyle: { color: "#d9480f" },
              label: { show: true, position: "right", formatter: "{b}", fontSize: 11, color: "#7c2d12" },
              labelLayout: { hideOverlap: true },
              data: warehouses.map((w) => ({ name: w.name, value: [w.lng, w.lat, stats.by_warehouse[w.id] || 0] })),
            },
          ],
        },
        true,
      );
    }
    const p = stats.problems;
    document.getElementById("problems").replaceChildren(
      problemList(t("overview.problem_warehouses"), p.warehouses, (k) => names[k] || k),
      problemList(t("overview.problem_carriers"), p.carriers, (k) => t(`carrier.${k}`)),
      problemList(t("overview.problem_regions"), p.regions, (k) => k),
    );
  }

  async function refresh() {
    stats = await api("/api/v1/stats/overview");
    recount();
    draw();
  }

  async function others() {
    const ex = await optional("/api/v1/incidents/metrics").catch(() => null);
    // Exceptions raised (open + closed) per order Ordo holds.
    const raised = ex && ex.open !== undefined ? ex.open + ex.closed : null;
    setKpi("kpi-exception", fmtPct(raised !== null && total ? raised / total : first(ex, "exception_rate")));
    setKpi("kpi-closure", fmtPct(first(ex, "auto_closure_rate", "closure_rate")));
    setKpi("kpi-precision", fmtPct(first(ex, "alert_precision", "precision")));
    const health = await optional("/api/v1/health/summary").catch(() => null);
    const d = health && (health.bands || health.distribution || health.counts || health);
    const parts = d && ["green", "yellow", "red"].filter((c) => d[c] !== undefined);
    setKpi("kpi-health", parts && parts.length ? parts.map((c) => `${t(`health.${c}`)} ${fmtNum(d[c])}`).join(" / ") : "—");
  }

  await refresh();
  others();
  let pending = null;
  const soon = () => {
    if (!pending) pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 1000);
  };
  const stop = stream("/api/v1/stream?type=order.created,order.milestone_recorded,order.update_rejected", (msg) => {
    if (msg.event === "order.created" && stats) {
      seen.add(Number(msg.id));
      recount();
      setKpi("kpi-total", fmtNum(total));
    }
    soon();
  }, (state) => {
    const live = document.getElementById("live");
    if (live) live.textContent = state === "open" ? t("overview.live") : t("overview.connecting");
    if (live) live.dataset.state = state;
  });
  const timer = setInterval(() => { refresh().catch(() => {}); others(); }, 15000);
  const resize = () => { flow && flow.resize(); map && map.resize(); };
  window.addEventListener("resize", resize);
  return () => {
    stop();
    clearInterval(timer);
    clearTimeout(pending);
    window.removeEventListener("resize", resize);
    flow && flow.dispose();
    map && map.dispose();
  };
}
