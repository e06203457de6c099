// The login in front of a protected domain: an AuthorizationPolicy on the
// ingress gateway that sends every request for the domain to the protection
// provider (an ext_authz provider of the mesh config), except the paths an
// Allow rule opens.
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute, Protection, ProtectionAction } from "../../../crds/types.ts";
import { istioPathProblem } from "./istio-path.ts";
import { producedMetadata, sortedKeys } from "./metadata.ts";
import { objectNameFor } from "./names.ts";
import { KIND_AUTHORIZATION_POLICY, SECURITY_API_VERSION } from "./produced-resources.ts";

function pathsOf(protection: Protection, action: ProtectionAction): string[] {
  const paths = new Set<string>();
  for (const rule of protection.rules ?? []) {
    if (rule.action === action) for (const path of rule.paths ?? []) paths.add(path);
  }
  return [...paths].sort();
}

// The spec type is a union (one variant per oneOf of the CRD), which weakens
// TypeScript's excess-property check; typing the operation on its own keeps
// a misspelt field (notPath) a compile error.
type PolicySpec = NonNullable<IAuthorizationPolicy["spec"]>;
type Operation = NonNullable<NonNullable<NonNullable<PolicySpec["rules"]>[number]["to"]>[number]["operation"]>;

/** Every path of every Allow rule, sorted and without duplicates: left out of authentication. */
export function allowedPaths(protection: Protection): string[] {
  return pathsOf(protection, "Allow");
}

/** Every path of every Authenticate rule, sorted and without duplicates. */
export function authenticatedPaths(protection: Protection): string[] {
  return pathsOf(protection, "Authenticate");
}

/**
 * Problems that keep the policy from being rendered or accepted by Istio;
 * empty when it can be. A provider missing from the platform config is not
 * one: the policy still names it, and Istio denies every request for the
 * domain, so a typo closes the door instead of opening it.
 */
export function protectionProblems(protection: Protection): string[] {
  const problems: string[] = [];
  if (!protection.provider)
    problems.push("spec.protection.provider is empty: set the name of a protection provider installed on the platform, for example sso");
  // Paths of both actions end up in the policy, so Istio must accept all of them.
  (protection.rules ?? []).forEach((rule, r) => {
    (rule.paths ?? []).forEach((path, p) => {
      const field = `spec.protection.rules[${r}].paths[${p}]`;
      if (typeof path !== "string" || !path.startsWith("/")) {
        problems.push(`${field} is ${JSON.stringify(path)}: a path starts with "/", for example /healthz`);
        return;
      }
      const refused = istioPathProblem(path);
      if (refused !== undefined) problems.push(`${field} is ${JSON.stringify(path)}: ${refused}; change or remove the path`);
    });
  });
  return problems;
}

/**
 * What the policy applies to: by default the ingress gateway pods
 * (gateway.selector); on the Gateway API data plane with Istio, a pool
 * member's Gateway (`targetRefs`; Istio refuses a policy with both).
 */
export type PolicyAttachment = { targetRefs: { group: string; kind: string; name: string }[] };

export function renderAuthorizationPolicy(route: DomainRoute, config: PlatformConfig, protection: Protection, attachment?: PolicyAttachment): KubeObject {
  const domain = route.spec.domain;
  // A Host header may carry a port (shop.example.com:443); without the
  // second entry such a request would skip the login.
  const hosts = [domain, `${domain}:*`];
  const notPaths = allowedPaths(protection);
  const authenticated = authenticatedPaths(protection);
  // One rule: every request for the domain goes to the provider unless its
  // path is allowed. Authenticate paths are already covered by that, as long
  // as no Allow path also matches them (Allow /public* with Authenticate
  // /public/admin*): a second operation, ORed with the first, sends those to
  // the provider too, so Authenticate wins.
  const operations: Operation[] = [notPaths.length > 0 ? { hosts: [...hosts], notPaths } : { hosts: [...hosts] }];
  if (notPaths.length > 0 && authenticated.length > 0) operations.push({ hosts: [...hosts], paths: authenticated });
  const spec: PolicySpec = {
    ...(attachment === undefined
      ? { selector: { matchLabels: sortedKeys(config.gateway.selector) } }
      : { targetRefs: attachment.targetRefs.map((ref) => ({ group: ref.group, kind: ref.kind, name: ref.name })) }),
    action: "CUSTOM",
    provider: { name: protection.provider },
    rules: [{ to: operations.map((operation) => ({ operation })) }],
  };
  return {
    apiVersion: SECURITY_API_VERSION,
    kind: KIND_AUTHORIZATION_POLICY,
    metadata: producedMetadata(route, objectNameFor(domain), config.gateway.namespace),
    spec,
  };
}
