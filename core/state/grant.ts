// A HostnameGrant as the index stores it and CEL reads it.
import type { CelInputValue } from "../objects/cel-input.ts";
import { detached, normalizeHostname, recordAt, stringAt, stringsAt } from "./fields.ts";

/** CEL `Grant`: {name, namespaces, hostnames, kinds, allowPublicWithoutProtection}. */
export type GrantValue = ReadonlyMap<string, CelInputValue>;

export interface GrantEntry {
  name: string;
  namespaces: readonly string[];
  hostnames: readonly string[];
  kinds: readonly string[];
  allowPublicWithoutProtection: boolean;
  value: GrantValue;
}

/**
 * The grant's index entry, or undefined when it has no name (it could not be
 * updated or removed later). Hostnames are lowercased and stripped of a
 * trailing dot to compare with route domains; `kinds` empty means all kinds.
 */
export function grantEntry(object: unknown): GrantEntry | undefined {
  // Every string the index keeps is detached from the text it was parsed from.
  const name = detached(stringAt(recordAt(object, "metadata"), "name"));
  if (name === "") return undefined;
  const spec = recordAt(object, "spec");
  const kinds = stringsAt(spec, "kinds", detached);
  // An empty kinds list means every kind, so a kinds field that is present
  // but unreadable (a scalar, empty strings, numbers) must not collapse into
  // it: such a grant is indexed for no namespace and so grants nothing.
  const kindsMalformed =
    spec?.kinds !== undefined && spec.kinds !== null && (!Array.isArray(spec.kinds) || kinds.length !== spec.kinds.length || kinds.length === 0);
  const namespaces = kindsMalformed ? [] : stringsAt(spec, "namespaces", detached);
  const hostnames = stringsAt(spec, "hostnames", (h) => detached(normalizeHostname(h)));
  const allowPublicWithoutProtection = spec?.allowPublicWithoutProtection === true;
  const value: GrantValue = new Map<string, CelInputValue>([
    ["name", name],
    ["namespaces", namespaces],
    ["hostnames", hostnames],
    ["kinds", kinds],
    ["allowPublicWithoutProtection", allowPublicWithoutProtection],
  ]);
  return { name, namespaces, hostnames, kinds, allowPublicWithoutProtection, value };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** True when re-indexing `b` in place of `a` would change nothing CEL sees. */
export function sameGrant(a: GrantEntry, b: GrantEntry): boolean {
  return (
    a.name === b.name &&
    a.allowPublicWithoutProtection === b.allowPublicWithoutProtection &&
    sameStrings(a.namespaces, b.namespaces) &&
    sameStrings(a.hostnames, b.hostnames) &&
    sameStrings(a.kinds, b.kinds)
  );
}

export function compareGrants(a: GrantValue, b: GrantValue): number {
  const x = a.get("name") as string;
  const y = b.get("name") as string;
  return x < y ? -1 : x > y ? 1 : 0;
}
