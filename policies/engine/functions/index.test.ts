import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readFileSync } from "node:fs";
import { celEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { cidrFunctions, hostgateFunctions, hostnameFunctions, ipFunctions, listFunctions, regexFunctions } from "./index.ts";

describe("hostgateFunctions", () => {
  test("it is exactly the union of the groups", () => {
    const groups = [...ipFunctions, ...cidrFunctions, ...listFunctions, ...regexFunctions, ...hostnameFunctions];
    assert.deepEqual(
      hostgateFunctions.map((f) => f.id),
      groups.map((f) => f.id),
    );
  });

  test("no two of its overloads share a signature", () => {
    const ids = hostgateFunctions.map((f) => f.id);
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
    );
  });

  test("it replaces no standard or string-extension overload", () => {
    // The resolver lets a later overload with the same id silently win.
    const builtIn = new Set([...celEnv().funcs].map((f) => f.id).concat(strings.map((f) => f.id)));
    assert.deepEqual(
      hostgateFunctions.map((f) => f.id).filter((id) => builtIn.has(id)),
      [],
    );
  });

  test("every function named in the spec is provided", () => {
    const names = new Set(hostgateFunctions.map((f) => f.name));
    const expected = [
      "isIP",
      "ip",
      "family",
      "isCIDR",
      "cidr",
      "containsIP",
      "containsCIDR",
      "prefixLength",
      "masked",
      "isLoopback",
      "isUnspecified",
      "isLinkLocalUnicast",
      "isLinkLocalMulticast",
      "isMulticast",
      "isGlobalUnicast",
      "isBroadcast",
      "isPrivate",
      "isSorted",
      "sum",
      "min",
      "max",
      "indexOf",
      "lastIndexOf",
      "find",
      "findAll",
      "isHostname",
      "isWildcardHostname",
      "grantCovers",
      "hostnameUnder",
      "labelsBelow",
      "apexOf",
      "hostnameWithoutPort",
    ];
    assert.deepEqual(
      expected.filter((name) => !names.has(name)),
      [],
    );
  });

  test("the README documents every function, for the security team", () => {
    const readme = readFileSync(new URL("README.md", import.meta.url), "utf8");
    const missing = [...new Set(hostgateFunctions.map((f) => f.name))].filter((name) => !readme.includes(`\n| \`${name}\` |`));
    assert.deepEqual(missing, []);
  });
});
