// In-place edits of sorted arrays; the index calls these only on arrays it
// owns (not yet handed out in a snapshot).

/** Inserts `item` keeping `list` sorted by `compare` (binary search). */
export function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(list[mid], item) <= 0) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, item);
}

/** Removes `item` (by identity); false when it is not there. */
export function removeItem<T>(list: T[], item: T): boolean {
  const index = list.indexOf(item);
  if (index < 0) return false;
  list.splice(index, 1);
  return true;
}
