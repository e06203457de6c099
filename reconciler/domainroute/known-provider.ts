// Whether a route's protection provider is one the platform installed. The
// webhook refuses unknown providers, but a route can still carry one: created
// while the webhook was down, or before the provider left the config. Both
// controllers ask this one question so they cannot disagree: the route
// controller serves nothing for such a route, the appId-table controller writes
// ProtectionReady=False/UnknownProvider and leaves it out of the appId table.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";

/** True when `provider` is listed in the platform config's `protection.providers` (exact, case-sensitive match). */
export function isKnownProvider(config: PlatformConfig, provider: string): boolean {
  return config.protection.providers.includes(provider);
}

/**
 * The provider a protected route names when the platform does not list it;
 * undefined for an unprotected route or a known provider.
 */
export function unknownProviderOf(route: Pick<DomainRoute, "spec">, config: PlatformConfig): string | undefined {
  const provider = route.spec.protection?.provider;
  if (provider === undefined || isKnownProvider(config, provider)) return undefined;
  return provider;
}

/**
 * Why nothing may be served for the route because of its provider, naming it
 * and what the platform lists; undefined when its provider is known (or it
 * asks for no protection).
 */
export function unknownProviderProblem(route: Pick<DomainRoute, "spec">, config: PlatformConfig): string | undefined {
  const provider = unknownProviderOf(route, config);
  if (provider === undefined) return undefined;
  const listed = config.protection.providers;
  return (
    `spec.protection.provider is ${JSON.stringify(provider)}, which the platform does not list (${listed.length === 0 ? "it lists none" : `it lists ${listed.join(", ")}`}): ` +
    "nothing is served for this domain rather than serve it without its login. Set spec.protection.provider to a listed provider"
  );
}
