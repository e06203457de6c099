// The certificate controller against the fake ACM and listeners (fake-aws.ts)
// and an in-memory API server: a test adds routes, runs passes, moves the
// clock, and reads what AWS, DNS (the published record requests) and the
// outcome board show. The fake ACM validates a certificate once its CNAMEs
// are among the records the controller last published, as Route53 + ACM would.
import { ManualClock } from "../../../core/clock.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { RecordRequests } from "../../dns/record-requests.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../../resources.ts";
import { CertificateOutcomes } from "../certificate-outcomes.ts";
import type { CertificateReconcileResult, CertificateReconcilerDeps, CertificateReconcilerState } from "../reconcile-certificates.ts";
import { newCertificateReconcilerState, reconcileCertificates } from "../reconcile-certificates.ts";
import type { FakeCertificateAws } from "./fake-aws.ts";
import { fakeCertificateAws } from "./fake-aws.ts";
import { certConfig, DEFAULT_CERT, IN, OUT } from "./plan-fixtures.ts";

export interface CertificateWorld {
  readonly api: FakeKubeApi;
  readonly aws: FakeCertificateAws;
  readonly clock: ManualClock;
  readonly records: RecordRequests;
  readonly outcomes: CertificateOutcomes;
  readonly deps: CertificateReconcilerDeps;
  state: CertificateReconcilerState;
  /** A route (and its claim, unless `claimed` is false), created through the API; `member`: placed there (status.edge). */
  addRoute(name: string, domain: string, options?: { lb?: "alb-out" | "alb-in"; claimed?: boolean; member?: string }): Promise<void>;
  /** Deletion with a finalizer held: the route stays, with deletionTimestamp. */
  deleteRoute(name: string): Promise<void>;
  pass(): Promise<CertificateReconcileResult>;
  /** Passes, each after the requeue it asked for, until one asks for nothing before `untilMs` of quiet; returns how many ran. */
  settle(limit?: number): Promise<number>;
  /** `kind` of each route's outcome, by `namespace/name`. */
  kinds(): Record<string, string>;
  /** AWS requests so far. */
  awsCalls(): number;
}

export function certificateWorld(options: { config?: PlatformConfig; listenerLimit?: number } = {}): CertificateWorld {
  const clock = new ManualClock();
  const api = new FakeKubeApi({ now: () => clock.now() });
  const records = new RecordRequests();
  const published = () => new Set((records.current() ?? []).map((r) => `${r.record.name} ${r.record.values?.[0]}`));
  const aws = fakeCertificateAws({ acm: { clock, validationExists: (record) => published().has(`${record.name} ${record.value}`) } });
  aws.listener.addListener(OUT, { defaultCertificate: DEFAULT_CERT, ...(options.listenerLimit === undefined ? {} : { limit: options.listenerLimit }) });
  aws.listener.addListener(IN, { defaultCertificate: DEFAULT_CERT });
  const outcomes = new CertificateOutcomes();
  const reader: ObjectReader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
  const deps: CertificateReconcilerDeps = {
    reader,
    api,
    config: options.config ?? certConfig(),
    acm: aws.acm,
    listeners: aws.listener,
    records,
    outcomes,
    clock,
    logger: silentLogger,
  };
  const world: CertificateWorld = {
    api,
    aws,
    clock,
    records,
    outcomes,
    deps,
    state: newCertificateReconcilerState(),
    async addRoute(name, domain, routeOptions = {}) {
      const route = (await api.create(DOMAIN_ROUTES, {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name, namespace: "team-a", finalizers: ["hostgate.dev/cleanup"] },
        spec: { domain, lb: routeOptions.lb ?? "alb-out" },
      })) as unknown as DomainRoute;
      if (routeOptions.member !== undefined) {
        const edge = { loadBalancer: route.spec.lb, member: routeOptions.member, target: `${routeOptions.member}.gw.example.com` };
        await api.updateStatus(DOMAIN_ROUTES, { ...route, status: { edge } } as never);
      }
      const owner = { namespace: "team-a", name, uid: routeOptions.claimed === false ? "someone-else" : route.metadata.uid! };
      const claim: DomainClaim = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: domain }, spec: { domain, owner } };
      await api.create(DOMAIN_CLAIMS, claim as never);
    },
    async deleteRoute(name) {
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name });
    },
    pass: () => reconcileCertificates(deps, world.state),
    async settle(limit = 12) {
      for (let passes = 1; passes <= limit; passes++) {
        const result = await world.pass();
        const due = result.requeueAfterMs;
        // Converged once nothing is due before the next full read.
        if (due === undefined || due >= 60_000) return passes;
        clock.advance(due);
      }
      throw new Error(`the certificate controller did not settle in ${limit} passes: ${JSON.stringify(world.kinds())}`);
    },
    kinds() {
      const refs = api.server.objects(DOMAIN_ROUTES).map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`);
      return Object.fromEntries(
        refs.map((ref) => {
          const lookup = outcomes.lookup(ref);
          return [ref, lookup.known ? (lookup.outcome?.kind ?? "none") : "unknown"];
        }),
      );
    },
    awsCalls: () => aws.acm.totalCalls() + aws.listener.totalCalls(),
  };
  return world;
}
