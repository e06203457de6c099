// The webhook container as deploy/base/deployment.yaml runs it: its literal
// env values (NODE_OPTIONS, MALLOC_ARENA_MAX) and its memory limit, so the
// benchmarks measure the process as deployed rather than a copy of its flags.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";

export interface DeployedContainer {
  env: Record<string, string>;
  /** resources.limits.memory, e.g. "384Mi". */
  memoryLimit: string;
}

export function deployedWebhookContainer(): DeployedContainer {
  const file = join(PACKAGE_ROOT, "deploy", "base", "deployment.yaml");
  const documents = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as Record<string, any>);
  const container = documents.find((d) => d?.kind === "Deployment")?.spec?.template?.spec?.containers?.[0];
  const env: Array<{ name: string; value?: string }> = container?.env ?? [];
  const memoryLimit: unknown = container?.resources?.limits?.memory;
  if (typeof memoryLimit !== "string") throw new Error(`${file}: the webhook container has no resources.limits.memory`);
  return { env: Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])), memoryLimit };
}
