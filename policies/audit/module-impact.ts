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
//
// The objects come from whatever holds them (core/state/existing-objects.ts:
// the webhook's cluster cache, local files). A kind the holder has not listed
// completely (pending: RBAC, the API server) or dropped (its memory bound) is
// missing from the answer; the answer says so, naming only the kinds the
// current or proposed module can match, since a DomainRoute-only module does
// not care that HTTPRoutes are not listed.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ExistingObjectsHolder } from "../../core/state/existing-objects.ts";
import { makePolicySet } from "../engine/module-loader.ts";
import { splitApiVersion } from "../engine/types.ts";
import type { CompiledModule, PolicySet } from "../engine/module-loader.ts";
import type { Finding, VerdictEnvironment } from "../verdict.ts";
import { auditObjects } from "./audit-objects.ts";
import { auditRequester } from "./audit-requester.ts";
import { diffAudits, subjectsOf } from "./audit-diff.ts";
import type { AuditResult, AuditSubject } from "./audit-result.ts";
import type { ImpactBudget } from "./impact-budget.ts";

/** The name impact warnings are reported under (a built-in rule; see BUILT_IN_RULES). */
export const POLICY_IMPACT_RULE = "policy-impact";

/** Well inside the webhook's timeout (5 s in deploy/, at least 1 s in any configuration), leaving time to answer. */
export const DEFAULT_IMPACT_BUDGET_MS = 1500;

/** A kind whose existing objects the holder lacks in whole or part: the answer cannot speak for it. */
export interface IncompleteKind {
  group: string;
  kind: string;
  /** pending: not listed completely yet; dropped: not kept, to stay within the holder's memory bound. */
  state: "pending" | "dropped";
}

/** The existing objects an impact is computed over, and how long it may take. */
export interface ExistingObjects {
  /** The objects in the cache now (full objects: policies read any field). */
  objects(): readonly KubeObject[];
  /** Kinds missing from objects() in whole or part, read right after it (none when absent). */
  incomplete?(): readonly IncompleteKind[];
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
  /**
   * Scanning time shared with other reviews (impact-budget.ts): a scan takes
   * at most what is left of it, and one that finds none left scans nothing and
   * says so (IMPACT_BUSY). Absent: only this scan's own budget bounds it.
   */
  shared?: ImpactBudget;
}

/** The warning when other PolicyModule changes just spent the shared scanning time (at most 105 characters, as the others). */
export const IMPACT_BUSY = "impact not computed now: other PolicyModule changes were just weighed; run hostgate diff";

// A warning reaches the user as "policy-impact: <text>" when that fits the
// API server's 120 characters (policies/denial-message.ts), so the text keeps room for the prefix.
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
  // Audited one at a time below, so who asks is proven from all of them (the DomainRoutes behind the reconciler's objects).
  const requester = auditRequester(objects, env.config);
  const now = existing.now ?? env.now ?? (() => performance.now());
  const own = existing.budgetMs ?? DEFAULT_IMPACT_BUDGET_MS;
  const left = existing.shared?.available() ?? own;
  if (left <= 0) return [{ policy: POLICY_IMPACT_RULE, message: IMPACT_BUSY, reason: "Impact" }];
  const budget = Math.min(own, left);
  const started = now();
  const before: AuditResult[] = [];
  const after: AuditResult[] = [];
  let checked = 0;
  // An object neither the proposed module nor the one it replaces can match is
  // judged by the same modules under both sets: nothing about it can change,
  // so it is checked without judging it (and without spending the budget).
  const namesake = env.policies.byName.get(module.name);
  const canChange = (o: KubeObject): boolean => {
    const kind = { group: splitApiVersion(String(o.apiVersion))[0], kind: String(o.kind) };
    return canMatch(module, kind) || canMatch(namesake, kind);
  };
  for (const o of objects) {
    if (!canChange(o)) {
      checked++;
      continue;
    }
    if (now() - started > budget) break;
    before.push(...auditObjects([o], current, requester));
    after.push(...auditObjects([o], next, requester));
    checked++;
  }
  existing.shared?.spend(now() - started);
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
  const relevant = (existing.incomplete?.() ?? []).filter((k) => canMatch(module, k) || canMatch(namesake, k));
  for (const state of ["pending", "dropped"] as const) {
    const kinds = relevant.filter((k) => k.state === state);
    if (kinds.length > 0) texts.push(partialNote(kinds, state));
  }
  return texts.map((message) => ({ policy: POLICY_IMPACT_RULE, message, reason: "Impact" }));
}

/**
 * ExistingObjects read from a holder: objects() and incomplete() each take a
 * snapshot, and decide() calls them one after the other without yielding, so
 * they describe the same moment.
 */
export function existingObjectsOf(holder: ExistingObjectsHolder, options: Pick<ExistingObjects, "budgetMs" | "now" | "shared"> = {}): ExistingObjects {
  return {
    objects: () => holder.snapshot().objects,
    incomplete: () =>
      holder
        .snapshot()
        .kinds.flatMap(({ resource, state }) =>
          state.kind === "pending" || state.kind === "dropped" ? [{ group: resource.group, kind: resource.kind, state: state.kind }] : [],
        ),
    ...options,
  };
}

/** Whether an audit (which judges each object as an unchanged UPDATE: audit-objects.ts) would run `module` on objects of this kind, at any version. */
function canMatch(module: CompiledModule | undefined, kind: Pick<IncompleteKind, "group" | "kind">): boolean {
  if (module === undefined) return false;
  const hit = (values: readonly string[], value: string): boolean => values.includes("*") || values.includes(value);
  return module.match.some((rule) => hit(rule.apiGroups, kind.group) && hit(rule.kinds, kind.kind) && hit(rule.operations, "UPDATE"));
}

const PARTIAL_STATES = {
  pending: { head: "partial answer: not listed yet:", tail: "run hostgate diff for all" },
  dropped: { head: "partial answer: not kept (the cache hit its limit):", tail: "run hostgate diff for all" },
} as const;

/** `<head> HTTPRoute, GRPCRoute; run hostgate diff for all`, with as many kinds as fit in MAX_TEXT and "N more" for the rest. */
function partialNote(kinds: readonly IncompleteKind[], state: IncompleteKind["state"]): string {
  const { head, tail } = PARTIAL_STATES[state];
  // Two audited kinds are called Gateway (Gateway API's and Istio's): the group tells them apart.
  const labels = kinds.map((k) => (kinds.some((o) => o !== k && o.kind === k.kind) ? `${k.kind}.${k.group}` : k.kind));
  let text = `${head} ${count(kinds.length, "kind")}; ${tail}`;
  for (let n = 1; n <= labels.length; n++) {
    const rest = labels.length - n;
    const candidate = `${head} ${labels.slice(0, n).join(", ")}${rest > 0 ? ` and ${rest} more` : ""}; ${tail}`;
    if (candidate.length > MAX_TEXT) break;
    text = candidate;
  }
  return text;
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
