// `--portal-csrf-key-file`: several replicas of the page behind one URL sign
// CSRF tokens with one key, so a token one replica handed out is accepted by
// the other (R17 D1). Checked from the flag through portalSettings and the
// real factory to two running pages over the in-memory API server; and the
// file's mistakes (missing, unreadable, short) as usage problems; and the
// warning a cluster page logs without the flag.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portalFactory } from "../bin/portal-factory.ts";
import { DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { loadPlatformConfig } from "../core/config/load.ts";
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { memoryCluster } from "../portal/testing/memory-cluster.ts";
import { parseServeOptions } from "./serve-options.ts";
import { PORTAL_CSRF_KEY_MIN_BYTES, readCsrfKey } from "./serve-portal-options.ts";
import { portalSettings } from "./serve-portal-part.ts";
import type { RunningPortalPart } from "./serve-portal-part.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function file(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-csrf-key-"));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const KEY = "k".repeat(PORTAL_CSRF_KEY_MIN_BYTES);
const CLUSTER_FLAGS = ["--only", "portal", "--config", DEFAULT_CONFIG, "--portal-listen", "127.0.0.1:0", "--portal-trusted-proxy", "127.0.0.1/32"];
const ALICE = { "X-Forwarded-User": "alice", "X-Forwarded-Groups": "team-b" };

describe("--portal-csrf-key-file: reading the key", () => {
  const cases: { name: string; content: string | Buffer; key?: string; problem?: RegExp }[] = [
    { name: "takes a key of exactly 32 bytes as it is", content: KEY, key: KEY },
    { name: "drops the trailing line end an editor or echo adds (LF and CRLF), so both replicas' files agree", content: `${KEY}\r\n`, key: KEY },
    { name: "keeps inner and leading bytes, spaces included: they are part of the key", content: ` ${KEY} x\n`, key: ` ${KEY} x` },
    {
      name: "refuses 31 bytes, saying how many it holds and how to make one",
      content: "k".repeat(31),
      problem: /holds 31 bytes; the CSRF key needs at least 32 random bytes, e.g. openssl rand -base64 48/,
    },
    { name: "refuses an empty file (a Secret key created empty)", content: "\n", problem: /holds 0 bytes/ },
  ];
  for (const { name, content, key, problem } of cases) {
    it(name, () => {
      const problems: string[] = [];
      const path = file("csrf-key", content);
      const read = readCsrfKey(path, problems);
      if (problem === undefined) {
        assert.deepEqual(problems, []);
        assert.equal(read?.toString("latin1"), key);
      } else {
        assert.equal(read, undefined);
        assert.equal(problems.length, 1);
        assert.match(problems[0]!, new RegExp(`^--portal-csrf-key-file ${path.replaceAll(/[.*+?^${}()|[\]\\]/g, "\\$&")} `));
        assert.match(problems[0]!, problem);
      }
    });
  }

  it("refuses a missing file, naming it and the reason", () => {
    const problems: string[] = [];
    const missing = join(mkdtempSync(join(tmpdir(), "hostgate-csrf-key-")), "absent");
    dirs.push(join(missing, ".."));
    assert.equal(readCsrfKey(missing, problems), undefined);
    assert.deepEqual(problems, [`--portal-csrf-key-file ${missing}: cannot read it (ENOENT)`]);
  });

  it("refuses a path it cannot read as a file (a directory: a Secret mounted without subPath or key), naming the reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-csrf-key-"));
    dirs.push(dir);
    const problems: string[] = [];
    assert.equal(readCsrfKey(dir, problems), undefined);
    assert.deepEqual(problems, [`--portal-csrf-key-file ${dir}: cannot read it (EISDIR)`]);
  });
});

describe("--portal-csrf-key-file: the flag", () => {
  it("records the file with the page's other options", () => {
    assert.equal(
      parseServeOptions([...CLUSTER_FLAGS, "--portal-csrf-key-file", "/etc/hostgate-portal/csrf-key"], {}).portal?.csrfKeyFile,
      "/etc/hostgate-portal/csrf-key",
    );
    assert.equal(parseServeOptions(CLUSTER_FLAGS, {}).portal?.csrfKeyFile, undefined);
  });

  const refusals: { name: string; args: string[]; message: RegExp }[] = [
    { name: "an empty file name", args: [...CLUSTER_FLAGS, "--portal-csrf-key-file", " "], message: /--portal-csrf-key-file needs a FILE/ },
    {
      name: "the flag without --portal-listen",
      args: ["--portal-csrf-key-file", "/etc/hostgate-portal/csrf-key"],
      message: /--portal-csrf-key-file configure the self-service page, which runs only with --portal-listen/,
    },
  ];
  for (const { name, args, message } of refusals) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseServeOptions(args, {}),
        (error: Error & { problems?: string[] }) => message.test(error.problems?.join(" ") ?? ""),
      );
    });
  }

  it("makes a short key file a usage error before anything starts, with the certificate files' other problems", () => {
    const options = parseServeOptions([...CLUSTER_FLAGS, "--portal-csrf-key-file", file("csrf-key", "short")], {});
    assert.throws(
      () => portalSettings(options.portal!, loadPlatformConfig(DEFAULT_CONFIG)),
      (error: Error & { problems?: string[] }) => /holds 5 bytes/.test(error.problems?.join() ?? ""),
    );
  });
});

/** Two pages on one in-memory cluster, as two replicas of one Deployment, each started from the flags as serve starts it. */
async function twoReplicas(extraFlags: string[], logger: Logger = silentLogger): Promise<[RunningPortalPart, RunningPortalPart]> {
  const cluster = await memoryCluster();
  const config = loadPlatformConfig(DEFAULT_CONFIG);
  const factory = portalFactory(() => ({ client: cluster.api, own: cluster.api }), { shutdownTimeoutMs: 200 });
  const start = () => factory({ mode: "cluster", cluster }, portalSettings(parseServeOptions([...CLUSTER_FLAGS, ...extraFlags], {}).portal!, config), logger);
  return [await start(), await start()];
}

/** A dry run on `url` with the CSRF token `csrf`: its status. */
async function dryRunStatus(url: string, csrf: string): Promise<number> {
  const response = await fetch(`${url}/api/namespaces/team-b/routes/dry-run`, {
    method: "POST",
    headers: { ...ALICE, "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "X-Hostgate-CSRF": csrf },
    body: JSON.stringify({
      operation: "create",
      route: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name: "shop", namespace: "team-b" },
        spec: { domain: "shop.team-b.example.com", lb: "alb-in", backend: { service: { name: "web", port: 8080 } } },
      },
    }),
  });
  await response.body?.cancel();
  return response.status;
}

async function sessionToken(url: string): Promise<string> {
  return ((await (await fetch(`${url}/api/session`, { headers: ALICE })).json()) as { csrf: string }).csrf;
}

describe("--portal-csrf-key-file: two replicas behind one URL", () => {
  it("with one key file, a token the first replica handed out is accepted by the second", async () => {
    const [a, b] = await twoReplicas(["--portal-csrf-key-file", file("csrf-key", `${KEY}\n`)]);
    try {
      const token = await sessionToken(a.url);
      assert.equal(await dryRunStatus(a.url, token), 200);
      assert.equal(await dryRunStatus(b.url, token), 200, "the second replica refused the first one's token");
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("without it, each replica has its own key (the second refuses the first one's token) and each logs that sticky sessions are needed", async () => {
    const warnings: string[] = [];
    const [a, b] = await twoReplicas([], { ...silentLogger, warn: (_fields, message) => void warnings.push(message) });
    try {
      assert.equal(await dryRunStatus(b.url, await sessionToken(a.url)), 403);
      assert.equal(warnings.length, 2);
      for (const warning of warnings)
        assert.match(warning, /no --portal-csrf-key-file.*several replicas behind one URL, use sticky sessions or give every replica the same key file/);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
