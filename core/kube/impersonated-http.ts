// The ImpersonatingClient port on a real kube-apiserver: every request made
// by the service's own credentials (the kubeconfig's, usually the portal's
// ServiceAccount) and run AS the person: `Impersonate-User: <user>` and one
// `Impersonate-Group: <group>` line per group. The API server checks that the
// service may impersonate them, then authorizes, admits and audits the request
// as the person (impersonatedUser in the audit event).
//
// Transport: node:https (kube-https.ts), not client-node's fetch, which sends
// several groups as one comma-joined line that the API server reads as one
// group (see kube-https.ts for the measurement).
//
// Fail-closed rules:
// - An identity with an empty user is refused before anything is sent: with
//   no Impersonate-User the API server would run the request as the service
//   itself. Control characters in a user or group are refused too (they
//   cannot be a header value).
// - A kubeconfig whose user already impersonates (`as:`) is refused:
//   client-node would add its own Impersonate-User and the two would stack.
//   (client-node's loader drops `as-groups`, `as-uid` and `as-user-extra`,
//   and kubectl refuses those without `as`, so `as` is the one to check.)
// - Refusing reserved names (`system:*`) is the caller's policy
//   (portal/identity.ts): the RBAC `impersonate` verb cannot express it.
//
// A 403 whose message says `cannot impersonate` means the service lacks the
// right to impersonate (an operator's problem), not that the person lacks a
// right: isImpersonationForbidden() tells them apart, statusMessage keeps the
// server's words.
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "./api-error.ts";
import { KubeconfigError } from "./cluster-connection.ts";
import type { AccessQuestion, Identity, ImpersonatingClient } from "./impersonation.ts";
import { hasControlCharacter, headerValue } from "./header-text.ts";
import { KubeHttps } from "./kube-https.ts";
import type { KubeHttpsOptions } from "./kube-https.ts";
import { ResourceHttpApi } from "./resource-http-api.ts";
import type { KubeApi } from "./object-api.ts";
import type { ResourceRef } from "./resource.ts";

const SELF_SUBJECT_ACCESS_REVIEWS: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  resource: "selfsubjectaccessreviews",
  kind: "SelfSubjectAccessReview",
  namespaced: false,
};

export class ImpersonatedHttpClient implements ImpersonatingClient {
  readonly #http: KubeHttps;

  /** @throws KubeconfigError when the kubeconfig's user already impersonates, or it names no usable cluster. */
  constructor(config: KubeConfig, options: KubeHttpsOptions = {}) {
    const user = config.getCurrentUser();
    if (user?.impersonateUser !== undefined && user.impersonateUser !== null) {
      throw new KubeconfigError([
        `the kubeconfig user ${JSON.stringify(user.name)} impersonates ${JSON.stringify(user.impersonateUser)} (as:); acting as each person on top of that would stack impersonations. Remove as: from that user, and give the service's own identity the impersonate rights`,
      ]);
    }
    try {
      this.#http = new KubeHttps(config, options);
    } catch (error) {
      throw new KubeconfigError([error instanceof Error ? error.message : String(error)]);
    }
  }

  describe(): string {
    return `${this.#http.server} (acting as each person)`;
  }

  as(who: Identity): KubeApi {
    const headers = impersonationHeaders(who);
    return new ResourceHttpApi(this.#http, headers, `as ${who.user}`);
  }

  async can(who: Identity, question: AccessQuestion): Promise<boolean> {
    const review = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: {
        resourceAttributes: {
          verb: question.verb,
          group: question.group,
          resource: question.resource,
          ...(question.namespace === undefined ? {} : { namespace: question.namespace }),
        },
      },
    };
    const api = new ResourceHttpApi(this.#http, impersonationHeaders(who), `as ${who.user}`);
    const answer = await api.post(SELF_SUBJECT_ACCESS_REVIEWS, review, `may ${question.verb} ${question.resource}`);
    const allowed = (answer.status as { allowed?: unknown } | undefined)?.allowed;
    if (typeof allowed !== "boolean") {
      throw new KubeApiError(
        `the SelfSubjectAccessReview answer has no status.allowed; is ${this.#http.server} a Kubernetes API server?`,
        502,
        "InvalidResponse",
      );
    }
    return allowed;
  }
}

/** True when the API server refused to let the service impersonate (the service's RBAC), not the person's own request. */
export function isImpersonationForbidden(error: KubeApiError): boolean {
  return error.status === 403 && error.statusMessage.includes("cannot impersonate");
}

/** Impersonate-User and one Impersonate-Group line per group. @throws Error for an identity that must not be sent */
export function impersonationHeaders(who: Identity): Record<string, string | string[]> {
  const problems: string[] = [];
  if (typeof who.user !== "string" || who.user.trim() === "")
    problems.push("the identity has an empty user; refusing, since a request without Impersonate-User runs as the service itself");
  else if (hasControlCharacter(who.user)) problems.push(`the user ${JSON.stringify(who.user)} contains a control character`);
  for (const group of who.groups) {
    if (typeof group !== "string" || group.trim() === "") problems.push("the identity has an empty group name");
    else if (hasControlCharacter(group)) problems.push(`the group ${JSON.stringify(group)} contains a control character`);
  }
  if (problems.length > 0) throw new Error(`cannot act as this person: ${problems.join("; ")}`);
  const headers: Record<string, string | string[]> = { "Impersonate-User": headerValue(who.user) };
  if (who.groups.length > 0) headers["Impersonate-Group"] = who.groups.map(headerValue);
  return headers;
}
