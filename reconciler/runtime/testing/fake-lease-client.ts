// An in-memory API server for Leases behind the LeaseClient port, shared by
// several electors in a test. It behaves like the real one where electors
// care: one resourceVersion counter, 409 AlreadyExists on a second create,
// 409 Conflict on an update carrying a stale resourceVersion, answers on a
// later microtask (so two electors' calls interleave as over a network).
// Tests can script outages (every call fails) or a hung server (calls wait).
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { Lease, LeaseClient } from "../lease-client.ts";

export interface LeaseCall {
  operation: "get" | "create" | "update";
  namespace: string;
  name: string;
  /** The holder written, for create and update. */
  holder?: string;
}

export function leaseNetworkError(message = "connect ECONNREFUSED 10.0.0.1:443"): KubeApiError {
  return new KubeApiError(message, 0, "NetworkError");
}

export class FakeLeaseClient implements LeaseClient {
  readonly calls: LeaseCall[] = [];
  #rv = 1000;
  #leases = new Map<string, Lease>();
  #outage: KubeApiError | undefined;
  #failures: KubeApiError[] = [];
  #paused: (() => void)[] | undefined;

  /** Stores a lease as is (a new resourceVersion), without recording a call: the state a test starts from. */
  seed(lease: Lease): Lease {
    return this.#store(lease);
  }

  /** The stored lease, without recording a call. */
  peek(namespace: string, name: string): Lease | undefined {
    const lease = this.#leases.get(`${namespace}/${name}`);
    return lease === undefined ? undefined : structuredClone(lease);
  }

  /** Every call fails with `error` until endOutage(). */
  outage(error: KubeApiError = leaseNetworkError()): void {
    this.#outage = error;
  }

  endOutage(): void {
    this.#outage = undefined;
  }

  /** The next calls fail with these errors, in order. */
  failNext(...errors: KubeApiError[]): void {
    this.#failures.push(...errors);
  }

  /** Calls from now on wait, unanswered, until resume(): a server that accepts connections and never replies. */
  pause(): void {
    this.#paused ??= [];
  }

  resume(): void {
    const waiting = this.#paused ?? [];
    this.#paused = undefined;
    for (const go of waiting) go();
  }

  async get(namespace: string, name: string): Promise<Lease | undefined> {
    await this.#answer({ operation: "get", namespace, name });
    return this.peek(namespace, name);
  }

  async create(lease: Lease): Promise<Lease> {
    const { namespace, name } = lease.metadata;
    await this.#answer({ operation: "create", namespace, name, holder: lease.spec.holderIdentity ?? "" });
    if (this.#leases.has(`${namespace}/${name}`)) {
      throw new KubeApiError(`409 AlreadyExists: leases.coordination.k8s.io "${name}" already exists`, 409, "AlreadyExists");
    }
    return this.#store(lease);
  }

  async update(lease: Lease): Promise<Lease> {
    const { namespace, name, resourceVersion } = lease.metadata;
    await this.#answer({ operation: "update", namespace, name, holder: lease.spec.holderIdentity ?? "" });
    const stored = this.#leases.get(`${namespace}/${name}`);
    if (stored === undefined) throw new KubeApiError(`404 NotFound: leases.coordination.k8s.io "${name}" not found`, 404, "NotFound");
    // Stricter than the server, which would take an update without a
    // resourceVersion unconditionally: an elector must never write blind.
    if (resourceVersion !== stored.metadata.resourceVersion) {
      throw new KubeApiError(
        `409 Conflict: Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        409,
        "Conflict",
      );
    }
    return this.#store(lease);
  }

  async #answer(call: LeaseCall): Promise<void> {
    this.calls.push(call);
    await Promise.resolve();
    if (this.#paused !== undefined) {
      const paused = this.#paused;
      await new Promise<void>((resolve) => paused.push(resolve));
    }
    if (this.#outage !== undefined) throw this.#outage;
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
  }

  #store(lease: Lease): Lease {
    const stored: Lease = structuredClone({ ...lease, apiVersion: "coordination.k8s.io/v1", kind: "Lease" });
    stored.metadata.resourceVersion = String(++this.#rv);
    this.#leases.set(`${lease.metadata.namespace}/${lease.metadata.name}`, stored);
    return structuredClone(stored);
  }
}
