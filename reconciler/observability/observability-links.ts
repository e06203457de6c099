// The route's dashboard and log-query links (status.observability, and the
// self-service page), from the platform's URL templates: `{domain}`,
// `{namespace}` and `{name}` are replaced, URL-encoded, wherever they appear.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute, ObservabilityStatus } from "../../crds/types.ts";

const PLACEHOLDER = /\{(domain|namespace|name)\}/g;

function fill(template: string, route: DomainRoute): string {
  const values = { domain: route.spec.domain, namespace: route.metadata.namespace ?? "", name: route.metadata.name ?? "" };
  // encodeURIComponent: a value can never add a path segment, a query parameter or a fragment to the link.
  return template.replace(PLACEHOLDER, (_, key: keyof typeof values) => encodeURIComponent(values[key]));
}

/** Only the links the config has templates for; {} without observability.links. */
export function observabilityLinks(route: DomainRoute, config: PlatformConfig): ObservabilityStatus {
  const links = config.observability?.links;
  const out: ObservabilityStatus = {};
  if (links?.dashboard !== undefined) out.dashboard = fill(links.dashboard, route);
  if (links?.logs !== undefined) out.logs = fill(links.logs, route);
  return out;
}
