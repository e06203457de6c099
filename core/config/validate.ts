// Schema validation plus semantic checks, defaults filled in, result frozen.
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import { asRecord } from "../json.ts";
import { isCidr } from "./cidr.ts";
import { ConfigError } from "./config-error.ts";
import type { Locate } from "./config-path.ts";
import { formatPath } from "./config-path.ts";
import type { PlatformConfig } from "./platform-config.ts";
import { platformConfigSchema } from "./schema.ts";
import type { Issue } from "./schema-problems.ts";
import { schemaIssues } from "./schema-problems.ts";
import { semanticIssues } from "./semantic-checks.ts";
import { pooledGateways } from "./pooled-gateways.ts";

let compiled: ValidateFunction | undefined;

/** Compiled once per process: compiling costs milliseconds, and the schema is a constant. */
function validator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
    ajv.addFormat("cidr", { type: "string", validate: isCidr });
    compiled = ajv.compile(platformConfigSchema);
  }
  return compiled;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Orders located problems by line then column, so the report reads top to bottom. */
function byPosition(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const [la, ca] = a.split(":").map(Number);
  const [lb, cb] = b.split(":").map(Number);
  return la - lb || ca - cb;
}

export function formatProblems(issues: readonly Issue[], source: string, locate?: Locate): string[] {
  return issues
    .map((issue) => ({ issue, position: locate?.(issue.path, issue.anchor) }))
    .sort((a, b) => byPosition(a.position, b.position))
    .map(({ issue, position }) => `${source}${position ? `:${position}` : ""}: ${formatPath(issue.path)}: ${issue.message}`);
}

/**
 * Defaults that depend on other keys, which a JSON schema cannot give:
 * dns.ownerId is the cluster's name when `cluster` is set, so each cluster of
 * a multi-region platform owns its own records without another setting; and
 * on the Gateway API data plane a two-step load balancer is the pooled
 * Gateway named after its member (pooledGateways).
 */
function applyDerivedDefaults(data: unknown): void {
  const config = asRecord(data);
  const dns = asRecord(config?.dns);
  const clusterName = asRecord(config?.cluster)?.name;
  if (dns !== undefined && dns.ownerId === undefined && typeof clusterName === "string") dns.ownerId = clusterName;
  if (config !== undefined) for (const { entry, gateway } of pooledGateways(config)) entry.gateway = gateway;
}

/**
 * Validates already-parsed config data. `data` is copied, never modified.
 * @param source names the input in problems (a file path, "overrides in …").
 * @param locate maps a path to `line:col` when the data came from YAML text.
 * @throws ConfigError listing every problem.
 */
export function validatePlatformConfig(data: unknown, source: string, locate?: Locate): PlatformConfig {
  const copy = structuredClone(data);
  const validate = validator();
  const valid = validate(copy);
  applyDerivedDefaults(copy);
  const issues = [...(valid ? [] : schemaIssues(validate.errors ?? [], copy)), ...semanticIssues(copy)];
  if (issues.length > 0) throw new ConfigError(formatProblems(issues, source, locate));
  return deepFreeze(copy as PlatformConfig);
}
