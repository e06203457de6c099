// The shipped CRD manifests must be accepted by a real API server as they
// are. We cannot run one here, so each test checks one family of the rules
// it enforces, plus our own rules for documentation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import type { ICustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { compileCel } from "../policies/engine/cel.ts";
import { CRD_DIRECTORY, readCrds } from "./catalog.ts";
import type { CrdManifest } from "./catalog.ts";
import { celCostProblems } from "./cel-cost.ts";
import { fieldsWithoutDescription } from "./descriptions.ts";
import { KUBERNETES_CEL_BASELINE, kubernetesCelProblems } from "./kubernetes-cel.ts";
import { printerColumnProblems } from "./printer-columns.ts";
import type { JSONSchemaProps } from "./schema-props.ts";
import { additionalPropertiesOf, itemsOf } from "./schema-props.ts";
import { checkStructuralSchema } from "../policies/schema/crd-structural.ts";
import { collectValidationRules } from "./validation-rules.ts";
import type { EdgeStatus } from "./types.ts";
import { CONDITION_TYPES, EDGE_MEMBER_ANNOTATION } from "./types.ts";

const loaded = readCrds(CRD_DIRECTORY);

function versions(crd: CrdManifest) {
  return crd.spec.versions.map((v) => ({ version: v, schema: v.schema!.openAPIV3Schema }));
}

describe("the CRD manifests", () => {
  it("are exactly the five hostgate CRDs, one file each", () => {
    assert.deepEqual(
      loaded.map((l) => [l.file.slice(CRD_DIRECTORY.length).replace(/^\//, ""), l.crd.metadata.name]),
      [
        ["hostgate.dev_domainclaims.yaml", "domainclaims.hostgate.dev"],
        ["hostgate.dev_domainroutes.yaml", "domainroutes.hostgate.dev"],
        ["hostgate.dev_hostnamegrants.yaml", "hostnamegrants.hostgate.dev"],
        ["hostgate.dev_policymodules.yaml", "policymodules.hostgate.dev"],
        ["hostgate.dev_regionpolicies.yaml", "regionpolicies.hostgate.dev"],
      ],
    );
  });

  const expected = [
    { kind: "DomainRoute", plural: "domainroutes", scope: "Namespaced", shortNames: ["hgdr"], status: true },
    { kind: "HostnameGrant", plural: "hostnamegrants", scope: "Cluster", shortNames: ["hg"], status: false },
    { kind: "DomainClaim", plural: "domainclaims", scope: "Cluster", shortNames: ["dclaim"], status: false },
    // No short name: the obvious ones (rp, rpol) are other projects', and a shared one resolves to one CRD only.
    { kind: "RegionPolicy", plural: "regionpolicies", scope: "Namespaced", shortNames: undefined, status: false },
    // hgpm, after hgdr: pm, pmod and pol are other projects' or too generic.
    { kind: "PolicyModule", plural: "policymodules", scope: "Cluster", shortNames: ["hgpm"], status: false },
  ];
  for (const e of expected) {
    it(`define ${e.kind} as ${e.scope} ${e.plural} in hostgate.dev/v1alpha1, served and stored`, () => {
      const crd = loaded.find((l) => l.crd.spec.names.kind === e.kind)?.crd;
      assert.ok(crd, `no CRD for ${e.kind}`);
      assert.equal(crd.metadata.name, `${e.plural}.hostgate.dev`);
      assert.equal(crd.spec.group, "hostgate.dev");
      assert.equal(crd.spec.scope, e.scope);
      assert.equal(crd.spec.names.plural, e.plural);
      assert.deepEqual(crd.spec.names.shortNames, e.shortNames);
      assert.deepEqual(crd.spec.names.categories, ["hostgate"]);
      assert.deepEqual(
        crd.spec.versions.map((v) => [v.name, v.served, v.storage]),
        [["v1alpha1", true, true]],
      );
      assert.equal(crd.spec.versions[0]!.subresources?.status !== undefined, e.status);
    });
  }

  it("are checked by a model that does reject a CustomResourceDefinition breaking the API", () => {
    const bad = structuredClone(loaded[0]!.crd) as unknown as { spec: { scope: string; versions: { served?: unknown }[] } };
    bad.spec.scope = 7 as unknown as string;
    delete bad.spec.versions[0]!.served;
    const model = new CustomResourceDefinition(bad as unknown as ICustomResourceDefinition);
    assert.throws(() => model.validate());
  });

  for (const { crd, file } of loaded) {
    const name = crd.spec.names.kind;
    it(`${name} validates against the official CustomResourceDefinition model`, () => {
      const model = new CustomResourceDefinition(crd as unknown as ICustomResourceDefinition);
      assert.doesNotThrow(() => model.validate(), `${file} does not match the CustomResourceDefinition API`);
    });

    for (const { version, schema } of versions(crd)) {
      it(`${name} ${version.name} has a structural schema the API server accepts`, () => {
        const problems = checkStructuralSchema(schema, { statusSubresource: version.subresources?.status !== undefined });
        assert.deepEqual(
          problems.map((p) => p.message),
          [],
        );
      });

      it(`${name} ${version.name} bounds every string, list and map its CEL rules can reach`, () => {
        assert.deepEqual(
          celCostProblems(schema).map((p) => p.message),
          [],
        );
      });

      it(`${name} ${version.name} bounds every string, list and map, except inside the upstream metav1.Condition`, () => {
        assert.deepEqual(unbounded(schema, "openAPIV3Schema"), [
          ...(name === "DomainRoute"
            ? [
                "openAPIV3Schema.properties[status].properties[conditions].items.properties[lastTransitionTime]",
                "openAPIV3Schema.properties[status].properties[conditions].items.properties[status]",
              ]
            : []),
        ]);
      });

      it(`${name} ${version.name} describes every field`, () => {
        assert.deepEqual(fieldsWithoutDescription(schema), []);
      });

      it(`${name} ${version.name} printer columns point at fields the schema declares`, () => {
        assert.deepEqual(printerColumnProblems(version), []);
      });

      it(`${name} ${version.name} CEL rules compile in the hostgate CEL engine`, () => {
        for (const rule of collectValidationRules(schema)) {
          for (const source of [rule.rule, rule.messageExpression].filter((s) => s !== undefined)) {
            const compiled = compileCel(source, { variables: ["self", "oldSelf"] });
            assert.ok(compiled.ok, `${rule.dataPath || "<root>"}: ${source}: ${compiled.ok ? "" : compiled.message}`);
          }
        }
      });

      it(`${name} ${version.name} CEL rules call only what a Kubernetes ${KUBERNETES_CEL_BASELINE} API server offers new rules`, () => {
        const problems = collectValidationRules(schema).flatMap((rule) =>
          [rule.rule, rule.messageExpression]
            .filter((s) => s !== undefined)
            .flatMap((source) => kubernetesCelProblems(source).map((p) => `${rule.dataPath || "<root>"}: ${source}: ${p}`)),
        );
        assert.deepEqual(problems, []);
      });
    }
  }
});

describe("the DomainRoute manifest", () => {
  const route = loaded.find((l) => l.crd.spec.names.kind === "DomainRoute")!.crd;
  const version = route.spec.versions[0]!;
  const spec = version.schema!.openAPIV3Schema.properties!.spec!;

  it("has the printer columns app teams look at", () => {
    assert.deepEqual(
      version.additionalPrinterColumns?.map((c) => [c.name, c.jsonPath, c.priority ?? 0]),
      [
        ["Domain", ".spec.domain", 0],
        ["LB", ".spec.lb", 0],
        ["Mode", ".spec.routing.mode", 0],
        ["Ready", '.status.conditions[?(@.type=="Ready")].status', 0],
        ["Reason", '.status.conditions[?(@.type=="Ready")].reason', 0],
        // Priority 1: shown with -o wide, where a platform person looks for the pool member.
        ["Member", ".status.edge.member", 1],
        ["Age", ".metadata.creationTimestamp", 0],
      ],
    );
  });

  it("describes every condition type hostgate writes where it describes status.conditions", () => {
    const description = version.schema!.openAPIV3Schema.properties!.status!.properties!.conditions!.description ?? "";
    assert.deepEqual(
      CONDITION_TYPES.filter((type) => !description.includes(`\`${type}\``)),
      [],
    );
  });

  it("declares status.edge with the fields of EdgeStatus, the placement's required and bounded, the data plane an enum, and documents how to move a route", () => {
    const edge = version.schema!.openAPIV3Schema.properties!.status!.properties!.edge!;
    const fields: (keyof EdgeStatus)[] = ["loadBalancer", "member", "target"];
    assert.deepEqual(Object.keys(edge.properties ?? {}), [...fields, "dataPlane", "implementation", "gatewayClassName"] satisfies (keyof EdgeStatus)[]);
    assert.deepEqual(edge.required, fields);
    // Optional: routes placed before there was a choice of data plane have none (they are served through Istio).
    assert.deepEqual(edge.properties!.dataPlane!.enum, ["istio", "gateway-api"] satisfies NonNullable<EdgeStatus["dataPlane"]>[]);
    // Optional (the Gateway API data plane only; absent on routes placed before they were recorded), bounded.
    assert.deepEqual(edge.properties!.implementation!.enum, ["envoy-gateway", "istio", "aws-load-balancer-controller"] satisfies NonNullable<
      EdgeStatus["implementation"]
    >[]);
    assert.deepEqual([edge.properties!.implementation!.maxLength, edge.properties!.gatewayClassName!.maxLength], [32, 253]);
    assert.deepEqual(
      fields.map((f) => [f, edge.properties![f]!.maxLength]),
      [
        ["loadBalancer", 63],
        ["member", 63],
        ["target", 253],
      ],
    );
    assert.match(edge.description ?? "", new RegExp(EDGE_MEMBER_ANNOTATION));
    assert.match(version.schema!.openAPIV3Schema.description ?? "", new RegExp(`\`${EDGE_MEMBER_ANNOTATION}: <member>\``));
  });

  it("requires domain and lb and gives lb no default", () => {
    assert.deepEqual(spec.required, ["domain", "lb"]);
    assert.equal(spec.properties!.lb!.default, undefined);
  });

  it("declares the exact metav1.Condition schema for status.conditions", () => {
    const conditions = version.schema!.openAPIV3Schema.properties!.status!.properties!.conditions!;
    assert.equal(conditions["x-kubernetes-list-type"], "map");
    assert.deepEqual(conditions["x-kubernetes-list-map-keys"], ["type"]);
    const item = itemsOf(conditions)!;
    assert.deepEqual(item.required, ["lastTransitionTime", "message", "reason", "status", "type"]);
    const p = item.properties!;
    assert.equal(p.lastTransitionTime!.format, "date-time");
    assert.equal(p.message!.maxLength, 32768);
    assert.equal(p.observedGeneration!.format, "int64");
    assert.equal(p.reason!.pattern, "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    assert.equal(p.reason!.maxLength, 1024);
    assert.deepEqual(p.status!.enum, ["True", "False", "Unknown"]);
    assert.equal(p.type!.maxLength, 316);
  });
});

/** Schema paths of strings, lists and maps without a bound. */
function unbounded(node: JSONSchemaProps, path: string): string[] {
  const out: string[] = [];
  if (node.type === "string" && node.maxLength === undefined) out.push(path);
  if (node.type === "array" && node.maxItems === undefined) out.push(path);
  if (additionalPropertiesOf(node) !== undefined && node.maxProperties === undefined) out.push(path);
  for (const [name, child] of Object.entries(node.properties ?? {})) out.push(...unbounded(child, `${path}.properties[${name}]`));
  const items = itemsOf(node);
  if (items !== undefined) out.push(...unbounded(items, `${path}.items`));
  return out;
}
