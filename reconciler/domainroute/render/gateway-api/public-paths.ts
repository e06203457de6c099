// Envoy Gateway's SecurityPolicy protects a whole HTTPRoute: it has no
// "except these paths" like the Istio AuthorizationPolicy's notPaths. A
// protected route's Allow paths are therefore served by a second HTTPRoute
// that no SecurityPolicy targets, matching them exactly: across all routes
// on a listener the Gateway API ranks an Exact path match above every
// PathPrefix match, so those paths (and only those) skip the login.
// Istio's wildcard paths (`/static*`, `*.css`, `{*}`, `{**}`) have no exact
// Gateway API equivalent: a PathPrefix matches per segment (so `/static`
// would miss `/statics` that `/static*` opens, and an Authenticate `/a/b*`
// over an Allow `/a*` cannot be ranked above it for `/a/bc`), and regular
// expressions are ranked as each implementation likes. They are refused, so
// no path is ever opened that the route's rules keep closed.
import type { Protection } from "../../../../crds/types.ts";
import { allowedPaths, authenticatedPaths } from "../authorization-policy.ts";

export interface PublicPaths {
  /** Exact paths served without the login, sorted; Authenticate paths that cover one are taken out. */
  paths: string[];
  /** Allow paths that cannot be served exactly: each names the path and how to fix it. */
  problems: string[];
}

/** A path the Gateway API accepts as an Exact HTTPPathMatch (its CRD's CEL rules) and that has no Istio wildcard or template. */
function exactPathProblem(path: string): string | undefined {
  if (/[*{}]/.test(path)) {
    return "Envoy Gateway can open exact paths only (its SecurityPolicy covers a whole HTTPRoute; the Allow paths go to a second HTTPRoute matched Exact)";
  }
  if (path.includes("//") || /\/\.{1,2}(\/|$)/.test(path)) return "the Gateway API refuses a path with // or a /./ or /../ segment";
  if (/%2f/i.test(path) || path.includes("#")) return "the Gateway API refuses a path with %2f, %2F or #";
  return undefined;
}

/** Whether an Istio AuthorizationPolicy path (exact, `prefix*`, `*suffix`, `*`, templates) matches the exact path. */
function istioPathCovers(pattern: string, path: string): boolean {
  // A template ({*}, {**}) may match it; count it as covering, so the path stays behind the login.
  if (pattern.includes("{")) return true;
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return path.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return path.endsWith(pattern.slice(1));
  return pattern === path;
}

/** The protection's Allow paths as Envoy Gateway can serve them without the login. */
export function envoyGatewayPublicPaths(protection: Protection): PublicPaths {
  const authenticated = authenticatedPaths(protection);
  const paths: string[] = [];
  const problems: string[] = [];
  for (const path of allowedPaths(protection)) {
    const problem = exactPathProblem(path);
    if (problem !== undefined) {
      problems.push(
        `spec.protection Allow path ${JSON.stringify(path)}: ${problem}; list the exact paths to open (for example /healthz), or use a gateway.gatewayApi.implementation of istio`,
      );
      continue;
    }
    // Authenticate wins over Allow, as on the Istio data plane.
    if (!authenticated.some((pattern) => istioPathCovers(pattern, path))) paths.push(path);
  }
  return { paths, problems };
}
