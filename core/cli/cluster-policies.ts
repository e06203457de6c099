// `--policies-from cluster` for check, audit and diff: the policy set the
// cluster's webhook enforces (`hostgate serve --policies-from cluster`, what
// deploy/ runs), read once: every PolicyModule listed and compiled as the
// webhook's live set compiles it (policies/policy-module-objects.ts), broken
// modules as their fail-closed stand-ins, none at all as the set that denies.
// So `hostgate diff --policies NEW --policies-from cluster --kubeconfig FILE`
// compares what is in force with what is proposed.
import { policySetFromObjects } from "../../policies/policy-module-objects.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { KubeApiError } from "../kube/api-error.ts";
import { listAll } from "../kube/list-all.ts";
import type { ListWatchClient } from "../kube/list-watch-client.ts";
import type { KubeObject } from "../kube/object-key.ts";
import { UsageError } from "../errors.ts";
import { POLICY_MODULES } from "../state/policy-modules-resource.ts";

export type PoliciesFrom = "files" | "cluster";

/**
 * Problems with --policies-from: `files` (default) or `cluster`; `cluster`
 * reads a live cluster (--kubeconfig) and replaces `replaces` (the flag that
 * names the set in force: --policies for check and audit, --current for diff).
 */
export function policiesFromProblems(
  command: string,
  given: { policiesFrom: string | undefined; kubeconfig: string | undefined; replaced: readonly string[] | undefined },
  replaces: string,
): string[] {
  const value = given.policiesFrom ?? "files";
  if (value !== "files" && value !== "cluster") return [`${command}: --policies-from must be files or cluster (got "${value}")`];
  if (value === "files") return [];
  const problems: string[] = [];
  if (given.kubeconfig === undefined) {
    problems.push(`${command}: --policies-from cluster reads the PolicyModules of a live cluster; pass --kubeconfig FILE too`);
  }
  if (given.replaced !== undefined) {
    problems.push(`${command}: ${replaces} and --policies-from cluster both name the policies in force; pass one`);
  }
  return problems;
}

/**
 * The cluster's PolicyModules as the set its webhook enforces, and one note
 * per module that cannot load (judged as its fail-closed stand-in, as the webhook does).
 * @throws UsageError (exit 2) when they cannot be listed: not served (no CRD: the webhook judges by files), unreachable, forbidden.
 */
export async function readClusterPolicies(command: string, client: ListWatchClient): Promise<{ policies: PolicySet; notes: string[] }> {
  let items: KubeObject[];
  try {
    ({ items } = await listAll(client, POLICY_MODULES));
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) {
      throw new UsageError(
        `${command}: --policies-from cluster: ${client.describe()} serves no policymodules.hostgate.dev (its CRD is not installed), so its webhook judges by files; pass --policies DIR instead`,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    const rbac = error instanceof KubeApiError && error.status === 403 ? " (RBAC must allow list on policymodules.hostgate.dev)" : "";
    throw new UsageError(`${command}: --policies-from cluster: cannot list policymodules.hostgate.dev from ${client.describe()}${rbac}: ${message}`);
  }
  const { policies, failed } = policySetFromObjects(items);
  const notes = failed.map(
    ({ name, problems }) =>
      `${command}: PolicyModule ${name} cannot load, so it is judged as the webhook judges it, denying what it matches: ${problems[0]?.split("\n", 1)[0] ?? "unknown problem"}`,
  );
  if (items.length === 0) notes.push(`${command}: the cluster holds no PolicyModule, so its webhook denies everything it is sent; judged the same here`);
  return { policies, notes };
}
