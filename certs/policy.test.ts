import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { certificatePolicy, CertificatePolicyError, DAY } from "./policy.ts";

describe("certificatePolicy", () => {
  it("splits hosts into DNS names and canonical IP addresses, dropping duplicates", () => {
    const policy = certificatePolicy(["127.0.0.1", "localhost", "0:0::1", "::1", "localhost"]);
    assert.deepEqual(policy.dnsNames, ["localhost"]);
    assert.deepEqual(policy.ipAddresses, ["127.0.0.1", "::1"]);
  });

  it("fills the documented defaults", () => {
    const policy = certificatePolicy(["a.b.svc"]);
    assert.deepEqual(
      {
        ca: policy.caLifetime / DAY,
        serving: policy.servingLifetime / DAY,
        overlap: policy.overlap / DAY,
        renew: policy.renewFraction,
        backdate: policy.backdate,
      },
      { ca: 365, serving: 90, overlap: 7, renew: 2 / 3, backdate: 3_600_000 },
    );
  });

  const bad: { name: string; hosts: string[]; overrides?: Parameters<typeof certificatePolicy>[1]; problem: RegExp }[] = [
    { name: "no hosts", hosts: [], problem: /no hosts were given/ },
    { name: "an upper-case or malformed host", hosts: ["Web.Example"], problem: /host "Web.Example" is neither an IP address nor a lowercase DNS name/ },
    { name: "a wildcard host", hosts: ["*.svc"], problem: /host "\*\.svc" is neither/ },
    { name: "an IPv6 address with a zone", hosts: ["fe80::1%eth0"], problem: /with a zone/ },
    { name: "a non-positive lifetime", hosts: ["a"], overrides: { servingLifetime: 0 }, problem: /servingLifetime must be a positive number/ },
    { name: "a renew fraction of 1", hosts: ["a"], overrides: { renewFraction: 1 }, problem: /renewFraction must be between 0 and 1/ },
    {
      name: "an overlap too long for the CA to rotate in time",
      hosts: ["a"],
      overrides: { overlap: 70 * DAY },
      problem: /CA rotation cannot finish before the old CA expires: it starts with 121\.7 days left .* needs two overlaps \(140 days\)/,
    },
    {
      name: "a serving certificate outliving its CA",
      hosts: ["a"],
      overrides: { servingLifetime: 400 * DAY },
      problem: /servingLifetime \(400 days\) must not exceed caLifetime \(365 days\)/,
    },
    { name: "a CA name with '@'", hosts: ["a"], overrides: { caName: "x@y" }, problem: /caName "x@y"/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, saying what to fix`, () => {
      assert.throws(
        () => certificatePolicy(c.hosts, c.overrides),
        (error: unknown) => error instanceof CertificatePolicyError && error.problems.some((p) => c.problem.test(p)),
      );
    });
  }
});
