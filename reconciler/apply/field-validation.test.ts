// Which writes the API server refuses, rather than trims, when the installed
// CRD lacks a field hostgate sends (apply-object.ts writeOptionsFor): Envoy
// Gateway's kinds (their CRDs gain fields release by release); every other
// kind keeps the API server's default, under which the field is dropped.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { CLIENT_TRAFFIC_POLICY_RESOURCE } from "../domainroute/render/gateway-api/identity-header-strip.ts";
import { HTTP_ROUTE_RESOURCE, ISTIO_AUTHORIZATION_POLICY_RESOURCE, SECURITY_POLICY_RESOURCE } from "../domainroute/render/gateway-api/kinds.ts";
import { applyObject, writeOptionsFor } from "./apply-object.ts";

const FIELD = "spec.newerField";

function anObject(resource: ResourceRef, spec: Record<string, unknown>): KubeObject {
  const apiVersion = resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
  return { apiVersion, kind: resource.kind, metadata: { name: "x", namespace: "edge" }, spec };
}

const cases: { name: string; resource: ResourceRef; strict: boolean }[] = [
  { name: "an Envoy Gateway SecurityPolicy", resource: SECURITY_POLICY_RESOURCE, strict: true },
  { name: "an Envoy Gateway ClientTrafficPolicy", resource: CLIENT_TRAFFIC_POLICY_RESOURCE, strict: true },
  { name: "a Gateway API HTTPRoute", resource: HTTP_ROUTE_RESOURCE, strict: false },
  { name: "an Istio AuthorizationPolicy", resource: ISTIO_AUTHORIZATION_POLICY_RESOURCE, strict: false },
];

describe("writing a field the installed CRD does not declare", () => {
  for (const c of cases) {
    const outcome = c.strict ? "is refused with 400 BadRequest naming the field" : "keeps the API server's default: the field is dropped";
    test(`creating ${c.name} with it ${outcome}`, async () => {
      const api = new FakeKubeApi();
      api.undeclared(c.resource.kind, FIELD);
      const write = applyObject(api, c.resource, anObject(c.resource, { known: 1, newerField: 2 }), undefined);
      if (c.strict) {
        await assert.rejects(write, (e: unknown) => e instanceof KubeApiError && e.status === 400 && e.message.includes(`unknown field "${FIELD}"`));
        assert.deepEqual(api.objects(c.resource), []);
      } else {
        assert.deepEqual((await write).spec, { known: 1 });
      }
    });

    test(`applying it over ${c.name} already stored ${outcome}`, async () => {
      const api = new FakeKubeApi();
      api.undeclared(c.resource.kind, FIELD);
      const stored = await applyObject(api, c.resource, anObject(c.resource, { known: 1 }), undefined);
      const write = applyObject(api, c.resource, anObject(c.resource, { known: 1, newerField: 2 }), stored);
      if (c.strict) {
        await assert.rejects(write, (e: unknown) => e instanceof KubeApiError && e.status === 400 && e.message.includes(`unknown field "${FIELD}"`));
        assert.deepEqual(api.objects(c.resource)[0]!.spec, { known: 1 }, "the stored object is as it was");
      } else {
        assert.deepEqual((await write).spec, { known: 1 });
      }
    });

    test(`${c.name} is written with fieldValidation ${c.strict ? "Strict" : "unset (the API server's default, Warn)"}`, () => {
      assert.equal(writeOptionsFor(c.resource).fieldValidation, c.strict ? "Strict" : undefined);
    });
  }
});
