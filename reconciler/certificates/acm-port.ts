// The narrow port between hostgate's certificate planning and AWS Certificate
// Manager. Plain data; the SDK adapter (aws/sdk-acm.ts) pages through lists,
// retries throttling with backoff and jitter, and maps errors to the classes
// below; fakes implement the same contract.

export type AcmStatus = "PENDING_VALIDATION" | "ISSUED" | "INACTIVE" | "EXPIRED" | "VALIDATION_TIMED_OUT" | "REVOKED" | "FAILED";

export interface ValidationRecord {
  /** Lowercase, without the trailing dot. */
  readonly name: string;
  /** Always CNAME for ACM DNS validation. */
  readonly type: string;
  /** Lowercase, without the trailing dot. */
  readonly value: string;
}

export interface AcmCertificate {
  readonly arn: string;
  /** The certificate's DomainName, e.g. `*.example.com`. */
  readonly domainName: string;
  /** Every name it covers, DomainName included. */
  readonly subjectAlternativeNames: readonly string[];
  readonly status: AcmStatus;
  /** AMAZON_ISSUED or IMPORTED. */
  readonly type: "AMAZON_ISSUED" | "IMPORTED" | "PRIVATE";
  /** RFC 3339, when issued or imported. */
  readonly notAfter?: string;
  /**
   * RFC 3339: when ACM issued it (DescribeCertificate IssuedAt; a managed renewal moves it) or, for an imported one, when it was
   * last imported (ImportedAt). The AWS Load Balancer Controller sees a certificate only a while after that (discovery-listener-gate.ts).
   */
  readonly issuedAt?: string;
  /** One per name being validated; `record` appears a few seconds after the request. */
  readonly validation: readonly { readonly domainName: string; readonly record?: ValidationRecord }[];
  /** ARNs of the load balancers using it (ACM's InUseBy). */
  readonly inUseBy: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface CertificateRequest {
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
  /** ACM honours it for one hour: a retried request returns the same certificate. 32 characters at most, \w only. */
  readonly idempotencyToken: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface CertificateImport {
  /** Re-import into this ARN (a renewal keeps the ARN, so listeners need no change); absent to import a new one. */
  readonly arn?: string;
  /** PEM. */
  readonly certificate: string;
  readonly privateKey: string;
  readonly chain?: string;
  /** Only on a new import (ACM refuses tags on a re-import). */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AcmPort {
  /** Every certificate's ARN and DomainName, every page read (all statuses, all key types). */
  listCertificates(): Promise<{ arn: string; domainName: string }[]>;
  /** Describe plus tags. Undefined when the certificate does not exist (any more). */
  describeCertificate(arn: string): Promise<AcmCertificate | undefined>;
  /** @returns the new certificate's ARN */
  requestCertificate(request: CertificateRequest): Promise<string>;
  /** @returns the ARN imported into */
  importCertificate(request: CertificateImport): Promise<string>;
  /** Resolves when the certificate does not exist (any more): a retried delete. @throws AcmInUseError while a load balancer still uses it */
  deleteCertificate(arn: string): Promise<void>;
}

export class AcmInUseError extends Error {
  constructor(arn: string) {
    super(`ACM certificate ${arn} is still in use`);
    this.name = "AcmInUseError";
  }
}

/** ACM refused the request as invalid (bad names, limits such as LimitExceededException): retrying will not help. */
export class AcmRejectedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "AcmRejectedError";
    this.code = code;
  }
}

/** ACM could not be reached or kept failing after the retries. */
export class AcmUnavailableError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "AcmUnavailableError";
    this.code = code;
  }
}
