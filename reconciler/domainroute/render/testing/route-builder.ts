// Builds DomainRoutes for tests: a valid Managed route to a Service by
// default, changed one call at a time, so each case states only what matters.
import type { DomainRoute, ExternalProtocol, ProtectionRule, RoutingMode } from "../../../../crds/types.ts";
import { API_VERSION, KIND_DOMAIN_ROUTE } from "../../../../crds/types.ts";

export const DEFAULT_UID = "0b5e3c1a-7d2f-4c6e-9a8b-1f2e3d4c5b6a";

export class RouteBuilder {
  #route: DomainRoute = {
    apiVersion: API_VERSION,
    kind: KIND_DOMAIN_ROUTE,
    metadata: { name: "shop", namespace: "team-a", uid: DEFAULT_UID, generation: 1 },
    spec: { domain: "shop.example.com", lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
  };

  named(name: string, namespace: string): this {
    this.#route.metadata.name = name;
    this.#route.metadata.namespace = namespace;
    return this;
  }

  uid(uid: string | undefined): this {
    this.#route.metadata.uid = uid;
    return this;
  }

  domain(domain: string): this {
    this.#route.spec.domain = domain;
    return this;
  }

  /** A Service backend, in the route's namespace unless `namespace` is given. */
  service(name: string, port: number, namespace?: string): this {
    this.#route.spec.backend = { service: namespace === undefined ? { name, port } : { name, namespace, port } };
    return this;
  }

  /** An external backend; `protocol` left out as the API server would before defaulting. */
  external(ip: string, port: number, protocol?: ExternalProtocol): this {
    this.#route.spec.backend = { external: protocol === undefined ? { ip, port } : { ip, port, protocol } };
    return this;
  }

  /** Sets spec.backend as given, even when the schema would refuse it. */
  backend(backend: DomainRoute["spec"]["backend"]): this {
    this.#route.spec.backend = backend;
    return this;
  }

  withoutBackend(): this {
    delete this.#route.spec.backend;
    return this;
  }

  /** The mode, or no spec.routing at all for undefined. External drops the backend, as the schema requires. */
  mode(mode: RoutingMode | undefined): this {
    if (mode === undefined) delete this.#route.spec.routing;
    else this.#route.spec.routing = { mode };
    if (mode === "External") delete this.#route.spec.backend;
    return this;
  }

  protected(provider: string, appId: string, rules?: ProtectionRule[]): this {
    this.#route.spec.protection = rules === undefined ? { provider, appId } : { provider, appId, rules };
    return this;
  }

  build(): DomainRoute {
    return structuredClone(this.#route);
  }
}

export function aRoute(): RouteBuilder {
  return new RouteBuilder();
}
