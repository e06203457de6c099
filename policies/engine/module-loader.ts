// Loads policy modules: read, validate the file shape, compile every CEL
// expression once. A set with any problem does not load at all (a partially
// loaded policy set would silently admit what the missing module forbids);
// every problem is reported, each naming file, policy, field and column.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Ajv } from "ajv";
import { LineCounter, parseAllDocuments } from "yaml";
import { compileCel } from "./cel.ts";
import type { CompiledCel } from "./cel.ts";
import { POLICY_MODULE_KIND, policyModuleSchema } from "./module-schema.ts";
import type { PolicyModuleSource, StatusReason } from "./module-schema.ts";
import type { Action, Operation } from "./types.ts";
import { yamlErrorProblem } from "./yaml-problems.ts";
import { InputError } from "./input-error.ts";

/** Variables every expression may read. */
export const ROOT_VARIABLES = ["object", "oldObject", "request", "config", "cluster", "variables"] as const;
const MATCH_CONDITION_VARIABLES = ["object", "oldObject", "request", "config", "cluster"] as const;

export interface ResourceRule {
  apiGroups: readonly string[];
  apiVersions: readonly string[];
  kinds: readonly string[];
  operations: readonly (Operation | "*")[];
}

export interface CompiledVariable {
  name: string;
  program: CompiledCel;
}

export interface CompiledValidation {
  index: number;
  program: CompiledCel;
  message: string | undefined;
  messageProgram: CompiledCel | undefined;
  reason: StatusReason;
  fieldPath: string | undefined;
  action: Action;
}

export interface CompiledModule {
  name: string;
  description: string;
  file: string;
  match: readonly ResourceRule[];
  matchConditions: ReadonlyArray<{ name: string; program: CompiledCel }>;
  variables: readonly CompiledVariable[];
  variableIndex: ReadonlyMap<string, number>;
  validations: readonly CompiledValidation[];
  mutations: ReadonlyArray<{ index: number; program: CompiledCel }>;
  /** spec.enforcement, "Deny" when unset: the strongest action any finding of the module may take (enforcement.ts). */
  enforcement: Action;
  /** evaluate.ts matchesRequest's last answer for this module (a field, not a WeakMap entry: it is read several times per module per request). */
  readonly lastMatch: MatchMemo;
}

/** Whether a module matched the request kind object (by identity) and operation it was last asked about. */
export interface MatchMemo {
  kind: object | undefined;
  operation: string;
  matches: boolean;
}

export interface PolicySet {
  modules: readonly CompiledModule[];
  byName: ReadonlyMap<string, CompiledModule>;
  /** Returns a set holding only the named modules (for tests of one module). */
  subset(names: readonly string[]): PolicySet;
}

/** How modules compile: `engine` as compileCel takes it ("planner" runs everything on the reference, for differential tests). */
export interface ModuleCompileOptions {
  engine?: "auto" | "planner";
}

export class PolicyLoadError extends InputError {
  constructor(problems: readonly string[]) {
    super(problems, "the policy set did not load");
  }
}

export function makePolicySet(modules: readonly CompiledModule[]): PolicySet {
  const byName = new Map(modules.map((m) => [m.name, m]));
  return {
    modules,
    byName,
    subset(names) {
      const missing = names.filter((n) => !byName.has(n));
      if (missing.length > 0) {
        throw new PolicyLoadError(missing.map((n) => `no policy named "${n}" is loaded (loaded: ${[...byName.keys()].sort().join(", ")})`));
      }
      return makePolicySet(modules.filter((m) => names.includes(m.name)));
    },
  };
}

/** Policy module files under the given paths: `*.yaml`/`*.yml`, not test suites (`*.test.yaml`). */
export function findModuleFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const problems: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) {
      problems.push(`${path}: no such file or directory (a dangling symlink counts as missing)`);
      return;
    }
    if (stat.isDirectory()) {
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch (error) {
        problems.push(`${path}: cannot be listed: ${(error as Error).message}`);
        return;
      }
      for (const entry of entries) {
        if (entry.startsWith(".") || entry === "node_modules") continue;
        const child = join(path, entry);
        if (statSync(child, { throwIfNoEntry: false })?.isDirectory() || (/\.ya?ml$/.test(entry) && !/\.test\.ya?ml$/.test(entry))) walk(child);
      }
      return;
    }
    // A suite named directly (`hostgate test x.test.yaml`) is still a suite.
    if (!/\.test\.ya?ml$/.test(path)) files.push(path);
  };
  for (const path of paths) walk(path);
  if (problems.length > 0) throw new PolicyLoadError(problems);
  return files;
}

/** A path for messages: relative to the working directory when under it, else as given. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") ? path : rel;
}

/** Loads and compiles every module under the paths; throws PolicyLoadError listing every problem. */
export function loadPolicySet(paths: readonly string[], options: ModuleCompileOptions = {}): PolicySet {
  const problems: string[] = [];
  const modules: CompiledModule[] = [];
  const seen = new Map<string, string>();
  for (const file of findModuleFiles(paths)) {
    const display = displayPath(file);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      problems.push(`${display}: cannot be read: ${(error as Error).message}`);
      continue;
    }
    for (const result of compileModuleText(text, display, options)) {
      if ("problems" in result) {
        problems.push(...result.problems);
        continue;
      }
      const earlier = seen.get(result.module.name);
      if (earlier !== undefined) {
        problems.push(`${display}: policy "${result.module.name}" is already defined in ${earlier}; policy names must be unique`);
        continue;
      }
      seen.set(result.module.name, display);
      modules.push(result.module);
    }
  }
  if (problems.length > 0) throw new PolicyLoadError(problems);
  return makePolicySet(modules);
}

type CompileResult = { module: CompiledModule } | { problems: string[] };

/** Compiles every module document in one file's text. */
export function compileModuleText(text: string, file: string, options: ModuleCompileOptions = {}): CompileResult[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const results: CompileResult[] = [];
  const docs = Array.isArray(documents) ? documents : [documents];
  docs.forEach((doc, index) => {
    const where = docs.length > 1 ? `${file} (document ${index + 1})` : file;
    if (doc.errors.length > 0) {
      results.push({ problems: doc.errors.map((e) => yamlErrorProblem(file, lineCounter, e)) });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // e.g. an alias bomb: "Excessive alias count indicates a resource exhaustion attack"
      results.push({ problems: [`${where}: cannot be read as YAML: ${(error as Error).message}`] });
      return;
    }
    if (value === null || value === undefined) return;
    results.push(compileModule(value, where, options));
  });
  return results;
}

let validateShape: ReturnType<Ajv["compile"]> | undefined;

export function compileModule(value: unknown, file: string, options: ModuleCompileOptions = {}): CompileResult {
  validateShape ??= new Ajv({ allErrors: true, strict: false }).compile(policyModuleSchema);
  const label = moduleLabel(value, file);
  if (!validateShape(value)) {
    if (typeof value === "object" && value !== null && (value as { kind?: unknown }).kind !== POLICY_MODULE_KIND) {
      return { problems: [`${file}: kind must be "${POLICY_MODULE_KIND}" (got ${JSON.stringify((value as { kind?: unknown }).kind)})`] };
    }
    return { problems: (validateShape.errors ?? []).map((e) => `${label}: ${ajvPath(e.instancePath)}: ${ajvMessage(e)}`) };
  }
  const source = value as PolicyModuleSource;
  const spec = source.spec;
  const problems: string[] = [];
  const compile = (expression: string, field: string, variables: readonly string[]): CompiledCel | undefined => {
    // The positions of the variables declared so far let `variables.<name>` compile to a read by position.
    const result = compileCel(expression, { variables, variableIndex, variableKeys, ...(options.engine !== undefined ? { engine: options.engine } : {}) });
    if (result.ok) return result;
    const at = result.column !== undefined ? ` (line ${result.line ?? 1}, column ${result.column})` : "";
    problems.push(`${label}: ${field}${at}: ${result.message}\n      expression: ${expression.length > 200 ? `${expression.slice(0, 200)}…` : expression}`);
    return undefined;
  };

  const variableIndex = new Map<string, number>();
  // A variable's position and share key: its errors name its position, so both identify what it yields.
  const variableKeys = new Map<string, string>();
  const matchConditions = (spec.matchConditions ?? []).map((c, i) => ({
    name: c.name,
    program: compile(c.expression, `spec.matchConditions[${i}].expression`, MATCH_CONDITION_VARIABLES),
  }));

  const variables: CompiledVariable[] = [];
  (spec.variables ?? []).forEach((v, i) => {
    const field = `spec.variables[${i}]`;
    if (variableIndex.has(v.name)) problems.push(`${label}: ${field}.name: variable "${v.name}" is declared twice`);
    const program = compile(v.expression, `${field}.expression`, ROOT_VARIABLES);
    if (program !== undefined) {
      for (const used of program.variablesRead) {
        if (!variableIndex.has(used)) {
          const later = (spec.variables ?? []).some((other) => other.name === used);
          problems.push(
            `${label}: ${field}.expression: reads variables.${used}, which is ${later ? "declared later; a variable may only read variables declared before it" : "not declared"}`,
          );
        }
      }
      variables.push({ name: v.name, program });
      if (program.shareKey !== undefined && !variableKeys.has(v.name)) variableKeys.set(v.name, `${i}:${program.shareKey}`);
    }
    variableIndex.set(v.name, i);
  });

  const checkVariables = (program: CompiledCel | undefined, field: string): void => {
    for (const used of program?.variablesRead ?? []) {
      if (!variableIndex.has(used)) problems.push(`${label}: ${field}: reads variables.${used}, which is not declared in spec.variables`);
    }
  };

  const moduleAction = spec.action ?? "Deny";
  const validations: CompiledValidation[] = (spec.validations ?? []).map((v, i) => {
    const field = `spec.validations[${i}]`;
    const program = compile(v.expression, `${field}.expression`, ROOT_VARIABLES);
    checkVariables(program, `${field}.expression`);
    const messageProgram = v.messageExpression !== undefined ? compile(v.messageExpression, `${field}.messageExpression`, ROOT_VARIABLES) : undefined;
    checkVariables(messageProgram, `${field}.messageExpression`);
    if (v.message === undefined && v.messageExpression === undefined) {
      problems.push(`${label}: ${field}: needs a message or a messageExpression: the user must be told what is wrong and how to fix it`);
    }
    return {
      index: i,
      program: program!,
      message: v.message,
      messageProgram,
      reason: v.reason ?? "Invalid",
      fieldPath: v.fieldPath,
      action: v.action ?? moduleAction,
    };
  });

  const mutations = (spec.mutations ?? []).map((m, i) => {
    const program = compile(m.expression, `spec.mutations[${i}].expression`, ROOT_VARIABLES);
    checkVariables(program, `spec.mutations[${i}].expression`);
    return { index: i, program: program! };
  });

  if (validations.length === 0 && mutations.length === 0) {
    problems.push(`${label}: spec: declares neither validations nor mutations, so it would do nothing`);
  }
  if (problems.length > 0) return { problems };

  return {
    module: {
      name: source.metadata.name,
      description: spec.description,
      file,
      match: spec.match.map((r) => ({
        apiGroups: r.apiGroups,
        apiVersions: r.apiVersions ?? ["*"],
        kinds: r.kinds,
        operations: r.operations as (Operation | "*")[],
      })),
      matchConditions: matchConditions as Array<{ name: string; program: CompiledCel }>,
      variables,
      variableIndex,
      validations,
      mutations,
      enforcement: spec.enforcement ?? "Deny",
      lastMatch: { kind: undefined, operation: "", matches: false },
    },
  };
}

function moduleLabel(value: unknown, file: string): string {
  const name = (value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === "string" ? `${file}: policy "${name}"` : file;
}

function ajvPath(instancePath: string): string {
  if (instancePath === "") return "(top level)";
  return instancePath
    .slice(1)
    .split("/")
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, "/").replace(/~0/g, "~")}`))
    .join("")
    .replace(/^\./, "");
}

function ajvMessage(error: { keyword: string; message?: string; params: Record<string, unknown> }): string {
  switch (error.keyword) {
    case "additionalProperties":
      return `unknown field "${String(error.params.additionalProperty)}"`;
    case "required":
      return `missing required field "${String(error.params.missingProperty)}"`;
    case "enum":
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return error.message ?? error.keyword;
  }
}
