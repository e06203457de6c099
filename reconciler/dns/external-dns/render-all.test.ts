// `hostgate render` with dns.provider external-dns: the DNSEndpoints are
// printed after every route's Istio objects, and the Istio schema check
// (which knows no DNSEndpoint) is not applied to them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderAll } from "../../render-command/render-command.ts";
import { aDnsRoute, anExternalDnsConfig } from "./testing/external-dns-config.ts";

describe("renderAll with dns.provider external-dns", () => {
  it("prints one DNSEndpoint per served route, after the Istio objects, without failing the Istio schema check", () => {
    const shop = aDnsRoute();
    const blog = aDnsRoute({ domain: "blog.example.com" });
    blog.metadata.name = "blog";
    blog.metadata.uid = "1c6f4d2b-8e3a-4d7f-b09c-2a3b4c5d6e7f";
    const { objects, notes } = renderAll([shop, blog], [], anExternalDnsConfig());
    assert.deepEqual(notes, []);
    const kinds = objects.map((o) => o.kind);
    assert.deepEqual(
      kinds.filter((k) => k === "DNSEndpoint"),
      ["DNSEndpoint", "DNSEndpoint"],
    );
    assert.ok(kinds.lastIndexOf("VirtualService") < kinds.indexOf("DNSEndpoint"), kinds.join(", "));
  });
});
