// Policy test cases describe the config they need as a small patch over a
// shared base ("this case has requireOnPublic: false"), not a whole file.
import { ConfigError } from "./config-error.ts";
import type { PlatformConfig } from "./platform-config.ts";
import { withoutDerivedKeys } from "./pooled-gateways.ts";
import { describeValue } from "./schema-problems.ts";
import { validatePlatformConfig } from "./validate.ts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete target[key];
    else if (isPlainObject(value) && isPlainObject(target[key])) mergeInto(target[key], value);
    else target[key] = structuredClone(value);
  }
}

/**
 * Deep-merges `overrides` over `base`: mappings merge key by key, lists and
 * scalars replace, and `null` removes a key (JSON merge patch semantics, so
 * an optional section can be reset to its defaults). `base` is not changed.
 * The result is validated like a config file.
 * @param source names the overrides in problems, e.g. `tests/public.yaml (config)`.
 * @throws ConfigError when the overrides are not a mapping or the merged config is invalid.
 */
export function mergeConfigOverrides(base: PlatformConfig, overrides: unknown, source = "config overrides"): PlatformConfig {
  if (overrides === null || overrides === undefined) return base;
  if (!isPlainObject(overrides)) {
    throw new ConfigError([
      `${source}: overrides must be a mapping of config keys (e.g. {protection: {requireOnPublic: false}}), found ${describeValue(overrides)}`,
    ]);
  }
  const merged = withoutDerivedKeys(base) as Record<string, unknown>;
  mergeInto(merged, overrides);
  return validatePlatformConfig(merged, source);
}
