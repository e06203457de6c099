// The fields of a DomainRoute that every produced object is built from. The
// API server always sets them on a stored route; a route from elsewhere (a
// manifest file, a hand-written test) may lack them, and then nothing at all
// can be named, labelled or owned correctly.
import type { DomainRoute } from "../../../crds/types.ts";

/** Problems with the route's reference (name, namespace, uid) and domain; empty when rendering can proceed. */
export function routeRefProblems(route: DomainRoute): string[] {
  const problems: string[] = [];
  const { name, namespace, uid } = route.metadata ?? {};
  if (!name) problems.push("metadata.name is empty: hostgate names and owns its objects after the DomainRoute; render a DomainRoute read from the API server");
  if (!namespace)
    problems.push("metadata.namespace is empty: hostgate places the routing in the DomainRoute's namespace; render a DomainRoute read from the API server");
  if (!uid)
    problems.push(
      "metadata.uid is empty: hostgate labels and owns its objects by the DomainRoute's uid; render a DomainRoute read from the API server, which sets it",
    );
  if (!route.spec?.domain) problems.push("spec.domain is empty: set spec.domain to the domain to serve, for example shop.example.com");
  return problems;
}
