// The examples are what people copy. Every Istio and Gateway API object in
// them must be one that project's own schema accepts (the rejected ones too:
// they must be refused by hostgate's policies, not by a typo the API server
// would catch first).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as gatewayV1 from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { readManifestsSync } from "../core/objects/read-manifests.ts";
import { validateIstioObject } from "../reconciler/domainroute/render/validate-istio.ts";
import { EXAMPLES } from "./fixtures.ts";

interface Model {
  validate(): void;
}
type ModelClass = (new (data: never) => Model) & { apiVersion: string; kind: string };

const GATEWAY_API: ReadonlyMap<string, ModelClass> = new Map(
  (Object.values(gatewayV1) as unknown[])
    .filter((value): value is ModelClass => typeof value === "function" && typeof (value as Partial<ModelClass>).kind === "string")
    .map((model) => [`${model.apiVersion}/${model.kind}`, model] as const),
);

const objects = readManifestsSync([EXAMPLES])
  .map((m) => ({ source: m.source, object: m.object as { apiVersion?: string; kind?: string; metadata?: { name?: string } } }))
  .filter(({ object }) => /(^|\.)istio\.io\/|^gateway\.networking\.k8s\.io\//.test(object.apiVersion ?? ""));

describe("the examples' Istio and Gateway API objects", () => {
  test("include both projects' kinds, so the checks below check something", () => {
    const groups = new Set(objects.map(({ object }) => object.apiVersion!.split("/")[0]));
    assert.ok(groups.has("networking.istio.io") && groups.has("gateway.networking.k8s.io"), [...groups].join(", "));
  });

  for (const { source, object } of objects) {
    test(`${object.kind} ${object.metadata?.name} (${source.replace(/^.*examples\//, "examples/")}) matches its project's schema`, () => {
      if (object.apiVersion!.startsWith("gateway.networking.k8s.io/")) {
        const Model = GATEWAY_API.get(`${object.apiVersion}/${object.kind}`);
        assert.ok(Model, `no Gateway API v1 model for ${object.apiVersion}/${object.kind}`);
        new Model(object as never).validate();
      } else {
        validateIstioObject(object);
      }
    });
  }
});
