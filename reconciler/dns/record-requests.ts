// Records that another controller needs in DNS, handed to the DNS controller
// in-process: today the certificate controller's ACM validation CNAMEs. The
// DNS controller owns them like route records (a TXT registry record beside
// each, changed or deleted only when owned) and deletes an owned one once no
// request names it. The publisher replaces the whole set after each pass;
// listeners hear when it changed, so the DNS controller plans again.
import { jsonEqual } from "../../core/json.ts";
import type { DnsRecord } from "./route53-port.ts";

export interface RecordRequest {
  /** The hosted zone the record goes in (the apex's zone). */
  readonly zoneId: string;
  /** The record to hold, with its ttl and values (a CNAME for ACM validation). */
  readonly record: DnsRecord;
  /** The TXT registry's `external-dns/resource`, `<kind>/<namespace>/<name>`, e.g. `certificate/hostgate-system/wildcard-example-com`. */
  readonly resource: string;
}

export class RecordRequests {
  #requests: readonly RecordRequest[] = [];
  #published = false;
  readonly #listeners = new Set<() => void>();

  /** Undefined until the first publication of the term: until then the DNS controller must not delete requested records. */
  current(): readonly RecordRequest[] | undefined {
    return this.#published ? this.#requests : undefined;
  }

  /** Replaces the whole set; listeners run when it differs from the last one. `next` should be sorted for a stable comparison. */
  publish(next: readonly RecordRequest[]): boolean {
    const changed = !this.#published || !jsonEqual(this.#requests, next);
    this.#requests = next;
    this.#published = true;
    if (changed) for (const listener of this.#listeners) listener();
    return changed;
  }

  /** @returns a function that removes the listener */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
