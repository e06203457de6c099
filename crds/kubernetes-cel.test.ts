import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileCel } from "../policies/engine/cel.ts";
import { kubernetesCelProblems } from "./kubernetes-cel.ts";

describe("kubernetesCelProblems", () => {
  const accepted = [
    "self == oldSelf",
    "self.metadata.name == self.spec.domain",
    "!has(self.routing) || self.routing.mode == 'Managed'",
    "size(self.paths) <= 64 && self.paths.all(p, p.startsWith('/'))",
    "self.rules.exists_one(r, r.action == 'Allow') || self.rules.map(r, r.paths).filter(p, size(p) > 1).size() == 0",
    "self.name.matches('^[a-z]+$') && self.name.lowerAscii() == self.name && self.name.split('.').size() > 1",
    "self.items.isSorted() && self.items.sum() > 0 && self.items.indexOf(1) >= 0",
    "self.host.find('[0-9]+') != '' && self.host.findAll('x').size() < 3",
    "isURL(self.u) && url(self.u).getScheme() == 'https'",
    "int(self.port) > 0 && string(self.port) != '' && timestamp(self.t).getFullYear() > 2000",
    // A comprehension variable named like a library namespace is a value, not the namespace.
    "self.ips.all(ip, ip.startsWith('10.'))",
  ];
  for (const source of accepted) {
    it(`accepts ${source}`, () => {
      assert.deepEqual(kubernetesCelProblems(source), []);
    });
  }

  const rejected: [string, RegExp][] = [
    ["isIP(self.ip)", /^isIP\(\) comes from the IP library \(Kubernetes 1\.30; new rules from 1\.31\)/],
    ["cidr('10.0.0.0/8').containsIP(self.ip)", /cidr\(\) comes from the CIDR library/],
    ["ip.isCanonical(self.ip)", /ip\.isCanonical\(\) comes from the IP library/],
    ["'%s'.format([self.x]) != ''", /\.format\(\) comes from the strings extension version 2/],
    ["self.parts.join('.') == self.name", /\.join\(\) comes from the strings extension version 2/],
    ["sets.contains(self.a, self.b)", /sets\.contains\(\) comes from the sets extension/],
    ["isQuantity(self.q)", /isQuantity\(\) comes from the quantity library/],
    ["optional.of(self.x).hasValue()", /optional\.of\(\) comes from optional types/],
    ["self.m.all(k, v, v > 0)", /\.all\(\) comes from two-variable comprehensions/],
    ["hostnameUnder(self.domain, 'example.com')", /^hostnameUnder\(\) is not in the CEL environment a Kubernetes 1\.28 API server gives/],
    ["self.apex == apexOf(self.domain)", /^apexOf\(\) is not in the CEL environment/],
  ];
  for (const [source, expected] of rejected) {
    it(`rejects ${source}`, () => {
      const problems = kubernetesCelProblems(source);
      assert.ok(
        problems.some((p) => expected.test(p)),
        problems.join("; ") || "no problem reported",
      );
    });
  }

  it("catches what hostgate's own engine accepts but the API server would not", () => {
    for (const source of ["isIP(self.ip)", "hostnameUnder(self.domain, 'example.com')"]) {
      assert.ok(compileCel(source, { variables: ["self", "oldSelf"] }).ok, source);
      assert.notDeepEqual(kubernetesCelProblems(source), [], source);
    }
  });

  it("reports a syntax error instead of throwing", () => {
    assert.match(kubernetesCelProblems("self ==")[0]!, /^syntax error/);
  });
});
