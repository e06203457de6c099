// A CertificateStore in memory with the same contract as the real ones: a
// version per write and conditional writes. Several managers can share one
// (replicas sharing the Secret). Hooks let a test make the next operation
// fail or slip another writer in between a read and a write.
import type { CertificateStore, StoredCertificates } from "../store.ts";
import { StoreConflictError } from "../store.ts";

export class MemoryCertificateStore implements CertificateStore {
  readonly location = "memory store";
  data: Record<string, string> | undefined;
  version = 0;
  writes = 0;
  conflicts = 0;
  /** Errors the next reads/writes throw, in order (simulated API failures). */
  readonly failReads: Error[] = [];
  readonly failWrites: Error[] = [];
  /** Runs at the start of each write, before the version check (another replica writing first). */
  beforeWrite: (() => Promise<void> | void) | undefined;

  constructor(data?: Record<string, string>) {
    if (data !== undefined) {
      this.data = { ...data };
      this.version = 1;
    }
  }

  async read(): Promise<StoredCertificates | undefined> {
    const failure = this.failReads.shift();
    if (failure) throw failure;
    if (this.data === undefined) return undefined;
    return { data: { ...this.data }, version: String(this.version) };
  }

  async write(data: Record<string, string>, expectedVersion?: string): Promise<{ version?: string }> {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    await hook?.();
    const failure = this.failWrites.shift();
    if (failure) throw failure;
    const current = this.data === undefined ? undefined : String(this.version);
    if (current !== expectedVersion) {
      this.conflicts++;
      throw new StoreConflictError(`version ${expectedVersion ?? "(none)"} was read, but ${current ?? "(none)"} is stored`);
    }
    this.data = { ...data };
    this.version++;
    this.writes++;
    return { version: String(this.version) };
  }
}
