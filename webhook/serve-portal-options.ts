// `hostgate serve`'s flags for the self-service page (`--portal-*`), parsed
// and checked with the other serve flags, so a mistake is one clear line and
// exit 2 before anything listens. The page itself lives in portal/, which
// this room never imports: the shapes below mirror portal/identity.ts's
// IdentitySource and serve-portal.ts's options, and bin/cli.ts hands them on.
import { readFileSync } from "node:fs";
import { parseCIDR } from "../policies/engine/functions/cidr.ts";
import type { ListenAddress } from "./https-server.ts";

/** portal/identity.ts's DEFAULT_USER_HEADER and DEFAULT_GROUPS_HEADER (this room does not import portal/). */
export const PORTAL_USER_HEADER = "X-Forwarded-User";
export const PORTAL_GROUPS_HEADER = "X-Forwarded-Groups";

/** Node's default limit on a request's headers; `--portal-max-header-size` raises it for people in very many groups. */
export const PORTAL_MAX_HEADER_SIZE = 16_384;

/** The shortest `--portal-csrf-key-file` accepted: an HMAC-SHA256 key as long as its output. */
export const PORTAL_CSRF_KEY_MIN_BYTES = 32;

/** Who is asking, as the page learns it: the same three sources as portal/identity.ts's IdentitySource. */
export type PortalIdentityOption =
  | { kind: "proxy"; trustedProxies: readonly string[]; headers: { user: string; groups: string } }
  | { kind: "mtls"; allowedNames: readonly string[]; headers: { user: string; groups: string } }
  /** `--portal-as`: local mode only. */
  | { kind: "fixed"; identity: { user: string; groups: readonly string[] } };

export interface PortalOptions {
  listen: ListenAddress;
  identity: PortalIdentityOption;
  /** HTTPS for the page (files, PEM); required with a client CA. */
  tlsCert?: string;
  tlsKey?: string;
  /** The CA file that signs the login proxy's client certificate (mTLS identity). */
  clientCa?: string;
  origin?: string;
  maxHeaderSize: number;
  /** The file holding the CSRF HMAC key every replica shares; read by portalSettings (readCsrfKey). */
  csrfKeyFile?: string;
}

/** The `--portal-*` values as parseArgs gives them. */
export interface PortalFlagValues {
  "portal-listen"?: string;
  "portal-trusted-proxy"?: string[];
  "portal-user-header"?: string;
  "portal-groups-header"?: string;
  "portal-tls-cert"?: string;
  "portal-tls-key"?: string;
  "portal-proxy-client-ca"?: string;
  "portal-proxy-name"?: string[];
  "portal-origin"?: string;
  "portal-as"?: string;
  "portal-max-header-size"?: string;
  "portal-csrf-key-file"?: string;
}

/** For parseArgs. */
export const PORTAL_FLAGS = {
  "portal-listen": { type: "string" },
  "portal-trusted-proxy": { type: "string", multiple: true },
  "portal-user-header": { type: "string" },
  "portal-groups-header": { type: "string" },
  "portal-tls-cert": { type: "string" },
  "portal-tls-key": { type: "string" },
  "portal-proxy-client-ca": { type: "string" },
  "portal-proxy-name": { type: "string", multiple: true },
  "portal-origin": { type: "string" },
  "portal-as": { type: "string" },
  "portal-max-header-size": { type: "string" },
  "portal-csrf-key-file": { type: "string" },
} as const;

// RFC 9110 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The page's options, or undefined without `--portal-listen`. Every problem
 * is pushed onto `problems` (the caller reports them together with the other
 * flags'); `parseListen` is serve's own HOST:PORT reader.
 */
export function parsePortalOptions(
  v: PortalFlagValues,
  problems: string[],
  parseListen: (flag: string, text: string) => ListenAddress,
): PortalOptions | undefined {
  if (v["portal-listen"] === undefined) {
    const given = Object.keys(PORTAL_FLAGS).filter((flag) => v[flag as keyof PortalFlagValues] !== undefined);
    if (given.length > 0)
      problems.push(
        `${given.map((f) => `--${f}`).join(", ")} configure the self-service page, which runs only with --portal-listen HOST:PORT; add it or drop them`,
      );
    return undefined;
  }
  let listen: ListenAddress = { host: "127.0.0.1", port: 0 };
  try {
    listen = parseListen("--portal-listen", v["portal-listen"]);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const identity = portalIdentity(v, problems);
  if ((v["portal-tls-cert"] === undefined) !== (v["portal-tls-key"] === undefined))
    problems.push("--portal-tls-cert and --portal-tls-key go together: give both files (the page's HTTPS certificate and its private key) or neither");
  const origin = v["portal-origin"];
  if (origin !== undefined && !/^https?:\/\/[^/\s]+$/.test(origin))
    problems.push(
      `--portal-origin ${JSON.stringify(origin)} is not an origin; write it as the browser shows it, scheme and host only, e.g. https://routes.example.com`,
    );
  const maxHeaderSize = v["portal-max-header-size"] === undefined ? PORTAL_MAX_HEADER_SIZE : headerSize(v["portal-max-header-size"], problems);
  const csrfKeyFile = v["portal-csrf-key-file"];
  if (csrfKeyFile !== undefined && csrfKeyFile.trim() === "")
    problems.push("--portal-csrf-key-file needs a FILE: the CSRF key every replica of the page shares (e.g. a mounted Secret's key)");
  if (identity === undefined) return undefined;
  return {
    listen,
    identity,
    ...(v["portal-tls-cert"] === undefined ? {} : { tlsCert: v["portal-tls-cert"] }),
    ...(v["portal-tls-key"] === undefined ? {} : { tlsKey: v["portal-tls-key"] }),
    ...(v["portal-proxy-client-ca"] === undefined ? {} : { clientCa: v["portal-proxy-client-ca"] }),
    ...(origin === undefined ? {} : { origin }),
    maxHeaderSize,
    ...(csrfKeyFile === undefined ? {} : { csrfKeyFile }),
  };
}

/** Exactly one source: a trusted proxy range, a proxy's client certificate, or a fixed identity. */
function portalIdentity(v: PortalFlagValues, problems: string[]): PortalIdentityOption | undefined {
  const proxies = v["portal-trusted-proxy"];
  const clientCa = v["portal-proxy-client-ca"];
  const names = v["portal-proxy-name"];
  const fixed = v["portal-as"];
  const sources = [
    ...(proxies === undefined ? [] : ["--portal-trusted-proxy"]),
    ...(clientCa === undefined ? [] : ["--portal-proxy-client-ca"]),
    ...(fixed === undefined ? [] : ["--portal-as"]),
  ];
  const headers = headerNames(v, problems);
  if (names !== undefined && clientCa === undefined)
    problems.push("--portal-proxy-name names the login proxy's client certificate, which is checked only with --portal-proxy-client-ca FILE; add it");
  if (fixed !== undefined && (v["portal-user-header"] !== undefined || v["portal-groups-header"] !== undefined))
    problems.push("--portal-user-header and --portal-groups-header are read from a login proxy; with --portal-as the identity is fixed, so drop them");
  if (sources.length === 0) {
    problems.push(
      "--portal-listen needs to know who is asking: --portal-trusted-proxy CIDR (the login proxy's addresses), " +
        "--portal-proxy-client-ca FILE with --portal-proxy-name CN (its client certificate), or, in local mode, --portal-as USER[:GROUP,GROUP]",
    );
    return undefined;
  }
  if (sources.length > 1) {
    problems.push(`${sources.join(" and ")} are different ways to know who is asking; give one`);
    return undefined;
  }
  if (proxies !== undefined) {
    const bad = proxies.filter((p) => parseCIDR(p.trim()) === undefined);
    if (bad.length > 0)
      problems.push(
        `--portal-trusted-proxy ${bad.map((b) => JSON.stringify(b)).join(", ")} is not a CIDR; write ADDRESS/LENGTH, e.g. 10.42.0.0/16 or 127.0.0.1/32`,
      );
    // A range of length 0 trusts every address on the network: anyone who can reach the port could claim to be anyone.
    const everything = proxies.filter((p) => parseCIDR(p.trim())?.bits === 0);
    if (everything.length > 0)
      problems.push(
        `--portal-trusted-proxy ${everything.map((b) => JSON.stringify(b)).join(", ")} trusts every address, so anyone who reaches the page could claim any identity; give the login proxy's own range`,
      );
    return { kind: "proxy", trustedProxies: proxies.map((p) => p.trim()), headers };
  }
  if (clientCa !== undefined) {
    if (names === undefined || names.some((n) => n.trim() === ""))
      problems.push("--portal-proxy-client-ca needs --portal-proxy-name CN (repeatable): the login proxy's client certificate names the page accepts");
    if (v["portal-tls-cert"] === undefined)
      problems.push("--portal-proxy-client-ca needs --portal-tls-cert and --portal-tls-key: a client certificate is only asked for over HTTPS");
    return { kind: "mtls", allowedNames: (names ?? []).map((n) => n.trim()), headers };
  }
  return fixedIdentity(fixed!, problems);
}

function headerNames(v: PortalFlagValues, problems: string[]): { user: string; groups: string } {
  const user = v["portal-user-header"] ?? PORTAL_USER_HEADER;
  const groups = v["portal-groups-header"] ?? PORTAL_GROUPS_HEADER;
  for (const [flag, name] of [
    ["--portal-user-header", user],
    ["--portal-groups-header", groups],
  ] as const) {
    if (!HEADER_NAME.test(name)) problems.push(`${flag} ${JSON.stringify(name)} is not an HTTP header name (letters, digits and -, e.g. X-Auth-Request-User)`);
  }
  if (user.toLowerCase() === groups.toLowerCase())
    problems.push(`--portal-user-header and --portal-groups-header are both ${JSON.stringify(user)}; the user and the groups need their own headers`);
  return { user, groups };
}

/** `USER[:GROUP,GROUP]`; `system:` names are refused by the page itself when it starts (portal/identity.ts). */
function fixedIdentity(text: string, problems: string[]): PortalIdentityOption | undefined {
  const colon = text.indexOf(":");
  const user = (colon < 0 ? text : text.slice(0, colon)).trim();
  const groups =
    colon < 0
      ? []
      : text
          .slice(colon + 1)
          .split(",")
          .map((g) => g.trim())
          .filter((g) => g !== "");
  if (user === "") {
    problems.push(`--portal-as ${JSON.stringify(text)} names no user; write USER or USER:GROUP,GROUP, e.g. jane:team-a`);
    return undefined;
  }
  return { kind: "fixed", identity: { user, groups } };
}

function headerSize(text: string, problems: string[]): number {
  if (!/^\d+$/.test(text) || Number(text) < 1024 || Number(text) > 1024 * 1024) {
    problems.push(`--portal-max-header-size ${JSON.stringify(text)} must be a number of bytes between 1024 and 1048576 (default ${PORTAL_MAX_HEADER_SIZE})`);
    return PORTAL_MAX_HEADER_SIZE;
  }
  return Number(text);
}

/**
 * The CSRF HMAC key from `--portal-csrf-key-file`: its bytes, less trailing
 * line ends (a key written with `echo` or an editor is the same key), at least
 * PORTAL_CSRF_KEY_MIN_BYTES. A problem is pushed (and undefined returned) for
 * a file that cannot be read or is too short: every replica behind one URL
 * must sign with the same key, so serve must not quietly fall back to a
 * random one.
 */
export function readCsrfKey(path: string, problems: string[], read: (file: string) => Buffer = readFileSync): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = read(path);
  } catch (error) {
    problems.push(`--portal-csrf-key-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return undefined;
  }
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  const key = bytes.subarray(0, end);
  if (key.length < PORTAL_CSRF_KEY_MIN_BYTES) {
    problems.push(
      `--portal-csrf-key-file ${path} holds ${key.length} bytes; the CSRF key needs at least ${PORTAL_CSRF_KEY_MIN_BYTES} random bytes, ` +
        "e.g. openssl rand -base64 48 > FILE (every replica reads the same file)",
    );
    return undefined;
  }
  return Buffer.from(key);
}
