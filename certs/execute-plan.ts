// Carries out a plan: makes the CA it asks for, issues the serving
// certificate from the CA it names, and returns the data to store. All the
// deciding happened in the planner; this only generates keys and signs.
import { parseCertificateDer } from "./certificate-info.ts";
import type { CertificateIssuer } from "./issuer.ts";
import { parsePem } from "./pem.ts";
import type { CertificatePlan } from "./planner.ts";
import { authorityValidity, servingValidity } from "./planner.ts";
import type { CertificatePolicy } from "./policy.ts";
import type { Authority, ServingPair } from "./stored-state.ts";
import { encodeCertificates } from "./stored-state.ts";

export interface ExecuteContext {
  issuer: CertificateIssuer;
  now: Date;
  policy: CertificatePolicy;
  /** The stored data the plan was made from: keys hostgate does not own are carried over. */
  base?: Readonly<Record<string, string>>;
}

export async function executePlan(plan: CertificatePlan, context: ExecuteContext): Promise<Record<string, string>> {
  const t = context.now.getTime();
  const authorities: Authority[] = [];
  for (const step of plan.authorities) {
    if (step.action === "keep") {
      authorities.push(step.authority);
      continue;
    }
    const validity = authorityValidity(t, context.policy);
    // The issue time makes each CA's name unique (see CertificatePolicy.caName).
    const commonName = `${context.policy.caName}@${validity.notBefore.toISOString().replace(/\.000Z$/, "Z")}`;
    const made = await context.issuer.createAuthority({ commonName, ...validity });
    authorities.push({ certificate: certificateOf(made.certPem), keyPem: made.keyPem });
  }

  let serving: ServingPair;
  if (plan.serving.action === "keep") {
    serving = plan.serving.pair;
  } else {
    const signer = authorities[plan.serving.signer];
    if (signer?.keyPem === undefined) throw new Error(`plan names authority ${plan.serving.signer} as the signer, but it has no private key (a planner bug)`);
    const { dnsNames, ipAddresses } = context.policy;
    const made = await context.issuer.issueServing({
      signer: { certPem: signer.certificate.pem, keyPem: signer.keyPem },
      commonName: dnsNames[0] ?? ipAddresses[0] ?? "hostgate-webhook",
      dnsNames,
      ipAddresses,
      ...servingValidity(t, context.policy, signer.certificate.notAfter),
    });
    serving = { certificate: certificateOf(made.certPem), keyPem: made.keyPem };
  }
  return encodeCertificates(authorities, serving, context.base);
}

function certificateOf(pem: string) {
  const block = parsePem(pem).blocks[0];
  if (block === undefined) throw new Error("the issuer returned no PEM certificate");
  return parseCertificateDer(block.der);
}
