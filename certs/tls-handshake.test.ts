// Real TLS handshakes against a node:https server serving what the planner
// and manager produce. TLS clients check validity against the real clock,
// so the timeline here is set relative to now: the rotation's switch lies
// a day in the past, and every certificate is valid today.
import assert from "node:assert/strict";
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { connect } from "node:tls";
import { after, describe, it } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { CertificateManager } from "./manager.ts";
import { certificatePolicy } from "./policy.ts";
import { keepServerCertificateCurrent } from "./source.ts";
import { CA_BUNDLE_KEY, decodeCertificates, TLS_CERT_KEY, TLS_KEY_KEY } from "./stored-state.ts";
import { CLUSTER_HOSTS, issuer, runUntil, SERVICE_HOST, servingIssuerOf, step } from "./testing/fixtures.ts";
import { MemoryCertificateStore } from "./testing/memory-store.ts";

const DAY = 86_400_000;
const POLICY = certificatePolicy([...CLUSTER_HOSTS, "127.0.0.1"]);
const now = Math.floor(Date.now() / 1000) * 1000;
// CA1 joins at 2/3 of 365 days (243.33 d) after its notBefore (1 h before it
// was made), the new CA one overlap (7 d) before the switch.
const rotateOffset = ((POLICY.caLifetime + POLICY.backdate) * 2) / 3 - POLICY.backdate;
const startAt = now - Math.ceil(rotateOffset) - POLICY.overlap - DAY;
const start = (await step(undefined, startAt, POLICY)).data as Record<string, string>;
const ca1 = decodeCertificates(start).authorities[0]?.certificate;
assert.ok(ca1);
const rotateAt = ca1.notBefore.getTime() + ((ca1.notAfter.getTime() - ca1.notBefore.getTime()) * 2) / 3;
const switchAt = Math.floor(rotateAt / 1000) * 1000 + POLICY.overlap;
assert.ok(switchAt <= now - DAY + 1000, "the switch lies in the past");
const rotating = (await runUntil(start, startAt, rotateAt + 1000, POLICY)) as Record<string, string>;
const switched = (await step(rotating, switchAt, POLICY)).data as Record<string, string>;
const [CA1pem, CA2pem] = decodeCertificates(rotating).authorities.map((a) => a.certificate.pem) as [string, string];
assert.notEqual(servingIssuerOf(rotating), servingIssuerOf(switched), "the fixture covers both sides of the switch");

const fresh = (await step(undefined, now - DAY, POLICY)).data as Record<string, string>;

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

async function serve(cert: string, key: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert, key }, (_req, res) => res.end("ok"));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Handshake {
  ok: boolean;
  error?: string;
  fingerprint?: string;
}

/** A TLS client: trusts `ca` only, checks the server's name (`servername`) or, without one, the IP it dialled. */
function handshake(port: number, ca: string, servername?: string): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, ca, ...(servername ? { servername } : {}) });
    socket.once("secureConnect", () => {
      resolve({ ok: socket.authorized, fingerprint: socket.getPeerCertificate().fingerprint256 });
      socket.destroy();
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ?? error.message }));
  });
}

describe("TLS handshakes with the issued certificates", () => {
  it("succeed by service name and by 127.0.0.1 for a client trusting the bundle", async () => {
    const { port } = await serve(fresh[TLS_CERT_KEY] as string, fresh[TLS_KEY_KEY] as string);
    assert.deepEqual((await handshake(port, fresh[CA_BUNDLE_KEY] as string, SERVICE_HOST)).ok, true);
    assert.deepEqual((await handshake(port, fresh[CA_BUNDLE_KEY] as string, `${SERVICE_HOST}.cluster.local`)).ok, true);
    assert.deepEqual((await handshake(port, fresh[CA_BUNDLE_KEY] as string)).ok, true);
  });

  it("fail for a name the certificate does not hold, and for a client that trusts another CA", async () => {
    const { port } = await serve(fresh[TLS_CERT_KEY] as string, fresh[TLS_KEY_KEY] as string);
    assert.deepEqual(await handshake(port, fresh[CA_BUNDLE_KEY] as string, "other.hostgate-system.svc"), { ok: false, error: "ERR_TLS_CERT_ALTNAME_INVALID" });
    const stranger = (await step(undefined, now - DAY, POLICY)).data as Record<string, string>;
    assert.deepEqual(await handshake(port, stranger[CA_BUNDLE_KEY] as string, SERVICE_HOST), { ok: false, error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  it("during the overlap, before the switch: the bundle and the old CA verify; the new CA alone does not yet", async () => {
    const { port } = await serve(rotating[TLS_CERT_KEY] as string, rotating[TLS_KEY_KEY] as string);
    assert.equal((await handshake(port, rotating[CA_BUNDLE_KEY] as string, SERVICE_HOST)).ok, true, "the API server, holding the bundle");
    assert.equal((await handshake(port, CA1pem, SERVICE_HOST)).ok, true, "a client that still trusts only the old CA");
    assert.equal((await handshake(port, CA2pem, SERVICE_HOST)).ok, false, "a client that trusts only the new CA");
  });

  it("during the overlap, after the switch: the bundle and the new CA verify; the old CA alone no longer does", async () => {
    assert.equal(switched[CA_BUNDLE_KEY], rotating[CA_BUNDLE_KEY], "the bundle did not change at the switch");
    const { port } = await serve(switched[TLS_CERT_KEY] as string, switched[TLS_KEY_KEY] as string);
    assert.equal((await handshake(port, switched[CA_BUNDLE_KEY] as string, SERVICE_HOST)).ok, true, "the API server, holding the bundle");
    assert.equal((await handshake(port, CA2pem, SERVICE_HOST)).ok, true, "a client that trusts only the new CA");
    assert.equal((await handshake(port, CA1pem, SERVICE_HOST)).ok, false, "a client that trusts only the old CA");
  });

  it("a running server swaps to the manager's new certificate without restarting", async () => {
    const clock = new ManualClock(rotateAt + 2000);
    const manager = new CertificateManager({ store: new MemoryCertificateStore(rotating), policy: POLICY, issuer, clock, checkInterval: 30 * DAY });
    await manager.start();
    const { server, port } = await serve(manager.current().cert, manager.current().key);
    keepServerCertificateCurrent(server, manager);
    const before = await handshake(port, manager.current().ca, SERVICE_HOST);
    assert.equal(before.ok, true);

    // The manager's next wake-up is the switch; let the clock reach it.
    clock.advance(switchAt - clock.now());
    await manager.idle();
    const afterSwap = await handshake(port, manager.current().ca, SERVICE_HOST);
    assert.equal(afterSwap.ok, true);
    assert.notEqual(afterSwap.fingerprint, before.fingerprint, "a different certificate is served");
    assert.equal((await handshake(port, CA2pem, SERVICE_HOST)).ok, true, "and it is the one from the new CA");
    assert.equal(server.listening, true);
    assert.equal((server.address() as AddressInfo).port, port, "on the same listening socket");
    manager.stop();
  });
});
