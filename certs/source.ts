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

/** Listener bookkeeping both sources share: a throwing listener is logged and never stops the others. */
export class ChangeListeners {
  readonly #listeners = new Set<(material: TlsMaterial) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  add(listener: (material: TlsMaterial) => void): () => void {
    // Wrapped so the same function subscribed twice is two subscriptions.
    const entry = (material: TlsMaterial) => listener(material);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  emit(material: TlsMaterial): void {
    for (const listener of this.#listeners) {
      try {
        listener(material);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
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
