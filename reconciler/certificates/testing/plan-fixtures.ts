// Routes, claims, ACM certificates and listeners for the certificate planner
// tests, each stating only what matters; and `settle`, which carries a plan's
// AWS actions out on a view as AWS would (InUseBy follows the listeners), so
// a test can plan again against the state a plan produced.
import type { CertificatesConfig, PlatformConfig } from "../../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { aConfig } from "../../domainroute/render/testing/platform-config.ts";
import { aRoute } from "../../domainroute/render/testing/route-builder.ts";
import type { AcmCertificate, ValidationRecord } from "../acm-port.ts";
import { certificateTags } from "../certificate-names.ts";
import type { AcmView, CertificateAction } from "../certificate-plan.ts";
import type { ListenerCertificate } from "../listener-port.ts";

export const OWNER = "hostgate-test";
export const OUT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public/aaaa/1111";
export const IN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal/bbbb/2222";
export const DEFAULT_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/default";
export const NOW = Date.UTC(2030, 0, 1);

export function certConfig(certificates: Partial<CertificatesConfig> = {}): PlatformConfig {
  return aConfig({
    dns: { provider: "route53", ownerId: OWNER },
    certificates: { provider: "acm", ...certificates },
    listenerArns: { "alb-out": OUT, "alb-in": IN },
  });
}

export interface RouteOptions {
  lb?: "alb-out" | "alb-in";
  /** Default true: the route holds the claim of its domain. */
  claimed?: boolean;
  deleting?: boolean;
  namespace?: string;
}

/** A route named `name` in team-a for `domain`, and (when claimed) its claim. */
export function routeFor(name: string, domain: string, options: RouteOptions = {}): { route: DomainRoute; claims: DomainClaim[] } {
  const namespace = options.namespace ?? "team-a";
  const route = aRoute().named(name, namespace).uid(`uid-${name}`).domain(domain).build();
  route.spec.lb = options.lb ?? "alb-out";
  if (options.deleting === true) route.metadata.deletionTimestamp = "2030-01-01T00:00:00Z";
  const claimed = options.claimed ?? true;
  const claim: DomainClaim = {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainClaim",
    metadata: { name: domain, uid: `claim-${name}` },
    spec: { domain, owner: { namespace, name, uid: claimed ? `uid-${name}` : "someone-else" } },
  };
  return { route, claims: [claim] };
}

/** Routes and claims of several routeFor calls. */
export function world(...entries: { route: DomainRoute; claims: DomainClaim[] }[]): { routes: DomainRoute[]; claims: DomainClaim[] } {
  return { routes: entries.map((e) => e.route), claims: entries.flatMap((e) => e.claims) };
}

export function validationFor(name: string): ValidationRecord {
  const base = name.replace(/^\*\./, "");
  return { name: `_v.${base}`, type: "CNAME", value: `_x.${base.replace(/\./g, "-")}.acm-validations.aws` };
}

export interface CertOptions {
  arn: string;
  names: string[];
  status?: AcmCertificate["status"];
  type?: AcmCertificate["type"];
  /** `mine` tags it as hostgate's for its first name; `none` leaves it untagged. */
  owner?: "mine" | "none" | string;
  notAfter?: string;
  inUseBy?: string[];
  /** RFC 3339: ACM's IssuedAt (ImportedAt); absent by default. */
  issuedAt?: string;
  /** Default true: validation records shown. */
  records?: boolean;
}

export function cert(options: CertOptions): AcmCertificate {
  const owner = options.owner ?? "mine";
  const tags = owner === "none" ? {} : certificateTags(owner === "mine" ? OWNER : owner, options.names[0]!);
  const status = options.status ?? "ISSUED";
  return {
    arn: options.arn,
    domainName: options.names[0]!,
    subjectAlternativeNames: options.names,
    status,
    type: options.type ?? "AMAZON_ISSUED",
    ...(status === "ISSUED" ? { notAfter: options.notAfter ?? "2031-01-01T00:00:00Z" } : options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
    validation: [...new Set(options.names.map((n) => n.replace(/^\*\./, "")))].map((n) => ({
      domainName: n,
      ...(options.records === false ? {} : { record: validationFor(n) }),
    })),
    inUseBy: options.inUseBy ?? [],
    ...(options.issuedAt === undefined ? {} : { issuedAt: options.issuedAt }),
    tags,
  };
}

/** Both listeners with only their default certificate, plus `extra` ARNs per listener. */
export function listeners(extra: { out?: string[]; in?: string[] } = {}): Map<string, ListenerCertificate[]> {
  const entries = (arns: string[] = []) => [{ arn: DEFAULT_CERT, isDefault: true }, ...arns.map((arn) => ({ arn, isDefault: false }))];
  return new Map([
    [OUT, entries(extra.out)],
    [IN, entries(extra.in)],
  ]);
}

export function view(certificates: AcmCertificate[], listenerState = listeners()): AcmView {
  return { certificates, listeners: listenerState };
}

/**
 * The view after `actions`, as AWS would show it: a request adds a pending
 * certificate (`arn:new:<wildcard>`, records shown), attach and detach change
 * the listeners and InUseBy, a delete removes the certificate.
 */
export function settle(before: AcmView, actions: readonly CertificateAction[]): AcmView {
  let certificates = [...before.certificates];
  const listenerState = new Map([...before.listeners].map(([arn, entries]) => [arn, [...entries]]));
  for (const action of actions) {
    if (action.kind === "request") {
      const { request } = action;
      certificates.push({
        ...cert({
          arn: `arn:new:${request.domainName}:${request.idempotencyToken}`,
          names: [...request.subjectAlternativeNames],
          status: "PENDING_VALIDATION",
        }),
        tags: { ...request.tags },
      });
    } else if (action.kind === "attach") {
      listenerState.set(action.listenerArn, [...listenerState.get(action.listenerArn)!, ...action.arns.map((arn) => ({ arn, isDefault: false }))]);
    } else if (action.kind === "detach") {
      listenerState.set(
        action.listenerArn,
        listenerState.get(action.listenerArn)!.filter((e) => e.isDefault || !action.arns.includes(e.arn)),
      );
    } else if (action.kind === "delete") {
      certificates = certificates.filter((c) => c.arn !== action.arn);
    }
  }
  const using = (arn: string) => [...listenerState].filter(([, entries]) => entries.some((e) => e.arn === arn)).map(([listener]) => `lb-of ${listener}`);
  return { certificates: certificates.map((c) => ({ ...c, inUseBy: using(c.arn) })), listeners: listenerState };
}

/** Marks every pending certificate issued, as ACM does once its CNAMEs are in DNS. */
export function issueAll(before: AcmView): AcmView {
  return {
    ...before,
    certificates: before.certificates.map((c) => (c.status === "PENDING_VALIDATION" ? { ...c, status: "ISSUED", notAfter: "2031-01-01T00:00:00Z" } : c)),
  };
}
