import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  duplicate,
  forbidden,
  formatInvalid,
  goFloat,
  goNumber,
  goQuote,
  invalid,
  isBlocking,
  notSupported,
  required,
  rulesNotChecked,
  tooLong,
  tooMany,
  typeInvalid,
} from "./field-errors.ts";

describe("field errors", () => {
  const cases: { name: string; made: ReturnType<typeof required>; message: string; reason: string }[] = [
    { name: "Required without detail is just the type", made: required("spec.lb"), message: "spec.lb: Required value", reason: "FieldValueRequired" },
    {
      name: "Required with detail appends it",
      made: required("spec.backend", "set one"),
      message: "spec.backend: Required value: set one",
      reason: "FieldValueRequired",
    },
    {
      name: "NotSupported quotes the value and every supported value",
      made: notSupported("spec.lb", "alb-x", ["alb-out", "alb-in"]),
      message: 'spec.lb: Unsupported value: "alb-x": supported values: "alb-out", "alb-in"',
      reason: "FieldValueNotSupported",
    },
    {
      name: "Invalid prints a number bare",
      made: invalid("spec.dns.ttl", 5, "too small"),
      message: "spec.dns.ttl: Invalid value: 5: too small",
      reason: "FieldValueInvalid",
    },
    {
      name: "Invalid prints null as a quoted null",
      made: invalid("<nil>", null, "x"),
      message: '<nil>: Invalid value: "null": x',
      reason: "FieldValueInvalid",
    },
    {
      name: "TypeInvalid prints like Invalid",
      made: typeInvalid("a", "string", "d"),
      message: 'a: Invalid value: "string": d',
      reason: "FieldValueTypeInvalid",
    },
    {
      name: "TooLong does not print the value",
      made: tooLong("spec.x", 253),
      message: "spec.x: Too long: may not be longer than 253",
      reason: "FieldValueTooLong",
    },
    {
      name: "TooMany prints the count and the limit",
      made: tooMany("spec.n", 300, 256),
      message: "spec.n: Too many: 300: must have at most 256 items",
      reason: "FieldValueTooMany",
    },
    { name: "Forbidden carries only the detail", made: forbidden("spec.backend", "no"), message: "spec.backend: Forbidden: no", reason: "FieldValueForbidden" },
    { name: "Duplicate quotes the value", made: duplicate("spec.ns[1]", "a"), message: 'spec.ns[1]: Duplicate value: "a"', reason: "FieldValueDuplicate" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(c.made.message, c.message);
      assert.equal(c.made.reason, c.reason);
      assert.equal(c.made.message, `${c.made.field}: ${c.made.detail}`);
    });
  }

  it("marks the error kinds that stop CEL rules from running", () => {
    assert.deepEqual(
      [
        required("a"),
        notSupported("a", 1, []),
        tooLong("a", 1),
        tooMany("a", 2, 1),
        typeInvalid("a", 1),
        invalid("a", 1),
        forbidden("a"),
        duplicate("a", 1),
      ].map(isBlocking),
      [true, true, true, true, true, false, false, false],
    );
  });

  it("words the skipped-rules error as the API server does", () => {
    assert.equal(
      rulesNotChecked().message,
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    );
  });
});

describe("goQuote", () => {
  const cases: [string, string][] = [
    ["plain", '"plain"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ["tab\tnew\nline", '"tab\\tnew\\nline"'],
    ["\x00\x7f", '"\\x00\\x7f"'],
    ["café ✓", '"café ✓"'],
    ["\u00a0", '"\\u00a0"'],
  ];
  for (const [input, output] of cases) {
    it(`quotes ${JSON.stringify(input)} like Go's %q`, () => {
      assert.equal(goQuote(input), output);
    });
  }
});

describe("goNumber and goFloat", () => {
  const cases: [number, string, string][] = [
    [5, "5", "5"],
    [1.5, "1.5", "1.5"],
    [86400, "86400", "86400"],
    [1e6, "1000000", "1e+06"],
    [1234567.5, "1.2345675e+06", "1.2345675e+06"],
    [0.00001, "1e-05", "1e-05"],
    [0.0001, "0.0001", "0.0001"],
  ];
  for (const [n, asNumber, asFloat] of cases) {
    it(`prints ${n} as ${asNumber} from JSON and ${asFloat} as a float64`, () => {
      assert.equal(goNumber(n), asNumber);
      assert.equal(goFloat(n), asFloat);
    });
  }
});

describe("formatInvalid", () => {
  it("puts a single violation on the same line, as kubectl does", () => {
    assert.equal(formatInvalid("DomainRoute", "web", [required("spec.lb")]), 'The DomainRoute "web" is invalid: spec.lb: Required value');
  });
  it("lists several violations as bullets", () => {
    assert.equal(
      formatInvalid("DomainRoute", "web", [required("spec.lb"), tooLong("spec.domain", 253)]),
      'The DomainRoute "web" is invalid: \n* spec.lb: Required value\n* spec.domain: Too long: may not be longer than 253',
    );
  });
});
