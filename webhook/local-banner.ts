// What `hostgate serve` prints in local mode (what `npm start` shows on a
// fresh machine): where it listens, the CA to trust, and a request to paste
// that gets a real verdict from the bundled policies and examples.
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "./admission-review.ts";

export interface BannerFacts {
  url: string;
  healthUrl: string;
  /** The CA file clients should trust; undefined when the certificate came from --tls-cert. */
  caFile: string | undefined;
  state: string;
  policies: number;
}

/** examples/rejected/public-without-protection.yaml, as the API server would send it. */
export const EXAMPLE_REVIEW = {
  apiVersion: ADMISSION_API_VERSION,
  kind: ADMISSION_KIND,
  request: {
    uid: "00000000-0000-4000-8000-000000000001",
    kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
    resource: { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes" },
    namespace: "team-a",
    name: "deals",
    operation: "CREATE",
    userInfo: { username: "alice@example.com" },
    object: {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { name: "deals", namespace: "team-a" },
      spec: { domain: "deals.shop.example.com", lb: "alb-out", backend: { service: { name: "deals", port: 8080 } } },
    },
  },
};

export function localBanner(facts: BannerFacts): string {
  const trust = facts.caFile !== undefined ? `--cacert ${shellQuote(facts.caFile)}` : "--cacert YOUR-CA.crt";
  return `${[
    `hostgate webhook serving (local mode) at ${facts.url}`,
    `  POST ${facts.url}/validate   POST ${facts.url}/mutate`,
    `  policies: ${facts.policies} modules`,
    `  state:    ${facts.state}`,
    `  trust:    ${facts.caFile ?? "the CA of the certificate given with --tls-cert"}`,
    `  health:   ${facts.healthUrl}/readyz   metrics: ${facts.healthUrl}/metrics`,
    ``,
    `Try it: a public DomainRoute without protection (expect "allowed": false and why):`,
    `  curl -sS ${trust} -H 'Content-Type: application/json' ${facts.url}/validate -d '${JSON.stringify(EXAMPLE_REVIEW)}'`,
    ``,
    `Change spec.lb to alb-in to see it allowed. Ctrl-C stops the webhook.`,
  ].join("\n")}\n`;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
