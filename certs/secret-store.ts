// The cluster store: one Secret (hostgate-system/hostgate-webhook-tls, type
// Opaque) shared by every replica. Optimistic concurrency with the
// resourceVersion: a replace carries the version read, and the API server
// refuses it (409 Conflict) if anyone wrote since; a create refuses if the
// Secret appeared meanwhile (409 AlreadyExists). Both become a
// StoreConflictError: the manager re-reads and re-plans, never clobbers.
// Labels and annotations others put on the Secret are kept on replace.
import type { CertificateStore, StoredCertificates } from "./store.ts";

export interface SecretObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  type?: string;
  /** Values base64-encoded, as the API carries them. */
  data?: Record<string, string>;
  [field: string]: unknown;
}

/** The narrow port to the API: kubernetes-secrets-client.ts implements it with client-node, tests with a map. */
export interface SecretsClient {
  /** undefined when the Secret does not exist. */
  read(name: string): Promise<SecretObject | undefined>;
  /** Throws StoreConflictError when it already exists. */
  create(secret: SecretObject): Promise<SecretObject>;
  /** Throws StoreConflictError when metadata.resourceVersion is not the stored one. */
  replace(secret: SecretObject): Promise<SecretObject>;
}

export const SECRET_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "hostgate",
  "app.kubernetes.io/component": "webhook-tls",
  "app.kubernetes.io/managed-by": "hostgate",
};

export class SecretCertificateStore implements CertificateStore {
  readonly #client: SecretsClient;
  readonly #namespace: string;
  readonly #name: string;
  readonly location: string;
  /** The object last read, so a replace keeps the metadata others set. */
  #lastRead: SecretObject | undefined;

  constructor(client: SecretsClient, namespace: string, name: string) {
    this.#client = client;
    this.#namespace = namespace;
    this.#name = name;
    this.location = `Secret ${namespace}/${name}`;
  }

  async read(): Promise<StoredCertificates | undefined> {
    const secret = await this.#client.read(this.#name);
    this.#lastRead = secret;
    if (secret === undefined) return undefined;
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, "base64").toString("utf8");
    return { data, ...(secret.metadata.resourceVersion !== undefined ? { version: secret.metadata.resourceVersion } : {}) };
  }

  async write(data: Record<string, string>, expectedVersion?: string): Promise<{ version?: string }> {
    const encoded: Record<string, string> = {};
    for (const key of Object.keys(data).sort()) encoded[key] = Buffer.from(data[key] as string, "utf8").toString("base64");
    let written: SecretObject;
    if (expectedVersion === undefined) {
      written = await this.#client.create({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: this.#name, namespace: this.#namespace, labels: { ...SECRET_LABELS } },
        type: "Opaque",
        data: encoded,
      });
    } else {
      const base = this.#lastRead?.metadata.resourceVersion === expectedVersion ? this.#lastRead : undefined;
      written = await this.#client.replace({
        ...(base ?? { apiVersion: "v1", kind: "Secret", type: "Opaque" }),
        metadata: { ...(base?.metadata ?? { name: this.#name, namespace: this.#namespace }), resourceVersion: expectedVersion },
        data: encoded,
      });
    }
    this.#lastRead = written;
    return written.metadata.resourceVersion !== undefined ? { version: written.metadata.resourceVersion } : {};
  }
}
