// PEM text <-> DER blocks. Stored certificates come from Secrets and files
// anyone can edit, so reading never throws: every block that is not sound
// is reported as a problem naming its position, and the sound ones are kept.

export interface PemBlock {
  /** The word(s) after BEGIN, e.g. "CERTIFICATE", "PRIVATE KEY". */
  label: string;
  der: Buffer;
  /** 1-based position among the blocks of the text, for messages. */
  index: number;
}

export interface PemParse {
  blocks: PemBlock[];
  problems: string[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Splits PEM text into its blocks; text between blocks (comments, "Bag Attributes") is ignored, as OpenSSL does. */
export function parsePem(text: string): PemParse {
  const blocks: PemBlock[] = [];
  const problems: string[] = [];
  let index = 0;
  let consumed = 0;
  for (const match of text.matchAll(BLOCK)) {
    index++;
    consumed = (match.index ?? 0) + match[0].length;
    const [, begin, body, end] = match as unknown as [string, string, string, string];
    if (begin !== end) {
      problems.push(`PEM block ${index} begins as "${begin}" but ends as "${end}"`);
      continue;
    }
    const base64 = body.replace(/\s+/g, "");
    if (base64.length === 0 || base64.length % 4 !== 0 || !BASE64.test(base64)) {
      problems.push(`PEM block ${index} (${begin}) is not valid base64`);
      continue;
    }
    blocks.push({ label: begin, der: Buffer.from(base64, "base64"), index });
  }
  // A BEGIN with no END after the last complete block is a truncated file.
  if (text.indexOf("-----BEGIN ", consumed) !== -1) problems.push(`PEM block ${index + 1} has no END line (the text is truncated)`);
  return { blocks, problems };
}

/** DER as PEM with 64-character lines and a final newline (the form OpenSSL writes). */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
