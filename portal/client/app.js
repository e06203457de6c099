// @ts-check
// The self-service page: the person's namespaces with their DomainRoutes,
// each in plain words and updated live (events.js), and the form to create,
// edit and delete them (form.js). Renders into <main id="app"> of the shell the
// server sends (portal-app.ts), else into <body>.

import { ApiError, asVerdict, getJson, rememberCsrf, request, routesPath, seg } from "./api.js";
import { el, replace } from "./dom.js";
import { watchRoutes } from "./events.js";
import { RouteForm } from "./form.js";
import { namespaceSection, routeKey } from "./route-list.js";

/** @typedef {import("./types.js").RouteView} RouteView */
/** @typedef {import("./types.js").Session} Session */
/** @typedef {import("./types.js").NamespaceAccess} NamespaceAccess */
/** @typedef {import("./types.js").FormChoices} FormChoices */
/** @typedef {import("./route-list.js").NamespaceState} NamespaceState */

const root = document.getElementById("app") ?? document.body;
// Two live regions: what the person's own action did ("Created team-a/blog."), and the latest change of a route's state,
// so a status change arriving right after a save does not wipe the save's confirmation.
const announcer = el("p", { id: "announcer", class: "announcer", role: "status", "aria-live": "polite" });
const changes = el("p", { id: "changes", class: "changes muted", "aria-live": "polite" });
const connection = el("p", { class: "connection muted" }, "");
const list = el("div", { class: "namespaces" });

/** @type {Map<string, NamespaceState>} */
const namespaces = new Map();
/** @type {Map<string, Promise<FormChoices>>} */
const choicesCache = new Map();

/** @param {string} words what the person's own action did */
function announce(words) {
  announcer.textContent = words;
}

/** @param {string} words a route's new state */
function announceChange(words) {
  changes.textContent = words;
}

/** @param {string} namespace */
function choices(namespace) {
  let pending = choicesCache.get(namespace);
  if (!pending) {
    pending = /** @type {Promise<FormChoices>} */ (getJson(`/api/namespaces/${seg(namespace)}/choices`));
    pending.catch(() => choicesCache.delete(namespace));
    choicesCache.set(namespace, pending);
  }
  return pending;
}

/** Rebuilds the tables, keeping focus on the same control when it still exists. */
function render() {
  const active = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  replace(list, ...[...namespaces.values()].map((state) => namespaceSection(state, actions)));
  if (active) {
    const again = list.querySelector(`[data-key="${CSS.escape(active)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}

/** @param {string} key */
function stateOf(key) {
  return namespaces.get(key.slice(0, key.indexOf("/")));
}

/** @param {string} key */
function focusKey(key) {
  const node = list.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (node instanceof HTMLElement) node.focus();
}

/** @type {string | undefined} the control to return to when the form closes */
let returnFocus;

/** @type {import("./route-list.js").RowActions} */
const actions = {
  edit(view) {
    returnFocus = `edit:${routeKey(view.object)}`;
    void form.openEdit(view);
  },
  askDelete(key) {
    stateOf(key)?.confirming.add(key);
    render();
    focusKey(`yes:${key}`);
  },
  keep(key) {
    stateOf(key)?.confirming.delete(key);
    render();
    focusKey(`delete:${key}`);
  },
  async confirmDelete(view) {
    const key = routeKey(view.object);
    const state = stateOf(key);
    // The uid is the one precondition (portal-api.md): a status write since the row was drawn must not refuse the delete.
    const { namespace = "", name = "", uid } = view.object.metadata;
    state?.confirming.delete(key);
    state?.rowMessages.delete(key);
    try {
      const verdict = asVerdict(await request("DELETE", `${routesPath(namespace)}/${seg(name)}`, { body: { uid } }));
      if (verdict.allowed) announce(`Deleted ${key}.`);
      else state?.rowMessages.set(key, `Not deleted: ${[...verdict.refusal.general, ...Object.values(verdict.refusal.fields).flat()].join(" ")}`);
    } catch (error) {
      state?.rowMessages.set(key, `Not deleted: ${error instanceof Error ? error.message : String(error)}`);
    }
    render();
    if (state?.rowMessages.has(key)) announce(state.rowMessages.get(key) ?? "");
  },
};

/** @type {RouteForm} */
let form;

/** Without a stream, namespaces not yet drawn are read once, so the page shows what exists rather than "Loading…". */
async function loadWithoutStream() {
  for (const [namespace, state] of namespaces) {
    if (state.routes) continue;
    try {
      const page = /** @type {{ items: RouteView[] }} */ (await getJson(routesPath(namespace)));
      state.routes ??= new Map(page.items.map((view) => [routeKey(view.object), view]));
    } catch (error) {
      state.problem = `The routes of ${namespace} cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  render();
}

/**
 * Who is signed in: into the shell's own header when it has one (portal/shell.ts), else a header of the page's own.
 * @param {Session} session
 * @returns {HTMLElement | null} a header to place, or null when the shell's was used
 */
function pageHeader(session) {
  const groups = session.groups.length > 0 ? ` (${session.groups.join(", ")})` : "";
  const who = el("p", { class: "who" }, `Signed in as ${session.user}${groups}`);
  const local = session.mode === "local" ? el("p", { class: "note" }, "Local mode: checks run against the state folder and nothing is written.") : null;
  const shellHeader = document.querySelector("header.top");
  if (shellHeader) {
    shellHeader.querySelector(".who")?.replaceWith(who);
    if (local) shellHeader.append(local);
    return null;
  }
  return el("header", { class: "top" }, el("h1", {}, "Your routes"), who, local);
}

async function main() {
  /** @type {Session} */
  let session;
  try {
    session = await getJson("/api/session");
  } catch (error) {
    const words =
      error instanceof ApiError && error.status === 401
        ? "Sign in through the platform's login to see your domains."
        : `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
    replace(root, el("p", { class: "problem" }, words));
    return;
  }
  rememberCsrf(session.csrf);
  const access = /** @type {{ items: NamespaceAccess[] }} */ (await getJson("/api/namespaces")).items;
  const creatable = access.filter((entry) => entry.may.create);
  for (const entry of access.filter((item) => item.may.list)) {
    namespaces.set(entry.name, { access: entry, routes: undefined, problem: undefined, confirming: new Set(), rowMessages: new Map() });
  }
  const newButton = el("button", { type: "button", class: "primary", id: "new-route", disabled: creatable.length === 0 }, "New route");
  form = new RouteForm({
    localMode: session.mode === "local",
    choices,
    saved: (words) => announce(words),
    closed: () => {
      const key = returnFocus;
      returnFocus = undefined;
      if (key) focusKey(key);
      if (!key || document.activeElement === document.body) newButton.focus();
    },
  });
  newButton.addEventListener("click", () => {
    returnFocus = undefined;
    void form.openCreate(creatable);
  });
  replace(
    root,
    pageHeader(session),
    el("div", { class: "toolbar" }, newButton, connection),
    announcer,
    changes,
    form.root,
    namespaces.size === 0 ? el("p", { class: "muted" }, "No namespace is open to you here. Ask your platform team for a HostnameGrant.") : list,
  );
  render();
  if (namespaces.size === 0) return;
  watchRoutes([...namespaces.keys()], {
    snapshot(namespace, items) {
      const state = namespaces.get(namespace);
      if (!state) return;
      state.routes = new Map(items.map((view) => [routeKey(view.object), view]));
      state.problem = undefined;
      render();
    },
    change(namespace, type, view) {
      const state = namespaces.get(namespace);
      if (!state) return;
      state.routes ??= new Map();
      const key = routeKey(view.object);
      const before = state.routes.get(key);
      if (type === "deleted") {
        state.routes.delete(key);
        announceChange(`${key} is gone.`);
      } else {
        state.routes.set(key, view);
        if (before?.words.text !== view.words.text) announceChange(`${key}: ${view.words.text}`);
      }
      form.storedChange(type, view.object);
      render();
    },
    problem(namespace, message) {
      const state = namespaces.get(namespace);
      if (!state) return;
      state.problem = message;
      render();
    },
    connection(state) {
      if (state === "stopped") void loadWithoutStream();
      connection.textContent =
        state === "live"
          ? "Live: changes appear as they happen."
          : state === "retrying"
            ? "Reconnecting…"
            : "Live updates stopped; trying again shortly. The list may be out of date.";
    },
  });
}

void main();
