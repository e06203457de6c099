// Differential test of the fast path against @bufbuild/cel's planner on the
// CEL conformance data shipped in @bufbuild/cel-spec (the cel-spec
// repository's simple tests, the data @bufbuild/cel's own conformance run
// reads). Each case's expression is parsed and prepared as compileCel
// prepares policy expressions (prepareForPlanning: loop ticks, dyn()
// operands), then run on both engines in hostgate's CEL environment with
// the case's bindings. Wherever the fast path accepts the expression, the
// two must agree: the same value with the same CEL types, or an error with
// the same message and expression id, and the same loop iterations charged.
//
// Both engines see the same environment (hostgate's, without a namespace),
// so a case that sets a container is still compared, on that environment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { celList, celMap, celUint, CelScalar, listType, mapType, parse, plan } from "@bufbuild/cel";
import type { CelInput } from "@bufbuild/cel";
import { getConformanceSuite } from "@bufbuild/cel-spec/testdata/tests.js";
import type { IncrementalTest, IncrementalTestSuite } from "@bufbuild/cel-spec/testdata/tests.js";
import type { Value } from "@bufbuild/cel-spec/cel/expr/value_pb.js";
import { prepareForPlanning } from "../ast.ts";
import { celEnvironment } from "../cel.ts";
import { compileClosures } from "./compiler.ts";
import { Bailout } from "./values.ts";
import { observeRaw } from "./testing.ts";

/** A binding as @bufbuild/cel's conformance runner converts it; undefined for protobuf messages (not in the fast path's domain). */
function toInput(value: Value): CelInput | undefined {
  const kind = value.kind;
  switch (kind.case) {
    case "nullValue":
      return null;
    case "boolValue":
    case "int64Value":
    case "doubleValue":
    case "stringValue":
    case "bytesValue":
      return kind.value;
    case "uint64Value":
      return celUint(kind.value);
    case "enumValue":
      return BigInt(kind.value.value);
    case "listValue": {
      const items = kind.value.values.map(toInput);
      return items.includes(undefined) ? undefined : celList(items as CelInput[]);
    }
    case "mapValue": {
      const entries = new Map<unknown, CelInput>();
      for (const entry of kind.value.entries) {
        const key = entry.key && toInput(entry.key);
        const item = entry.value && toInput(entry.value);
        if (key === undefined || item === undefined) return undefined;
        entries.set(key, item);
      }
      return celMap(entries as Map<string, CelInput>);
    }
    case "typeValue":
      return TYPES[kind.value];
    default:
      return undefined;
  }
}

const TYPES: Record<string, CelInput | undefined> = {
  int: CelScalar.INT,
  uint: CelScalar.UINT,
  double: CelScalar.DOUBLE,
  bool: CelScalar.BOOL,
  string: CelScalar.STRING,
  bytes: CelScalar.BYTES,
  list: listType(CelScalar.DYN),
  map: mapType(CelScalar.DYN, CelScalar.DYN),
  null_type: CelScalar.NULL,
  type: CelScalar.TYPE,
};

function* casesOf(suite: IncrementalTestSuite, path: string): Generator<{ path: string; test: IncrementalTest }> {
  for (const test of suite.tests) yield { path: `${path}/${test.name}`, test };
  for (const child of suite.suites) yield* casesOf(child, `${path}/${child.name}`);
}

interface Tally {
  cases: number;
  compared: number;
  declined: number;
  bailedOut: number;
  skipped: number;
}

describe("the fast path agrees with the planner on the CEL conformance data", () => {
  const env = celEnvironment();
  const tally: Tally = { cases: 0, compared: 0, declined: 0, bailedOut: 0, skipped: 0 };
  const disagreements: string[] = [];

  test("every conformance case the fast path accepts gives the planner's result", (t) => {
    for (const { path, test } of casesOf(getConformanceSuite(), "conformance")) {
      tally.cases++;
      const bindings: Record<string, unknown> = {};
      let usable = true;
      for (const [name, binding] of Object.entries(test.original.bindings)) {
        const value = binding.kind.case === "value" ? toInput(binding.kind.value) : undefined;
        if (value === undefined) usable = false;
        bindings[name] = value;
      }
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(test.original.expr);
      } catch {
        usable = false;
      }
      if (!usable) {
        tally.skipped++;
        continue;
      }
      prepareForPlanning(parsed!.expr!);
      let planned: (b: Record<string, unknown>) => unknown;
      try {
        planned = plan(env, parsed!) as typeof planned;
      } catch {
        tally.skipped++;
        continue;
      }
      const compiled = compileClosures(parsed!.expr!, env);
      if (!compiled.ok) {
        tally.declined++;
        continue;
      }
      let fast: ReturnType<typeof observeRaw>;
      try {
        fast = observeRaw(() => compiled.program(bindings));
      } catch (error) {
        if (!(error instanceof Bailout)) throw error;
        tally.bailedOut++;
        continue;
      }
      const reference = observeRaw(() => planned(bindings));
      tally.compared++;
      try {
        assert.deepEqual(fast, reference);
      } catch {
        disagreements.push(`${path}: ${test.original.expr}\n  fast:    ${JSON.stringify(fast)}\n  planner: ${JSON.stringify(reference)}`);
      }
    }
    t.diagnostic(
      `conformance cases: ${tally.cases}; compared on the fast path: ${tally.compared}; declined by the compiler (planner only): ${tally.declined}; bailed out at run time: ${tally.bailedOut}; skipped (message bindings, no parse): ${tally.skipped}`,
    );
    assert.deepEqual(disagreements, []);
  });

  test("the fast path accepts most of the conformance data, so the comparison above is not vacuous", () => {
    assert.ok(tally.compared >= 1000, `only ${tally.compared} cases compared`);
  });
});
