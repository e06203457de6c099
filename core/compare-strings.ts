// Orders strings by UTF-16 code units: locale-independent, so the same input
// sorts the same way on every machine and the rendered objects never churn.

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
