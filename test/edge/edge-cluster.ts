// A cluster for the whole reconciler with DNS and certificates in AWS
// (test/dns-and-certificates.test.ts, test/cert-manager-import.test.ts,
// test/reconciler-rbac-cert-manager.test.ts): the AWS example config (or it
// with cert-manager importing into ACM instead of ACM requests), the fake
// Route53, ACM and listeners, and for cert-manager the test playing
// cert-manager itself (issueAsCertManager), since the in-memory API server
// runs no cert-manager. Time is a ManualClock moved
// forward while waiting (until), so the controllers' polls cost no real time.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { readCertificates } from "../../certs/certificate-info.ts";
import type { ManualClock } from "../../core/clock.ts";
import { formatTime } from "../../core/clock.ts";
import { parsePlatformConfig } from "../../core/config/index.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { certManagerCertificates, certManagerSecrets } from "../../reconciler/certificates/cert-manager-resources.ts";
import { certificateName } from "../../reconciler/certificates/certificate-names.ts";
import type { FakeCertificateAws } from "../../reconciler/certificates/testing/fake-aws.ts";
import { fakeCertificateAws } from "../../reconciler/certificates/testing/fake-aws.ts";
import { serverPair } from "../../reconciler/certificates/testing/pem-fixtures.ts";
import { FakeRoute53 } from "../../reconciler/dns/route53/testing/fake-route53.ts";
import type { ReconcilerManager } from "../../reconciler/manager/reconciler-manager.ts";
import { startClockedManager } from "../../reconciler/manager/testing/clocked-manager.ts";
import { ROOT } from "../fixtures.ts";

/** Waits until a check holds on the reconciler's manual clock (shared with the reconciler's own tests). */
export { until } from "../../reconciler/manager/testing/clocked-manager.ts";

/** certificates.certManager.namespace: where hostgate's Certificates and their Secrets live. */
export const NAMESPACE = "hostgate-system";
export const ZONE = "Z0123456789ABC";
/** The Certificate (and Secret) for `*.example.com`, which serves every route one label below example.com. */
export const WILDCARD = certificateName("*.example.com");
/** Every listener's default certificate: set by the platform, never detached by hostgate. */
export const DEFAULT_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-00000000dfdf";

const DAY = 86_400_000;

/** examples/platform-config-aws.yaml (Route53 with an ownerId, a listener on each load balancer) with cert-manager importing into ACM, parsed as serve would. */
export function certManagerConfig(): PlatformConfig {
  const data = parse(readFileSync(join(ROOT, "examples", "platform-config-aws.yaml"), "utf8")) as Record<string, unknown>;
  data.certificates = {
    provider: "cert-manager",
    listenerCertificateLimit: 25,
    certManager: { issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-dns" }, namespace: NAMESPACE, importToAcm: true },
  };
  return parsePlatformConfig(stringify(data), "platform-config-cert-manager.yaml");
}

export interface Aws extends FakeCertificateAws {
  readonly route53: FakeRoute53;
}

/** Route53 with the config's zones; ACM empty; every load balancer's listener with only its default certificate. */
export function fakeAws(clock: ManualClock, config: PlatformConfig): Aws {
  const route53 = new FakeRoute53();
  route53.addZone(ZONE, "example.com");
  route53.addZone("Z0INTERNAL42XYZ", "corp.example.net");
  route53.addZone("Z0PRIVATE0001", "corp.example.net", true);
  const { acm, listener } = fakeCertificateAws({ acm: { clock } });
  for (const lb of Object.values(config.loadBalancers)) listener.addListener(lb.listenerArn!, { defaultCertificate: DEFAULT_CERTIFICATE });
  return { route53, acm, listener };
}

/**
 * The whole reconciler (no leader election: it leads at once) on `api`, the fakes passed through its `aws` option:
 * Route53 always, ACM and the listeners where the config has certificates in AWS (a DNS-only test passes Route53 alone).
 */
export function startManager(api: KubeApi, clock: ManualClock, aws: Pick<Aws, "route53"> & Partial<Aws>, config: PlatformConfig): ReconcilerManager {
  return startClockedManager(api, config, clock, { route53: aws.route53, acm: aws.acm, listeners: aws.listener });
}

export function route(name: string, domain: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: {
      domain,
      lb: "alb-out",
      routing: { mode: "Managed" },
      backend: { service: { name: "web", port: 8080 } },
      protection: { provider: "sso", appId: `team-a-${name}` },
    },
  };
}

/** Every Certificate in the namespace, hostgate's label or not (the reconciler's resource carries a label selector). */
export const ALL_CERTIFICATES = { ...certManagerCertificates(NAMESPACE), labelSelector: undefined };
const ALL_SECRETS = { ...certManagerSecrets(NAMESPACE), labelSelector: undefined };

export const certificateObject = (api: FakeKubeApi, name = WILDCARD) => api.server.get(ALL_CERTIFICATES, { namespace: NAMESPACE, name });

/**
 * What cert-manager does when it issues (or renews) Certificate `name`, under
 * its own identity: the Secret named by spec.secretName, of type
 * kubernetes.io/tls, with the labels of spec.secretTemplate and its own
 * annotations, holding a new certificate for spec.dnsNames valid for `days`;
 * then the Certificate's status: Ready=True for the generation it looked at,
 * notBefore/notAfter of that certificate, revision one more. Returns the
 * certificate's not-after (RFC 3339, as ACM shows it after the import).
 */
export async function issueAsCertManager(api: FakeKubeApi, clock: ManualClock, options: { name?: string; days: number }): Promise<string> {
  const certificate = certificateObject(api, options.name);
  assert.ok(certificate, `cert-manager finds no Certificate ${NAMESPACE}/${options.name ?? WILDCARD} to issue`);
  const spec = certificate.spec as {
    secretName: string;
    dnsNames: string[];
    secretTemplate?: { labels?: Record<string, string> };
    issuerRef: { name: string };
  };
  const pair = await serverPair(clock.now(), spec.dnsNames, { days: options.days });
  const leaf = readCertificates(pair.certPem).certificates[0]!;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const key = { namespace: NAMESPACE, name: spec.secretName };
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      ...key,
      labels: { ...spec.secretTemplate?.labels, "controller.cert-manager.io/fao": "true" },
      annotations: {
        "cert-manager.io/alt-names": spec.dnsNames.join(","),
        "cert-manager.io/certificate-name": certificate.metadata!.name!,
        "cert-manager.io/issuer-kind": "ClusterIssuer",
        "cert-manager.io/issuer-name": spec.issuerRef.name,
      },
    },
    type: "kubernetes.io/tls",
    data: { "tls.crt": b64(pair.certPem), "tls.key": b64(pair.keyPem), "ca.crt": b64(pair.caPem) },
  };
  const existing = api.server.get(ALL_SECRETS, key);
  const asCertManager = { fieldManager: "cert-manager-certificates-issuing" };
  if (existing === undefined) await api.create(ALL_SECRETS, secret, asCertManager);
  else await api.update(ALL_SECRETS, { ...secret, metadata: { ...secret.metadata, resourceVersion: existing.metadata?.resourceVersion } }, asCertManager);
  const notAfter = formatTime(leaf.notAfter.getTime());
  const current = certificateObject(api, options.name)!;
  const status = (current.status ?? {}) as { revision?: number };
  await api.updateStatus(ALL_CERTIFICATES, {
    ...current,
    status: {
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Ready",
          message: "Certificate is up to date and has not expired",
          observedGeneration: current.metadata?.generation,
          lastTransitionTime: formatTime(clock.now()),
        },
      ],
      notBefore: formatTime(leaf.notBefore.getTime()),
      notAfter,
      renewalTime: formatTime(leaf.notAfter.getTime() - (options.days * DAY) / 3),
      revision: (status.revision ?? 0) + 1,
    },
  });
  return notAfter;
}
