// The impact of a PolicyModule change, shown when it is applied: the objects
// already in the cluster are audited under the set in force and under the set
// with this module added (or replacing its namesake), and what gets stricter
// comes back as warnings, so `kubectl apply` (and `--dry-run=server`) prints
// "this change would deny 3 existing objects: team-a/DomainRoute/shop, …".
// The same audit and diff as `hostgate diff` (audit-objects.ts, audit-diff.ts),
// called from decide() so the webhook and `hostgate check` answer alike.
//
// It never blocks: only a module that does not compile is denied (policy-module-
// admission.ts), and the API server waits for the answer, so the scan stops
// at a time budget and says how much it checked. Removing a module (DELETE)
// only loosens the set, so it is not scanned.
import type { KubeObject } from "../../core/kube/object-key.ts";
import { makePolicySet } from "../engine/module-loader.ts";
import type { CompiledModule, PolicySet } from "../engine/module-loader.ts";
import type { Finding, VerdictEnvironment } from "../verdict.ts";
import { auditObjects } from "./audit-objects.ts";
import { diffAudits, subjectsOf } from "./audit-diff.ts";
import type { AuditResult, AuditSubject } from "./audit-result.ts";

/** The name impact warnings are reported under (a built-in rule; see BUILT_IN_RULES). */
export const POLICY_IMPACT_RULE = "policy-impact";

/** Well inside the webhook's timeout (5 s in deploy/, at least 1 s in any configuration), leaving time to answer. */
export const DEFAULT_IMPACT_BUDGET_MS = 1500;

/** The existing objects an impact is computed over, and how long it may take. */
export interface ExistingObjects {
  /** The objects in the cache now (full objects: policies read any field). */
  objects(): readonly KubeObject[];
  /** Milliseconds the scan may take (default DEFAULT_IMPACT_BUDGET_MS). */
  budgetMs?: number;
  /** Monotonic clock in milliseconds (default the environment's, else performance.now; injectable for tests). */
  now?: () => number;
  /**
   * Why the objects cannot be weighed here (e.g. a cache that keeps only the
   * fields its index reads): said as the one warning, so silence is never
   * mistaken for "denies nothing".
   */
  unavailable?: string;
}

// A warning reaches the user as "policy-impact: <text>" when that fits the
// API server's 120 characters (webhook/denial-message.ts), so the text keeps room for the prefix.
const MAX_TEXT = 120 - `${POLICY_IMPACT_RULE}: `.length;
/** Names listed before "and N more": enough to recognise, few enough to read. */
const MAX_NAMES = 3;

/**
 * Warnings saying what applying this PolicyModule (`module`, as the admission
 * rule compiled it: policy-module-admission.ts) would deny or newly warn
 * among the existing objects, plus a note when the budget ran out first.
 */
export function moduleImpactWarnings(module: CompiledModule, env: VerdictEnvironment, existing: ExistingObjects): Finding[] {
  if (existing.unavailable !== undefined) return [{ policy: POLICY_IMPACT_RULE, message: existing.unavailable, reason: "Impact" }];
  const proposed = withModule(env.policies, module);
  // The audits below judge DomainRoutes and the like, never a PolicyModule,
  // but without `impact` a nested decide() can never start another scan.
  const { impact: _impact, ...base } = env;
  const current: VerdictEnvironment = base;
  const next: VerdictEnvironment = { ...base, policies: proposed };

  const objects = existing.objects().filter((o) => !(o.kind === "PolicyModule" && String(o.apiVersion).startsWith("hostgate.dev/")));
  const now = existing.now ?? env.now ?? (() => performance.now());
  const budget = existing.budgetMs ?? DEFAULT_IMPACT_BUDGET_MS;
  const started = now();
  const before: AuditResult[] = [];
  const after: AuditResult[] = [];
  let checked = 0;
  for (const o of objects) {
    if (now() - started > budget) break;
    before.push(...auditObjects([o], current));
    after.push(...auditObjects([o], next));
    checked++;
  }
  const diff = diffAudits(before, after);
  const denied = subjectsOf(diff.newlyDenied);
  const warned = subjectsOf(diff.newWarnings);
  const texts: string[] = [];
  if (denied.length > 0) texts.push(listed(`this change would deny ${count(denied.length, "existing object")}`, denied));
  else texts.push(`this change would deny no existing object (${count(checked, "object")} checked)`);
  if (warned.length > 0) texts.push(listed(`it would newly warn on ${count(warned.length, "existing object")}`, warned));
  if (checked < objects.length) {
    texts.push(
      `partial answer: checked ${checked.toLocaleString("en-US")} of ${count(objects.length, "object")} within ${budget / 1000} s; run hostgate diff for all`,
    );
  }
  return texts.map((message) => ({ policy: POLICY_IMPACT_RULE, message, reason: "Impact" }));
}

/** The set with `module` added, or in place of the module of the same name (an UPDATE). */
function withModule(policies: PolicySet, module: PolicySet["modules"][number]): PolicySet {
  return makePolicySet([...policies.modules.filter((m) => m.name !== module.name), module]);
}

/** "1 existing object", "2,000 existing objects". */
function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}

/** `<head>: a, b and N more`, as many names (at most MAX_NAMES) as fit in MAX_TEXT characters. */
function listed(head: string, subjects: readonly AuditSubject[]): string {
  let shown = 0;
  let text = `${head}; run hostgate diff to list them`;
  for (let n = 1; n <= Math.min(MAX_NAMES, subjects.length); n++) {
    const names = subjects.slice(0, n).map(subjectName).join(", ");
    const rest = subjects.length - n;
    const candidate = `${head}: ${names}${rest > 0 ? ` and ${rest.toLocaleString("en-US")} more` : ""}`;
    if (candidate.length > MAX_TEXT) break;
    text = candidate;
    shown = n;
  }
  return shown === 0 && text.length > MAX_TEXT ? head : text;
}

/** namespace/Kind/name as kubectl users read it; a cluster-scoped object has no namespace part. */
export function subjectName(subject: AuditSubject): string {
  return [subject.namespace, subject.kind, subject.name].filter((part) => part !== undefined).join("/");
}
