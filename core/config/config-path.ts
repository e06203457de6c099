// Paths into the config as users read them (`loadBalancers.alb-in.dnsName`,
// `domains[0].apex`) and where they sit in the YAML text.
import { isMap, isPair, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node, Pair } from "yaml";

export type PathSegment = string | number;
export type ConfigPath = readonly PathSegment[];

/** Where a problem points: at a key (unknown keys) or at its value. */
export type Anchor = "key" | "value";

/** `line:col` of a path in the source text, or undefined when unknown. */
export type Locate = (path: ConfigPath, anchor: Anchor) => string | undefined;

const PLAIN_KEY = /^[A-Za-z_][-A-Za-z0-9_]*$/;

export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return "(top level)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** JSON Pointer (as ajv reports `instancePath`) to path segments. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === "") return [];
  const path: PathSegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const segment = Array.isArray(current) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    current = current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

function findPair(node: unknown, key: PathSegment): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key)) as Pair | undefined;
}

/**
 * Locates paths in a parsed YAML document. A path that does not fully exist
 * (a missing key) resolves to its deepest existing ancestor, which is where
 * the user has to add it.
 */
export function yamlLocator(document: Document, lineCounter: LineCounter): Locate {
  return (path, anchor) => {
    let node: unknown = document.contents;
    let range: readonly number[] | null | undefined = (node as Node | null)?.range;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (typeof segment === "number" && isSeq(node)) {
        node = node.items[segment];
        if (!node) break;
        range = (node as Node).range ?? range;
        continue;
      }
      const pair = findPair(node, segment);
      if (!pair) break;
      const keyRange = (pair.key as Node).range;
      const valueRange = (pair.value as Node | null)?.range;
      range = last && anchor === "key" ? (keyRange ?? range) : (valueRange ?? keyRange ?? range);
      node = pair.value;
    }
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return `${line}:${col}`;
  };
}
