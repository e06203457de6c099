import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validatableIstioKinds, validateIstioObject } from "./validate-istio.ts";

const gateway = (spec: unknown) => ({ apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "istio-system" }, spec });

describe("validateIstioObject", () => {
  it("accepts a valid object", () => {
    assert.doesNotThrow(() => validateIstioObject(gateway({ servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["a.example.com"] }] })));
  });

  it("names the object and the missing field of an invalid one", () => {
    assert.throws(
      () => validateIstioObject(gateway({ servers: [{ port: { number: 80, name: "http", protocol: "HTTP" } }] })),
      /^Error: Gateway istio-system\/gw does not match the Istio networking\.istio\.io\/v1\/Gateway schema: .*servers\/0 must have required property hosts/,
    );
  });

  it("refuses a value outside an enum", () => {
    const entry = {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "se", namespace: "a" },
      spec: { hosts: ["x.internal"], resolution: "SOMETIMES" },
    };
    assert.throws(() => validateIstioObject(entry), /spec\/resolution must be equal to one of the allowed values/);
  });

  const unknown: [string, unknown][] = [
    ["a kind Istio does not have", { apiVersion: "networking.istio.io/v1", kind: "Ingress", metadata: { name: "x" } }],
    ["an Istio kind at a version not known here", { apiVersion: "networking.istio.io/v1alpha3", kind: "Gateway", metadata: { name: "x" } }],
    ["an object without apiVersion and kind", { metadata: { name: "x" } }],
  ];
  for (const [what, object] of unknown) {
    it(`refuses ${what}, listing the kinds it knows`, () => {
      assert.throws(() => validateIstioObject(object), /no Istio schema for apiVersion .*; known: .*networking\.istio\.io\/v1\/Gateway/);
    });
  }

  it("refuses something that is not an object", () => {
    assert.throws(() => validateIstioObject([]), /expected a JSON object, got an array/);
    assert.throws(() => validateIstioObject(null), /got null/);
  });

  it("knows every kind hostgate renders", () => {
    const kinds = validatableIstioKinds();
    for (const kind of ["Gateway", "VirtualService", "ServiceEntry", "DestinationRule"]) assert.ok(kinds.includes(`networking.istio.io/v1/${kind}`), kind);
    assert.ok(kinds.includes("security.istio.io/v1/AuthorizationPolicy"));
  });
});
