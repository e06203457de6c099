import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { istioPathProblem } from "./istio-path.ts";

describe("istioPathProblem", () => {
  const accepted = ["/", "/healthz", "/public/", "/static*", "*.png", "/a*b", "/api/{*}/docs", "/files/{**}", "/{*}/{**}", "/x/{*}/y/{**}/"];
  for (const path of accepted) {
    it(`accepts ${path}, as istiod does`, () => {
      assert.equal(istioPathProblem(path), undefined);
    });
  }

  const refused: [string, RegExp][] = [
    ["", /empty/],
    ["/{id}", /"\{" and "\}"/],
    ["/a{b", /"\{" and "\}"/],
    ["/a}", /"\{" and "\}"/],
    ["/{**}/x/{*}", /only as the last/],
    ["/{**}/{**}", /only as the last/],
    ["/api/{*}/a b", /"a b" is not/],
    ["/api/{*}//docs", /"" is not/],
  ];
  for (const [path, reason] of refused) {
    it(`refuses ${JSON.stringify(path)}, as istiod does`, () => {
      assert.match(istioPathProblem(path) ?? "(accepted)", reason);
    });
  }
});
