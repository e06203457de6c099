// Where the self-managed certificates live: a port with two adapters, the
// local directory (file-store.ts) and the Kubernetes Secret
// (secret-store.ts). Writes are conditional on the version read, so
// replicas sharing one store never overwrite each other's work.

export interface StoredCertificates {
  data: Record<string, string>;
  /** Opaque; pass it back to write() to write only over what was read. */
  version?: string;
}

export interface CertificateStore {
  /** What is stored, or undefined when nothing is. */
  read(): Promise<StoredCertificates | undefined>;
  /**
   * Stores `data` if the store still holds `expectedVersion` (undefined:
   * only if nothing is stored); otherwise throws StoreConflictError and
   * writes nothing. Returns the new version.
   */
  write(data: Record<string, string>, expectedVersion?: string): Promise<{ version?: string }>;
  /** Where this store keeps the data, for messages ("Secret hostgate-system/hostgate-webhook-tls"). */
  readonly location: string;
}

/** Someone else wrote since we read: re-read and re-plan, never overwrite. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreConflictError";
  }
}
