// Gateways (hostname-granted) and Allow paths on public routes
// (public-needs-protection) give the same verdict through `hostgate check`
// and through the webhook: both go through decide(), against the bundled
// examples (config, built-in policies, examples/state).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import request from "supertest";
import type { LoadedEnvironment } from "../core/environment.ts";
import { CRD_DIRECTORY, readCrds } from "../crds/catalog.ts";
import { GRANTABLE_KINDS } from "../crds/types.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { createAdmissionApp } from "../webhook/admission-app.ts";
import { createWebhookMetrics, REVIEWED_KINDS } from "../webhook/metrics.ts";
import { admissionReview, exampleEnvironment } from "../webhook/testing/reviews.ts";
import { domainRoute, entriesOf, hostgate, LIBRARY, tempDir, writeYaml } from "./fixtures.ts";

const RECONCILER = "system:serviceaccount:hostgate-system:hostgate-reconciler";

function istioGateway(name: string, namespace: string, hosts: string[]): Record<string, unknown> {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name, namespace },
    // examples/platform-config.yaml selects the shared ingress with {istio: ingressgateway}.
    spec: { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts }] },
  };
}

function apiGateway(name: string, namespace: string, listeners: Record<string, unknown>[]): Record<string, unknown> {
  return { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name, namespace }, spec: { gatewayClassName: "istio", listeners } };
}

function publicRoute(allowPaths: string[]): Record<string, unknown> {
  return domainRoute({
    name: "open",
    spec: { lb: "alb-out", protection: { provider: "sso", appId: "team-a-open", rules: [{ action: "Allow", paths: allowPaths }] } },
  });
}

interface Case {
  name: string;
  object: Record<string, unknown>;
  allowed: boolean;
  /** The denying policy and a piece of its message (denials only). */
  policy?: string;
  message?: RegExp;
}

// examples/state grants team-a shop.example.com and *.shop.example.com (any
// kind), and team-b api.example.com for HTTPRoutes only.
const cases: Case[] = [
  {
    name: "an Istio Gateway on the shared ingress claiming another team's name is denied",
    object: istioGateway("takeover", "team-a", ["team-a/api.example.com"]),
    allowed: false,
    policy: "hostname-granted",
    message: /spec\.servers\[\]\.hosts names api\.example\.com, which is not granted to namespace team-a for Gateways/,
  },
  {
    name: "an Istio Gateway on the shared ingress for a name granted to its namespace is allowed",
    object: istioGateway("shop", "team-a", ["./www.shop.example.com"]),
    allowed: true,
  },
  {
    name: "a Gateway API Gateway with a listener without hostname is denied",
    object: apiGateway("catch-all", "team-a", [{ name: "http", port: 80, protocol: "HTTP" }]),
    allowed: false,
    policy: "hostname-granted",
    message: /spec\.listeners\[0\] \(http\) has no hostname\. A listener without a hostname matches every hostname/,
  },
  {
    name: "a public route whose Allow path is Istio's match-any template is denied",
    object: publicRoute(["/healthz", "/{**}"]),
    allowed: false,
    policy: "public-needs-protection",
    message: /spec\.protection\.rules\[0\]\.paths\[1\] \("\/\{\*\*\}"\) has a wildcard/,
  },
  {
    name: "a public route whose Allow path's first segment is an encoded slash (/%2F/*, //* to an app that decodes it) is denied",
    object: publicRoute(["/healthz", "/%2F/*"]),
    allowed: false,
    policy: "public-needs-protection",
    message: /spec\.protection\.rules\[0\]\.paths\[1\] \("\/%2F\/\*"\) has an encoded slash/,
  },
  {
    name: "a public route whose Allow path's first segment is empty before its ; parameters (/;/*, //* to Tomcat) is denied",
    object: publicRoute(["/healthz", "/;/*"]),
    allowed: false,
    policy: "public-needs-protection",
    message: /spec\.protection\.rules\[0\]\.paths\[1\] \("\/;\/\*"\) has an empty first segment before its ; parameters/,
  },
  {
    name: "a public route whose Allow paths have literal first segments is allowed",
    object: publicRoute(["/healthz", "/public/*"]),
    allowed: true,
  },
];

let environment: LoadedEnvironment;
before(async () => {
  environment = await exampleEnvironment();
});

function webhookApp() {
  const cacheCounts = () => ({ hostnameGrants: 0, domainRoutes: 0, domains: 0, appIds: 0, grantedNamespaces: 0 });
  const metrics = createWebhookMetrics(
    { cacheCounts, cacheSynced: () => true, certificateNotAfter: () => undefined, policiesLoaded: () => 1 },
    { defaultMetrics: false },
  );
  return createAdmissionApp({ environment: () => environment.verdict, logger: new RecordingLogger(), metrics });
}

async function validate(review: Record<string, unknown>) {
  const res = await request(webhookApp()).post("/validate").set("Content-Type", "application/json").send(JSON.stringify(review));
  assert.equal(res.status, 200);
  return res.body.response as { allowed: boolean; status?: { message: string } };
}

describe("Gateways and Allow paths through hostgate check", () => {
  const dir = tempDir("gateways-allow-paths");
  for (const c of cases) {
    test(c.name, async () => {
      const [entry] = entriesOf(await hostgate("check", "-f", writeYaml(dir, `${c.name.replaceAll(" ", "-")}.yaml`, c.object), "-o", "json"));
      assert.ok(entry);
      assert.equal(entry.allowed, c.allowed, JSON.stringify(entry.denials));
      if (c.policy === undefined) return;
      assert.deepEqual([...new Set(entry.denials.map((d) => d.policy))], [c.policy]);
      assert.ok(
        entry.denials.some((d) => c.message!.test(d.message)),
        JSON.stringify(entry.denials),
      );
    });
  }
});

describe("Gateways and Allow paths through the webhook", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const response = await validate(admissionReview(c.object));
      assert.equal(response.allowed, c.allowed, response.status?.message);
      if (c.policy === undefined) return;
      assert.match(response.status!.message, new RegExp(`- ${c.policy}: `));
      assert.match(response.status!.message, c.message!);
    });
  }

  test("the reconciler's own Istio Gateway in the gateway namespace, which holds no grant, is allowed", async () => {
    const review = admissionReview(istioGateway("shop-example-com-1a2b3c4d", "istio-system", ["shop.example.com"]));
    (review.request as { userInfo: unknown }).userInfo = { username: RECONCILER, groups: ["system:serviceaccounts"] };
    assert.equal((await validate(review)).allowed, true);
  });

  test("the same Gateway written by anyone else is denied: the gateway namespace needs a grant of its own", async () => {
    const response = await validate(admissionReview(istioGateway("shop-example-com-1a2b3c4d", "istio-system", ["shop.example.com"])));
    assert.equal(response.allowed, false);
    assert.match(response.status!.message, /shop\.example\.com, which is not granted to namespace istio-system for Gateways/);
  });
});

describe("grants can name every kind hostname-granted checks", () => {
  const checkedKinds = [
    ...new Set(
      loadPolicySet([LIBRARY])
        .byName.get("hostname-granted")!
        .match.flatMap((rule) => rule.kinds),
    ),
  ].sort();

  test("the HostnameGrant CRD's kinds enum and GRANTABLE_KINDS list exactly the kinds the policy checks", () => {
    const crd = readCrds(CRD_DIRECTORY)
      .map((l) => l.crd)
      .find((c) => c.spec.names.kind === "HostnameGrant")!;
    const kinds = crd.spec.versions[0]?.schema?.openAPIV3Schema.properties?.spec?.properties?.kinds;
    assert.ok(kinds?.items !== undefined && !Array.isArray(kinds.items), "HostnameGrant has spec.kinds items");
    assert.ok(checkedKinds.includes("Gateway"));
    assert.deepEqual([...(kinds.items.enum ?? [])].sort(), checkedKinds);
    assert.deepEqual([...GRANTABLE_KINDS].sort(), checkedKinds);
    assert.equal(kinds.maxItems, checkedKinds.length, "a grant may list every kind");
  });

  test("the webhook's review metrics count every kind the policy checks under its own name, not as other", () => {
    assert.deepEqual(
      checkedKinds.filter((kind) => !REVIEWED_KINDS.has(kind)),
      [],
    );
  });

  test("hostgate check admits a HostnameGrant restricted to Gateways", async () => {
    const grant = {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "HostnameGrant",
      metadata: { name: "edge" },
      spec: { namespaces: ["team-e"], hostnames: ["edge.example.com"], kinds: ["Gateway"] },
    };
    const [entry] = entriesOf(await hostgate("check", "-f", writeYaml(tempDir("gateway-grant"), "grant.yaml", grant), "-o", "json"));
    assert.ok(entry);
    assert.equal(entry.allowed, true, JSON.stringify(entry.denials));
  });
});
