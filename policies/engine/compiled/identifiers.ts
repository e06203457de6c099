// Identifiers: comprehension variables from the evaluation's locals, the
// caller's variables from the bindings, and type names (access.js
// AbsoluteAttr, activation.js).
import { unresolvedAttribute, UNRESOLVED } from "./errors.ts";
import { TYPE_VALUES } from "./type-names.ts";
import { bindingToCel, ERROR_BRAND } from "./values.ts";
import { Unsupported } from "./types.ts";
import type { Bindings, Chain, CompileContext, Compiled, Node, Scope } from "./types.ts";

export function compileIdent(ctx: CompileContext, name: string, scope: Scope, chain: Chain): Compiled {
  const local = scope.get(name);
  if (local !== undefined) {
    const slot = local.slot;
    const run: Node = local.mayHoldError
      ? (_b, l) => {
          const value = l[slot];
          if (typeof value === "object" && value !== null && ERROR_BRAND in value) throw value;
          return value;
        }
      : (_b, l) => l[slot];
    return { run, bare: true };
  }
  // `.x` (root-scope names) and names the registry knows as a message are resolved by the planner.
  if (name.startsWith(".") || ctx.env.registry.getMessage(name) !== undefined) throw new Unsupported(`identifier ${name} names a message type`);
  const typeValue = TYPE_VALUES.get(name);
  const hasMode = chain.hasMode;
  const chainId = chain.id;
  const read = bindingReader(name);
  const run: Node = (b) => {
    const value = read(b);
    if (value !== undefined) return bindingToCel(value);
    if (typeValue !== undefined) return typeValue;
    if (hasMode) throw UNRESOLVED;
    throw unresolvedAttribute(chainId);
  };
  return typeValue === undefined ? { run, bare: true } : { run, bare: true, typeName: typeValue };
}

/**
 * Reads one binding. hostgate's binding names get a reader of their own, so
 * each property read sees one bindings shape (a fast, monomorphic load)
 * instead of one shared, name-keyed read for all.
 */
export function bindingReader(name: string): (bindings: Bindings) => unknown {
  switch (name) {
    case "object":
      return (b) => b.object;
    case "oldObject":
      return (b) => b.oldObject;
    case "request":
      return (b) => b.request;
    case "config":
      return (b) => b.config;
    case "cluster":
      return (b) => b.cluster;
    case "variables":
      return (b) => b.variables;
    case "self":
      return (b) => b.self;
    case "oldSelf":
      return (b) => b.oldSelf;
    default:
      return (b) => b[name];
  }
}
