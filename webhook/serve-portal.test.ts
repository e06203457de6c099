// `hostgate serve --portal-listen`: the self-service page started and stopped
// with the rest of serve, through the composition root's real factory
// (bin/portal-factory.ts): in local mode over the state folder serve
// watches, in cluster mode over the in-memory API server (its RBAC and
// hostgate's admission chain) with identity from a trusted proxy; and the
// flags' usage errors.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portalFactory } from "../bin/portal-factory.ts";
import { DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { silentLogger } from "../core/logger.ts";
import { LOCAL_WRITES_NOTHING } from "../portal/backends/local-backend.ts";
import { memoryCluster } from "../portal/testing/memory-cluster.ts";
import { defaultHealthListen, runServe } from "./serve-command.ts";
import type { ServeDependencies } from "./serve-command.ts";
import { realServeDependencies } from "./serve-dependencies.ts";
import { parseServeOptions } from "./serve-options.ts";
import type { PortalFactory } from "./serve-portal-part.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-serve-portal-"));
  dirs.push(dir);
  return dir;
}

/** The real factory, recording the page's URL; quiet logs, captured output and a stop button. */
function portalDependencies(overrides: Partial<ServeDependencies> = {}, factory: PortalFactory = portalFactory(undefined, { shutdownTimeoutMs: 500 })) {
  const printed: string[] = [];
  const urls: string[] = [];
  let stop: ((signal: string) => void) | undefined;
  const deps: ServeDependencies = {
    ...realServeDependencies(),
    findCluster: () => undefined,
    logger: () => ({ ...silentLogger, flush() {} }),
    onStopSignal: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
    print: (text) => void printed.push(text),
    portal: async (target, settings, logger) => {
      const running = await factory(target, settings, logger);
      urls.push(running.url);
      return running;
    },
    ...overrides,
  };
  return { deps, printed, urls, sendSignal: (signal = "SIGTERM") => stop?.(signal) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const LOCAL_FLAGS = ["--listen", "127.0.0.1:0", "--health-listen", "127.0.0.1:0", "--shutdown-delay", "0s", "--portal-listen", "127.0.0.1:0"];

/** A write as the page's own script sends it: JSON, same-origin, the session's CSRF token. */
function writeHeaders(csrf: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "X-Hostgate-CSRF": csrf, ...extra };
}

function route(namespace: string, domain: string) {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "new-shop", namespace },
    spec: { domain, lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } } },
  };
}

describe("hostgate serve --portal-listen in local mode", () => {
  it("serves the page for the fixed identity beside the webhook: the shell, the namespaces, a dry run refused at spec.domain, a create refused as local; stop closes it", async () => {
    const { deps, printed, urls, sendSignal } = portalDependencies();
    const running = runServe([...LOCAL_FLAGS, "--tls-dir", join(temp(), "tls"), "--portal-as", "jane:team-a"], deps);
    await until(() => urls.length === 1, "the page to listen");
    const url = urls[0]!;
    assert.match(
      printed.join(""),
      new RegExp(`self-service page \\(local mode: checks routes against the state, writes nothing\\) at ${url}/\\n  as jane \\(groups team-a\\)`),
    );

    const shell = await fetch(`${url}/`);
    const html = await shell.text();
    assert.equal(shell.status, 200, html);
    assert.match(html, /Signed in as <span id="user">jane<\/span>/);
    assert.match(html, /<script type="module" src="\/assets\/app\.js"><\/script>/);

    const session = (await (await fetch(`${url}/api/session`)).json()) as { user: string; groups: string[]; mode: string; csrf: string };
    assert.deepEqual({ user: session.user, groups: session.groups, mode: session.mode }, { user: "jane", groups: ["team-a"], mode: "local" });
    const namespaces = (await (await fetch(`${url}/api/namespaces`)).json()) as { items: { name: string }[] };
    assert.ok(
      namespaces.items.some((n) => n.name === "team-a"),
      JSON.stringify(namespaces),
    );

    const dry = await fetch(`${url}/api/namespaces/team-a/routes/dry-run`, {
      method: "POST",
      headers: writeHeaders(session.csrf),
      body: JSON.stringify({ operation: "create", route: route("team-a", "new.team-b.example.com") }),
    });
    const verdict = (await dry.json()) as { allowed: boolean; refusal: { fields: Record<string, string[]> } };
    assert.equal(dry.status, 200);
    assert.equal(verdict.allowed, false);
    assert.match(verdict.refusal.fields["spec.domain"]?.[0] ?? JSON.stringify(verdict), /^hostname-granted: .*not granted to namespace team-a/);

    const create = await fetch(`${url}/api/namespaces/team-a/routes`, {
      method: "POST",
      headers: writeHeaders(session.csrf),
      body: JSON.stringify({ route: route("team-a", "new.shop.example.com") }),
    });
    const refused = (await create.json()) as { allowed: boolean; refusal: { general: string[] } };
    assert.equal(refused.allowed, false);
    assert.deepEqual(refused.refusal.general, [LOCAL_WRITES_NOTHING]);

    sendSignal();
    assert.deepEqual(await running, { output: "", exitCode: 0 });
    await assert.rejects(fetch(`${url}/`), "the page's port is closed after the stop");
  });

  it("--only portal runs the page alone over --state: no webhook started, the page answers, SIGTERM stops it", async () => {
    const { deps, urls, sendSignal } = portalDependencies({
      localCertificate: () => assert.fail("the page alone needs no webhook certificate"),
    });
    const running = runServe(["--only", "portal", "--state", "examples/state", "--portal-listen", "127.0.0.1:0", "--portal-as", "jane"], deps);
    await until(() => urls.length === 1, "the page to listen");
    const answer = await fetch(`${urls[0]}/api/namespaces`);
    assert.equal(answer.status, 200);
    sendSignal();
    assert.deepEqual(await running, { output: "", exitCode: 0 });
    await assert.rejects(fetch(`${urls[0]}/`), "the page's port is closed after the stop");
  });

  it("refuses a system: group in --portal-as as a usage error, stopping what had started", async () => {
    const { deps } = portalDependencies();
    await assert.rejects(
      runServe([...LOCAL_FLAGS, "--tls-dir", join(temp(), "tls"), "--portal-as", "jane:team-a,system:masters"], deps),
      (error: Error & { problems?: string[] }) => /the self-service page: the fixed identity is refused: .*system:/.test(error.problems?.join() ?? ""),
    );
  });
});

describe("hostgate serve --only portal in cluster mode (the in-memory API server)", () => {
  it("believes the trusted proxy's headers and lists the namespaces that person may use; a request without them is 401", async () => {
    const cluster = await memoryCluster();
    const factory = portalFactory(
      (connection) => {
        assert.equal(connection, cluster, "the factory gets serve's cluster connection");
        return { client: cluster.api, own: cluster.api };
      },
      { shutdownTimeoutMs: 500 },
    );
    const { deps, urls, sendSignal } = portalDependencies(
      {
        findCluster: () => ({ description: "memory", config: cluster }),
        clusterState: () => assert.fail("the page alone needs no webhook cache"),
        clusterCertificate: () => assert.fail("the page alone needs no serving certificate"),
      },
      factory,
    );
    const running = runServe(["--only", "portal", "--config", DEFAULT_CONFIG, "--portal-listen", "127.0.0.1:0", "--portal-trusted-proxy", "127.0.0.0/8"], deps);
    await until(() => urls.length === 1, "the page to listen");
    const url = urls[0]!;

    const anonymous = await fetch(`${url}/api/namespaces`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const asAlice = await fetch(`${url}/api/namespaces`, { headers: { "X-Forwarded-User": "alice", "X-Forwarded-Groups": "team-b" } });
    const body = (await asAlice.json()) as { items: { name: string; may: { create: boolean } }[] };
    assert.equal(asAlice.status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.items.map((n) => [n.name, n.may.create]),
      [["team-b", true]],
    );
    const session = (await (await fetch(`${url}/api/session`, { headers: { "X-Forwarded-User": "alice" } })).json()) as { mode: string };
    assert.equal(session.mode, "cluster");

    sendSignal();
    assert.deepEqual(await running, { output: "", exitCode: 0 });
    await assert.rejects(fetch(`${url}/`), "the page's port is closed after the stop");
  });

  it("refuses --portal-as in cluster mode, saying to use the login proxy", async () => {
    const { deps } = portalDependencies({ findCluster: () => ({ description: "https://10.0.0.1:443 (in-cluster)", config: {} }) });
    await assert.rejects(
      runServe(["--only", "portal", "--config", DEFAULT_CONFIG, "--portal-listen", "127.0.0.1:0", "--portal-as", "jane"], deps),
      (error: Error & { problems?: string[] }) =>
        /--portal-as is for local mode only: in cluster mode \(https:\/\/10\.0\.0\.1:443 \(in-cluster\)\).*--portal-trusted-proxy CIDR/.test(
          error.problems?.join() ?? "",
        ),
    );
  });

  it("refuses --portal-listen in a build without the page", async () => {
    const { deps } = portalDependencies({ portal: undefined });
    await assert.rejects(runServe([...LOCAL_FLAGS, "--portal-as", "jane"], deps), (error: Error & { problems?: string[] }) =>
      /this build of hostgate has no self-service page/.test(error.problems?.join() ?? ""),
    );
  });
});

describe("hostgate serve's --portal-* flags", () => {
  const refusals: { name: string; args: string[]; message: RegExp }[] = [
    {
      name: "no identity source: says the three ways to know who is asking",
      args: ["--portal-listen", "127.0.0.1:8080"],
      message:
        /--portal-listen needs to know who is asking: --portal-trusted-proxy CIDR .*--portal-proxy-client-ca FILE with --portal-proxy-name CN .*--portal-as USER/,
    },
    {
      name: "a listen address without a port",
      args: ["--portal-listen", "localhost", "--portal-as", "jane"],
      message: /--portal-listen "localhost" is not HOST:PORT/,
    },
    {
      name: "a trusted proxy that is not a CIDR, each bad value named",
      args: ["--portal-listen", ":8080", "--portal-trusted-proxy", "10.0.0.0/8", "--portal-trusted-proxy", "10.1.2.3", "--portal-trusted-proxy", "nope/8"],
      message: /--portal-trusted-proxy "10\.1\.2\.3", "nope\/8" is not a CIDR; write ADDRESS\/LENGTH/,
    },
    {
      name: "a trusted proxy range that trusts every address",
      args: ["--portal-listen", ":8080", "--portal-trusted-proxy", "0.0.0.0/0", "--portal-trusted-proxy", "::/0"],
      message: /--portal-trusted-proxy "0\.0\.0\.0\/0", "::\/0" trusts every address, so anyone who reaches the page could claim any identity/,
    },
    {
      name: "a portal flag without --portal-listen",
      args: ["--portal-as", "jane", "--portal-origin", "https://routes.example.com"],
      message: /--portal-origin, --portal-as configure the self-service page, which runs only with --portal-listen HOST:PORT/,
    },
    {
      name: "two identity sources at once",
      args: ["--portal-listen", ":8080", "--portal-as", "jane", "--portal-trusted-proxy", "10.0.0.0/8"],
      message: /--portal-trusted-proxy and --portal-as are different ways to know who is asking; give one/,
    },
    {
      name: "a client CA without the proxy's names or HTTPS",
      args: ["--portal-listen", ":8080", "--portal-proxy-client-ca", "ca.crt"],
      message: /--portal-proxy-client-ca needs --portal-proxy-name CN.*--portal-proxy-client-ca needs --portal-tls-cert and --portal-tls-key/,
    },
    {
      name: "a proxy name without a client CA",
      args: ["--portal-listen", ":8080", "--portal-trusted-proxy", "10.0.0.0/8", "--portal-proxy-name", "oauth2-proxy"],
      message: /--portal-proxy-name names the login proxy's client certificate, which is checked only with --portal-proxy-client-ca FILE/,
    },
    {
      name: "half of the page's HTTPS pair",
      args: ["--portal-listen", ":8080", "--portal-as", "jane", "--portal-tls-cert", "tls.crt"],
      message: /--portal-tls-cert and --portal-tls-key go together/,
    },
    {
      name: "an origin with a path",
      args: ["--portal-listen", ":8080", "--portal-as", "jane", "--portal-origin", "https://routes.example.com/portal"],
      message: /--portal-origin "https:\/\/routes\.example\.com\/portal" is not an origin/,
    },
    {
      name: "a header name with a space",
      args: ["--portal-listen", ":8080", "--portal-trusted-proxy", "10.0.0.0/8", "--portal-user-header", "X User"],
      message: /--portal-user-header "X User" is not an HTTP header name/,
    },
    {
      name: "an empty --portal-as user",
      args: ["--portal-listen", ":8080", "--portal-as", ":team-a"],
      message: /--portal-as ":team-a" names no user; write USER or USER:GROUP,GROUP/,
    },
    {
      name: "--only portal without --portal-listen",
      args: ["--only", "portal"],
      message: /--only portal runs the self-service page alone, which needs --portal-listen HOST:PORT/,
    },
    {
      name: "--only webhook with --portal-listen",
      args: ["--only", "webhook", "--portal-listen", ":8080", "--portal-as", "jane"],
      message: /--only webhook and --portal-listen exclude each other/,
    },
    {
      name: "a header size out of range",
      args: ["--portal-listen", ":8080", "--portal-as", "jane", "--portal-max-header-size", "10"],
      message: /--portal-max-header-size "10" must be a number of bytes between 1024 and 1048576/,
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

  it("reads --portal-as USER:GROUP,GROUP, the default header names and the default header limit", () => {
    assert.deepEqual(parseServeOptions(["--portal-listen", "127.0.0.1:8080", "--portal-as", "jane:team-a, devs"], {}).portal, {
      listen: { host: "127.0.0.1", port: 8080 },
      identity: { kind: "fixed", identity: { user: "jane", groups: ["team-a", "devs"] } },
      maxHeaderSize: 16_384,
    });
    assert.deepEqual(parseServeOptions(["--portal-listen", ":8080", "--portal-trusted-proxy", "10.42.0.0/16"], {}).portal?.identity, {
      kind: "proxy",
      trustedProxies: ["10.42.0.0/16"],
      headers: { user: "X-Forwarded-User", groups: "X-Forwarded-Groups" },
    });
  });

  it("reads the mTLS source with its names and HTTPS files", () => {
    const args = ["--portal-listen", ":8443", "--portal-tls-cert", "tls.crt", "--portal-tls-key", "tls.key", "--portal-proxy-client-ca", "ca.crt"];
    assert.deepEqual(parseServeOptions([...args, "--portal-proxy-name", "oauth2-proxy", "--portal-proxy-name", "nginx"], {}).portal, {
      listen: { host: "0.0.0.0", port: 8443 },
      identity: { kind: "mtls", allowedNames: ["oauth2-proxy", "nginx"], headers: { user: "X-Forwarded-User", groups: "X-Forwarded-Groups" } },
      tlsCert: "tls.crt",
      tlsKey: "tls.key",
      clientCa: "ca.crt",
      maxHeaderSize: 16_384,
    });
  });

  it("moves the probes' default port to 8081 when the page takes 8080, and only then", () => {
    const withPage = parseServeOptions(["--portal-listen", "127.0.0.1:8080", "--portal-as", "jane"], {});
    assert.deepEqual(defaultHealthListen(withPage, true), { host: "127.0.0.1", port: 8081 });
    assert.deepEqual(defaultHealthListen(parseServeOptions(["--portal-listen", ":9090", "--portal-as", "jane"], {}), false), { host: "0.0.0.0", port: 8080 });
    assert.deepEqual(defaultHealthListen(parseServeOptions([], {}), true), { host: "127.0.0.1", port: 8080 });
  });

  it("refuses an unreadable --portal-tls-cert as a usage error naming the file, before anything starts", async () => {
    const { deps } = portalDependencies({ localState: () => assert.fail("nothing starts before the page's files are read") });
    const missing = join(temp(), "missing.crt");
    await assert.rejects(
      runServe([...LOCAL_FLAGS, "--tls-dir", join(temp(), "tls"), "--portal-as", "jane", "--portal-tls-cert", missing, "--portal-tls-key", missing], deps),
      (error: Error & { problems?: string[] }) =>
        error.problems?.join() === `--portal-tls-cert ${missing}: cannot read it (ENOENT),--portal-tls-key ${missing}: cannot read it (ENOENT)`,
    );
  });
});
