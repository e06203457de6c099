// An in-memory AWS Certificate Manager behind the AcmPort, for the
// certificate controller's tests and benches. It keeps the behaviours the
// controller must cope with:
// - RequestCertificate honours IdempotencyToken for one hour (same token and
//   same names → the same ARN, even once that certificate was deleted),
//   measured on an injected clock;
// - validation records appear only after `describesBeforeRecords` describes
//   (ACM fills DomainValidationOptions[].ResourceRecord a few seconds late),
//   one record per name, shared by `*.x` and `x` and across certificates;
// - a PENDING_VALIDATION certificate becomes ISSUED on a describe once the
//   injected `validationExists` says every validation CNAME is in DNS, and
//   VALIDATION_TIMED_OUT 72 hours after the request if not;
// - DeleteCertificate of a certificate a load balancer uses → AcmInUseError;
// - ImportCertificate parses the PEM (names, not-after; the key must match and
//   the certificate be valid now), re-imports into the same ARN keeping its
//   tags and uses, and refuses tags on a re-import (ValidationException);
// - InUseBy comes from the injected `inUseBy` (see fake-aws.ts for the wiring to FakeListener).
// It is stricter than ACM where strictness catches controller bugs: names must
// already be normalised (lowercase, no trailing dot).
import { keyMatches, readCertificates, readPrivateKeys } from "../../../certs/certificate-info.ts";
import type { Clock } from "../../../core/clock.ts";
import { formatTime, ManualClock } from "../../../core/clock.ts";
import type { AcmCertificate, AcmPort, AcmStatus, CertificateImport, CertificateRequest } from "../acm-port.ts";
import { AcmInUseError, AcmRejectedError } from "../acm-port.ts";
import { certificateArn, validationRecordFor } from "./acm-names.ts";

/** Whether a validation CNAME (name and value) is in DNS; a test wires it to a set or a fake Route53. */
export type ValidationCheck = (record: { name: string; type: string; value: string }) => boolean | Promise<boolean>;

export interface FakeAcmOptions {
  /** Only `now()` is read. Default: a ManualClock at 2030-01-01. */
  readonly clock?: Pick<Clock, "now">;
  readonly region?: string;
  readonly accountId?: string;
  /** How many describes of a new certificate show no validation record yet. Default 1. */
  readonly describesBeforeRecords?: number;
  /** Default: nothing is ever validated. */
  readonly validationExists?: ValidationCheck;
  /** Load balancer ARNs using a certificate. Default: none. */
  readonly inUseBy?: (arn: string) => readonly string[];
  /** Lifetime of a certificate ACM issues, in days. Default 395 (ACM's 13 months; configurable as the CA/B Forum shortens it). */
  readonly validityDays?: number;
  /** ACM's default quota of names per certificate. Default 10. */
  readonly maxNamesPerCertificate?: number;
}

export type AcmOperation = "listCertificates" | "describeCertificate" | "requestCertificate" | "importCertificate" | "deleteCertificate";

/** A certificate as a test seeds it: what exists before the controller runs (someone else's, an old one of hostgate's…). */
export interface SeededCertificate {
  readonly domainName: string;
  readonly subjectAlternativeNames?: readonly string[];
  readonly status?: AcmStatus;
  readonly type?: AcmCertificate["type"];
  readonly notAfter?: string;
  /** RFC 3339; default: the seed time for an ISSUED one (IssuedAt, or ImportedAt when imported). */
  readonly issuedAt?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Whether its validation records already show. Default true. */
  readonly recordsShown?: boolean;
}

interface Stored {
  arn: string;
  domainName: string;
  names: string[];
  status: AcmStatus;
  type: AcmCertificate["type"];
  notAfter?: string;
  /** When it was issued or last imported (ACM's IssuedAt / ImportedAt). */
  issuedAt?: string;
  tags: Record<string, string>;
  describes: number;
  requestedAt: number;
  recordsShown: boolean;
  /** The imported PEM's private key type, which a re-import may not change. */
  keyType?: string;
}

const HOUR = 3_600_000;
const VALIDATION_TIMEOUT_MS = 72 * HOUR;
const TOKEN = /^\w{1,32}$/;
/** The API model's Arn pattern for ACM certificate ARNs. */
const ACM_ARN = /^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;
const NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class FakeAcm implements AcmPort {
  readonly calls: Record<AcmOperation, number> = {
    listCertificates: 0,
    describeCertificate: 0,
    requestCertificate: 0,
    importCertificate: 0,
    deleteCertificate: 0,
  };
  readonly #clock: Pick<Clock, "now">;
  readonly #region: string;
  readonly #accountId: string;
  readonly #describesBeforeRecords: number;
  readonly #validityMs: number;
  readonly #maxNames: number;
  #validationExists: ValidationCheck;
  #inUseBy: (arn: string) => readonly string[];
  readonly #certificates = new Map<string, Stored>();
  readonly #tokens = new Map<string, { arn: string; at: number }>();
  readonly #failures: { operation: AcmOperation; error: Error }[] = [];
  #issued = 0;

  constructor(options: FakeAcmOptions = {}) {
    this.#clock = options.clock ?? new ManualClock();
    this.#region = options.region ?? "us-east-1";
    this.#accountId = options.accountId ?? "123456789012";
    this.#describesBeforeRecords = options.describesBeforeRecords ?? 1;
    this.#validityMs = (options.validityDays ?? 395) * 24 * HOUR;
    this.#maxNames = options.maxNamesPerCertificate ?? 10;
    this.#validationExists = options.validationExists ?? (() => false);
    this.#inUseBy = options.inUseBy ?? (() => []);
  }

  /** Replaces the DNS check (e.g. once the fake Route53 exists). */
  setValidationCheck(check: ValidationCheck): void {
    this.#validationExists = check;
  }

  /** Replaces the InUseBy source (fake-aws.ts wires it to a FakeListener). */
  setInUseBy(inUseBy: (arn: string) => readonly string[]): void {
    this.#inUseBy = inUseBy;
  }

  /** The next call of `operation` fails with `error` (queued, in order). */
  failNext(operation: AcmOperation, error: Error): void {
    this.#failures.push({ operation, error });
  }

  /** Calls of every operation so far. */
  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  /** Stores a certificate without counting a call; returns its ARN. */
  seed(certificate: SeededCertificate): string {
    const names = uniqueNames(certificate.domainName, certificate.subjectAlternativeNames ?? []);
    const status = certificate.status ?? "ISSUED";
    const stored = this.#store(certificate.domainName, names, certificate.type ?? "AMAZON_ISSUED", { ...certificate.tags });
    stored.status = status;
    stored.recordsShown = certificate.recordsShown ?? true;
    stored.notAfter = certificate.notAfter ?? (status === "ISSUED" ? formatTime(this.#clock.now() + this.#validityMs) : undefined);
    stored.issuedAt = certificate.issuedAt ?? (status === "ISSUED" ? formatTime(this.#clock.now()) : undefined);
    return stored.arn;
  }

  /** The certificate as describe would show it, without counting a call or moving its state. */
  peek(arn: string): AcmCertificate | undefined {
    const stored = this.#certificates.get(arn);
    return stored === undefined ? undefined : this.#view(stored);
  }

  /** Forces a status (REVOKED, EXPIRED… as AWS or an operator might). */
  setStatus(arn: string, status: AcmStatus): void {
    this.#get(arn).status = status;
  }

  /** Every certificate's ARN, in creation order, without counting a call. */
  arns(): string[] {
    return [...this.#certificates.keys()];
  }

  async listCertificates(): Promise<{ arn: string; domainName: string }[]> {
    this.#call("listCertificates");
    return [...this.#certificates.values()].map((c) => ({ arn: c.arn, domainName: c.domainName }));
  }

  async describeCertificate(arn: string): Promise<AcmCertificate | undefined> {
    this.#call("describeCertificate");
    // ACM's CertificateArn pattern: another service's ARN (an IAM server certificate on a listener) is refused, not "not found".
    if (!ACM_ARN.test(arn))
      throw new AcmRejectedError(
        "ValidationException",
        `Value '${arn}' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern`,
      );
    const stored = this.#certificates.get(arn);
    if (stored === undefined) return undefined;
    stored.describes++;
    if (stored.describes > this.#describesBeforeRecords) stored.recordsShown = true;
    await this.#advance(stored);
    return this.#view(stored);
  }

  async requestCertificate(request: CertificateRequest): Promise<string> {
    this.#call("requestCertificate");
    const names = uniqueNames(request.domainName, request.subjectAlternativeNames);
    for (const name of names) checkName(name);
    if (request.domainName.length > 64)
      throw new AcmRejectedError("ValidationException", `The first domain name can't exceed 64 octets: ${request.domainName} has ${request.domainName.length}`);
    if (!TOKEN.test(request.idempotencyToken)) {
      throw new AcmRejectedError("ValidationException", `IdempotencyToken "${request.idempotencyToken}" must be 1 to 32 word characters (\\w)`);
    }
    if (names.length > this.#maxNames) {
      throw new AcmRejectedError("LimitExceededException", `${names.length} domain names exceed the quota of ${this.#maxNames} per certificate`);
    }
    // ACM remembers a token for an hour; the fake keys it with the names too, so
    // a token reused for other names requests another certificate. Within the
    // hour the token keeps answering its certificate's ARN even once that was
    // deleted (ACM issues one certificate per token; moto answers a 500 then):
    // a requester must not reuse the token of a certificate it deleted.
    const key = `${request.idempotencyToken} ${names.join(",")}`;
    const known = this.#tokens.get(key);
    const now = this.#clock.now();
    if (known !== undefined && now - known.at < HOUR) return known.arn;
    const stored = this.#store(request.domainName, names, "AMAZON_ISSUED", { ...request.tags });
    this.#tokens.set(key, { arn: stored.arn, at: now });
    return stored.arn;
  }

  async importCertificate(request: CertificateImport): Promise<string> {
    this.#call("importCertificate");
    const parsed = this.#parseImport(request);
    if (request.arn === undefined) {
      const stored = this.#store(parsed.domainName, parsed.names, "IMPORTED", { ...request.tags });
      Object.assign(stored, {
        status: "ISSUED",
        notAfter: parsed.notAfter,
        keyType: parsed.keyType,
        recordsShown: true,
        issuedAt: formatTime(this.#clock.now()),
      });
      return stored.arn;
    }
    const stored = this.#certificates.get(request.arn);
    if (stored === undefined) throw new AcmRejectedError("ResourceNotFoundException", `Certificate ${request.arn} does not exist: cannot re-import into it`);
    if (stored.type !== "IMPORTED")
      throw new AcmRejectedError("ValidationException", `Certificate ${request.arn} was not imported: only an imported certificate can be re-imported`);
    if (request.tags !== undefined && Object.keys(request.tags).length > 0)
      throw new AcmRejectedError("ValidationException", "Tagging is not permitted on re-import.");
    if (stored.keyType !== undefined && stored.keyType !== parsed.keyType) {
      throw new AcmRejectedError("ValidationException", `The key type cannot change on re-import (${stored.keyType} → ${parsed.keyType})`);
    }
    Object.assign(stored, {
      domainName: parsed.domainName,
      names: parsed.names,
      status: "ISSUED",
      notAfter: parsed.notAfter,
      issuedAt: formatTime(this.#clock.now()),
    });
    return stored.arn;
  }

  async deleteCertificate(arn: string): Promise<void> {
    this.#call("deleteCertificate");
    if (!this.#certificates.has(arn)) return;
    if (this.#inUseBy(arn).length > 0) throw new AcmInUseError(arn);
    this.#certificates.delete(arn);
  }

  #call(operation: AcmOperation): void {
    this.calls[operation]++;
    const index = this.#failures.findIndex((f) => f.operation === operation);
    if (index !== -1) throw this.#failures.splice(index, 1)[0]!.error;
  }

  #store(domainName: string, names: string[], type: AcmCertificate["type"], tags: Record<string, string>): Stored {
    const arn = certificateArn(this.#region, this.#accountId, ++this.#issued);
    const status: AcmStatus = "PENDING_VALIDATION";
    const stored: Stored = { arn, domainName, names, status, type, tags, describes: 0, requestedAt: this.#clock.now(), recordsShown: false };
    this.#certificates.set(arn, stored);
    return stored;
  }

  #get(arn: string): Stored {
    const stored = this.#certificates.get(arn);
    if (stored === undefined) throw new Error(`the fake ACM holds no certificate ${arn}`);
    return stored;
  }

  /** What time and DNS do to a certificate between two looks at it. */
  async #advance(stored: Stored): Promise<void> {
    const now = this.#clock.now();
    if (stored.status === "PENDING_VALIDATION") {
      if (stored.recordsShown && (await this.#allValidated(stored))) {
        stored.status = "ISSUED";
        stored.notAfter = formatTime(now + this.#validityMs);
        stored.issuedAt = formatTime(now);
      } else if (now - stored.requestedAt >= VALIDATION_TIMEOUT_MS) {
        stored.status = "VALIDATION_TIMED_OUT";
      }
    }
    if (stored.status === "ISSUED" && stored.notAfter !== undefined && Date.parse(stored.notAfter) <= now) stored.status = "EXPIRED";
  }

  async #allValidated(stored: Stored): Promise<boolean> {
    for (const name of stored.names) if (!(await this.#validationExists(validationRecordFor(this.#accountId, name)))) return false;
    return true;
  }

  #view(stored: Stored): AcmCertificate {
    const validation =
      stored.type === "AMAZON_ISSUED"
        ? stored.names.map((domainName) => (stored.recordsShown ? { domainName, record: validationRecordFor(this.#accountId, domainName) } : { domainName }))
        : [];
    return {
      arn: stored.arn,
      domainName: stored.domainName,
      subjectAlternativeNames: [...stored.names],
      status: stored.status,
      type: stored.type,
      ...(stored.notAfter === undefined ? {} : { notAfter: stored.notAfter }),
      ...(stored.issuedAt === undefined ? {} : { issuedAt: stored.issuedAt }),
      validation,
      inUseBy: [...this.#inUseBy(stored.arn)].sort(),
      tags: { ...stored.tags },
    };
  }

  #parseImport(request: CertificateImport): { domainName: string; names: string[]; notAfter: string; keyType: string } {
    const { certificates, problems } = readCertificates(request.certificate);
    const leaf = certificates[0];
    if (leaf === undefined || problems.length > 0 || certificates.length !== 1) {
      throw new AcmRejectedError(
        "ValidationException",
        `Certificate must be exactly one PEM certificate${problems.length > 0 ? ` (${problems.join("; ")})` : ""}`,
      );
    }
    const key = readPrivateKeys(request.privateKey).keys[0];
    if (key === undefined) throw new AcmRejectedError("ValidationException", "PrivateKey is not an unencrypted PEM private key");
    if (!keyMatches(leaf, key.key)) throw new AcmRejectedError("ValidationException", "The private key does not match the certificate's public key");
    const now = this.#clock.now();
    if (now < leaf.notBefore.getTime() || now > leaf.notAfter.getTime()) {
      throw new AcmRejectedError("ValidationException", "The certificate is not valid now (the current time must be between NotBefore and NotAfter)");
    }
    const domainName = leaf.commonName !== "" ? leaf.commonName.toLowerCase() : (leaf.dnsNames[0] ?? "");
    if (domainName === "") throw new AcmRejectedError("ValidationException", "The certificate names no domain (no common name, no DNS subjectAltName)");
    const keyType = `${key.key.asymmetricKeyType}:${JSON.stringify(key.key.asymmetricKeyDetails)}`;
    return { domainName, names: uniqueNames(domainName, leaf.dnsNames), notAfter: formatTime(leaf.notAfter.getTime()), keyType };
  }
}

/** The DomainName first, then the SANs in order, each once (ACM lists the DomainName among the SANs). */
function uniqueNames(domainName: string, subjectAlternativeNames: readonly string[]): string[] {
  return [...new Set([domainName, ...subjectAlternativeNames])];
}

function checkName(name: string): void {
  if (name.length > 253 || !NAME.test(name)) {
    throw new AcmRejectedError(
      "ValidationException",
      `"${name}" is not a normalised domain name (lowercase labels of letters, digits and hyphens, an optional leading "*.", no trailing dot)`,
    );
  }
}
