// Users: who may sign in, with their role and channel scope (administrators only: the API
// refuses anyone else with 403, and the shell shows the page as refused).
import { api } from "../api.js";
import { h, table } from "../dom.js";
import { fmtTime, t } from "../i18n.js";

export async function render(root) {
  const { users } = await api("/api/v1/users");
  root.append(h("h1", {}, t("nav.users")), table(
    [t("users.login"), t("users.name"), t("users.role"), t("users.channels"), t("users.state"), t("users.created")],
    users.map((u) => h("tr", { dataset: { login: u.login } }, h("td", {}, u.login), h("td", {}, u.display_name),
      h("td", {}, t(`role.${u.role}`)), h("td", {}, (u.scope.channels || []).map((c) => t(`channel.${c}`)).join("、") || t("common.all")),
      h("td", {}, u.disabled ? t("users.disabled") : t("users.active")), h("td", {}, fmtTime(u.created_at)))),
    { class: "data", id: "users-table" }));
}
