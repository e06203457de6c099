// CEL equality, as @bufbuild/cel's `equals` (equals.js, not exported)
// decides it, step for step: numbers compare across int, uint and double
// (1 == 1.0 == 1u, NaN != NaN); other scalars only within their type; lists
// element-wise; maps by key set and values; type values by kind and name.
// Protobuf messages need the planner's evaluation context: they bail out.
import { isCelList, isCelMap, isCelType, isCelUint } from "@bufbuild/cel";
import type { CelList, CelMap } from "@bufbuild/cel";
import { BAILOUT } from "./values.ts";

export function celEquals(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  switch (typeof lhs) {
    case "string":
    case "boolean":
      return false;
    case "number":
    case "bigint":
      return numericEquals(lhs, rhs);
    case "object":
      if (lhs === null) return false;
      return objectEquals(lhs, rhs);
    default:
      return false;
  }
}

function numericEquals(lhs: number | bigint, rhs: unknown): boolean {
  // biome-ignore lint/suspicious/noDoubleEquals: number == bigint compares the values across the two types (CEL numeric equality); === would be false
  if (typeof rhs === "number" || typeof rhs === "bigint") return lhs == rhs;
  // biome-ignore lint/suspicious/noDoubleEquals: as above
  if (isCelUint(rhs)) return lhs == rhs.value;
  return false;
}

function objectEquals(lhs: object, rhs: unknown): boolean {
  if (isCelUint(lhs)) return numericEquals(lhs.value, rhs);
  if (lhs instanceof Uint8Array) return rhs instanceof Uint8Array && bytesEqual(lhs, rhs);
  if (isCelList(lhs)) return isCelList(rhs) && listsEqual(lhs, rhs);
  if (isCelMap(lhs)) return isCelMap(rhs) && mapsEqual(lhs, rhs);
  if (isCelType(lhs)) return isCelType(rhs) && lhs.kind === rhs.kind && lhs.name === rhs.name;
  throw BAILOUT;
}

function bytesEqual(lhs: Uint8Array, rhs: Uint8Array): boolean {
  if (lhs.length !== rhs.length) return false;
  for (let i = 0; i < lhs.length; i++) if (lhs[i] !== rhs[i]) return false;
  return true;
}

function listsEqual(lhs: CelList, rhs: CelList): boolean {
  if (lhs.size !== rhs.size) return false;
  for (let i = 0; i < lhs.size; i++) if (!celEquals(lhs.get(i), rhs.get(i))) return false;
  return true;
}

function mapsEqual(lhs: CelMap, rhs: CelMap): boolean {
  if (lhs.size !== rhs.size) return false;
  for (const [key, value] of lhs) {
    const other = rhs.get(key);
    if (other === undefined || !celEquals(value, other)) return false;
  }
  return true;
}
