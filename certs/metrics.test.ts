import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { ManualClock } from "../core/clock.ts";
import { CertificateManager } from "./manager.ts";
import { registerCertificateMetrics } from "./metrics.ts";
import { caNameAt, issuer, POLICY, runUntil, step, T0 } from "./testing/fixtures.ts";
import { MemoryCertificateStore } from "./testing/memory-store.ts";
import { decodeCertificates } from "./stored-state.ts";

describe("registerCertificateMetrics", () => {
  it("exports no CA series before the source has a certificate", async () => {
    const registry = new Registry();
    const manager = new CertificateManager({ store: new MemoryCertificateStore(), policy: POLICY, issuer, clock: new ManualClock(T0) });
    registerCertificateMetrics(registry, manager);
    const text = await registry.metrics();
    assert.doesNotMatch(text, /hostgate_ca_certificate_expiry_timestamp_seconds\{/);
    assert.match(text, /^hostgate_certificate_check_failures 0$/m);
  });

  it("exports each CA's expiry during a rotation, and the failure count", async () => {
    const start = (await step(undefined, T0)).data as Record<string, string>;
    const ca1 = decodeCertificates(start).authorities[0]?.certificate;
    assert.ok(ca1);
    const rotateAt = ca1.notBefore.getTime() + ((ca1.notAfter.getTime() - ca1.notBefore.getTime()) * 2) / 3;
    const rotating = await runUntil(start, T0, rotateAt + 1000);
    const store = new MemoryCertificateStore(rotating);
    const manager = new CertificateManager({ store, policy: POLICY, issuer, clock: new ManualClock(rotateAt + 2000) });
    await manager.check();
    store.failReads.push(new Error("HTTP 503"));
    await manager.check();

    const registry = new Registry();
    registerCertificateMetrics(registry, manager);
    const text = await registry.metrics();
    const ca2 = decodeCertificates(rotating).authorities[1]?.certificate;
    assert.ok(ca2);
    assert.match(text, new RegExp(`^hostgate_ca_certificate_expiry_timestamp_seconds\\{ca="${caNameAt(T0)}"\\} ${ca1.notAfter.getTime() / 1000}$`, "m"));
    assert.match(text, new RegExp(`^hostgate_ca_certificate_expiry_timestamp_seconds\\{ca="${caNameAt(rotateAt)}"\\} ${ca2.notAfter.getTime() / 1000}$`, "m"));
    assert.match(text, /^hostgate_certificate_check_failures 1$/m);
  });
});
