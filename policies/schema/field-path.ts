// Field paths as the API server prints them: `spec.rules[0].paths`, with
// `[key]` for map keys. The empty string stands for the object itself.

export function childPath(parent: string, name: string): string {
  return parent === "" ? name : `${parent}.${name}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

/** `relative` (a field path below `base`) as a path from the root `base` is relative to. */
export function joinPath(base: string, relative: string): string {
  if (base === "") return relative;
  if (relative === "") return base;
  return relative.startsWith("[") ? `${base}${relative}` : `${base}.${relative}`;
}

/**
 * Converts an ajv instancePath (a JSON Pointer such as `/spec/rules/0`) to a
 * field path, using the data to tell list indices from object keys.
 */
export function pointerToFieldPath(pointer: string, data: unknown): string {
  if (pointer === "") return "";
  let path = "";
  let node: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      path = indexPath(path, Number(token));
      node = node[Number(token)];
    } else {
      path = childPath(path, token);
      node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[token] : undefined;
    }
  }
  return path;
}
