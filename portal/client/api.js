// @ts-check
// The page's one way to talk to the portal's JSON API (portal-api.md). Every
// request is same-origin JSON; every non-GET carries the CSRF token the shell
// put in <meta name="hostgate-csrf"> (bound to the signed-in person, so the
// server can refuse a forged request from another site). Callers pass an
// AbortSignal so a newer dry run can cancel an older one.

/** @typedef {import("./types.js").Verdict} Verdict */

export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status HTTP status, 0 when no answer came
   */
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

let sessionToken = "";

/**
 * Remembers the token `/api/session` gave, for a shell without the meta tag.
 * @param {string | undefined} token
 */
export function rememberCsrf(token) {
  sessionToken = token ?? "";
}

/** @returns {string} the token from the shell (else from the session), or "" (the server will then refuse writes) */
export function csrfToken() {
  const meta = document.querySelector('meta[name="hostgate-csrf"]');
  return meta?.getAttribute("content") || sessionToken;
}

/**
 * Sends a request and reads the JSON answer. Answers with a JSON body are returned whatever their status (a refused
 * write is a Verdict with status 403/409/422, which the form shows); anything else is an ApiError.
 * @param {"GET" | "POST" | "PUT" | "DELETE"} method
 * @param {string} path
 * @param {{ body?: unknown, signal?: AbortSignal }} [options]
 * @returns {Promise<{ status: number, data: any }>}
 */
export async function request(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    headers["X-Hostgate-CSRF"] = csrfToken();
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("the portal did not answer: check your connection and try again", 0);
  }
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.startsWith("application/json")) {
    throw new ApiError(`the portal answered ${response.status} without JSON`, response.status);
  }
  const data = await response.json();
  return { status: response.status, data };
}

/**
 * GET that must succeed.
 * @param {string} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<any>}
 */
export async function getJson(path, signal) {
  const { status, data } = await request("GET", path, { signal });
  if (status >= 400) {
    const message = typeof data?.error === "string" ? data.error : `the portal answered ${status}`;
    throw new ApiError(message, status);
  }
  return data;
}

/**
 * The Verdict a write or dry run answered, or an ApiError with the portal's own sentence when the answer is not one
 * (a refused request before any check: 400, 403 for the CSRF token, 413, 415, 429, 503 `{error}`).
 * @param {{ status: number, data: any }} answer
 * @returns {Verdict}
 */
export function asVerdict(answer) {
  const data = answer.data;
  if (data && typeof data.allowed === "boolean" && (data.allowed || (data.refusal && typeof data.refusal === "object"))) return data;
  const message = typeof data?.error === "string" ? data.error : `the portal answered ${answer.status}`;
  throw new ApiError(message, answer.status);
}

/**
 * A path segment, escaped: namespace and route names are DNS labels, but a crafted one must not change the path.
 * @param {string} segment
 */
export function seg(segment) {
  return encodeURIComponent(segment);
}

/** @param {string} namespace */
export function routesPath(namespace) {
  return `/api/namespaces/${seg(namespace)}/routes`;
}

/**
 * True for the error fetch throws when its signal aborts.
 * @param {unknown} error
 */
export function isAbort(error) {
  return error instanceof DOMException && error.name === "AbortError";
}
