// The narrow port between leader election and the API server: read, create
// and update one coordination.k8s.io/v1 Lease. Optimistic concurrency is the
// whole trick: an update carries the resourceVersion it read, and the server
// refuses it (409 Conflict) if anyone wrote in between, so two candidates
// can never both believe they took the same lease.

export interface LeaseSpec {
  /** Who holds the lease; empty or absent when nobody does (released). */
  holderIdentity?: string;
  /** How long after renewTime the lease stays valid without a renewal. */
  leaseDurationSeconds?: number;
  /** When the current holder acquired it: a MicroTime (see micro-time.ts). */
  acquireTime?: string;
  /** When the holder last renewed it: a MicroTime. */
  renewTime?: string;
  /** How often the lease changed hands. */
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: "coordination.k8s.io/v1";
  kind?: "Lease";
  metadata: {
    name: string;
    namespace: string;
    /** Set by the server; an update must carry the one it read. */
    resourceVersion?: string;
  };
  spec: LeaseSpec;
}

export interface LeaseClient {
  /**
   * The lease, or undefined when it does not exist (404).
   * @throws KubeApiError on any other failure
   */
  get(namespace: string, name: string): Promise<Lease | undefined>;
  /**
   * Creates the lease; returns it as stored (with its resourceVersion).
   * @throws KubeApiError 409 AlreadyExists when someone created it first
   */
  create(lease: Lease): Promise<Lease>;
  /**
   * Replaces the lease; returns it as stored.
   * @throws KubeApiError 409 Conflict when metadata.resourceVersion is not the current one
   */
  update(lease: Lease): Promise<Lease>;
}
