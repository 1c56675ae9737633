// The dashboard shell: sign-in with a login and password (or an API key), role-aware
// navigation, hash routes, language switch. Each page module renders into <main> and
// returns a cleanup. A page whose data the role may not read is shown as refused.
import { api, ApiError, session } from "./api.js";
import { clear, h } from "./dom.js";
import { addChannelLabels, applyTexts, lang, loadTexts, setLang, t } from "./i18n.js";
import * as ask from "./pages/ask.js";
import * as exceptions from "./pages/exceptions.js";
import * as forecast from "./pages/forecast.js";
import * as holds from "./pages/held.js";
import * as inventory from "./pages/inventory.js";
import * as orders from "./pages/orders.js";
import * as overview from "./pages/overview.js";
import * as risk from "./pages/risk.js";
import * as rules from "./pages/rules.js";
import * as segments from "./pages/segments.js";
import * as users from "./pages/users.js";

const PAGES = { overview, orders, holds, exceptions, rules, inventory, risk, ask, segments, forecast, users };
const $ = (id) => document.getElementById(id);
let ctx = null;
let cleanup = null;
let navigations = 0;

function can(perm) {
  return Boolean(ctx && (ctx.me.permissions.includes(perm) || ctx.me.permissions.includes("admin")));
}

async function login(key) {
  session.set(key);
  try {
    const me = await api("/api/v1/me");
    ctx = { me, can };
    return true;
  } catch (e) {
    session.clear();
    ctx = null;
    $("login-error").textContent = e instanceof ApiError && e.status === 401 ? t("login.bad_key") : e.message;
    return false;
  }
}

async function signIn(login, password) {
  try {
    const me = await api("/api/v1/session", { method: "POST", body: { login, password } });
    session.setCsrf(me.csrf_token);
    ctx = { me, can };
    return true;
  } catch (e) {
    ctx = null;
    const known = { 401: "login.bad_password", 429: "login.too_many", 503: "login.busy" };
    $("login-error").textContent = e instanceof ApiError && known[e.status] ? t(known[e.status]) : e.message;
    return false;
  }
}

// A signed-in session survives a reload: the cookie is still there, the CSRF token is asked again.
async function resume() {
  try {
    const me = await api("/api/v1/session");
    session.setCsrf(me.csrf_token);
    ctx = { me, can };
  } catch {
    ctx = null;
  }
}

async function logout() {
  if (ctx && ctx.me.session) {
    try {
      await api("/api/v1/session", { method: "DELETE" });
    } catch {
      // Already ended on the server: signing out here is all that is left to do.
    }
  }
  session.clear();
  ctx = null;
  location.hash = "";
  showLogin();
}

function showLogin() {
  if (cleanup) cleanup();
  cleanup = null;
  clear($("page"));
  $("login").hidden = false;
  $("nav").hidden = true;
  $("whoami").hidden = true;
  $("logout").hidden = true;
}

let channelLabels = false;

async function route() {
  if (!ctx) return showLogin();
  if (!channelLabels) {
    channelLabels = true; // once per page load; a failure leaves the static labels
    try {
      addChannelLabels((await api("/api/v1/channels")).channels);
    } catch {
      channelLabels = false;
    }
  }
  $("login").hidden = true;
  $("nav").hidden = false;
  $("logout").hidden = false;
  const who = $("whoami");
  who.hidden = false;
  who.textContent = `${t(`role.${ctx.me.role}`)} · ${ctx.me.name || ctx.me.key_id}`;
  who.dataset.role = ctx.me.role;
  for (const a of $("nav").querySelectorAll("a[data-perm]")) a.hidden = !can(a.dataset.perm);
  const [name, ...rest] = (location.hash.replace(/^#\/?/, "") || "overview").split("/");
  const page = PAGES[name] || overview;
  for (const a of $("nav").querySelectorAll("a")) a.classList.toggle("active", a.getAttribute("href") === `#/${name}`);
  if (cleanup) cleanup();
  cleanup = null;
  const root = clear($("page"));
  root.dataset.page = name;
  const mine = ++navigations;
  try {
    const done = (await page.render(root, ctx, rest.map(decodeURIComponent))) || null;
    // Left before this page finished rendering: stop it, and leave the new page alone.
    if (mine !== navigations) return done && done();
    cleanup = done;
  } catch (e) {
    if (mine !== navigations) return;
    if (e instanceof ApiError && e.status === 401) {
      session.clear();
      ctx = null;
      return showLogin();
    }
    if (e instanceof ApiError && e.status === 403) {
      root.append(h("div", { class: "card refused", id: "refused", role: "alert" },
        h("h1", {}, t("refused.title")), h("p", {}, t("refused.text", { role: t(`role.${ctx.me.role}`) })),
        h("p", { class: "muted" }, e.message)));
      return;
    }
    root.append(h("p", { class: "error", role: "alert" }, e.message));
  }
}

async function main() {
  await loadTexts();
  applyTexts();
  $("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    applyTexts();
    route();
  });
  $("logout").addEventListener("click", logout);
  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await signIn($("login-name").value.trim(), $("login-password").value)) {
      $("login-password").value = "";
      $("login-error").textContent = "";
      route();
    }
  });
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await login($("api-key").value.trim())) {
      $("api-key").value = "";
      $("login-error").textContent = "";
      route();
    }
  });
  window.addEventListener("hashchange", route);
  // Sign-in through the company's identity provider, when the server is configured for one.
  api("/api/v1/session/oidc")
    .then((offered) => {
      // The link exists only when the server offers it: no dead link in the page otherwise.
      if (offered.enabled) $("oidc-signin").href = "/api/v1/session/oidc/start";
      $("oidc-signin").hidden = !offered.enabled;
    })
    .catch(() => {});
  if (session.key) await login(session.key);
  else await resume();
  route();
}

main();
