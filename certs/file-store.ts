// The local-mode store: the certificates as files in one directory (default
// .hostgate/tls), so a developer's tools can point at ca.crt. Each file is
// replaced atomically (written to a temporary file in the same directory,
// flushed, renamed over the old one), so a reader sees the old file or the
// new one, never half of either. Private keys are created mode 0600 and the
// directory 0700. ca.crt is written first: by the time tls.crt changes, the
// bundle that trusts its issuer is already there.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { CertificateStore, StoredCertificates } from "./store.ts";
import { StoreConflictError } from "./store.ts";
import { CA_BUNDLE_KEY, CA_KEYS_KEY, TLS_CERT_KEY, TLS_KEY_KEY } from "./stored-state.ts";

/** The files, in the order they are written. */
export const LOCAL_FILES: readonly string[] = [CA_BUNDLE_KEY, CA_KEYS_KEY, TLS_KEY_KEY, TLS_CERT_KEY];

export class FileCertificateStore implements CertificateStore {
  readonly dir: string;
  readonly location: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.location = `directory ${this.dir}`;
  }

  async read(): Promise<StoredCertificates | undefined> {
    const data: Record<string, string> = {};
    for (const name of LOCAL_FILES) {
      try {
        data[name] = await readFile(join(this.dir, name), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${join(this.dir, name)}: ${(error as Error).message}`);
      }
    }
    if (Object.keys(data).length === 0) return undefined;
    return { data, version: versionOf(data) };
  }

  /**
   * The version check and the writes are not one atomic step across
   * processes: two `hostgate serve` sharing a directory at the same instant
   * could interleave. Local mode runs one process per directory; the
   * cluster's Secret store is the one with real concurrency control.
   */
  async write(data: Record<string, string>, expectedVersion?: string): Promise<{ version?: string }> {
    const unknown = Object.keys(data).filter((name) => !LOCAL_FILES.includes(name));
    if (unknown.length > 0) throw new Error(`the local certificate store keeps only ${LOCAL_FILES.join(", ")}; refusing to write ${unknown.join(", ")}`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const current = await this.read();
    if (current?.version !== expectedVersion) throw new StoreConflictError(`the files in ${this.dir} changed since they were read`);
    for (const name of LOCAL_FILES) {
      const content = data[name];
      if (content !== undefined) await writeAtomically(join(this.dir, name), content, name.endsWith(".key") ? 0o600 : 0o644);
    }
    await syncDirectory(this.dir);
    return { version: versionOf(data) };
  }
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    // "wx": a fresh file, created with `mode` from the start, so a key is
    // never readable by others, not even between create and chmod.
    const handle = await open(temporary, "wx", mode);
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** Makes the renames durable; some platforms cannot open a directory, and then the OS flushes it in its own time. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows): durability is best effort.
  }
}

function versionOf(data: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const name of LOCAL_FILES) hash.update(`${name}\0${data[name] ?? "\u0001absent"}\0`);
  return hash.digest("hex").slice(0, 16);
}
