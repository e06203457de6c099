// @ts-check
// Live route changes from the server (`GET /api/events`, server-sent events).
// One EventSource per tab for every namespace shown: browsers allow about six
// connections per origin, so one per namespace would starve the API calls.
// The server sends a `snapshot` per namespace first and again after any relist,
// so a reconnect needs no bookkeeping here. EventSource retries a broken
// stream by itself, but gives up for good on an error answer (a 429 past the
// server's bounds, a 503): then this module opens a new one, waiting longer
// each time (up to a minute).

/** @typedef {import("./types.js").RouteView} RouteView */

/**
 * @typedef {{
 *   snapshot: (namespace: string, items: RouteView[]) => void,
 *   change: (namespace: string, type: "added" | "modified" | "deleted", route: RouteView) => void,
 *   problem: (namespace: string, message: string) => void,
 *   connection: (state: "live" | "retrying" | "stopped") => void,
 * }} EventHandlers
 */

const FIRST_RETRY_MS = 2_000;
const LAST_RETRY_MS = 60_000;

/**
 * Opens the stream for `namespaces`; returns a function that closes it for good.
 * @param {string[]} namespaces
 * @param {EventHandlers} handlers
 * @returns {() => void}
 */
export function watchRoutes(namespaces, handlers) {
  const query = namespaces.map((namespace) => `namespace=${encodeURIComponent(namespace)}`).join("&");
  /** @type {EventSource | undefined} */
  let source;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let delay = FIRST_RETRY_MS;
  let closed = false;

  const open = () => {
    const current = new EventSource(`/api/events?${query}`);
    source = current;
    current.addEventListener("open", () => {
      delay = FIRST_RETRY_MS;
      handlers.connection("live");
    });
    current.addEventListener("error", () => {
      if (current.readyState !== EventSource.CLOSED) {
        handlers.connection("retrying"); // the browser reconnects by itself
        return;
      }
      handlers.connection("stopped");
      if (closed) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, LAST_RETRY_MS);
    });
    current.addEventListener("snapshot", (event) => {
      const data = parse(event);
      if (data && typeof data.namespace === "string" && Array.isArray(data.items)) handlers.snapshot(data.namespace, data.items);
    });
    current.addEventListener("change", (event) => {
      const data = parse(event);
      if (data && typeof data.namespace === "string" && data.route?.object) handlers.change(data.namespace, data.type, data.route);
    });
    current.addEventListener("problem", (event) => {
      const data = parse(event);
      if (data && typeof data.namespace === "string") handlers.problem(data.namespace, String(data.message ?? "cannot follow this namespace"));
    });
  };
  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
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
