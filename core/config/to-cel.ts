// The config as CEL policies read it (`config.protection.requireOnPublic`).
import { toCelInput } from "../objects/cel-input.ts";
import type { CelInputValue } from "../objects/cel-input.ts";
import type { PlatformConfig } from "./platform-config.ts";

/**
 * Keyed by the config object itself: configs are frozen, so the converted
 * value can never go stale, and a config that is dropped frees its entry.
 */
const converted = new WeakMap<PlatformConfig, ReadonlyMap<string, CelInputValue>>();

/**
 * The config as CEL input: Maps for mappings (recursively), arrays, strings,
 * booleans and bigint integers. Computed once per config object and shared,
 * so callers must not modify it.
 */
export function configToCel(config: PlatformConfig): ReadonlyMap<string, CelInputValue> {
  let value = converted.get(config);
  if (value === undefined) {
    value = toCelInput(config) as ReadonlyMap<string, CelInputValue>;
    converted.set(config, value);
  }
  return value;
}
