import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProtectionRule } from "../../../../crds/types.ts";
import { envoyGatewayPublicPaths } from "./public-paths.ts";

describe("envoyGatewayPublicPaths", () => {
  const cases: { name: string; rules: ProtectionRule[]; paths: string[]; problems?: RegExp[] }[] = [
    { name: "opens nothing without Allow rules", rules: [{ action: "Authenticate", paths: ["/admin"] }], paths: [] },
    {
      name: "opens exact Allow paths, sorted and once each",
      rules: [
        { action: "Allow", paths: ["/ready", "/healthz"] },
        { action: "Allow", paths: ["/ready"] },
      ],
      paths: ["/healthz", "/ready"],
    },
    {
      name: "keeps an Allow path that an exact Authenticate path names behind the login",
      rules: [
        { action: "Allow", paths: ["/a", "/b"] },
        { action: "Authenticate", paths: ["/a"] },
      ],
      paths: ["/b"],
    },
    {
      name: "keeps Allow paths that an Authenticate prefix or suffix covers behind the login",
      rules: [
        { action: "Allow", paths: ["/admin/x", "/logo.png", "/ok"] },
        { action: "Authenticate", paths: ["/admin*", "*.png"] },
      ],
      paths: ["/ok"],
    },
    {
      name: "keeps every Allow path behind the login under an Authenticate template, whose matches are not worked out",
      rules: [
        { action: "Allow", paths: ["/ok", "/team/1"] },
        { action: "Authenticate", paths: ["/team/{*}"] },
      ],
      paths: [],
    },
    {
      name: "keeps every Allow path behind the login under an Authenticate *",
      rules: [
        { action: "Allow", paths: ["/ok"] },
        { action: "Authenticate", paths: ["*"] },
      ],
      paths: [],
    },
    {
      name: "refuses Istio wildcards and templates, which no exact match can stand for",
      rules: [{ action: "Allow", paths: ["/static*", "*.css", "/api/{**}", "/ok"] }],
      paths: ["/ok"],
      problems: [/"\*\.css": Envoy Gateway can open exact paths only/, /"\/api\/\{\*\*\}"/, /"\/static\*"/],
    },
    {
      name: "refuses paths the Gateway API's CRD refuses",
      rules: [{ action: "Allow", paths: ["/a//b", "/a/./b", "/a/..", "/a%2Fb", "/a#b"] }],
      paths: [],
      problems: [/"\/a#b": the Gateway API refuses/, /"\/a%2Fb"/, /"\/a\/\.\."/, /"\/a\/\.\/b"/, /"\/a\/\/b"/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = envoyGatewayPublicPaths({ provider: "sso", appId: "shop", rules: c.rules });
      assert.deepEqual(result.paths, c.paths);
      assert.equal(result.problems.length, (c.problems ?? []).length, result.problems.join("\n"));
      for (const [i, problem] of (c.problems ?? []).entries()) assert.match(result.problems[i]!, problem);
    });
  }
});
