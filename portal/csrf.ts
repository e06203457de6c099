// Cross-site request forgery defences for the page's API. The person's
// identity rides on the login proxy's cookie, which the browser attaches to
// a forged request as readily as to a real one, so every write must prove it
// comes from the page itself (OWASP CSRF cheat sheet):
// 1. JSON only (415 otherwise): an HTML form cannot send application/json,
//    and a cross-origin fetch that does must pass a CORS preflight we never
//    answer.
// 2. Fetch Metadata: `Sec-Fetch-Site` must be `same-origin`; browsers that
//    send none must send an `Origin` equal to the page's own.
// 3. A token: HMAC(secret, user, groups, random), handed to the page in the
//    shell's <meta>, sent back in `X-Hostgate-CSRF`. It is bound to the
//    identity (no session exists), so one person's token is worthless for
//    another, and compared in constant time.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Identity } from "./portal-backend.ts";

export const CSRF_HEADER = "X-Hostgate-CSRF";

const RANDOM_BYTES = 18;
const TOKEN = /^([0-9a-f]{64})\.([A-Za-z0-9_-]{24})$/;

export class CsrfTokens {
  readonly #secret: Buffer;

  /**
   * @param secret the HMAC key; random per process by default (every replica
   * behind one URL needs the same one, or sticky sessions).
   */
  constructor(secret: Buffer = randomBytes(32)) {
    if (secret.length < 16) throw new RangeError(`the CSRF secret has ${secret.length} bytes; give at least 16 (32 random bytes recommended)`);
    this.#secret = secret;
  }

  /** A fresh token for `who`. */
  issue(who: Identity): string {
    const random = randomBytes(RANDOM_BYTES).toString("base64url");
    return `${this.#mac(who, random)}.${random}`;
  }

  /** True when `token` was issued by this secret to exactly this user with exactly these groups. */
  verify(who: Identity, token: string | undefined): boolean {
    const match = token === undefined ? null : TOKEN.exec(token);
    if (match === null) return false;
    const expected = Buffer.from(this.#mac(who, match[2] as string), "hex");
    return timingSafeEqual(expected, Buffer.from(match[1] as string, "hex"));
  }

  #mac(who: Identity, random: string): string {
    // JSON of [user, sorted groups, random] is unambiguous: no two identities serialise alike.
    const bound = JSON.stringify([who.user, [...who.groups].sort(), random]);
    return createHmac("sha256", this.#secret).update(bound).digest("hex");
  }
}

/** `application/json`, any case, with or without parameters. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

/**
 * Why a state-changing request is not from the page's own origin, or
 * undefined when it is. `expectedOrigin` is `scheme://host[:port]`.
 */
export function crossOriginProblem(req: IncomingMessage, expectedOrigin: string): string | undefined {
  const site = single(req.headers["sec-fetch-site"]);
  if (site !== undefined) {
    return site === "same-origin" ? undefined : `Sec-Fetch-Site is ${JSON.stringify(site)}; only the page itself (same-origin) may change routes`;
  }
  // Browsers without Fetch Metadata still send Origin on every POST, PUT and DELETE.
  const origin = single(req.headers.origin);
  if (origin === undefined) return "the request carries neither Sec-Fetch-Site nor Origin; only the page itself may change routes";
  return origin === expectedOrigin ? undefined : `Origin ${JSON.stringify(origin)} is not the page's origin ${JSON.stringify(expectedOrigin)}`;
}

/**
 * Why a read (a GET of the API or the event stream) comes from another site,
 * or undefined. Reads change nothing, but the event stream makes the page
 * open watches as the person: a foreign page must not trigger that.
 */
export function crossSiteReadProblem(req: IncomingMessage): string | undefined {
  const site = single(req.headers["sec-fetch-site"]);
  // `same-site` is another origin too (a sibling subdomain), not trusted.
  if (site === "cross-site" || site === "same-site") return `Sec-Fetch-Site is ${JSON.stringify(site)}; the page's API answers only the page itself`;
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
