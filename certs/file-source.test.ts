import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Clock } from "../core/clock.ts";
import { ManualClock, systemClock } from "../core/clock.ts";
import { fileCertificates } from "./factories.ts";
import { CertificateFileError } from "./file-source.ts";
import type { FileCertificateSource } from "./file-source.ts";
import type { TlsMaterial } from "./source.ts";
import { issuer, T0 } from "./testing/fixtures.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";

const DAY = 86_400_000;
const root = await mkdtemp(join(tmpdir(), "hostgate-file-source-"));
after(() => rm(root, { recursive: true, force: true }));

const ca = await issuer.createAuthority({ commonName: "cert-manager-ca", notBefore: new Date(T0), notAfter: new Date(T0 + 365 * DAY) });
const pair = () =>
  issuer.issueServing({ signer: ca, commonName: "w.svc", dnsNames: ["w.svc"], ipAddresses: [], notBefore: new Date(T0), notAfter: new Date(T0 + 90 * DAY) });
const [pairA, pairB, pairC] = await Promise.all([pair(), pair(), pair()]);
/** Fixed "now" (a day into the pairs' validity) with real timers, for watcher tests. */
const clockAt = (now: number): Clock => ({ now: () => now, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout });

let n = 0;
async function filesWith(cert: string, key: string): Promise<{ dir: string; certFile: string; keyFile: string }> {
  const dir = join(root, `case-${++n}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "tls.crt"), cert);
  await writeFile(join(dir, "tls.key"), key);
  return { dir, certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") };
}

function nextChange(source: FileCertificateSource, timeoutMs = 5_000): Promise<TlsMaterial> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no change was reported")), timeoutMs);
    const unsubscribe = source.onChange((material) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(material);
    });
  });
}

describe("FileCertificateSource at start", () => {
  it("loads a valid pair and serves it", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const source = fileCertificates({ ...files, clock: clockAt(T0 + DAY) });
    t.after(() => source.stop());
    await source.start();
    assert.equal(source.current().cert, pairA.certPem);
    assert.equal(source.current().ca, "");
    assert.equal(source.notAfter()?.getTime(), T0 + 90 * DAY);
    assert.equal(source.valid().valid, true);
    source.stop();
  });

  const bad: { name: string; cert: () => string; key: () => string; now?: number; missing?: "cert" | "key"; problem: RegExp }[] = [
    {
      name: "a missing certificate file",
      cert: () => "",
      key: () => pairA.keyPem,
      missing: "cert",
      problem: /--tls-cert .*tls\.crt: cannot be read \(no such file\); give the path of the PEM certificate/,
    },
    {
      name: "a missing key file",
      cert: () => pairA.certPem,
      key: () => "",
      missing: "key",
      problem: /--tls-key .*tls\.key: cannot be read \(no such file\); give the path of the PEM private key/,
    },
    {
      name: "a certificate file without a certificate",
      cert: () => "hello",
      key: () => pairA.keyPem,
      problem: /--tls-cert .*: no usable certificate \(it holds no PEM CERTIFICATE block\); the file must hold the PEM certificate, leaf first/,
    },
    {
      name: "a key file holding a certificate",
      cert: () => pairA.certPem,
      key: () => pairA.certPem,
      problem: /--tls-key .*: no usable private key \(PEM block 1 is a "CERTIFICATE", not a PRIVATE KEY\)/,
    },
    {
      name: "an encrypted key",
      cert: () => pairA.certPem,
      key: () => "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
      problem: /encrypted private key; hostgate needs it unencrypted/,
    },
    {
      name: "a key that belongs to another certificate",
      cert: () => pairA.certPem,
      key: () => pairB.keyPem,
      problem:
        /--tls-key .*tls\.key does not belong to the certificate in --tls-cert .*tls\.crt \(their public keys differ\); give the key that was issued with this certificate/,
    },
    {
      name: "an expired certificate",
      cert: () => pairA.certPem,
      key: () => pairA.keyPem,
      now: T0 + 91 * DAY,
      problem: /the certificate expired at 2030-04-01T00:00:00\.000Z; renew it/,
    },
    {
      name: "a CA certificate in place of the serving one",
      cert: () => ca.certPem,
      key: () => ca.keyPem,
      problem: /the first certificate is a CA certificate, not a serving certificate/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, naming the file and the fix`, async (t) => {
      const files = await filesWith(c.cert(), c.key());
      if (c.missing) await rm(c.missing === "cert" ? files.certFile : files.keyFile);
      const source = fileCertificates({ ...files, clock: clockAt(c.now ?? T0 + DAY) });
      t.after(() => source.stop());
      await assert.rejects(source.start(), (error: unknown) => {
        assert.ok(error instanceof CertificateFileError, String(error));
        assert.equal(error.exitCode, 2);
        assert.ok(
          error.problems.some((p) => c.problem.test(p)),
          error.problems.join("\n"),
        );
        return true;
      });
      source.stop();
    });
  }

  it("starts with a certificate that is not valid yet, warns, and fails readiness until it is", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const logger = new RecordingLogger();
    const source = fileCertificates({ ...files, clock: clockAt(T0 - DAY), logger });
    t.after(() => source.stop());
    await source.start();
    assert.deepEqual(source.valid(), { valid: false, reason: "the serving certificate is not valid until 2030-01-01T00:00:00.000Z" });
    assert.ok(logger.at("warn").some((e) => /not valid yet/.test(e.message)));
    source.stop();
  });

  it("serves the chain after the leaf, leaving other text behind", async (t) => {
    const files = await filesWith(`subject=w.svc\n${pairA.certPem}issuer=ca\n${ca.certPem}`, pairA.keyPem);
    const source = fileCertificates({ ...files, clock: clockAt(T0 + DAY) });
    t.after(() => source.stop());
    await source.start();
    assert.equal(source.current().cert, pairA.certPem + ca.certPem);
    source.stop();
  });
});

describe("FileCertificateSource after start", () => {
  it("reloads changed files and tells its listeners", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const source = fileCertificates({ ...files, clock: clockAt(T0 + DAY), debounce: 20 });
    t.after(() => source.stop());
    await source.start();
    const changed = nextChange(source);
    // Written in two steps, as a non-atomic tool would; the debounce sees the end result.
    await writeFile(files.keyFile, pairB.keyPem);
    await writeFile(files.certFile, pairB.certPem);
    assert.equal((await changed).cert, pairB.certPem);
    assert.equal(source.current().cert, pairB.certPem);
    source.stop();
  });

  it("keeps serving the last good pair when the new files are unusable, says why, and takes the next good pair", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const logger = new RecordingLogger();
    const source = fileCertificates({ ...files, clock: clockAt(T0 + DAY), debounce: 20, logger });
    t.after(() => source.stop());
    await source.start();
    await writeFile(files.keyFile, pairB.keyPem); // the key changed, the certificate did not
    const refused = await logger.waitFor((e) => e.message === "the certificate files changed but are unusable; still serving the previous certificate");
    assert.match(String(refused.fields.problems), /does not belong to the certificate/);
    assert.equal(source.current().cert, pairA.certPem);
    assert.equal(source.current().key.trim(), pairA.keyPem.trim());
    const validity = source.valid();
    assert.equal(validity.valid, true);
    assert.match(validity.reason, /the files changed but were refused: --tls-key .* does not belong/);

    const changed = nextChange(source);
    await writeFile(files.certFile, pairC.certPem);
    await writeFile(files.keyFile, pairC.keyPem);
    assert.equal((await changed).cert, pairC.certPem);
    assert.doesNotMatch(source.valid().reason, /refused/);
    source.stop();
  });

  it("drops a refusal once the files are back to the pair it serves", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const source = fileCertificates({ ...files, clock: clockAt(T0 + DAY) });
    t.after(() => source.stop());
    await source.start();
    await writeFile(files.keyFile, pairB.keyPem);
    assert.match(String((await source.reload()).problems), /does not belong/);
    await writeFile(files.keyFile, pairA.keyPem);
    assert.deepEqual(await source.reload(), { changed: false });
    assert.deepEqual(source.valid(), { valid: true, reason: "the serving certificate is valid until 2030-04-01T00:00:00.000Z" });
  });

  it("follows a mounted Secret's ..data symlink swap", async (t) => {
    // The kubelet's layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/
    const dir = join(root, `mounted-${++n}`);
    await mkdir(join(dir, "..2030_01_01_a"), { recursive: true });
    await writeFile(join(dir, "..2030_01_01_a", "tls.crt"), pairA.certPem);
    await writeFile(join(dir, "..2030_01_01_a", "tls.key"), pairA.keyPem);
    await symlink("..2030_01_01_a", join(dir, "..data"));
    await symlink(join("..data", "tls.crt"), join(dir, "tls.crt"));
    await symlink(join("..data", "tls.key"), join(dir, "tls.key"));
    const source = fileCertificates({ certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key"), clock: clockAt(T0 + DAY), debounce: 20 });
    t.after(() => source.stop());
    await source.start();
    assert.equal(source.current().cert, pairA.certPem);

    const changed = nextChange(source);
    await mkdir(join(dir, "..2030_01_02_b"));
    await writeFile(join(dir, "..2030_01_02_b", "tls.crt"), pairB.certPem);
    await writeFile(join(dir, "..2030_01_02_b", "tls.key"), pairB.keyPem);
    await symlink("..2030_01_02_b", join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));
    assert.equal((await changed).cert, pairB.certPem);
    source.stop();
  });

  it("re-reads on its poll interval even when no file event arrives", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const clock = new ManualClock(T0 + DAY);
    // A debounce far longer than the poll: only the poll can pick the change up.
    const source = fileCertificates({ ...files, clock, debounce: 3_600_000, pollInterval: 60_000 });
    t.after(() => source.stop());
    await source.start();
    await writeFile(files.certFile, pairB.certPem);
    await writeFile(files.keyFile, pairB.keyPem);
    const changed = nextChange(source);
    clock.advance(60_000);
    assert.equal((await changed).cert, pairB.certPem);
    source.stop();
    assert.equal(clock.pendingTimers(), 0, "stop() cleared the poll and debounce timers");
  });

  it("reload() reports nothing changed when the files are as loaded", async (t) => {
    const files = await filesWith(pairA.certPem, pairA.keyPem);
    const source = fileCertificates({ ...files, clock: clockAt(T0 + DAY) });
    t.after(() => source.stop());
    await source.start();
    assert.deepEqual(await source.reload(), { changed: false });
    source.stop();
  });
});
