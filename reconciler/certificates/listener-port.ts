// The narrow port to an ALB HTTPS listener's certificate list (ELBv2). The
// SDK adapter (aws/sdk-listener.ts) pages, retries throttling with backoff,
// and maps errors; fakes implement the same contract.

export interface ListenerCertificate {
  readonly arn: string;
  /** The listener's default certificate: set by the platform, never detached by hostgate. */
  readonly isDefault: boolean;
}

export interface ListenerPort {
  /** Every certificate on the listener, the default one included, every page read. */
  listCertificates(listenerArn: string): Promise<ListenerCertificate[]>;
  /** Idempotent: adding a certificate already there is no error. */
  addCertificates(listenerArn: string, arns: readonly string[]): Promise<void>;
  /** Idempotent. Never called with the default certificate. */
  removeCertificates(listenerArn: string, arns: readonly string[]): Promise<void>;
}

/** ELBv2 refused the change (TooManyCertificates, CertificateNotFound, ListenerNotFound…): retrying will not help. */
export class ListenerRejectedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ListenerRejectedError";
    this.code = code;
  }
}

/** ELBv2 could not be reached or kept failing after the retries. */
export class ListenerUnavailableError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ListenerUnavailableError";
    this.code = code;
  }
}
