// The cases of k8s.io/apimachinery pkg/util/net/http_test.go
// (TestParseWarningHeader, TestParseWarningHeaders), plus what the API server
// sends hostgate: admission warnings with commas and quotes, several lines.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseWarningHeader, parseWarningHeaders, warningTexts } from "./warning-header.ts";
import type { WarningHeader } from "./warning-header.ts";

/** A header line as Node hands it over: the UTF-8 bytes of `text`, one character per byte. */
const received = (text: string): string => Buffer.from(text, "utf8").toString("latin1");

const ESCAPED = String.raw`"text\"\\\a\b\c"`;
const ESCAPED_TEXT = String.raw`text"\abc`;
const ok = (text: string, code = 299): WarningHeader => ({ code, agent: "-", text });

describe("parseWarningHeader reads one warning as apimachinery does", () => {
  const failures: { name: string; header: string; error: string }[] = [
    { name: "an empty line has fewer than 3 segments", header: "", error: "fewer than 3 segments" },
    { name: "two words have fewer than 3 segments", header: "A B", error: "fewer than 3 segments" },
    { name: "a one-digit code is refused", header: '1 - "text"', error: "not 3 digits" },
    { name: "a letter code is refused", header: 'A - "text"', error: "not 3 digits" },
    { name: "an unterminated date is refused", header: `  299 - ${ESCAPED}  "Tue, 15 Nov 1994 08:12:31 GMT `, error: "unterminated date segment" },
    {
      name: "a word after the date is refused",
      header: `  299 - ${ESCAPED}  "Tue, 15 Nov 1994 08:12:31 GMT" other`,
      error: "unexpected token after warn-date",
    },
    { name: "a control character in the agent is refused", header: '  299 agent\u0000name "text"', error: "invalid agent" },
    { name: "an agent that is not UTF-8 is refused", header: '  299 agent\u00c5name "text"', error: "invalid agent" },
    { name: "a control character in the text is refused", header: '  299 - "text\u0000"content', error: "invalid text" },
    { name: "a text that is not UTF-8 is refused", header: '  299 - "text\u00c5"content', error: "invalid text" },
    { name: "a text without its closing quote is refused", header: '299 - "warning unquoted', error: "missing closing quote" },
    { name: "a text without its opening quote is refused", header: "299 - text", error: "missing initial quote" },
  ];
  for (const f of failures) {
    test(f.name, () => {
      const step = parseWarningHeader(f.header);
      assert.equal(step.ok, false);
      assert.ok(!step.ok && step.error.startsWith("invalid warning header: ") && step.error.includes(f.error), JSON.stringify(step));
    });
  }

  const valid: { name: string; header: string; warning: WarningHeader; remainder?: string }[] = [
    { name: "a plain warning", header: '299 - "text"', warning: ok("text") },
    { name: "escaped quotes and backslashes are unescaped, and any escaped byte is itself", header: `299 - ${ESCAPED}`, warning: ok(ESCAPED_TEXT) },
    { name: "any three-digit code is read", header: '321 - "text"', warning: ok("text", 321) },
    { name: "an RFC 2047 ISO-8859-1 Q word is decoded", header: '299 - "=?iso-8859-1?q?this=20is=20some=20text?="', warning: ok("this is some text") },
    {
      name: "RFC 2047 UTF-8 B words are decoded, keeping the text between them",
      header: '299 - "=?UTF-8?B?VGhpcyBpcyBhIGhvcnNleTog8J+Qjg==?= And =?UTF-8?B?VGhpcyBpcyBhIGhvcnNleTog8J+Qjg==?="',
      warning: ok("This is a horsey: 🐎 And This is a horsey: 🐎"),
    },
    {
      name: "an RFC 2047 UTF-8 Q word with escaped quotes is decoded",
      header: String.raw`299 - "=?UTF-8?Q?This is a \"horsey\": =F0=9F=90=8E?="`,
      warning: ok('This is a "horsey": 🐎'),
    },
    {
      name: "an RFC 2047 word in an unknown charset stays as written",
      header: '299 - "=?UTF-9?Q?This is a horsey: =F0=9F=90=8E?="',
      warning: ok("=?UTF-9?Q?This is a horsey: =F0=9F=90=8E?="),
    },
    { name: "white space around the warning is ignored", header: `  299 - ${ESCAPED}  `, warning: ok(ESCAPED_TEXT) },
    { name: "a date is skipped", header: `  299 - ${ESCAPED}  "Tue, 15 Nov 1994 08:12:31 GMT" `, warning: ok(ESCAPED_TEXT) },
    { name: "a date and a trailing comma are skipped", header: `  299 - ${ESCAPED}  "Tue, 15 Nov 1994 08:12:31 GMT" , `, warning: ok(ESCAPED_TEXT) },
    { name: "a trailing comma is skipped", header: `  299 - ${ESCAPED}  , `, warning: ok(ESCAPED_TEXT) },
    {
      name: "what follows the date and comma is the remainder",
      header: `  299 - ${ESCAPED}  "Tue, 15 Nov 1994 08:12:31 GMT" , remainder `,
      warning: ok(ESCAPED_TEXT),
      remainder: "remainder",
    },
    {
      name: "what follows the comma is the remainder, commas and all",
      header: `  299 - ${ESCAPED}  ,remainder text,second remainder`,
      warning: ok(ESCAPED_TEXT),
      remainder: "remainder text,second remainder",
    },
    {
      name: "UTF-8 text is read from its bytes",
      header: received(' 299 - "Test of Iñtërnâtiônàlizætiøn,💝🐹🌇⛔" '),
      warning: ok("Test of Iñtërnâtiônàlizætiøn,💝🐹🌇⛔"),
    },
  ];
  for (const v of valid) {
    test(v.name, () => {
      assert.deepEqual(parseWarningHeader(v.header), { ok: true, warning: v.warning, remainder: v.remainder ?? "" });
    });
  }
});

describe("parseWarningHeaders reads every warning of every line", () => {
  test("no lines give no warnings", () => {
    assert.deepEqual(parseWarningHeaders([]), { warnings: [], errors: [] });
  });

  test("several warnings per line are read in order; a malformed one ends its line, and the next line is still read", () => {
    const result = parseWarningHeaders([
      '299 - "warning 1.1",299 - "warning 1.2"',
      '299 - "warning 2", 299 - "warning unquoted',
      ' 299 - "warning 3.1" ,  299 - "warning 3.2" ',
    ]);
    assert.deepEqual(result.warnings, [ok("warning 1.1"), ok("warning 1.2"), ok("warning 2"), ok("warning 3.1"), ok("warning 3.2")]);
    assert.deepEqual(result.errors, ['invalid warning header: invalid quoted string: missing closing quote in "299 - \\"warning unquoted"']);
  });
});

describe("warningTexts gives a person every warning of an answer", () => {
  const cases: { name: string; lines: string[]; texts: string[] }[] = [
    {
      name: "an admission warning with a comma and escaped quotes stays one warning",
      lines: [String.raw`299 - "spec.domain \"shop.example.com\" is public, and has no protection"`],
      texts: ['spec.domain "shop.example.com" is public, and has no protection'],
    },
    {
      name: "lines a fetch client joined with a comma split back into their warnings",
      lines: [String.raw`299 - "a \"quoted\" one, with comma", 299 - "second"`],
      texts: ['a "quoted" one, with comma', "second"],
    },
    {
      name: "only code 299 with a text is shown, as client-go and kubectl show warnings (a 199 or an empty text is dropped)",
      lines: ['199 - "misc"', '299 - "", 299 - "kept"', '214 proxy "transformed"'],
      texts: ["kept"],
    },
    {
      name: "warnings keep the order of their lines",
      lines: ['299 - "first"', '299 - "second", 299 - "third"', received('299 - "vierte: ü"')],
      texts: ["first", "second", "third", "vierte: ü"],
    },
    {
      name: "a malformed warning is kept as a note with its raw text, after the warnings before it on its line",
      lines: ['299 - "fine", not a warning', '299 - "next"'],
      texts: [
        "fine",
        'a malformed Warning header from the API server: invalid warning header: code segment is not 3 digits between 100-299 in "not a warning"',
        "next",
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(warningTexts(c.lines), c.texts);
    });
  }
});
