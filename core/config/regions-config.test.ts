// The platform config's cluster, regions and dns.regionMode, and two-step
// load balancer entries: defaults, and the rules of region-checks.ts and
// load-balancer-checks.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, problemsOf } from "./config-fixtures.ts";
import { loadBalancerTarget } from "./load-balancer-target.ts";
import { parsePlatformConfig } from "./load.ts";

type Data = Record<string, any>;
type Edit = (c: ConfigData) => void;

/** Two regions on external-dns, this cluster in weu. */
function twoRegions(c: ConfigData): void {
  c.cluster = { name: "aks01-weu", region: "weu" };
  c.regions = [
    { name: "weu", dnsControllerLabels: { "router.io/region": "weu" }, route53Region: "eu-west-1" },
    { name: "neu", dnsControllerLabels: { "router.io/region": "neu" }, route53Region: "eu-north-1" },
  ];
  c.dns = { provider: "external-dns" };
}

/** Both load balancers two-step, on the gateway Services of this cluster. */
function twoStep(c: ConfigData): void {
  c.loadBalancers = {
    "alb-out": { service: { namespace: "istio-system", name: "gateway-public" }, gatewayHostname: "aks01-weu-public.example.com" },
    "alb-in": { service: { namespace: "istio-system", name: "gateway-internal" }, gatewayHostname: "aks01-weu-internal.example.com" },
  };
}

const onRoute53: Edit = (c) => (c.dns = { provider: "route53" });
const lb = (c: ConfigData, name: string) => (c.loadBalancers as Data)[name] as Data;
const regions = (c: ConfigData) => c.regions as Data[];
const then =
  (...edits: Edit[]): Edit =>
  (c) => {
    for (const edit of edits) edit(c);
  };

describe("a config without regions", () => {
  it("has no regions, no cluster and the Active default mode, so it publishes as a single cluster does", () => {
    const config = parsePlatformConfig(configYaml(), "platform.yaml");
    assert.deepEqual(config.regions, []);
    assert.equal(config.cluster, undefined);
    assert.deepEqual(config.dns.regionMode, { mode: "Active" });
    assert.equal(config.dns.ownerId, undefined);
  });
});

describe("a two-region config", () => {
  it("is accepted with its regions as written and the cluster's name as owner id", () => {
    const config = parsePlatformConfig(configYaml(twoRegions), "platform.yaml");
    assert.deepEqual(config.cluster, { name: "aks01-weu", region: "weu" });
    assert.deepEqual(
      config.regions.map((r) => r.name),
      ["weu", "neu"],
    );
    assert.deepEqual(config.regions[1].dnsControllerLabels, { "router.io/region": "neu" });
    assert.equal(config.dns.ownerId, "aks01-weu");
  });

  it("keeps an explicit owner id over the cluster's name", () => {
    const config = parsePlatformConfig(configYaml(then(twoRegions, (c) => ((c.dns as Data).ownerId = "hostgate-weu"))), "platform.yaml");
    assert.equal(config.dns.ownerId, "hostgate-weu");
  });

  it("satisfies route53's owner id requirement through the cluster's name", () => {
    const config = parsePlatformConfig(configYaml(then(twoRegions, (c) => (c.dns = { provider: "route53" }))), "platform.yaml");
    assert.equal(config.dns.ownerId, "aks01-weu");
  });

  it("accepts a RegionBound platform default naming a listed region", () => {
    const config = parsePlatformConfig(
      configYaml(then(twoRegions, (c) => ((c.dns as Data).regionMode = { mode: "RegionBound", sourceRegion: "neu" }))),
      "platform.yaml",
    );
    assert.deepEqual(config.dns.regionMode, { mode: "RegionBound", sourceRegion: "neu" });
  });

  it("needs no dnsControllerLabels or route53Region without a DNS provider", () => {
    const config = parsePlatformConfig(
      configYaml(
        then(twoRegions, (c) => {
          c.dns = {};
          c.regions = [{ name: "weu" }, { name: "neu" }];
        }),
      ),
      "platform.yaml",
    );
    assert.deepEqual(config.regions[0], { name: "weu", dnsControllerLabels: {} });
  });
});

describe("two-step load balancer entries", () => {
  it("are accepted and read as service targets, with ipAddressType defaulted", () => {
    const config = parsePlatformConfig(configYaml(twoStep), "platform.yaml");
    assert.deepEqual(loadBalancerTarget(config.loadBalancers["alb-in"]), {
      kind: "service",
      service: { namespace: "istio-system", name: "gateway-internal" },
      gatewayHostname: "aks01-weu-internal.example.com",
    });
    assert.equal(config.loadBalancers["alb-in"].ipAddressType, "ipv4");
  });

  it("may have a first label of 57 characters on Route53, where its TXT ownership record is cname- before it", () => {
    const hostname = `${"g".repeat(57)}.example.com`;
    const edit = then(twoStep, (c) => {
      c.dns = { provider: "route53", ownerId: "hostgate-prod" };
      lb(c, "alb-in").gatewayHostname = hostname;
    });
    assert.equal(parsePlatformConfig(configYaml(edit), "platform.yaml").loadBalancers["alb-in"].gatewayHostname, hostname);
  });

  it("may sit beside a fixed entry", () => {
    const edit = then(twoStep, (c) => ((c.loadBalancers as Data)["alb-out"] = validOut()));
    const config = parsePlatformConfig(configYaml(edit), "platform.yaml");
    assert.equal(loadBalancerTarget(config.loadBalancers["alb-out"]).kind, "fixed");
    assert.equal(loadBalancerTarget(config.loadBalancers["alb-in"]).kind, "service");
  });

  it("accept a listener ARN left from a fixed entry (unused: ACM certificates are refused with two-step entries)", () => {
    const arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/internal-1/60dc6c495c0c9188/a2f7dc8efc522ab3";
    const config = parsePlatformConfig(configYaml(then(twoStep, (c) => (lb(c, "alb-in").listenerArn = arn))), "platform.yaml");
    assert.equal(config.loadBalancers["alb-in"].listenerArn, arn);
  });
});

function validOut(): Data {
  return { dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" };
}

describe("the config check refuses", () => {
  const cases: { name: string; edit: Edit; problems: RegExp[] }[] = [
    {
      name: "regions without cluster, listing the regions to choose from",
      edit: then(twoRegions, (c) => delete c.cluster),
      problems: [
        /^platform\.yaml:1:1: cluster: required key is missing because regions lists 2 region\(s\); add cluster: \{name: .*region: <one of weu, neu>\}/,
      ],
    },
    {
      name: "a cluster region that is not listed",
      edit: then(twoRegions, (c) => ((c.cluster as Data).region = "seu")),
      problems: [/cluster\.region: "seu" is not one of regions\[\]\.name \(weu, neu\); set it to the region this cluster runs in/],
    },
    {
      name: "a cluster without regions",
      edit: (c) => (c.cluster = { name: "aks01-weu", region: "weu" }),
      problems: [
        /cluster\.region: "weu" is not one of regions\[\]\.name \(the config lists no regions\); list the platform's regions under regions, or remove cluster/,
      ],
    },
    {
      name: "a cluster name that is not a DNS label",
      edit: then(twoRegions, (c) => ((c.cluster as Data).name = "AKS_01")),
      problems: [/cluster\.name: "AKS_01" is not valid\. This cluster's name: a DNS label/],
    },
    {
      name: "a cluster without its region",
      edit: then(twoRegions, (c) => delete (c.cluster as Data).region),
      problems: [/cluster\.region: required key is missing; add it\. The region this cluster runs in/],
    },
    {
      name: "more regions than a route's status can list",
      edit: then(twoRegions, (c) => {
        c.regions = Array.from({ length: 33 }, (_, n) => ({ name: `r${n}`, dnsControllerLabels: { "router.io/region": `r${n}` } }));
        (c.cluster as Data).region = "r0";
      }),
      problems: [/^platform\.yaml:\d+:\d+: regions: has 33 item\(s\), allows at most 32\. The regions the platform spans/],
    },
    {
      name: "a region listed twice",
      edit: then(twoRegions, (c) => regions(c).push({ name: "weu", dnsControllerLabels: { "router.io/region": "weu2" } })),
      problems: [/regions\[2\]\.name: "weu" is already listed at regions\[0\]; each region is listed once/],
    },
    {
      name: "a region name that is not a DNS label",
      edit: then(twoRegions, (c) => (regions(c)[1].name = "north.eu")),
      problems: [/regions\[1\]\.name: "north\.eu" is not valid\. The region's name: a DNS label/],
    },
    {
      name: "route53 with a region lacking route53Region",
      edit: then(twoRegions, onRoute53, (c) => delete regions(c)[1].route53Region),
      problems: [/regions\[1\]: needs route53Region because dns\.provider is route53: set it to the AWS region .* e\.g\. eu-west-1/],
    },
    {
      name: "a route53Region that is not an AWS region",
      edit: then(twoRegions, (c) => (regions(c)[1].route53Region = "europe-north")),
      problems: [/regions\[1\]\.route53Region: "europe-north" is not valid\. .*AWS region/],
    },
    {
      name: "route53 with two regions in one AWS region, which Route53's latency records cannot tell apart",
      edit: then(twoRegions, onRoute53, (c) => (regions(c)[1].route53Region = "eu-west-1")),
      problems: [/regions\[1\]\.route53Region: "eu-west-1" is also regions\[0\]\.route53Region; Route53 allows one latency record per AWS region/],
    },
    {
      name: "external-dns with a region lacking dnsControllerLabels",
      edit: then(twoRegions, (c) => delete regions(c)[0].dnsControllerLabels),
      problems: [/regions\[0\]\.dnsControllerLabels: needs at least one label because dns\.provider is external-dns/],
    },
    {
      name: "external-dns with two regions with the same labels",
      edit: then(twoRegions, (c) => (regions(c)[1].dnsControllerLabels = { "router.io/region": "weu" })),
      problems: [/regions\[1\]\.dnsControllerLabels: are the same labels as regions\[0\]\.dnsControllerLabels; both regions' external-dns instances/],
    },
    {
      name: "external-dns with one region's labels inside another's, which its instance would also select",
      edit: then(twoRegions, (c) => (regions(c)[0].dnsControllerLabels = { "router.io/region": "neu", tier: "eu" })),
      problems: [
        /regions\[0\]\.dnsControllerLabels: include all of regions\[1\]\.dnsControllerLabels, so that region's external-dns instance would also write/,
      ],
    },
    {
      name: "a RegionBound default without its source region",
      edit: then(twoRegions, (c) => ((c.dns as Data).regionMode = { mode: "RegionBound" })),
      problems: [/dns\.regionMode: needs sourceRegion because mode is RegionBound: set it to the region whose cluster publishes, one of weu, neu/],
    },
    {
      name: "a RegionBound default naming an unlisted region",
      edit: then(twoRegions, (c) => ((c.dns as Data).regionMode = { mode: "RegionBound", sourceRegion: "seu" })),
      problems: [/dns\.regionMode\.sourceRegion: "seu" is not one of regions\[\]\.name \(weu, neu\)/],
    },
    {
      name: "a RegionBound default on a platform without regions",
      edit: (c) => (c.dns = { regionMode: { mode: "RegionBound", sourceRegion: "weu" } }),
      problems: [/dns\.regionMode\.mode: is RegionBound, but the config lists no regions/],
    },
    {
      name: "an Active default with a source region",
      edit: then(twoRegions, (c) => ((c.dns as Data).regionMode = { mode: "Active", sourceRegion: "weu" })),
      problems: [/dns\.regionMode\.sourceRegion: is only used with mode RegionBound/],
    },
    {
      name: "an unknown region mode",
      edit: then(twoRegions, (c) => ((c.dns as Data).regionMode = { mode: "Passive" })),
      problems: [/dns\.regionMode\.mode: is "Passive", must be one of "Active", "RegionBound"/],
    },
    {
      name: "an entry with keys of both kinds",
      edit: then(twoStep, (c) => (lb(c, "alb-in").dnsName = "internal-1.us-east-1.elb.amazonaws.com")),
      problems: [/loadBalancers\.alb-in\.dnsName: is a fixed load balancer's key, but this entry also has service and gatewayHostname/],
    },
    {
      name: "a two-step entry without its gateway hostname",
      edit: then(twoStep, (c) => delete lb(c, "alb-in").gatewayHostname),
      problems: [/loadBalancers\.alb-in\.gatewayHostname: required key is missing; add it\. Two-step entries: the name hostgate publishes/],
    },
    {
      name: "a two-step entry without its service",
      edit: then(twoStep, (c) => delete lb(c, "alb-out").service),
      problems: [/loadBalancers\.alb-out\.service: required key is missing; add it\. Two-step entries: the gateway's Service/],
    },
    {
      name: "a service without a name",
      edit: then(twoStep, (c) => delete lb(c, "alb-out").service.name),
      problems: [/loadBalancers\.alb-out\.service\.name: required key is missing; add it\. Name of the Service/],
    },
    {
      name: "a gateway hostname outside every apex",
      edit: then(twoStep, (c) => (lb(c, "alb-in").gatewayHostname = "gw.example.org")),
      problems: [/loadBalancers\.alb-in\.gatewayHostname: "gw\.example\.org" is not under any of domains\[\]\.apex \(example\.com, corp\.example\.net\)/],
    },
    {
      name: "a gateway hostname that is an apex",
      edit: then(twoStep, (c) => (lb(c, "alb-in").gatewayHostname = "corp.example.net")),
      problems: [/loadBalancers\.alb-in\.gatewayHostname: "corp\.example\.net" is a zone apex .* a CNAME cannot sit at an apex/],
    },
    {
      name: "an uppercase gateway hostname, once, as the schema says",
      edit: then(twoStep, (c) => (lb(c, "alb-in").gatewayHostname = "GW.example.com")),
      problems: [/loadBalancers\.alb-in\.gatewayHostname: "GW\.example\.com" is not valid\./],
    },
    {
      name: "on Route53, a gateway hostname whose first label leaves no room for its TXT ownership record's cname- prefix",
      edit: then(twoStep, (c) => {
        c.dns = { provider: "route53", ownerId: "hostgate-prod" };
        lb(c, "alb-in").gatewayHostname = `${"g".repeat(58)}.example.com`;
      }),
      problems: [
        /^platform\.yaml:\d+:\d+: loadBalancers\.alb-in\.gatewayHostname: "g{58}\.example\.com" has a first label of 58 characters, .* at most 57 characters/,
      ],
    },
    {
      name: "on Route53, a gateway hostname too long for its TXT ownership record's name",
      edit: then(twoStep, (c) => {
        c.dns = { provider: "route53", ownerId: "hostgate-prod" };
        lb(c, "alb-in").gatewayHostname = `${Array.from({ length: 4 }, () => "h".repeat(57)).join(".")}.${"i".repeat(9)}.example.com`;
      }),
      problems: [/loadBalancers\.alb-in\.gatewayHostname: ".*" is 253 characters, .* at most 247/],
    },
    {
      name: "both load balancers on one Service",
      edit: then(twoStep, (c) => (lb(c, "alb-in").service = { namespace: "istio-system", name: "gateway-public" })),
      problems: [
        /loadBalancers\.alb-in\.service: is the same Service as loadBalancers\.alb-out\.service \(istio-system\/gateway-public\); internal routes would be reachable/,
      ],
    },
    {
      name: "both load balancers at one gateway hostname",
      edit: then(twoStep, (c) => (lb(c, "alb-in").gatewayHostname = "aks01-weu-public.example.com")),
      problems: [/loadBalancers\.alb-in\.gatewayHostname: is the same name as loadBalancers\.alb-out\.gatewayHostname/],
    },
    {
      name: "the same fixed load balancer twice",
      edit: (c) => (lb(c, "alb-in").dnsName = "public-1.us-east-1.elb.amazonaws.com"),
      problems: [/loadBalancers\.alb-in\.dnsName: is the same load balancer as loadBalancers\.alb-out\.dnsName/],
    },
    {
      name: "two-step entries when certificates go to ACM, whose listener the routes' traffic never reaches",
      edit: then(twoStep, (c) => {
        c.dns = { provider: "route53", ownerId: "hostgate-prod" };
        c.certificates = { provider: "acm" };
        lb(c, "alb-out").listenerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";
      }),
      problems: [
        /^platform\.yaml:\d+:\d+: loadBalancers\.alb-out\.service: is a two-step entry, but certificates go to ACM \(certificates\.provider acm\): .* use certificates\.provider cert-manager/,
        /^platform\.yaml:\d+:\d+: loadBalancers\.alb-in\.service: is a two-step entry, but certificates go to ACM/,
      ],
    },
    {
      name: "a two-step entry when cert-manager's certificates are imported to ACM",
      edit: then(
        twoStep,
        (c) => (lb(c, "alb-out").dnsName = "public-1.us-east-1.elb.amazonaws.com"),
        (c) => (lb(c, "alb-out").hostedZoneId = "Z35SXDOTRQ7X7K"),
        (c) => delete lb(c, "alb-out").service,
        (c) => delete lb(c, "alb-out").gatewayHostname,
        (c) => {
          c.dns = { provider: "route53", ownerId: "hostgate-prod" };
          c.certificates = { provider: "cert-manager", certManager: { issuerRef: { kind: "ClusterIssuer", name: "le" }, importToAcm: true } };
          lb(c, "alb-out").listenerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";
          lb(c, "alb-in").listenerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal-1/60dc6c495c0c9188/a2f7dc8efc522ab3";
        },
      ),
      problems: [/loadBalancers\.alb-in\.service: is a two-step entry, but certificates go to ACM \(certManager\.importToAcm\)/],
    },
    {
      name: "a region's dnsControllerLabels key under hostgate.dev/, which hostgate's own label would overwrite",
      edit: then(twoRegions, (c) => (regions(c)[1].dnsControllerLabels = { "hostgate.dev/region": "neu" })),
      problems: [
        /^platform\.yaml:\d+:\d+: regions\[1\]\.dnsControllerLabels\["hostgate\.dev\/region"\]: is hostgate's own label key .* use a key of your own, e\.g\. router\.io\/region/,
      ],
    },
    {
      name: "a region's dnsControllerLabels naming app.kubernetes.io/managed-by, which hostgate sets to hostgate",
      edit: then(twoRegions, (c) => (regions(c)[0].dnsControllerLabels = { "router.io/region": "weu", "app.kubernetes.io/managed-by": "flux" })),
      problems: [/regions\[0\]\.dnsControllerLabels\["app\.kubernetes\.io\/managed-by"\]: is hostgate's own label key/],
    },
    {
      name: "dns.externalDns.labels with a key under hostgate.dev/, overwritten the same way",
      edit: then(twoRegions, (c) => ((c.dns as Data).externalDns = { labels: { "hostgate.dev/cluster": "aks01-weu" } })),
      problems: [/dns\.externalDns\.labels\["hostgate\.dev\/cluster"\]: is hostgate's own label key/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = problemsOf(c.edit);
      assert.equal(problems.length, c.problems.length, problems.join("\n"));
      for (const [i, pattern] of c.problems.entries()) assert.match(problems[i], pattern);
    });
  }
});
