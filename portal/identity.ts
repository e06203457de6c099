// Who is asking: the person the platform's login proxy asserts, believed only
// when the proxy itself is authenticated. Three sources:
// - proxy: user and group headers, read only when the TCP peer (the socket's
//   remote address, never X-Forwarded-For: express's `trust proxy` rewrites
//   req.ip from a header anyone can send, and authenticates nothing) is in a
//   configured CIDR;
// - mtls: the same headers, read only when the HTTPS listener verified the
//   peer's client certificate and its CN is an allowed name (the API
//   server's own "authenticating proxy" model, --requestheader-allowed-names);
// - fixed: one identity for every request (local mode, `--portal-as`).
// Every identity is then checked: `system:` names are refused (the page
// impersonates them, and RBAC cannot say "any user but system:*"), and
// lengths and counts are bounded.
//
// Header text: Node hands a header value over as one character per byte
// (latin1). Proxies send names as UTF-8 bytes (so does the API server's own
// requestheader authenticator read them: Go header values are bytes), so each
// value is decoded from UTF-8 here, once: an Identity holds the names as the
// person and RBAC spell them (`jürgen`), and the transport
// (core/kube/impersonated-http.ts, headerValue) encodes them once on the way
// out. A value that is not UTF-8 is refused (403), never guessed at.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { cidrContainsIP, formatCIDR, parseCIDR } from "../policies/engine/functions/cidr.ts";
import type { CIDR } from "../policies/engine/functions/cidr.ts";
import { parseIPSyntax } from "../policies/engine/functions/ip-address.ts";
import type { IPAddress } from "../policies/engine/functions/ip-address.ts";
import type { Identity } from "./portal-backend.ts";
import { hasControlCharacter } from "../core/kube/header-text.ts";

export const DEFAULT_USER_HEADER = "X-Forwarded-User";
export const DEFAULT_GROUPS_HEADER = "X-Forwarded-Groups";

/** Longest user or group name accepted (Kubernetes stores them in objects' fields; longer is a broken or hostile proxy). */
export const MAX_NAME_LENGTH = 256;
/** Most groups one person may carry (each becomes an Impersonate-Group line of every request to the API server). */
export const MAX_GROUPS = 256;

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Added by the API server to every authenticated identity; never sent, so never refused. */
const IMPLICIT_GROUP = "system:authenticated";

export interface HeaderNames {
  user?: string;
  groups?: string;
}

export type IdentitySource =
  | { kind: "proxy"; trustedProxies: readonly string[]; headers?: HeaderNames }
  | { kind: "mtls"; allowedNames: readonly string[]; headers?: HeaderNames }
  | { kind: "fixed"; identity: Identity };

export type IdentityResult =
  | { ok: true; identity: Identity }
  /** 401: nobody trusted asserted anyone; 403: an asserted identity the page refuses. */
  | { ok: false; status: 401 | 403; message: string };

export type IdentityResolver = (req: IncomingMessage) => IdentityResult;

/**
 * The resolver for a source, its configuration checked once.
 * @throws RangeError naming each bad CIDR, header name or identity
 */
export function identityResolver(source: IdentitySource): IdentityResolver {
  switch (source.kind) {
    case "fixed": {
      const checked = checkIdentity(source.identity.user, source.identity.groups);
      if (!checked.ok) throw new RangeError(`the fixed identity is refused: ${checked.message}`);
      return () => checked;
    }
    case "proxy": {
      const cidrs = parseTrustedProxies(source.trustedProxies);
      const names = headerNames(source.headers);
      return (req) => {
        const peer = peerAddress(req.socket.remoteAddress);
        if (peer === undefined || !cidrs.some((cidr) => cidrContainsIP(cidr, peer)))
          return noIdentity(`the request came from ${req.socket.remoteAddress ?? "an unknown address"}, which is not a trusted proxy`);
        return fromHeaders(req, names);
      };
    }
    case "mtls": {
      if (source.allowedNames.length === 0) throw new RangeError("mTLS identity needs at least one allowed client certificate name (CN)");
      const allowed = new Set(source.allowedNames);
      const names = headerNames(source.headers);
      return (req) => {
        const cn = verifiedClientName(req.socket as Partial<TLSSocket>);
        if (cn === undefined) return noIdentity("the connection carries no verified client certificate");
        if (!allowed.has(cn)) return noIdentity(`the client certificate's CN ${JSON.stringify(cn)} is not an allowed proxy name`);
        return fromHeaders(req, names);
      };
    }
  }
}

/**
 * `--portal-trusted-proxy` values as prefixes.
 * @throws RangeError listing every value that is not ADDRESS/LENGTH
 */
export function parseTrustedProxies(values: readonly string[]): CIDR[] {
  if (values.length === 0) throw new RangeError("no trusted proxy: give the login proxy's address range as a CIDR, e.g. --portal-trusted-proxy 10.0.0.0/8");
  const bad = values.filter((v) => parseCIDR(v.trim()) === undefined);
  if (bad.length > 0)
    throw new RangeError(`trusted proxy ${bad.map((v) => JSON.stringify(v)).join(", ")} is not a CIDR; write ADDRESS/LENGTH, e.g. 10.0.0.0/8 or 127.0.0.1/32`);
  return values.map((v) => parseCIDR(v.trim()) as CIDR);
}

/** The CIDRs as written canonically, for the startup log line. */
export function describeTrustedProxies(cidrs: readonly CIDR[]): string {
  return cidrs.map(formatCIDR).join(", ");
}

/**
 * `--portal-as USER[:GROUP,GROUP]`.
 * @throws RangeError when the user is empty
 */
export function parseFixedIdentity(text: string): Identity {
  const colon = text.indexOf(":");
  const user = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (user === "") throw new RangeError(`--portal-as ${JSON.stringify(text)} names no user; write USER or USER:GROUP,GROUP`);
  const groups = colon < 0 ? [] : splitGroups([text.slice(colon + 1)]);
  return { user, groups };
}

/**
 * The socket's peer as an address; `::ffff:a.b.c.d` (how a dual-stack
 * listener reports an IPv4 peer) reads as the IPv4 address, so an IPv4 CIDR
 * matches it.
 */
export function peerAddress(remote: string | undefined): IPAddress | undefined {
  if (remote === undefined) return undefined;
  const ip = parseIPSyntax(remote);
  if (ip === undefined || ip.family === 4) return ip;
  const b = ip.bytes;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? { family: 4, bytes: b.slice(12) } : ip;
}

/** The verified client certificate's CN, or undefined (plain HTTP, no certificate, or one the CA did not sign). */
function verifiedClientName(socket: Partial<TLSSocket>): string | undefined {
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== "function") return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  // A certificate may carry several CNs (node gives an array): ambiguous, so none.
  return typeof cn === "string" && cn !== "" ? cn : undefined;
}

function headerNames(names: HeaderNames | undefined): { user: string; groups: string } {
  const user = (names?.user ?? DEFAULT_USER_HEADER).trim().toLowerCase();
  const groups = (names?.groups ?? DEFAULT_GROUPS_HEADER).trim().toLowerCase();
  const token = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
  for (const [flag, name] of [
    ["user", user],
    ["groups", groups],
  ] as const) {
    if (!token.test(name)) throw new RangeError(`the ${flag} header name ${JSON.stringify(name)} is not an HTTP header name`);
  }
  if (user === groups) throw new RangeError(`the user and groups headers are both ${JSON.stringify(user)}; they must differ`);
  return { user, groups };
}

function fromHeaders(req: IncomingMessage, names: { user: string; groups: string }): IdentityResult {
  const userLines = headerText(req, names.user);
  const groupLines = headerText(req, names.groups);
  if (userLines === undefined || groupLines === undefined)
    return refused(`the trusted proxy's ${userLines === undefined ? names.user : names.groups} header is not UTF-8 text; the proxy must send names as UTF-8`);
  const users = userLines.map((u) => u.trim()).filter((u) => u !== "");
  if (users.length === 0) return noIdentity(`the trusted proxy sent no ${names.user} header`);
  if (new Set(users).size > 1) return refused(`the trusted proxy sent ${users.length} different ${names.user} values; exactly one person must be named`);
  return checkIdentity(users[0] as string, splitGroups(groupLines));
}

/** Every line of header `name` decoded from UTF-8 (Node gives one character per byte); undefined when a line is not UTF-8. */
function headerText(req: IncomingMessage, name: string): string[] | undefined {
  const decoded: string[] = [];
  for (const line of req.headersDistinct[name] ?? []) {
    try {
      decoded.push(UTF8.decode(Buffer.from(line, "latin1")));
    } catch {
      return undefined;
    }
  }
  return decoded;
}

/**
 * Groups from header lines: oauth2-proxy sends one line per group, nginx's
 * auth_request_set joins them with commas, so both are read (a group name
 * containing a comma cannot be carried). Trimmed, empty ones dropped,
 * duplicates removed, sorted (the identity is a set).
 */
export function splitGroups(lines: readonly string[]): string[] {
  const groups = new Set<string>();
  for (const line of lines) {
    for (const part of line.split(",")) {
      const group = part.trim();
      if (group !== "") groups.add(group);
    }
  }
  return [...groups].sort();
}

/** The identity as it will be impersonated, or why it is refused. */
export function checkIdentity(user: string, groups: readonly string[]): IdentityResult {
  if (user === "") return noIdentity("no user name");
  const problems: string[] = [];
  const named = [user, ...groups];
  const tooLong = named.filter((n) => n.length > MAX_NAME_LENGTH);
  if (tooLong.length > 0) problems.push(`${tooLong.length} name(s) longer than ${MAX_NAME_LENGTH} characters`);
  // Control characters (C1 too, as Go's unicode.IsControl, which the transport checks) cannot travel in the Impersonate-* headers and never name a real person.
  if (named.some(hasControlCharacter)) problems.push("a name contains control characters");
  if (user.startsWith("system:")) problems.push(`user ${JSON.stringify(clip(user))} is a reserved Kubernetes name (system:)`);
  const kept = groups.filter((g) => g !== IMPLICIT_GROUP);
  const reserved = kept.filter((g) => g.startsWith("system:"));
  if (reserved.length > 0) problems.push(`group ${reserved.map((g) => JSON.stringify(clip(g))).join(", ")} is a reserved Kubernetes name (system:)`);
  if (kept.length > MAX_GROUPS) problems.push(`${kept.length} groups, more than the ${MAX_GROUPS} the page accepts`);
  if (problems.length > 0) return refused(`the login proxy's identity is refused: ${problems.join("; ")}`);
  return { ok: true, identity: { user, groups: [...new Set(kept)].sort() } };
}

/** One string per identity: the user and the set of groups (RoleBindings may name either), for sharing and bounding per person. */
export function identityKey(who: Identity): string {
  return JSON.stringify([who.user, [...who.groups].sort()]);
}

function clip(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

function noIdentity(message: string): IdentityResult {
  return { ok: false, status: 401, message };
}

function refused(message: string): IdentityResult {
  return { ok: false, status: 403, message };
}
