// @ts-check
// Where a refusal's message goes: the field it names, else the nearest
// ancestor the form shows (spec.protection.rules[0].paths[1] → the rules boxes,
// spec.backend.service → the backend group), else the summary above the form.
// Pure, so it is unit-tested in Node (field-paths.test.ts).

/**
 * The path one step up: `a.b[2]` → `a.b`, `a.b.c` → `a.b`, `a` → undefined.
 * @param {string} path
 * @returns {string | undefined}
 */
export function parentPath(path) {
  const bracket = /\[[^\]]*\]$/.exec(path);
  if (bracket) return path.slice(0, bracket.index);
  const dot = path.lastIndexOf(".");
  return dot > 0 ? path.slice(0, dot) : undefined;
}

/**
 * A field path as the API writes it, made comparable: the leading dot CEL fieldPaths can carry is dropped.
 * @param {string} path
 */
export function normalizePath(path) {
  return path.trim().replace(/^\./, "");
}

/**
 * The longest of `known` that is `path` or an ancestor of it, or undefined.
 * @param {string} path
 * @param {(candidate: string) => boolean} known
 * @returns {string | undefined}
 */
export function placeFor(path, known) {
  for (let candidate = /** @type {string | undefined} */ (normalizePath(path)); candidate; candidate = parentPath(candidate)) {
    if (known(candidate)) return candidate;
  }
  return undefined;
}
