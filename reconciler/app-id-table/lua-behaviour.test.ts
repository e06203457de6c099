// The rendered filter, run against stub Envoy requests under LuaJIT (what
// Envoy embeds) when it is installed, else under wasmoon's Lua 5.4; the test
// titles name which one ran (testing/lua-interpreter.ts).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { renderAppIdTableLua } from "./lua.ts";
import { entries, manyEntries } from "./testing/fixtures.ts";
import { HOSTILE_STRINGS } from "./testing/hostile-strings.ts";
import { describeLua, openLua } from "./testing/lua-interpreter.ts";
import { runFilter } from "./testing/run-filter.ts";
import type { FilterRun, Headers } from "./testing/run-filter.ts";

const HEADER = "x-app-id";

// "[" and "[:" are traps: a filter that cut an IPv6 literal at its first
// colon would find them and stamp "mangled".
const table = entries({ "shop.example.com": "shop-id", "api.example.com": "api-id", "[::1]": "ipv6-id", "[": "mangled", "[:": "mangled" });

const cases: { name: string; request: Headers; expected: Headers }[] = [
  {
    name: "a known host gets its appId",
    request: [[":authority", "shop.example.com"]],
    expected: [
      [":authority", "shop.example.com"],
      [HEADER, "shop-id"],
    ],
  },
  {
    name: "an unknown host gets no identity header",
    request: [[":authority", "other.example.com"]],
    expected: [[":authority", "other.example.com"]],
  },
  {
    name: "a forged identity header on a known host is overwritten, every copy",
    request: [
      [":authority", "api.example.com"],
      [HEADER, "shop-id"],
      ["accept", "*/*"],
      ["X-App-Id", "forged"],
    ],
    expected: [
      [":authority", "api.example.com"],
      ["accept", "*/*"],
      [HEADER, "api-id"],
    ],
  },
  {
    name: "a forged identity header on an unknown host is removed, every copy",
    request: [
      [":authority", "other.example.com"],
      [HEADER, "shop-id"],
      [HEADER, "api-id"],
    ],
    expected: [[":authority", "other.example.com"]],
  },
  {
    name: "a host with a port is looked up without the port",
    request: [[":authority", "shop.example.com:8443"]],
    expected: [
      [":authority", "shop.example.com:8443"],
      [HEADER, "shop-id"],
    ],
  },
  {
    name: "a host with an empty port is looked up without the colon",
    request: [[":authority", "shop.example.com:"]],
    expected: [
      [":authority", "shop.example.com:"],
      [HEADER, "shop-id"],
    ],
  },
  {
    name: "an upper-case host with a port is looked up lower-cased",
    request: [[":authority", "SHOP.Example.COM:443"]],
    expected: [
      [":authority", "SHOP.Example.COM:443"],
      [HEADER, "shop-id"],
    ],
  },
  {
    name: "a host followed by something other than a port misses",
    request: [
      [":authority", "shop.example.com:evil"],
      [HEADER, "forged"],
    ],
    expected: [[":authority", "shop.example.com:evil"]],
  },
  {
    name: "a trailing-dot host is not normalised and misses (closed)",
    request: [
      [":authority", "shop.example.com."],
      [HEADER, "forged"],
    ],
    expected: [[":authority", "shop.example.com."]],
  },
  {
    name: "a request without :authority loses a forged identity header",
    request: [
      ["accept", "*/*"],
      [HEADER, "forged"],
    ],
    expected: [["accept", "*/*"]],
  },
  {
    name: "a request without any header stays without one",
    request: [],
    expected: [],
  },
  {
    name: "an empty :authority misses",
    request: [
      [":authority", ""],
      [HEADER, "forged"],
    ],
    expected: [[":authority", ""]],
  },
  {
    name: "an IPv6 literal with a port keeps its brackets and loses only the port",
    request: [
      [":authority", "[::1]:8080"],
      [HEADER, "forged"],
    ],
    expected: [
      [":authority", "[::1]:8080"],
      [HEADER, "ipv6-id"],
    ],
  },
  {
    name: "an IPv6 literal without a port is looked up whole",
    request: [[":authority", "[::1]"]],
    expected: [
      [":authority", "[::1]"],
      [HEADER, "ipv6-id"],
    ],
  },
  {
    name: "an IPv6 literal not in the table misses",
    request: [
      [":authority", "[fe80::1]:443"],
      [HEADER, "forged"],
    ],
    expected: [[":authority", "[fe80::1]:443"]],
  },
  {
    name: "an unterminated IPv6 literal misses",
    request: [
      [":authority", "[::1:8080"],
      [HEADER, "forged"],
    ],
    expected: [[":authority", "[::1:8080"]],
  },
];

const lua = await openLua();

describe(`the identity filter under ${describeLua(lua)}`, () => {
  // One run for all cases; each case then checks its own result.
  let run: FilterRun;
  before(() => {
    run = runFilter(
      lua,
      renderAppIdTableLua(table, HEADER),
      cases.map((c) => c.request),
    );
  });

  it("defines envoy_on_request and no other global", () => {
    assert.deepEqual(run.globals, ["envoy_on_request"]);
  });

  cases.forEach((c, i) => {
    it(c.name, () => assert.deepEqual(run.results[i], c.expected));
  });

  it("leaves no forged copy even where replace overwrites only the first copy (Envoy up to 1.15, CVE-2020-25017)", () => {
    const legacy = runFilter(
      lua,
      renderAppIdTableLua(table, HEADER),
      [
        [
          [":authority", "shop.example.com"],
          [HEADER, "forged-1"],
          [HEADER, "forged-2"],
        ],
      ],
      { legacyReplace: true },
    );
    assert.deepEqual(legacy.results, [
      [
        [":authority", "shop.example.com"],
        [HEADER, "shop-id"],
      ],
    ]);
  });

  it("with an empty table loads and removes a forged header", () => {
    const empty = runFilter(lua, renderAppIdTableLua([], HEADER), [
      [
        [":authority", "shop.example.com"],
        [HEADER, "forged"],
      ],
    ]);
    assert.deepEqual(empty.results, [[[":authority", "shop.example.com"]]]);
  });

  const sized = [10_000, 100_000];
  for (const count of sized) {
    it(`with ${count.toLocaleString("en-US")} entries loads and answers hits at both ends and in the middle, and misses`, () => {
      const hosts = [0, Math.floor(count / 2), count - 1].map((i) => `app-${i}.example.com`);
      const requests: Headers[] = [...hosts.map((host): Headers => [[":authority", host]]), [[":authority", `app-${count}.example.com`]]];
      const result = runFilter(lua, renderAppIdTableLua(manyEntries(count), HEADER), requests);
      assert.deepEqual(
        result.results.map((headers) => headers.find(([name]) => name === HEADER)?.[1]),
        [0, Math.floor(count / 2), count - 1].map((i) => `id-${i}`).concat([undefined as unknown as string]),
      );
    });
  }

  it("hands back hostile hosts and appIds byte for byte, without running any of them", () => {
    // Hosts must survive the filter's own lower-casing and port stripping.
    const hostile = HOSTILE_STRINGS.filter((value) => value !== "" && value === value.toLowerCase() && !/:\d*$/.test(value) && !value.startsWith("["));
    const hostileEntries = hostile.map((value, i) => ({
      host: value,
      appId: HOSTILE_STRINGS[(i + 1) % HOSTILE_STRINGS.length] || "x",
      route: { namespace: "ns", name: `r${i}` },
    }));
    const header = `x-'id"]]\\`;
    const result = runFilter(
      lua,
      renderAppIdTableLua(hostileEntries, header),
      hostileEntries.map((e): Headers => [[":authority", e.host]]),
    );
    assert.deepEqual(result.globals, ["envoy_on_request"]);
    assert.deepEqual(
      result.results,
      hostileEntries.map((e) => [
        [":authority", e.host],
        [header, e.appId],
      ]),
    );
    assert.ok(hostile.length >= 8, "most hostile strings are usable as hosts");
  });
});
