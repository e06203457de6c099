// The manifests in deploy/ must install the admission webhook and the
// reconciler on a real cluster as they are. No API server runs here, so these
// tests check what one would: every object against the official API schemas
// (types, enums, required fields) and against the field list of the same API
// version (`kubectl apply` validates fields strictly, so a misspelt field
// fails the install); and what no schema can see: that the objects agree with
// one another (webhook → Service → container port, probes, selectors, RBAC
// and which identity holds it) and with the CRDs and the platform config. The
// kustomize builds run through `kubectl kustomize` when kubectl is installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { MutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import { ValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1/PriorityClass";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { parse, parseAllDocuments } from "yaml";
import { CRD_DIRECTORY, loadCrdCatalog, readCrds } from "../crds/catalog.ts";
import { parsePlatformConfig } from "../core/config/index.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import { checkCustomResource } from "../policies/schema/check.ts";
import { AUDITED_RESOURCES } from "../core/state/audited-resources.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEPLOY = join(ROOT, "deploy");
const BASE = join(DEPLOY, "base");

const NAMESPACE = "hostgate-system";
/** The webhook's Deployment, ServiceAccount, PodDisruptionBudget and roles. */
const WEBHOOK = "hostgate-webhook";
const SERVICE_ACCOUNT = WEBHOOK;
/** The reconciler's Deployment, ServiceAccount, PodDisruptionBudget, roles, and the Lease it elects its leader on. */
const RECONCILER = "hostgate-reconciler";
const RECONCILER_SERVICE_ACCOUNT = RECONCILER;
const LEADER_ELECTION_LEASE = RECONCILER;
/** The self-service page's ServiceAccount and roles (components/portal). */
const PORTAL = "hostgate-portal";
/** The one EnvoyFilter and the one ConfigMap the reconciler rewrites in the gateway namespace. */
const IDENTITY_ENVOY_FILTER = "hostgate-identity";
const IDENTITY_CONFIG_MAP = "hostgate-identity-table";
const SERVICE = "hostgate-webhook";
const TLS_SECRET = "hostgate-webhook-tls";
const VALIDATING = "hostgate-validating";
const MUTATING = "hostgate-mutating";
const IMAGE = "ghcr.io/hostgate/hostgate";
/** The release the manifests install: the image tag is this version (see the Dockerfile and README "Release"). */
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

// ---------------------------------------------------------------------------
// Loading

// Manifests are free-form YAML; the checks below read them as the API does.
type Json = any;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: Json;
}

interface LoadedDoc {
  /** Path under deploy/, and the document's position in the file. */
  where: string;
  doc: Json;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return yamlFilesUnder(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

function parseFile(file: string): { docs: LoadedDoc[]; errors: string[] } {
  const where = relative(DEPLOY, file);
  const parsed = parseAllDocuments(readFileSync(file, "utf8"), { prettyErrors: true });
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const errors = list.flatMap((d, i) => [...d.errors, ...d.warnings].map((e) => `${where} #${i}: ${e.message}`));
  const docs = list.map((d, i) => ({ where: `${where} #${i}`, doc: d.toJS() as Json })).filter((d) => d.doc !== null && d.doc !== undefined);
  return { docs, errors };
}

function docsOf(file: string): Json[] {
  const { docs, errors } = parseFile(file);
  assert.deepEqual(errors, [], `${file} does not parse`);
  return docs.map((d) => d.doc);
}

/** Every object a kustomization (or component) directory lists under `resources:` that is a file of its own. */
function resourcesOf(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Json;
  return (kustomization.resources ?? []).flatMap((entry: string) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? resourcesOf(path) : (docsOf(path) as Manifest[]);
  });
}

/** The ConfigMaps a kustomization generates: name, namespace and the files each holds. */
function generatedConfigMaps(dir: string): { name: string; namespace?: string; files: string[] }[] {
  const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Json;
  return (kustomization.configMapGenerator ?? []).map((g: Json) => ({
    name: g.name,
    namespace: g.namespace,
    files: (g.files ?? []).map((f: string) => join(dir, f.includes("=") ? f.split("=")[1]! : f)),
  }));
}

const ALL_FILES = yamlFilesUnder(DEPLOY);
const BASE_OBJECTS = resourcesOf(BASE);
const BASE_CONFIGMAPS = generatedConfigMaps(BASE);
const PLATFORM_CONFIG_MOUNT = "/etc/hostgate";
const PLATFORM_CONFIG_FILE = BASE_CONFIGMAPS.flatMap((g) => g.files).find((f) => f.endsWith("/platform-config.yaml"));
/**
 * Where the ingress gateway runs (`gateway.namespace` of the shipped platform
 * config): the reconciler's Role lives there. A config that does not load is
 * reported by its own test below, not by a crash here.
 */
const GATEWAY_NAMESPACE = ((): string => {
  try {
    return parsePlatformConfig(readFileSync(PLATFORM_CONFIG_FILE!, "utf8"), PLATFORM_CONFIG_FILE!).gateway.namespace;
  } catch {
    return "(the platform config does not load)";
  }
})();

function one(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `expected exactly one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

/** The pod spec of a Deployment, by name: the webhook's unless told. */
function podSpecOf(objects: Manifest[], deployment = WEBHOOK): Json {
  return one(objects, "Deployment", deployment).spec.template.spec;
}

/** The one container of a Deployment's pods, by name: the webhook's unless told. */
function containerOf(objects: Manifest[], deployment = WEBHOOK): Json {
  const containers = podSpecOf(objects, deployment).containers as Json[];
  assert.equal(containers.length, 1, `the ${deployment} pod runs exactly one container`);
  return containers[0];
}

function webhookContainerOf(objects: Manifest[]): Json {
  return containerOf(objects, WEBHOOK);
}

/** The component an object belongs to: the reconciler's and the portal's objects are all named after them (the portal's roles for people after DomainRoutes). */
function componentOf(doc: Manifest): "webhook" | "reconciler" | "portal" {
  if (doc.metadata.name === PORTAL || doc.metadata.name.startsWith(`${PORTAL}-`) || doc.metadata.name.startsWith("hostgate-domainroutes-")) return "portal";
  return doc.metadata.name === RECONCILER || doc.metadata.name.startsWith(`${RECONCILER}-`) ? "reconciler" : "webhook";
}

// ---------------------------------------------------------------------------
// The API schemas

type ModelClass = new (data: never) => { validate(): void };

/** apiVersion/kind → the kubernetes-models class (types, enums, required) and the client-node class (field names). */
const API: Record<string, { model: ModelClass; fields: string }> = {
  "v1/Namespace": { model: Namespace, fields: "V1Namespace" },
  "v1/ConfigMap": { model: ConfigMap, fields: "V1ConfigMap" },
  "v1/ServiceAccount": { model: ServiceAccount, fields: "V1ServiceAccount" },
  "v1/Service": { model: Service, fields: "V1Service" },
  "apps/v1/Deployment": { model: Deployment, fields: "V1Deployment" },
  "policy/v1/PodDisruptionBudget": { model: PodDisruptionBudget, fields: "V1PodDisruptionBudget" },
  "scheduling.k8s.io/v1/PriorityClass": { model: PriorityClass, fields: "V1PriorityClass" },
  "rbac.authorization.k8s.io/v1/ClusterRole": { model: ClusterRole, fields: "V1ClusterRole" },
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": { model: ClusterRoleBinding, fields: "V1ClusterRoleBinding" },
  "rbac.authorization.k8s.io/v1/Role": { model: Role, fields: "V1Role" },
  "rbac.authorization.k8s.io/v1/RoleBinding": { model: RoleBinding, fields: "V1RoleBinding" },
  "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": {
    model: ValidatingWebhookConfiguration,
    fields: "V1ValidatingWebhookConfiguration",
  },
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": {
    model: MutatingWebhookConfiguration,
    fields: "V1MutatingWebhookConfiguration",
  },
  "networking.k8s.io/v1/NetworkPolicy": { model: NetworkPolicy, fields: "V1NetworkPolicy" },
};

interface AttributeType {
  baseName: string;
  type: string;
}

function fieldTable(typeName: string): AttributeType[] | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[typeName] as { getAttributeTypeMap?: () => AttributeType[] } | undefined;
  return typeof candidate?.getAttributeTypeMap === "function" ? candidate.getAttributeTypeMap() : undefined;
}

/** Paths of fields the API version does not define: what `kubectl apply` (strict field validation) rejects. */
function unknownFields(value: Json, typeName: string, path: string): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) {
    return Array.isArray(value) ? value.flatMap((v: Json, i: number) => unknownFields(v, array[1]!, `${path}[${i}]`)) : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) {
    return typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`)) : [];
  }
  const fields = fieldTable(typeName);
  if (!fields || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const field = fields.find((f) => f.baseName === key);
    return field ? unknownFields(v, field.type, `${path}.${key}`) : [`${path}.${key}`];
  });
}

/** Problems the API server would report for a Kubernetes object, or the reason it cannot be checked. */
function apiProblems(doc: Manifest): string[] {
  const api = API[`${doc.apiVersion}/${doc.kind}`];
  if (!api) return [`no schema known for ${doc.apiVersion} ${doc.kind}: add it to the table in this test`];
  const problems: string[] = [];
  try {
    new api.model(structuredClone(doc) as never).validate();
  } catch (error) {
    problems.push(String((error as Error).message));
  }
  problems.push(...unknownFields(doc, api.fields, "").map((p) => `unknown field ${p.slice(1)}`));
  return problems;
}

// cert-manager has no model here: its objects are checked against the fields
// of cert-manager.io/v1 that hostgate uses, which must be spelt right and
// hold values cert-manager accepts.
const GO_DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;
const KEY_USAGES = new Set(["digital signature", "key encipherment", "server auth", "client auth", "cert sign", "crl sign"]);

function hours(duration: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration)!;
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600;
}

function certManagerProblems(doc: Manifest): string[] {
  const problems: string[] = [];
  const extra = (obj: Json, allowed: string[], at: string) => {
    for (const key of Object.keys(obj ?? {})) if (!allowed.includes(key)) problems.push(`unknown field ${at}.${key}`);
  };
  if (doc.apiVersion !== "cert-manager.io/v1") problems.push(`apiVersion ${doc.apiVersion} is not cert-manager.io/v1`);
  extra(doc, ["apiVersion", "kind", "metadata", "spec"], "");
  extra(doc.metadata, ["name", "namespace", "labels", "annotations"], "metadata");
  if (!doc.metadata?.name) problems.push("metadata.name is missing");
  const spec = doc.spec ?? {};
  if (doc.kind === "Issuer") {
    const types = ["selfSigned", "ca", "acme", "vault", "venafi"].filter((t) => t in spec);
    if (types.length !== 1) problems.push(`an Issuer needs exactly one of selfSigned, ca, acme, vault, venafi; has ${types.join(", ") || "none"}`);
    extra(spec, ["selfSigned", "ca", "acme", "vault", "venafi"], "spec");
    if ("ca" in spec && typeof spec.ca?.secretName !== "string") problems.push("spec.ca.secretName is missing");
    if ("ca" in spec) extra(spec.ca, ["secretName", "crlDistributionPoints", "ocspServers", "issuingCertificateURLs"], "spec.ca");
  } else if (doc.kind === "Certificate") {
    extra(
      spec,
      [
        "secretName",
        "commonName",
        "dnsNames",
        "isCA",
        "duration",
        "renewBefore",
        "usages",
        "privateKey",
        "issuerRef",
        "secretTemplate",
        "subject",
        "revisionHistoryLimit",
      ],
      "spec",
    );
    if (typeof spec.secretName !== "string" || spec.secretName === "") problems.push("spec.secretName is missing");
    if (!spec.commonName && !(spec.dnsNames?.length > 0)) problems.push("a Certificate needs commonName or dnsNames");
    const ref = spec.issuerRef ?? {};
    extra(ref, ["name", "kind", "group"], "spec.issuerRef");
    if (typeof ref.name !== "string") problems.push("spec.issuerRef.name is missing");
    if (!["Issuer", "ClusterIssuer"].includes(ref.kind)) problems.push(`spec.issuerRef.kind ${ref.kind} is not Issuer or ClusterIssuer`);
    if (ref.group !== "cert-manager.io") problems.push(`spec.issuerRef.group ${ref.group} is not cert-manager.io`);
    for (const field of ["duration", "renewBefore"] as const) {
      if (spec[field] !== undefined && !GO_DURATION.test(spec[field])) problems.push(`spec.${field} ${spec[field]} is not a Go duration`);
    }
    if (spec.duration && spec.renewBefore && hours(spec.renewBefore) >= hours(spec.duration)) {
      problems.push("spec.renewBefore must be shorter than spec.duration");
    }
    for (const usage of spec.usages ?? []) if (!KEY_USAGES.has(usage)) problems.push(`spec.usages: unknown usage ${usage}`);
    const key = spec.privateKey ?? {};
    extra(key, ["algorithm", "size", "rotationPolicy", "encoding"], "spec.privateKey");
    if (key.algorithm !== undefined && !["RSA", "ECDSA", "Ed25519"].includes(key.algorithm)) problems.push(`spec.privateKey.algorithm ${key.algorithm}`);
    if (key.rotationPolicy !== undefined && !["Never", "Always"].includes(key.rotationPolicy))
      problems.push(`spec.privateKey.rotationPolicy ${key.rotationPolicy}`);
  } else {
    problems.push(`unexpected cert-manager kind ${doc.kind}`);
  }
  return problems;
}

function manifestProblems(doc: Manifest): string[] {
  if (String(doc.apiVersion).startsWith("hostgate.dev/")) return hostgateProblems(doc);
  return String(doc.apiVersion).startsWith("cert-manager.io/") ? certManagerProblems(doc) : apiProblems(doc);
}

/** hostgate's own objects (the library's PolicyModules) against their CRD, as the API server would check them: schema, CEL rules, unknown fields. */
function hostgateProblems(doc: Manifest): string[] {
  const crd = loadCrdCatalog().lookup(doc.apiVersion, doc.kind);
  if (crd === undefined) return [`no CRD in crds/ defines ${doc.apiVersion} ${doc.kind}`];
  const result = checkCustomResource(crd, doc, { operation: "CREATE" });
  return [...result.violations.map((v) => `${v.field}: ${v.message}`), ...result.prunedFields.map((f) => `unknown field ${f}`)];
}

/** Objects both halves read, labelled as hostgate's but as neither component's: the Namespace, and the built-in PolicyModules. */
const SHARED_KINDS = new Set(["Namespace", "PolicyModule"]);

// ---------------------------------------------------------------------------
// Small semantics the checks need

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector selects these labels, as the API server decides it. */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const ok =
      operator === "In"
        ? has && values.includes(labels[key]!)
        : operator === "NotIn"
          ? !has || !values.includes(labels[key]!)
          : operator === "Exists"
            ? has
            : operator === "DoesNotExist"
              ? !has
              : assert.fail(`unknown selector operator ${operator}`);
    if (!ok) return false;
  }
  return true;
}

/** Bytes in a Kubernetes memory quantity (the suffixes these manifests may use). */
function bytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  assert.ok(m, `unsupported quantity ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] as "Ki"] ?? 1;
  return Number(m[1]) * unit;
}

/** The value following a flag in an args list. */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** One line per permission a ServiceAccount of hostgate-system holds: where, API group, resource, name (or "*"), verb. */
function permissions(objects: Manifest[], serviceAccount = SERVICE_ACCOUNT): string[] {
  const subjectIsUs = (b: Manifest) =>
    (b.subjects ?? []).some((s: Json) => s.kind === "ServiceAccount" && s.name === serviceAccount && s.namespace === NAMESPACE);
  const lines: string[] = [];
  for (const binding of objects.filter((o) => ["ClusterRoleBinding", "RoleBinding"].includes(o.kind) && subjectIsUs(o))) {
    const role = objects.find(
      (o) =>
        o.kind === binding.roleRef.kind &&
        o.metadata.name === binding.roleRef.name &&
        (o.kind === "ClusterRole" || o.metadata.namespace === binding.metadata.namespace),
    );
    assert.ok(role, `${binding.kind} ${binding.metadata.name} refers to a missing ${binding.roleRef.kind} ${binding.roleRef.name}`);
    const scope = binding.kind === "ClusterRoleBinding" ? "cluster" : `namespace ${binding.metadata.namespace}`;
    for (const rule of role.rules ?? []) {
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const name of rule.resourceNames ?? ["*"])
            for (const verb of rule.verbs ?? []) lines.push(`${scope} | ${group || "core"} | ${resource} | ${name} | ${verb}`);
    }
  }
  return lines.sort();
}

// ---------------------------------------------------------------------------
// kubectl kustomize

const KUBECTL_MISSING = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).error
  ? "kubectl is not on PATH: the kustomize builds are not checked"
  : false;

function kustomize(dir: string): Manifest[] {
  const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  assert.equal(result.status, 0, `kubectl kustomize ${relative(ROOT, dir) || dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as Manifest);
}

/** Builds a throw-away kustomization (outside the repository) and returns what it renders. */
function kustomizeOverlay(body: (dir: string, pathTo: (target: string) => string) => object): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-deploy-"));
  try {
    const pathTo = (target: string) => relative(dir, target); // kustomize refuses absolute paths
    writeFileSync(join(dir, "kustomization.yaml"), JSON.stringify(body(dir, pathTo)));
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const identity = (o: Manifest) => `${o.kind} ${o.metadata.namespace ?? "-"}/${o.metadata.name}`;

// ---------------------------------------------------------------------------

describe("the deploy/ files", () => {
  it("exist: a kustomization at deploy/ and the manifests under it", () => {
    assert.ok(ALL_FILES.includes(join(DEPLOY, "kustomization.yaml")));
    assert.ok(ALL_FILES.length > 5, `only ${ALL_FILES.length} YAML files under deploy/`);
  });

  for (const file of ALL_FILES) {
    const where = relative(DEPLOY, file);
    it(`${where} parses as YAML without errors or warnings`, () => {
      const { docs, errors } = parseFile(file);
      assert.deepEqual(errors, []);
      assert.ok(docs.length > 0, "the file holds no document");
    });

    // kubectl reads YAML 1.1 (0440 is octal there, `on` is true); the yaml
    // package reads 1.2. A file both read alike means the same to both.
    it(`${where} means the same in YAML 1.1 (kubectl) and YAML 1.2`, () => {
      const text = readFileSync(file, "utf8");
      const as11 = parseAllDocuments(text, { version: "1.1" });
      const as12 = parseAllDocuments(text, { version: "1.2" });
      const js = (docs: typeof as11) => (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS());
      assert.deepEqual(js(as11), js(as12));
    });
  }

  it("are all used: every YAML file is a kustomization or is listed by one", () => {
    const used = new Set<string>();
    for (const file of ALL_FILES.filter((f) => f.endsWith("/kustomization.yaml"))) {
      used.add(file);
      const k = parse(readFileSync(file, "utf8")) as Json;
      const dir = dirname(file);
      for (const entry of k.resources ?? []) used.add(join(dir, entry));
      for (const patch of k.patches ?? []) if (patch.path) used.add(join(dir, patch.path));
      for (const generated of generatedConfigMaps(dir)) for (const f of generated.files) used.add(f);
    }
    assert.deepEqual(
      ALL_FILES.filter((f) => !used.has(f)).map((f) => relative(DEPLOY, f)),
      [],
    );
  });

  it("use only kustomize's current kinds: Kustomization v1beta1 and Component v1alpha1", () => {
    for (const file of ALL_FILES.filter((f) => f.endsWith("/kustomization.yaml"))) {
      const k = parse(readFileSync(file, "utf8")) as Json;
      const expected = k.kind === "Component" ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1";
      assert.ok(["Kustomization", "Component"].includes(k.kind), `${relative(DEPLOY, file)}: kind ${k.kind}`);
      assert.equal(k.apiVersion, expected, relative(DEPLOY, file));
      // Deprecated fields kustomize 5 warns about.
      for (const old of ["bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "vars"]) {
        assert.ok(!(old in k), `${relative(DEPLOY, file)} uses the deprecated ${old}`);
      }
    }
  });
});

describe("every object of the install", () => {
  const objects = [
    ...BASE_OBJECTS.map((doc) => ({ doc, from: "base" })),
    ...resourcesOf(join(DEPLOY, "components", "cert-manager")).map((doc) => ({ doc, from: "components/cert-manager" })),
    ...resourcesOf(join(DEPLOY, "components", "network-policy")).map((doc) => ({ doc, from: "components/network-policy" })),
    ...resourcesOf(join(DEPLOY, "components", "reconciler-external-dns")).map((doc) => ({ doc, from: "components/reconciler-external-dns" })),
    ...resourcesOf(join(DEPLOY, "components", "reconciler-cert-manager")).map((doc) => ({ doc, from: "components/reconciler-cert-manager" })),
    ...resourcesOf(join(DEPLOY, "components", "reconciler-gateway-api")).map((doc) => ({ doc, from: "components/reconciler-gateway-api" })),
    ...resourcesOf(join(DEPLOY, "components", "reconciler-audit-reports")).map((doc) => ({ doc, from: "components/reconciler-audit-reports" })),
    ...resourcesOf(join(DEPLOY, "components", "reconciler-prometheus-operator")).map((doc) => ({ doc, from: "components/reconciler-prometheus-operator" })),
    ...resourcesOf(join(DEPLOY, "components", "portal")).map((doc) => ({ doc, from: "components/portal" })),
  ];

  for (const { doc, from } of objects) {
    it(`${from}: ${doc.kind} ${doc.metadata?.name} validates against its API schema`, () => {
      assert.deepEqual(manifestProblems(doc), []);
    });
  }

  // The exceptions to hostgate-system: the reconciler's rights in the gateway
  // namespace, which only a Role (and its RoleBinding) there can grant: the
  // base's, and the reconciler-gateway-api component's for the pooled Gateways.
  const GATEWAY_ROLES: Record<string, string> = { [RECONCILER]: "base", [`${RECONCILER}-gateways`]: "components/reconciler-gateway-api" };
  const inGatewayNamespace = (doc: Manifest, from: string) =>
    ["Role", "RoleBinding"].includes(doc.kind) && Object.hasOwn(GATEWAY_ROLES, doc.metadata.name) && GATEWAY_ROLES[doc.metadata.name] === from;

  it("lives in hostgate-system when it is namespaced, and names its namespace (the reconciler's gateway Roles and RoleBindings apart)", () => {
    const clusterScoped = new Set([
      "Namespace",
      "PriorityClass",
      "ClusterRole",
      "ClusterRoleBinding",
      "ValidatingWebhookConfiguration",
      "MutatingWebhookConfiguration",
      "PolicyModule",
    ]);
    for (const { doc, from } of objects) {
      if (clusterScoped.has(doc.kind)) assert.equal(doc.metadata.namespace, undefined, identity(doc));
      else if (inGatewayNamespace(doc, from)) assert.equal(doc.metadata.namespace, GATEWAY_NAMESPACE, identity(doc));
      else assert.equal(doc.metadata.namespace, NAMESPACE, identity(doc));
    }
  });

  it("puts the reconciler's gateway Roles and RoleBindings in the platform config's gateway.namespace, outside hostgate-system", () => {
    const placed = objects
      .filter(({ doc, from }) => inGatewayNamespace(doc, from))
      .map(({ doc, from }) => `${from}: ${identity(doc)}`)
      .sort();
    assert.deepEqual(placed, [
      `base: Role ${GATEWAY_NAMESPACE}/${RECONCILER}`,
      `base: RoleBinding ${GATEWAY_NAMESPACE}/${RECONCILER}`,
      `components/reconciler-gateway-api: Role ${GATEWAY_NAMESPACE}/${RECONCILER}-gateways`,
      `components/reconciler-gateway-api: RoleBinding ${GATEWAY_NAMESPACE}/${RECONCILER}-gateways`,
    ]);
    assert.notEqual(GATEWAY_NAMESPACE, NAMESPACE);
  });

  it("carries the app.kubernetes.io labels name and part-of, and the component it belongs to (none on what both read: the Namespace, the PolicyModules)", () => {
    for (const { doc } of objects) {
      const labels = doc.metadata.labels ?? {};
      assert.equal(labels["app.kubernetes.io/name"], "hostgate", identity(doc));
      assert.equal(labels["app.kubernetes.io/part-of"], "hostgate", identity(doc));
      assert.equal(labels["app.kubernetes.io/component"], SHARED_KINDS.has(doc.kind) ? undefined : componentOf(doc), identity(doc));
    }
  });

  it("includes the reconciler: its ServiceAccount, Deployment, PodDisruptionBudget and RBAC", () => {
    const reconciler = objects
      .filter(({ doc, from }) => from === "base" && componentOf(doc) === "reconciler")
      .map(({ doc }) => identity(doc))
      .sort();
    assert.deepEqual(
      reconciler,
      [
        `ClusterRole -/${RECONCILER}`,
        `ClusterRoleBinding -/${RECONCILER}`,
        `Deployment ${NAMESPACE}/${RECONCILER}`,
        `PodDisruptionBudget ${NAMESPACE}/${RECONCILER}`,
        `Role ${GATEWAY_NAMESPACE}/${RECONCILER}`,
        `Role ${NAMESPACE}/${RECONCILER}-leader-election`,
        `RoleBinding ${GATEWAY_NAMESPACE}/${RECONCILER}`,
        `RoleBinding ${NAMESPACE}/${RECONCILER}-leader-election`,
        `ServiceAccount ${NAMESPACE}/${RECONCILER_SERVICE_ACCOUNT}`,
      ].sort(),
    );
  });

  it("generates the platform config shared by both Deployments without a component label, and mounts it in both", () => {
    const kustomization = parse(readFileSync(join(BASE, "kustomization.yaml"), "utf8")) as Json;
    for (const generator of kustomization.configMapGenerator as Json[]) {
      const labels = generator.options?.labels ?? {};
      assert.equal(labels["app.kubernetes.io/name"], "hostgate", generator.name);
      assert.equal(labels["app.kubernetes.io/part-of"], "hostgate", generator.name);
      assert.equal(labels["app.kubernetes.io/component"], undefined, `${generator.name} is shared, yet labelled as one component's`);
    }
    for (const deployment of [WEBHOOK, RECONCILER]) {
      const mounted = (podSpecOf(BASE_OBJECTS, deployment).volumes as Json[]).map((v) => v.configMap?.name).filter(Boolean);
      assert.deepEqual(
        mounted,
        BASE_CONFIGMAPS.map((g) => g.name),
        deployment,
      );
    }
  });
});

describe("the schema checks themselves", () => {
  const deployment = one(BASE_OBJECTS, "Deployment", WEBHOOK);
  const cases: { name: string; mutate: (d: Json) => void; expect: RegExp }[] = [
    {
      name: "a misspelt field is reported",
      mutate: (d) => (d.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true),
      expect: /unknown field spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFileSystem/,
    },
    { name: "a value of the wrong type is reported", mutate: (d) => (d.spec.replicas = "two"), expect: /replicas/ },
    { name: "a value outside an enum is reported", mutate: (d) => (d.spec.strategy.type = "BlueGreen"), expect: /strategy|allowed/i },
    { name: "a missing required field is reported", mutate: (d) => delete d.spec.selector, expect: /selector/ },
  ];
  for (const c of cases) {
    it(`reject a broken Deployment: ${c.name}`, () => {
      const broken = structuredClone(deployment);
      c.mutate(broken);
      assert.match(manifestProblems(broken).join("\n"), c.expect);
    });
  }

  it("reject a Certificate whose issuerRef points at no Issuer kind", () => {
    const cert = one(resourcesOf(join(DEPLOY, "components", "cert-manager")), "Certificate", "hostgate-webhook");
    const broken = structuredClone(cert);
    broken.spec.issuerRef.kind = "Issuers";
    assert.match(certManagerProblems(broken).join("\n"), /issuerRef\.kind/);
  });

  it("reject a kind the table does not know instead of passing it unchecked", () => {
    assert.match(apiProblems({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } }).join(), /no schema known/);
  });
});

describe("the webhook configurations", () => {
  const validating = one(BASE_OBJECTS, "ValidatingWebhookConfiguration", VALIDATING);
  const mutating = one(BASE_OBJECTS, "MutatingWebhookConfiguration", MUTATING);
  const service = one(BASE_OBJECTS, "Service", SERVICE);
  const crds = readCrds(CRD_DIRECTORY).map((l) => l.crd);

  const webhooks = [
    { config: validating, path: "/validate" },
    { config: mutating, path: "/mutate" },
  ];

  // What the webhooks intercept: group, version, resource, scope.
  const expectedRules = [
    ...["domainroutes", "regionpolicies"].map((r) => `hostgate.dev v1alpha1 ${r} Namespaced`),
    ...["hostnamegrants", "policymodules"].map((r) => `hostgate.dev v1alpha1 ${r} Cluster`),
    ...["httproutes", "grpcroutes", "tlsroutes", "gateways"].flatMap((r) =>
      ["v1", "v1beta1", "v1alpha2", "v1alpha3"].map((v) => `gateway.networking.k8s.io ${v} ${r} Namespaced`),
    ),
    ...["virtualservices", "gateways"].flatMap((r) => ["v1", "v1beta1", "v1alpha3"].map((v) => `networking.istio.io ${v} ${r} Namespaced`)),
  ].sort();

  for (const { config, path } of webhooks) {
    const kind = config.kind;
    it(`${kind} has exactly one webhook, with a fully qualified name`, () => {
      assert.equal(config.webhooks.length, 1);
      assert.match(config.webhooks[0].name, /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/);
    });

    for (const webhook of config.webhooks as Json[]) {
      it(`${kind} calls the webhook Service on its https port at ${path}`, () => {
        const ref = webhook.clientConfig.service;
        assert.equal(ref.name, service.metadata.name);
        assert.equal(ref.namespace, service.metadata.namespace);
        assert.equal(ref.path, path);
        const port = (service.spec.ports as Json[]).find((p) => p.port === (ref.port ?? 443));
        assert.ok(port, `the Service has no port ${ref.port ?? 443}`);
        assert.equal(port.name, "https");
        assert.equal(webhook.clientConfig.url, undefined, "a url would bypass the Service");
      });

      it(`${kind} ships without a caBundle: the webhook (or cert-manager) fills it in`, () => {
        assert.equal(webhook.clientConfig.caBundle, undefined);
      });

      it(`${kind} fails closed, quickly, with AdmissionReview v1 and no side effects`, () => {
        assert.deepEqual(webhook.admissionReviewVersions, ["v1"]);
        assert.equal(webhook.sideEffects, "None");
        assert.equal(webhook.failurePolicy, "Fail");
        assert.equal(webhook.matchPolicy, "Equivalent");
        assert.ok(
          Number.isInteger(webhook.timeoutSeconds) && webhook.timeoutSeconds >= 1 && webhook.timeoutSeconds <= 10,
          `timeoutSeconds ${webhook.timeoutSeconds} is not short (1 to 10)`,
        );
      });

      it(`${kind} intercepts exactly the route kinds and grants, every served version, on CREATE and UPDATE`, () => {
        const actual = (webhook.rules as Json[]).flatMap((rule) => {
          assert.deepEqual(rule.operations, ["CREATE", "UPDATE"]);
          return rule.apiGroups.flatMap((g: string) =>
            rule.apiVersions.flatMap((v: string) => rule.resources.map((r: string) => `${g} ${v} ${r} ${rule.scope}`)),
          );
        });
        assert.deepEqual(actual.sort(), expectedRules);
        for (const rule of webhook.rules as Json[]) {
          for (const field of ["apiGroups", "apiVersions", "resources", "operations"]) {
            assert.ok(!rule[field].includes("*"), `a wildcard in ${field}`);
          }
          for (const resource of rule.resources) assert.ok(!resource.includes("/"), `subresource ${resource} intercepted`);
        }
      });

      it(`${kind} names only hostgate resources that the CRDs define, with the CRD's scope and a served version`, () => {
        const hostgateRules = (webhook.rules as Json[]).filter((r) => r.apiGroups.includes("hostgate.dev"));
        assert.ok(hostgateRules.length > 0);
        for (const rule of hostgateRules) {
          for (const resource of rule.resources) {
            const crd = crds.find((c) => c.spec.group === "hostgate.dev" && c.spec.names.plural === resource);
            assert.ok(crd, `no CRD in crds/ defines hostgate.dev ${resource}`);
            assert.equal(rule.scope, crd.spec.scope, `${resource} is ${crd.spec.scope}`);
            for (const version of rule.apiVersions) {
              assert.ok(
                crd.spec.versions.some((v) => v.name === version && v.served),
                `${resource} ${version} is not served`,
              );
            }
          }
        }
      });

      const namespaces: { namespace: string; intercepted: boolean }[] = [
        { namespace: "kube-system", intercepted: false },
        { namespace: NAMESPACE, intercepted: false },
        { namespace: "team-a", intercepted: true },
        { namespace: "default", intercepted: true },
        { namespace: "istio-system", intercepted: true },
      ];
      for (const { namespace, intercepted } of namespaces) {
        it(`${kind} ${intercepted ? "intercepts" : "leaves out"} objects in ${namespace}`, () => {
          // The API server sets kubernetes.io/metadata.name on every namespace.
          const labels = { "kubernetes.io/metadata.name": namespace };
          assert.equal(selects(webhook.namespaceSelector, labels), intercepted);
        });
      }

      it(`${kind} leaves out hostgate-system with the labels it is shipped with`, () => {
        const ns = one(BASE_OBJECTS, "Namespace", NAMESPACE);
        const labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": NAMESPACE };
        assert.equal(selects(webhook.namespaceSelector, labels), false);
      });

      it(`${kind} selects no objects by label: every object of the intercepted kinds is checked`, () => {
        assert.equal(webhook.objectSelector, undefined);
      });
    }
  }

  // A policy only sees what the API server sends: every kind a built-in
  // policy checks must be intercepted by both webhooks, or it is unchecked.
  // hostgate's own kinds by their CRD's plural (RegionPolicy: regionpolicies); others are all -s plurals.
  const pluralOf = (group: string, kind: string) =>
    crds.find((c) => c.spec.group === group && c.spec.names.kind === kind)?.spec.names.plural ?? `${kind.toLowerCase()}s`;
  it("every group and kind the built-in policies check is intercepted on CREATE and UPDATE by both webhooks", () => {
    const policies = loadPolicySet([join(ROOT, "policies", "library")]);
    const checked = policies.modules.flatMap((module) =>
      module.match.flatMap((rule) =>
        rule.apiGroups.flatMap((group) =>
          rule.kinds.flatMap((kind) => rule.operations.filter((op) => op !== "DELETE").map((op) => `${group} ${pluralOf(group, kind)} ${op}`)),
        ),
      ),
    );
    assert.ok(checked.includes("networking.istio.io gateways CREATE") && checked.includes("gateway.networking.k8s.io gateways UPDATE"));
    for (const { config } of webhooks) {
      const intercepted = new Set(
        (config.webhooks[0].rules as Json[]).flatMap((rule) =>
          rule.apiGroups.flatMap((g: string) => rule.resources.flatMap((r: string) => rule.operations.map((op: string) => `${g} ${r} ${op}`))),
        ),
      );
      assert.deepEqual([...new Set(checked)].filter((c) => !intercepted.has(c)).sort(), [], `${config.kind} misses kinds the policies check`);
    }
  });

  it("the two configurations intercept the same requests", () => {
    assert.deepEqual(mutating.webhooks[0].rules, validating.webhooks[0].rules);
    assert.deepEqual(mutating.webhooks[0].namespaceSelector, validating.webhooks[0].namespaceSelector);
  });

  it("the mutating webhook chooses its reinvocation deliberately: IfNeeded", () => {
    assert.equal(mutating.webhooks[0].reinvocationPolicy, "IfNeeded");
  });
});

describe("the Service, Deployment and PodDisruptionBudget", () => {
  const service = one(BASE_OBJECTS, "Service", SERVICE);
  const deployment = one(BASE_OBJECTS, "Deployment", WEBHOOK);
  const pdb = one(BASE_OBJECTS, "PodDisruptionBudget", WEBHOOK);
  const pod = deployment.spec.template.spec;
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
  const container = webhookContainerOf(BASE_OBJECTS);
  const ports = Object.fromEntries((container.ports as Json[]).map((p) => [p.name, p]));

  it("the container exposes https on 8443 and http-health on 8080, over TCP", () => {
    assert.deepEqual(
      (container.ports as Json[]).map((p) => [p.name, p.containerPort, p.protocol]),
      [
        ["https", 8443, "TCP"],
        ["http-health", 8080, "TCP"],
      ],
    );
  });

  it("the container runs `hostgate serve --only webhook` listening on those two ports", () => {
    const args = container.args as string[];
    assert.equal(args[0], "serve");
    assert.equal(flag(args, "--only"), "webhook", "without --only webhook the pod would run the reconciler too, under the webhook's identity");
    assert.equal(flag(args, "--listen"), `0.0.0.0:${ports.https.containerPort}`);
    assert.equal(flag(args, "--health-listen"), `0.0.0.0:${ports["http-health"].containerPort}`);
    assert.equal(flag(args, "--policies-from"), "cluster", "the install's PolicyModules are the policy set, live");
    assert.equal(container.command, undefined, "the image's entrypoint is hostgate");
  });

  it("the image is the hostgate placeholder, tagged once by the base kustomization's images with the version in package.json", () => {
    assert.equal(container.image, IMAGE, "the tag belongs in base/kustomization.yaml `images:` (one place for both Deployments), not here");
    const images = (parse(readFileSync(join(BASE, "kustomization.yaml"), "utf8")) as Json).images;
    assert.deepEqual(images, [{ name: IMAGE, newTag: PACKAGE_VERSION }]);
  });

  it("the container learns its namespace from the downward API as POD_NAMESPACE", () => {
    const env = (container.env as Json[]).find((e) => e.name === "POD_NAMESPACE");
    assert.deepEqual(env?.valueFrom, { fieldRef: { fieldPath: "metadata.namespace" } });
  });

  it("names every port as the API requires (IANA service name: at most 15 lowercase characters, a letter, no --)", () => {
    const names = [...(container.ports as Json[]).map((p) => p.name), ...(service.spec.ports as Json[]).map((p) => p.name)];
    for (const name of names) {
      assert.ok(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && name.length <= 15 && /[a-z]/.test(name) && !name.includes("--"), name);
    }
  });

  it("every Service port targets a container port by name", () => {
    for (const port of service.spec.ports as Json[]) {
      assert.equal(typeof port.targetPort, "string", `Service port ${port.name} targets a number`);
      assert.ok(ports[port.targetPort], `no container port named ${port.targetPort}`);
    }
    const https = (service.spec.ports as Json[]).find((p) => p.name === "https");
    assert.deepEqual([https.port, https.targetPort, https.protocol], [443, "https", "TCP"]);
  });

  it("the container reads the platform config from the generated ConfigMap, never the example bundled in the image", () => {
    const config = flag(container.args, "--config");
    assert.ok(config, "no --config: the webhook would use the bundled example config");
    assert.equal(dirname(config), PLATFORM_CONFIG_MOUNT);
    const mount = (container.volumeMounts as Json[]).find((m) => m.mountPath === PLATFORM_CONFIG_MOUNT);
    const volume = (pod.volumes as Json[]).find((v) => v.name === mount?.name);
    const generated = BASE_CONFIGMAPS.find((g) => g.name === volume?.configMap?.name);
    assert.ok(generated, "the mounted ConfigMap is not generated by the kustomization");
    assert.equal(generated.namespace, NAMESPACE);
    assert.ok(
      generated.files.some((f) => f.endsWith(`/${config.slice(PLATFORM_CONFIG_MOUNT.length + 1)}`)),
      `the ConfigMap holds no key for ${config}`,
    );
  });

  it("ships a platform config that loads (the placeholder is the bundled example)", () => {
    const file = BASE_CONFIGMAPS.flatMap((g) => g.files).find((f) => f.endsWith("/platform-config.yaml"));
    assert.ok(file);
    assert.doesNotThrow(() => parsePlatformConfig(readFileSync(file, "utf8"), file));
  });

  it("gives a stopping pod time for the webhook's graceful shutdown (5 s delay + 20 s drain)", () => {
    assert.ok(pod.terminationGracePeriodSeconds >= 25, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}`);
  });

  it("the Deployment's selector selects its own pods", () => {
    assert.ok(selects(deployment.spec.selector, podLabels));
  });

  for (const [name, selector] of [
    ["the Service", { matchLabels: service.spec.selector }],
    ["the PodDisruptionBudget", pdb.spec.selector],
  ] as const) {
    it(`${name} selects exactly the Deployment's pods (the same selector)`, () => {
      assert.ok(selects(selector, podLabels), `${name} does not select the pods`);
      assert.deepEqual(selector, deployment.spec.selector);
    });
  }

  it("runs at least two replicas and never fewer during a rollout", () => {
    assert.ok(deployment.spec.replicas >= 2, `replicas: ${deployment.spec.replicas}`);
    assert.equal(deployment.spec.strategy.type, "RollingUpdate");
    assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
    assert.ok(deployment.spec.strategy.rollingUpdate.maxSurge >= 1);
  });

  it("lets voluntary disruptions take exactly one pod at a time, and evict unhealthy pods", () => {
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.equal(pdb.spec.minAvailable, undefined);
    assert.equal(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
    assert.ok(deployment.spec.replicas - pdb.spec.maxUnavailable >= 1, "a drain would leave no replica");
  });

  it("spreads replicas across nodes (hard) and zones (soft), over the Deployment's own pods", () => {
    const constraints = pod.topologySpreadConstraints as Json[];
    const byKey = Object.fromEntries(constraints.map((c) => [c.topologyKey, c]));
    assert.equal(byKey["kubernetes.io/hostname"]?.whenUnsatisfiable, "DoNotSchedule");
    assert.equal(byKey["kubernetes.io/hostname"]?.nodeTaintsPolicy, "Honor");
    assert.equal(byKey["topology.kubernetes.io/zone"]?.whenUnsatisfiable, "ScheduleAnyway");
    for (const c of constraints) {
      assert.equal(c.maxSkew, 1);
      assert.ok(selects(c.labelSelector, podLabels), `${c.topologyKey} spread does not count these pods`);
      assert.deepEqual(c.matchLabelKeys, ["pod-template-hash"]);
    }
  });

  it("uses a PriorityClass the install ships, not a system class some clusters refuse outside kube-system", () => {
    assert.ok(!String(pod.priorityClassName).startsWith("system-"));
    const pc = one(BASE_OBJECTS, "PriorityClass", pod.priorityClassName);
    assert.equal(pc.globalDefault, false);
    assert.ok(pc.value > 0 && pc.value <= 1_000_000_000, `value ${pc.value} is outside the user range`);
  });

  it("runs as the webhook ServiceAccount, which the Deployment alone opts into a token for", () => {
    const sa = one(BASE_OBJECTS, "ServiceAccount", SERVICE_ACCOUNT);
    assert.equal(pod.serviceAccountName, sa.metadata.name);
    assert.equal(sa.automountServiceAccountToken, false);
    assert.equal(pod.automountServiceAccountToken, true);
  });

  it("requests memory for about 200 MB in use, with a higher limit and a V8 heap inside it", () => {
    const { requests, limits } = container.resources;
    assert.ok(requests.cpu, "no CPU request");
    assert.ok(bytes(requests.memory) >= 200 * 2 ** 20, `memory request ${requests.memory}`);
    assert.ok(bytes(limits.memory) > bytes(requests.memory), "the memory limit is not above the request");
    const nodeOptions = (container.env as Json[]).find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
    const percent = /--max-old-space-size-percentage=(\d+)/.exec(nodeOptions);
    assert.ok(percent, "NODE_OPTIONS does not size the heap from the memory limit (--max-old-space-size-percentage)");
    const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(nodeOptions)?.[1] ?? NaN);
    const heap = (bytes(limits.memory) * Number(percent[1])) / 100 + 3 * semiSpace * 2 ** 20;
    assert.ok(heap <= bytes(limits.memory) - 100 * 2 ** 20, "the heap (old and young generations) leaves at least 100 MiB for code, buffers and malloc");
  });
});

describe("the reconciler's Deployment and PodDisruptionBudget", () => {
  const deployment = one(BASE_OBJECTS, "Deployment", RECONCILER);
  const pdb = one(BASE_OBJECTS, "PodDisruptionBudget", RECONCILER);
  const pod = deployment.spec.template.spec;
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
  const container = containerOf(BASE_OBJECTS, RECONCILER);
  const webhookPod = podSpecOf(BASE_OBJECTS, WEBHOOK);
  const webhookContainer = webhookContainerOf(BASE_OBJECTS);
  const ports = Object.fromEntries((container.ports as Json[]).map((p) => [p.name, p]));

  it("the container exposes http-health on 8080, over TCP, and no https port: it serves no webhook", () => {
    assert.deepEqual(
      (container.ports as Json[]).map((p) => [p.name, p.containerPort, p.protocol]),
      [["http-health", 8080, "TCP"]],
    );
  });

  it("the container runs `hostgate serve --only reconciler` with the health port and the platform config, and no webhook listener", () => {
    const args = container.args as string[];
    assert.equal(args[0], "serve");
    assert.equal(flag(args, "--only"), "reconciler", "without --only reconciler the pod would serve the webhook too, under the reconciler's identity");
    assert.equal(flag(args, "--health-listen"), `0.0.0.0:${ports["http-health"].containerPort}`);
    assert.equal(flag(args, "--config"), `${PLATFORM_CONFIG_MOUNT}/platform-config.yaml`);
    for (const webhookFlag of ["--listen", "--tls-cert", "--tls-key"]) assert.ok(!args.includes(webhookFlag), `${webhookFlag} is the webhook's`);
    assert.equal(args.filter((a) => a === "--only").length, 1);
    assert.equal(container.command, undefined, "the image's entrypoint is hostgate");
  });

  it("the container runs the webhook's image", () => {
    assert.equal(container.image, webhookContainer.image);
    assert.equal(container.imagePullPolicy, webhookContainer.imagePullPolicy);
  });

  const downward = [
    { name: "POD_NAMESPACE", fieldPath: "metadata.namespace", why: "where its Lease lives" },
    { name: "POD_NAME", fieldPath: "metadata.name", why: "its leader-election identity" },
  ];
  for (const { name, fieldPath, why } of downward) {
    it(`the container learns ${why} from the downward API as ${name} (${fieldPath})`, () => {
      const env = (container.env as Json[]).filter((e) => e.name === name);
      assert.equal(env.length, 1, `${name} set ${env.length} times`);
      assert.deepEqual(env[0].valueFrom, { fieldRef: { fieldPath } });
    });
  }

  it("the container reads the same generated platform config as the webhook, mounted read-only", () => {
    const config = flag(container.args, "--config")!;
    const mount = (container.volumeMounts as Json[]).find((m) => m.mountPath === dirname(config));
    assert.ok(mount, `nothing is mounted at ${dirname(config)}`);
    assert.equal(mount.readOnly, true);
    const volume = (pod.volumes as Json[]).find((v) => v.name === mount.name);
    const webhookVolume = (webhookPod.volumes as Json[]).find((v) => v.configMap);
    assert.equal(volume?.configMap?.name, webhookVolume.configMap.name);
    assert.ok(
      BASE_CONFIGMAPS.some((g) => g.name === volume.configMap.name),
      "the mounted ConfigMap is not generated by the kustomization",
    );
  });

  it("runs as its own ServiceAccount, not the webhook's, and the Deployment alone opts into a token for it", () => {
    const sa = one(BASE_OBJECTS, "ServiceAccount", RECONCILER_SERVICE_ACCOUNT);
    assert.equal(pod.serviceAccountName, sa.metadata.name);
    assert.notEqual(pod.serviceAccountName, webhookPod.serviceAccountName);
    assert.equal(sa.automountServiceAccountToken, false);
    assert.equal(pod.automountServiceAccountToken, true);
  });

  it("is hardened exactly as the webhook: the same pod and container security contexts", () => {
    assert.deepEqual(pod.securityContext, webhookPod.securityContext);
    assert.deepEqual(container.securityContext, webhookContainer.securityContext);
    assert.equal(pod.enableServiceLinks, false);
  });

  it("runs two replicas, a leader and a warm standby, and never fewer during a rollout", () => {
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.spec.strategy.type, "RollingUpdate");
    assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
    assert.equal(deployment.spec.strategy.rollingUpdate.maxSurge, 1);
  });

  it("the Deployment's selector selects its own pods", () => {
    assert.ok(selects(deployment.spec.selector, podLabels));
  });

  it("lets voluntary disruptions take one pod at a time, evicts unhealthy pods, and selects exactly the Deployment's pods", () => {
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.equal(pdb.spec.minAvailable, undefined);
    assert.equal(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
    assert.deepEqual(pdb.spec.selector, deployment.spec.selector);
    assert.ok(deployment.spec.replicas - pdb.spec.maxUnavailable >= 1, "a drain would leave no replica");
  });

  it("prefers (never requires) spreading its replicas across nodes and zones, over its own pods", () => {
    const constraints = pod.topologySpreadConstraints as Json[];
    assert.deepEqual(constraints.map((c) => c.topologyKey).sort(), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
    for (const c of constraints) {
      assert.equal(c.whenUnsatisfiable, "ScheduleAnyway", `${c.topologyKey}: a standby on the same node is acceptable`);
      assert.equal(c.maxSkew, 1);
      assert.ok(selects(c.labelSelector, podLabels), `${c.topologyKey} spread does not count these pods`);
      assert.ok(
        !selects(c.labelSelector, one(BASE_OBJECTS, "Deployment", WEBHOOK).spec.template.metadata.labels),
        `${c.topologyKey} spread counts the webhook's pods`,
      );
      assert.deepEqual(c.matchLabelKeys, ["pod-template-hash"]);
    }
  });

  it("does not take the webhook's PriorityClass, nor a system class: it is not on the admission path", () => {
    assert.notEqual(pod.priorityClassName, webhookPod.priorityClassName);
    if (pod.priorityClassName !== undefined) {
      assert.ok(!String(pod.priorityClassName).startsWith("system-"));
      one(BASE_OBJECTS, "PriorityClass", pod.priorityClassName);
    }
  });

  it("gives a stopping pod 30 s: up to 20 s for reconciles in flight, then the Lease's release", () => {
    assert.equal(pod.terminationGracePeriodSeconds, 30);
  });

  it("requests 100m CPU and 256Mi, limits memory (not CPU) to 512Mi, with a V8 heap inside it", () => {
    const { requests, limits } = container.resources;
    assert.deepEqual(requests, { cpu: "100m", memory: "256Mi" });
    assert.deepEqual(limits, { memory: "512Mi" });
    const nodeOptions = (container.env as Json[]).find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
    assert.match(nodeOptions, /(^| )--max-old-space-size-percentage=75( |$)/);
    assert.ok((bytes(limits.memory) * 75) / 100 <= bytes(limits.memory) - 64 * 2 ** 20, "the heap leaves under 64 MiB for the rest of the process");
  });
});

describe("the two Deployments", () => {
  const deployments = [WEBHOOK, RECONCILER].map((name) => one(BASE_OBJECTS, "Deployment", name));
  const podsOf = (deployment: Manifest) => deployment.spec.template.metadata.labels as Record<string, string>;

  const probes = [
    { probe: "readinessProbe", path: "/readyz" },
    { probe: "livenessProbe", path: "/healthz" },
  ];
  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    for (const { probe, path } of probes) {
      it(`${name}'s ${probe} asks GET ${path} on the http-health port`, () => {
        const container = containerOf(BASE_OBJECTS, name);
        const p = container[probe];
        assert.ok(p?.httpGet, `no ${probe}`);
        assert.equal(p.httpGet.path, path);
        assert.equal(p.httpGet.port, "http-health");
        assert.equal(p.httpGet.scheme ?? "HTTP", "HTTP");
        assert.ok((container.ports as Json[]).some((port) => port.name === p.httpGet.port));
      });
    }
    it(`${name} is scraped by Prometheus annotations on its http-health port, at /metrics`, () => {
      const annotations = deployment.spec.template.metadata.annotations ?? {};
      const container = containerOf(BASE_OBJECTS, name);
      const health = (container.ports as Json[]).find((p) => p.name === "http-health");
      assert.equal(annotations["prometheus.io/scrape"], "true");
      assert.equal(annotations["prometheus.io/port"], String(health.containerPort));
      assert.equal(annotations["prometheus.io/path"], "/metrics");
    });
  }

  // Every selector of the install, and the Deployment whose pods it must select (and no other's).
  const selectors: { what: string; selector: LabelSelector; owner: string }[] = [
    ...deployments.map((d) => ({ what: `Deployment ${d.metadata.name}`, selector: d.spec.selector, owner: d.metadata.name })),
    ...BASE_OBJECTS.filter((o) => o.kind === "PodDisruptionBudget").map((p) => ({
      what: `PodDisruptionBudget ${p.metadata.name}`,
      selector: p.spec.selector,
      owner: p.metadata.name,
    })),
    ...BASE_OBJECTS.filter((o) => o.kind === "Service").map((s) => ({
      what: `Service ${s.metadata.name}`,
      selector: { matchLabels: s.spec.selector },
      owner: WEBHOOK,
    })),
  ];
  for (const { what, selector, owner } of selectors) {
    it(`${what} selects the pods of ${owner} and of no other Deployment`, () => {
      for (const deployment of deployments) {
        assert.equal(selects(selector, podsOf(deployment)), deployment.metadata.name === owner, deployment.metadata.name);
      }
    });
  }

  it("run under different ServiceAccounts", () => {
    const accounts = deployments.map((d) => d.spec.template.spec.serviceAccountName);
    assert.equal(new Set(accounts).size, accounts.length);
  });
});

describe("the pods' security context", () => {
  for (const deployment of [WEBHOOK, RECONCILER]) {
    describe(deployment, () => {
      const pod = podSpecOf(BASE_OBJECTS, deployment);
      const container = containerOf(BASE_OBJECTS, deployment);
      const cases: { field: string; actual: () => unknown; expected: unknown }[] = [
        { field: "pod runAsNonRoot", actual: () => pod.securityContext.runAsNonRoot, expected: true },
        { field: "pod seccompProfile", actual: () => pod.securityContext.seccompProfile, expected: { type: "RuntimeDefault" } },
        { field: "container runAsNonRoot", actual: () => container.securityContext.runAsNonRoot, expected: true },
        { field: "container allowPrivilegeEscalation", actual: () => container.securityContext.allowPrivilegeEscalation, expected: false },
        { field: "container readOnlyRootFilesystem", actual: () => container.securityContext.readOnlyRootFilesystem, expected: true },
        { field: "container privileged", actual: () => container.securityContext.privileged, expected: false },
        { field: "container capabilities", actual: () => container.securityContext.capabilities, expected: { drop: ["ALL"] } },
        { field: "pod hostNetwork", actual: () => pod.hostNetwork ?? false, expected: false },
      ];
      for (const c of cases) {
        it(`sets ${c.field} to ${JSON.stringify(c.expected)}`, () => {
          assert.deepEqual(c.actual(), c.expected);
        });
      }

      it("runs as a numeric non-root user and group, so runAsNonRoot can be verified without the image", () => {
        for (const field of ["runAsUser", "runAsGroup"]) {
          const id = pod.securityContext[field];
          assert.ok(Number.isInteger(id) && id > 0, `${field}: ${id}`);
        }
      });

      it("mounts only the platform config, read-only: nothing is written to disk", () => {
        assert.deepEqual(
          (pod.volumes as Json[]).map((v) => Object.keys(v).sort()),
          [["configMap", "name"]],
        );
        assert.deepEqual(
          (container.volumeMounts as Json[]).map((m) => [m.mountPath, m.readOnly]),
          [[PLATFORM_CONFIG_MOUNT, true]],
        );
      });
    });
  }

  it("keeps hostgate-system at Pod Security restricted", () => {
    const labels = one(BASE_OBJECTS, "Namespace", NAMESPACE).metadata.labels!;
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
  });
});

describe("the RBAC", () => {
  const expected = [
    // The cluster state the policies index: every grant, every route.
    "cluster | hostgate.dev | hostnamegrants | * | list",
    "cluster | hostgate.dev | hostnamegrants | * | watch",
    "cluster | hostgate.dev | domainroutes | * | list",
    "cluster | hostgate.dev | domainroutes | * | watch",
    // The policy set with --policies-from cluster: every PolicyModule, watched.
    "cluster | hostgate.dev | policymodules | * | list",
    "cluster | hostgate.dev | policymodules | * | watch",
    // The impact warning's existing objects: every other kind the webhooks intercept, read only.
    "cluster | hostgate.dev | regionpolicies | * | list",
    "cluster | hostgate.dev | regionpolicies | * | watch",
    ...["httproutes", "grpcroutes", "tlsroutes", "gateways"].flatMap((r) => [
      `cluster | gateway.networking.k8s.io | ${r} | * | list`,
      `cluster | gateway.networking.k8s.io | ${r} | * | watch`,
    ]),
    ...["virtualservices", "gateways"].flatMap((r) => [`cluster | networking.istio.io | ${r} | * | list`, `cluster | networking.istio.io | ${r} | * | watch`]),
    // caBundle of our own two configurations.
    `cluster | admissionregistration.k8s.io | validatingwebhookconfigurations | ${VALIDATING} | get`,
    `cluster | admissionregistration.k8s.io | validatingwebhookconfigurations | ${VALIDATING} | patch`,
    `cluster | admissionregistration.k8s.io | mutatingwebhookconfigurations | ${MUTATING} | get`,
    `cluster | admissionregistration.k8s.io | mutatingwebhookconfigurations | ${MUTATING} | patch`,
    // The TLS Secret, in our namespace only; create cannot be limited by name.
    `namespace ${NAMESPACE} | core | secrets | ${TLS_SECRET} | get`,
    `namespace ${NAMESPACE} | core | secrets | ${TLS_SECRET} | update`,
    `namespace ${NAMESPACE} | core | secrets | * | create`,
  ].sort();

  /** The lines of permissions() for some resources and verbs. */
  const grant = (scope: string, group: string, resources: string[], name: string, verbs: string[]) =>
    resources.flatMap((resource) => verbs.map((verb) => `${scope} | ${group} | ${resource} | ${name} | ${verb}`));
  const gateway = `namespace ${GATEWAY_NAMESPACE}`;
  // Exactly the verbs the reconciler's code uses, no more. Produced objects are
  // read by name before the first write, created, and server-side applied (patch; update moves a create's fields to the apply).
  const expectedReconciler = [
    // Routes: cache, finalizer, and the orphan sweep's confirmation by name.
    ...grant("cluster", "hostgate.dev", ["domainroutes"], "*", ["get", "list", "watch", "update"]),
    ...grant("cluster", "hostgate.dev", ["domainroutes/status"], "*", ["update"]),
    ...grant("cluster", "hostgate.dev", ["domainroutes/finalizers"], "*", ["update"]),
    // The claims that give each domain to one route.
    ...grant("cluster", "hostgate.dev", ["domainclaims"], "*", ["list", "watch", "create", "delete"]),
    // Each namespace's RegionPolicy, through its cache only.
    ...grant("cluster", "hostgate.dev", ["regionpolicies"], "*", ["list", "watch"]),
    // What it produces in the routes' namespaces: read, created, replaced, watched, pruned.
    ...grant("cluster", "networking.istio.io", ["serviceentries", "destinationrules", "virtualservices"], "*", [
      "get",
      "list",
      "watch",
      "create",
      "update",
      "patch",
      "delete",
    ]),
    ...grant("cluster", "core", ["events"], "*", ["create"]),
    // Backend Services, read only: an ExternalName backend is not served.
    ...grant("cluster", "core", ["services"], "*", ["list", "watch"]),
    // What it produces in the gateway namespace.
    ...grant(gateway, "networking.istio.io", ["gateways"], "*", ["get", "list", "watch", "create", "update", "patch", "delete"]),
    ...grant(gateway, "security.istio.io", ["authorizationpolicies"], "*", ["get", "list", "watch", "create", "update", "patch", "delete"]),
    // The identity table's two objects: rewritten by name; created and watched namespace-wide (RBAC cannot name those).
    ...grant(gateway, "networking.istio.io", ["envoyfilters"], "*", ["list", "watch", "create"]),
    ...grant(gateway, "networking.istio.io", ["envoyfilters"], IDENTITY_ENVOY_FILTER, ["get", "update", "patch"]),
    ...grant(gateway, "core", ["configmaps"], "*", ["list", "watch", "create"]),
    ...grant(gateway, "core", ["configmaps"], IDENTITY_CONFIG_MAP, ["get", "update", "patch"]),
    // The gateway's one Telemetry (access logs, tracing): kept by name; listed (the served check) and created namespace-wide.
    ...grant(gateway, "telemetry.istio.io", ["telemetries"], "*", ["list", "create"]),
    ...grant(gateway, "telemetry.istio.io", ["telemetries"], "hostgate-gateway", ["get", "update", "patch", "delete"]),
    // Leader election on its own Lease; create cannot be limited by name.
    ...grant(`namespace ${NAMESPACE}`, "coordination.k8s.io", ["leases"], LEADER_ELECTION_LEASE, ["get", "update"]),
    ...grant(`namespace ${NAMESPACE}`, "coordination.k8s.io", ["leases"], "*", ["create"]),
  ].sort();

  const identities = [
    { serviceAccount: SERVICE_ACCOUNT, component: "webhook", expected },
    { serviceAccount: RECONCILER_SERVICE_ACCOUNT, component: "reconciler", expected: expectedReconciler },
  ];
  const roles = BASE_OBJECTS.filter((o) => ["ClusterRole", "Role"].includes(o.kind));
  const bindings = BASE_OBJECTS.filter((o) => ["ClusterRoleBinding", "RoleBinding"].includes(o.kind));
  const roleOf = (binding: Manifest) =>
    roles.find(
      (r) =>
        r.kind === binding.roleRef.kind &&
        r.metadata.name === binding.roleRef.name &&
        (r.kind === "ClusterRole" || r.metadata.namespace === binding.metadata.namespace),
    );

  for (const { serviceAccount, expected } of identities) {
    it(`grants the ServiceAccount ${serviceAccount} exactly what it uses`, () => {
      assert.deepEqual(permissions(BASE_OBJECTS, serviceAccount), expected);
    });

    it(`is checked, for ${serviceAccount}, by a comparison that notices one extra verb`, () => {
      const widened = structuredClone(BASE_OBJECTS);
      const binding = widened.find((o) => o.kind === "RoleBinding" && o.subjects.some((s: Json) => s.name === serviceAccount))!;
      one(
        widened.filter((o) => o.metadata.namespace === binding.metadata.namespace),
        "Role",
        binding.roleRef.name,
      ).rules[0].verbs.push("deletecollection");
      assert.notDeepEqual(permissions(widened, serviceAccount), expected);
    });
  }

  // Every Role and ClusterRole in every file under deploy/, patches included.
  const everyRole = ALL_FILES.flatMap((f) => docsOf(f) as Manifest[]).filter((o) => o && ["ClusterRole", "Role"].includes(o.kind));

  it("uses no wildcard and no non-resource URL anywhere, in the base or in a component", () => {
    assert.ok(everyRole.length > roles.length, "the components' roles are not read");
    for (const role of everyRole) {
      for (const rule of (role.rules ?? []) as Json[]) {
        for (const field of ["apiGroups", "resources", "verbs", "resourceNames"]) {
          assert.ok(!(rule[field] ?? []).some((v: string) => v.includes("*")), `${identity(role)}: wildcard in ${field}`);
        }
        assert.equal(rule.nonResourceURLs, undefined, identity(role));
      }
      assert.equal(role.aggregationRule, undefined, `${identity(role)} aggregates other roles`);
    }
  });

  it("grants cluster-wide only what cannot be namespaced: cluster-scoped kinds, and reads across namespaces", () => {
    const clusterScoped = new Set(["hostnamegrants", "validatingwebhookconfigurations", "mutatingwebhookconfigurations"]);
    for (const line of permissions(BASE_OBJECTS).filter((l) => l.startsWith("cluster |"))) {
      const [, , resource, , verb] = line.split(" | ");
      assert.ok(clusterScoped.has(resource!) || ["list", "watch"].includes(verb!), `namespaceable grant made cluster-wide: ${line}`);
    }
  });

  it("grants the reconciler the gateway-side kinds and its Lease in their one namespace only, never cluster-wide", () => {
    const namespaceOnly = new Set(["gateways", "authorizationpolicies", "envoyfilters", "configmaps", "leases"]);
    for (const line of permissions(BASE_OBJECTS, RECONCILER_SERVICE_ACCOUNT).filter((l) => l.startsWith("cluster |"))) {
      assert.ok(!namespaceOnly.has(line.split(" | ")[2]!), `granted cluster-wide: ${line}`);
    }
  });

  it("grants the reconciler nothing on Secrets, in any of its roles", () => {
    assert.ok(!permissions(BASE_OBJECTS, RECONCILER_SERVICE_ACCOUNT).some((l) => l.split(" | ")[2] === "secrets"));
    for (const role of roles.filter((r) => componentOf(r) === "reconciler")) {
      for (const rule of role.rules as Json[]) assert.ok(!rule.resources.includes("secrets"), identity(role));
    }
  });

  it("binds every role, and every binding names one existing role and one existing ServiceAccount of hostgate-system", () => {
    for (const role of roles) {
      assert.ok(
        bindings.some((b) => roleOf(b) === role),
        `${identity(role)} is not bound`,
      );
    }
    const accounts = new Set(BASE_OBJECTS.filter((o) => o.kind === "ServiceAccount").map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    for (const binding of bindings) {
      assert.equal(binding.roleRef.apiGroup, "rbac.authorization.k8s.io");
      assert.ok(roleOf(binding), `${identity(binding)} refers to a missing ${binding.roleRef.kind} ${binding.roleRef.name}`);
      assert.equal(binding.subjects.length, 1, identity(binding));
      const [subject] = binding.subjects;
      assert.equal(subject.kind, "ServiceAccount", identity(binding));
      assert.equal(subject.namespace, NAMESPACE, identity(binding));
      assert.ok(
        accounts.has(`${subject.namespace}/${subject.name}`),
        `${identity(binding)} binds a ServiceAccount the install does not create: ${subject.name}`,
      );
    }
  });

  for (const { serviceAccount, component } of identities) {
    it(`binds the ServiceAccount ${serviceAccount} only to the ${component}'s roles, and the ${component}'s roles only to it`, () => {
      for (const binding of bindings) {
        const boundToUs = binding.subjects.some((s: Json) => s.kind === "ServiceAccount" && s.name === serviceAccount);
        const ourRole = componentOf(roleOf(binding)!) === component;
        assert.equal(
          boundToUs,
          ourRole,
          `${identity(binding)}: ${binding.roleRef.kind} ${binding.roleRef.name} bound to ${binding.subjects.map((s: Json) => s.name).join(", ")}`,
        );
        assert.equal(componentOf(binding), componentOf(roleOf(binding)!), `${identity(binding)} is labelled apart from its role`);
      }
    });
  }

  it("shares no permission between the webhook and the reconciler but reading kinds both read (DomainRoutes, RegionPolicies, VirtualServices)", () => {
    const reconciler = new Set(permissions(BASE_OBJECTS, RECONCILER_SERVICE_ACCOUNT));
    assert.deepEqual(
      permissions(BASE_OBJECTS).filter((l) => reconciler.has(l)),
      ["domainroutes", "regionpolicies"]
        .flatMap((r) => [`cluster | hostgate.dev | ${r} | * | list`, `cluster | hostgate.dev | ${r} | * | watch`])
        .concat(["cluster | networking.istio.io | virtualservices | * | list", "cluster | networking.istio.io | virtualservices | * | watch"])
        .sort(),
    );
  });

  // The impact warning (webhook/serve-command.ts) lists and watches every kind the webhooks intercept, at its first served version.
  it("lets the webhook list and watch every audited kind (AUDITED_RESOURCES) cluster-wide, read only", () => {
    const granted = new Set(permissions(BASE_OBJECTS));
    for (const audited of AUDITED_RESOURCES) {
      for (const verb of ["list", "watch"]) {
        const line = `cluster | ${audited.group} | ${audited.resource} | * | ${verb}`;
        assert.ok(granted.has(line), `the webhook's ClusterRole lacks ${verb} on ${audited.resource}.${audited.group}: add it to deploy/base/rbac.yaml`);
      }
    }
  });
});

describe("kubectl kustomize", { skip: KUBECTL_MISSING }, () => {
  it("builds deploy/ into exactly the base objects and generated ConfigMaps, each valid against its API schema", () => {
    const rendered = kustomize(DEPLOY);
    const unhashed = (o: Manifest) => (o.kind === "ConfigMap" ? identity(o).replace(/-[a-z0-9]{10}$/, "") : identity(o));
    assert.deepEqual(
      rendered.map(unhashed).sort(),
      [...BASE_OBJECTS.map(identity), ...BASE_CONFIGMAPS.map((g) => `ConfigMap ${g.namespace}/${g.name}`)].sort(),
    );
    for (const doc of rendered) assert.deepEqual(manifestProblems(doc), [], identity(doc));
  });

  it("runs the tagged image in both Deployments", () => {
    const rendered = kustomize(DEPLOY);
    for (const deployment of [WEBHOOK, RECONCILER]) assert.equal(containerOf(rendered, deployment).image, `${IMAGE}:${PACKAGE_VERSION}`, deployment);
  });

  it("mounts the generated ConfigMap under its hashed name in both Deployments, so a new config rolls the pods of both", () => {
    const rendered = kustomize(DEPLOY);
    const configMap = one(rendered, "ConfigMap");
    assert.match(configMap.metadata.name, /^hostgate-platform-config-[a-z0-9]{10}$/);
    for (const deployment of [WEBHOOK, RECONCILER]) {
      const volume = (podSpecOf(rendered, deployment).volumes as Json[]).find((v) => v.configMap);
      assert.equal(volume.configMap.name, configMap.metadata.name, deployment);
    }
    assert.doesNotThrow(() => parsePlatformConfig(configMap.data["platform-config.yaml"], "rendered ConfigMap"));
  });

  it("lets an overlay move the reconciler's gateway Role and RoleBinding to another gateway namespace with one patch", () => {
    const rendered = kustomizeOverlay((_dir, pathTo) => ({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [pathTo(BASE)],
      patches: [
        {
          target: { name: RECONCILER, namespace: GATEWAY_NAMESPACE },
          patch: JSON.stringify([{ op: "replace", path: "/metadata/namespace", value: "gateways" }]),
        },
      ],
    }));
    const moved = rendered
      .filter((o) => o.metadata.namespace === "gateways")
      .map(identity)
      .sort();
    assert.deepEqual(moved, [`Role gateways/${RECONCILER}`, `RoleBinding gateways/${RECONCILER}`]);
    assert.equal(rendered.filter((o) => o.metadata.namespace === GATEWAY_NAMESPACE).length, 0);
    assert.ok(permissions(rendered, RECONCILER_SERVICE_ACCOUNT).includes(`namespace gateways | networking.istio.io | gateways | * | update`));
  });

  it("composes the Gateway API component with the base, and one patch moves every gateway Role and RoleBinding to another gateway namespace", () => {
    const rendered = kustomizeOverlay((_dir, pathTo) => ({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [pathTo(BASE)],
      components: [pathTo(join(DEPLOY, "components", "reconciler-gateway-api"))],
      patches: [{ target: { namespace: GATEWAY_NAMESPACE }, patch: JSON.stringify([{ op: "replace", path: "/metadata/namespace", value: "gateways" }]) }],
    }));
    for (const doc of rendered) assert.deepEqual(manifestProblems(doc), [], identity(doc));
    const moved = rendered
      .filter((o) => o.metadata.namespace === "gateways")
      .map(identity)
      .sort();
    assert.deepEqual(moved, [
      `Role gateways/${RECONCILER}`,
      `Role gateways/${RECONCILER}-gateways`,
      `RoleBinding gateways/${RECONCILER}`,
      `RoleBinding gateways/${RECONCILER}-gateways`,
    ]);
    assert.equal(rendered.filter((o) => o.metadata.namespace === GATEWAY_NAMESPACE).length, 0);
    const granted = permissions(rendered, RECONCILER_SERVICE_ACCOUNT);
    assert.ok(granted.includes(`namespace gateways | gateway.networking.k8s.io | gateways | * | create`), granted.join("\n"));
    assert.ok(granted.includes(`namespace gateways | gateway.envoyproxy.io | clienttrafficpolicies | * | delete`), granted.join("\n"));
  });

  // deploy/README.md, "Running only one of the two": one delete patch removes the other's objects.
  const onlyOne = [
    { only: "webhook", removed: "hostgate-reconciler.*", serviceAccount: SERVICE_ACCOUNT, other: RECONCILER_SERVICE_ACCOUNT },
    { only: "reconciler", removed: "hostgate-(webhook|validating|mutating)", serviceAccount: RECONCILER_SERVICE_ACCOUNT, other: SERVICE_ACCOUNT },
  ];
  for (const { only, removed, serviceAccount, other } of onlyOne) {
    it(`lets an overlay install only the ${only}, keeping its RBAC whole`, () => {
      const rendered = kustomizeOverlay((_dir, pathTo) => ({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: [pathTo(BASE)],
        patches: [{ target: { name: removed }, patch: "$patch: delete\nkind: Any\nmetadata:\n  name: any\n" }],
      }));
      const left = rendered.filter((o) => !SHARED_KINDS.has(o.kind) && o.kind !== "ConfigMap");
      assert.ok(left.length > 0);
      for (const doc of left) assert.equal(componentOf(doc), only, identity(doc));
      assert.deepEqual(permissions(rendered, serviceAccount), permissions(BASE_OBJECTS, serviceAccount));
      assert.deepEqual(permissions(rendered, other), []);
      if (only === "reconciler") {
        const configurations = rendered.filter((o) => o.kind.endsWith("WebhookConfiguration"));
        assert.deepEqual(configurations, [], "webhook configurations left without the webhook refuse every route write");
      }
    });
  }

  describe("the cert-manager overlay", () => {
    const rendered = KUBECTL_MISSING ? [] : kustomize(join(DEPLOY, "overlays", "cert-manager"));
    const get = (kind: string, name?: string) => one(rendered, kind, name);

    it("builds, and every object is valid against its API schema", () => {
      assert.ok(rendered.length > 0);
      for (const doc of rendered) assert.deepEqual(manifestProblems(doc), [], identity(doc));
    });

    it("serves the cert-manager certificate from a read-only mount at /tls", () => {
      const pod = podSpecOf(rendered);
      const container = webhookContainerOf(rendered);
      const args = container.args as string[];
      assert.equal(flag(args, "--tls-cert"), "/tls/tls.crt");
      assert.equal(flag(args, "--tls-key"), "/tls/tls.key");
      assert.equal(flag(args, "--listen"), "0.0.0.0:8443", "the base's arguments are kept");
      const mount = (container.volumeMounts as Json[]).find((m) => m.mountPath === "/tls");
      assert.ok(mount, "nothing is mounted at /tls");
      assert.equal(mount.readOnly, true);
      const volume = (pod.volumes as Json[]).find((v) => v.name === mount.name);
      assert.equal(volume.secret.secretName, get("Certificate", "hostgate-webhook").spec.secretName);
      assert.equal(volume.secret.defaultMode, 0o440);
      assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsGroup, "the key is readable by the webhook's group");
      assert.deepEqual(Object.keys(volume).sort(), ["name", "secret"], "a Secret volume: nothing writable");
      for (const m of container.volumeMounts as Json[]) assert.equal(m.readOnly, true, m.mountPath);
    });

    it("issues the serving certificate for the Service's name from a CA of its own", () => {
      const serving = get("Certificate", "hostgate-webhook");
      assert.ok(serving.spec.dnsNames.includes(`${SERVICE}.${NAMESPACE}.svc`));
      assert.notEqual(serving.spec.secretName, TLS_SECRET, "shares the self-managed Secret");
      assert.ok(serving.spec.usages.includes("server auth"));
      const caIssuer = get("Issuer", serving.spec.issuerRef.name);
      const caCert = rendered.find((o) => o.kind === "Certificate" && o.spec.secretName === caIssuer.spec.ca?.secretName);
      assert.ok(caCert, "the serving certificate's Issuer is not backed by a CA Certificate of this install");
      assert.equal(caCert.spec.isCA, true);
      assert.ok(get("Issuer", caCert.spec.issuerRef.name).spec.selfSigned, "the CA is not self-signed");
    });

    it("has cainjector fill in both webhook configurations from the serving Certificate", () => {
      for (const [kind, name] of [
        ["ValidatingWebhookConfiguration", VALIDATING],
        ["MutatingWebhookConfiguration", MUTATING],
      ]) {
        const annotation = get(kind!, name).metadata.annotations?.["cert-manager.io/inject-ca-from"];
        assert.equal(annotation, `${NAMESPACE}/hostgate-webhook`, kind);
        const [namespace, certificate] = annotation.split("/");
        assert.equal(get("Certificate", certificate).metadata.namespace, namespace);
      }
    });

    it("takes away what only self-managed TLS needs: all Secret access and patching the webhook configurations", () => {
      assert.deepEqual(permissions(rendered), [
        "cluster | hostgate.dev | domainroutes | * | list",
        "cluster | hostgate.dev | domainroutes | * | watch",
        "cluster | hostgate.dev | hostnamegrants | * | list",
        "cluster | hostgate.dev | hostnamegrants | * | watch",
      ]);
      assert.equal(rendered.filter((o) => (o.kind === "Role" || o.kind === "RoleBinding") && componentOf(o) === "webhook").length, 0);
    });

    it("leaves the reconciler as the base has it: its Deployment (no TLS), RBAC and PodDisruptionBudget", () => {
      assert.deepEqual(permissions(rendered, RECONCILER_SERVICE_ACCOUNT), permissions(BASE_OBJECTS, RECONCILER_SERVICE_ACCOUNT));
      const container = containerOf(rendered, RECONCILER);
      assert.deepEqual(container.args, containerOf(BASE_OBJECTS, RECONCILER).args);
      assert.ok(!(container.volumeMounts as Json[]).some((m) => m.mountPath === "/tls"), "the reconciler mounts the serving certificate");
      assert.equal(podSpecOf(rendered, RECONCILER).securityContext.fsGroup, undefined);
      assert.deepEqual(get("PodDisruptionBudget", RECONCILER).spec, one(BASE_OBJECTS, "PodDisruptionBudget", RECONCILER).spec);
    });
  });

  it("composes both optional components, an image override and a replaced platform config in one overlay", () => {
    const rendered = kustomizeOverlay((dir, pathTo) => {
      writeFileSync(join(dir, "platform-config.yaml"), `# ours\n${readFileSync(BASE_CONFIGMAPS[0]!.files[0]!, "utf8")}`);
      return {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: [pathTo(BASE)],
        components: [pathTo(join(DEPLOY, "components", "cert-manager")), pathTo(join(DEPLOY, "components", "network-policy"))],
        images: [{ name: IMAGE, newName: "registry.example.com/hostgate", newTag: "9.9.9" }],
        configMapGenerator: [{ name: "hostgate-platform-config", namespace: NAMESPACE, behavior: "replace", files: ["platform-config.yaml"] }],
      };
    });
    for (const doc of rendered) assert.deepEqual(manifestProblems(doc), [], identity(doc));
    assert.equal(webhookContainerOf(rendered).image, "registry.example.com/hostgate:9.9.9");
    const configMap = one(rendered, "ConfigMap");
    assert.match(configMap.data["platform-config.yaml"], /^# ours\n/);
    assert.equal((podSpecOf(rendered).volumes as Json[]).find((v) => v.configMap)?.configMap.name, configMap.metadata.name);
    assert.equal(containerOf(rendered, RECONCILER).image, "registry.example.com/hostgate:9.9.9", "the image override misses the reconciler");
    assert.equal((podSpecOf(rendered, RECONCILER).volumes as Json[]).find((v) => v.configMap)?.configMap.name, configMap.metadata.name);
    const policy = one(rendered, "NetworkPolicy");
    const pod = one(rendered, "Deployment", WEBHOOK).spec.template;
    assert.ok(selects(policy.spec.podSelector, pod.metadata.labels));
    assert.ok(
      !selects(policy.spec.podSelector, one(rendered, "Deployment", RECONCILER).spec.template.metadata.labels),
      "the webhook's NetworkPolicy selects the reconciler",
    );
    const containerPorts = new Set((pod.spec.containers[0].ports as Json[]).map((p) => p.name));
    for (const rule of policy.spec.ingress as Json[]) {
      for (const port of rule.ports) assert.ok(containerPorts.has(port.port), `ingress port ${port.port} is not a container port`);
    }
  });
});
