import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateObjectMeta } from "./metadata.ts";

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe("validateObjectMeta", () => {
  const cases: { name: string; object: unknown; messages: string[] }[] = [
    { name: "a DNS subdomain name is fine", object: { metadata: { name: "shop.example.com" } }, messages: [] },
    { name: "a generateName is enough, and may end in a dash", object: { metadata: { generateName: "web-" } }, messages: [] },
    { name: "no name at all is required", object: { metadata: {} }, messages: ["metadata.name: Required value: name or generateName is required"] },
    { name: "no metadata at all is required too", object: {}, messages: ["metadata.name: Required value: name or generateName is required"] },
    { name: "an uppercase name is invalid", object: { metadata: { name: "Web" } }, messages: [`metadata.name: Invalid value: "Web": ${SUBDOMAIN}`] },
    {
      name: "a name over 253 characters is invalid",
      object: { metadata: { name: "a".repeat(254) } },
      messages: [`metadata.name: Invalid value: "${"a".repeat(254)}": must be no more than 253 characters`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        validateObjectMeta(c.object).map((v) => v.message),
        c.messages,
      );
    });
  }
});
