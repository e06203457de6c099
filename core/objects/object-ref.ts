// A short, stable name for an object in messages and reports.

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

function stringField(record: unknown, key: string): string | undefined {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return undefined;
  const value = (record as Record<string, unknown>)[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Identity of an object for display. Tolerates junk (missing metadata, wrong
 * types): a message about a broken object must not itself throw. A missing
 * name falls back to `metadata.generateName` and then to "".
 */
export function objectRef(object: unknown): ObjectRef {
  const metadata = object !== null && typeof object === "object" ? (object as Record<string, unknown>).metadata : undefined;
  const ref: ObjectRef = {
    apiVersion: stringField(object, "apiVersion") ?? "",
    kind: stringField(object, "kind") ?? "",
    name: stringField(metadata, "name") ?? stringField(metadata, "generateName") ?? "",
  };
  const namespace = stringField(metadata, "namespace");
  if (namespace !== undefined) ref.namespace = namespace;
  return ref;
}

/** `DomainRoute team-a/shop-web`, or `HostnameGrant team-a-shop` when cluster-scoped. */
export function formatObjectRef(ref: ObjectRef): string {
  const name = ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`;
  return `${ref.kind || "<no kind>"} ${name || "<no name>"}`;
}
