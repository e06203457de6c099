import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../kube/object-key.ts";
import { LAST_APPLIED_ANNOTATION, trimForAudit } from "./trim-for-audit.ts";

const managedFields = [{ manager: "kubectl-client-side-apply", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:domain": {} } } }];

describe("trimForAudit", () => {
  const cases: { name: string; input: KubeObject; kept: KubeObject }[] = [
    {
      name: "drops managedFields and the last-applied annotation, keeping every other annotation, label, spec field and the status",
      input: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: {
          namespace: "team-a",
          name: "shop",
          uid: "u1",
          labels: { app: "shop" },
          annotations: { [LAST_APPLIED_ANNOTATION]: "{}", owner: "a" },
          managedFields,
        },
        spec: { domain: "shop.example.com", lb: "alb-out", backend: { service: { name: "shop", port: 8080 } } },
        status: { conditions: [{ type: "Ready", status: "True" }] },
      },
      kept: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { namespace: "team-a", name: "shop", uid: "u1", labels: { app: "shop" }, annotations: { owner: "a" } },
        spec: { domain: "shop.example.com", lb: "alb-out", backend: { service: { name: "shop", port: 8080 } } },
        status: { conditions: [{ type: "Ready", status: "True" }] },
      },
    },
    {
      name: "leaves an empty annotations map when the last-applied annotation was the only one, as admission would show it",
      input: { kind: "HTTPRoute", metadata: { name: "x", annotations: { [LAST_APPLIED_ANNOTATION]: "{}" } } },
      kept: { kind: "HTTPRoute", metadata: { name: "x", annotations: {} } },
    },
    {
      name: "keeps an object with neither as it is",
      input: { kind: "Gateway", metadata: { name: "g", namespace: "infra" }, spec: { listeners: [] } },
      kept: { kind: "Gateway", metadata: { name: "g", namespace: "infra" }, spec: { listeners: [] } },
    },
    {
      name: "copes with an object without metadata",
      input: { kind: "Gateway" },
      kept: { kind: "Gateway" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(c.input);
      assert.deepEqual(trimForAudit(c.input), c.kept);
      assert.deepEqual(c.input, before, "the input is not modified");
    });
  }
});
