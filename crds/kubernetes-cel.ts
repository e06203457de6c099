// What the API server's CEL environment offers a CRD's x-kubernetes-validations
// rules. hostgate's own CEL engine (policies/engine/cel.ts) is wider: it has
// the strings extension in full and hostgate's functions (isIP, cidr,
// hostnameUnder, grantCovers, ...). A rule that compiles there can still be
// rejected by the API server ("undeclared reference to 'isIP'"), so CRD rules
// are also held to this list.
//
// The baseline is the oldest API server hostgate supports, Kubernetes 1.28.
// Kubernetes builds its CEL environment from versioned options
// (k8s.io/apiserver/pkg/cel/environment/base.go) and compiles a new or changed
// rule in the environment of its compatibility version, which is one minor
// release behind the server (1.27 for a 1.28 server). So a library introduced
// at version N is usable in new CRD rules from N+1. For 1.27 that is: the CEL
// standard library and macros, the Kubernetes URL, regex and list libraries
// and the strings extension at version 0. (The authz library needs an
// `authorizer` variable that CRD rules do not have.)
//
// This is an allow-list: anything not listed is reported, with the release
// that added it when we know it. Types are not checked (e.g. int < double,
// CrossTypeNumericComparisons, is also only usable from 1.29). If a function
// the baseline does have is missing here, add it with its source.
import { parse } from "@bufbuild/cel";
import type { Expr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";

export const KUBERNETES_CEL_BASELINE = "1.28";

/** Functions called as `f(x)`. */
const GLOBAL_FUNCTIONS = new Set([
  // Standard library: size and conversions.
  "size",
  "int",
  "uint",
  "double",
  "string",
  "bytes",
  "bool",
  "dyn",
  "type",
  "duration",
  "timestamp",
  "matches",
  // Kubernetes URL library.
  "url",
  "isURL",
]);

/** Functions called as `x.f(...)`. */
const METHODS = new Set([
  // Standard library.
  "size",
  "contains",
  "startsWith",
  "endsWith",
  "matches",
  "getFullYear",
  "getMonth",
  "getDayOfYear",
  "getDayOfMonth",
  "getDate",
  "getDayOfWeek",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
  // Kubernetes list library.
  "isSorted",
  "sum",
  "min",
  "max",
  "indexOf",
  "lastIndexOf",
  // Kubernetes regex library.
  "find",
  "findAll",
  // Kubernetes URL library.
  "getScheme",
  "getHost",
  "getHostname",
  "getPort",
  "getEscapedPath",
  "getQuery",
  // Strings extension, version 0.
  "charAt",
  "lowerAscii",
  "upperAscii",
  "replace",
  "split",
  "substring",
  "trim",
]);

/** Where a function the baseline lacks comes from, for the message. */
const LATER: Record<string, string> = {
  ip: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  isIP: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  family: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  isUnspecified: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  isLoopback: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  isLinkLocalMulticast: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  isLinkLocalUnicast: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  isGlobalUnicast: "the IP library (Kubernetes 1.30; new rules from 1.31)",
  cidr: "the CIDR library (Kubernetes 1.30; new rules from 1.31)",
  isCIDR: "the CIDR library (Kubernetes 1.30; new rules from 1.31)",
  containsIP: "the CIDR library (Kubernetes 1.30; new rules from 1.31)",
  containsCIDR: "the CIDR library (Kubernetes 1.30; new rules from 1.31)",
  masked: "the CIDR library (Kubernetes 1.30; new rules from 1.31)",
  prefixLength: "the CIDR library (Kubernetes 1.30; new rules from 1.31)",
  quantity: "the quantity library (Kubernetes 1.28; new rules from 1.29)",
  isQuantity: "the quantity library (Kubernetes 1.28; new rules from 1.29)",
  format: "the strings extension version 2 (Kubernetes 1.29; new rules from 1.30)",
  join: "the strings extension version 2 (Kubernetes 1.29; new rules from 1.30)",
  "strings.quote": "the strings extension version 2 (Kubernetes 1.29; new rules from 1.30)",
  orValue: "optional types (Kubernetes 1.28; new rules from 1.29)",
  hasValue: "optional types (Kubernetes 1.28; new rules from 1.29)",
  value: "optional types (Kubernetes 1.28; new rules from 1.29)",
  validate: "the format library (Kubernetes 1.31; new rules from 1.32)",
  all: "two-variable comprehensions (Kubernetes 1.32; new rules from 1.33)",
  exists: "two-variable comprehensions (Kubernetes 1.32; new rules from 1.33)",
  existsOne: "two-variable comprehensions (Kubernetes 1.32; new rules from 1.33)",
  transformList: "two-variable comprehensions (Kubernetes 1.32; new rules from 1.33)",
  transformMap: "two-variable comprehensions (Kubernetes 1.32; new rules from 1.33)",
  transformMapEntry: "two-variable comprehensions (Kubernetes 1.32; new rules from 1.33)",
};

const LATER_BY_NAMESPACE: Record<string, string> = {
  sets: "the sets extension (Kubernetes 1.29; new rules from 1.30)",
  optional: "optional types (Kubernetes 1.28; new rules from 1.29)",
  format: "the format library (Kubernetes 1.31; new rules from 1.32)",
  ip: "the IP library (Kubernetes 1.30; new rules from 1.31)",
};

/** The variables of a CRD rule. */
const RULE_VARIABLES = ["self", "oldSelf"];

/** Namespaces of qualified functions (`sets.contains`); `x.f()` on these names is a qualified call, not a method. */
const FUNCTION_NAMESPACES = new Set(["sets", "strings", "math", "optional", "cel", "base64", "ip", "format", "proto", "encoders"]);

/**
 * Reasons the expression would not compile in the CEL environment a
 * Kubernetes 1.28 API server gives new x-kubernetes-validations rules. Empty
 * when it would (as far as the functions it calls go; types are not checked).
 */
export function kubernetesCelProblems(source: string): string[] {
  let root: Expr;
  try {
    root = parse(source).expr!;
  } catch (error) {
    return [`syntax error: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems = new Set<string>();
  const visit = (expr: Expr | undefined, scope: ReadonlySet<string>): void => {
    if (expr === undefined) return;
    const kind = expr.exprKind;
    switch (kind.case) {
      case "callExpr": {
        const call = kind.value;
        const target = call.target;
        const namespace =
          target?.exprKind.case === "identExpr" && !scope.has(target.exprKind.value.name) && FUNCTION_NAMESPACES.has(target.exprKind.value.name)
            ? target.exprKind.value.name
            : undefined;
        if (namespace !== undefined) {
          problems.add(unavailable(`${namespace}.${call.function}`, false, namespace));
        } else if (!isOperator(call.function)) {
          const known = target === undefined ? GLOBAL_FUNCTIONS.has(call.function) : METHODS.has(call.function);
          if (!known) problems.add(unavailable(call.function, target !== undefined));
          visit(target, scope);
        }
        for (const arg of call.args) visit(arg, scope);
        return;
      }
      case "selectExpr":
        visit(kind.value.operand, scope);
        return;
      case "listExpr":
        for (const element of kind.value.elements) visit(element, scope);
        if (kind.value.optionalIndices.length > 0) problems.add(unavailable("optional.of", false, "optional"));
        return;
      case "structExpr":
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === "mapKey") visit(entry.keyKind.value, scope);
          visit(entry.value, scope);
          if (entry.optionalEntry) problems.add(unavailable("optional.of", false, "optional"));
        }
        return;
      case "comprehensionExpr": {
        const c = kind.value;
        if (c.iterVar2 !== "") problems.add(unavailable("all", true));
        const inner = new Set(scope);
        for (const name of [c.iterVar, c.iterVar2, c.accuVar]) if (name !== "") inner.add(name);
        visit(c.iterRange, scope);
        visit(c.accuInit, scope);
        visit(c.loopCondition, inner);
        visit(c.loopStep, inner);
        visit(c.result, new Set([...scope, c.accuVar]));
        return;
      }
      default:
        return;
    }
  };
  visit(root, new Set(RULE_VARIABLES));
  return [...problems];
}

/** `_&&_`, `!_`, `-_`, `@in`, `_[_]`, `_?_:_`, `@not_strictly_false` ...: the standard operators. */
function isOperator(name: string): boolean {
  return /^[_@!-]/.test(name) && !name.startsWith("_?.") && name !== "_[?_]";
}

function unavailable(name: string, method = false, namespace?: string): string {
  const shown = method ? `.${name}()` : `${name}()`;
  const origin = LATER[name] ?? (namespace !== undefined ? LATER_BY_NAMESPACE[namespace] : undefined);
  return origin === undefined
    ? `${shown} is not in the CEL environment a Kubernetes ${KUBERNETES_CEL_BASELINE} API server gives new x-kubernetes-validations rules; the CRD would be rejected`
    : `${shown} comes from ${origin}; a Kubernetes ${KUBERNETES_CEL_BASELINE} API server rejects the CRD with a compile error`;
}
