import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePem, toPem } from "./pem.ts";

const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe("parsePem", () => {
  const cases: { name: string; text: string; labels: string[]; problems: RegExp[] }[] = [
    { name: "reads one block", text: block("CERTIFICATE", "AAEC"), labels: ["CERTIFICATE"], problems: [] },
    {
      name: "reads several blocks and ignores text around them",
      text: `Bag Attributes\n${block("CERTIFICATE", "AAEC")}junk\n${block("PRIVATE KEY", "AwQF")}`,
      labels: ["CERTIFICATE", "PRIVATE KEY"],
      problems: [],
    },
    { name: "accepts CRLF line endings", text: block("CERTIFICATE", "AA\r\nEC").replaceAll("\n", "\r\n"), labels: ["CERTIFICATE"], problems: [] },
    { name: "finds nothing in text without blocks", text: "not pem at all", labels: [], problems: [] },
    {
      name: "reports a block whose body is not base64",
      text: block("CERTIFICATE", "!!!!"),
      labels: [],
      problems: [/block 1 \(CERTIFICATE\) is not valid base64/],
    },
    { name: "reports an empty block", text: block("CERTIFICATE", ""), labels: [], problems: [/block 1 \(CERTIFICATE\) is not valid base64/] },
    {
      name: "reports mismatched BEGIN and END",
      text: "-----BEGIN CERTIFICATE-----\nAAEC\n-----END PRIVATE KEY-----\n",
      labels: [],
      problems: [/begins as "CERTIFICATE" but ends as "PRIVATE KEY"/],
    },
    {
      name: "reports a truncated last block and keeps the good ones",
      text: `${block("CERTIFICATE", "AAEC")}-----BEGIN CERTIFICATE-----\nAAEC`,
      labels: ["CERTIFICATE"],
      problems: [/block 2 has no END line/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parsed = parsePem(c.text);
      assert.deepEqual(
        parsed.blocks.map((b) => b.label),
        c.labels,
      );
      assert.equal(parsed.problems.length, c.problems.length, parsed.problems.join("; "));
      for (const [i, p] of c.problems.entries()) assert.match(parsed.problems[i] as string, p);
    });
  }

  it("round-trips bytes through toPem with 64-column lines", () => {
    const der = Uint8Array.from({ length: 100 }, (_, i) => i);
    const pem = toPem("CERTIFICATE", der);
    assert.ok(pem.split("\n").every((line) => line.length <= 64));
    assert.deepEqual([...(parsePem(pem).blocks[0]?.der ?? [])], [...der]);
  });
});
