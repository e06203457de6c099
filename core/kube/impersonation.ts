// Acting as a person: the API server's impersonation (Impersonate-User, one
// Impersonate-Group line per group), so the cluster's RBAC decides what each
// person may read and write through a service that holds impersonation
// rights (the self-service page, portal/). The port; the real transport is
// impersonated-http.ts, the in-memory API server's is FakeKubeApi.as().
import type { KubeApi } from "./object-api.ts";

/** Who a request is made for, as the trusted login proxy asserted it. */
export interface Identity {
  user: string;
  /** Each sent as its own Impersonate-Group line (a comma-joined line would read as one group). */
  groups: readonly string[];
}

/** One question to the API server's authorizer (a SelfSubjectAccessReview's resourceAttributes). */
export interface AccessQuestion {
  verb: "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";
  group: string;
  resource: string;
  namespace?: string;
}

/** A KubeApi whose every request is made as `who`. */
export interface ImpersonatingClient {
  as(who: Identity): KubeApi;
  /** Whether `who` may (a SelfSubjectAccessReview created as them: the cluster's authorizer answers, RBAC or otherwise). @throws KubeApiError */
  can(who: Identity, question: AccessQuestion): Promise<boolean>;
  describe(): string;
}
