// `hostgate test`: runs policy test suites against policy modules.
import { parseArgs } from "node:util";
import { loadPolicySet, findModuleFiles } from "../../policies/engine/module-loader.ts";
import { findSuiteFiles, formatResults, readSuites, runSuite } from "../../policies/testing/run-suites.ts";
import type { SuiteEnvironment } from "../../policies/testing/run-suites.ts";
import { configToCel, loadPlatformConfig, mergeConfigOverrides } from "../config/index.ts";
import type { PlatformConfig } from "../config/index.ts";
import { ClusterStateIndex } from "../state/index.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "./paths.ts";
import { UsageError } from "../errors.ts";
import type { CommandResult } from "../errors.ts";

export const TEST_USAGE = `Usage: hostgate test [PATH ...] [options]

Runs the policy test suites (*.test.yaml) under each PATH (default: the
built-in library). Each case goes through the same verdict as the webhook;
mutations must also be idempotent.

Options:
      --policies DIR   policy modules to test (repeatable; default: the
                       modules under PATH, else the built-in library)
      --config FILE    base platform config that suites override
                       (default: examples/platform-config.yaml)

Ends with "N passed, N failed". Exit status: 0 all passed, 1 any failed,
2 unusable input.`;

export function runTest(args: readonly string[]): CommandResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { policies: { type: "string", multiple: true }, config: { type: "string" } },
    });
  } catch (error) {
    throw new UsageError(`test: ${(error as Error).message}`, "Run `hostgate test --help` for usage.");
  }
  const paths = parsed.positionals.length > 0 ? parsed.positionals : [BUILTIN_POLICIES];
  const policyPaths = parsed.values.policies ?? (findModuleFiles(paths).length > 0 ? paths : [BUILTIN_POLICIES]);
  const policies = loadPolicySet(policyPaths);
  const baseConfig = loadPlatformConfig(parsed.values.config ?? DEFAULT_CONFIG);

  const files = findSuiteFiles(paths);
  if (files.length === 0) throw new UsageError(`test: no test suites (*.test.yaml) found under ${paths.join(", ")}`);
  const suites = readSuites(files);

  const configCache = new Map<string, unknown>();
  const env: SuiteEnvironment = {
    policies,
    configFor(overrides) {
      const key = JSON.stringify(overrides);
      let value = configCache.get(key);
      if (value === undefined) {
        const merged = overrides.reduce<PlatformConfig>((config, o) => mergeConfigOverrides(config, o), baseConfig);
        value = configToCel(merged);
        configCache.set(key, value);
      }
      return value;
    },
    clusterFor(objects) {
      return ClusterStateIndex.fromObjects(objects).celValue();
    },
  };
  const results = suites.flatMap(({ file, suite }) => runSuite(file, suite, env));
  return { output: formatResults(results), exitCode: results.every((r) => r.passed) ? 0 : 1 };
}
