// The page's status words (portal/status-words.ts) and the reconciler's
// condition reasons stay in step: portal/ may not import reconciler/, so it
// writes the reasons as strings, and this test (test/ may import both) finds
// every reason the reconciler has and asserts the table words each one, or
// names it explicitly as "in progress". Found two ways, so a new reason
// cannot slip by: the values of every exported constant whose name says it
// holds reasons (…REASON…, …REFUSAL…, …FAILURE…) or that code writes as a
// `reason:` (RECORD_OWNED_ELSEWHERE), and every `reason: "Literal"` written
// inline in the reconciler's source.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { REASON_WORDS } from "../portal/status-words.ts";
import { ROOT } from "./fixtures.ts";

const RECONCILER = join(ROOT, "reconciler");

/** The reconciler's own source: no tests, no test helpers. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return entry === "testing" ? [] : sourceFiles(path);
      return entry.endsWith(".ts") && !entry.endsWith(".test.ts") ? [path] : [];
    });
}

const FILES = sourceFiles(RECONCILER).map((path) => ({ path, text: readFileSync(path, "utf8") }));

/** Names written as a condition's reason: `reason: RECORD_OWNED_ELSEWHERE` (not `reason: REASON.X`, whose object is found by name). */
const WRITTEN_AS_REASON = new Set(FILES.flatMap((f) => [...f.text.matchAll(/\breason: ([A-Z][A-Z0-9_]*)\b(?!\.|\[)/g)].map((m) => m[1]!)));
const HOLDS_REASONS = (name: string) => /REASON|REFUSAL|FAILURE/.test(name) || WRITTEN_AS_REASON.has(name);

/** Every string a constant holds: itself, an object's values, a Set's or an array's members. */
function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value instanceof Set || Array.isArray(value)) return [...value].flatMap(stringsOf);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(stringsOf);
  return [];
}

/** reason → where it was found (the first place). */
async function reconcilerReasons(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const add = (reason: string, where: string) => {
    if (!found.has(reason)) found.set(reason, where);
  };
  for (const { path, text } of FILES) {
    const where = relative(ROOT, path);
    const exported = [...text.matchAll(/^export const ([A-Z][A-Z0-9_]*)\b/gm)].map((m) => m[1]!).filter(HOLDS_REASONS);
    if (exported.length > 0) {
      const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      for (const name of exported) for (const reason of stringsOf(module[name])) add(reason, `${where} ${name}`);
    }
    for (const m of text.matchAll(/\breason: "([A-Z][A-Za-z0-9]*)"/g)) add(m[1]!, `${where} (inline)`);
  }
  return found;
}

describe("the status words and the reconciler's condition reasons", () => {
  const reasons = reconcilerReasons();

  it("finds the reasons of every condition the reconciler writes (the search itself works)", async () => {
    const found = await reasons;
    // One from each place a reason lives: route-conditions.ts, ownership.ts, protection-condition.ts, edge-condition.ts,
    // dns-condition.ts, desired-records.ts, dns-outcomes.ts (a lone constant), external-dns, certificate-condition.ts,
    // data-plane-refusal.ts, gateway-records.ts (inline) and cert-manager readiness (inline).
    for (const reason of [
      "DomainTaken",
      "ObjectNotOwned",
      "AppIDConflict",
      "EdgePoolFull",
      "RecordsPending",
      "ZoneNotAllowed",
      "RecordOwnedElsewhere",
      "WaitingForExternalDns",
      "PendingValidation",
      "ProtectionUnsupported",
      "CnameAtApex",
      "NotObserved",
    ]) {
      assert.ok(found.has(reason), `${reason} was not found: the search misses where the reconciler keeps reasons`);
    }
  });

  it("words every one of them, or names it explicitly as in progress", async () => {
    const missing = [...(await reasons)].filter(([reason]) => !Object.hasOwn(REASON_WORDS, reason)).map(([reason, where]) => `${reason} (${where})`);
    assert.deepEqual(missing, [], "add each to REASON_WORDS in portal/status-words.ts, with its words or IN_PROGRESS");
  });

  it("words no reason the reconciler does not have (a renamed reason leaves no stale entry)", async () => {
    const found = await reasons;
    const stale = Object.keys(REASON_WORDS).filter((reason) => !found.has(reason));
    assert.deepEqual(stale, []);
  });
});
