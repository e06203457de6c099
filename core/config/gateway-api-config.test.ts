// gateway.provider, gateway.gatewayApi and the pooled Gateways a config names
// on the Gateway API data plane (schema.ts, gateway-api-checks.ts, pooled-gateways.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, fixedMember, gatewayApiMode, gatewayMember, problemsOf, twoStepMember } from "./config-fixtures.ts";
import { poolMembers } from "./edge-pool.ts";
import { loadBalancerTarget } from "./load-balancer-target.ts";
import { gatewayClassNameFor } from "./gateway-class.ts";
import { loadPlatformConfig, parsePlatformConfig } from "./load.ts";
import { mergeConfigOverrides } from "./merge.ts";

type Edit = (config: ConfigData) => void;
type Entry = Record<string, any>;

const load = (edit: Edit) => parsePlatformConfig(configYaml(edit), "platform.yaml");
const all =
  (...edits: Edit[]): Edit =>
  (c) => {
    for (const edit of edits) edit(c);
  };
const lbs = (c: ConfigData) => c.loadBalancers as Record<string, Entry>;
const gatewayApi = (c: ConfigData) => (c.gateway as Entry).gatewayApi as Entry;
const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";
const acm: Edit = (c) => {
  c.dns = { provider: "route53", ownerId: "hostgate-prod" };
  c.certificates = { provider: "acm" };
};
const certManager =
  (namespace?: string, importToAcm?: boolean): Edit =>
  (c) => {
    const imported = importToAcm === undefined ? {} : { importToAcm };
    c.certificates = { provider: "cert-manager", certManager: { issuerRef: { name: "letsencrypt" }, ...(namespace ? { namespace } : {}), ...imported } };
  };
/** Both classes' members are ALBs in front of the pooled Gateways, each with its HTTPS listener (what ACM certificates need). */
const fixedMembers: Edit = (c) => {
  lbs(c)["alb-out"] = { members: [fixedMember("public-1", { listenerArn: LISTENER })] };
  lbs(c)["alb-in"] = { members: [fixedMember("internal-1", { listenerArn: LISTENER.replace("public-1", "internal-1") })] };
};
/** Nine selector labels: one more than a Gateway's spec.infrastructure.labels may hold. */
const nineLabels: Edit = (c) => ((c.gateway as Entry).selector = Object.fromEntries([...Array(9).keys()].map((i) => [`label-${i}`, "gw"])));
/** A label key prefix of 253 characters: the most Kubernetes allows, one more than the Gateway API. */
const LONG_PREFIX = ["a".repeat(63), "a".repeat(63), "a".repeat(63), "a".repeat(61)].join(".");
const autoscaleOut: Edit = (c) => (lbs(c)["alb-out"]!.autoscale = { prefix: "public", maxMembers: 10, gatewayDomain: "gw.example.com" });

describe("gateway.provider", () => {
  it("defaults to istio, leaving two-step entries gateway Services with no pooled Gateway", () => {
    const config = load((c) => {
      lbs(c)["alb-out"] = { members: [twoStepMember("public-1")] };
    });
    assert.equal(config.gateway.provider, "istio");
    assert.equal(config.gateway.gatewayApi, undefined);
    assert.equal(loadBalancerTarget(poolMembers(config, "alb-out")[0]!.entry).kind, "service");
    assert.equal(config.loadBalancers["alb-out"].members![0]!.gateway, undefined);
  });

  it("gateway-api names each two-step member's pooled Gateway after the member, and a class without members after the class", () => {
    const config = load(
      all(gatewayApiMode("envoy-gateway", { authServices: { sso: { namespace: "sso-system", name: "sso-authz", port: 9001 } } }), (c) => {
        lbs(c)["alb-out"] = { members: [gatewayMember("public-1"), gatewayMember("public-2", { capacity: { listeners: 10 } })] };
      }),
    );
    assert.deepEqual(config.gateway, {
      provider: "gateway-api",
      namespace: "istio-system",
      selector: { istio: "ingressgateway" },
      gatewayApi: {
        implementation: "envoy-gateway",
        gatewayClassName: "eg",
        gatewayClassNames: {},
        authServices: { sso: { namespace: "sso-system", name: "sso-authz", port: 9001 } },
      },
    });
    assert.deepEqual(
      poolMembers(config, "alb-out").map((m) => [m.name, loadBalancerTarget(m.entry), m.capacity.listeners]),
      [
        ["public-1", { kind: "gateway", gateway: "public-1", gatewayHostname: "public-1-gw.example.com" }, 64],
        ["public-2", { kind: "gateway", gateway: "public-2", gatewayHostname: "public-2-gw.example.com" }, 10],
      ],
    );
    assert.deepEqual(loadBalancerTarget(config.loadBalancers["alb-in"]), { kind: "gateway", gateway: "alb-in", gatewayHostname: "internal-gw.example.com" });
  });

  it("gateway-api keeps fixed members fixed (an ALB in front of the Gateways), naming no pooled Gateway for them", () => {
    const config = load(all(gatewayApiMode("istio"), (c) => (lbs(c)["alb-out"] = { members: [fixedMember("public-1")] })));
    assert.equal(loadBalancerTarget(poolMembers(config, "alb-out")[0]!.entry).kind, "fixed");
    assert.equal(config.loadBalancers["alb-out"].members![0]!.gateway, undefined);
  });

  it("loads examples/platform-config-gateway-api.yaml: Envoy Gateway, a growing public pool, cert-manager in the Gateways' namespace", () => {
    const config = loadPlatformConfig(`${import.meta.dirname}/../../examples/platform-config-gateway-api.yaml`);
    assert.equal(config.gateway.gatewayApi?.implementation, "envoy-gateway");
    assert.deepEqual(
      [...poolMembers(config, "alb-out"), ...poolMembers(config, "alb-in")].map((m) => loadBalancerTarget(m.entry)),
      [
        { kind: "gateway", gateway: "public-1", gatewayHostname: "public-1.gw.example.com" },
        { kind: "gateway", gateway: "internal-1", gatewayHostname: "internal-1.gw.corp.example.net" },
      ],
    );
    assert.equal(config.loadBalancers["alb-out"].autoscale?.maxMembers, 10);
  });

  it("defaults authServices to none", () => {
    assert.deepEqual(load(gatewayApiMode("istio")).gateway.gatewayApi?.authServices, {});
  });

  it("accepts the AWS Load Balancer Controller with ACM certificates and members that are its ALBs, without listener ARNs", () => {
    const config = load(all(gatewayApiMode("aws-load-balancer-controller"), acm));
    assert.equal(config.certificates.provider, "acm");
    assert.equal(loadBalancerTarget(config.loadBalancers["alb-out"]).kind, "gateway");
  });

  it("accepts autoscale with ACM certificates on the AWS Load Balancer Controller, whose every Gateway is an ALB finding its certificates", () => {
    const config = load(all(gatewayApiMode("aws-load-balancer-controller"), acm, autoscaleOut));
    assert.equal(config.loadBalancers["alb-out"].autoscale?.prefix, "public");
  });

  it("accepts autoscale on Envoy Gateway with cert-manager not importing into ACM (each Gateway serves its certificates), and ALBs with ACM and no autoscale", () => {
    assert.equal(
      load(all(gatewayApiMode("envoy-gateway"), certManager("istio-system", false), autoscaleOut)).loadBalancers["alb-out"].autoscale?.maxMembers,
      10,
    );
    assert.deepEqual(problemsOf(all(gatewayApiMode("envoy-gateway"), acm, fixedMembers)), []);
  });

  it("accepts a selector of 9 labels, or a key prefix of 253 characters, on Envoy Gateway, which puts no selector on its Gateways", () => {
    assert.deepEqual(problemsOf(all(gatewayApiMode("envoy-gateway"), nineLabels)), []);
    assert.deepEqual(problemsOf(all(gatewayApiMode("envoy-gateway"), (c) => ((c.gateway as Entry).selector = { [`${LONG_PREFIX}/app`]: "gw" }))), []);
  });

  it("accepts a selector of 8 labels on Istio, the most a Gateway's spec.infrastructure.labels holds", () => {
    const edit = all(
      gatewayApiMode("istio"),
      (c) => ((c.gateway as Entry).selector = Object.fromEntries([...Array(8).keys()].map((i) => [`label-${i}`, "gw"]))),
    );
    assert.equal(Object.keys(load(edit).gateway.selector).length, 8);
  });

  it("accepts cert-manager when its Secrets are in the pooled Gateways' namespace", () => {
    const config = load(all(gatewayApiMode("envoy-gateway"), certManager("istio-system")));
    assert.equal(config.certificates.certManager?.namespace, "istio-system");
  });

  it("merges overrides over a loaded gateway-api config, deriving the pooled Gateways' names again", () => {
    const base = load(gatewayApiMode());
    const merged = mergeConfigOverrides(base, { loadBalancers: { "alb-out": { gatewayHostname: "edge-gw.example.com" } } });
    assert.deepEqual(loadBalancerTarget(merged.loadBalancers["alb-out"]), { kind: "gateway", gateway: "alb-out", gatewayHostname: "edge-gw.example.com" });
    const istio = mergeConfigOverrides(base, {
      gateway: { provider: "istio", gatewayApi: null },
      loadBalancers: { "alb-out": { service: { namespace: "istio-system", name: "gw" } }, "alb-in": { service: { namespace: "istio-system", name: "gw-in" } } },
    });
    assert.equal(loadBalancerTarget(istio.loadBalancers["alb-out"]).kind, "service", "switched back, the entry is a gateway Service again");
    assert.equal(istio.loadBalancers["alb-out"].gateway, undefined);
  });

  const refused: { name: string; edit: Edit; problems: RegExp[] }[] = [
    {
      name: "an unknown provider, listing the two",
      edit: (c) => ((c.gateway as Entry).provider = "envoy"),
      problems: [/gateway\.provider: is "envoy", must be one of "istio", "gateway-api"/],
    },
    {
      name: "gateway-api without gatewayApi, saying what to set",
      edit: all(gatewayApiMode(), (c) => delete (c.gateway as Entry).gatewayApi),
      problems: [
        /gateway: needs gatewayApi because provider is gateway-api: set gateway\.gatewayApi\.implementation .* e\.g\. \{implementation: envoy-gateway, gatewayClassName: eg\}/,
      ],
    },
    {
      name: "gatewayApi on the Istio data plane",
      edit: (c) => ((c.gateway as Entry).gatewayApi = { implementation: "istio", gatewayClassName: "istio" }),
      problems: [/gateway\.gatewayApi: is only used with gateway\.provider gateway-api \(it is istio\): remove it, or set gateway\.provider to gateway-api/],
    },
    {
      name: "a gatewayApi without its GatewayClass",
      edit: all(gatewayApiMode(), (c) => delete gatewayApi(c).gatewayClassName),
      problems: [/gateway\.gatewayApi\.gatewayClassName: required key is missing; add it\. `spec\.gatewayClassName` of every pooled Gateway/],
    },
    {
      name: "a GatewayClass name that is no Kubernetes object name",
      edit: all(gatewayApiMode(), (c) => (gatewayApi(c).gatewayClassName = "Envoy_Gateway")),
      problems: [/gateway\.gatewayApi\.gatewayClassName: "Envoy_Gateway" is not valid\./],
    },
    {
      name: "an unknown implementation, listing the supported ones",
      edit: gatewayApiMode("nginx"),
      problems: [/gateway\.gatewayApi\.implementation: is "nginx", must be one of "envoy-gateway", "istio", "aws-load-balancer-controller"/],
    },
    {
      name: "a pooled Gateway's name written in the config, since it is the member's",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("public-1", { gateway: "other" })] })),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.gateway: unknown key; remove it or fix its spelling/],
    },
    {
      name: "a gateway Service on the Gateway API data plane, saying to keep gatewayHostname alone",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"] = { members: [twoStepMember("public-1")] })),
      problems: [
        /loadBalancers\.alb-out\.members\[0\]\.service: is a gateway Service .* but gateway\.provider is gateway-api: .* named after the member, .* remove service and keep gatewayHostname alone/,
      ],
    },
    {
      name: "a two-step entry without its gateway Service on the Istio data plane",
      edit: (c) => (lbs(c)["alb-out"] = { gatewayHostname: "public-gw.example.com" }),
      problems: [/loadBalancers\.alb-out\.service: required key is missing; add it\. Two-step entries: the gateway's Service/],
    },
    {
      name: "authServices with the istio implementation",
      edit: gatewayApiMode("istio", { authServices: { sso: { namespace: "sso-system", name: "sso-authz", port: 9001 } } }),
      problems: [
        /gateway\.gatewayApi\.authServices: is only used with implementation envoy-gateway, .* with istio, protected routes are checked by Istio's AuthorizationPolicies/,
      ],
    },
    {
      name: "authServices with the AWS Load Balancer Controller",
      edit: gatewayApiMode("aws-load-balancer-controller", { authServices: { sso: { namespace: "sso-system", name: "sso-authz", port: 9001 } } }),
      problems: [
        /gateway\.gatewayApi\.authServices: is only used with implementation envoy-gateway, .* protected routes are refused \(it offers no external authorization\)/,
      ],
    },
    {
      name: "an auth service for a provider the platform does not have",
      edit: gatewayApiMode("envoy-gateway", { authServices: { oidc: { namespace: "sso-system", name: "sso-authz", port: 9001 } } }),
      problems: [
        /gateway\.gatewayApi\.authServices\.oidc: "oidc" is not one of protection\.providers \(sso\); .* add it to protection\.providers, or fix the name/,
      ],
    },
    {
      name: "an auth service without its port",
      edit: gatewayApiMode("envoy-gateway", { authServices: { sso: { namespace: "sso-system", name: "sso-authz" } } }),
      problems: [/gateway\.gatewayApi\.authServices\.sso\.port: required key is missing; add it\. The Service port of its gRPC ext_authz API/],
    },
    {
      name: "cert-manager's Secrets outside the pooled Gateways' namespace, by default",
      edit: all(gatewayApiMode(), certManager()),
      problems: [
        /certificates\.certManager\.namespace: puts the certificates' Secrets in hostgate-system, but gateway\.namespace is istio-system: .* set certificates\.certManager\.namespace and gateway\.namespace to the same namespace/,
      ],
    },
    {
      name: "cert-manager's Secrets outside the pooled Gateways' namespace, as written",
      edit: all(gatewayApiMode(), certManager("certs")),
      problems: [/certificates\.certManager\.namespace: puts the certificates' Secrets in certs, but gateway\.namespace is istio-system/],
    },
    {
      name: "cert-manager with the AWS Load Balancer Controller, whose ALBs take ACM certificates only",
      edit: all(gatewayApiMode("aws-load-balancer-controller"), certManager("istio-system")),
      problems: [
        /certificates\.provider: is cert-manager, but gateway\.gatewayApi\.implementation is aws-load-balancer-controller: .* use certificates\.provider acm .* or none/,
      ],
    },
    {
      name: "a fixed member with the AWS Load Balancer Controller, whose members are the ALBs it creates",
      edit: all(gatewayApiMode("aws-load-balancer-controller"), (c) => (lbs(c)["alb-out"] = { members: [fixedMember("public-1")] })),
      problems: [
        /loadBalancers\.alb-out\.members\[0\]\.dnsName: is a fixed load balancer's key, but with implementation aws-load-balancer-controller each member is the ALB/,
      ],
    },
    {
      name: "a listener ARN with the AWS Load Balancer Controller, which owns its listeners",
      edit: all(gatewayApiMode("aws-load-balancer-controller"), acm, (c) => (lbs(c)["alb-out"]!.listenerArn = LISTENER)),
      problems: [/loadBalancers\.alb-out\.listenerArn: is not used with implementation aws-load-balancer-controller: .* remove listenerArn/],
    },
    {
      name: "a pooled Gateway member with ACM certificates on Envoy Gateway, whose Service gets no ALB listener",
      edit: all(gatewayApiMode("envoy-gateway"), acm),
      problems: [
        /loadBalancers\.alb-out\.gatewayHostname: is a two-step entry, but certificates go to ACM \(certificates\.provider acm\)/,
        /loadBalancers\.alb-in\.gatewayHostname: is a two-step entry, but certificates go to ACM/,
      ],
    },
    {
      name: "a pooled Gateway member with ACM certificates on Istio, whose listeners are plain HTTP for an ALB in front",
      edit: all(gatewayApiMode("istio"), acm, (c) => (lbs(c)["alb-in"] = { members: [gatewayMember("internal-1")] })),
      problems: [
        /loadBalancers\.alb-out\.gatewayHostname: is a two-step entry, .* reach its pooled Gateway's own load balancer \(the implementation's Service, with no ALB in front\)/,
        /loadBalancers\.alb-in\.members\[0\]\.gatewayHostname: is a two-step member, but certificates go to ACM/,
      ],
    },
    ...(["envoy-gateway", "istio"] as const).flatMap((implementation) => [
      {
        name: `autoscale with ACM certificates on ${implementation}, whose autoscaled Gateways would serve plain HTTP with no ALB in front`,
        edit: all(gatewayApiMode(implementation), acm, fixedMembers, autoscaleOut),
        problems: [
          new RegExp(
            `loadBalancers\\.alb-out\\.autoscale: adds pooled Gateways with no ALB in front, but certificates go to ACM \\(certificates\\.provider acm\\) and with ${implementation} a pooled Gateway's listeners are plain HTTP ` +
              ".* served unencrypted: remove autoscale and list the members with their ALBs .* cert-manager without importToAcm .* aws-load-balancer-controller",
          ),
        ],
      },
      {
        name: `autoscale with cert-manager importing into ACM on ${implementation}`,
        edit: all(gatewayApiMode(implementation), acm, certManager("istio-system", true), fixedMembers, autoscaleOut),
        problems: [
          /loadBalancers\.alb-out\.autoscale: adds pooled Gateways with no ALB in front, but certificates go to ACM \(certManager\.importToAcm\) and hostgate attaches each certificate to a member's ALB listener .* remove autoscale/,
        ],
      },
    ]),
    {
      name: "a selector of 9 labels on Istio, more than a pooled Gateway's spec.infrastructure.labels may hold",
      edit: all(gatewayApiMode("istio"), nineLabels),
      problems: [
        /gateway\.selector: has 9 labels, but with implementation istio hostgate copies gateway\.selector into every pooled Gateway's spec\.infrastructure\.labels, which the Gateway API allows 8 of at most .* select the gateway pods with 8 labels or fewer/,
      ],
    },
    {
      name: "a selector key whose prefix is 253 characters on Istio, one more than the Gateway API allows in spec.infrastructure.labels",
      edit: all(gatewayApiMode("istio"), (c) => ((c.gateway as Entry).selector = { [`${LONG_PREFIX}/app`]: "gw" })),
      problems: [
        /gateway\.selector\["a{63}\.a{63}\.a{63}\.a{61}\/app"\]: has a prefix of 253 characters, .* limits to 252 characters, .* use a label with a shorter prefix/,
      ],
    },
    {
      name: "a pooled Gateway's record at a zone apex",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"]!.gatewayHostname = "example.com")),
      problems: [/loadBalancers\.alb-out\.gatewayHostname: "example\.com" is a zone apex \(domains\[\]\.apex\); routes get a CNAME to it/],
    },
    {
      name: "a pooled Gateway's record outside the platform's zones",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"]!.gatewayHostname = "gw.example.org")),
      problems: [/loadBalancers\.alb-out\.gatewayHostname: "gw\.example\.org" is not under any of domains\[\]\.apex/],
    },
    {
      name: "a pooled Gateway's record too long for its TXT ownership record on Route53",
      edit: all(gatewayApiMode(), (c) => {
        c.dns = { provider: "route53", ownerId: "hostgate-prod" };
        lbs(c)["alb-out"]!.gatewayHostname = `${"a".repeat(58)}.example.com`;
      }),
      problems: [
        /loadBalancers\.alb-out\.gatewayHostname: "a{58}\.example\.com" has a first label of 58 characters, .* use a first label of at most 57 characters/,
      ],
    },
    {
      name: "two pooled Gateways published at one name",
      edit: all(
        gatewayApiMode(),
        (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("public-1"), gatewayMember("public-2", { gatewayHostname: "public-1-gw.example.com" })] }),
      ),
      problems: [
        /loadBalancers\.alb-out\.members\[1\]\.gatewayHostname: is the same name as loadBalancers\.alb-out\.members\[0\]\.gatewayHostname; one name holds one gateway's address/,
      ],
    },
    {
      name: "the public and internal pooled Gateways published at one name",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-in"]!.gatewayHostname = "public-gw.example.com")),
      problems: [
        /loadBalancers\.alb-in\.gatewayHostname: is the same name as loadBalancers\.alb-out\.gatewayHostname; one name holds one gateway's address, so give the internal gateway its own/,
      ],
    },
    {
      name: "a member's listeners above the Gateway API's 64",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("public-1", { capacity: { listeners: 65 } })] })),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.capacity\.listeners: must be <= 64\. Gateway API data plane: listeners this member's Gateway may hold/],
    },
    {
      name: "a member without room for a single listener",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("public-1", { capacity: { listeners: 0 } })] })),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.capacity\.listeners: must be >= 1\./],
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const problems = problemsOf(c.edit);
      assert.equal(problems.length, c.problems.length, problems.join("\n"));
      for (const [i, pattern] of c.problems.entries()) assert.match(problems[i]!, pattern);
    });
  }
});

describe("the GatewayClass of each class's pooled Gateways", () => {
  const cases = [
    { name: "without gatewayClassNames both classes use gatewayClassName", edit: gatewayApiMode("envoy-gateway"), out: "eg", inside: "eg" },
    {
      name: "gatewayClassNames names another for one class",
      edit: gatewayApiMode("envoy-gateway", { gatewayClassNames: { "alb-in": "eg-internal" } }),
      out: "eg",
      inside: "eg-internal",
    },
    {
      name: "with the AWS Load Balancer Controller a public class of its own is accepted",
      edit: all(gatewayApiMode("aws-load-balancer-controller"), acm),
      out: "eg-public",
      inside: "eg",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const config = load(c.edit);
      assert.equal(gatewayClassNameFor(config, "alb-out"), c.out);
      assert.equal(gatewayClassNameFor(config, "alb-in"), c.inside);
    });
  }

  it("with the AWS Load Balancer Controller one GatewayClass for both classes is refused, saying why and how to fix it", () => {
    assert.throws(
      () => load(all(gatewayApiMode("aws-load-balancer-controller", { gatewayClassNames: {} }), acm)),
      /gateway\.gatewayApi: gives alb-out and alb-in one GatewayClass \(eg\), but with aws-load-balancer-controller a pooled Gateway's ALB is internet-facing or internal by its GatewayClass's LoadBalancerConfiguration .*gatewayClassNames: \{alb-out: alb-public\}/,
    );
  });

  it("on the Istio data plane there is no GatewayClass", () => {
    assert.equal(
      gatewayClassNameFor(
        load(() => {}),
        "alb-out",
      ),
      undefined,
    );
  });
});
