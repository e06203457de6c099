// CA rotation with overlap, phase by phase, as the planner runs it over a
// year: which CAs the bundle holds and which CA signs the serving
// certificate at each moment (README "Rotation phases").
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planCertificates } from "./planner.ts";
import { certificatePolicy, DAY } from "./policy.ts";
import { CA_BUNDLE_KEY, CA_KEYS_KEY, decodeCertificates, TLS_CERT_KEY } from "./stored-state.ts";
import { bundleOf, caNameAt, CLUSTER_HOSTS, POLICY, runUntil, servingIssuerOf, step, T0 } from "./testing/fixtures.ts";

const SECOND = 1000;
const start = (await step(undefined, T0)).data as Record<string, string>;
const ca1 = decodeCertificates(start).authorities[0]?.certificate;
assert.ok(ca1);
// CA1 is valid from T0 - 1h to T0 + 365d; the new CA joins at 2/3 of that.
const rotateAt = ca1.notBefore.getTime() + ((ca1.notAfter.getTime() - ca1.notBefore.getTime()) * 2) / 3;
const CA1 = caNameAt(T0);
const CA2 = caNameAt(rotateAt);
// CA2's notBefore is backdated an hour; it counts as issued at rotateAt (to the second).
const ca2IssuedAt = Math.floor(rotateAt / SECOND) * SECOND;
const switchAt = ca2IssuedAt + POLICY.overlap;
const dropAt = switchAt + POLICY.overlap;

const beforeRotation = (await runUntil(start, T0, rotateAt - SECOND)) as Record<string, string>;
const rotating = (await step(beforeRotation, rotateAt)).data as Record<string, string>;
const beforeSwitch = (await runUntil(rotating, rotateAt, switchAt - SECOND)) as Record<string, string>;
const switched = (await step(beforeSwitch, switchAt)).data as Record<string, string>;
const beforeDrop = (await runUntil(switched, switchAt, dropAt - SECOND)) as Record<string, string>;
const dropped = (await step(beforeDrop, dropAt)).data as Record<string, string>;

describe("CA rotation with overlap", () => {
  it("phase 0: one CA signs the serving certificate until 2/3 of its life", () => {
    assert.deepEqual(bundleOf(beforeRotation), [`${CA1}*`]);
    assert.equal(servingIssuerOf(beforeRotation), CA1);
    assert.equal(planCertificates(beforeRotation, new Date(rotateAt - SECOND), POLICY).changed, false);
  });

  it("phase 1: at 2/3 of the CA's life a new CA joins the bundle, and the serving certificate stays with the old one", () => {
    const plan = planCertificates(beforeRotation, new Date(rotateAt), POLICY);
    assert.equal(plan.reasons.length, 1);
    assert.match(
      plan.reasons[0] as string,
      /CA "hostgate-webhook-ca@2029-12-31T23:00:00Z" .* passed 67% of its lifetime .* adding a new CA to the bundle next to it/,
    );
    assert.deepEqual(bundleOf(rotating), [`${CA1}*`, `${CA2}*`]);
    assert.equal(servingIssuerOf(rotating), CA1);
    assert.equal(rotating[TLS_CERT_KEY], beforeRotation[TLS_CERT_KEY], "the serving certificate is untouched");
  });

  it("phase 1: the next thing due is the switch, one overlap after the new CA joined", () => {
    const plan = planCertificates(rotating, new Date(rotateAt), POLICY);
    assert.equal(plan.changed, false);
    assert.equal(plan.nextReviewAt.getTime(), switchAt);
  });

  it("phase 1: until the overlap has passed, nothing is signed by the new CA", () => {
    assert.deepEqual(bundleOf(beforeSwitch), [`${CA1}*`, `${CA2}*`]);
    assert.equal(servingIssuerOf(beforeSwitch), CA1);
  });

  it("phase 1: a serving certificate re-issued during the overlap (new names) still comes from the old CA", async () => {
    const renamed = certificatePolicy([...CLUSTER_HOSTS, "127.0.0.1"]);
    const { plan, data } = await step(rotating, rotateAt + DAY, renamed);
    assert.match(plan.reasons.join("\n"), /issuing one from CA "hostgate-webhook-ca@2029-12-31T23:00:00Z"/);
    assert.equal(servingIssuerOf(data), CA1);
    assert.deepEqual(bundleOf(data), [`${CA1}*`, `${CA2}*`]);
  });

  it("phase 2: after the overlap the serving certificate moves to the new CA; the old CA stays trusted but loses its key", () => {
    const plan = planCertificates(beforeSwitch, new Date(switchAt), POLICY);
    assert.match(
      plan.reasons[0] as string,
      /CA "hostgate-webhook-ca@.*" .* has been in the bundle since .*, longer than the overlap; re-issuing the serving certificate from it/,
    );
    assert.match(plan.reasons[1] as string, /dropping the private key of CA "hostgate-webhook-ca@2029-12-31T23:00:00Z"/);
    assert.deepEqual(bundleOf(switched), [CA1, `${CA2}*`]);
    assert.equal(servingIssuerOf(switched), CA2);
  });

  it("phase 2: the old CA leaves one overlap after the switch, and not a second earlier", () => {
    assert.deepEqual(bundleOf(beforeDrop), [CA1, `${CA2}*`]);
    assert.equal(planCertificates(switched, new Date(switchAt), POLICY).nextReviewAt.getTime(), dropAt);
  });

  it("phase 3: then the bundle holds the new CA alone", () => {
    const plan = planCertificates(beforeDrop, new Date(dropAt), POLICY);
    assert.deepEqual(plan.reasons.length, 1);
    assert.match(
      plan.reasons[0] as string,
      /nothing served is signed by CA "hostgate-webhook-ca@2029-12-31T23:00:00Z" .* longer than the overlap; removing it from the bundle/,
    );
    assert.deepEqual(bundleOf(dropped), [`${CA2}*`]);
    assert.equal(servingIssuerOf(dropped), CA2);
  });

  it("the serving certificate never outlives the CA that signed it", () => {
    for (const data of [beforeRotation, rotating, beforeSwitch, switched, beforeDrop, dropped]) {
      const decoded = decodeCertificates(data);
      const serving = decoded.serving?.certificate;
      const signer = decoded.authorities.find((a) => a.certificate.commonName === servingIssuerOf(data));
      assert.ok(serving && signer && serving.notAfter <= signer.certificate.notAfter);
    }
  });

  it("a whole second rotation follows a year later in the same way", async () => {
    const ca2 = decodeCertificates(dropped).authorities[0]?.certificate;
    assert.ok(ca2);
    const next = ca2.notBefore.getTime() + ((ca2.notAfter.getTime() - ca2.notBefore.getTime()) * 2) / 3;
    const later = await runUntil(dropped, dropAt, next + 3 * POLICY.overlap);
    assert.deepEqual(bundleOf(later), [`${caNameAt(next)}*`]);
    assert.equal(servingIssuerOf(later), caNameAt(next));
  });
});

describe("CA rotation waits for the bundle to be published", () => {
  const onlyOld = beforeRotation[CA_BUNDLE_KEY] as string;

  it("holds the switch while the published bundle lacks the new CA, and says why", () => {
    const plan = planCertificates(beforeSwitch, new Date(switchAt), { ...POLICY, publishedBundle: onlyOld });
    assert.equal(plan.changed, false);
    assert.equal(plan.waiting.length, 1);
    assert.match(plan.waiting[0] as string, /moves to CA .* once the webhook configurations trust it/);
  });

  it("holds it when nothing has been published yet", () => {
    assert.equal(planCertificates(beforeSwitch, new Date(switchAt), { ...POLICY, publishedBundle: "" }).changed, false);
  });

  it("switches once the published bundle holds both CAs", async () => {
    const options = { ...POLICY, publishedBundle: beforeSwitch[CA_BUNDLE_KEY] as string };
    const { data } = await step(beforeSwitch, switchAt, options);
    assert.equal(servingIssuerOf(data), CA2);
  });

  it("never holds back a serving certificate that must be replaced anyway", async () => {
    const { plan, data } = await step({ ...beforeSwitch, [TLS_CERT_KEY]: "" }, switchAt, { ...POLICY, publishedBundle: onlyOld });
    assert.deepEqual(plan.waiting, []);
    assert.ok(servingIssuerOf(data));
  });
});

describe("CA rotation recovers from lost state", () => {
  it("replaces a pending CA whose key was lost, keeping the old CA signing", async () => {
    const ca1Key = decodeCertificates(rotating).authorities[0]?.keyPem as string;
    const { plan, data } = await step({ ...rotating, [CA_KEYS_KEY]: ca1Key }, rotateAt + DAY);
    assert.match(
      plan.reasons.join("\n"),
      /is newer than the serving certificate's issuer but its private key is not stored, so it can never sign; removing it from the bundle/,
    );
    assert.match(plan.reasons.join("\n"), /adding a new CA to the bundle next to it/);
    assert.deepEqual(bundleOf(data), [`${CA1}*`, `${caNameAt(rotateAt + DAY)}*`]);
    assert.equal(servingIssuerOf(data), CA1);
  });

  it("lets a CA made to replace a lost key sign only after the overlap", async () => {
    const keyless = { ...start, [CA_KEYS_KEY]: "" };
    const made = (await step(keyless, T0 + DAY)).data;
    const replacement = caNameAt(T0 + DAY);
    assert.deepEqual(bundleOf(made), [CA1, `${replacement}*`]);
    const waiting = await runUntil(made, T0 + DAY, T0 + DAY + POLICY.overlap - SECOND);
    assert.equal(servingIssuerOf(waiting), CA1, "the old certificate serves through the overlap");
    const moved = (await step(waiting, T0 + DAY + POLICY.overlap)).data;
    assert.equal(servingIssuerOf(moved), replacement);
  });

  it("starts over with a new CA when the only CA expired while nothing ran", async () => {
    const late = ca1.notAfter.getTime() + DAY;
    const { plan, data } = await step(start, late);
    assert.match(plan.reasons[0] as string, /expired at 2031-01-01T00:00:00\.000Z; removing it from the bundle/);
    assert.deepEqual(bundleOf(data), [`${caNameAt(late)}*`]);
    assert.equal(servingIssuerOf(data), caNameAt(late));
  });
});
