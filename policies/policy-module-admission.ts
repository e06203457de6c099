// A PolicyModule object is admitted only if it compiles. A module the API
// server stored but hostgate cannot load would either leave its kinds
// unchecked (fail open) or, fail-closed, deny every write of them; both are
// found out at the next write, by someone else. So the CREATE or UPDATE of a
// PolicyModule is compiled here exactly as the loader compiles a module file
// (compileModule: the same shape check, CEL compile and bounds; there is no
// second compiler), and refused with every problem, its field and its
// position inside the expression. decide() runs this before the policy
// modules, so the webhook and `hostgate check -f module.yaml` answer alike.
import { isRecord } from "../core/json.ts";
import { compileModule } from "./engine/module-loader.ts";
import type { CompiledModule } from "./engine/module-loader.ts";
import { DEFAULT_ENGINE_LIMITS } from "./engine/limits.ts";
import { MAX_NESTING_DEPTH, serializedSizeOver } from "./engine/object-size.ts";
import { POLICY_MODULE_KIND } from "./engine/module-schema.ts";
import type { AdmissionInput } from "./engine/types.ts";
import { REQUEST_NAMESPACE_RULE } from "./request-namespace.ts";
import type { Finding } from "./verdict.ts";

/** The name findings of this rule are reported under (a built-in rule, like `request-namespace`, not a policy module). */
export const POLICY_MODULE_RULE = "policy-module-compiles";

const POLICY_MODULE_GROUP = "hostgate.dev";

/**
 * The names decide() reports its built-in rules' findings under; no module may take one (see below).
 * `crd-schema` is verdict.ts SCHEMA_POLICY and `policy-impact` audit/module-impact.ts POLICY_IMPACT_RULE,
 * spelled out because those files import this one.
 */
export const BUILT_IN_RULES: readonly string[] = ["crd-schema", REQUEST_NAMESPACE_RULE, POLICY_MODULE_RULE, "policy-impact"];

/**
 * Where a cluster PolicyModule's problems point and what its compiled module
 * is labelled with (CompiledModule.file): `PolicyModule/<name>`, as kubectl
 * names an object. Whatever compiles cluster objects for `hostgate serve`
 * labels them so too (webhook/policy-set/live-policy-set.ts).
 */
export function policyModuleSource(name: unknown): string {
  return typeof name === "string" && name !== "" ? `${POLICY_MODULE_KIND}/${name}` : POLICY_MODULE_KIND;
}

/**
 * True for the CREATE or UPDATE of a PolicyModule (the main resource: decide()
 * has already passed over subresources). DELETE is not judged: removing a
 * module never leaves one that cannot load.
 */
export function isPolicyModuleWrite(input: AdmissionInput): boolean {
  return input.kind.group === POLICY_MODULE_GROUP && input.kind.kind === POLICY_MODULE_KIND && (input.operation === "CREATE" || input.operation === "UPDATE");
}

/**
 * A PolicyModule CREATE or UPDATE (isPolicyModuleWrite) judged: the denials
 * (a module too large to compile in time, every compile problem, or a name
 * that clashes with a built-in rule), or the module compiled, for what else
 * weighs it (audit/module-impact.ts) without compiling it again.
 */
export function admitPolicyModule(
  input: AdmissionInput,
  maxObjectBytes: number = DEFAULT_ENGINE_LIMITS.maxObjectBytes,
): { denials: Finding[] } | { module: CompiledModule } {
  const object = input.object;
  const name = isRecord(object) && isRecord(object.metadata) ? object.metadata.name : undefined;
  const source = policyModuleSource(name);
  const document = policyModuleDocument(object);
  // Compiling takes about 1 ms per KB of CEL; the bound on evaluated objects
  // (1 MiB) keeps the answer well inside the webhook's timeout (5 s), where
  // the API server's request limit (3 MiB) would not.
  const bytes = typeof document === "object" && document !== null ? serializedSizeOver(document, maxObjectBytes) : -1;
  if (bytes > maxObjectBytes) {
    const size = bytes === Infinity ? `nests lists and maps more than ${MAX_NESTING_DEPTH} levels deep` : `is ${bytes} bytes`;
    const message = `${source}: the module ${size}; hostgate compiles modules of at most ${maxObjectBytes} bytes while the API server waits. Split it into smaller modules`;
    return { denials: [{ policy: POLICY_MODULE_RULE, message, reason: "RequestEntityTooLarge" }] };
  }
  const compiled = compileModule(document, source);
  if ("problems" in compiled) return { denials: compiled.problems.map((problem) => finding(problem, source)) };

  // A PolicyModule's name is its identity, and the API server keeps it
  // unique among PolicyModules. hostgate never loads files and cluster
  // objects into one set (`serve --policies-from` is files or cluster), so a
  // cluster module cannot clash with a file. What it can clash with is a
  // built-in rule: findings are reported under their policy's name, so a
  // module named `crd-schema` would pass its denials off as the schema's.
  if (!BUILT_IN_RULES.includes(compiled.module.name)) return { module: compiled.module };
  const denials: Finding[] = [
    {
      policy: POLICY_MODULE_RULE,
      message:
        `${source}: metadata.name: "${compiled.module.name}" is the name of a rule built into hostgate (${BUILT_IN_RULES.join(", ")}), ` +
        "whose findings are reported under that name, so this module's would be mistaken for the built-in rule's. Rename the PolicyModule",
      field: "metadata.name",
      reason: "Conflict",
    },
  ];
  return { denials };
}

/**
 * The object as a module file has it: apiVersion, kind, spec, and of the
 * metadata only name, labels and annotations (what module-schema.ts allows).
 * The API server adds metadata of its own (uid, resourceVersion, generation,
 * creationTimestamp, managedFields), a user may set some a file has no use
 * for (finalizers, ownerReferences), and status is the controllers'; none of
 * it is the module. Whatever loads cluster objects must compile this same
 * document, or the webhook would admit what cannot load.
 */
export function policyModuleDocument(object: unknown): unknown {
  if (!isRecord(object)) return object;
  const { apiVersion, kind, metadata, spec } = object;
  if (!isRecord(metadata)) return { apiVersion, kind, metadata, spec };
  const { name, labels, annotations } = metadata;
  return { apiVersion, kind, metadata: { name, ...(labels !== undefined ? { labels } : {}), ...(annotations !== undefined ? { annotations } : {}) }, spec };
}

/** A loader problem as a denial: the problem text is already what, where and how; the field is its expression path. */
function finding(problem: string, source: string): Finding {
  const field = fieldOf(problem, source);
  return { policy: POLICY_MODULE_RULE, message: problem, ...(field !== undefined ? { field } : {}), reason: "Invalid" };
}

/**
 * The field a loader problem names: it reads `<source>[: policy "<name>"]: <field>[ (line L, column C)]: …`
 * (module-loader.ts compileModule). Undefined when the problem names none (e.g. the kind).
 */
function fieldOf(problem: string, source: string): string | undefined {
  const rest = problem.startsWith(`${source}: `) ? problem.slice(source.length + 2).replace(/^policy "[^"]*": /, "") : problem;
  const match = /^((?:spec|metadata|apiVersion|kind)(?:\.[A-Za-z0-9_]+|\[\d+\])*)(?: \(line \d+, column \d+\))?:/.exec(rest);
  return match?.[1];
}
