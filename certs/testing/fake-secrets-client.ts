// The SecretsClient port over a map, with the API server's rules for
// resourceVersion: create refuses an existing name, replace refuses a stale
// or missing version. Reads hand out copies, as the API does.
import type { SecretObject, SecretsClient } from "../secret-store.ts";
import { StoreConflictError } from "../store.ts";

export class FakeSecretsClient implements SecretsClient {
  readonly secrets = new Map<string, SecretObject>();
  readonly calls: string[] = [];
  #resourceVersion = 100;

  readonly namespace: string;

  constructor(namespace = "hostgate-system") {
    this.namespace = namespace;
  }

  async read(name: string): Promise<SecretObject | undefined> {
    this.calls.push(`read ${name}`);
    const secret = this.secrets.get(name);
    return secret === undefined ? undefined : structuredClone(secret);
  }

  async create(secret: SecretObject): Promise<SecretObject> {
    this.calls.push(`create ${secret.metadata.name}`);
    if (secret.metadata.namespace !== this.namespace) throw new Error(`namespace ${secret.metadata.namespace} is not ${this.namespace}`);
    if (this.secrets.has(secret.metadata.name)) throw new StoreConflictError(`secrets "${secret.metadata.name}" already exists`);
    if (secret.metadata.resourceVersion !== undefined) throw new Error("resourceVersion should not be set on create");
    return this.#store(secret);
  }

  async replace(secret: SecretObject): Promise<SecretObject> {
    this.calls.push(`replace ${secret.metadata.name}`);
    const stored = this.secrets.get(secret.metadata.name);
    if (stored === undefined) throw new StoreConflictError(`secrets "${secret.metadata.name}" not found`);
    if (secret.metadata.resourceVersion !== stored.metadata.resourceVersion)
      throw new StoreConflictError(`the object has been modified; please apply your changes to the latest version and try again`);
    if (stored.type !== undefined && secret.type !== stored.type) throw new Error(`field is immutable: type ${stored.type}`);
    return this.#store(secret);
  }

  /** Someone else (kubectl, another replica) edits the Secret. */
  edit(name: string, change: (secret: SecretObject) => void): void {
    const secret = this.secrets.get(name);
    if (secret === undefined) throw new Error(`no secret ${name}`);
    change(secret);
    secret.metadata.resourceVersion = String(++this.#resourceVersion);
  }

  #store(secret: SecretObject): SecretObject {
    const stored = structuredClone(secret);
    stored.metadata.resourceVersion = String(++this.#resourceVersion);
    this.secrets.set(stored.metadata.name, stored);
    return structuredClone(stored);
  }
}
