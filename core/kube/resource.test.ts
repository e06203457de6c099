import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { apiVersionOf, describeResource, resourcePath, resourceProblems } from "./resource.ts";
import type { ResourceRef } from "./resource.ts";

describe("resource names and paths", () => {
  const cases: { name: string; ref: ResourceRef; apiVersion: string; text: string; path: string }[] = [
    {
      name: "a CRD across all namespaces",
      ref: { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true },
      apiVersion: "hostgate.dev/v1alpha1",
      text: "domainroutes.hostgate.dev",
      path: "/apis/hostgate.dev/v1alpha1/domainroutes",
    },
    {
      name: "a namespaced resource in one namespace",
      ref: { group: "gateway.networking.k8s.io", version: "v1", resource: "httproutes", kind: "HTTPRoute", namespaced: true, namespace: "team-a" },
      apiVersion: "gateway.networking.k8s.io/v1",
      text: "httproutes.gateway.networking.k8s.io in team-a",
      path: "/apis/gateway.networking.k8s.io/v1/namespaces/team-a/httproutes",
    },
    {
      name: "the legacy core group",
      ref: { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true },
      apiVersion: "v1",
      text: "services",
      path: "/api/v1/services",
    },
  ];
  for (const c of cases) {
    it(`names and locates ${c.name}`, () => {
      assert.equal(apiVersionOf(c.ref), c.apiVersion);
      assert.equal(describeResource(c.ref), c.text);
      assert.equal(resourcePath(c.ref), c.path);
      assert.deepEqual(resourceProblems(c.ref), []);
    });
  }

  it("names every malformed field and how to fix it", () => {
    assert.deepEqual(
      resourceProblems({ group: "Hostgate_Dev", version: "V1", resource: "domain/routes", kind: "domainRoute", namespaced: true, namespace: "Team A" }),
      [
        'resource "domain/routes.Hostgate_Dev in Team A": group "Hostgate_Dev" is not a DNS subdomain; use e.g. hostgate.dev, or "" for the core group',
        'resource "domain/routes.Hostgate_Dev in Team A": version "V1" is not a version name; use e.g. v1alpha1',
        'resource "domain/routes.Hostgate_Dev in Team A": resource "domain/routes" is not a lower-case plural name; use e.g. domainroutes',
        'resource "domain/routes.Hostgate_Dev in Team A": kind "domainRoute" is not a kind name; use e.g. DomainRoute',
        'resource "domain/routes.Hostgate_Dev in Team A": namespace "Team A" is not a namespace name',
      ],
    );
  });
});
