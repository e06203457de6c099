// What the HTTPS server sees of its certificate, whichever way it is
// obtained (self-managed: manager.ts; files from cert-manager or elsewhere:
// file-source.ts): the pair to serve now, a signal when it changes, and
// whether it can be served (the readiness probe asks).
import type { SecureContextOptions } from "node:tls";

export interface TlsMaterial {
  /** The serving certificate, PEM (leaf first; a file source passes any chain through). */
  cert: string;
  /** Its private key, PEM. */
  key: string;
  /** The CA bundle clients should trust, PEM; "" when the source does not know it (files). */
  ca: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateValidity {
  valid: boolean;
  /** Why not, or until when; also mentions a failing renewal while the old certificate still serves. */
  reason: string;
}

export interface ServingCertificateSource {
  /** Resolves once there is a certificate to serve (rejects with a clear error when there never can be). */
  start(): Promise<void>;
  /** The certificate to serve now; throws if start() has not resolved. */
  current(): TlsMaterial;
  /** Called with the new certificate after each change; returns the unsubscribe function. */
  onChange(listener: (material: TlsMaterial) => void): () => void;
  valid(now?: Date): CertificateValidity;
  /** undefined when servable now, else why not (the shape webhook/ readiness checks take). */
  problem(now: Date): string | undefined;
  /** When the served certificate expires; undefined before start. */
  notAfter(): Date | undefined;
  /** Clears timers and watchers, so the process can exit. Safe to call twice. */
  stop(): void;
}

/** Whether a certificate can be served at `now`, and why not. */
export function validityAt(material: TlsMaterial | undefined, now: Date): CertificateValidity {
  if (material === undefined) return { valid: false, reason: "there is no serving certificate yet" };
  if (now < material.notBefore) return { valid: false, reason: `the serving certificate is not valid until ${material.notBefore.toISOString()}` };
  if (now >= material.notAfter) return { valid: false, reason: `the serving certificate expired at ${material.notAfter.toISOString()}` };
  return { valid: true, reason: `the serving certificate is valid until ${material.notAfter.toISOString()}` };
}

/**
 * What both sources hold: the certificate served now, and who to tell when
 * it changes. A throwing listener is reported and never stops the others.
 * Each source adds only its own trouble (a failing check, refused files) to
 * the validity it reports.
 */
export class ServedCertificate {
  readonly #listeners = new Set<(material: TlsMaterial) => void>();
  readonly #onListenerError: (error: unknown) => void;
  #material: TlsMaterial | undefined;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** The certificate served now; undefined before the first one. */
  get material(): TlsMaterial | undefined {
    return this.#material;
  }

  /** Serves `material` from now on, telling the listeners unless `notify` is false. */
  replace(material: TlsMaterial, notify = true): void {
    this.#material = material;
    if (!notify) return;
    for (const listener of this.#listeners) {
      try {
        listener(material);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  current(): TlsMaterial {
    if (this.#material === undefined) throw new Error("no serving certificate yet: await start() before serving");
    return this.#material;
  }

  onChange(listener: (material: TlsMaterial) => void): () => void {
    // Wrapped so the same function subscribed twice is two subscriptions.
    const entry = (material: TlsMaterial) => listener(material);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Validity at `now`, with the source's current trouble (if any) appended to the reason. */
  valid(now: Date, trouble: string | undefined): CertificateValidity {
    const validity = validityAt(this.#material, now);
    return trouble === undefined ? validity : { valid: validity.valid, reason: `${validity.reason}; ${trouble}` };
  }

  notAfter(): Date | undefined {
    return this.#material?.notAfter;
  }
}

/** A ServingCertificateSource's problem(): undefined when servable, else why not. */
export function problemOf(validity: CertificateValidity): string | undefined {
  return validity.valid ? undefined : validity.reason;
}

/**
 * Lets a `node:https`/`node:tls` server swap in each new certificate in
 * place (no restart, open connections keep theirs). setSecureContext
 * replaces the whole context, so pass the server's other TLS options
 * (minVersion, ciphers) as `options` or they fall back to defaults.
 */
export function keepServerCertificateCurrent(
  server: { setSecureContext(options: SecureContextOptions): void },
  source: Pick<ServingCertificateSource, "onChange">,
  options: SecureContextOptions = {},
): () => void {
  return source.onChange((material) => server.setSecureContext({ ...options, cert: material.cert, key: material.key }));
}
