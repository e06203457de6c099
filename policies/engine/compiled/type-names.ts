// Type names as identifiers (`type(x) == string`): the type value each name
// denotes when no variable of that name is bound (access.js findIdent), and
// the test of a value's kind that `type(value) == <that type>` amounts to.
import { CelScalar, isCelList, isCelMap, isCelType, isCelUint, listType, mapType } from "@bufbuild/cel";

export const TYPE_VALUES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ["int", CelScalar.INT],
  ["uint", CelScalar.UINT],
  ["double", CelScalar.DOUBLE],
  ["bool", CelScalar.BOOL],
  ["string", CelScalar.STRING],
  ["bytes", CelScalar.BYTES],
  ["list", listType(CelScalar.DYN)],
  ["map", mapType(CelScalar.DYN, CelScalar.DYN)],
  ["null_type", CelScalar.NULL],
  ["type", CelScalar.TYPE],
]);

type KindTest = (value: unknown) => boolean;

const TESTS: Record<string, KindTest> = {
  int: (v) => typeof v === "bigint",
  uint: (v) => isCelUint(v),
  double: (v) => typeof v === "number",
  bool: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
  bytes: (v) => v instanceof Uint8Array,
  list: (v) => isCelList(v),
  map: (v) => isCelMap(v),
  null_type: (v) => v === null,
  type: (v) => isCelType(v),
};

/** For each type value above: whether celType(value) equals it, for any value isModelled accepts. */
export const KIND_TESTS: ReadonlyMap<unknown, KindTest> = new Map([...TYPE_VALUES].map(([name, type]) => [type, TESTS[name]!]));

/** Values whose CEL type the kind tests decide: scalars, null, bytes and @bufbuild/cel's lists, maps, uints and types (not protobuf messages). */
export function isModelled(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  return isCelMap(value) || isCelList(value) || isCelUint(value) || value instanceof Uint8Array || isCelType(value);
}
