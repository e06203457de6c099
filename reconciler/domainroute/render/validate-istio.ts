// Checks an Istio object against the schema of its kind, as published in
// Istio's CRDs (via @kubernetes-models/istio): wrong types, missing required
// fields and values outside an enum fail; fields the schema does not know are
// not reported (Istio's CRDs prune them instead of refusing them).
import * as networkingV1 from "@kubernetes-models/istio/networking.istio.io/v1";
import * as securityV1 from "@kubernetes-models/istio/security.istio.io/v1";
// The appId table's EnvoyFilter: Istio serves EnvoyFilter only as v1alpha3.
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3";

interface IstioModel {
  validate(): void;
}
type IstioModelClass = (new (data: never) => IstioModel) & { apiVersion: string; kind: string };

const MODELS: ReadonlyMap<string, IstioModelClass> = new Map(
  ([...Object.values(networkingV1), ...Object.values(securityV1), EnvoyFilter] as unknown[])
    .filter((value): value is IstioModelClass => typeof value === "function" && typeof (value as Partial<IstioModelClass>).kind === "string")
    .map((model) => [`${model.apiVersion}/${model.kind}`, model] as const),
);

/** `apiVersion/kind` of every Istio kind validateIstioObject knows, sorted. */
export function validatableIstioKinds(): string[] {
  return [...MODELS.keys()].sort();
}

function describe(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const key = typeof metadata.namespace === "string" ? `${metadata.namespace}/${String(metadata.name)}` : String(metadata.name);
  return `${String(object.kind)} ${key}`;
}

/**
 * Throws an Error naming the object and every violation when `object` does
 * not match the Istio schema of its apiVersion and kind, or when that
 * apiVersion and kind are not an Istio kind known here.
 */
export function validateIstioObject(object: unknown): void {
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    throw new TypeError(`not an Istio object: expected a JSON object, got ${object === null ? "null" : Array.isArray(object) ? "an array" : typeof object}`);
  }
  const record = object as Record<string, unknown>;
  const type = `${String(record.apiVersion)}/${String(record.kind)}`;
  const Model = MODELS.get(type);
  if (Model === undefined) {
    throw new TypeError(
      `${describe(record)}: no Istio schema for apiVersion ${JSON.stringify(record.apiVersion)} kind ${JSON.stringify(record.kind)}; known: ${validatableIstioKinds().join(", ")}`,
    );
  }
  try {
    new Model(record as never).validate();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${describe(record)} does not match the Istio ${type} schema: ${reason}`, { cause: error });
  }
}
