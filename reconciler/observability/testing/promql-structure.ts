// A structural check of PromQL for tests (no PromQL parser is installed):
// strings are closed and their escapes are Go's, brackets are balanced and
// nested properly outside strings, and every label matcher's value is a
// quoted string. Returns what is wrong; empty when nothing is.
export function promqlStructureProblems(expr: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let i = 0;
  while (i < expr.length) {
    const char = expr[i]!;
    if (char === '"') {
      i++;
      while (i < expr.length && expr[i] !== '"') {
        if (expr[i] === "\\") {
          if (!/^(?:[abfnrtv\\'"]|u[0-9a-f]{4}|x[0-9a-f]{2})/i.test(expr.slice(i + 1))) problems.push(`bad escape at ${i}`);
          i++;
        } else if (expr.charCodeAt(i) < 0x20) {
          problems.push(`raw control character at ${i}`);
        }
        i++;
      }
      if (i >= expr.length) problems.push("unclosed string");
      i++;
      continue;
    }
    if (char === "(" || char === "[" || char === "{") stack.push(char);
    if (char === ")" || char === "]" || char === "}") {
      if (stack.pop() !== pairs[char]) problems.push(`unbalanced ${char} at ${i}`);
    }
    if (char === "{") {
      // Inside a selector: label op "value" (, label op "value")*
      const end = closingBrace(expr, i);
      const body = expr.slice(i + 1, end);
      const matcher = /^[a-zA-Z_][a-zA-Z0-9_]*(?:=~|!~|!=|=)"(?:[^"\\]|\\.)*"$/;
      for (const part of splitOutsideStrings(body)) if (!matcher.test(part)) problems.push(`matcher ${JSON.stringify(part)} is not label op "value"`);
    }
    i++;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join("")}`);
  return problems;
}

function closingBrace(expr: string, open: number): number {
  let inString = false;
  for (let i = open + 1; i < expr.length; i++) {
    if (inString && expr[i] === "\\") i++;
    else if (expr[i] === '"') inString = !inString;
    else if (!inString && expr[i] === "}") return i;
  }
  return expr.length;
}

function splitOutsideStrings(body: string): string[] {
  const parts: string[] = [];
  let current = "";
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (inString && char === "\\") {
      current += char + body[i + 1];
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === "," && !inString) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}
