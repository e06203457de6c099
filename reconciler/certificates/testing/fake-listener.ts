// In-memory ALB HTTPS listeners behind the ListenerPort, for the certificate
// controller's tests and benches. It keeps ELBv2's behaviours:
// - a listener has a default certificate, listed with isDefault, which
//   RemoveListenerCertificates refuses (OperationNotPermitted);
// - AddListenerCertificates and RemoveListenerCertificates take one
//   certificate per call, so the port's add of several is several requests
//   (`calls` counts requests), and certificates added before a failing one stay;
// - an add beyond the limit (25 non-default certificates by default; AWS's
//   quota is per load balancer, and hostgate attaches to one listener per
//   load balancer) fails: TooManyCertificates;
// - add and remove are idempotent;
// - a certificate ACM does not hold as ISSUED → CertificateNotFound (what
//   ELBv2 answers for a certificate still pending validation, too);
// - an unknown listener → ListenerNotFound.
// `usingLoadBalancers` feeds ACM's InUseBy (see fake-aws.ts).
import type { ListenerCertificate, ListenerPort } from "../listener-port.ts";
import { ListenerRejectedError } from "../listener-port.ts";
import { loadBalancerOfListener } from "./acm-names.ts";

export interface FakeListenerOptions {
  /** Non-default certificates a listener takes. Default 25. */
  readonly certificateLimit?: number;
  /** Whether ACM would hand this certificate to ELBv2 (exists and ISSUED). Default: every ARN. */
  readonly certificateUsable?: (arn: string) => boolean;
}

export type ListenerOperation = "listCertificates" | "addCertificates" | "removeCertificates";

interface StoredListener {
  defaultCertificate: string | undefined;
  /** Non-default certificates, in the order added. */
  certificates: string[];
  limit: number;
}

export class FakeListener implements ListenerPort {
  /** API requests: one per certificate for add and remove, one per page for list. */
  readonly calls: Record<ListenerOperation, number> = { listCertificates: 0, addCertificates: 0, removeCertificates: 0 };
  readonly #limit: number;
  #usable: (arn: string) => boolean;
  readonly #listeners = new Map<string, StoredListener>();
  readonly #failures: { operation: ListenerOperation; error: Error }[] = [];

  constructor(options: FakeListenerOptions = {}) {
    this.#limit = options.certificateLimit ?? 25;
    this.#usable = options.certificateUsable ?? (() => true);
  }

  /** Creates a listener (its ARN must be a real listener ARN's shape); `limit` overrides the default for this one. */
  addListener(listenerArn: string, options: { defaultCertificate?: string; limit?: number } = {}): void {
    loadBalancerOfListener(listenerArn);
    this.#listeners.set(listenerArn, { defaultCertificate: options.defaultCertificate, certificates: [], limit: options.limit ?? this.#limit });
  }

  /** Replaces the usability check (fake-aws.ts wires it to a FakeAcm). */
  setCertificateUsable(usable: (arn: string) => boolean): void {
    this.#usable = usable;
  }

  /** The next call of `operation` fails with `error` (queued, in order). */
  failNext(operation: ListenerOperation, error: Error): void {
    this.#failures.push({ operation, error });
  }

  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  /** A listener's non-default certificates, sorted, without counting a call. */
  peek(listenerArn: string): string[] {
    return [...this.#get(listenerArn).certificates].sort();
  }

  /** The load balancers (ACM's InUseBy) whose listeners hold the certificate, as default or not, sorted. */
  usingLoadBalancers(certificateArn: string): string[] {
    const balancers = new Set<string>();
    for (const [arn, listener] of this.#listeners) {
      if (listener.defaultCertificate === certificateArn || listener.certificates.includes(certificateArn)) balancers.add(loadBalancerOfListener(arn));
    }
    return [...balancers].sort();
  }

  async listCertificates(listenerArn: string): Promise<ListenerCertificate[]> {
    this.#call("listCertificates");
    const listener = this.#get(listenerArn);
    const certificates = listener.certificates.map((arn) => ({ arn, isDefault: false }));
    return listener.defaultCertificate === undefined ? certificates : [{ arn: listener.defaultCertificate, isDefault: true }, ...certificates];
  }

  async addCertificates(listenerArn: string, arns: readonly string[]): Promise<void> {
    for (const arn of arns) {
      this.#call("addCertificates");
      const listener = this.#get(listenerArn);
      if (!this.#usable(arn)) throw new ListenerRejectedError("CertificateNotFound", `Certificate '${arn}' not found (not in ACM, or not ISSUED yet)`);
      if (listener.certificates.includes(arn)) continue;
      if (listener.certificates.length >= listener.limit) {
        throw new ListenerRejectedError("TooManyCertificates", `Listener ${listenerArn} already holds ${listener.certificates.length} certificates, its limit`);
      }
      listener.certificates.push(arn);
    }
  }

  async removeCertificates(listenerArn: string, arns: readonly string[]): Promise<void> {
    for (const arn of arns) {
      this.#call("removeCertificates");
      const listener = this.#get(listenerArn);
      if (arn === listener.defaultCertificate) {
        throw new ListenerRejectedError("OperationNotPermitted", `Certificate ${arn} is the default certificate of ${listenerArn}: it cannot be removed`);
      }
      listener.certificates = listener.certificates.filter((held) => held !== arn);
    }
  }

  #call(operation: ListenerOperation): void {
    this.calls[operation]++;
    const index = this.#failures.findIndex((f) => f.operation === operation);
    if (index !== -1) throw this.#failures.splice(index, 1)[0]!.error;
  }

  #get(listenerArn: string): StoredListener {
    const listener = this.#listeners.get(listenerArn);
    if (listener === undefined) throw new ListenerRejectedError("ListenerNotFound", `Listener ${listenerArn} not found`);
    return listener;
  }
}
