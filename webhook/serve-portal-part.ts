// The self-service page as one of `hostgate serve`'s parts. This room never
// imports portal/: bin/cli.ts hands serve a PortalFactory (as it hands the
// reconciler's), and serve gives it what only serve knows: the mode, the
// cluster or the local state it already watches, the platform config, the
// policies, and the page's flags with their files read.
import { readFileSync } from "node:fs";
import { UsageError } from "../core/errors.ts";
import type { PlatformConfig } from "../core/config/index.ts";
import type { Logger } from "../core/logger.ts";
import type { ExistingObjectsHolder } from "../core/state/existing-objects.ts";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import type { ListenAddress } from "./https-server.ts";
import { readCsrfKey } from "./serve-portal-options.ts";
import type { PortalIdentityOption, PortalOptions } from "./serve-portal-options.ts";

/** Where the page reads and judges routes. */
export type PortalTarget =
  /** Every request as the person, on this cluster (ServeDependencies' ClusterTarget.config, opaque here). */
  | { mode: "cluster"; cluster: unknown }
  /** Over the state folder serve watches, judged by these policies; nothing is written. */
  | { mode: "local"; state: ExistingObjectsHolder; policies: PolicySet };

export interface PortalSettings {
  listen: ListenAddress;
  identity: PortalIdentityOption;
  /** PEM contents, read by serve (a missing file is a usage error before anything listens). */
  tls?: { cert: string; key: string; clientCa?: string };
  origin?: string;
  maxHeaderSize: number;
  /** `--portal-csrf-key-file`'s key, shared by every replica; absent: the page makes a random one per process. */
  csrfKey?: Buffer;
  config: PlatformConfig;
}

export interface RunningPortalPart {
  /** `http://127.0.0.1:8080`, the real port when 0 was asked for. */
  url: string;
  /** Ends the live streams and closes the listener. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the page (bin/cli.ts: portal/serve-portal.ts with the backend of the mode).
 * @throws UsageError for settings the page refuses (a `system:` identity)
 * @throws the listen error (EADDRINUSE, EACCES)
 */
export type PortalFactory = (target: PortalTarget, settings: PortalSettings, logger: Logger) => Promise<RunningPortalPart>;

/** The factory's settings from the flags, the certificate files read. @throws UsageError naming an unreadable file */
export function portalSettings(options: PortalOptions, config: PlatformConfig, read: (file: string) => string = readText): PortalSettings {
  const problems: string[] = [];
  const file = (flag: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return read(path);
    } catch (error) {
      problems.push(`${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const cert = file("--portal-tls-cert", options.tlsCert);
  const key = file("--portal-tls-key", options.tlsKey);
  const clientCa = file("--portal-proxy-client-ca", options.clientCa);
  const csrfKey = options.csrfKeyFile === undefined ? undefined : readCsrfKey(options.csrfKeyFile, problems);
  if (problems.length > 0) throw new UsageError(...problems);
  return {
    listen: options.listen,
    identity: options.identity,
    ...(cert === undefined || key === undefined ? {} : { tls: { cert, key, ...(clientCa === undefined ? {} : { clientCa }) } }),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    maxHeaderSize: options.maxHeaderSize,
    ...(csrfKey === undefined ? {} : { csrfKey }),
    config,
  };
}

function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** The line serve prints in local mode, so `npm start -- --portal-listen …` shows where to point the browser. */
export function portalBanner(url: string, identity: PortalIdentityOption): string {
  const who =
    identity.kind === "fixed"
      ? `as ${identity.identity.user}${identity.identity.groups.length === 0 ? "" : ` (groups ${identity.identity.groups.join(", ")})`}`
      : identity.kind === "proxy"
        ? `as the person your login proxy (${identity.trustedProxies.join(", ")}) names`
        : `as the person your login proxy (client certificate ${identity.allowedNames.join(", ")}) names`;
  return `\nself-service page (local mode: checks routes against the state, writes nothing) at ${url}/\n  ${who}\n`;
}
