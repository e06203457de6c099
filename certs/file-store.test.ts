import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FileCertificateStore } from "./file-store.ts";
import { StoreConflictError } from "./store.ts";
import { step, T0 } from "./testing/fixtures.ts";

const root = await mkdtemp(join(tmpdir(), "hostgate-file-store-"));
after(() => rm(root, { recursive: true, force: true }));
const data = (await step(undefined, T0)).data as Record<string, string>;
let n = 0;
const freshDir = () => join(root, `case-${++n}`, "nested", "tls");

describe("FileCertificateStore", () => {
  it("reads nothing from a directory that does not exist", async () => {
    assert.equal(await new FileCertificateStore(freshDir()).read(), undefined);
  });

  it("creates the directory (0700) and writes ca.crt, ca.key, tls.crt and tls.key", async () => {
    const dir = freshDir();
    const store = new FileCertificateStore(dir);
    await store.write(data);
    assert.deepEqual((await readdir(dir)).sort(), ["ca.crt", "ca.key", "tls.crt", "tls.key"]);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    for (const name of ["ca.crt", "tls.crt", "ca.key", "tls.key"]) assert.equal(await readFile(join(dir, name), "utf8"), data[name]);
    assert.deepEqual((await store.read())?.data, data);
  });

  it("makes private keys readable by the owner only and certificates readable by all", async () => {
    const dir = freshDir();
    await new FileCertificateStore(dir).write(data);
    const modes = Object.fromEntries(
      await Promise.all(["ca.crt", "ca.key", "tls.crt", "tls.key"].map(async (f) => [f, (await stat(join(dir, f))).mode & 0o777] as const)),
    );
    assert.equal(modes["ca.key"], 0o600);
    assert.equal(modes["tls.key"], 0o600);
    // 0644 minus whatever the umask removes, never more than 0644.
    assert.equal((modes["ca.crt"] as number) & ~0o644, 0);
    assert.equal((modes["tls.crt"] as number) & 0o400, 0o400);
  });

  it("replaces a key file that was world-readable with a 0600 one", async () => {
    const dir = freshDir();
    const store = new FileCertificateStore(dir);
    await store.write(data);
    await writeFile(join(dir, "tls.key"), data["tls.key"] as string, { mode: 0o644 });
    const current = await store.read();
    await store.write({ ...data, "tls.crt": `${data["tls.crt"]}\n` }, current?.version);
    assert.equal((await stat(join(dir, "tls.key"))).mode & 0o777, 0o600);
  });

  it("leaves no temporary files behind", async () => {
    const dir = freshDir();
    const store = new FileCertificateStore(dir);
    await store.write(data);
    await store.write({ ...data, "ca.crt": `${data["ca.crt"]}\n` }, (await store.read())?.version);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  it("lets a concurrent reader see the old file or the new one, never a mix", async () => {
    const dir = freshDir();
    const store = new FileCertificateStore(dir);
    const a = { ...data, "tls.crt": "A".repeat(200_000) };
    const b = { ...data, "tls.crt": "B".repeat(200_000) };
    await store.write(a);
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) seen.add(await readFile(join(dir, "tls.crt"), "utf8"));
    })();
    for (let i = 0; i < 20; i++) await store.write(i % 2 === 0 ? b : a, (await store.read())?.version);
    writing = false;
    await reader;
    assert.ok(seen.size >= 1);
    for (const content of seen) assert.ok(content === a["tls.crt"] || content === b["tls.crt"], `a torn read of ${content.length} characters`);
  });

  it("refuses to write over files that changed since they were read", async () => {
    const dir = freshDir();
    const store = new FileCertificateStore(dir);
    await store.write(data);
    const read = await store.read();
    await writeFile(join(dir, "tls.crt"), "edited by hand");
    await assert.rejects(store.write(data, read?.version), StoreConflictError);
    assert.equal(await readFile(join(dir, "tls.crt"), "utf8"), "edited by hand");
  });

  it("refuses to create when files appeared meanwhile", async () => {
    const dir = freshDir();
    await new FileCertificateStore(dir).write(data);
    await assert.rejects(new FileCertificateStore(dir).write(data, undefined), /changed since they were read/);
  });

  it("refuses file names other than its four, so data cannot escape the directory", async () => {
    await assert.rejects(
      new FileCertificateStore(freshDir()).write({ ...data, "../escape": "x" }),
      /keeps only ca\.crt, ca\.key, tls\.key, tls\.crt; refusing to write \.\.\/escape/,
    );
  });
});
