// The self-service page's factory for `hostgate serve --portal-listen`: the
// composition root's, because it joins rooms that may not import each other.
// portal/ builds the page; the backend is the mode's (cluster: every request
// as the person over an ImpersonatingClient, HostnameGrants read with the
// page's own identity; local: the state folder serve already watches, judged
// by serve's policies); the preview's certificate line is the reconciler's
// own wildcard plan (reconciler/certificates/certificate-names.ts).
//
// bin/cli.ts imports this module on first use, and the cluster clients are
// imported only in cluster mode: local mode never loads the Kubernetes client.
import { UsageError } from "../core/errors.ts";
import type { PlatformConfig } from "../core/config/index.ts";
import type { ClusterConnection } from "../core/kube/cluster-connection.ts";
import type { ImpersonatingClient } from "../core/kube/impersonation.ts";
import type { ListWatchClient } from "../core/kube/list-watch-client.ts";
import { loadCrdCatalog } from "../crds/catalog.ts";
import { apexOf } from "../policies/engine/functions/hostname.ts";
import { ClusterBackend } from "../portal/backends/cluster-backend.ts";
import { LocalBackend } from "../portal/backends/local-backend.ts";
import type { PortalBackend } from "../portal/portal-backend.ts";
import { startPortal } from "../portal/serve-portal.ts";
import type { StartPortalOptions } from "../portal/serve-portal.ts";
import { wildcardFor } from "../reconciler/certificates/certificate-names.ts";
import type { PortalFactory, PortalTarget } from "../webhook/serve-portal-part.ts";

/** The page's two clients on a cluster: requests as each person, and its own identity's (HostnameGrants). */
export interface PortalClusterClients {
  client: ImpersonatingClient;
  own: ListWatchClient;
}

/** Who issues the certificates, in the preview's words. */
const ISSUER: Readonly<Record<string, string>> = { acm: "AWS Certificate Manager", "cert-manager": "cert-manager" };

/**
 * The factory, with the cluster's clients made by `clusterClients` (the real
 * ones from the ClusterConnection serve resolved; the tests' in-memory API
 * server). Extra options go to startPortal as they are (tests: a short
 * shutdown, a fixed CSRF key).
 */
export function portalFactory(
  clusterClients: (cluster: unknown) => Promise<PortalClusterClients> | PortalClusterClients = realClusterClients,
  extra: Partial<StartPortalOptions> = {},
): PortalFactory {
  return async (target, settings, logger) => {
    const backend = await backendFor(target, settings.config, clusterClients);
    if (settings.csrfKey === undefined && target.mode === "cluster")
      logger.warn(
        {},
        "self-service page: no --portal-csrf-key-file, so its CSRF key is random to this process; " +
          "with several replicas behind one URL, use sticky sessions or give every replica the same key file (a Secret), else saves are refused",
      );
    try {
      return await startPortal({
        backend,
        listen: settings.listen,
        identity: settings.identity,
        logger,
        ...(settings.tls === undefined ? {} : { tls: settings.tls }),
        ...(settings.origin === undefined ? {} : { origin: settings.origin }),
        maxHeaderSize: settings.maxHeaderSize,
        ...(settings.csrfKey === undefined ? {} : { csrfSecret: settings.csrfKey }),
        preview: { config: settings.config, certificateFor: certificatePlanner(settings.config) },
        ...extra,
      });
    } catch (error) {
      // startPortal's RangeErrors are settings it refuses (a system: identity, a bad CIDR): the flags' fault, exit 2.
      if (error instanceof RangeError) throw new UsageError(`the self-service page: ${error.message}`);
      throw error;
    }
  };
}

async function backendFor(
  target: PortalTarget,
  config: PlatformConfig,
  clusterClients: (cluster: unknown) => Promise<PortalClusterClients> | PortalClusterClients,
): Promise<PortalBackend> {
  if (target.mode === "local") return new LocalBackend({ state: target.state, config, policies: target.policies, crds: loadCrdCatalog() });
  const { client, own } = await clusterClients(target.cluster);
  return new ClusterBackend({ client, own, config });
}

/** The real cluster: node:https with impersonation headers for people, client-node for the page's own reads. */
async function realClusterClients(cluster: unknown): Promise<PortalClusterClients> {
  const connection = cluster as ClusterConnection;
  const [{ ImpersonatedHttpClient }, { ClientNodeListWatch }] = await Promise.all([
    import("../core/kube/impersonated-http.ts"),
    import("../core/kube/client-node-list-watch.ts"),
  ]);
  return { client: new ImpersonatedHttpClient(connection.config), own: new ClientNodeListWatch(connection.config) };
}

/**
 * The certificate the reconciler would plan for a domain: the wildcard of its
 * apex or parent (wildcardFor), from the configured issuer. Undefined when it
 * plans none (no provider, or a domain under no apex): the preview then says
 * why from the config itself.
 */
export function certificatePlanner(config: PlatformConfig): (domain: string) => string | undefined {
  const provider = config.certificates.provider;
  const apexes = config.domains.map((d) => d.apex);
  return (domain) => {
    if (provider === "none") return undefined;
    const name = domain.toLowerCase();
    const apex = apexOf(name, apexes);
    const wanted = apex === "" ? undefined : wildcardFor(name, apex);
    if (wanted === undefined) return undefined;
    return `${wanted.names.join(" and ")}, from ${ISSUER[provider] ?? provider} (shared with the other routes directly under ${wanted.wildcard.slice(2)})`;
  };
}
