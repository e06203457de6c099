// Which installed packages `npm run package` copies into the image's tree:
// the lockfile's production closure (what `npm ci --omit=dev` installs), and
// a clear refusal when the lockfile cannot say what that is.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { productionPaths } from "../bin/package.ts";

const lockfile = (packages: Record<string, object>, lockfileVersion = 3) => JSON.stringify({ lockfileVersion, packages });

describe("the production closure of package-lock.json", () => {
  it("keeps production and optional packages, nested ones by their own entry, and drops every package marked dev", () => {
    const text = lockfile({
      "": { dependencies: { a: "^1.0.0" }, devDependencies: { t: "^2.0.0" } },
      "node_modules/a": { version: "1.0.0" },
      "node_modules/a/node_modules/b": { version: "2.0.0" },
      "node_modules/o": { version: "1.0.0", optional: true },
      "node_modules/d": { version: "1.0.0", devOptional: true },
      "node_modules/t": { version: "2.0.0", dev: true },
      "node_modules/t/node_modules/b": { version: "3.0.0", dev: true },
    });
    assert.deepEqual(
      productionPaths(text, { dependencies: { a: "^1.0.0" } }).map((p) => p.path),
      ["node_modules/a", "node_modules/a/node_modules/b", "node_modules/d", "node_modules/o"],
    );
  });

  const refusals = [
    {
      name: "refuses a lockfile version 1 (no packages map), saying to regenerate it",
      text: JSON.stringify({ lockfileVersion: 1, dependencies: {} }),
      error: /lockfileVersion 1 without "packages": regenerate it with npm 7 or newer/,
    },
    {
      name: "refuses a lockfile whose dependencies differ from package.json's, saying to run npm install",
      text: lockfile({ "": { dependencies: { a: "^0.9.0" } } }),
      error: /package-lock\.json's dependencies differ from package\.json's .*run npm install/,
    },
    { name: "refuses a lockfile that lacks a dependency package.json names", text: lockfile({ "": {} }), error: /dependencies differ/ },
  ];
  for (const { name, text, error } of refusals) {
    it(name, () => {
      assert.throws(() => productionPaths(text, { dependencies: { a: "^1.0.0" } }), error);
    });
  }
});
