// Which collection of the Kubernetes API to list and watch, and the names
// and paths derived from it. Any resource works: a CRD, a built-in in a named
// group (apps/v1) or the legacy core group (v1), cluster-wide or in one
// namespace.

export interface ResourceRef {
  /** API group; "" for the legacy core group (Pods, Services, ...). */
  group: string;
  version: string;
  /** The plural resource name in URLs, e.g. `domainroutes`. */
  resource: string;
  /** The kind of the objects, e.g. `DomainRoute`; stamped on list items that omit it. */
  kind: string;
  namespaced: boolean;
  /** Only this namespace; absent means every namespace (namespaced resources only). */
  namespace?: string;
  /**
   * Only objects with these labels (the API server's equality-based
   * `labelSelector`, e.g. `app.kubernetes.io/managed-by=hostgate`): a
   * controller watches what it produced, not every object of the kind.
   */
  labelSelector?: string;
}

/** `hostgate.dev/v1alpha1`, or `v1` for the core group. */
export function apiVersionOf(ref: ResourceRef): string {
  return ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
}

/** `domainroutes.hostgate.dev`, as kubectl and RBAC name it; `services` for the core group. */
export function resourceName(ref: Pick<ResourceRef, "group" | "resource">): string {
  return ref.group === "" ? ref.resource : `${ref.resource}.${ref.group}`;
}

/** resourceName, plus ` in NS` when scoped and ` labelled S` when selected. */
export function describeResource(ref: ResourceRef): string {
  const name = resourceName(ref);
  const scoped = ref.namespace === undefined ? name : `${name} in ${ref.namespace}`;
  return ref.labelSelector === undefined ? scoped : `${scoped} labelled ${ref.labelSelector}`;
}

/** The collection's URL path: `/apis/G/V[/namespaces/NS]/R`, or `/api/V/...` for the core group. */
export function resourcePath(ref: ResourceRef): string {
  const root = ref.group === "" ? `/api/${encodeURIComponent(ref.version)}` : `/apis/${encodeURIComponent(ref.group)}/${encodeURIComponent(ref.version)}`;
  const scope = ref.namespace === undefined ? "" : `/namespaces/${encodeURIComponent(ref.namespace)}`;
  return `${root}${scope}/${encodeURIComponent(ref.resource)}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Problems with a resource description, each saying which field and how to
 * fix it; empty when usable. Checked when a reflector is built, so a typo
 * fails at start-up instead of as a 404 retried forever.
 */
export function resourceProblems(ref: ResourceRef): string[] {
  const problems: string[] = [];
  const where = `resource ${JSON.stringify(describeResource(ref))}`;
  if (ref.group !== "" && !DNS_SUBDOMAIN.test(ref.group))
    problems.push(`${where}: group ${JSON.stringify(ref.group)} is not a DNS subdomain; use e.g. hostgate.dev, or "" for the core group`);
  if (!DNS_LABEL.test(ref.version)) problems.push(`${where}: version ${JSON.stringify(ref.version)} is not a version name; use e.g. v1alpha1`);
  if (!DNS_LABEL.test(ref.resource)) problems.push(`${where}: resource ${JSON.stringify(ref.resource)} is not a lower-case plural name; use e.g. domainroutes`);
  if (!KIND.test(ref.kind)) problems.push(`${where}: kind ${JSON.stringify(ref.kind)} is not a kind name; use e.g. DomainRoute`);
  if (ref.namespace !== undefined) {
    if (!ref.namespaced) problems.push(`${where}: namespace is set but the resource is cluster-scoped; drop the namespace`);
    else if (!DNS_LABEL.test(ref.namespace)) problems.push(`${where}: namespace ${JSON.stringify(ref.namespace)} is not a namespace name`);
  }
  return problems;
}
