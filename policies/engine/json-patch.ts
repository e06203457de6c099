// RFC 6902 JSON Patch: validation of operations produced by mutation
// expressions, and their application. The API server applies the same patch
// a mutating webhook returns, so this follows the RFC strictly: a patch that
// would fail there fails here, with the path that broke.
import { isDeepStrictEqual } from "node:util";
import type { JsonPatchOperation } from "./types.ts";

export class JsonPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPatchError";
  }
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** Checks that a value produced by CEL is a well-formed list of patch operations. */
export function toPatchOperations(value: unknown): JsonPatchOperation[] {
  if (!Array.isArray(value)) throw new JsonPatchError(`a mutation must produce a list of patch operations, got ${describe(value)}`);
  return value.map((raw, i) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw new JsonPatchError(`operation ${i} must be a map like {'op': 'add', 'path': '/spec/x', 'value': 1}, got ${describe(raw)}`);
    const op = raw as Record<string, unknown>;
    for (const key of Object.keys(op)) {
      if (!["op", "path", "value", "from"].includes(key))
        throw new JsonPatchError(`operation ${i} has an unknown key "${key}" (allowed: op, path, value, from)`);
    }
    if (typeof op.op !== "string" || !OPS.has(op.op))
      throw new JsonPatchError(`operation ${i}: "op" must be one of ${[...OPS].join(", ")}, got ${describe(op.op)}`);
    if (typeof op.path !== "string") throw new JsonPatchError(`operation ${i}: "path" must be a JSON pointer string`);
    parsePointer(op.path);
    if ((op.op === "add" || op.op === "replace" || op.op === "test") && !("value" in op))
      throw new JsonPatchError(`operation ${i} (${op.op} ${op.path}) needs a "value"`);
    if ((op.op === "move" || op.op === "copy") && typeof op.from !== "string")
      throw new JsonPatchError(`operation ${i} (${op.op} ${op.path}) needs a "from" pointer`);
    return op as unknown as JsonPatchOperation;
  });
}

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new JsonPatchError(`"${pointer}" is not a JSON pointer: it must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new JsonPatchError(`"${pointer}" has an invalid escape; use ~0 for "~" and ~1 for "/"`);
      return token.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

/** Applies operations to a deep copy of the document and returns the copy. */
export function applyPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  let doc: unknown = structuredClone(document);
  for (const [i, operation] of operations.entries()) {
    try {
      doc = applyOne(doc, operation);
    } catch (error) {
      if (error instanceof JsonPatchError) throw new JsonPatchError(`operation ${i} (${operation.op} ${operation.path}): ${error.message}`);
      throw error;
    }
  }
  return doc as T;
}

function applyOne(doc: unknown, operation: JsonPatchOperation): unknown {
  const path = parsePointer(operation.path);
  switch (operation.op) {
    case "add":
      return add(doc, path, structuredClone(operation.value));
    case "remove":
      return remove(doc, path).doc;
    case "replace":
      return replace(doc, path, structuredClone(operation.value));
    case "move": {
      const from = parsePointer(operation.from!);
      if (path.length > from.length && from.every((t, i) => path[i] === t)) throw new JsonPatchError("cannot move a value into one of its own children");
      const removed = remove(doc, from);
      return add(removed.doc, path, removed.value);
    }
    case "copy":
      return add(doc, path, structuredClone(get(doc, parsePointer(operation.from!))));
    case "test":
      if (!isDeepStrictEqual(get(doc, path), operation.value)) throw new JsonPatchError("test failed: the value differs");
      return doc;
  }
}

function get(doc: unknown, path: readonly string[]): unknown {
  let current = doc;
  for (const token of path) {
    if (Array.isArray(current)) {
      current = current[arrayIndex(token, current.length, false)];
    } else if (isObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      throw new JsonPatchError(`path does not exist (no "${token}")`);
    }
  }
  return current;
}

function replace(doc: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    parent[arrayIndex(last, parent.length, false)] = value;
  } else if (isObject(parent) && Object.hasOwn(parent, last)) {
    parent[last] = value;
  } else {
    throw new JsonPatchError(`path does not exist (no "${last}")`);
  }
  return doc;
}

function add(doc: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : arrayIndex(last, parent.length, true);
    parent.splice(index, 0, value);
  } else if (isObject(parent)) {
    Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
  } else {
    throw new JsonPatchError(`the parent of "${last}" is not an object or array`);
  }
  return doc;
}

function remove(doc: unknown, path: readonly string[]): { doc: unknown; value: unknown } {
  if (path.length === 0) throw new JsonPatchError("cannot remove the whole document");
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, false);
    const [value] = parent.splice(index, 1);
    return { doc, value };
  }
  if (isObject(parent) && Object.hasOwn(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return { doc, value };
  }
  throw new JsonPatchError(`path does not exist (no "${last}")`);
}

function arrayIndex(token: string, length: number, inserting: boolean): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`"${token}" is not an array index`);
  const index = Number(token);
  if (index > length || (!inserting && index === length)) throw new JsonPatchError(`index ${index} is out of bounds (length ${length})`);
  return index;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a map" : `${typeof value} ${JSON.stringify(value)}`;
}
