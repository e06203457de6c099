// What the index keeps once a state file is loaded: never the file's text.
// Measured on the V8 heap after a forced collection, with a margin far wider
// than the noise (a leak is the whole 16 MB). What a route costs is a memory
// figure, measured by bench/ (issue 11), not asserted here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseManifestText } from "../objects/parse-manifests.ts";
import { ClusterStateIndex } from "./cluster-state-index.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const MB = 1024 * 1024;

/** An index built from a YAML text padded to `padBytes` by a comment; the text itself is not returned. */
function indexFromPaddedText(document: string, padBytes: number): ClusterStateIndex {
  const text = `${document}# ${"x".repeat(padBytes)}\n`;
  const { manifests, problems } = parseManifestText(text, "state.yaml");
  assert.deepEqual(problems, []);
  return ClusterStateIndex.fromObjects(manifests.map((m) => m.object));
}

describe("ClusterStateIndex memory", () => {
  const documents = [
    {
      name: "a DomainRoute",
      yaml:
        "apiVersion: hostgate.dev/v1alpha1\nkind: DomainRoute\nmetadata:\n  name: shop-web-frontend\n  namespace: team-a-namespace\n" +
        "  uid: 00000000-0000-4000-8000-000000000001\nspec:\n  domain: shop.team-a.example.com\n  lb: alb-out-internet\n  protection:\n    provider: sso\n    appId: shop-web-frontend-app\n",
    },
    {
      name: "a HostnameGrant",
      yaml:
        "apiVersion: hostgate.dev/v1alpha1\nkind: HostnameGrant\nmetadata:\n  name: team-a-shop-grant\nspec:\n  namespaces: [team-a-namespace]\n" +
        "  hostnames: ['*.shop.team-a.example.com']\n  kinds: [DomainRouteKind]\n",
    },
  ];
  for (const { name, yaml } of documents) {
    it(`does not keep the text of the file it was parsed from alive, for ${name}`, () => {
      const before = heapUsedAfterGc();
      const index = indexFromPaddedText(yaml, 16 * MB);
      const retained = heapUsedAfterGc() - before;
      assert.equal(index.counts().domainRoutes + index.counts().hostnameGrants, 1);
      assert.ok(retained < 4 * MB, `the index of one object holds ${(retained / MB).toFixed(1)} MB: its strings still point into the 16 MB file text`);
    });
  }
});
