import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSignedBy } from "./certificate-info.ts";
import { executePlan } from "./execute-plan.ts";
import { planCertificates } from "./planner.ts";
import { certificatePolicy, DAY } from "./policy.ts";
import { CA_BUNDLE_KEY, CA_KEYS_KEY, decodeCertificates, TLS_CERT_KEY, TLS_KEY_KEY } from "./stored-state.ts";
import { bundleOf, caNameAt, CLUSTER_HOSTS, countingIssuer, issuer, POLICY, servingIssuerOf, step, T0 } from "./testing/fixtures.ts";

const fresh = (await step(undefined, T0)).data as Record<string, string>;
const other = (await step(undefined, T0)).data as Record<string, string>; // a second, unrelated CA and pair
const freshServing = decodeCertificates(fresh).serving?.certificate;
const renewAt = freshServing ? freshServing.notBefore.getTime() + ((freshServing.notAfter.getTime() - freshServing.notBefore.getTime()) * 2) / 3 : NaN;
const CA1 = caNameAt(T0);
const MINUTE = 60_000;

interface Case {
  name: string;
  data: () => Record<string, string> | undefined;
  now: number;
  options?: typeof POLICY;
  changed: boolean;
  problems?: RegExp[];
  reasons?: RegExp[];
  /** The bundle after applying the plan (`*`: key stored). */
  bundle?: (string | RegExp)[];
  /** Whether the serving certificate is the one stored before. */
  servingKept?: boolean;
}

const cases: Case[] = [
  {
    name: "creates a CA and a serving certificate when nothing is stored",
    data: () => undefined,
    now: T0,
    changed: true,
    reasons: [/no CA is stored; creating one/, /the serving certificate is not stored .*issuing one from the new CA/],
    bundle: [`${CA1}*`],
  },
  { name: "changes nothing while all is valid", data: () => fresh, now: T0 + 30 * DAY, changed: false, bundle: [`${CA1}*`], servingKept: true },
  {
    name: "changes nothing one second before the serving certificate's renewal point",
    data: () => fresh,
    now: renewAt - 1000,
    changed: false,
    servingKept: true,
  },
  {
    name: "renews the serving certificate at 2/3 of its lifetime, from the same CA",
    data: () => fresh,
    now: renewAt,
    changed: true,
    reasons: [/passed 67% of its lifetime at .* \(it expires 2030-04-01T00:00:00\.000Z\); issuing one from CA "hostgate-webhook-ca@2029-12-31T23:00:00Z"/],
    bundle: [`${CA1}*`],
    servingKept: false,
  },
  {
    name: "re-issues a serving certificate whose names differ from the required ones",
    data: () => fresh,
    now: T0 + DAY,
    options: certificatePolicy([...CLUSTER_HOSTS, "127.0.0.1"]),
    changed: true,
    reasons: [
      /names \[hostgate-webhook\.hostgate-system\.svc, hostgate-webhook\.hostgate-system\.svc\.cluster\.local\], not the required \[127\.0\.0\.1, hostgate-webhook/,
    ],
    bundle: [`${CA1}*`],
    servingKept: false,
  },
  {
    name: "re-issues a serving certificate that names more than is required",
    data: () => fresh,
    now: T0 + DAY,
    options: certificatePolicy([CLUSTER_HOSTS[0] as string]),
    changed: true,
    reasons: [/not the required \[hostgate-webhook\.hostgate-system\.svc\]/],
    servingKept: false,
  },
  {
    name: "re-issues a serving certificate signed by a CA that is not in the bundle",
    data: () => ({ ...fresh, [TLS_CERT_KEY]: other[TLS_CERT_KEY] as string, [TLS_KEY_KEY]: other[TLS_KEY_KEY] as string }),
    now: T0 + DAY,
    changed: true,
    reasons: [/is not signed by any CA in the bundle; issuing one from CA "hostgate-webhook-ca@/],
    bundle: [`${CA1}*`],
    servingKept: false,
  },
  {
    name: "discards a serving key that does not belong to the certificate and re-issues the pair",
    data: () => ({ ...fresh, [TLS_KEY_KEY]: other[TLS_KEY_KEY] as string }),
    now: T0 + DAY,
    changed: true,
    problems: [/tls\.key does not belong to the certificate in tls\.crt/],
    reasons: [/the serving certificate is not stored \(or unusable\)/],
    servingKept: false,
  },
  {
    name: "discards an unparseable serving certificate",
    data: () => ({ ...fresh, [TLS_CERT_KEY]: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n" }),
    now: T0 + DAY,
    changed: true,
    problems: [/tls\.crt holds no usable certificate \(PEM block 1 is not a parseable certificate/],
    bundle: [`${CA1}*`],
    servingKept: false,
  },
  {
    name: "discards a serving key stored without its certificate",
    data: () => ({ [CA_BUNDLE_KEY]: fresh[CA_BUNDLE_KEY] as string, [CA_KEYS_KEY]: fresh[CA_KEYS_KEY] as string, [TLS_KEY_KEY]: fresh[TLS_KEY_KEY] as string }),
    now: T0 + DAY,
    changed: true,
    problems: [/tls\.key is stored without tls\.crt/],
    servingKept: false,
  },
  {
    name: "treats a bundle of garbage as no CA: a new CA and a new serving certificate",
    data: () => ({ ...fresh, [CA_BUNDLE_KEY]: "garbage\n-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n" }),
    now: T0 + DAY,
    changed: true,
    problems: [/ca\.crt: PEM block 1 \(CERTIFICATE\) is not valid base64; discarding it/, /ca\.key: key 1 belongs to no CA in ca\.crt/],
    reasons: [/no CA is stored; creating one/, /is not signed by any CA in the bundle; issuing one from the new CA/],
    bundle: [`${caNameAt(T0 + DAY)}*`],
    servingKept: false,
  },
  {
    name: "keeps serving but starts a new CA when the CA's key is garbage",
    data: () => ({ ...fresh, [CA_KEYS_KEY]: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }),
    now: T0 + DAY,
    changed: true,
    problems: [/ca\.key: PEM block 1 is not a parseable private key/],
    reasons: [/no CA in the bundle has its private key stored, so none can sign; creating a new CA/],
    // The served certificate is still trusted: it stays until the new CA has been trusted for an overlap.
    bundle: [CA1, `${caNameAt(T0 + DAY)}*`],
    servingKept: true,
  },
  {
    name: "discards a non-CA certificate found in the bundle",
    data: () => ({ ...fresh, [CA_BUNDLE_KEY]: (fresh[CA_BUNDLE_KEY] as string) + (fresh[TLS_CERT_KEY] as string) }),
    now: T0 + DAY,
    changed: true,
    problems: [
      /ca\.crt: "hostgate-webhook\.hostgate-system\.svc" \(SHA-256 [0-9A-F:]{11}\) is not a CA certificate \(basicConstraints CA:FALSE\); discarding it/,
    ],
    bundle: [`${CA1}*`],
    servingKept: true,
  },
  {
    name: "keeps one copy of a CA that appears twice in the bundle",
    data: () => ({ ...fresh, [CA_BUNDLE_KEY]: (fresh[CA_BUNDLE_KEY] as string).repeat(2) }),
    now: T0 + DAY,
    changed: true,
    problems: [/appears twice; keeping one/],
    bundle: [`${CA1}*`],
    servingKept: true,
  },
  {
    name: "issues a fresh pair when the serving certificate has expired (a controller that was down for months)",
    data: () => fresh,
    now: T0 + 100 * DAY,
    changed: true,
    reasons: [/expired at 2030-04-01T00:00:00\.000Z; issuing one from CA/],
    bundle: [`${CA1}*`],
    servingKept: false,
  },
];

describe("planCertificates", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const options = c.options ?? POLICY;
      const before = c.data();
      const plan = planCertificates(before, new Date(c.now), options);
      assert.equal(plan.changed, c.changed, `reasons: ${plan.reasons.join(" | ")}; problems: ${plan.problems.join(" | ")}`);
      assert.equal(plan.problems.length, c.problems?.length ?? 0, plan.problems.join(" | "));
      for (const [i, p] of (c.problems ?? []).entries()) assert.match(plan.problems[i] as string, p);
      if (c.reasons) {
        assert.equal(plan.reasons.length, c.reasons.length, plan.reasons.join(" | "));
        for (const [i, r] of c.reasons.entries()) assert.match(plan.reasons[i] as string, r);
      }
      if (!c.changed) assert.deepEqual(plan.reasons, []);

      const after = c.changed ? await executePlan(plan, { issuer, now: new Date(c.now), policy: options, ...(before ? { base: before } : {}) }) : before;
      if (c.bundle) assert.deepEqual(bundleOf(after), c.bundle.map(String));
      const decoded = decodeCertificates(after);
      assert.deepEqual(decoded.problems, []);
      const serving = decoded.serving?.certificate;
      assert.ok(serving, "a serving certificate is stored");
      assert.deepEqual([...serving.dnsNames, ...serving.ipAddresses].sort(), [...options.dnsNames, ...options.ipAddresses].sort());
      assert.ok(
        decoded.authorities.some((a) => isSignedBy(serving, a.certificate)),
        "the serving certificate is signed by a CA in the bundle",
      );
      if (c.servingKept !== undefined) assert.equal(serving.pem === decodeCertificates(before).serving?.certificate.pem, c.servingKept);

      // Idempotent: planning again on the plan's own result changes nothing.
      const again = planCertificates(after, new Date(c.now), options);
      assert.equal(again.changed, false, `second plan: ${[...again.problems, ...again.reasons].join(" | ")}`);
    });
  }

  it("names the serving certificate's renewal point as the next review when nothing is due", () => {
    const plan = planCertificates(fresh, new Date(T0 + DAY), POLICY);
    assert.equal(plan.nextReviewAt.getTime(), renewAt);
  });

  it("executing an unchanged plan's result is never needed: the manager skips signing", async () => {
    const counting = countingIssuer();
    const plan = planCertificates(fresh, new Date(T0 + DAY), POLICY);
    assert.equal(plan.changed, false);
    // Executing anyway reproduces the stored data without making anything.
    const same = await executePlan(plan, { issuer: counting, now: new Date(T0 + DAY), policy: POLICY, base: fresh });
    assert.deepEqual(same, fresh);
    assert.deepEqual([counting.authorities, counting.servings], [0, 0]);
  });

  it("keeps keys it does not own when it rewrites the data", async () => {
    const { data } = await step({ ...fresh, [TLS_KEY_KEY]: "", "note.txt": "kept" }, T0 + DAY);
    assert.equal(data?.["note.txt"], "kept");
  });

  it("writes the bundle in issue order, whatever order it was stored in", async () => {
    const rotating = (await step({ ...fresh, [CA_KEYS_KEY]: "" }, T0 + DAY)).data as Record<string, string>;
    const [first, second] = decodeCertificates(rotating).authorities.map((a) => a.certificate.pem) as [string, string];
    const reversed = { ...rotating, [CA_BUNDLE_KEY]: second + first };
    assert.equal(planCertificates(reversed, new Date(T0 + DAY), POLICY).changed, false, "order alone is no reason to write");
    const rewritten = (await step({ ...reversed, [TLS_KEY_KEY]: "" }, T0 + DAY)).data;
    assert.equal(rewritten?.[CA_BUNDLE_KEY], first + second);
  });

  it("passes over a CA too close to its end to sign a useful serving certificate", async () => {
    // Lifetimes where the serving certificate lasts as long as the CA: late in
    // the CA's life a certificate from it would be due for renewal at once.
    const policy = certificatePolicy(CLUSTER_HOSTS, { caLifetime: 30 * DAY, servingLifetime: 30 * DAY, overlap: DAY, renewFraction: 0.9 });
    const start = (await step(undefined, T0, policy)).data;
    // 5 minutes before CA1 expires: a certificate from it (backdated an hour)
    // would pass 90% of its 65-minute life before it is even served.
    const late = T0 + 30 * DAY - 5 * MINUTE;
    const { plan, data } = await step({ ...start, [TLS_KEY_KEY]: "" }, late, policy);
    assert.ok(plan.reasons.some((r) => /adding a new CA/.test(r)));
    assert.equal(servingIssuerOf(data), caNameAt(late));
    assert.equal(planCertificates(data, new Date(late), policy).changed, false);
  });
});
