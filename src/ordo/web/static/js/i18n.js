// Texts in Chinese and English (static/i18n.json); the choice is kept in localStorage.
const STORE = "ordo.lang";
let dict = { zh: {}, en: {} };

export async function loadTexts() {
  const r = await fetch("/static/i18n.json");
  dict = await r.json();
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
}

// Channel labels from the channels' mapping files (GET /api/v1/channels: {channel, label:
// {zh, en}}): a platform added as a TOML file is named without an edit to i18n.json, which
// keeps the last word for the channels it names.
export function addChannelLabels(channels) {
  for (const c of channels || []) {
    if (!c || !c.channel || !c.label) continue;
    for (const l of ["zh", "en"]) {
      const key = `channel.${c.channel}`;
      if (dict[l] && dict[l][key] === undefined && c.label[l]) dict[l][key] = c.label[l];
    }
  }
}

export function lang() {
  const l = localStorage.getItem(STORE);
  return l === "en" ? "en" : "zh";
}

export function setLang(l) {
  localStorage.setItem(STORE, l);
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
}

export function t(key, vars = {}) {
  let s = dict[lang()][key] ?? dict.en[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

// A {zh, en} object from the API, in the current language.
export function pick(obj) {
  if (!obj) return "";
  return obj[lang()] ?? obj.en ?? "";
}

export function applyTexts(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-ph]")) el.placeholder = t(el.dataset.i18nPh);
  const button = document.getElementById("lang");
  if (button) button.textContent = lang() === "zh" ? "English" : "中文";
}

export function fmtTime(iso) {
  if (!iso) return "—";
  return iso.replace("T", " ").slice(0, 19);
}

export function fmtNum(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return Number(n).toLocaleString(lang() === "zh" ? "zh-CN" : "en-US", {
    maximumFractionDigits: digits,
  });
}

export function fmtPct(rate) {
  if (rate === null || rate === undefined) return "—";
  return `${(rate * 100).toFixed(1)}%`;
}

export function yuan(fen) {
  if (fen === null || fen === undefined) return "—";
  return `¥${(fen / 100).toFixed(2)}`;
}
