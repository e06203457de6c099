// What the certificate controller knows of ACM and the listeners, kept
// between passes (ACM and ELBv2 have no watch). Re-read in full when older
// than dns.resyncInterval (drift: a certificate detached or deleted by hand
// comes back within one interval); between full reads only what changed is
// read again: the certificates hostgate just requested, imported, detached or
// is waiting on, and the listeners it just changed. A steady pass reads
// nothing.
//
// Which certificates are described in a full read: ListCertificates names
// them all, but each DescribeCertificate (plus its tags) is a request, so
// only those that can matter are described: wildcards at or under a platform
// apex (every certificate hostgate makes is one, so its own are all found,
// also once no route needs them), certificates named after an apex or a
// needed wildcard's parent (an untagged one may cover a wildcard as a SAN),
// with the AWS Load Balancer Controller those named after a route's host (its
// discovery would match them to the host: discovery-conflicts.ts), and every
// ACM certificate on a listener (to tell hostgate's from others').
// A listener may also hold IAM server certificates: ACM refuses their ARNs
// (and the IAM policy grants ACM reads on ACM ARNs only), so they are never
// described; unknown to the view, they count toward the limit and are never
// detached. A configured listener ELBv2 refuses to list (ListenerNotFound: a
// listenerArn from another region or a typo) is left out of the view with
// ELBv2's message, for its routes to show; the other listeners go on.
import type { AcmCertificate, AcmPort } from "./acm-port.ts";
import type { AcmView } from "./certificate-plan.ts";
import type { ListenerCertificate, ListenerPort } from "./listener-port.ts";
import { ListenerRejectedError } from "./listener-port.ts";
import { wildcardParent } from "./certificate-names.ts";

export interface AcmViewReadContext {
  readonly acm: AcmPort;
  /** Needed when listenerArns is not empty. */
  readonly listeners?: ListenerPort;
  /** The configured listeners hostgate puts certificates on, sorted (none with the AWS Load Balancer Controller). */
  readonly listenerArns: readonly string[];
  /** The platform's apexes. */
  readonly apexes: readonly string[];
  /** The wildcards the routes need now. */
  readonly wildcards: readonly string[];
  /** Hosts whose own certificates are described too (a certificate named `shop.example.com`). */
  readonly hosts?: readonly string[];
}

export class AcmViewCache {
  #certificates = new Map<string, AcmCertificate>();
  #listeners = new Map<string, ListenerCertificate[]>();
  /** Listeners ELBv2 refused to list (a listenerArn it does not know): their routes are told, the rest goes on. */
  #listenerErrors = new Map<string, string>();
  /** When the last full read finished; undefined before the first. */
  #readAt: number | undefined;
  readonly #staleCertificates = new Set<string>();
  readonly #staleListeners = new Set<string>();

  /** Forget everything: the next pass reads in full (a new leader term, a config change). */
  reset(): void {
    this.#readAt = undefined;
    this.#certificates.clear();
    this.#listeners.clear();
    this.#listenerErrors.clear();
    this.#staleCertificates.clear();
    this.#staleListeners.clear();
  }

  view(): AcmView {
    const certificates = [...this.#certificates.values()].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    return { certificates, listeners: new Map(this.#listeners), ...(this.#listenerErrors.size === 0 ? {} : { listenerErrors: new Map(this.#listenerErrors) }) };
  }

  /** Due for a full read: never read, or read `resyncMs` or longer ago. */
  fullReadDue(now: number, resyncMs: number): boolean {
    return this.#readAt === undefined || now - this.#readAt >= resyncMs;
  }

  /** Milliseconds until the next full read is due. */
  untilFullRead(now: number, resyncMs: number): number {
    return this.#readAt === undefined ? 0 : Math.max(0, this.#readAt + resyncMs - now);
  }

  markCertificateStale(arn: string): void {
    this.#staleCertificates.add(arn);
  }

  markListenerStale(listenerArn: string): void {
    this.#staleListeners.add(listenerArn);
  }

  /** Everything, from scratch. */
  async readAll(context: AcmViewReadContext, now: number): Promise<void> {
    const listed = await context.acm.listCertificates();
    const listeners = new Map<string, ListenerCertificate[]>();
    const listenerErrors = new Map<string, string>();
    for (const listenerArn of context.listenerArns) {
      const entries = await listOrRefused(context.listeners, listenerArn, listenerErrors);
      if (entries !== undefined) listeners.set(listenerArn, entries);
    }
    const wanted = new Set<string>();
    const names = new Set([...context.apexes, ...context.wildcards.map(wildcardParent), ...(context.hosts ?? [])]);
    for (const { arn, domainName } of listed) if (relevant(domainName.toLowerCase(), context.apexes, names)) wanted.add(arn);
    for (const entries of listeners.values()) for (const entry of entries) if (isAcmArn(entry.arn)) wanted.add(entry.arn);
    const certificates = new Map<string, AcmCertificate>();
    for (const arn of [...wanted].sort()) {
      const described = await context.acm.describeCertificate(arn);
      if (described !== undefined) certificates.set(arn, described);
    }
    this.#certificates = certificates;
    this.#listeners = listeners;
    this.#listenerErrors = listenerErrors;
    this.#staleCertificates.clear();
    this.#staleListeners.clear();
    this.#readAt = now;
  }

  /** Only what was marked stale (and `more`). */
  async readStale(context: AcmViewReadContext, more: readonly string[] = []): Promise<void> {
    for (const listenerArn of [...this.#staleListeners].sort()) {
      const entries = await listOrRefused(context.listeners, listenerArn, this.#listenerErrors);
      this.#staleListeners.delete(listenerArn);
      if (entries === undefined) {
        this.#listeners.delete(listenerArn);
        continue;
      }
      this.#listenerErrors.delete(listenerArn);
      this.#listeners.set(listenerArn, entries);
      // A certificate someone else put there is described, to tell whose it is.
      for (const entry of entries) if (isAcmArn(entry.arn) && !this.#certificates.has(entry.arn)) this.#staleCertificates.add(entry.arn);
      this.#staleListeners.delete(listenerArn);
    }
    for (const arn of [...new Set([...this.#staleCertificates, ...more])].sort()) {
      const described = await context.acm.describeCertificate(arn);
      if (described === undefined) this.#certificates.delete(arn);
      else this.#certificates.set(arn, described);
      this.#staleCertificates.delete(arn);
    }
  }

  /** Records a certificate hostgate just requested or imported and described. */
  put(certificate: AcmCertificate): void {
    this.#certificates.set(certificate.arn, certificate);
  }

  forget(arn: string): void {
    this.#certificates.delete(arn);
  }

  /** The listener's list after a successful attach or detach, as ELBv2 will show it. */
  changeListener(listenerArn: string, add: readonly string[], remove: readonly string[]): void {
    const entries = (this.#listeners.get(listenerArn) ?? []).filter((e) => e.isDefault || !remove.includes(e.arn));
    for (const arn of add) if (!entries.some((e) => e.arn === arn && !e.isDefault)) entries.push({ arn, isDefault: false });
    this.#listeners.set(listenerArn, entries);
  }
}

function relevant(domainName: string, apexes: readonly string[], names: ReadonlySet<string>): boolean {
  if (names.has(domainName)) return true;
  if (!domainName.startsWith("*.")) return false;
  const parent = domainName.slice(2);
  return apexes.some((apex) => parent === apex || parent.endsWith(`.${apex}`));
}

/** The listener's certificates; undefined when ELBv2 refused to list it (recorded in `errors`). Unavailability still throws: the pass is retried. */
async function listOrRefused(port: ListenerPort | undefined, listenerArn: string, errors: Map<string, string>): Promise<ListenerCertificate[] | undefined> {
  if (port === undefined) throw new Error(`listener ${listenerArn} is to be read but the certificate controller was given no ListenerPort: a wiring error`);
  try {
    return await port.listCertificates(listenerArn);
  } catch (error) {
    if (!(error instanceof ListenerRejectedError)) throw error;
    errors.set(listenerArn, error.message);
    return undefined;
  }
}

/** An ACM certificate's ARN (`arn:<partition>:acm:…`), not an IAM server certificate's (`arn:<partition>:iam::…:server-certificate/…`). */
export function isAcmArn(arn: string): boolean {
  return /^arn:[^:]+:acm:/.test(arn);
}
