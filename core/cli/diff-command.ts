// `hostgate diff`: what would a policy change do to the objects already in the
// cluster? Both sets audit the same objects (audit-objects.ts), and the
// results are compared pair by pair (audit-diff.ts).
import { auditObjects } from "../../policies/audit/audit-objects.ts";
import { diffAudits, subjectsOf } from "../../policies/audit/audit-diff.ts";
import type { AuditChange, AuditDiff } from "../../policies/audit/audit-diff.ts";
import { UsageError } from "../errors.ts";
import type { CommandResult } from "../errors.ts";
import { subjectName } from "./audit-command.ts";
import { loadDiffInput, parseAuditOptions } from "./audit-input.ts";
import type { AuditOptions } from "./audit-input.ts";
import type { ClusterDeps } from "./cluster-objects.ts";
import type { Command } from "./main.ts";
import { BUILTIN_POLICIES } from "./paths.ts";

export const DIFF_USAGE = `Usage: hostgate diff --policies NEW [options]

Judges every object already in the cluster state under the current policies
and under the proposed ones (NEW), and lists what changes: objects newly
denied (with the message), newly allowed, and warnings that appear or go.

Options:
      --policies DIR       the proposed policy modules (repeatable; required)
      --current DIR        the policies in force today (repeatable; default: the built-in library)
      --policies-from SRC  files (default: --current) or cluster: the policies in force are the --kubeconfig cluster's PolicyModules
      --state DIR          the cluster's objects, e.g. from \`kubectl get ... -o yaml\` (default: examples/state)
      --kubeconfig FILE    list the objects from this cluster instead: every kind the admission webhooks intercept
                           (DomainRoutes, RegionPolicies, HostnameGrants, Gateway API HTTPRoutes, GRPCRoutes, TLSRoutes
                           and Gateways, Istio VirtualServices and Gateways), each at the first version the cluster serves
      --context NAME       the --kubeconfig context to use (default: its current-context)
      --config FILE        platform config (default: examples/platform-config.yaml)
  -o, --output FORMAT      text (default) or json

--state and --kubeconfig are exclusive. A kind the cluster does not serve (its CRD not installed) is read as none, with a note;
any other failure to list (unreachable, 403 Forbidden: RBAC must allow list on every kind above) is exit 2.

Exit status: 0 nothing gets stricter, 1 an existing object would be denied by a policy that does not deny it today,
2 unusable input.`;

const SUMMARY = "what a policy change would deny or allow among existing objects, offline";

function parseDiffArgs(args: readonly string[]): AuditOptions & { policies: string[]; current: string[] } {
  const { options, problems } = parseAuditOptions("diff", args);
  if (options.policies === undefined || options.policies.length === 0) {
    problems.push("diff: no proposed policies given; pass --policies DIR, the modules as they would be after the change");
  }
  if (problems.length > 0) throw new UsageError(...problems);
  return { ...options, policies: options.policies!, current: options.current ?? [BUILTIN_POLICIES] };
}

export async function runDiff(args: readonly string[], deps: ClusterDeps = {}): Promise<CommandResult> {
  const options = parseDiffArgs(args);
  const { objects, environment, proposed, notes } = await loadDiffInput({ ...options, proposed: options.policies }, deps);
  const diff = diffAudits(auditObjects(objects, environment.verdict), auditObjects(objects, proposed));
  const summary = {
    objects: objects.length,
    newlyDenied: diff.newlyDenied.length,
    newlyDeniedObjects: subjectsOf(diff.newlyDenied).length,
    newlyAllowed: diff.newlyAllowed.length,
    newWarnings: diff.newWarnings.length,
    removedWarnings: diff.removedWarnings.length,
  };
  const output = options.output === "json" ? JSON.stringify({ ...diff, summary }, null, 2) : formatDiff(diff, objects.length);
  return { output, exitCode: diff.newlyDenied.length > 0 ? 1 : 0, notes };
}

function formatDiff(diff: AuditDiff, objects: number): string {
  const lines: string[] = [];
  const section = (title: string, changes: readonly AuditChange[], mark: string) => {
    if (changes.length === 0) return;
    lines.push(`${title} (${changes.length}):`);
    for (const c of changes) {
      const was = c.before === undefined ? "not matched" : c.before;
      const is = c.after === undefined ? "not matched" : c.after;
      lines.push(`  ${mark} ${subjectName(c.subject)}  ${c.policy} (${was} → ${is})`);
      for (const message of c.messages) lines.push(`      ${message}`);
    }
    lines.push("");
  };
  section("Newly denied", diff.newlyDenied, "✗");
  section("Newly allowed", diff.newlyAllowed, "✓");
  section("New warnings", diff.newWarnings, "!");
  section("Removed warnings", diff.removedWarnings, "-");
  // Counts are of (object, policy) pairs, as listed; newly denied also says how many objects.
  const denied = subjectsOf(diff.newlyDenied).length;
  const counts = `${diff.newlyDenied.length} newly denied (${denied} object${denied === 1 ? "" : "s"}), ${diff.newlyAllowed.length} newly allowed, `;
  lines.push(
    `${objects} existing object${objects === 1 ? "" : "s"} judged: ${counts}${diff.newWarnings.length} new warnings, ${diff.removedWarnings.length} removed warnings`,
  );
  return lines.join("\n");
}

export const DIFF_COMMAND: Command = { summary: SUMMARY, usage: DIFF_USAGE, run: runDiff };
