// The CRDs hostgate ships, loaded from the manifests in this folder and
// indexed by group/version and kind, so `hostgate check` and tests can find
// the schema the API server would apply to an object.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { JSONSchemaProps } from "./schema-props.ts";
import type { CollectedRule } from "./validation-rules.ts";
import { collectValidationRules } from "./validation-rules.ts";

export type CrdScope = "Namespaced" | "Cluster";

/** The parts of an apiextensions.k8s.io/v1 CustomResourceDefinition hostgate reads. */
export interface CrdManifest {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    scope: CrdScope;
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema: JSONSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface CrdCatalogEntry {
  crd: CrdManifest;
  /** Manifest file the CRD came from. */
  file: string;
  group: string;
  kind: string;
  plural: string;
  scope: CrdScope;
  /** The served version this entry describes. */
  version: string;
  apiVersion: string;
  schema: JSONSchemaProps;
  /** Every x-kubernetes-validations rule of the schema, with its location. */
  validations: readonly CollectedRule[];
  /** Writes through the main endpoint cannot change status (it has its own subresource). */
  hasStatusSubresource: boolean;
}

export interface CrdCatalog {
  /**
   * The entry for a kind, by `group` (its storage version) or by
   * `group/version` (that served version); undefined when not ours.
   */
  lookup(groupOrApiVersion: string, kind: string): CrdCatalogEntry | undefined;
  /** Every served version of every CRD. */
  entries(): readonly CrdCatalogEntry[];
  crds(): readonly CrdManifest[];
}

export const CRD_DIRECTORY = fileURLToPath(new URL(".", import.meta.url));

const cache = new Map<string, CrdCatalog>();

/** Loads every CRD manifest (`*.yaml`) in `dir` once; later calls return the cached catalog. */
export function loadCrdCatalog(dir: string = CRD_DIRECTORY): CrdCatalog {
  const key = resolve(dir);
  let catalog = cache.get(key);
  if (catalog === undefined) {
    catalog = buildCatalog(readCrds(key));
    cache.set(key, catalog);
  }
  return catalog;
}

interface LoadedCrd {
  crd: CrdManifest;
  file: string;
}

/** Reads every CustomResourceDefinition document of the `*.yaml` files in dir, in file name order. */
export function readCrds(dir: string): LoadedCrd[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort();
  const out: LoadedCrd[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const docs = parseAllDocuments(readFileSync(file, "utf8"));
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        // yaml's messages end with a multi-line excerpt; the first line says it all.
        const reason = doc.errors[0]!.message.split("\n")[0];
        throw new Error(`${file}: not valid YAML: ${reason}; fix the manifest so it parses`);
      }
      const value: unknown = doc.toJS();
      if (!isCrd(value)) continue;
      out.push({ crd: value, file });
    }
  }
  return out;
}

function isCrd(value: unknown): value is CrdManifest {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { apiVersion?: unknown; kind?: unknown };
  return v.apiVersion === "apiextensions.k8s.io/v1" && v.kind === "CustomResourceDefinition";
}

function buildCatalog(loaded: readonly LoadedCrd[]): CrdCatalog {
  const all: CrdCatalogEntry[] = [];
  const byVersion = new Map<string, CrdCatalogEntry>();
  const byGroup = new Map<string, CrdCatalogEntry>();
  for (const { crd, file } of loaded) {
    const { group, names, scope } = crd.spec;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const schema = version.schema?.openAPIV3Schema;
      if (schema === undefined) {
        throw new Error(`${file}: CRD ${crd.metadata.name} version ${version.name} has no openAPIV3Schema; every served version needs one`);
      }
      const entry: CrdCatalogEntry = {
        crd,
        file,
        group,
        kind: names.kind,
        plural: names.plural,
        scope,
        version: version.name,
        apiVersion: `${group}/${version.name}`,
        schema,
        validations: collectValidationRules(schema),
        hasStatusSubresource: version.subresources?.status !== undefined,
      };
      all.push(entry);
      byVersion.set(`${entry.apiVersion}\u0000${entry.kind}`, entry);
      if (version.storage || !byGroup.has(`${group}\u0000${entry.kind}`)) byGroup.set(`${group}\u0000${entry.kind}`, entry);
    }
  }
  return {
    lookup(groupOrApiVersion, kind) {
      const index = groupOrApiVersion.includes("/") ? byVersion : byGroup;
      return index.get(`${groupOrApiVersion}\u0000${kind}`);
    },
    entries: () => all,
    crds: () => loaded.map((l) => l.crd),
  };
}
