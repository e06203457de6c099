// The ListenerPort over @aws-sdk/client-elastic-load-balancing-v2. It pages
// DescribeListenerCertificates with Marker, sends one certificate per
// AddListenerCertificates / RemoveListenerCertificates call (ELBv2 takes one
// per call), retries what AWS asks callers to retry (core/aws/aws-retry.ts)
// and turns ELBv2's errors into the port's, with messages that say what to fix.
import type { AwsHttpTimeouts } from "../../../core/aws/aws-http-timeouts.ts";
import { AWS_HTTP_TIMEOUTS } from "../../../core/aws/aws-http-timeouts.ts";
import {
  AddListenerCertificatesCommand,
  DescribeListenerCertificatesCommand,
  ElasticLoadBalancingV2Client,
  RemoveListenerCertificatesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsCall } from "../../../core/aws/aws-errors.ts";
import { awsErrorCode, awsErrorKind, awsErrorMessage, awsFailureMessage } from "../../../core/aws/aws-errors.ts";
import type { AwsRetryOptions } from "../../../core/aws/aws-retry.ts";
import { AwsRetry } from "../../../core/aws/aws-retry.ts";
import type { ListenerCertificate, ListenerPort } from "../listener-port.ts";
import { ListenerRejectedError, ListenerUnavailableError } from "../listener-port.ts";

/** DescribeListenerCertificates' largest page. */
const PAGE_SIZE = 400;

/**
 * A client from the SDK's default chain (AWS_ENDPOINT_URL, web identity…), no
 * hostgate flag; `region` is the listeners'; the SDK's own retries off; bounded
 * connection and socket times (core/aws/aws-http-timeouts.ts).
 */
export function defaultListenerClient(region?: string, timeouts: AwsHttpTimeouts = AWS_HTTP_TIMEOUTS): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({ maxAttempts: 1, requestHandler: { ...timeouts }, ...(region === undefined ? {} : { region }) });
}

export class SdkListener implements ListenerPort {
  readonly #client: ElasticLoadBalancingV2Client;
  readonly #retry: AwsRetry;

  constructor(client: ElasticLoadBalancingV2Client, options: AwsRetryOptions = {}) {
    this.#client = client;
    this.#retry = new AwsRetry(options);
  }

  async listCertificates(listenerArn: string): Promise<ListenerCertificate[]> {
    const certificates: ListenerCertificate[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.#call(call("DescribeListenerCertificates", listenerArn), undefined, () =>
        this.#client.send(
          new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn, PageSize: PAGE_SIZE, ...(Marker === undefined ? {} : { Marker }) }),
        ),
      );
      for (const certificate of page.Certificates ?? []) {
        if (certificate.CertificateArn !== undefined) certificates.push({ arn: certificate.CertificateArn, isDefault: certificate.IsDefault === true });
      }
      Marker = page.NextMarker === "" ? undefined : page.NextMarker;
    } while (Marker !== undefined);
    return certificates;
  }

  async addCertificates(listenerArn: string, arns: readonly string[]): Promise<void> {
    for (const arn of new Set(arns)) {
      await this.#call(call("AddListenerCertificates", listenerArn), arn, () =>
        this.#client.send(new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: arn }] })),
      );
    }
  }

  async removeCertificates(listenerArn: string, arns: readonly string[]): Promise<void> {
    for (const arn of new Set(arns)) {
      await this.#call(call("RemoveListenerCertificates", listenerArn), arn, () =>
        this.#client.send(new RemoveListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: arn }] })),
      );
    }
  }

  async #call<T>(what: AwsCall, certificateArn: string | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await this.#retry.run(`${what.operation} ${what.resource}`, send);
    } catch (error) {
      throw listenerError(what, certificateArn, error, this.#retry.policy.attempts);
    }
  }
}

function call(operation: string, listenerArn: string): AwsCall {
  return { service: "ELBv2", operation, action: `elasticloadbalancing:${operation}`, resource: listenerArn };
}

/**
 * ELBv2's refusals become ListenerRejectedError with the wire code
 * (TooManyCertificates, CertificateNotFound, ListenerNotFound…: the SDK's
 * class names without "Exception"); the rest ListenerUnavailableError.
 */
export function listenerError(
  what: AwsCall,
  certificateArn: string | undefined,
  error: unknown,
  attempts: number,
): ListenerRejectedError | ListenerUnavailableError {
  const sdkCode = awsErrorCode(error);
  if (awsErrorKind(error) !== "other" || typeof (error as { $metadata?: unknown } | undefined)?.$metadata !== "object") {
    return new ListenerUnavailableError(sdkCode, awsFailureMessage(what, error, attempts));
  }
  const code = sdkCode.replace(/Exception$/, "");
  const cause = `${code}: ${awsErrorMessage(error)}`;
  const listener = what.resource;
  switch (code) {
    case "TooManyCertificates":
      return new ListenerRejectedError(
        code,
        `Listener ${listener} has no room for certificate ${certificateArn} (${cause}): its load balancer reached its certificate quota (25 by default); ` +
          'raise "Certificates per Application Load Balancer" in Service Quotas and certificates.listenerCertificateLimit to match, or serve fewer apexes there',
      );
    case "CertificateNotFound":
      return new ListenerRejectedError(
        code,
        `ELBv2 cannot use certificate ${certificateArn} on listener ${listener} (${cause}): the certificate must exist in ACM in the listener's region and account, and be ISSUED`,
      );
    case "ListenerNotFound":
      return new ListenerRejectedError(
        code,
        `Listener ${listener} does not exist (${cause}): check the load balancer's listenerArn in the platform config, and that AWS_REGION and the credentials are its region and account`,
      );
    default:
      return new ListenerRejectedError(
        code,
        `ELBv2 refused ${what.operation} on ${listener}${certificateArn === undefined ? "" : ` for ${certificateArn}`} (${cause})`,
      );
  }
}
