// The check istiod's validating webhook makes on AuthorizationPolicy paths
// (pkg/config/security: CheckEmptyValues, CheckValidPathTemplate). A path the
// DomainRoute schema accepts but Istio refuses would get the whole policy
// refused, leaving the domain without its login, so it is caught here first.

const MATCH_ONE = "{*}";
const MATCH_ANY = "{**}";
// RFC 3986 pchar, as Istio requires of every segment of a templated path.
const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** Why Istio refuses `path` in an AuthorizationPolicy, or undefined when it accepts it. */
export function istioPathProblem(path: string): string | undefined {
  if (path === "") return "Istio refuses empty paths";
  const templated = path.includes(MATCH_ONE) || path.includes(MATCH_ANY);
  let sawMatchAny = false;
  for (const segment of path.replace(/^\/+|\/+$/g, "").split("/")) {
    if (segment === MATCH_ONE || segment === MATCH_ANY) {
      if (sawMatchAny) return `Istio allows ${MATCH_ANY} only as the last template operator`;
      sawMatchAny = segment === MATCH_ANY;
      continue;
    }
    if (/[{}]/.test(segment)) return `Istio refuses "{" and "}" other than in the templates ${MATCH_ONE} and ${MATCH_ANY}`;
    if (templated && !VALID_LITERAL.test(segment)) {
      return `in a path with ${MATCH_ONE} or ${MATCH_ANY}, Istio requires every other segment to be letters, digits or -._~%!$&'()+,;:@=, and ${JSON.stringify(segment)} is not`;
    }
  }
  return undefined;
}
