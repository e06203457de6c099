// Whether the TXT owner records of records at one name would break DNS's
// length limits: `a-`, `aaaa-` or `cname-` before a first label of 58 to 63
// characters makes it longer than 63, which Route53 refuses as
// DomainLabelTooLong (external-dns issue 2839). Shared by route records and
// gateway records, so both refuse the same way, before Route53 would. Pure.
import type { DnsRecord } from "./route53-port.ts";
import { MAX_LABEL_CHARACTERS, MAX_NAME_CHARACTERS, nameLengthProblem } from "./route53/route53-names.ts";
import { registryName } from "./txt-registry.ts";

/** Why the first of `records` whose registry TXT name is too long cannot be written (what, which limit, how long it may be); undefined when all fit. */
export function registryNameTooLong(records: readonly Pick<DnsRecord, "name" | "type">[], apex: string): string | undefined {
  for (const record of records) {
    const txt = registryName(record.name, record.type, apex);
    const problem = nameLengthProblem(txt);
    if (problem === undefined) continue;
    const what = `the TXT owner record of ${record.type} ${record.name} would be named ${txt}`;
    return problem.kind === "label"
      ? `${what}, whose first label is ${problem.label.length} characters where Route53 allows ${MAX_LABEL_CHARACTERS}, so no record is written; ` +
          `use a domain whose first label has at most ${MAX_LABEL_CHARACTERS - (problem.label.length - record.name.split(".")[0]!.length)} characters`
      : `${what}, which is ${txt.length} characters where Route53 allows ${MAX_NAME_CHARACTERS}, so no record is written; ` +
          `use a domain of at most ${MAX_NAME_CHARACTERS - (txt.length - record.name.length)} characters`;
  }
  return undefined;
}
