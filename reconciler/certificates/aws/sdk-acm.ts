// The AcmPort over @aws-sdk/client-acm. It lists every certificate (every
// status and every key type: by default ListCertificates returns only RSA
// certificates; and once more without the key type filter, merged by ARN,
// because some ACM emulators answer that filter with nothing), pages with
// NextToken, joins DescribeCertificate and
// ListTagsForCertificate into one plain AcmCertificate, retries what AWS asks
// callers to retry (core/aws/aws-retry.ts), and turns ACM's errors into the
// port's: in use, rejected (retrying will not help), unavailable (with what
// to fix when it is IAM or credentials).
import type { AwsHttpTimeouts } from "../../../core/aws/aws-http-timeouts.ts";
import { AWS_HTTP_TIMEOUTS } from "../../../core/aws/aws-http-timeouts.ts";
import {
  ACMClient,
  CertificateStatus,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ImportCertificateCommand,
  KeyAlgorithm,
  ListCertificatesCommand,
  AddTagsToCertificateCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
  type CertificateDetail,
  type Tag,
} from "@aws-sdk/client-acm";
import type { AwsCall } from "../../../core/aws/aws-errors.ts";
import { awsErrorCode, awsErrorKind, awsErrorMessage, awsFailureMessage } from "../../../core/aws/aws-errors.ts";
import type { AwsRetryOptions } from "../../../core/aws/aws-retry.ts";
import { AwsRetry } from "../../../core/aws/aws-retry.ts";
import { formatTime } from "../../../core/clock.ts";
import type { AcmCertificate, AcmPort, AcmStatus, CertificateImport, CertificateRequest } from "../acm-port.ts";
import { AcmInUseError, AcmRejectedError, AcmUnavailableError } from "../acm-port.ts";
import { TAG_OWNER, TAG_WILDCARD } from "../certificate-names.ts";

/** Every status and every key type ACM knows (the SDK's own lists, so a new type is included when the SDK learns it). */
export const ALL_CERTIFICATE_STATUSES: readonly CertificateStatus[] = Object.values(CertificateStatus);
export const ALL_KEY_TYPES: readonly KeyAlgorithm[] = Object.values(KeyAlgorithm);
/** ListCertificates' largest page. */
const PAGE_SIZE = 1000;

/**
 * A client from the SDK's default chain (AWS_REGION, AWS_ENDPOINT_URL,
 * profiles, web identity, pod identity), no hostgate flag in between. ACM is
 * regional: `region` is the load balancers' (reconciler/manager/sdk-aws-ports.ts
 * takes it from the listener ARNs). The SDK's own retries are off; SdkAcm
 * retries. Bounded connection and socket times (core/aws/aws-http-timeouts.ts).
 */
export function defaultAcmClient(region?: string, timeouts: AwsHttpTimeouts = AWS_HTTP_TIMEOUTS): ACMClient {
  return new ACMClient({ maxAttempts: 1, requestHandler: { ...timeouts }, ...(region === undefined ? {} : { region }) });
}

export class SdkAcm implements AcmPort {
  readonly #client: ACMClient;
  readonly #retry: AwsRetry;

  constructor(client: ACMClient, options: AwsRetryOptions = {}) {
    this.#client = client;
    this.#retry = new AwsRetry(options);
  }

  async listCertificates(): Promise<{ arn: string; domainName: string }[]> {
    // Every key type (ACM's default filter hides ECDSA and larger RSA keys), then no key type filter at all: on ACM a subset
    // of the first, but some emulators answer the filter with no certificate (localstack/localstack#13461), and a
    // certificate of hostgate's missing from the list would never be cleaned up.
    const certificates = new Map<string, { arn: string; domainName: string }>();
    for (const includes of [{ Includes: { keyTypes: [...ALL_KEY_TYPES] } }, {}]) {
      for (const certificate of await this.#listPages(includes)) if (!certificates.has(certificate.arn)) certificates.set(certificate.arn, certificate);
    }
    return [...certificates.values()];
  }

  async #listPages(includes: { Includes?: { keyTypes: KeyAlgorithm[] } }): Promise<{ arn: string; domainName: string }[]> {
    const certificates: { arn: string; domainName: string }[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#call(call("ListCertificates", "*"), () =>
        this.#client.send(
          new ListCertificatesCommand({
            CertificateStatuses: [...ALL_CERTIFICATE_STATUSES],
            ...includes,
            MaxItems: PAGE_SIZE,
            ...(NextToken === undefined ? {} : { NextToken }),
          }),
        ),
      );
      for (const summary of page.CertificateSummaryList ?? []) {
        if (summary.CertificateArn !== undefined) certificates.push({ arn: summary.CertificateArn, domainName: portName(summary.DomainName ?? "") });
      }
      NextToken = page.NextToken === "" ? undefined : page.NextToken;
    } while (NextToken !== undefined);
    return certificates;
  }

  async describeCertificate(arn: string): Promise<AcmCertificate | undefined> {
    const described = await this.#orMissing(() =>
      this.#call(call("DescribeCertificate", arn), () => this.#client.send(new DescribeCertificateCommand({ CertificateArn: arn }))),
    );
    const detail = described?.Certificate;
    if (detail === undefined) return undefined;
    // Deleted between the two calls: gone, as if the describe had said so.
    const tagged = await this.#orMissing(() =>
      this.#call(call("ListTagsForCertificate", arn), () => this.#client.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))),
    );
    if (tagged === undefined) return undefined;
    return portCertificate(arn, detail, tagged.Tags ?? []);
  }

  async requestCertificate(request: CertificateRequest): Promise<string> {
    const sans = [...new Set(request.subjectAlternativeNames)].filter((name) => name !== request.domainName);
    const tags = sdkTags(request.tags);
    const answer = await this.#call(call("RequestCertificate", "*"), () =>
      this.#client.send(
        new RequestCertificateCommand({
          DomainName: request.domainName,
          ValidationMethod: "DNS",
          IdempotencyToken: request.idempotencyToken,
          ...(sans.length === 0 ? {} : { SubjectAlternativeNames: sans }),
          ...(tags.length === 0 ? {} : { Tags: tags }),
        }),
      ),
    );
    if (answer.CertificateArn === undefined)
      throw new AcmUnavailableError("MissingArn", `ACM RequestCertificate for ${request.domainName} answered without a CertificateArn`);
    return answer.CertificateArn;
  }

  async importCertificate(request: CertificateImport): Promise<string> {
    const tags = sdkTags(request.tags ?? {});
    const bytes = (pem: string) => new TextEncoder().encode(pem);
    // A re-import sends no tags (ACM refuses them there and keeps the certificate's own), but some emulators drop the
    // tags on a re-import (moto, and LocalStack over it): hostgate's own are read first and put back if they went.
    const held = request.arn === undefined ? [] : hostgateTags(await this.#tags(request.arn));
    const answer = await this.#call(call("ImportCertificate", request.arn ?? "*"), () =>
      this.#client.send(
        new ImportCertificateCommand({
          ...(request.arn === undefined ? {} : { CertificateArn: request.arn }),
          Certificate: bytes(request.certificate),
          PrivateKey: bytes(request.privateKey),
          ...(request.chain === undefined || request.chain === "" ? {} : { CertificateChain: bytes(request.chain) }),
          ...(tags.length === 0 ? {} : { Tags: tags }),
        }),
      ),
    );
    const arn = answer.CertificateArn ?? request.arn;
    if (arn === undefined) throw new AcmUnavailableError("MissingArn", "ACM ImportCertificate answered without a CertificateArn");
    if (held.length > 0) await this.#restoreTags(arn, held);
    return arn;
  }

  async #tags(arn: string): Promise<Tag[]> {
    const answer = await this.#call(call("ListTagsForCertificate", arn), () => this.#client.send(new ListTagsForCertificateCommand({ CertificateArn: arn })));
    return answer.Tags ?? [];
  }

  /** Puts `held` back when the certificate lost any of them; on ACM, which keeps tags across a re-import, this only reads. */
  async #restoreTags(arn: string, held: readonly Tag[]): Promise<void> {
    const now = new Map((await this.#tags(arn)).map((t) => [t.Key, t.Value ?? ""]));
    if (held.every((t) => now.get(t.Key) === (t.Value ?? ""))) return;
    // Both of hostgate's keys together: the IAM policy allows AddTagsToCertificate only with its owner tag in the request.
    await this.#call(call("AddTagsToCertificate", arn), () => this.#client.send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [...held] })));
  }

  async deleteCertificate(arn: string): Promise<void> {
    try {
      await this.#call(call("DeleteCertificate", arn), () => this.#client.send(new DeleteCertificateCommand({ CertificateArn: arn })));
    } catch (error) {
      if (error instanceof AcmRejectedError && error.code === "ResourceNotFoundException") return;
      if (error instanceof AcmRejectedError && error.code === "ResourceInUseException") throw new AcmInUseError(arn);
      throw error;
    }
  }

  /** Undefined when ACM says the certificate does not exist. */
  async #orMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof AcmRejectedError && error.code === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  /** One API call under the retry policy; whatever still fails becomes the port's error. */
  async #call<T>(what: AwsCall, send: () => Promise<T>): Promise<T> {
    try {
      return await this.#retry.run(`${what.operation} ${what.resource}`, send);
    } catch (error) {
      throw acmError(what, error, this.#retry.policy.attempts);
    }
  }
}

function call(operation: string, resource: string): AwsCall {
  return { service: "ACM", operation, action: `acm:${operation}`, resource };
}

/** Rejected when ACM judged the request (a 4xx it explains); unavailable when ACM could not be used at all. */
export function acmError(what: AwsCall, error: unknown, attempts: number): AcmRejectedError | AcmUnavailableError {
  const code = awsErrorCode(error);
  const kind = awsErrorKind(error);
  // ACM's ConflictException (DeleteCertificate, ImportCertificate): "wait for the previous operation to finish and try again".
  if (code === "ConflictException" && isServiceError(error))
    return new AcmUnavailableError(
      code,
      `ACM ${what.operation}${onResource(what)} met another operation still running on it (${code}: ${awsErrorMessage(error)}); the next pass tries again`,
    );
  if (kind === "other" && isServiceError(error))
    return new AcmRejectedError(code, `ACM refused ${what.operation}${onResource(what)} (${code}: ${awsErrorMessage(error)})`);
  return new AcmUnavailableError(code, awsFailureMessage(what, error, attempts));
}

function onResource(what: AwsCall): string {
  return what.resource === "*" ? "" : ` on ${what.resource}`;
}

/** An answer from the service itself (it carries the response's metadata), not a local failure. */
function isServiceError(error: unknown): boolean {
  return typeof (error as { $metadata?: unknown } | undefined)?.$metadata === "object";
}

/** Lowercase, without the trailing dot: how the port spells names. */
export function portName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export function portCertificate(arn: string, detail: CertificateDetail, tags: readonly Tag[]): AcmCertificate {
  const domainName = portName(detail.DomainName ?? "");
  return {
    arn: detail.CertificateArn ?? arn,
    domainName,
    subjectAlternativeNames: [...new Set([domainName, ...(detail.SubjectAlternativeNames ?? []).map(portName)])],
    status: (detail.Status ?? "FAILED") as AcmStatus,
    type: (detail.Type ?? "AMAZON_ISSUED") as AcmCertificate["type"],
    ...(detail.NotAfter === undefined ? {} : { notAfter: formatTime(detail.NotAfter.getTime()) }),
    ...issuedAtOf(detail),
    validation: (detail.DomainValidationOptions ?? []).map((option) => {
      const record = option.ResourceRecord;
      const domain = portName(option.DomainName ?? "");
      return record?.Name === undefined || record.Value === undefined
        ? { domainName: domain }
        : { domainName: domain, record: { name: portName(record.Name), type: record.Type ?? "CNAME", value: portName(record.Value) } };
    }),
    inUseBy: [...(detail.InUseBy ?? [])].sort(),
    tags: Object.fromEntries(tags.filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""])),
  };
}

/** IssuedAt, or ImportedAt for an imported certificate (ACM gives it no IssuedAt). */
function issuedAtOf(detail: CertificateDetail): { issuedAt?: string } {
  const at = detail.IssuedAt ?? detail.ImportedAt;
  return at === undefined ? {} : { issuedAt: formatTime(at.getTime()) };
}

/** hostgate's own tags among `tags`, in key order: what a re-import must not lose. */
function hostgateTags(tags: readonly Tag[]): Tag[] {
  return tags.filter((t) => t.Key === TAG_OWNER || t.Key === TAG_WILDCARD).sort((a, b) => (a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : 0));
}

/** Tags in key order, so a request is the same whatever order the caller built them in. */
function sdkTags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] }));
}
