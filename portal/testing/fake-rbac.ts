// Who may do what where, for the in-memory API server (FakeKubeApi's
// authorizer): a table of rules in RBAC's terms (subjects by user or group,
// API groups, resources with their subresource, verbs, and the namespaces
// the binding holds in, none for a ClusterRoleBinding). It allows only what
// a rule grants, as RBAC does (there are no deny rules), and words each
// refusal as the API server does (fake-admission.ts forbiddenError).
import type { Identity } from "../../core/kube/impersonation.ts";
import { forbiddenError } from "../../core/kube/testing/fake-admission.ts";
import type { AccessResource, AccessVerb, Authorize } from "../../core/kube/testing/fake-admission.ts";

export interface RbacRule {
  /** Who: any of these users, or anyone in any of these groups. */
  users?: readonly string[];
  groups?: readonly string[];
  /** `""` is the core group; `*` every group. */
  apiGroups: readonly string[];
  /** `domainroutes`, `domainroutes/status`, `services`; `*` every resource (not subresources, as in RBAC). */
  resources: readonly string[];
  /** `*` every verb. */
  verbs: readonly (AccessVerb | "*")[];
  /** Where the binding holds; absent: everywhere, cluster-scoped resources included (a ClusterRoleBinding). */
  namespaces?: readonly string[];
}

/** Every verb on DomainRoutes (the aggregated edit role) and reading Services, for `groups` in `namespace`. */
export function teamRules(namespace: string, groups: readonly string[]): RbacRule[] {
  return [
    { groups, apiGroups: ["hostgate.dev"], resources: ["domainroutes"], verbs: ["*"], namespaces: [namespace] },
    { groups, apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"], namespaces: [namespace] },
  ];
}

export class FakeRbac {
  readonly #rules: RbacRule[] = [];

  constructor(rules: readonly RbacRule[] = []) {
    this.#rules.push(...rules);
  }

  allow(...rules: RbacRule[]): this {
    this.#rules.push(...rules);
    return this;
  }

  /** True when some rule grants `who` this verb on this resource here. */
  allows(who: Identity, verb: AccessVerb, resource: AccessResource, namespace: string | undefined): boolean {
    return this.#rules.some((rule) => grants(rule, who, verb, resource, namespace));
  }

  /** The authorizer to hand FakeKubeApi. */
  readonly authorize: Authorize = (who, verb, resource, namespace, name) =>
    this.allows(who, verb, resource, namespace) ? undefined : forbiddenError(who, verb, resource, namespace, name);
}

function grants(rule: RbacRule, who: Identity, verb: AccessVerb, resource: AccessResource, namespace: string | undefined): boolean {
  const subject = (rule.users ?? []).includes(who.user) || (rule.groups ?? []).some((g) => who.groups.includes(g));
  const group = rule.apiGroups.includes("*") || rule.apiGroups.includes(resource.group);
  const named = rule.resources.includes(resource.resource) || (rule.resources.includes("*") && !resource.resource.includes("/"));
  const verbs = rule.verbs.includes("*") || rule.verbs.includes(verb);
  // A namespaced binding never reaches cluster-scoped resources.
  const where = rule.namespaces === undefined || (namespace !== undefined && rule.namespaces.includes(namespace));
  return subject && group && named && verbs && where;
}
