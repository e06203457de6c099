// The names a certificate is known by: the wildcard a route's domain needs,
// the ACM tags that make a certificate hostgate's, the cert-manager object
// name, and the idempotency token of an ACM request. All deterministic, so
// two passes (or two replicas) over the same routes agree on every name.
import { createHash } from "node:crypto";
import { labelsBelow } from "../../policies/engine/functions/hostname.ts";
import { objectNameFor } from "../domainroute/render/names.ts";

/** The owner tag: a certificate is hostgate's (this installation's) only when this tag carries dns.ownerId. */
export const TAG_OWNER = "hostgate.dev/owner";
/**
 * The wildcard the certificate serves, without its `*.` (`team-a.example.com`
 * for `*.team-a.example.com`): AWS tag values may not contain `*`.
 */
export const TAG_WILDCARD = "hostgate.dev/wildcard";

/**
 * The wildcard certificate serving `domain` under `apex`: `*.apex` for the
 * apex itself and for names one label below it (with the apex as a second
 * name: a wildcard does not cover its own parent); `*.parent` for a name
 * deeper down (a TLS wildcard covers exactly one label), so every route under
 * one parent shares one certificate. Undefined when `domain` is not under `apex`.
 */
export function wildcardFor(domain: string, apex: string): { wildcard: string; names: string[] } | undefined {
  const depth = labelsBelow(domain, apex);
  if (depth < 0) return undefined;
  if (depth <= 1) return { wildcard: `*.${apex}`, names: [`*.${apex}`, apex] };
  const parent = domain.slice(domain.indexOf(".") + 1);
  return { wildcard: `*.${parent}`, names: [`*.${parent}`] };
}

/** X.509's limit on a common name, in octets: ACM's RequestCertificate DomainName and cert-manager's commonName may have no more. */
export const COMMON_NAME_MAX = 64;

/** The certificate's subject name: the first of `names` within COMMON_NAME_MAX (the wildcard, else the apex); undefined when none is. */
export function subjectName(names: readonly string[]): string | undefined {
  return names.find((name) => name.length <= COMMON_NAME_MAX);
}

/** `team-a.example.com` for `*.team-a.example.com`. */
export function wildcardParent(wildcard: string): string {
  return wildcard.startsWith("*.") ? wildcard.slice(2) : wildcard;
}

/** The tags of a certificate hostgate requests or imports. */
export function certificateTags(ownerId: string, wildcard: string): Record<string, string> {
  return { [TAG_OWNER]: ownerId, [TAG_WILDCARD]: wildcardParent(wildcard) };
}

/**
 * The cert-manager Certificate's name for a wildcard, also the `<name>` of its
 * validation records' registry resource: `wildcard-team-a-example-com-<hash>`,
 * a DNS-1123 label (names.ts: readable prefix, 100 bits of the hash).
 */
export function certificateName(wildcard: string): string {
  return objectNameFor(`wildcard.${wildcardParent(wildcard)}`);
}

/**
 * ACM's IdempotencyToken (at most 32 `\w` characters): the same owner, names
 * and routes give the same token, so a request retried within ACM's hour (a
 * lost response, a restart, another replica) returns the certificate already
 * requested instead of a second one. `replacing` (the ARNs of the failed
 * certificates a new request replaces) changes the token: a replacement must
 * not get the failed certificate back. `routeUids` (the uids of the routes it
 * is requested for) change it too: within the hour ACM answers a token with
 * its first certificate even after that was deleted (moto fails the request),
 * so a wildcard requested again for other routes after hostgate deleted its
 * certificate (the last route went, another came) must not reuse the token.
 * Routes that change while a request is pending cost nothing: a pending
 * certificate is waited on, not requested again.
 */
export function idempotencyToken(ownerId: string, names: readonly string[], replacing: readonly string[] = [], routeUids: readonly string[] = []): string {
  const text = `${ownerId}\n${[...names].sort().join(",")}\n${[...replacing].sort().join(",")}\n${[...routeUids].sort().join(",")}`;
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 32);
}
