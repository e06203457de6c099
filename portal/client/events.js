// @ts-check
// Live route changes from the server (`GET /api/events`, server-sent events).
// One EventSource per tab for every namespace shown: browsers allow about six
// connections per origin, so one per namespace would starve the API calls.
// The server sends a `snapshot` per namespace first and again after any relist,
// so a reconnect (EventSource retries by itself) needs no bookkeeping here.

/** @typedef {import("./types.js").RouteView} RouteView */

/**
 * @typedef {{
 *   snapshot: (namespace: string, items: RouteView[]) => void,
 *   change: (namespace: string, type: "added" | "modified" | "deleted", route: RouteView) => void,
 *   problem: (namespace: string, message: string) => void,
 *   connection: (connected: boolean) => void,
 * }} EventHandlers
 */

/**
 * Opens the stream for `namespaces`; returns a function that closes it.
 * @param {string[]} namespaces
 * @param {EventHandlers} handlers
 * @returns {() => void}
 */
export function watchRoutes(namespaces, handlers) {
  const query = namespaces.map((namespace) => `namespace=${encodeURIComponent(namespace)}`).join("&");
  const source = new EventSource(`/api/events?${query}`);
  source.addEventListener("open", () => handlers.connection(true));
  source.addEventListener("error", () => handlers.connection(source.readyState === EventSource.OPEN));
  source.addEventListener("snapshot", (event) => {
    const data = parse(event);
    if (data && typeof data.namespace === "string" && Array.isArray(data.items)) handlers.snapshot(data.namespace, data.items);
  });
  source.addEventListener("change", (event) => {
    const data = parse(event);
    if (data && typeof data.namespace === "string" && data.route?.object) handlers.change(data.namespace, data.type, data.route);
  });
  source.addEventListener("problem", (event) => {
    const data = parse(event);
    if (data && typeof data.namespace === "string") handlers.problem(data.namespace, String(data.message ?? "cannot follow this namespace"));
  });
  return () => source.close();
}

/**
 * @param {Event} event
 * @returns {any} the event's JSON data, or undefined when it is not JSON (ignored rather than breaking the page)
 */
function parse(event) {
  try {
    return JSON.parse(/** @type {MessageEvent} */ (event).data);
  } catch {
    return undefined;
  }
}
