// Builders shared by the CLI tests: temp directories, YAML files, DomainRoute
// objects and an in-process `hostgate` runner.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { main } from "../bin/cli.ts";

/** The repository root (this file lives in test/). */
export const ROOT = join(import.meta.dirname, "..");
export const EXAMPLES = join(ROOT, "examples");
export const LIBRARY = join(ROOT, "policies", "library");

/** A stack frame line; the CLI must never print one. */
export const STACK_TRACE = /\n\s+at /;

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs the CLI in this process, as `hostgate ARGS...` would. */
export function hostgate(...argv: string[]): Promise<CliResult> {
  return main(argv);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hostgate-${prefix}-`));
}

/** Writes text to dir/name (creating folders) and returns the path. */
export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Writes the objects as a multi-document YAML file and returns its path. */
export function writeYaml(dir: string, name: string, ...documents: unknown[]): string {
  return writeText(dir, name, documents.map((d) => stringify(d)).join("---\n"));
}

export interface RouteOptions {
  name?: string;
  /** null: the object names no namespace. */
  namespace?: string | null;
  /** Merged over a valid internal route's spec; a key set to undefined is removed. */
  spec?: Record<string, unknown>;
}

/**
 * A DomainRoute that `check` admits against examples/state: an internal
 * (alb-in) route for team-a under the granted shop.example.com, with a
 * Service backend and no routing section.
 */
export function domainRoute({ name = "fixture", namespace = "team-a", spec = {} }: RouteOptions = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { domain: `${name}.shop.example.com`, lb: "alb-in", backend: { service: { name, port: 8080 } }, ...spec };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, ...(namespace === null ? {} : { namespace }) },
    spec: merged,
  };
}

/** One `-o json` entry of `hostgate check`. */
import type { CheckEntry } from "../core/cli/check.ts";
export type { CheckEntry };

/** Parses `check -o json` output, failing with the CLI's stderr when it is not JSON. */
export function entriesOf(result: CliResult): CheckEntry[] {
  try {
    return JSON.parse(result.stdout) as CheckEntry[];
  } catch {
    throw new Error(`check printed no JSON (exit ${result.exitCode}); stderr:\n${result.stderr}\nstdout:\n${result.stdout}`);
  }
}
