import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { TermEndedError, termApi } from "./term-api.ts";

const CONFIG_MAPS: ResourceRef = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };
const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "ns", name }, data: {} });

test("once the term has ended, every write is refused before it is sent, and reads still work", async () => {
  const api = new FakeKubeApi();
  const ended = new AbortController();
  const term = termApi(api, ended.signal);
  await term.create(CONFIG_MAPS, cm("before"));
  ended.abort();
  api.takeWrites();
  const stored = api.server.get(CONFIG_MAPS, { namespace: "ns", name: "before" })!;
  const writes: [string, () => Promise<unknown>][] = [
    ["create", () => term.create(CONFIG_MAPS, cm("after"))],
    ["update", () => term.update(CONFIG_MAPS, stored)],
    ["updateStatus", () => term.updateStatus(CONFIG_MAPS, stored)],
    ["delete", () => term.delete(CONFIG_MAPS, { namespace: "ns", name: "before" })],
  ];
  for (const [verb, write] of writes) await assert.rejects(write(), TermEndedError, verb);
  assert.deepEqual(api.takeWrites(), [], "nothing reached the API server");
  assert.equal((await term.get(CONFIG_MAPS, { namespace: "ns", name: "before" }))?.metadata?.name, "before");
});
