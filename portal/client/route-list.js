// @ts-check
// The routes of one namespace as a table: name, domain, reach, backend and
// the state in plain words (the server derives them from the conditions:
// portal/status-words.ts), with the condition's message under the words.
// Rebuilt on every change; the page puts focus back where it was (data-key).

import { el } from "./dom.js";

/** @typedef {import("./types.js").RouteView} RouteView */
/** @typedef {import("./types.js").NamespaceAccess} NamespaceAccess */
/** @typedef {import("./types.js").Route} Route */

/**
 * @typedef {{
 *   edit: (view: RouteView) => void,
 *   askDelete: (key: string) => void,
 *   confirmDelete: (view: RouteView) => void,
 *   keep: (key: string) => void,
 * }} RowActions
 */

/**
 * @typedef {{
 *   access: NamespaceAccess,
 *   routes: Map<string, RouteView> | undefined,
 *   problem: string | undefined,
 *   confirming: Set<string>,
 *   rowMessages: Map<string, string>,
 * }} NamespaceState
 */

/** @param {Route} route */
export function routeKey(route) {
  return `${route.metadata.namespace ?? ""}/${route.metadata.name ?? ""}`;
}

/**
 * @param {NamespaceState} state
 * @param {RowActions} actions
 * @returns {HTMLElement}
 */
export function namespaceSection(state, actions) {
  const name = state.access.name;
  const titleId = `ns-${name}`;
  const body = [];
  if (state.problem) body.push(el("p", { class: "problem" }, state.problem));
  if (!state.routes) {
    body.push(el("p", { class: "muted" }, "Loading…"));
  } else if (state.routes.size === 0) {
    body.push(el("p", { class: "muted" }, "No routes yet."));
  } else {
    const views = [...state.routes.values()].sort((a, b) => (a.object.metadata.name ?? "").localeCompare(b.object.metadata.name ?? ""));
    body.push(
      el(
        "table",
        { class: "routes" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ...["Name", "Domain", "Reach", "Backend", "State"].map((head) => el("th", { scope: "col" }, head)),
            el("th", { scope: "col" }, "Actions"),
          ),
        ),
        el("tbody", {}, ...views.map((view) => row(view, state, actions))),
      ),
    );
  }
  return el("section", { class: "namespace", "aria-labelledby": titleId }, el("h2", { id: titleId }, name), ...body);
}

/**
 * @param {RouteView} view
 * @param {NamespaceState} state
 * @param {RowActions} actions
 */
function row(view, state, actions) {
  const route = view.object;
  const key = routeKey(route);
  const name = route.metadata.name ?? "";
  const removing = Boolean(route.metadata.deletionTimestamp);
  const buttons = [];
  if (state.confirming.has(key)) {
    buttons.push(
      el("span", { class: "confirm" }, `Delete ${name} for good?`),
      el("button", { type: "button", class: "danger", "data-key": `yes:${key}`, onclick: () => actions.confirmDelete(view) }, "Yes, delete"),
      el("button", { type: "button", "data-key": `keep:${key}`, onclick: () => actions.keep(key) }, "Keep it"),
    );
  } else {
    if (state.access.may.update && !removing) {
      buttons.push(el("button", { type: "button", "data-key": `edit:${key}`, "aria-label": `Edit ${key}`, onclick: () => actions.edit(view) }, "Edit"));
    }
    if (state.access.may.delete && !removing) {
      buttons.push(
        el("button", { type: "button", "data-key": `delete:${key}`, "aria-label": `Delete ${key}`, onclick: () => actions.askDelete(key) }, "Delete"),
      );
    }
  }
  const message = state.rowMessages.get(key);
  return el(
    "tr",
    { "data-route": key },
    el("th", { scope: "row" }, name),
    el("td", {}, route.spec?.domain ?? ""),
    el("td", {}, reach(route)),
    el("td", {}, backend(route)),
    el(
      "td",
      { class: "state-cell" },
      el("span", { class: `state state-${view.words.state}` }, view.words.text),
      view.words.detail ? el("p", { class: "detail" }, view.words.detail) : null,
      links(route),
    ),
    el("td", { class: "actions" }, ...buttons, message ? el("p", { class: "problem" }, message) : null),
  );
}

/**
 * The route's dashboard and logs (status.observability, from the platform's URL templates). Status is untrusted
 * (anyone who may write it can), so only http(s) URLs become links: never `javascript:` or `data:`.
 * @param {Route} route
 */
function links(route) {
  const found = route.status?.observability;
  if (!found) return null;
  const items = [
    ["Dashboard", found.dashboard],
    ["Logs", found.logs],
  ].flatMap(([label, url]) => (typeof url === "string" && safeUrl(url) ? [el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, label)] : []));
  return items.length === 0 ? null : el("p", { class: "links" }, ...items.flatMap((a, i) => (i === 0 ? [a] : [" · ", a])));
}

/** @param {string} url */
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}

/** @param {Route} route */
function reach(route) {
  if (route.spec?.lb === "alb-out") return route.spec.protection ? "public, behind a login" : "public";
  if (route.spec?.lb === "alb-in") return route.spec.protection ? "internal, behind a login" : "internal";
  return "";
}

/** @param {Route} route */
function backend(route) {
  if (route.spec?.routing?.mode === "External") return "own VirtualService";
  const service = route.spec?.backend?.service;
  if (service) return `Service ${service.namespace ? `${service.namespace}/` : ""}${service.name}:${service.port ?? "?"}`;
  const external = route.spec?.backend?.external;
  if (external) return `${external.ip}:${external.port ?? "?"} (${external.protocol ?? "HTTP"})`;
  return "";
}
