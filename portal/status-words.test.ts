import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { RouteWords } from "./status-words.ts";
import { MAX_DETAIL, routeWords } from "./status-words.ts";

type Cond = { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string; observedGeneration?: number };

function route(over: { spec?: object; generation?: number; deletionTimestamp?: string; conditions?: Cond[]; status?: unknown }): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: {
      name: "shop",
      namespace: "team-a",
      generation: over.generation ?? 2,
      ...(over.deletionTimestamp ? { deletionTimestamp: over.deletionTimestamp } : {}),
    },
    spec: { domain: "shop.example.com", lb: "alb-out", ...over.spec },
    ...(over.status !== undefined ? { status: over.status } : over.conditions ? { status: { observedGeneration: 2, conditions: over.conditions } } : {}),
  };
}

const ready = (status: Cond["status"], reason: string, message: string, observedGeneration = 2): Cond => ({
  type: "Ready",
  status,
  reason,
  message,
  observedGeneration,
});
const takenClaim: Cond = {
  type: "Claimed",
  status: "False",
  reason: "DomainTaken",
  message:
    "shop.example.com is already claimed by DomainRoute team-b/shop; nothing was created for this route. Use another domain, or delete that route to release it.",
  observedGeneration: 2,
};

describe("routeWords", () => {
  type Case = { name: string; route: KubeObject; words: RouteWords };
  const cases: Case[] = [
    {
      name: "a route being deleted is being removed, with what Ready still waits for",
      route: route({ deletionTimestamp: "2026-12-05T07:00:00Z", conditions: [ready("False", "RecordsReleasing", "DNSReady: records are being removed")] }),
      words: { state: "removing", text: "being removed", detail: "DNSReady: records are being removed" },
    },
    {
      name: "a route being deleted while still Ready is being removed, without the stale live message",
      route: route({ deletionTimestamp: "2026-12-05T07:00:00Z", conditions: [ready("True", "Ready", "the domain is claimed and served")] }),
      words: { state: "removing", text: "being removed" },
    },
    {
      name: "a route without status waits for hostgate to pick up the change",
      route: route({}),
      words: { state: "pending", text: "waiting for hostgate to pick up your change" },
    },
    {
      name: "a route whose status has no Ready condition waits for hostgate",
      route: route({ status: { conditions: [] } }),
      words: { state: "pending", text: "waiting for hostgate to pick up your change" },
    },
    {
      name: "a route whose Ready was written for an older generation waits for hostgate, not the old words",
      route: route({ generation: 3, conditions: [ready("True", "Ready", "served", 2)] }),
      words: { state: "pending", text: "waiting for hostgate to pick up your change" },
    },
    {
      name: "a Ready without observedGeneration falls back to the status's observedGeneration",
      route: route({ generation: 3, status: { observedGeneration: 2, conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "served" }] } }),
      words: { state: "pending", text: "waiting for hostgate to pick up your change" },
    },
    {
      name: "a public route that is Ready is live, with Ready's message under it",
      route: route({ conditions: [ready("True", "Ready", "the domain is claimed and served")] }),
      words: { state: "live", text: "live", detail: "the domain is claimed and served" },
    },
    {
      name: "an internal route behind a login that is Ready is live, internal only, behind login",
      route: route({
        spec: { lb: "alb-in", protection: { provider: "okta", appId: "shop" } },
        conditions: [ready("True", "Ready", "served, with protection")],
      }),
      words: { state: "live", text: "live, internal only, behind login", detail: "served, with protection" },
    },
    {
      name: "a taken domain names the owner from Claimed's message",
      route: route({ conditions: [takenClaim, ready("False", "DomainTaken", `Claimed: ${takenClaim.message}`)] }),
      words: { state: "attention", text: "domain already taken by team-b/shop", detail: `Claimed: ${takenClaim.message}` },
    },
    {
      name: "a taken domain whose Claimed message names no owner falls back to the plain words",
      route: route({ conditions: [{ ...takenClaim, message: "taken" }, ready("False", "DomainTaken", "Claimed: taken")] }),
      words: { state: "attention", text: "domain already taken", detail: "Claimed: taken" },
    },
    {
      name: "an owner that is not a namespace/name (markup in a message) is not taken as one",
      route: route({
        conditions: [{ ...takenClaim, message: "x is already claimed by DomainRoute <img src=x>/y" }, ready("False", "DomainTaken", "Claimed: x")],
      }),
      words: { state: "attention", text: "domain already taken", detail: "Claimed: x" },
    },
    {
      name: "a certificate in ACM validation waits for the certificate",
      route: route({ conditions: [ready("False", "PendingValidation", "CertificateReady: ACM is validating")] }),
      words: { state: "pending", text: "waiting for the certificate", detail: "CertificateReady: ACM is validating" },
    },
    {
      name: "an undecided certificate waits for the certificate",
      route: route({ conditions: [ready("Unknown", "CertificatePending", "CertificateReady: not decided")] }),
      words: { state: "pending", text: "waiting for the certificate", detail: "CertificateReady: not decided" },
    },
    {
      name: "pending DNS records are publishing DNS",
      route: route({ conditions: [ready("False", "RecordsPending", "DNSReady: waiting for INSYNC")] }),
      words: { state: "pending", text: "publishing DNS", detail: "DNSReady: waiting for INSYNC" },
    },
    {
      name: "external-dns not having read the endpoint is publishing DNS",
      route: route({ conditions: [ready("False", "WaitingForExternalDns", "DNSReady: external-dns has not read it")] }),
      words: { state: "pending", text: "publishing DNS", detail: "DNSReady: external-dns has not read it" },
    },
    {
      name: "a login being published is setting up the login",
      route: route({ conditions: [ready("Unknown", "ProtectionPending", "ProtectionReady: publishing")] }),
      words: { state: "pending", text: "setting up the login", detail: "ProtectionReady: publishing" },
    },
    {
      name: "a route not placed yet waits for a load balancer",
      route: route({ conditions: [ready("Unknown", "PlacementPending", "EdgePlaced: not placed yet")] }),
      words: { state: "pending", text: "waiting for a load balancer", detail: "EdgePlaced: not placed yet" },
    },
    {
      name: "a route without a pool member on the Gateway API waits for a load balancer",
      route: route({ conditions: [ready("False", "WaitingForPlacement", "GatewayReady: no listener")] }),
      words: { state: "pending", text: "waiting for a load balancer", detail: "GatewayReady: no listener" },
    },
    {
      name: "a full pool is the platform team's to fix",
      route: route({ conditions: [ready("False", "EdgePoolFull", "EdgePlaced: every member is full")] }),
      words: { state: "attention", text: "no room on the load balancers (platform team)", detail: "EdgePlaced: every member is full" },
    },
    {
      name: "an appId another route uses needs another appId",
      route: route({ conditions: [ready("False", "AppIDConflict", "ProtectionReady: appId shop is used by team-b/shop")] }),
      words: { state: "attention", text: "appId already used", detail: "ProtectionReady: appId shop is used by team-b/shop" },
    },
    {
      name: "a provider the platform does not register is an unknown login provider",
      route: route({ conditions: [ready("False", "UnknownProvider", "GatewayReady: provider x is not registered")] }),
      words: { state: "attention", text: "unknown login provider", detail: "GatewayReady: provider x is not registered" },
    },
    {
      name: "an invalid spec needs attention",
      route: route({ conditions: [ready("False", "InvalidSpec", "GatewayReady: bad")] }),
      words: { state: "attention", text: "needs attention", detail: "GatewayReady: bad" },
    },
    {
      name: "an object hostgate does not own needs attention",
      route: route({ conditions: [ready("False", "ObjectNotOwned", "GatewayReady: not ours")] }),
      words: { state: "attention", text: "needs attention", detail: "GatewayReady: not ours" },
    },
    {
      name: "a reason the page does not know is in progress, its message still shown",
      route: route({ conditions: [ready("Unknown", "SomethingNew", "X: something new")] }),
      words: { state: "pending", text: "in progress", detail: "X: something new" },
    },
    {
      name: "a Ready without a message shows no detail",
      route: route({ conditions: [ready("Unknown", "DNSPending", "")] }),
      words: { state: "pending", text: "publishing DNS" },
    },
    {
      name: "malformed conditions are skipped, not trusted",
      route: route({ status: { observedGeneration: 2, conditions: ["Ready", { type: "Ready", status: "True" }, null] } }),
      words: { state: "pending", text: "waiting for hostgate to pick up your change" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(routeWords(c.route), c.words);
    });
  }

  it(`clips a condition message longer than ${MAX_DETAIL} characters`, () => {
    const words = routeWords(route({ conditions: [ready("False", "InvalidSpec", "x".repeat(10_000))] }));
    assert.equal(words.detail?.length, MAX_DETAIL);
    assert.ok(words.detail?.endsWith("…"));
  });
});
