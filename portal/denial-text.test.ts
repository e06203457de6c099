import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deniedLines, firstObjectPath, webhookDenialText } from "./denial-text.ts";

describe("webhookDenialText", () => {
  const cases: { name: string; message: string; expected: string | undefined }[] = [
    {
      name: "takes what follows the current ToStatusErr prefix",
      message: 'domainroutes.hostgate.dev "shop" is forbidden: admission webhook "validate.hostgate.dev" denied the request: no',
      expected: "no",
    },
    { name: "takes what follows the older prefix", message: 'admission webhook "validate.hostgate.dev" denied the request: no', expected: "no" },
    { name: "gives nothing for a denial without explanation", message: 'admission webhook "w" denied the request without explanation', expected: "" },
    { name: "is undefined for a message no webhook wrote", message: 'domainroutes.hostgate.dev "shop" already exists', expected: undefined },
    { name: "is undefined for a webhook that does not support dry run", message: 'admission webhook "w" does not support dry run', expected: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(webhookDenialText(c.message), c.expected));
});

describe("deniedLines", () => {
  it("reads one line per violation after hostgate's header, each under the first path it names", () => {
    assert.deepEqual(deniedLines("DomainRoute a/b violates 1 policy:\n- p: spec.rules[0].paths[1] must start with /\n"), [
      { field: "spec.rules[0].paths[1]", message: "p: spec.rules[0].paths[1] must start with /" },
    ]);
  });
  it("keeps text in another format whole, without a field", () => {
    assert.deepEqual(deniedLines("spec.domain: nope"), [{ message: "spec.domain: nope" }]);
  });
});

describe("firstObjectPath", () => {
  const cases: { name: string; text: string; expected: string | undefined }[] = [
    { name: "finds a nested path", text: "the port spec.backend.external.port is 0", expected: "spec.backend.external.port" },
    { name: "stops before a sentence's full stop", text: "set spec.lb.", expected: "spec.lb" },
    { name: "finds metadata paths", text: "metadata.name is too long", expected: "metadata.name" },
    { name: "drops a leading dot", text: "at .spec.backend: missing", expected: "spec.backend" },
    { name: "ignores a word that merely ends in spec", text: "myspec.x and a.spec.y", expected: undefined },
    { name: "ignores a bare spec", text: "the spec is wrong", expected: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(firstObjectPath(c.text), c.expected));
});
