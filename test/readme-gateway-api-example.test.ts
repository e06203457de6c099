// The README's Gateway API worked example is what `hostgate render` prints
// for examples/gateway-api with examples/platform-config-gateway-api.yaml,
// not a hand-written picture of it: every object in its YAML block is
// contained in the object of the same kind, namespace and name that the
// render prints (the README leaves out labels, annotations and owner
// references), and every pooled Gateway, HTTPRoute and ClientTrafficPolicy the
// render prints is in the README, so a change to names, listeners, TLS or the
// login that would make the README wrong fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { contains } from "../reconciler/apply/plan-apply.ts";
import { EXAMPLES, hostgate, ROOT } from "./fixtures.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const SECTION = "## The Gateway API data plane";
const EXAMPLE = "### Worked example";

interface Shown {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: unknown;
}

/** The objects of the worked example's YAML block. */
function readmeObjects(): Shown[] {
  const section = README.slice(README.indexOf(SECTION));
  assert.ok(README.includes(SECTION), `README has "${SECTION}"`);
  const example = section.slice(section.indexOf(EXAMPLE));
  assert.ok(section.includes(EXAMPLE), `"${SECTION}" has a "${EXAMPLE}"`);
  const block = /```yaml\n([\s\S]*?)```/.exec(example);
  assert.ok(block, "the worked example has a yaml block");
  return parseAllDocuments(block[1]!).map((d) => d.toJS() as Shown);
}

async function rendered(): Promise<Shown[]> {
  const result = await hostgate("render", "--config", join(EXAMPLES, "platform-config-gateway-api.yaml"), "-f", join(EXAMPLES, "gateway-api"), "-o", "json");
  assert.equal(result.exitCode, 0, result.stderr);
  return (JSON.parse(result.stdout) as { items: Shown[] }).items;
}

const key = (o: Shown) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;

describe("the README's Gateway API worked example", () => {
  test("every object it shows is what hostgate render prints for the example", async () => {
    const printed = new Map((await rendered()).map((o) => [key(o), o]));
    const shown = readmeObjects();
    assert.ok(shown.length >= 4, "it shows the objects");
    for (const object of shown) {
      const actual = printed.get(key(object));
      assert.ok(actual, `render prints ${key(object)}`);
      assert.ok(contains(actual, object), `the README shows ${key(object)} as render prints it`);
    }
  });

  test("every pooled Gateway, HTTPRoute and identity ClientTrafficPolicy the render prints is shown", async () => {
    const shown = new Set(readmeObjects().map(key));
    const expected = (await rendered()).filter((o) => ["Gateway", "HTTPRoute", "ClientTrafficPolicy"].includes(o.kind)).map(key);
    assert.ok(expected.length >= 3);
    for (const k of expected) assert.ok(shown.has(k), `the README shows ${k}`);
  });

  test("the team's own HTTPRoute in the example attaches at the listener the render gives its External route", async () => {
    const own = parseAllDocuments(readFileSync(join(EXAMPLES, "gateway-api", "blog-httproute.yaml"), "utf8"))[0]!.toJS() as {
      spec: { parentRefs: { name: string; namespace: string; sectionName: string }[] };
    };
    const [parent] = own.spec.parentRefs;
    const gateway = (await rendered()).find((o) => o.kind === "Gateway" && o.metadata.name === parent!.name && o.metadata.namespace === parent!.namespace);
    assert.ok(gateway, `render prints Gateway ${parent!.namespace}/${parent!.name}`);
    const listeners = (gateway.spec as { listeners: { name: string; hostname: string }[] }).listeners;
    assert.deepEqual(
      listeners.filter((l) => l.name === parent!.sectionName).map((l) => l.hostname),
      ["blog.shop.example.com"],
    );
  });
});
