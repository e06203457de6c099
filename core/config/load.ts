// Reading the platform config file: YAML text → validated PlatformConfig.
import { readFileSync } from "node:fs";
import { LineCounter, parseAllDocuments } from "yaml";
import type { Document } from "yaml";
import { toPlainData } from "../objects/parse-manifests.ts";
import { positionOf, yamlErrorProblem } from "../../policies/engine/yaml-problems.ts";
import { ConfigError } from "./config-error.ts";
import { yamlLocator } from "./config-path.ts";
import type { PlatformConfig } from "./platform-config.ts";
import { validatePlatformConfig } from "./validate.ts";

/**
 * Parses and validates config text. `source` names it in problems (usually
 * the file path).
 * @throws ConfigError listing every problem, each with file, line:col and
 *   the path of the offending key.
 */
export function parsePlatformConfig(text: string, source: string): PlatformConfig {
  const lineCounter = new LineCounter();
  const documents = Array.from(parseAllDocuments(text, { lineCounter, prettyErrors: false }));
  const syntax = documents.filter((d) => d.errors.length > 0).map((d) => yamlErrorProblem(source, lineCounter, d.errors[0]));
  if (syntax.length > 0) throw new ConfigError(syntax);

  const values: { document: Document.Parsed; value: unknown }[] = [];
  for (const document of documents) {
    let value: unknown;
    try {
      value = toPlainData(document);
    } catch (error) {
      throw new ConfigError([`${source}:${positionOf(lineCounter, document.range[0])}: ${(error as Error).message}`]);
    }
    if (value !== null && value !== undefined) values.push({ document, value });
  }
  const nonEmpty = values.map((v) => v.document);
  if (nonEmpty.length === 0) {
    throw new ConfigError([
      `${source}: the file is empty; write a PlatformConfig (apiVersion: hostgate.dev/v1alpha1, kind: PlatformConfig; see examples/platform-config.yaml)`,
    ]);
  }
  if (nonEmpty.length > 1) {
    const second = nonEmpty[1];
    throw new ConfigError([
      `${source}:${positionOf(lineCounter, second.range[0])}: found ${nonEmpty.length} YAML documents; the platform config is a single document, so remove the extra ones`,
    ]);
  }
  const { document, value } = values[0];
  return validatePlatformConfig(value, source, yamlLocator(document, lineCounter));
}

/**
 * Reads and validates the config file at `path`.
 * @throws ConfigError when the file is missing, unreadable or invalid.
 */
export function loadPlatformConfig(path: string): PlatformConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "not found; check the path of the platform config file"
        : code === "EISDIR"
          ? "is a folder; pass the platform config file itself"
          : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError([`${path}: ${reason}`]);
  }
  return parsePlatformConfig(text, path);
}
