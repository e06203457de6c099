// How long a connection to an AWS endpoint may take to open and a socket may
// stay silent (ms), for every client hostgate builds (Route53, ACM, ELBv2).
// The SDK's own default is no limit: a connection dropped without a word (a
// NAT gateway that forgot it, a hung proxy) would hold a controller's one
// worker forever. A timeout is a network failure: retried with backoff.

export interface AwsHttpTimeouts {
  readonly connectionTimeout: number;
  readonly socketTimeout: number;
}

export const AWS_HTTP_TIMEOUTS: AwsHttpTimeouts = { connectionTimeout: 10_000, socketTimeout: 30_000 };
