// Turns the yaml package's parse errors into one-line `file:line:col: ...`
// problems. The package's own "pretty" messages embed a multi-line code
// snippet, which is noise once we already point at the exact position.
import type { LineCounter, YAMLError } from "yaml";

/** 1-based line and column of a character offset, formatted `line:col`. */
export function positionOf(lineCounter: LineCounter, offset: number): string {
  const { line, col } = lineCounter.linePos(offset);
  return `${line}:${col}`;
}

/** `file:line:col: invalid YAML: <reason>; fix the syntax there`. */
export function yamlErrorProblem(file: string, lineCounter: LineCounter, error: YAMLError): string {
  const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  return `${file}:${positionOf(lineCounter, error.pos[0])}: invalid YAML: ${reason}; fix the syntax at that position`;
}
